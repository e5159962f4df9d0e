"""Translation end to end with a real (tiny, random-weight) CTranslate2 model installed as an Argos package.

The model's English is nonsense; what is tested is the real path: install, load, translate on import, store
sentence pairs with engine, model and confidence, the translation memory across releases, `osiwire translate`,
exports, the web API and the eval harness.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from osiwire.cli import cli
from osiwire.config import load_settings
from osiwire.translate.glossary import load_glossary
from translation_models import build_tiny_argos_package

KREMLIN = Path("press") / "kremlin-ru" / "releases-2025-02-03.jsonl"
RELEASES = 3  # enough for boilerplate to repeat; the tiny model is fast but 2 cores are shared
ENV = {
    "OSIWIRE_TRANSLATE__CTRANSLATE2__BEAM_SIZE": "1",  # greedy: the tests time nothing, keep them quick
    "OSIWIRE_ENRICH__ENABLED": "false",  # enrichment has its own tests
}


def run(data_dir: Path, *args: str) -> Any:
    result = CliRunner(env=ENV).invoke(cli, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    data_dir = tmp_path_factory.mktemp("data")
    package = build_tiny_argos_package(tmp_path_factory.mktemp("pkg") / "translate-ru_en-1_9.argosmodel")
    result = run(data_dir, "models", "install", str(package))
    assert result.exit_code == 0, result.stderr
    assert "installed" in result.stdout and "ru→en" in result.stdout
    lines = (shared_data / KREMLIN).read_text(encoding="utf-8").splitlines()[:RELEASES]
    archive = data_dir / "few.jsonl"
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(
        data_dir,
        "import",
        str(archive),
        "--source",
        "Kremlin",
        "--lang",
        "ru",
        "--region",
        "Russian Federation",
    )
    assert result.exit_code == 0, result.stderr
    return data_dir


def test_models_list(installed: Path) -> None:
    models = json.loads(run(installed, "models", "list", "--json").stdout)
    assert len(models) == 1 and models[0]["from"] == ["ru"] and models[0]["to"] == ["en"]


def test_import_translates_sentence_by_sentence(installed: Path) -> None:
    release = json.loads(run(installed, "show", "1", "--json").stdout)
    translation = release["translation"]
    assert translation is not None and translation["status"] in {"complete", "partial"}
    pairs = translation["sentences"]
    assert len(pairs) >= 3  # title and sentences of a short release
    translated = [p for p in pairs if p["translated"]]
    assert translated and all(p["engine"] == "ctranslate2" and "ru_en" in p["model"] for p in translated)
    assert all(p["confidence"] is None or 0.0 <= p["confidence"] <= 1.0 for p in translated)
    segments = {s["position"] for s in release["segments"]}
    assert {p["segment"] for p in pairs} <= segments  # aligned to the stored segments
    assert pairs[0]["segment"] == 0  # the title is translated too


def test_memory_serves_repeated_sentences_and_retranslate(installed: Path, shared_data: Path) -> None:
    lines = (shared_data / KREMLIN).read_text(encoding="utf-8").splitlines()[:RELEASES]
    line = max((json.loads(raw) for raw in lines), key=lambda r: len(r["text"]))
    line["url"] += "?copy"  # the same text published again
    copy = installed / "copy.jsonl"
    copy.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(installed, "import", str(copy), "--source", "Kremlin").exit_code == 0
    found = json.loads(run(installed, "show", line["url"], "--json").stdout)
    pairs = [p for p in found["translation"]["sentences"] if p["translated"]]
    assert pairs and any(p["from_memory"] for p in pairs)
    # A remembered translation that lost a glossary term (this model keeps none) is translated afresh.
    glossary = load_glossary(load_settings(installed, environ={}).translate, installed)
    fresh = [p["source"] for p in pairs if not p["from_memory"]]
    assert all(glossary.find(source, "ru", "en") for source in fresh), fresh
    result = run(installed, "translate", "--retranslate")
    assert result.exit_code in {0, 3}, result.stderr
    assert f"{RELEASES + 1} release(s) translated" in result.stdout


def test_export_and_api(installed: Path) -> None:
    wire = run(installed, "export", "1", "--format", "wire").stdout
    assert wire.startswith("OSIWIRE Translation. Region: Russian Federation –")
    assert "machine translation from ru (ctranslate2 argos-translate-ru_en" in wire

    from fastapi.testclient import TestClient

    from osiwire.web.app import create_app

    with TestClient(create_app(load_settings(installed, environ={}))) as client:
        body = client.get("/api/v1/releases/1").json()
        assert body["translation"]["sentences"][0]["engine"] == "ctranslate2"
        assert 'class="pair' in client.get("/releases/1").text


def test_eval_translation(installed: Path, shared_data: Path) -> None:
    folder = shared_data / "mt" / "wmt21-ru-en" / "txt"
    result = run(
        installed, "eval", "translation",
        "--src", str(folder / "sources" / "newstest2021.ru-en.src.ru"),
        "--ref", str(folder / "references" / "newstest2021.ru-en.ref.A.en"),
        "--ref", str(folder / "references" / "newstest2021.ru-en.ref.B.en"),
        "--limit", "5",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "BLEU" in result.stdout and "chrF" in result.stdout


def test_no_engine_is_a_clear_error(tmp_path: Path, shared_data: Path) -> None:
    folder = shared_data / "mt" / "wmt21-ru-en" / "txt"
    src = folder / "sources" / "newstest2021.ru-en.src.ru"
    ref = folder / "references" / "newstest2021.ru-en.ref.A.en"
    result = run(tmp_path, "eval", "translation", "--src", str(src), "--ref", str(ref), "--limit", "2")
    assert result.exit_code == 1
    assert (
        "no translation engine for ru→en" in result.stderr and "osiwire models install ru en" in result.stderr
    )
