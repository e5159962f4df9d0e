"""The bundled demo: the Universal Declaration of Human Rights with its official English, and how it is built."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from osiwire.demo import demo_memory, demo_sources
from osiwire.translate.tmx import read_tmx

ROOT = Path(__file__).resolve().parents[1]


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_udhr_demo", ROOT / "scripts" / "build_udhr_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_bundled_files_are_what_the_script_builds(shared_data: Path) -> None:
    release, tmx = _builder().build(shared_data)
    folder = ROOT / "src" / "osiwire" / "data" / "demo"
    assert (folder / "udhr-ru.jsonl").read_text(encoding="utf-8") == release
    assert (folder / "udhr-ru-en.tmx").read_bytes() == tmx


def test_every_russian_paragraph_has_its_english() -> None:
    tmx, origin = demo_memory()
    read = read_tmx(tmx)
    assert (read.machine, read.incomplete) == (0, 0)
    english = {u.source: u.targets["en"] for u in read.units}
    (udhr,) = [s for s in demo_sources() if s.name == "United Nations (demo)"]
    record = json.loads(Path(udhr.url.removeprefix("file://")).read_text(encoding="utf-8"))
    paragraphs = record["text"].split("\n\n")
    assert len(paragraphs) == 90 and all(p in english for p in [record["title"], *paragraphs])
    assert english["Статья 30"] == "Article 30"
    assert english["Генеральная Ассамблея,"] == "The General Assembly"
    assert "official English text" in origin
