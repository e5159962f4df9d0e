"""Translation throughput: bare CTranslate2 against osiwire's translate stage, same model, same sentences.

Builds a random-weight Transformer of OPUS-MT size (6+6 layers, d_model 512, 8 heads, ffn 2048, a 32k shared
vocabulary: a sentencepiece model trained on the WMT21 texts, padded with synthetic pieces) quantised to int8,
installs it as an osiwire model, and translates the 1,000 WMT21 Russian news sentences

  (a) raw: ``ctranslate2.Translator.translate_batch`` with its default outputs on input tokenised beforehand
      (untimed); the goal is measured against this;
  (a') raw with ``return_scores=True``: the same, plus the log-softmax over the 32k vocabulary at every step
      that osiwire needs for its per-sentence confidence (greedy search skips it otherwise);
  (b) osiwire: ``Translator.translate_sentences`` (memory lookup, glossary protection, the CTranslate2 engine's
      tokenising, batching, scoring and detokenising) with an empty ``DictMemory`` and an empty glossary, so
      every sentence reaches the model and the model sees the same tokens as in (a).

Random weights rarely emit the end token, so every run decodes exactly ``--length`` tokens per sentence
(``min_decoding_length == max_decoding_length``): identical work, greedy search (beam 1) to fit a 2-core CPU in
a few minutes. All use the same device, compute type, threads and token-count batches. The sentences go in
blocks of ``--block`` (about one release's worth: the translator is called per article); the three runs take
turns block by block in a rotating order, so a change in the machine's load hits all alike, and throughput is
sentences over the summed time of ``--repeats`` passes.

    .venv/bin/python bench/translate.py [--sentences 1000] [--length 32] [--repeats 2] [--block 100] [--threads 0]

Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the random-model builder shared with the translation tests

import ctranslate2  # noqa: E402
import sentencepiece as spm  # noqa: E402

from translation_models import save_random_transformer, train_sentencepiece  # noqa: E402

WMT = ROOT.parent / "shared" / "data" / "mt" / "wmt21-ru-en" / "txt"
SOURCES = WMT / "sources" / "newstest2021.ru-en.src.ru"
VOCAB = 32_000  # OPUS-MT-sized shared vocabulary
SPM_VOCAB = 8_000  # what sentencepiece can learn from ~2,000 news sentences; synthetic pieces fill the rest
GOAL_RATIO = 0.95
BATCH_TOKENS = 2048  # CTranslate2Config's default max_batch_tokens
MAX_INPUT_TOKENS = 1024  # above the longest WMT21 sentence: nothing is split, as in the raw run


def build_model(folder: Path) -> Path:
    """An OPUS-MT-sized random model with its sentencepiece model beside it; returns the folder."""
    corpus = [*read_lines(SOURCES), *read_lines(WMT / "references" / "newstest2021.ru-en.ref.A.en")]
    sp_path = train_sentencepiece(folder / "sentencepiece", corpus, vocab_size=SPM_VOCAB)
    sp = spm.SentencePieceProcessor(model_file=str(sp_path))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    vocab = pieces + [f"<fill_{i}>" for i in range(VOCAB - len(pieces))]
    save_random_transformer(folder, vocab, layers=6, heads=8, d=512, ff=2048, quantization="int8")
    return folder


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").removesuffix("\n").split("\n")


KREMLIN = ROOT.parent / "shared" / "data" / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"


class _EchoEngine:
    """Stands in for a model when only the memory's savings are counted (they do not depend on the model)."""

    name = "echo"

    def model_id(self, source_lang: str, target_lang: str) -> str:
        return "echo"

    def supports(self, source_lang: str, target_lang: str) -> bool:
        return True

    def translate(
        self, sentences: Any, source_lang: str, target_lang: str, glossary: Any = None
    ) -> list[Any]:
        from osiwire.translate.base import EngineOutput

        return [EngineOutput(s.upper()) for s in sentences]

    def close(self) -> None:
        pass


def memory_savings() -> Any:
    """Share of sentences and tokens of the 125 kremlin.ru releases the translation memory serves."""
    import json
    from datetime import UTC, datetime

    from osiwire.config import ExtractConfig
    from osiwire.extract.article import extract_article
    from osiwire.extract.language import get_detector
    from osiwire.model import RawDocument
    from osiwire.translate.glossary import Glossary, bundled_terms
    from osiwire.translate.memory import DictMemory
    from osiwire.translate.registry import EngineSet
    from osiwire.translate.savings import memory_savings as savings
    from osiwire.translate.translator import Translator

    detector, now = get_detector(), datetime.now(UTC)
    engines = EngineSet({"echo": _EchoEngine}, ["echo"])
    translator = Translator(engines, DictMemory(), Glossary(bundled_terms()), detector, "en")
    translations = []
    for line in KREMLIN.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        doc = RawDocument(record["url"], now, text=record["text"], title=record["title"])
        translations.append(translator.translate_article(extract_article(doc, ExtractConfig(), detector)))
    return savings(translations)


