"""Train the character n-gram language model shipped as src/osiwire/data/langid-ngrams.npz.

    .venv/bin/python scripts/train_langid.py [--data ../shared/data/langid] [--bits 18] [--alpha 0.5]

Reads the TRAIN side of the fixed split (osiwire.extract.langid_data.is_dev) only, counts hashed 1-5-grams per
language (naive Bayes, additive smoothing), writes the model, and prints dev accuracy (full sentences and
first three words) of the model alone, as a check; bench/langid.py measures the whole detector.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from osiwire.extract.langid_data import LANGUAGES, first_words, read_split
from osiwire.extract.ngram_training import DEFAULT_ALPHA, DEFAULT_BITS, train
from osiwire.extract.ngrams import NgramModel

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "langid"
DEFAULT_OUT = ROOT / "src" / "osiwire" / "data" / "langid-ngrams.npz"


def accuracy(model: NgramModel, dev: dict[str, list[str]], words: int | None) -> dict[str, float]:
    result = {}
    for lang, sentences in dev.items():
        texts = [first_words(s, words) if words else s for s in sentences]
        hits = sum(model.languages[int(np.argmax(model.scores(t)[0]))].split("-")[0] == lang for t in texts)
        result[lang] = hits / len(texts)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--bits", type=int, default=DEFAULT_BITS, help="log2 of the hashed table's rows")
    parser.add_argument("--alpha", type=float, default=DEFAULT_ALPHA, help="additive smoothing per row")
    args = parser.parse_args()
    model = train(read_split(args.data, dev=False), args.bits, args.alpha)
    model.save(args.out)
    shipped = NgramModel.load(args.out)
    dev = read_split(args.data, dev=True)
    for label, words in (("full", None), ("3 words", 3)):
        acc = accuracy(shipped, dev, words)
        cells = " ".join(f"{lang}={acc[lang]:.3f}" for lang in LANGUAGES)
        print(f"dev {label}: macro={sum(acc.values()) / len(acc):.4f} {cells}")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
