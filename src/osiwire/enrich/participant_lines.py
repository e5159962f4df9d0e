"""Headed line lists: a header line ending in a colon, then one "Name – position" row a line.

"On the Russian side:\\nSergei Lavrov – Minister of Foreign Affairs ...;\\nAndrei Belousov – ...", "Участники:\\n
Сергей Лавров – Министр иностранных дел". Names written as running text writes them (given name first, in any
script), which the kremlin.ru rows (surname in capitals) and dashed bullets leave out. Strict where those are
loose: the header's colon ends its line, every row of the block is name, dash or comma, and a position opening
with a title word; one line that is not such a row ends the block. A one-word name ("Sugiono") is read only in a
block with another row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from osiwire.enrich.countries import default_finder
from osiwire.enrich.english import running_name
from osiwire.enrich.names import parse_name
from osiwire.enrich.positions import country_of, is_title, is_title_en, organisation_of, side_country
from osiwire.model import Participant, PersonName

# A header is short: a heading, a side ("С российской стороны:"), never a sentence of running text.
HEADER_MAX_CHARS = 120
# Words a position may open with before its title word: "Deputy Prime Minister", "Первый заместитель".
TITLE_WITHIN_WORDS = 4
_HEADER = re.compile(r"^[ \t]*(?P<header>[^\n:]{2,120}?)[ \t]*:[ \t]*$")
_ROW = re.compile(
    r"(?m)^[ \t]*(?:\d{1,3}[.)][ \t]*)?(?P<name>[^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’.-]*){0,5}?)[ \t]*"
    r"(?:[–—]|[ \t]-[ \t]|,)[ \t]*(?P<position>[^\W\d_«\"][^\n]*?)[ \t]*[.;,]?[ \t]*$"
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Articles and particles that may sit inside a name in lower case ("Malte von Trotha", "Халид бин Салман").
_NAME_PARTICLES = frozenset(
    {"von", "van", "der", "de", "la", "le", "da", "di", "dos", "bin", "ibn", "ben", "al", "el",
     "фон", "ван", "дер", "де", "ла", "ле", "да", "ди", "дос", "бин", "ибн", "бен", "аль", "эль", "оглы", "кызы"}
)  # fmt: skip
_SIDE_EN = re.compile(r"\b(?:on|from)\s+the\s+([A-Z][\w-]+)\s+side\b|\b([A-Z][\w-]+)\s+delegation\b", re.I)


@dataclass(frozen=True, slots=True)
class LineRow:
    """One row of a headed line list with where its line sits."""

    participant: Participant
    start: int
    end: int


def _name_ok(words: list[str]) -> bool:
    """Capitalised words that are no title and no country (particles in lower case between them)."""
    if not words or not words[0][:1].isupper() or not words[-1][:1].isupper():
        return False
    for word in words:
        if word.lower() in _NAME_PARTICLES:
            continue
        if not word[:1].isupper() or (word.isupper() and len(word) > 1):
            return False  # a surname in capitals is a kremlin.ru row, read by ``kremlin_rows``
        if is_title(word) or is_title_en(word) or default_finder().counts(word):
            return False
    return True


def _titled(position: str) -> bool:
    words = _WORD.findall(position)[:TITLE_WITHIN_WORDS]
    return any(is_title(w) or is_title_en(w) for w in words)


def _name(written: str, lang: str) -> PersonName | None:
    words = written.split()
    if len(words) == 1:
        return PersonName(last=written, name_en=written if written.isascii() else "")
    if re.search(r"[А-ЯЁа-яё]", written):
        return parse_name(written, lang)
    return running_name(written)


def side_of(header: str) -> str:
    """The country a header names as its side, in Russian or English ("On the Indonesian side" -> ID)."""
    side = side_country(header)
    if side:
        return side
    match = _SIDE_EN.search(header)
    word = (match.group(1) or match.group(2)) if match else ""
    named = default_finder().counts(word) if word else {}
    return next(iter(named)) if len(named) == 1 else ""


def _blocks(text: str, skip: Sequence[tuple[int, int]]) -> list[tuple[str, list[re.Match[str]]]]:
    """(header, row matches) of each headed block outside ``skip``."""
    blocks: list[tuple[str, list[re.Match[str]]]] = []
    header: str | None = None
    rows: list[re.Match[str]] = []
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        inside = any(a <= start < b or a < start + len(line) <= b for a, b in skip)
        row = None if inside or header is None else _ROW.match(text, start, start + len(line))
        if row is not None and _name_ok(row["name"].split()) and _titled(row["position"]):
            rows.append(row)
            continue
        if header is not None and rows:
            blocks.append((header, rows))
        rows = []
        heading = None if inside else _HEADER.match(line)
        header = heading["header"].strip() if heading and len(line) <= HEADER_MAX_CHARS else None
    if header is not None and rows:
        blocks.append((header, rows))
    return blocks


def line_rows(text: str, lang: str, skip: Sequence[tuple[int, int]] = ()) -> list[LineRow]:
    """Rows of headed line lists in ``text`` (lines inside ``skip``, rows read already, are left alone)."""
    if ":" not in text or "\n" not in text:
        return []
    found: list[LineRow] = []
    for header, rows in _blocks(text, skip):
        side = side_of(header)
        for row in rows:
            words = row["name"].split()
            if len(words) == 1 and len(rows) < 2:
                continue
            name = _name(row["name"], lang)
            if name is None or not name.last:
                continue
            position = row["position"].strip()
            country = country_of(position) or side
            participant = Participant(name, position, organisation_of(position), country, header, "list")
            found.append(LineRow(participant, row.start(), row.end()))
    return found