def timed(run: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--length", type=int, default=32, help="tokens decoded per sentence (fixed)")
    parser.add_argument("--repeats", type=int, default=2, help="passes over the sentences")
    parser.add_argument("--block", type=int, default=100, help="sentences per call (about one release)")
    parser.add_argument("--threads", type=int, default=0, help="intra_threads (0: one per core)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from osiwire.config import CTranslate2Config
    from osiwire.extract.language import LanguageDetector
    from osiwire.translate.engines.ctranslate2 import CTranslate2Engine
    from osiwire.translate.glossary import Glossary
    from osiwire.translate.memory import DictMemory
    from osiwire.translate.models import install_from_dir
    from osiwire.translate.registry import EngineSet
    from osiwire.translate.translator import Translator

    sentences = read_lines(SOURCES)[: args.sentences]
    decoding = {"max_decoding_length": args.length, "min_decoding_length": args.length}
    with tempfile.TemporaryDirectory() as tmp:
        build_s, folder = timed(lambda: build_model(Path(tmp) / "opus-mt-sized"))
        model = install_from_dir(folder, Path(tmp) / "models", source_lang="ru", target_lang="en")
        cfg = CTranslate2Config(
            device="cpu",
            compute_type="int8",
            intra_threads=args.threads,
            beam_size=1,
            max_batch_tokens=BATCH_TOKENS,
            max_input_tokens=MAX_INPUT_TOKENS,
        )
        engine = CTranslate2Engine(cfg, model.path.parent, decode_options=decoding)
        engines = EngineSet({"ctranslate2": lambda: engine}, ["ctranslate2"])
        detector = LanguageDetector()  # translate_sentences never asks it: the language is given

        raw = ctranslate2.Translator(
            str(model.model_dir), device="cpu", compute_type="int8", intra_threads=args.threads
        )
        sp = spm.SentencePieceProcessor(model_file=str(model.source_spm))
        tokens = [sp.encode(s, out_type=str) for s in sentences]
        longest = max(map(len, tokens))
        assert longest <= MAX_INPUT_TOKENS, longest

        def run_raw(block: slice, **extra: Any) -> list[Any]:
            options = {"max_batch_size": BATCH_TOKENS, "batch_type": "tokens", "beam_size": 1}
            return list(raw.translate_batch(tokens[block], **options, **decoding, **extra))

        def run_osiwire(block: slice) -> list[Any]:
            translator = Translator(engines, DictMemory(), Glossary(), detector, "en")
            pairs = translator.translate_sentences(sentences[block], "ru")
            assert len(pairs) == len(sentences[block])
            assert all(p.engine == "ctranslate2" and not p.from_memory for p in pairs)
            return pairs

        sides: dict[str, Callable[[slice], list[Any]]] = {
            "raw": run_raw,
            "raw_scores": lambda block: run_raw(block, return_scores=True),
            "osiwire": run_osiwire,
        }
        seconds = dict.fromkeys(sides, 0.0)
        run_osiwire(slice(0, 1))
        run_raw(slice(0, 8))  # both models loaded and warm
        same = 0
        blocks = [slice(i, i + args.block) for i in range(0, len(sentences), args.block)]
        for repeat in range(args.repeats):
            for n, block in enumerate(blocks):
                # The order rotates block by block: a change in machine load hits every side alike.
                names = list(sides)
                shift = (n + repeat) % len(names)
                outputs = {}
                for name in names[shift:] + names[:shift]:
                    took, outputs[name] = timed(lambda f=sides[name], b=block: f(b))
                    seconds[name] += took
                assert all(len(r.hypotheses[0]) == args.length for r in outputs["raw"])
                if repeat == 0:
                    same += sum(
                        p.target == sp.decode(r.hypotheses[0]).strip()
                        for p, r in zip(outputs["osiwire"], outputs["raw"], strict=True)
                    )

    sps = {name: len(sentences) * args.repeats / took for name, took in seconds.items()}
    raw_sps, osiwire_sps = sps["raw"], sps["osiwire"]
    ratio, ratio_scores = osiwire_sps / raw_sps, osiwire_sps / sps["raw_scores"]
    print(f"model: 6+6 layers, d_model 512, 8 heads, ffn 2048, vocab {VOCAB}, int8; built in {build_s:.1f} s")
    print(
        f"input: {len(sentences)} WMT21 ru sentences, {sum(map(len, tokens)):,} tokens (longest {longest}); "
        f"decoding: greedy, exactly {args.length} tokens each; calls of {args.block} sentences, "
        f"batches of {BATCH_TOKENS} tokens; threads {args.threads or 'all'}"
    )
    print(f"raw ctranslate2:           {raw_sps:7.1f} sentences/s  ({seconds['raw']:.1f} s in all)")
    print(f"raw, return_scores=True:   {sps['raw_scores']:7.1f} sentences/s  ({seconds['raw_scores']:.1f} s)")
    print(f"osiwire stage:             {osiwire_sps:7.1f} sentences/s  ({seconds['osiwire']:.1f} s in all)")
    print(
        f"ratio osiwire/raw: {ratio:.3f} (goal >= {GOAL_RATIO}); osiwire/raw with scores: {ratio_scores:.3f}; "
        f"identical outputs: {same}/{len(sentences)}"
    )
    saved = memory_savings()
    print(f"translation memory on the 125 kremlin.ru releases: {saved.describe()}")
    print(
        f"RESULT raw_sps={raw_sps:.1f} raw_scores_sps={sps['raw_scores']:.1f} osiwire_sps={osiwire_sps:.1f} "
        f"ratio={ratio:.3f} ratio_vs_scores={ratio_scores:.3f} "
        f"goal={GOAL_RATIO} sentences={len(sentences)} length={args.length} repeats={args.repeats} "
        f"threads={args.threads} same_output={same} "
        f"ok={'yes' if ratio >= GOAL_RATIO else 'no'} "
        f"memory_sentence_share={saved.sentence_share:.3f} memory_token_share={saved.token_share:.3f}"
    )


if __name__ == "__main__":
    main()
