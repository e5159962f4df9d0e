"""Train the character n-gram language model shipped as src/osiwire/data/langid-ngrams.npz.

    .venv/bin/python scripts/train_langid.py [--data ../shared/data/langid] [--bits 18] [--alpha 0.1]

Reads the TRAIN side of the fixed split (osiwire.extract.langid_data.is_dev) only, counts hashed 1-5-grams per
language (naive Bayes, additive smoothing), writes the model, and prints dev accuracy (full sentences and
first three words) of the model alone, as a check; bench/langid.py measures the whole detector.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np

from osiwire.extract.langid_data import LANGUAGES, first_words, read_split
from osiwire.extract.ngrams import _APOSTROPHES, NgramModel, features

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "langid"
_LATIN_UZBEK = re.compile(r"[a-z]{3}", re.IGNORECASE)
DEFAULT_OUT = ROOT / "src" / "osiwire" / "data" / "langid-ngrams.npz"


# Uzbek Latin -> Cyrillic (the 1995 alphabet's letters, digraphs first): the data holds ~150 Cyrillic Uzbek
# training lines against ~670 Latin ones, so each Latin line is also learnt in Cyrillic.
_UZ_DIGRAPHS = (("o'", "ў"), ("g'", "ғ"), ("sh", "ш"), ("ch", "ч"), ("yo", "ё"), ("yu", "ю"), ("ya", "я"))
_UZ_LETTERS = str.maketrans("abdefghijklmnopqrstuvxyz'", "абдефгҳижклмнопқрстувхйзъ")
_UZ_WORD_E = re.compile(r"\b(ye|e)")


def uzbek_cyrillic(sentence: str) -> str:
    """A Latin Uzbek sentence in the Cyrillic alphabet (lower case): word-initial e is э, ye is е."""
    text = sentence.lower().translate(_APOSTROPHES)
    text = _UZ_WORD_E.sub(lambda m: "е" if m.group(1) == "ye" else "э", text)
    for latin, cyrillic in _UZ_DIGRAPHS:
        text = text.replace(latin, cyrillic)
    return text.translate(_UZ_LETTERS)


def train(sentences: dict[str, list[str]], bits: int, alpha: float) -> NgramModel:
    """Naive Bayes over hashed n-grams: log P(row | language), smoothed by ``alpha`` per row, scaled by each
    language's share of the counts: a row no language has seen then costs every language the same, where equal
    smoothing would favour the languages with least data (Tajik, Uzbek) on every unseen word."""
    size = 1 << bits
    counts = np.empty((size, len(LANGUAGES)), dtype=np.float64)
    for column, lang in enumerate(LANGUAGES):
        texts = sentences[lang]
        if lang == "uz":
            texts = texts + [uzbek_cyrillic(s) for s in texts if _LATIN_UZBEK.search(s)]
        rows = np.concatenate([features(s, bits) for s in texts])
        counts[:, column] = np.bincount(rows, minlength=size)
    totals = counts.sum(axis=0)
    smoothing = alpha * totals / totals.mean()
    table = np.log((counts + smoothing) / (totals + smoothing * size))
    return NgramModel.from_log_probs(LANGUAGES, table, bits)


def accuracy(model: NgramModel, dev: dict[str, list[str]], words: int | None) -> dict[str, float]:
    result = {}
    for lang, sentences in dev.items():
        texts = [first_words(s, words) if words else s for s in sentences]
        hits = sum(model.languages[int(np.argmax(model.scores(t)[0]))] == lang for t in texts)
        result[lang] = hits / len(texts)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--bits", type=int, default=18, help="log2 of the hashed table's rows")
    parser.add_argument("--alpha", type=float, default=0.1, help="additive smoothing per row")
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
