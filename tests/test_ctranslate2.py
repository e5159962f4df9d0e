"""The CTranslate2 engine on tiny random-weight models: real loading, tokenising, batching, splitting, scores."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sentencepiece as spm

from osiwire.config import CTranslate2Config
from osiwire.translate.base import Engine, EngineUnavailable, UnsupportedPair
from osiwire.translate.engines.ctranslate2 import CTranslate2Engine, split_tokens
from osiwire.translate.models import InstalledModel, install_from_dir, install_from_file, list_models
from translation_models import build_tiny_argos_package, build_tiny_model, translator_for

pytestmark = pytest.mark.timeout(120)

SHORT = {"max_decoding_length": 24}  # the random model rarely ends on its own: keep tests quick
SENTENCES = [
    "Президент России провёл совещание с членами Совета Безопасности.",
    "",
    "Стороны обсудили вопросы двустороннего сотрудничества.",
    "   ",
    "ОДКБ",
    "Секретарь Совета Безопасности принял участие в заседании.",
]


@pytest.fixture(scope="session")
def argos_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models directory holding one installed tiny Argos ru→en package."""
    base = tmp_path_factory.mktemp("argos")
    install_from_file(build_tiny_argos_package(base / "tiny.argosmodel"), base / "models")
    return base / "models"


@pytest.fixture(scope="session")
def argos_model(argos_dir: Path) -> InstalledModel:
    [model] = list_models(argos_dir)
    return model


def engine_for(models_dir: Path, **cfg: Any) -> CTranslate2Engine:
    return CTranslate2Engine(CTranslate2Config(**cfg), models_dir, decode_options=SHORT)


def raw_translate(model_dir: Path, spm_path: Path, sentences: list[str], **options: Any) -> list[str]:
    """The same sentences through bare ctranslate2 + sentencepiece, the way their docs do it."""
    sp = spm.SentencePieceProcessor(model_file=str(spm_path))
    results = translator_for(model_dir).translate_batch(
        [sp.encode(s, out_type=str) for s in sentences],
        beam_size=4,
        length_penalty=1.0,
        replace_unknowns=True,
        **(SHORT | options),
    )
    return [sp.decode(r.hypotheses[0]).strip() for r in results]


def test_engine_matches_raw_ctranslate2(argos_dir: Path, argos_model: InstalledModel) -> None:
    engine: Engine = engine_for(argos_dir)
    assert engine.name == "ctranslate2"
    assert engine.supports("ru", "en") and not engine.supports("en", "ru") and not engine.supports("ru", "ru")
    assert engine.model_id("ru", "en") == "argos-translate-ru_en-1.9"
    out = engine.translate(SENTENCES, "ru", "en")
    assert len(out) == len(SENTENCES)
    texts = [SENTENCES[i] for i in (0, 2, 4, 5)]
    expected = raw_translate(argos_model.model_dir, argos_model.source_spm, texts)
    assert [out[i].text for i in (0, 2, 4, 5)] == expected
    assert all(expected)
    for i in (1, 3):  # blank in, blank out, no score
        assert out[i].text == "" and out[i].confidence is None
    engine.close()


def test_confidence_is_mean_token_probability(argos_dir: Path, argos_model: InstalledModel) -> None:
    out = engine_for(argos_dir).translate(SENTENCES, "ru", "en")
    sp = spm.SentencePieceProcessor(model_file=str(argos_model.source_spm))
    results = translator_for(argos_model.model_dir).translate_batch(
        [sp.encode(SENTENCES[0], out_type=str)], beam_size=4, return_scores=True, **SHORT
    )
    assert out[0].confidence == pytest.approx(math.exp(results[0].scores[0]), rel=1e-4)
    for item in out:
        assert item.confidence is None or 0.0 < item.confidence <= 1.0


