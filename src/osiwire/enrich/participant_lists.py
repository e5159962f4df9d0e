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
from dataclasses import dataclass, replace

from osiwire.enrich.countries import default_finder
from osiwire.enrich.morphology import analyser, cases, lemma, name_parses
from osiwire.enrich.names import list_name, parse_name
from osiwire.enrich.positions import (
    TITLE_MODIFIERS,
    country_of,
    is_title,
    is_title_en,
    organisation_of,
    side_country,
)
from osiwire.model import Participant, PersonName

logger = logging.getLogger(__name__)

# A row opens with a name block and a dash. Surnames are in capitals, one to four words (several surname words,
# hyphens and particles: "БАЙПО ТЕМОН", "ЧЕРКЕС-ЗАДЕ", "ДЕ ЛА КРУС", "АЛЬ НАХАЯН", "АБУ-ЗЕЙД"); given names
# follow them (Russian order, "ВАЙНО Антон Эдуардович") or stand before them (foreign order, "Фостен Арканж
# ТУАДЕРА"; read by ``_given_before``). Scraped pages lose the line breaks between rows ("... Российской
# ФедерацииВАЙНО Антон ..."): a row may start right after a lower-case letter or a closing quote.
_CAPS = r"(?:[А-ЯЁ][’'])?[А-ЯЁ]{2,}(?:-[А-ЯЁ]{2,})*"  # О’НИЛ, Д’АЛЕМА
_GIVEN = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ]?[а-яё]+)*"
# Lower-case words inside given names: Arabic and European particles, Turkic patronymic markers.
_LOW_PARTICLES = (
    r"(?:бен|бин|ибн|аль|эль|ад|ас|ат|де|ди|да|дель|дос|ду|ла|ле|фон|ван|дер|оглы|кызы|гызы|улы|уулу)"
)
_ROW_START = r"(?:(?<![\w-])|(?<=[а-яё»)”]))"
_DASH = r"(?:\s*[–—]\s*|\s+-\s+)"
KREMLIN_ROW = re.compile(
    # the look-ahead fails fast where no capital letters start: the look-behinds then run at few places
    rf"(?=[А-ЯЁ][А-ЯЁ’']){_ROW_START}(?P<last>{_CAPS}(?:[ \t]+{_CAPS}){{0,3}})"
    # one-letter given names are Chinese and Korean syllables ("ВАН И", "ЛИ Ци"): after a surname only
    rf"(?P<given>(?:[ \t]+(?:{_GIVEN}|[А-ЯЁ](?=\s*[–—-])|{_LOW_PARTICLES}(?=[ \t]))){{0,4}})"
    rf"(?P<note>\s*\([^()\n]{{1,80}}\))?{_DASH}"
)
_GIVEN_WORD = re.compile(rf"{_GIVEN}|(?<![\w-]){_LOW_PARTICLES}(?![\w-])")
# How many given names may stand before a surname in capitals ("Усман Мохамаду ТЕНГЕРЕ").
GIVEN_BEFORE_MAX = 3
# Upper-case words that open company and agency names, never surnames ("ПАО Сбербанк – ...").
ACRONYMS = frozenset(
    {"ПАО", "ООО", "АО", "ОАО", "ЗАО", "НАО", "ФГУП", "ФГБУ", "ФГБУН", "ФГАОУ", "ФГБОУ", "ГБУ", "ГБОУ", "ГБУЗ",
     "ГУП", "МУП", "АНО", "НКО", "ВО", "ВПО", "РФ", "СССР", "ОДКБ", "СНГ", "ЕАЭС", "ШОС", "ООН", "МИД", "ФСБ",
     "ЦАР", "ДНР", "ЛНР", "КНР", "КНДР", "США", "ОАЭ", "ЮАР", "ФРГ", "НАТО", "ЕС", "РАН", "МГУ", "ВТБ", "НК"}
)  # fmt: skip
# Group headers of kremlin.ru and government lists, found between the last row's position and a colon.
# A header may be glued to the last row's position ("... Российской ФедерацииС египетской стороны:").
_HEADER_OPEN = r"(?:(?<!\S)|(?<=[а-яё»)”]))"
HEADER_START = re.compile(
    _HEADER_OPEN + r"(?:(?:С|Со|От)\s+[а-яё-]+\s+сторон[ыи]|Со\s+стороны\b|[А-ЯЁ][а-яё-]+ая\s+сторона\b|"
    r"[А-ЯЁ][а-яё-]+ая\s+делегаци[яи]\b|Постоянные\s+участники|Приглаш[её]нные|Члены\b|Совместно\s+с\b|"
    r"В\s+режиме\b|Участники\b|Из\s+зала\b|Делегаци[яи]\b|Представители\b|Также\s+(?:в|на|при)\b|"
    r"(?:В|На)\s+(?:мероприятии|церемонии|заседании|совещании|переговорах|встрече|работе)\b|"
    # group headers that are places (video-link meetings): "С территории ПАО «…», Свердловская область:",
    # "Из Екатеринбурга:", "На площадке …:"; positions never hold a capitalised preposition
    r"(?:С|Со|Из|На|В|Во|От)\s+(?=[«\"„]?[А-ЯЁа-яё]))"
)
# International bodies: their officials on a Russian list are of no side the list shows.
INTERNATIONAL = re.compile(
    r"(?i)международн|всемирн|европейск|евразийск|межпарламентск|(?<![А-ЯЁ])(?:ООН|ОДКБ|СНГ|ЕАЭС|ЕЭК|ШОС|БРИКС|"
    r"МАГАТЭ|ЮНЕСКО|ВОЗ|МВФ|НАТО|ОБСЕ|МОК|ФИФА|ОПЕК|АСЕАН|ЕАБР|НБР|МККК)(?![А-ЯЁ])"
)
# A side header with its colon lost, at the very end of a row's text.
SIDE_AT_END = re.compile(
    _HEADER_OPEN + r"(?:(?:С|Со|От)\s+[а-яё-]+\s+сторон[ыи]|[А-ЯЁ][а-яё-]+ая\s+(?:сторона|делегация))\s*$"
)
# Where a scraped page glued two lines: a lower-case letter or a closing quote right before a capital.
_GLUE = re.compile(r"(?<=[а-яё»)”])(?=[А-ЯЁ])")
SEPARATOR = re.compile(r"\*\s*\*\s*\*")
# What follows the list on a kremlin.ru page (and other site furniture in scraped text): the list ends there.
TRAILER = re.compile(
    r"(?:(?<!\S)|(?<=[а-яё»)”]))(?:Смотрите также|См\. также|Версия для печати|Статус материала|Опубликован в разделах)\b"
)
_DATE = re.compile(
    r"\d{1,2}\s+(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)\s+\d{4}\s+(?:года|г\.)"
)
# A position longer than this swallowed running text after the list (the longest of the shared lists is ~330).
POSITION_MAX_CHARS = 600
# A sentence ends at a full stop after a word of four or more letters (or a closing quote) and before a
# capitalised word: a position holds no sentence end, only abbreviations ("г. Москвы", "им. ", "А.С. Пушкина").
_SENTENCE_END = re.compile(r"(?:(?<=[^\W\d_]{4})|(?<=[»)”]))\.\s+(?=[А-ЯЁA-Z][а-яёa-z])")
# A line that goes on with a position is short: a paragraph of running text after the list is not one.
CONTINUATION_MAX_CHARS = 150
# "1.", "2)": a numbered list's item numbers, at the end of the text before the next row.
ITEM_NUMBER_AT_END = re.compile(r"[;,]?\s*(?<![\w.])\d{1,3}[.)]\s*$")
# A side header written into running text, in lower case, before the rows it opens and a dash or colon:
# "...; с египетской стороны – АБДЕЛЬ АТИ Бадр – ...", "... приняли участие: со стороны Узбекистана: ...".
SIDE_BEFORE_DASH = re.compile(
    r"(?:^|(?<=[;.:,]))\s*(?P<header>(?:[Сс]о?|[Оо]т)\s+[а-яё-]+\s+сторон[ыи]|[Сс]о\s+стороны\s+[А-ЯЁ][а-яё-]+"
    r"(?:\s+[А-ЯЁ][а-яё-]+)?)\s*[–—:-]\s*$"
)
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


