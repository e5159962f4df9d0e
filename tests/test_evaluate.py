"""The translation evaluation harness: sacreBLEU BLEU and chrF over WMT21 ru-en, and on toy strings."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import sacrebleu

from osiwire.config import CTranslate2Config
from osiwire.translate.engines.ctranslate2 import CTranslate2Engine
from osiwire.translate.evaluate import (
    EvaluationError,
    Scores,
    evaluate,
    evaluate_files,
    read_lines,
    read_wmt,
)
from osiwire.translate.models import install_from_file
from translation_models import build_tiny_argos_package

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="session")
def wmt(shared_data: Path) -> Path:
    return shared_data / "mt" / "wmt21-ru-en"


@pytest.fixture(scope="session")
def tiny_engine(tmp_path_factory: pytest.TempPathFactory) -> CTranslate2Engine:
    base = tmp_path_factory.mktemp("eval")
    install_from_file(build_tiny_argos_package(base / "tiny.argosmodel"), base / "models")
    cfg = CTranslate2Config(beam_size=1)
    return CTranslate2Engine(cfg, base / "models", decode_options={"max_decoding_length": 16})


@pytest.mark.parametrize(
    ("hyps", "refs", "bleu", "chrf"),
    [
        (["the cat sat on the mat"], [["the cat sat on the mat"]], 100.0, 100.0),
        (["zzz qqq"], [["the cat sat on the mat"]], 0.0, 0.0),
        # every n-gram matches, but 4 words against 5: brevity penalty exp(1 - 5/4)
        (["a b c d"], [["a b c d e"]], 100 * math.exp(1 - 5 / 4), None),
        # two references: the closer one counts
        (["a very good day today"], [["an awful night"], ["a very good day today"]], 100.0, 100.0),
    ],
)
def test_evaluate_known_values(
    hyps: list[str], refs: list[list[str]], bleu: float, chrf: float | None
) -> None:
    scores = evaluate(hyps, refs)
    assert scores.bleu == pytest.approx(bleu, abs=0.01)
    if chrf is not None:
        assert scores.chrf == pytest.approx(chrf, abs=0.01)
    assert (scores.segments, scores.references) == (len(hyps), len(refs))
    assert "tok:13a" in scores.bleu_signature and "nrefs" in scores.chrf_signature


def test_evaluate_matches_sacrebleu_on_wmt21_systems(wmt: Path) -> None:
    test_set = read_wmt(wmt)
    assert len(test_set.sources) == 1000 and len(test_set.references) == 2
    hyps = read_lines(wmt / "txt" / "system-outputs" / "newstest2021.ru-en.hyp.Facebook-AI.en")
    scores = evaluate(hyps, test_set.references)
    assert scores.bleu == pytest.approx(sacrebleu.corpus_bleu(hyps, test_set.references).score)
    assert scores.chrf == pytest.approx(sacrebleu.corpus_chrf(hyps, test_set.references).score)
    assert 40 < scores.bleu < 80 and 60 < scores.chrf < 90  # a strong WMT21 system against two references
    single = evaluate(hyps, test_set.references[:1])
    assert single.references == 1 and single.bleu < scores.bleu  # more references, more matches


def test_evaluate_files_with_tiny_model(wmt: Path, tiny_engine: CTranslate2Engine) -> None:
    src = wmt / "txt" / "sources" / "newstest2021.ru-en.src.ru"
    refs = sorted((wmt / "txt" / "references").glob("newstest2021.ru-en.ref.*.en"))
    calls: list[int] = []

    def translate(lines: list[str]) -> list[str]:
        calls.append(len(lines))
        return [out.text for out in tiny_engine.translate(lines, "ru", "en")]

    first = evaluate_files(src, refs, translate, limit=50)
    second = evaluate_files(src, refs, translate, limit=50)
    assert calls == [50, 50]
    assert isinstance(first, Scores) and first == second  # deterministic
    assert (first.segments, first.references) == (50, 2)
    assert 0 <= first.bleu < 5 and 0 <= first.chrf < 30  # random weights: the number means nothing
    assert "BLEU" in str(first) and "segments=50" in str(first)


def test_mismatched_inputs_refused(wmt: Path, tmp_path: Path) -> None:
    src = wmt / "txt" / "sources" / "newstest2021.ru-en.src.ru"
    short = tmp_path / "short.en"
    short.write_text("one\ntwo\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match=re.escape("short.en: 2 lines, but")):
        evaluate_files(src, [short], lambda lines: lines)
    with pytest.raises(EvaluationError, match="50 segments in, 49 translations out"):
        evaluate_files(src, [src], lambda lines: lines[1:], limit=50)
    with pytest.raises(EvaluationError, match="at least one reference"):
        evaluate_files(src, [], lambda lines: lines)
    with pytest.raises(EvaluationError, match="reference 1 has 1 segments, the output 2"):
        evaluate(["a", "b"], [["a"]])
    with pytest.raises(EvaluationError, match="cannot read"):
        read_lines(tmp_path / "missing.txt")
    with pytest.raises(EvaluationError, match=re.escape("no newstest2021.ru-kk references")):
        read_wmt(wmt, "ru", "kk")


def test_read_lines_splits_on_newlines_only(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_bytes("first\u2028still first\r\n\nthird\x85same\n".encode())
    assert read_lines(path) == ["first\u2028still first", "", "third\x85same"]
    path.write_text("", encoding="utf-8")
    assert read_lines(path) == []


def test_identical_output_scores_perfectly(wmt: Path) -> None:
    ref = wmt / "txt" / "references" / "newstest2021.ru-en.ref.A.en"
    scores = evaluate_files(ref, [ref], lambda lines: list(lines), limit=100)
    assert scores.bleu == pytest.approx(100.0) and scores.chrf == pytest.approx(100.0)
