"""TMX 1.4, the translation-memory exchange format of OmegaT, Trados, memoQ and Okapi: read and write.

Reading streams the file (lxml ``iterparse``, each ``<tu>`` cleared once read), so a memory of millions of units
fits in little memory. What becomes of a unit:

- language codes are reduced to their primary subtag, lower-cased: ``ru-RU``, ``RU``, ``ru_RU`` → ``ru``;
- a segment keeps its text; inline codes that stand for markup of the original document (``<ph>``, ``<bpt>``,
  ``<ept>``, ``<it>``, ``<ut>``) are dropped with their content, while ``<hi>`` (highlighted text) keeps its
  text; whitespace is collapsed. The memory's key normalises case, ё/е and spacing further (memory.text_hash);
- the source language is the unit's ``srclang``, else the header's; with ``*all*``, every variant is a source
  for every other;
- a unit marked as machine output by its tool (OmegaT's ``changeid``/``creationid`` ``MT``/``MT!``, a ``<prop>``
  whose type names an origin and whose value says machine translation) is skipped: it is not a human translation.
  A unit osiwire exported from machine output carries ``x-osiwire-engine``/``x-osiwire-model`` props and goes back
  to that engine's entries;
- the unit's date is the latest ``changedate`` of the unit or its variants, else ``creationdate``
  (``YYYYMMDDThhmmssZ``).

A malformed file raises ``TmxError`` naming the file and line; nothing is returned from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from osiwire.errors import TmxError
from osiwire.translate.memory import HUMAN_ENGINE, MemoryEntry

TMX_VERSION = "1.4"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ALL_LANGUAGES = "*all*"
DROPPED_INLINE = frozenset({"ph", "bpt", "ept", "it", "ut"})  # native codes of the original document
MACHINE_IDS = frozenset({"mt", "mt!"})  # OmegaT's change/creation id of a machine-translated segment
_MACHINE_VALUE = re.compile(r"\b(mt|nmt|machine[\s_-]*translat\w*)\b", re.IGNORECASE)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$")  # strptime took 40% of reading a file
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
PROP_ENGINE = "x-osiwire-engine"
PROP_MODEL = "x-osiwire-model"
PROP_CONFIDENCE = "x-osiwire-confidence"


@dataclass(frozen=True, slots=True)
class TmxUnit:
    """One translation unit, reduced to one source and its targets."""

    line: int
    source_lang: str
    source: str
    targets: dict[str, str]
    changed_at: datetime | None
    engine: str = HUMAN_ENGINE
    model: str = ""
    confidence: float | None = None


@dataclass
class TmxRead:
    """What a TMX file holds, and what of it could not be used."""

    tool: str = ""  # creationtool and its version, from the header
    units: list[TmxUnit] = field(default_factory=list)
    read: int = 0  # <tu> elements
    machine: int = 0  # skipped: marked as machine translation by their tool
    incomplete: int = 0  # skipped: no source segment or no target segment with text


def map_language(code: str) -> str:
    """A TMX language code as osiwire's: the primary subtag, lower-case (``EN-GB`` → ``en``); "" if not one."""
    code = code.strip()
    if not _LANGUAGE.match(code):
        return ""
    return code.replace("_", "-").split("-", 1)[0].lower()


def segment_text(seg: etree._Element) -> str:
    """The text of a ``<seg>``: inline codes dropped, highlighted text kept, whitespace collapsed."""
    return " ".join(_inline_text(seg).split())