# A body's quoted name is shorter than this: a quote opened further back was never closed (a typo, a cut page)
# and must not hide the rest of the list.
QUOTED_NAME_MAX_CHARS = 300


def _in_quotes(text: str, index: int) -> bool:
    """Is ``index`` inside «...» or „...“? kremlin.ru writes «НК «Роснефть» with one » closing both quotes."""
    floor = max(0, index - QUOTED_NAME_MAX_CHARS)
    opened = text.rfind("«", floor, index)
    if opened >= 0 and text.rfind("»", floor, index) < opened:
        return True
    low = text.rfind("„", floor, index)
    return low >= 0 and max(text.rfind("“", floor, index), text.rfind("”", floor, index)) < low


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
    tail = ITEM_NUMBER_AT_END.sub("", tail)  # "...области;\n2. ": the next row's number
    if header is None and (side := SIDE_BEFORE_DASH.search(tail)):
        # "...«Росатом»; с египетской стороны – АБДЕЛЬ ...": a side header inside running text
        header, tail = side["header"].strip(), tail[: side.start()]
    if "\n" in tail.strip():
        lines = [x.strip() for x in tail.strip().split("\n") if x.strip()]
        taken = 1
        while taken < len(lines) and _continues(lines[taken], lines[taken - 1]):
            taken += 1  # "Министр культуры\nРоссийской Федерации": the position goes on
        rest = lines[taken:]
        if rest and header is None:
            header = rest[-1].rstrip(" :")
        tail = " ".join(lines[:taken])
    elif tail.rstrip().endswith(":") and header is None:
        body = tail.rstrip().rstrip(":")
        start = _header_in(body, first=False)
        glued = list(_GLUE.finditer(body))
        if start < 0 and glued:
            start = glued[-1].end()  # "... Российской ФедерацииГости форума:": the header is glued on
        if start >= 0:
            header, tail = body[start:].strip(), body[:start]
        else:
            # the header cannot be told from the position: both are dropped rather than one given wrong
            logger.debug("participant list: colon without a known group header: %r", body[-80:])
            header, tail = "", ""
    elif header is None and (closing := SIDE_AT_END.search(tail)):
        header, tail = closing.group().strip(), tail[: closing.start()]  # "... ФедерацииС египетской стороны"
    position = " ".join(tail.split()).strip(" ,;")
    end = _sentence_end(position)
    if end >= 0:  # "... Египет. Стороны обсудили ...": running text after a list written into the body
        position, ended = position[:end], True
    if len(position) > POSITION_MAX_CHARS:
        position, ended = position[:POSITION_MAX_CHARS], True
    return _without_full_stop(position), header, ended


