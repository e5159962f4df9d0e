"""Official participant lists: kremlin.ru "ФАМИЛИЯ Имя Отчество – должность" rows and dash-bulleted lists.

kremlin.ru participant pages come as lines, or (in archives and scrapes) flattened into one line. Row
boundaries are found the same way in both: an upper-case surname, one or two capitalised given names and a
dash open a row; the row's position runs to the next row. Between two rows there may be a group header
("С российской стороны:", "Приглашённые:"), a "* * *" separator (a new, unnamed group) or the page's
trailer ("Смотрите также ..."). Bulleted lists ("– Grigoryan Armen Valerievich, Secretary of ...") are the
form of translated releases and of many CIS ministries: one row a line, name then comma or dash.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from osiwire.enrich.morphology import analyser, name_parses
from osiwire.enrich.names import parse_name
from osiwire.enrich.positions import country_of, organisation_of, side_country
from osiwire.model import Participant, PersonName

logger = logging.getLogger(__name__)

_GIVEN = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
KREMLIN_ROW = re.compile(
    rf"(?<![\w-])(?P<last>[А-ЯЁ]{{2,}}(?:-[А-ЯЁ]{{2,}})*)\s+(?P<given>{_GIVEN}(?:\s+{_GIVEN})?(?:\s+(?:оглы|кызы|улы|уулу))?)"
    r"\s+[–—-]\s+"
)
# Upper-case words that open company and agency names, never surnames ("ПАО Сбербанк – ...").
ACRONYMS = frozenset(
    {"ПАО", "ООО", "АО", "ОАО", "ЗАО", "НАО", "ФГУП", "ФГБУ", "ФГБУН", "ФГАОУ", "ФГБОУ", "ГБУ", "ГБОУ", "ГБУЗ",
     "ГУП", "МУП", "АНО", "НКО", "ВО", "ВПО", "РФ", "СССР", "ОДКБ", "СНГ", "ЕАЭС", "ШОС", "ООН", "МИД", "ФСБ"}
)  # fmt: skip
# Group headers of kremlin.ru and government lists, found between the last row's position and a colon.
HEADER_START = re.compile(
    r"(?<!\S)(?:(?:С|Со|От)\s+[а-яё-]+\s+сторон[ыи]|Со\s+стороны\b|[А-ЯЁ][а-яё-]+ая\s+сторона\b|"
    r"Постоянные\s+участники|Приглаш[её]нные|Члены\b|Совместно\s+с\b|В\s+режиме\b|Участники\b|"
    r"Из\s+зала\b|Делегаци[яи]\b|Представители\b|Также\s+(?:в|на|при)\b|"
    r"(?:В|На)\s+(?:мероприятии|церемонии|заседании|совещании|переговорах|встрече|работе)\b)"
)
SEPARATOR = re.compile(r"\*\s*\*\s*\*")
# What follows the list on a kremlin.ru page (and other site furniture in scraped text): the list ends there.
TRAILER = re.compile(
    r"(?<!\S)(?:Смотрите также|См\. также|Версия для печати|Статус материала|Опубликован в разделах)\b"
)
_DATE = re.compile(
    r"\d{1,2}\s+(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)\s+\d{4}\s+(?:года|г\.)"
)
# A position longer than this swallowed running text after the list: it is cut at its first sentence end.
POSITION_MAX_CHARS = 600
_SENTENCE_END = re.compile(r"(?<![\s.«(][гдстмн]|\bим|\bул|\bпр)\.\s+(?=[А-ЯЁA-Z][а-яёa-z])")
# A bulleted row: dash, name of 2-4 capitalised words, then a comma or a spaced dash, then the position.
BULLET_ROW = re.compile(
    r"(?m)^[ \t]*[–—-][ \t]*(?P<name>[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*){1,3}?)[ \t]*(?:,|[ \t][–—-][ \t])"
    r"[ \t]*(?P<position>[^\n]+?)[ \t]*[.;]?[ \t]*$"
)


@dataclass(frozen=True, slots=True)
class ListRow:
    """A row found in a list, with where it sits (to keep appositions out of list text)."""

    participant: Participant
    start: int
    end: int


def _in_quotes(text: str, index: int) -> bool:
    """Is ``index`` inside «...»? kremlin.ru writes «НК «Роснефть» with one » closing both quotes."""
    opened = text.rfind("«", 0, index)
    return opened >= 0 and text.rfind("»", 0, index) < opened


def _header_in(chunk: str, first: bool) -> int:
    """Where a group header starts in the text before a colon (-1 when there is none)."""
    if first:
        dates = list(_DATE.finditer(chunk))  # the page title ends with the date: the header follows it
        offset = dates[-1].end() if dates else 0
        match = HEADER_START.search(chunk, offset)
        if match:
            return match.start()
        tail = chunk[offset:].strip()
        return chunk.index(tail) if tail and len(tail) < 120 else -1
    for match in HEADER_START.finditer(chunk):
        if not _in_quotes(chunk, match.start()):
            return match.start()
    return -1


def _split_tail(tail: str) -> tuple[str, str | None, bool]:
    """(position, next group header or None, list ended) from the text between a row's dash and the next row."""
    ended = False
    trailer = TRAILER.search(tail)
    if trailer:
        tail, ended = tail[: trailer.start()], True
    header: str | None = None
    separator = SEPARATOR.search(tail)
    if separator:
        tail, header = tail[: separator.start()], ""
    if "\n" in tail.strip():
        first_line, rest = tail.strip().split("\n", 1)
        lines = [x.strip() for x in rest.split("\n") if x.strip()]
        if lines and header is None:
            header = lines[-1].rstrip(" :")
        tail = first_line
    elif tail.rstrip().endswith(":") and header is None:
        body = tail.rstrip().rstrip(":")
        start = _header_in(body, first=False)
        if start >= 0:
            header, tail = body[start:].strip(), body[:start]
        else:
            logger.debug("participant list: colon without a known group header: %r", body[-80:])
    position = " ".join(tail.split()).strip(" ,;")
    if len(position) > POSITION_MAX_CHARS:
        end = _SENTENCE_END.search(position)
        position, ended = (position[: end.start()], True) if end else (position[:POSITION_MAX_CHARS], True)
    return position, header, ended