def test_deterministic_and_order_independent(argos_dir: Path) -> None:
    first = engine_for(argos_dir).translate(SENTENCES, "ru", "en")
    second = engine_for(argos_dir).translate(SENTENCES, "ru", "en")
    backwards = engine_for(argos_dir).translate(SENTENCES[::-1], "ru", "en")
    assert first == second
    assert [o.text for o in backwards[::-1]] == [o.text for o in first]


def test_token_batches_keep_alignment(argos_dir: Path, shared_data: Path) -> None:
    src = shared_data / "mt" / "wmt21-ru-en" / "txt" / "sources" / "newstest2021.ru-en.src.ru"
    lines = src.read_text(encoding="utf-8").split("\n")[:40]
    lines[10:10] = ["", "Да.", ""]  # empties and a very short one among long ones
    one_batch = engine_for(argos_dir, max_batch_tokens=100_000, beam_size=2).translate(lines, "ru", "en")
    small_batches = engine_for(argos_dir, max_batch_tokens=64, beam_size=2).translate(lines, "ru", "en")
    single = engine_for(argos_dir, beam_size=2)
    singles = [single.translate([line], "ru", "en")[0] for line in lines[:15]]
    assert len(one_batch) == len(small_batches) == len(lines)
    assert [o.text for o in small_batches] == [o.text for o in one_batch]
    assert [o.text for o in singles] == [o.text for o in one_batch[:15]]
    assert [bool(o.text) for o in one_batch] == [bool(line.strip()) for line in lines]


def test_long_input_split_and_rejoined(argos_dir: Path, argos_model: InstalledModel) -> None:
    long = " ".join(SENTENCES[i] for i in (0, 2, 5)) * 3
    sp = spm.SentencePieceProcessor(model_file=str(argos_model.source_spm))
    pieces = sp.encode(long, out_type=str)
    chunks = split_tokens(pieces, 40)
    assert len(pieces) > 120 and len(chunks) >= 3
    assert [p for chunk in chunks for p in chunk] == pieces
    assert all(len(chunk) <= 40 for chunk in chunks)
    results = translator_for(argos_model.model_dir).translate_batch(
        chunks, beam_size=4, length_penalty=1.0, replace_unknowns=True, **SHORT
    )
    expected = " ".join(sp.decode(r.hypotheses[0]).strip() for r in results)
    out = engine_for(argos_dir, max_input_tokens=40).translate(["Да.", long, ""], "ru", "en")
    assert [o.text for o in out][1] == expected
    assert len(out) == 3 and out[2].text == ""
    assert out[1].confidence is not None and 0 < out[1].confidence <= 1


@pytest.mark.parametrize(
    ("pieces", "limit", "expected"),
    [
        (
            ["▁a", "b", ",", "▁c", "d", "▁e", "."],
            4,
            [["▁a", "b", ","], ["▁c", "d", "▁e", "."]],
        ),  # punctuation
        (["▁ab", "c", "▁d", "e", "f", "g"], 5, [["▁ab", "c"], ["▁d", "e", "f", "g"]]),  # word start
        (["x"] * 7, 3, [["x"] * 3, ["x"] * 3, ["x"]]),  # nowhere better: hard cut
        ([], 3, []),
        (["▁a", "."], 5, [["▁a", "."]]),
    ],
)
def test_split_tokens(pieces: list[str], limit: int, expected: list[list[str]]) -> None:
    assert split_tokens(pieces, limit) == expected


def test_unsupported_pair(argos_dir: Path, tmp_path: Path) -> None:
    engine = engine_for(argos_dir)
    with pytest.raises(UnsupportedPair, match="ctranslate2: no installed model translates en→ru"):
        engine.translate(["Hello."], "en", "ru")
    with pytest.raises(UnsupportedPair):
        engine.model_id("kk", "en")
    assert not engine_for(tmp_path / "none").supports("ru", "en")


