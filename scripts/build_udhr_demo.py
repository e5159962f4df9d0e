"""Build the demo's bilingual release: the Universal Declaration of Human Rights, Russian with the official English.

Run from the repository root: ``.venv/bin/python scripts/build_udhr_demo.py [SHARED_DATA]``. Reads
mt/udhr-ru-en/udhr_rus.xml and udhr_eng.xml ("UDHR in XML") and writes into src/osiwire/data/demo/:

- ``udhr-ru.jsonl``: the Russian text as one release (title; "ПРЕАМБУЛА" and its paragraphs; each article's
  heading and paragraphs, one paragraph a block), from the "United Nations (demo)" source;
- ``udhr-ru-en.tmx``: the English text as a TMX memory, one unit per Russian paragraph.

Both files hold the same structure: the preamble and articles 1–30, matched by article number. Within a block the
headings match one to one; the paragraphs are aligned by length (Gale–Church, osiwire.translate.alignment) since
the preamble differs: the English has "Now, therefore," as a paragraph of its own, joined here to the one before.
The Russian note on the resolution that adopted the text has no English counterpart in the files and is left out.
tests/test_demo.py checks the bundled files are what this script makes.
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from osiwire.translate.alignment import align_lengths  # noqa: E402
from osiwire.translate.memory import MemoryEntry, MemoryHit, human_key  # noqa: E402
from osiwire.translate.tmx import write_tmx  # noqa: E402

OUT = ROOT / "src" / "osiwire" / "data" / "demo"
NS = "{http://efele.net/udhr}"
URL = "https://www.un.org/ru/about-us/universal-declaration-of-human-rights"
ADOPTED = "1948-12-10"  # General Assembly resolution 217 A (III)
TOOL_VERSION = "scripts/build_udhr_demo.py"


@dataclass(frozen=True, slots=True)
class Block:
    """The preamble or one article: its heading and paragraphs."""

    key: str
    heading: str
    paragraphs: list[str]


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def read_blocks(path: Path) -> tuple[str, list[Block]]:
    """The document's title and its blocks in order."""
    root = etree.parse(str(path)).getroot()
    title = _text(root.find(f"{NS}title"))  # type: ignore[arg-type]
    blocks = [
        Block(
            f"article {element.get('number')}" if element.tag == f"{NS}article" else "preamble",
            _text(element.find(f"{NS}title")),  # type: ignore[arg-type]
            [_text(p) for p in element.iter(f"{NS}para")],
        )
        for element in root
        if element.tag in (f"{NS}preamble", f"{NS}article")
    ]
    return title, blocks


def paragraph_pairs(russian: Block, english: Block) -> list[tuple[str, str]]:
    """The block's (Russian, English) paragraph pairs: headings, then paragraphs aligned by length."""
    if russian.key != english.key:
        raise SystemExit(f"blocks out of step: {russian.key} / {english.key}")
    beads = align_lengths([len(p) for p in russian.paragraphs], [len(p) for p in english.paragraphs])
    if beads is None:
        raise SystemExit(f"{russian.key}: paragraphs cannot be aligned")
    return [(russian.heading, english.heading)] + [
        (
            " ".join(russian.paragraphs[b.source_start : b.source_end]),
            " ".join(english.paragraphs[b.target_start : b.target_end]),
        )
        for b in beads
    ]


def build(shared: Path) -> tuple[str, bytes]:
    """The release line (JSON) and the TMX file's bytes."""
    folder = shared / "mt" / "udhr-ru-en"
    ru_title, ru_blocks = read_blocks(folder / "udhr_rus.xml")
    en_title, en_blocks = read_blocks(folder / "udhr_eng.xml")
    if len(ru_blocks) != len(en_blocks):
        raise SystemExit(f"{len(ru_blocks)} Russian blocks, {len(en_blocks)} English")
    pairs = [(ru_title, en_title)]
    for russian, english in zip(ru_blocks, en_blocks, strict=True):
        pairs.extend(paragraph_pairs(russian, english))
    body = "\n\n".join(ru for ru, _ in pairs[1:])
    release = {"url": URL, "title": ru_title, "date": ADOPTED, "author": "Организация Объединённых Наций"}
    release["text"] = body
    entries = [MemoryEntry(human_key(ru, "ru", "en"), MemoryHit(en), ru) for ru, en in pairs]
    out = io.BytesIO()
    write_tmx(entries, out, tool_version=TOOL_VERSION, created=_created(), segtype="paragraph")
    return json.dumps(release, ensure_ascii=False) + "\n", out.getvalue() + b"\n"


def _created() -> datetime:
    # Fixed, so that building again gives the same bytes.
    return datetime(2026, 12, 7, tzinfo=UTC)


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    release, tmx = build(shared)
    (OUT / "udhr-ru.jsonl").write_text(release, encoding="utf-8")
    (OUT / "udhr-ru-en.tmx").write_bytes(tmx)
    print(f"wrote {OUT / 'udhr-ru.jsonl'} and {OUT / 'udhr-ru-en.tmx'}")


if __name__ == "__main__":
    main()
