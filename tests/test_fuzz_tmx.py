"""Property tests of TMX reading and sentence alignment over hostile input.

A TMX file is outside input: whatever bytes it holds, reading it gives units or one ``TmxError`` line naming the
file, never another exception. Whatever the lengths, alignment covers every sentence of both sides once, in
order, or keeps the paragraph whole. A paragraph the memory holds whole comes back with nothing lost.
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import given
from hypothesis import strategies as st

from osiwire.errors import TmxError
from osiwire.extract.language import get_detector
from osiwire.model import Article, Segment
from osiwire.translate.alignment import align_lengths
from osiwire.translate.engines.none import NoneEngine
from osiwire.translate.glossary import Glossary
from osiwire.translate.memory import DictMemory, MemoryEntry, MemoryHit, human_key
from osiwire.translate.registry import EngineSet
from osiwire.translate.tmx import read_tmx
from osiwire.translate.translator import Translator

_NOW = datetime(2026, 1, 1, tzinfo=UTC)
# Any text but surrogates (no file or page can carry them), with the characters that move offsets and split lines.
PIECES_OF_TEXT = (
    "\x00", "\x0b", "\x85", "\u2028", "\u0301", "\u200b", "\ufeff", "ß", "İ", ". ", "! ", "\n", " ",
    "Статья", "Каждый", "человек", "имеет", "право.", "Everyone", "has", "the", "right.", "Mr.", "г.",
)  # fmt: skip
TEXT = st.lists(
    st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(PIECES_OF_TEXT)), max_size=80
).map("".join)
PIECES = (
    '<?xml version="1.0"?>', "<tmx version='1.4'>", "<header srclang='ru-RU'/>", "<header/>", "<body>", "</body>",
    "</tmx>", "<tu>", "</tu>", "<tu srclang='*all*'>", "<tuv xml:lang='ru'>", "<tuv lang='EN-GB'>", "<tuv>",
    "</tuv>", "<seg>", "</seg>", "<ph>&lt;b&gt;</ph>", "<bpt i='1'/>", "<ept i='1'>x</ept>", "<hi>", "</hi>",
    "<prop type='x-Origin'>MachineTranslation</prop>", "<note>n</note>", "&amp;", "&bogus;", "<!DOCTYPE tmx>",
    "<![CDATA[x]]>", "<!-- c -->", "Текст.", "Text.", "\x00", "\ufeff", "changedate='2024'",
)  # fmt: skip


def _read(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.tmx"
        path.write_bytes(data)
        try:
            read = read_tmx(path)
        except TmxError as exc:
            message = str(exc)
            assert message.startswith(f"{path}:") and "\n" not in message
            return
        assert all(u.source and u.targets and u.source_lang for u in read.units)
        assert read.machine + read.incomplete <= read.read


@given(st.binary(max_size=400))
def test_any_bytes(data: bytes) -> None:
    _read(data)


@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_tmx_shaped_pieces(pieces: list[str]) -> None:
    _read("".join(pieces).encode("utf-8", "surrogatepass"))


@given(TEXT, TEXT)
def test_any_segment_text(ru: str, en: str) -> None:
    body = f"<tu><tuv xml:lang='ru'><seg>{escape(ru)}</seg></tuv><tuv xml:lang='en'><seg>{escape(en)}</seg></tuv></tu>"
    _read(
        f"<tmx version='1.4'><header srclang='ru'/><body>{body}</body></tmx>".encode("utf-8", "surrogatepass")
    )


@given(st.lists(st.integers(0, 3000), max_size=12), st.lists(st.integers(0, 3000), max_size=12))
def test_alignment_covers_both_sides_in_order(source: list[int], target: list[int]) -> None:
    beads = align_lengths(source, target)
    if beads is None:
        return
    assert beads[0].source_start == 0 and beads[0].target_start == 0
    assert beads[-1].source_end == len(source) and beads[-1].target_end == len(target)
    for before, after in itertools.pairwise(beads):
        assert before.source_end == after.source_start and before.target_end == after.target_start
    assert all(b.source_end > b.source_start and b.target_end > b.target_start for b in beads)


@given(TEXT, TEXT)
def test_a_paragraph_held_whole_comes_back_whole(russian: str, english: str) -> None:
    paragraph = " ".join(russian.split())
    memory = DictMemory()
    memory.remember([MemoryEntry(human_key(paragraph, "ru", "en"), MemoryHit(english), paragraph)])
    translator = _translator(memory)
    article = Article("http://x.ru/1", "", "ru", (Segment(1, "paragraph", paragraph, "ru"),), "h", _NOW)
    pairs = translator.translate_article(article).sentences
    if not any(ch.isalpha() for ch in paragraph) or not paragraph:
        return
    human = [p for p in pairs if p.engine == "human"]
    assert human and len(human) == len(pairs)
    # nothing of either side lost or invented
    assert "".join("".join(p.source.split()) for p in human) == "".join(paragraph.split())
    assert "".join("".join(p.target.split()) for p in human) == "".join(english.split())


def _translator(memory: DictMemory) -> Translator:
    return Translator(EngineSet({"none": NoneEngine}, ["none"]), memory, Glossary(), get_detector(), "en")