def _continues(line: str, before: str) -> bool:
    """Does this line go on with the position of the line before it ("Российской Федерации")?

    A group header, a numbered item or a line in the nominative ("Фото пресс-службы") does not: the line
    must open with a lower-case word or a word in an oblique case only, as the rest of a title does.
    """
    if len(line) > CONTINUATION_MAX_CHARS or line.endswith(":") or HEADER_START.match(line):
        return False
    if ITEM_NUMBER_AT_END.match(line) or SEPARATOR.search(line) or _sentence_end(line) >= 0:
        return False
    first = re.match(r"[«„\"(]?([^\W\d_]+(?:-[^\W\d_]+)*)", line)
    if first is None:
        return False
    word = first.group(1)
    if word[:1].islower():
        return True
    found = cases(word)
    if not found - {"nomn", "accs"}:
        return False
    # "Российской Федерации" goes on with any position; "Псковской области", "Республики Ангола" (which read as
    # nominatives too) only with one that stopped at its title word ("губернатор", "Посол")
    return "nomn" not in found or (bool(before.split()) and is_title(before.split()[-1]))


def _sentence_end(position: str) -> int:
    """Where a sentence ends inside a position (-1: nowhere): a full stop after a word of 4+ letters (or a
    closing quote) and before a capitalised word, outside quotes. Abbreviations ("г. Москвы", "А.С. Пушкина")
    and initials have shorter words before their full stop."""
    for match in _SENTENCE_END.finditer(position):
        if not _in_quotes(position, match.start()):
            return match.start()
    return -1


def _without_full_stop(position: str) -> str:
    """A position without the full stop that ended the list's last row (kept after an abbreviation: "им.")."""
    if position.endswith(".") and re.search(r"(?:[^\W\d_]{4,}|[»)”])\.$", position):
        return position[:-1].rstrip()
    return position


def _acronym(word: str) -> bool:
    """An abbreviation that opens a body's name (ПАО, ЦАР, МГУ), not a surname."""
    if word in ACRONYMS:
        return True
    low = word.lower()
    if not analyser().word_is_known(low):
        return False  # "НОВАК" reads as an abbreviation the dictionary does not know: a surname
    parses = analyser().parse(low)
    return any("Abbr" in p.tag for p in parses) and not any(
        {"Surn", "Name"} & set(p.tag.grammemes) for p in parses
    )