def _inline_text(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname not in DROPPED_INLINE:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def parse_date(value: str | None) -> datetime | None:
    """A TMX date (``20240131T120000Z``) as an aware datetime; None when absent or not one."""
    match = _DATE.match(value.strip()) if value else None
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:  # 20240230T000000Z
        return None


def format_date(when: datetime) -> str:
    """An aware datetime as a TMX date."""
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def read_tmx(path: Path) -> TmxRead:
    """Every usable unit of a TMX file; ``TmxError`` (file and line) when the file is not TMX."""
    out = TmxRead()
    try:
        with path.open("rb") as stream:
            parser = etree.iterparse(
                stream, events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=True
            )
            try:
                seen_root = _read_units(path, parser, out)
            except etree.XMLSyntaxError as exc:
                # This parse's first fatal error names the place; the exception may say only "no element found".
                fatal = next(iter(parser.error_log.filter_from_fatals()), None)
                line, reason = (fatal.line, fatal.message) if fatal is not None else (exc.lineno, exc.msg)
                raise _error(path, max(line or 0, 1), f"not well-formed XML: {reason}") from exc
    except OSError as exc:
        raise TmxError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    if not seen_root:
        raise _error(path, 1, "empty file")
    return out


def _read_units(path: Path, parser: etree.iterparse, out: TmxRead) -> bool:
    """Fill ``out`` from the parser's events; whether the file had a root element."""
    header_lang = ""
    seen_root = False
    for event, element in parser:
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if event == "start":
            if not seen_root:
                seen_root = True
                if name != "tmx":
                    raise _error(path, element.sourceline, f"root element <{name}>, expected <tmx>")
            continue
        if name == "header":
            header_lang = element.get("srclang", "")
            out.tool = " ".join(
                filter(None, (element.get("creationtool"), element.get("creationtoolversion")))
            )
            if not header_lang:
                raise _error(path, element.sourceline, "<header> has no srclang")
        elif name == "tu":
            out.read += 1
            out.units.extend(_units(path, element, header_lang, out))
            element.clear(keep_tail=False)
            while element.getprevious() is not None:  # read units leave no empty shells behind
                del element.getparent()[0]
    return seen_root


def _error(path: Path, line: int | None, reason: str) -> TmxError:
    return TmxError(" ".join(f"{path}:{line or 0}: {reason}".split()))


def _units(path: Path, tu: etree._Element, header_lang: str, out: TmxRead) -> Iterator[TmxUnit]:
    line = tu.sourceline or 0
    props = {p.get("type", ""): (p.text or "").strip() for p in tu if _is(p, "prop")}
    if _machine_marked(tu, props):
        out.machine += 1
        return
    segments: dict[str, str] = {}
    for tuv in tu:
        if not _is(tuv, "tuv"):
            continue
        code = tuv.get(XML_LANG) or tuv.get("lang")  # TMX 1.1 wrote lang=
        if not code:
            raise _error(path, tuv.sourceline, "<tuv> without xml:lang")
        lang = map_language(code)
        if not lang:
            raise _error(path, tuv.sourceline, f"<tuv> language {code!r} is not a language code")
        seg = next((c for c in tuv if _is(c, "seg")), None)
        if seg is None:
            raise _error(path, tuv.sourceline, "<tuv> without <seg>")
        text = segment_text(seg)
        if text:
            segments.setdefault(lang, text)
    srclang = tu.get("srclang") or header_lang
    if srclang.strip() == ALL_LANGUAGES:
        sources = list(segments)
    else:
        mapped = map_language(srclang)
        if not mapped:
            raise _error(path, line, f"srclang {srclang!r} is not a language code")
        sources = [mapped] if mapped in segments else []
    changed = _unit_date(tu)
    engine = props.get(PROP_ENGINE, "") or HUMAN_ENGINE
    confidence = _float(props.get(PROP_CONFIDENCE))
    made = False
    for source_lang in sources:
        targets = {lang: text for lang, text in segments.items() if lang != source_lang}
        if targets:
            made = True
            yield TmxUnit(
                line,
                source_lang,
                segments[source_lang],
                targets,
                changed,
                engine,
                props.get(PROP_MODEL, "") if engine != HUMAN_ENGINE else "",
                confidence if engine != HUMAN_ENGINE else None,
            )
    if not made:
        out.incomplete += 1


def _unit_date(tu: etree._Element) -> datetime | None:
    """The latest ``changedate`` of the unit or its variants (OmegaT dates the target), else ``creationdate``."""
    carriers = [tu, *(tuv for tuv in tu if _is(tuv, "tuv"))]
    for attribute in ("changedate", "creationdate"):
        dates = [d for d in (parse_date(e.get(attribute)) for e in carriers) if d is not None]
        if dates:
            return max(dates)
    return None


def _is(element: etree._Element, name: str) -> bool:
    return isinstance(element.tag, str) and etree.QName(element).localname == name


def _machine_marked(tu: etree._Element, props: dict[str, str]) -> bool:
    if PROP_ENGINE in props:
        return False  # osiwire's own export: restored to its engine
    ids = {(tu.get(a) or "").strip().lower() for a in ("changeid", "creationid")}
    for tuv in tu:
        if _is(tuv, "tuv"):
            ids |= {(tuv.get(a) or "").strip().lower() for a in ("changeid", "creationid")}
    if ids & MACHINE_IDS:
        return True
    return any("origin" in kind.lower() and _MACHINE_VALUE.search(value) for kind, value in props.items())


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def write_tmx(
    entries: Iterable[MemoryEntry],
    out: BinaryIO,
    *,
    tool_version: str,
    created: datetime,
    segtype: str = "sentence",
) -> int:
    """Write ``entries`` (those with their source text) as TMX 1.4, streamed, a unit a line; returns how many."""
    written = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("tmx", version=TMX_VERSION):
            xf.write("\n")
            xf.write(
                etree.Element(
                    "header",
                    creationtool="osiwire",
                    creationtoolversion=tool_version,
                    creationdate=format_date(created),
                    datatype="plaintext",
                    segtype=segtype,
                    adminlang="en",
                    srclang=ALL_LANGUAGES,
                    **{"o-tmf": "osiwire"},
                )
            )
            xf.write("\n")
            with xf.element("body"):
                xf.write("\n")
                for entry in entries:
                    if entry.source:
                        xf.write(_unit(entry), "\n")
                        written += 1
    return written


def _unit(entry: MemoryEntry) -> etree._Element:
    key, hit = entry.key, entry.hit
    tu = etree.Element("tu", srclang=key.source_lang)
    if entry.changed_at is not None:
        tu.set("changedate", format_date(entry.changed_at))
    if key.engine != HUMAN_ENGINE:
        for kind, value in (
            (PROP_ENGINE, key.engine),
            (PROP_MODEL, key.model),
            (PROP_CONFIDENCE, "" if hit.confidence is None else f"{hit.confidence:.4f}"),
        ):
            if value:
                etree.SubElement(tu, "prop", type=kind).text = value
    if hit.origin:
        etree.SubElement(tu, "note").text = _NOT_XML.sub("", hit.origin)
    for lang, text in ((key.source_lang, entry.source), (key.target_lang, hit.target)):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
        etree.SubElement(tuv, "seg").text = _NOT_XML.sub("", text)
    return tu
