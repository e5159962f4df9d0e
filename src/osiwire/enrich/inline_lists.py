"""English participant lists inside running text: "Taking part in the meeting were Foreign Minister Igor Ivanov,
Defence Minister Igor Sergeyev and Deputy Chief of Staff ... Sergei Prikhodko."

The list follows its opener ("Taking part ... were", "was attended by", "Present at ... were", "delegation
included") and runs to the sentence's end; its items are cut at commas and "and". An item counts when it is
"Title Name": a title phrase with a title word, then a name of two words (particles and hyphens inside words
allowed). Items written "Name, title", plural titles shared by several names ("Deputy Prime Ministers A and B")
and items with no title are left out: which title goes with which name is doubtful there, and a position given
to the wrong person is worse than none.
"""

from __future__ import annotations

import re

from osiwire.enrich.english import Found, running_name
from osiwire.enrich.english_words import NOT_NAMES
from osiwire.enrich.positions import (
    COUNTRY_FORM_WORDS,
    RANKS_EN,
    country_of,
    is_country_word,
    is_modifier_en,
    is_title_en,
    organisation_of,
)
from osiwire.model import Participant

OPENER = re.compile(
    r"(?:\b(?:Taking|Took|took)\s+part\b[^.:;]*?\b(?:were|was)\b|\battended\s+by\b|\bPresent\s+at\b[^.:;]*?\bwere\b"
    r"|\bdelegation\s+included\b|\bRepresenting\s+[A-Z]\w+\s+(?:at|in)\s+[^.:;]*?\bwere\b|\balso\s+attending\s+"
    r"(?:were|was)\b)\s*:?\s*"
)
_ITEM_SPLIT = re.compile(r",\s+(?:and\s+|as\s+well\s+as\s+)?|\s+as\s+well\s+as\s+")
_AND = re.compile(r"\s+and\s+")
_SENTENCE_END = re.compile(r"\.(?=\s+[A-Z*]|\s*$)|\n|\s\*\s\*\s\*")
_NAME_PARTICLES = frozenset({"von", "van", "de", "der", "bin", "ibn", "al", "el", "da", "di", "le", "la"})
# A title phrase's words: capitalised words and the function words of bodies' names.
_PHRASE_JOINERS = frozenset({"of", "the", "for", "to", "on", "in", "and"})
_ADJECTIVE = re.compile(r"(?:ian|ean|can|ish|ic|ese|i)$")  # Russian, Chilean, Mexican, Polish, Chinese, Saudi
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def _name_words(words: list[str]) -> int:
    """How many words at the end of an item are the name: two, or three with a particle ("Malte von Trotha")
    or after a country's name, where a title ends for sure ("Ambassador to the Russian Federation Anne Fyfe
    Pringle", "Corporation of India Satish Kumar Sharma")."""
    if len(words) >= 3 and words[-2].lower() in _NAME_PARTICLES and words[-3][:1].isupper():
        return 3
    if (
        len(words) >= 4
        and _is_name_word(words[-3])
        and (
            (is_country_word(words[-4]) and not _ADJECTIVE.search(words[-4]))  # India, not "Russian Muftis"
            or words[-4].lower() in COUNTRY_FORM_WORDS - {"the", "of", "and", "new"}
        )
    ):
        return 3
    return 2


def _is_name_word(word: str) -> bool:
    return (
        word[:1].isupper()
        and not word.isupper()
        and not is_title_en(word)
        and not is_modifier_en(word)
        and not is_country_word(word)
        and word.lower() not in NOT_NAMES
    )


def _row(item: str) -> tuple[str, str] | None:
    """(title phrase, name) of one "Title Name" item, or None."""
    words = _WORD.findall(item)
    if len(words) < 3:
        return None
    size = _name_words(words)
    name, title = words[-size:], words[:-size]
    if not all(_is_name_word(w) for w in (name[0], name[-1])):
        return None
    start = len(title)
    # "the heads of the ... member states President of Armenia": the title is the capitalised run
    while start > 0 and (title[start - 1][:1].isupper() or title[start - 1].lower() in _PHRASE_JOINERS):
        start -= 1
    while start < len(title) and title[start].lower() in _PHRASE_JOINERS:
        start += 1
    title = title[start:]
    if not title or not any(is_title_en(w) for w in title) or title[-1].lower() in _PHRASE_JOINERS:
        return None
    # "Chief of Staff of the Armed Forces General Anatoly Kvashnin": the rank is no post
    last_is_rank = title[-1].lower() in RANKS_EN
    if len(title) > 1 and last_is_rank and not (is_title_en(title[-2]) or is_modifier_en(title[-2])):
        title = title[:-1]
    if _shared(title):
        return None  # "Deputy Prime Ministers": a title several names share (see ``_shared_title``)
    first = item.find(title[0])
    return item[first : item.rfind(title[-1]) + len(title[-1])], " ".join(name)