def _kremlin_name(last: str, given: str) -> PersonName | None:
    if last in ACRONYMS:
        return None
    name = parse_name(f"{last} {given}")
    if name is None or not name.first:
        return None
    # "ПАО Газпром –" is not a person: a row's given names read as a first name or a patronymic
    if len(given.split()) == 1 and name.first == given and not _looks_given(given):
        return None
    return name


def _looks_given(word: str) -> bool:
    """A first name, a patronymic, or a word the dictionary does not know (Дени, Жан-Клод); not "Газпром"."""
    if name_parses(word, "Name") or name_parses(word, "Patr"):
        return True
    return not any(analyser().word_is_known(part.lower()) for part in word.split("-"))


def _participant(name: PersonName, position: str, group: str, country: str) -> Participant:
    return Participant(
        name=name,
        position=position,
        organisation=organisation_of(position),
        country=country or country_of(position),
        group=group,
        source="list",
    )


def kremlin_rows(text: str) -> list[ListRow]:
    """Rows of kremlin.ru-style lists ("ФАМИЛИЯ Имя Отчество – должность"), with their groups."""
    matches = [m for m in KREMLIN_ROW.finditer(text) if _kremlin_name(m["last"], m["given"]) is not None]
    if not matches:
        return []
    group, country = "", ""
    before = text[: matches[0].start()].strip()
    if before.endswith(":") or "\n" in before:
        head = before.rstrip(":").strip().split("\n")[-1]
        start = _header_in(head, first=True)
        group = head[start:].strip(" :") if start >= 0 and not SEPARATOR.search(head) else ""
        country = side_country(group)
    rows: list[ListRow] = []
    for index, match in enumerate(matches):
        name = _kremlin_name(match["last"], match["given"])
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        position, header, ended = _split_tail(text[match.end() : end])
        if name is not None and position:
            rows.append(ListRow(_participant(name, position, group, country), match.start(), end))
        if header is not None:
            group, country = header, side_country(header)
        if ended:
            break
    return rows


def bullet_rows(text: str, lang: str) -> list[ListRow]:
    """Rows of dash-bulleted lists ("– Grigoryan Armen Valerievich, Secretary of ...")."""
    rows: list[ListRow] = []
    for match in BULLET_ROW.finditer(text):
        name = parse_name(match["name"], lang)
        if name is None or not (name.first and name.last):
            continue
        position = match["position"].strip().rstrip(".;")
        rows.append(ListRow(_participant(name, position, "", ""), match.start(), match.end()))
    return rows
