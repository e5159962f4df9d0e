"""Translation quality: sacreBLEU BLEU and chrF of an engine's output against one or more references.

Files are one segment per line (the WMT ``txt`` layout); lines are never dropped or merged, so line N of
the source, of every reference and of the output always belong together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sacrebleu import BLEU, CHRF

from osiwire.errors import OsiwireError

logger = logging.getLogger(__name__)


class EvaluationError(OsiwireError):
    """Test files that cannot be scored (unreadable, or their line counts disagree)."""


@dataclass(frozen=True, slots=True)
class Scores:
    """Corpus-level scores with the sacreBLEU signatures that make them reproducible."""

    bleu: float  # 0..100
    chrf: float  # 0..100
    segments: int
    references: int  # reference translations per segment
    bleu_signature: str
    chrf_signature: str

    def __str__(self) -> str:
        return (
            f"BLEU {self.bleu:.2f} chrF {self.chrf:.2f} segments={self.segments} refs={self.references} "
            f"({self.bleu_signature}; {self.chrf_signature})"
        )


@dataclass(frozen=True, slots=True)
class TestSet:
    """Source segments and the reference streams aligned with them."""

    __test__ = False  # not a pytest test class, whatever its name

    sources: list[str]
    references: list[list[str]]  # one list per reference translator, each as long as sources


def evaluate(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> Scores:
    """BLEU and chrF of ``hypotheses`` against reference streams (each aligned with the hypotheses)."""
    if not references:
        raise EvaluationError("no reference translations given")
    for n, stream in enumerate(references, 1):
        if len(stream) != len(hypotheses):
            raise EvaluationError(f"reference {n} has {len(stream)} segments, the output {len(hypotheses)}")
    refs = [list(stream) for stream in references]
    bleu, chrf = BLEU(), CHRF()
    bleu_score = bleu.corpus_score(list(hypotheses), refs)
    chrf_score = chrf.corpus_score(list(hypotheses), refs)
    return Scores(
        bleu=float(bleu_score.score),
        chrf=float(chrf_score.score),
        segments=len(hypotheses),
        references=len(refs),
        bleu_signature=str(bleu.get_signature()),
        chrf_signature=str(chrf.get_signature()),
    )


def read_lines(path: Path) -> list[str]:
    """One segment per line; only newline characters split (WMT text holds U+2028 and friends)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"{path}: cannot read: {exc}") from None
    return [line.removesuffix("\r") for line in text.removesuffix("\n").split("\n")] if text else []


def read_test_set(src: Path, refs: Sequence[Path], limit: int | None = None) -> TestSet:
    """A source file and its reference files, checked to have the same number of lines."""
    sources = read_lines(src)
    references = [read_lines(ref) for ref in refs]
    for ref, lines in zip(refs, references, strict=True):
        if len(lines) != len(sources):
            raise EvaluationError(f"{ref}: {len(lines)} lines, but {src} has {len(sources)}")
    if limit is not None:
        sources, references = sources[:limit], [lines[:limit] for lines in references]
    return TestSet(sources, references)


def read_wmt(
    folder: Path, source_lang: str = "ru", target_lang: str = "en", year: int = 2021, limit: int | None = None
) -> TestSet:
    """A WMT news test set in the wmt-conference ``txt`` layout (sources/ and references/ A, B, ...)."""
    name = f"newstest{year}.{source_lang}-{target_lang}"
    src = folder / "txt" / "sources" / f"{name}.src.{source_lang}"
    refs = sorted((folder / "txt" / "references").glob(f"{name}.ref.*.{target_lang}"))
    if not refs:
        raise EvaluationError(f"{folder}: no {name} references under txt/references")
    return read_test_set(src, refs, limit)


def evaluate_files(
    src: Path,
    refs: list[Path],
    translate: Callable[[list[str]], list[str]],
    limit: int | None = None,
) -> Scores:
    """Translate ``src`` (the first ``limit`` lines, or all) and score it against the reference files."""
    if not refs:
        raise EvaluationError(f"{src}: at least one reference file is needed")
    test_set = read_test_set(src, refs, limit)
    hypotheses = translate(test_set.sources)
    if len(hypotheses) != len(test_set.sources):
        raise EvaluationError(
            f"{src}: {len(test_set.sources)} segments in, {len(hypotheses)} translations out"
        )
    scores = evaluate(hypotheses, test_set.references)
    logger.info("evaluated %s: %s", src, scores)
    return scores