def _shared(title: list[str]) -> bool:
    """Is this a plural title several names share ("Deputy Prime Ministers")? "Council of Russian Muftis" is a body."""
    plural = title[-1].lower().endswith("s") and is_title_en(title[-1][:-1])
    return plural and not {"of", "for", "to"} & {w.lower() for w in title}


# "Deputy Prime Ministers Alexei Kudrin", "deputy prime ministers Viktoria Abramchenko": a shared plural title
# (written in either case) and the first of the names it covers.
_SHARED = re.compile(
    r"^(?P<title>(?:[A-Za-z-]+\s+){0,3}[A-Za-z-]+s)\s+(?P<name>[A-Z][\w'’-]+\s+[A-Z][\w'’-]+)$"
)


def _shared_title(item: str) -> tuple[str, str] | None:
    """(the title in the singular, the first name) of an item opening with a shared plural title, or None."""
    match = _SHARED.match(item)
    if match is None:
        return None
    words = match["title"].split()
    if not _shared(words) or not all(is_title_en(w) or is_modifier_en(w) for w in words[:-1]):
        return None
    name = match["name"].split()
    if not all(_is_name_word(w) for w in name):
        return None
    return " ".join([*words[:-1], words[-1][:-1]]), match["name"]  # as written, in the singular


def _name_only(item: str) -> str | None:
    """The name of an item that is a name alone ("Valentina Matviyenko"), or None."""
    words = _WORD.findall(item)
    if len(words) == 2 and all(_is_name_word(w) for w in words) and item.strip() == " ".join(words):
        return item.strip()
    return None


def _items(chunk: str) -> list[str]:
    """Items of a list: cut at commas, and at "and" only after a name ("Deputy Prime Minister and Finance
    Minister Alexei Kudrin" is one item, "Igor Ivanov and Defence Minister Igor Sergeyev" two)."""
    items: list[str] = []
    for part in _ITEM_SPLIT.split(chunk):
        pieces = _AND.split(part)
        buffer = ""
        for piece in pieces:
            buffer = f"{buffer} and {piece}" if buffer else piece
            words = _WORD.findall(buffer)
            if len(words) >= 2 and _is_name_word(words[-1]) and _is_name_word(words[-2]):
                items.append(buffer)
                buffer = ""
        if buffer:
            items.append(buffer)
    return items


def inline_list_spans(text: str) -> list[tuple[int, int]]:
    """Where the lists in sentences are: from each opener to its sentence's end."""
    spans = []
    for opener in OPENER.finditer(text):
        end = _SENTENCE_END.search(text, opener.end())
        spans.append((opener.start(), end.start() if end else len(text)))
    return spans


def inline_list_rows(text: str, skip: list[tuple[int, int]] | None = None) -> list[Found]:
    """Rows of the participant lists written into English sentences, each with where its name starts."""
    found: list[Found] = []
    for start, stop in inline_list_spans(text):
        if skip and any(a <= start < b for a, b in skip):
            continue
        opener = OPENER.match(text, start)
        offset = opener.end() if opener else start
        pieces = _items(text[offset:stop])
        shared = ""  # a plural title the names after it share, until an item with a title of its own
        for index, piece in enumerate(pieces):
            at = text.find(piece, offset, stop)
            if at < 0:
                continue
            offset = at + len(piece)
            row = _row(piece.strip())
            if row is None and (opening := _shared_title(piece.strip())) is not None:
                shared, row = opening[0], opening
            elif row is None and shared and (alone := _name_only(piece)) is not None:
                following = pieces[index + 1].strip() if index + 1 < len(pieces) else ""
                if following and _row(following) is None and _name_only(following) is None:
                    shared = ""  # "..., Sergei Prikhodko, deputy chief of staff": his title follows him
                    continue
                row = (shared, alone)
            elif row is not None:
                shared = ""
            if row is None:
                continue
            position, written = row
            name = running_name(written)
            if name is None or not (name.first and name.last):
                continue
            participant = Participant(
                name=name,
                position=position,
                organisation=organisation_of(position),
                country=country_of(position),
                source="sentence",
            )
            found.append(Found(at + piece.rfind(written.split()[0]), at + len(piece), participant))
    return found