def _surname_words(last: str) -> list[str]:
    """The capitalised words of a name block, without the abbreviations before it ("ЦАР ИВАНОВ" -> ИВАНОВ)."""
    words = last.split()
    while words and (words[0] in ACRONYMS or (len(words) > 1 and _acronym(words[0]))):
        words = words[
            1:
        ]  # one word alone may be a surname the dictionary also knows as an abbreviation (БАК)
    return words


def _given_before(text: str, start: int, floor: int) -> tuple[int, list[str]]:
    """Given names written before a surname in capitals ("Фостен Арканж ТУАДЕРА"): (where they start, words).

    Walked back from the surname over capitalised words one space apart. A word glued to the text before it
    ("...РеспубликиАльбер"), or standing after a colon or at the list's start, is the first given name; a
    word the dictionary knows as no name ("Республики", "Президента") belongs to the previous position.
    """
    words = list(_GIVEN_WORD.finditer(text, max(floor, start - 120), start))
    found: list[re.Match[str]] = []
    edge = start
    for word in reversed(words):
        named = sum(1 for w in found if not w.group().islower())  # particles ("бин", "аль") do not count
        if text[word.end() : edge] not in {" ", "\u00a0"} or named >= GIVEN_BEFORE_MAX:
            break
        before = text[max(floor, word.start() - 1) : word.start()]
        opens = not before or before.isalpha() or before in {":", "»", ")", "”", "\n"}
        opens = (
            opens or text[max(floor, word.start() - 2) : word.start()] == ": "
        )  # "Бахрейн: Хамад бен Иса ..."
        particle = word.group().islower()
        if not opens and before not in {" ", "\u00a0"}:
            break  # "Кот-д’Ивуар": the end of a longer word
        if not opens and not particle and (is_title(word.group()) or not _looks_given(word.group())):
            break
        if not opens and (_AFTER_PREPOSITION.search(text, 0, word.start()) or _country_word(word.group())):
            break  # "Посол ... в Буркина-Фасо Ибрагим ТРАОРЕ": a place of the previous position, no given name
        found.insert(0, word)
        edge = word.start()
        if opens:
            break
    while found and found[0].group().islower():
        found = found[1:]  # a particle cannot open a name
    return (found[0].start(), [w.group() for w in found]) if found else (start, [])


# A position never ends in a preposition: a word right after one still belongs to the previous position.
_AFTER_PREPOSITION = re.compile(r"(?<![\w-])(?:в|во|на|при|по|с|со|у|к|для|из|от|до|между)\s+$")


def _country_word(word: str) -> bool:
    return bool(default_finder().counts(word))


def _looks_given(word: str) -> bool:
    """A first name, a patronymic, a surname (foreign given names are often surnames to the dictionary:
    "Лоуренс"), or a word the dictionary does not know (Дени, Жан-Клод); not "Газпром"."""
    if name_parses(word, "Name") or name_parses(word, "Patr") or name_parses(word, "Surn"):
        return True
    return not any(analyser().word_is_known(part.lower()) for part in word.split("-"))


def _titled(word: str) -> bool:
    bare = word.strip(',;:()«»"')
    return is_title(bare) or is_title_en(bare)


def _post(position: str) -> tuple[str, str]:
    """(organisation, country) a position names.

    A country a post names ("Посол Российской Федерации") is the row's; one named in a title-less description
    ("участник боев на территории Белоруссии") is no side.
    """
    country = country_of(position) if any(_titled(w) for w in position.split()) else ""
    return organisation_of(position), country


def _participant(
    name: PersonName, position: str, group: str, country: str, posts: dict[str, tuple[str, str]] | None = None
) -> Participant:
    """A list row; ``posts`` keeps what each position names within one list (positions repeat)."""
    posts = {} if posts is None else posts
    if position not in posts:
        posts[position] = _post(position)
    organisation, named = posts[position]
    return Participant(name, position, organisation, country or named, group, "list")


@dataclass(frozen=True, slots=True)
class _Opener:
    """Where a row's name starts and its dash ends, and the name it gives."""

    start: int
    end: int
    name: PersonName
    surname_first: bool = True  # Russian order; foreign guests are often written given names first