def truncate(path: Path, size: int) -> None:
    path.write_bytes(path.read_bytes()[:size])


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda m: (m.model_dir / "model.bin").write_bytes(b"\x00garbage" * 10), "binary version"),
        (lambda m: truncate(m.model_dir / "model.bin", 500), "invalid payload size"),
        (lambda m: (m.model_dir / "model.bin").unlink(), "Unable to open file 'model.bin'"),
        (lambda m: m.source_spm.write_bytes(b"not a sentencepiece model"), "could not parse"),
        (lambda m: m.source_spm.unlink(), "No such file"),
    ],
)
def test_corrupt_model_is_unavailable(damage: Any, reason: str, argos_dir: Path, tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    shutil.copytree(argos_dir, models_dir)
    engine = engine_for(models_dir)
    [model] = [m for m in engine._models() if m.id == "argos-translate-ru_en-1.9"]
    damage(model)
    assert engine.supports("ru", "en")  # still listed: the failure shows when it is used
    assert engine.translate([""], "ru", "en")[0].text == ""  # nothing to translate, nothing loaded
    with pytest.raises(EngineUnavailable) as caught:
        engine.translate(["Привет."], "ru", "en")
    message = str(caught.value)
    assert message.startswith("ctranslate2: cannot load model argos-translate-ru_en-1.9 from ")
    assert str(model.path) in message and reason in message and "\n" not in message


def test_plain_folder_and_nllb_style_models(tmp_path: Path) -> None:
    plain = build_tiny_model(tmp_path / "tiny-kk-en", seed=1)
    nllb = build_tiny_model(
        tmp_path / "nllb-tiny", sp_name="sentencepiece.bpe", user_symbols=("rus_Cyrl", "eng_Latn", "kaz_Cyrl")
    )
    models_dir = tmp_path / "models"
    install_from_dir(plain, models_dir, source_lang="kk", target_lang="en")
    model = install_from_dir(nllb, models_dir, source_lang="ru", target_lang="en")
    engine = engine_for(models_dir)
    assert engine.model_id("kk", "en") == "ctranslate2-tiny-kk-en"  # a pair-specific model beats NLLB
    assert engine.model_id("ru", "en") == engine.model_id("en", "kk") == "ctranslate2-nllb-tiny"
    out = engine.translate(["Президент России."], "ru", "en")
    sp = spm.SentencePieceProcessor(model_file=str(model.source_spm))
    source = ["rus_Cyrl", *sp.encode("Президент России.", out_type=str), "</s>"]
    [result] = translator_for(model.model_dir).translate_batch(
        [source], [["eng_Latn"]], beam_size=4, replace_unknowns=True, **SHORT
    )
    assert result.hypotheses[0][0] == "eng_Latn"
    assert out[0].text == sp.decode(result.hypotheses[0][1:]).strip()
    assert "eng_Latn" not in out[0].text


def test_device_auto_and_threads(argos_dir: Path) -> None:
    engine = engine_for(argos_dir, device="auto", compute_type="default", inter_threads=2, intra_threads=1)
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: engine.translate(SENTENCES[:3], "ru", "en"), range(8)))
    assert all(out == outs[0] for out in outs)
    assert len(engine._loaded) == 1  # loaded once, shared by every thread


def test_importing_the_engine_loads_nothing() -> None:
    code = (
        "import sys, osiwire.translate.engines.ctranslate2, osiwire.translate.models; "
        "assert 'ctranslate2' not in sys.modules and 'sentencepiece' not in sys.modules; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "\u200b",  # invisible: not blank to str.strip, maybe nothing to sentencepiece
        "а" * 700,  # no word boundary or punctuation anywhere: hard cuts
        "строка\nещё строка\tи табуляция",
        "<unk> </s> <s> ▁",  # the model's special tokens typed as text
        "🙂 ☭ 中文 ﷽",  # characters the vocabulary lacks
    ],
)
def test_hostile_inputs_keep_one_output_each(text: str, argos_dir: Path) -> None:
    out = engine_for(argos_dir, max_input_tokens=50).translate(["Да.", text, "Нет."], "ru", "en")
    assert len(out) == 3 and out[0].text and out[2].text
    assert out[1].confidence is None or 0 < out[1].confidence <= 1
