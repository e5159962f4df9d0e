"""People natasha missed or read as something else, recovered with pymorphy3's name tags (entity_rules uses it).

- **A first name and a surname are a person**: a place or body span whose first word is a first name
  (pymorphy3 ``Name``) and whose last is a surname (``Surn``, or a "-ский" adjective) is a person ("Кирсану
  Илюмжинову" read as a place); two capitalised words in no span, a first name and a surname (or a word the
  dictionary does not know), are one too ("Виктор Шлапак"; not "Дональд Статус" from a page's furniture, nor
  "Сергей Кужугетович", a form of address whose person is named elsewhere).
- **A surname again is that person**: once "Веселин Топалов" is named, a later "Топалов", "Топалова" in no span
  (or in a place or body span of that word alone) is the same person.
- **A word morphology knows only as a surname is a person** ("о Свиридове" read as a place).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from osiwire.enrich.entity_shapes import Morphology
from osiwire.enrich.lexicon import fold
from osiwire.model import Mention

Normalise = Callable[[str, str], str]  # (span text, type) -> its nominative

_CAPITALISED = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")
_NAME_PAIR = re.compile(r"(?<![\w.-])([А-ЯЁ][а-яё]+) ([А-ЯЁ][а-яё]{2,}(?:-[А-ЯЁ][а-яё]+)?)(?![\w-])")
_SURNAME_ADJECTIVE = (
    "ский",
    "цкий",
    "ская",
    "цкая",
    "ского",
    "цкого",
    "скому",
    "цкому",
    "ским",
    "цким",
    "ском",
)
# A first name's reading must be pymorphy3's likeliest by at least this score to open a name ("Виктор": 1.0;
# "Роман" the novel, "Вера" the faith, "Надежда" hope score lower as names).
NAME_SCORE = 0.6
# What a surname's oblique case adds to its nominative ("Топалов" -> "Топаловым"); as entity_rules.
_CASE_ENDINGS = frozenset(("а", "у", "е", "ом", "ым", "ой", "ою", "ем", "ы", "и"))
_NOT_NAMES = frozenset({"Geox", "Orgn", "Abbr"})
# Nouns that say the name after them is a place ("город Дацин", "аэропорту Рейган"), whatever morphology says.
PLACE_NOUNS = frozenset(
    {
        "город", "село", "деревня", "посёлок", "поселок", "станица", "провинция", "область", "район", "штат",
        "округ", "остров", "река", "озеро", "аэропорт", "порт", "улица", "проспект", "площадь", "гора",
        "столица", "регион", "префектура", "уезд", "кишлак", "аул", "курорт", "залив", "пролив",
    }
)  # fmt: skip
# "в Оссоре", "на Оссоре": a place; people are spoken "о", "с", "у" ("о Свиридове").
_PLACE_PREPOSITIONS = frozenset({"в", "во", "на", "из", "под", "над"})
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[\s«\"]*$")


def _parses(morph: Morphology, word: str) -> tuple[Any, ...]:
    return morph.parse(word)


def _first_name(morph: Morphology, word: str) -> bool:
    parses = _parses(morph, word)
    return bool(parses) and "Name" in parses[0].tag.grammemes and parses[0].score >= NAME_SCORE


def _surname_like(morph: Morphology, word: str) -> bool:
    """A surname reading, a "-ский" adjective, or a word morphology does not know (foreign surnames)."""
    if fold(word).endswith(_SURNAME_ADJECTIVE):
        return True
    parses = _parses(morph, word)
    if any("Surn" in p.tag.grammemes for p in parses):
        return True
    return not morph.known(word)


def _only_surname(morph: Morphology, word: str) -> bool:
    parses = _parses(morph, word)
    return bool(parses) and all(
        p.tag.grammemes & {"Surn"} and "anim" in p.tag.grammemes and not p.tag.grammemes & _NOT_NAMES
        for p in parses
    )


def _no_place_or_body(morph: Morphology, word: str) -> bool:
    parses = _parses(morph, word)
    return not parses or not parses[0].tag.grammemes & _NOT_NAMES


def _after_place_noun(morph: Morphology, text: str, start: int) -> bool:
    match = _WORD_BEFORE.search(text, max(0, start - 30), start)
    if match is None:
        return False
    word = match.group(1)
    return word.islower() and (word in _PLACE_PREPOSITIONS or morph.lemma(word) in PLACE_NOUNS)


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.startswith(short) and long_[len(short) :] in _CASE_ENDINGS


def _as_person(mention: Mention, normalise: Normalise) -> Mention:
    return replace(mention, type="PER", normal=normalise(mention.text, "PER"))


def recover_people(
    segment: int, text: str, mentions: Sequence[Mention], morph: Morphology, normalise: Normalise
) -> list[Mention]:
    """``mentions`` with the people above recovered (retyped or added)."""
    out: list[Mention] = []
    for m in mentions:
        words = _CAPITALISED.findall(m.text)
        if m.type in ("LOC", "ORG") and words and " ".join(words) == m.text:
            named = 2 <= len(words) <= 3 and _first_name(morph, words[0]) and _surname_like(morph, words[-1])
            surname = len(words) == 1 and _only_surname(morph, words[0])
            if named or (surname and not _after_place_noun(morph, text, m.start)):
                m = _as_person(m, normalise)
        out.append(m)
    for match in _NAME_PAIR.finditer(text):
        start, end = match.span()
        if any(m.start < end and start < m.end for m in out):
            continue
        first, second = match.group(1), match.group(2)
        if (
            _first_name(morph, first)
            and _no_place_or_body(morph, second)
            and not _first_name(morph, second)
            and _surname_like(
                morph, second
            )  # not "Статус", "Адвокат", nor a patronymic ("Сергей Кужугетович")
            and not any("Patr" in p.tag.grammemes for p in _parses(morph, second))
        ):
            out.append(Mention(segment, start, end, "PER", match.group(), normalise(match.group(), "PER")))
    surnames = {
        fold(m.text.rsplit(" ", 1)[-1])
        for m in out
        if m.type == "PER" and " " in m.text and _CAPITALISED.fullmatch(m.text.rsplit(" ", 1)[-1])
    }
    if not surnames:
        return out
    known = [s for s in surnames if len(s) >= 4 and _surname_like(morph, s)]
    result: list[Mention] = []
    for m in out:
        if (
            m.type in ("LOC", "ORG")
            and " " not in m.text
            and any(_same_word(fold(m.text), s) for s in known)
            and not _after_place_noun(morph, text, m.start)
        ):
            m = _as_person(m, normalise)
        result.append(m)
    for match in _CAPITALISED.finditer(text):
        start, end = match.span()
        word = fold(match.group())
        if not any(_same_word(word, s) for s in known):
            continue
        if any(m.start < end and start < m.end for m in result):
            continue
        result.append(Mention(segment, start, end, "PER", match.group(), normalise(match.group(), "PER")))
    return result