def _openers(text: str) -> list[_Opener]:
    """Row openers in text order: a name block with its surname in capitals, then a dash."""
    found: list[_Opener] = []
    single: list[tuple[int, _Opener]] = []
    names: dict[tuple[str, ...], PersonName | None] = {}  # a name repeated (a hostile page) is parsed once
    floor = 0
    for match in KREMLIN_ROW.finditer(text):
        if _in_quotes(text, match.start()):
            continue
        surname = _surname_words(match["last"])
        if not surname:
            continue
        start = match.start("last") + match["last"].index(surname[0])
        given = match["given"].split()
        if len(given) == 1 and len(surname) == 1 and len(given[0]) > 1 and not _looks_given(given[0]):
            continue  # "ПАО Газпром –": a body, not a person
        if not given:
            start, given = _given_before(text, start, floor)
        key = (*surname, "|", *given)
        if key not in names:
            names[key] = list_name(surname, given)
        name = names[key]
        if name is None:
            continue
        opener = _Opener(start, match.end(), name, surname_first=bool(match["given"].strip()))
        if given:
            found.append(opener)
        elif len(surname) == 1 and len(surname[0]) >= 3:
            single.append((len(found), opener))  # a one-word name ("СУХАРТО –"): kept inside a list only
        floor = match.end()
    if len(found) >= 2:
        for index, opener in reversed(single):
            found.insert(index, opener)
        found = sorted([*found, *_single_names(text, found)], key=lambda o: o.start)
    return found


# A one-word name written as running text writes it ("Сугионо – Министр ..."), at a line's start or glued to the
# previous row's position ("... Республики ИндонезияСугионо – ..."), before a dash and a title word.
SINGLE_NAME = re.compile(
    r"(?:(?<=[а-яё»)”])|(?m:^)[ \t]*)(?P<name>[А-ЯЁ][а-яё]{2,}(?:-[А-ЯЁ][а-яё]+)?)[ \t]*[–—][ \t]*(?P<next>[^\W\d_]+)"
)


def _single_names(text: str, found: list[_Opener]) -> list[_Opener]:
    """Rows of one-word names inside a list of other rows (``found``): a word no title and no known common word."""
    out = []
    for match in SINGLE_NAME.finditer(text):
        word = match["name"]
        if any(o.start <= match.start("name") < o.end for o in found) or _in_quotes(text, match.start()):
            continue
        if (
            not (is_title(match["next"]) or _modifier_word(match["next"]))
            or is_title(word)
            or not _looks_given(word)
        ):
            continue
        name = list_name([word.upper()], [])
        if name is not None:
            out.append(_Opener(match.start("name"), match.start("next"), name, surname_first=False))
    return out


def _modifier_word(word: str) -> bool:
    """A word opening a title ("Первый заместитель", "Чрезвычайный и Полномочный Посол")."""
    return lemma(word) in TITLE_MODIFIERS


def _list_country(rows: list[ListRow], russian_order: list[bool]) -> list[ListRow]:
    """Rows of a list with no side headers whose positions name Russia and no other country are Russian officials.

    kremlin.ru lists name the Russian side's posts ("Министр обороны Российской Федерации"); rows between them
    whose posts name no country ("мэр Москвы", "президент ПАО «Сбербанк»") are on the same side, unless the
    post is in an international body ("Генеральный директор МАГАТЭ") or the name is written in foreign order.
    """
    named = {row.participant.country for row in rows} - {""}
    if named != {"RU"} or any(row.participant.group and side_country(row.participant.group) for row in rows):
        return rows
    return [
        ListRow(replace(row.participant, country="RU"), row.start, row.end)
        if not row.participant.country and russian and not INTERNATIONAL.search(row.participant.position)
        else row
        for row, russian in zip(rows, russian_order, strict=True)
    ]


def kremlin_rows(text: str) -> list[ListRow]:
    """Rows of kremlin.ru-style lists ("ФАМИЛИЯ Имя Отчество – должность"), with their groups."""
    openers = _openers(text)
    if not openers:
        return []
    group, country = "", ""
    before = text[: openers[0].start].strip()
    if side := SIDE_BEFORE_DASH.search(before):  # "В переговорах приняли участие: с российской стороны – ..."
        group = side["header"].strip()
        country = side_country(group)
    elif before.endswith(":") or "\n" in before:
        head = before.rstrip(":").strip().split("\n")[-1]
        start = _header_in(head, first=True)
        group = head[start:].strip(" :") if start >= 0 and not SEPARATOR.search(head) else ""
        country = side_country(group)
    rows: list[ListRow] = []
    posts: dict[str, tuple[str, str]] = {}
    for index, opener in enumerate(openers):
        end = openers[index + 1].start if index + 1 < len(openers) else len(text)
        position, header, ended = _split_tail(text[opener.end : end])
        rows.append(ListRow(_participant(opener.name, position, group, country, posts), opener.start, end))
        if header is not None:
            group, country = header, side_country(header)
        if ended:
            break
    return _list_country(rows, [opener.surname_first for opener in openers[: len(rows)]])


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
