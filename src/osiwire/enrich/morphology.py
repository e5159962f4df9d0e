"""Russian word forms for names and positions: lemmas, base forms of name parts, nominative phrases (pymorphy3)."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

logger = logging.getLogger(__name__)

NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})
CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct", "voct", "gen2", "acc2", "loc2")

# Oblique endings of surnames pymorphy does not know (it predicts ones in -ов/-ин/-ский well, but not
# Зась/Засем or many non-Slavic stems): (ending, base ending), longest first, masculine then feminine.
MASC_SURNAME_ENDINGS: tuple[tuple[str, str], ...] = (
    ("ского", "ский"), ("скому", "ский"), ("ским", "ский"), ("ском", "ский"),
    ("цкого", "цкий"), ("цкому", "цкий"), ("цким", "цкий"), ("цком", "цкий"),
    ("ова", "ов"), ("ову", "ов"), ("овым", "ов"), ("ове", "ов"),
    ("ева", "ев"), ("еву", "ев"), ("евым", "ев"), ("еве", "ев"),
    ("ёва", "ёв"), ("ёву", "ёв"), ("ёвым", "ёв"), ("ёве", "ёв"),
    ("ина", "ин"), ("ину", "ин"), ("иным", "ин"), ("ине", "ин"),
    ("ем", "ь"), ("ом", ""), ("а", ""), ("у", ""), ("е", ""),
)  # fmt: skip
FEMN_SURNAME_ENDINGS: tuple[tuple[str, str], ...] = (
    ("ской", "ская"), ("скую", "ская"), ("цкой", "цкая"), ("цкую", "цкая"),
    ("овой", "ова"), ("ову", "ова"), ("евой", "ева"), ("еву", "ева"), ("иной", "ина"), ("ину", "ина"),
)  # fmt: skip
_CYRILLIC_WORD = re.compile(r"^[а-яё]+(?:-[а-яё]+)*$")


# Distinct words whose parses are remembered: on the 125 kremlin.ru releases the enrich stage asked
# pymorphy3 31,750 times about 12,593 words (names, positions, topics and countries ask about the same ones).
PARSE_CACHE_SIZE = 50_000


class CachedAnalyser:
    """pymorphy3's analyser with ``parse`` remembered per word; everything else is pymorphy3's own."""

    def __init__(self, morph: Any) -> None:
        self._morph = morph
        self._parses: dict[str, tuple[Any, ...]] = {}

    def parse(self, word: str) -> list[Any]:
        """pymorphy3's parses of ``word``, best first (a new list: callers may change it)."""
        parses = self._parses.get(word)
        if parses is None:
            parses = tuple(self._morph.parse(word))
            if len(self._parses) < PARSE_CACHE_SIZE:
                self._parses[word] = parses
        return list(parses)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._morph, name)


@functools.cache
def analyser() -> Any:
    """This process's pymorphy3 analyser, loaded on first use (~0.1 s, ~50 MB), never at import."""
    import pymorphy3

    return CachedAnalyser(pymorphy3.MorphAnalyzer(lang="ru"))


def _case_of(tag: Any) -> str:
    return next((c for c in CASES if c in tag), "")


def name_parses(word: str, grammeme: str) -> list[Any]:
    """pymorphy3 parses of one word that carry a name grammeme (Name, Surn or Patr), best first."""
    low = word.lower()
    if not _CYRILLIC_WORD.match(low):
        return []
    if grammeme == "Name" and not analyser().word_is_known(low):
        return []  # first names are a closed list: a guessed "Name" reading of Маэхара misleads
    return [p for p in analyser().parse(low) if grammeme in p.tag]


def cases(word: str, names_only: bool = False) -> set[str]:
    """Every case the word can be in as a noun or adjective (or only as a name part); empty when unknown."""
    low = word.lower()
    if not _CYRILLIC_WORD.match(low):
        return set()
    parses = [p for p in analyser().parse(low) if p.tag.POS in {"NOUN", "ADJF", "PRTF"}]
    if names_only:
        known = analyser().word_is_known(low)
        parses = [p for p in parses if ("Name" in p.tag and known) or {"Surn", "Patr"} & p.tag.grammemes]
    return {_case_of(p.tag) for p in parses} - {""}


def lemma(word: str) -> str:
    """The lower-case lemma of a Russian word (the word itself, lower-cased, when not Cyrillic)."""
    low = word.lower()
    if not _CYRILLIC_WORD.match(low):
        return low
    parses = analyser().parse(low)
    return str(parses[0].normal_form) if parses else low


def part_of_speech(word: str) -> str:
    """pymorphy3's part of speech of the word's best parse ("NOUN", "ADJF", "VERB"...), "" if unknown."""
    low = word.lower()
    if not _CYRILLIC_WORD.match(low):
        return ""
    parses = analyser().parse(low)
    return str(parses[0].tag.POS or "") if parses else ""


def name_case_gender(word: str, grammeme: str) -> tuple[str, str]:
    """(case, gender) of a first name or patronymic, preferring the nominative when it is a reading."""
    parses = name_parses(word, grammeme)
    if not parses:
        return "", ""
    # "Сергеевны" also reads as a plural nominative: one person's name is singular
    parses = [p for p in parses if "plur" not in p.tag] or parses
    nominative = [p for p in parses if "nomn" in p.tag]
    best = nominative[0] if nominative else parses[0]
    return _case_of(best.tag), str(best.tag.gender or "")


def base_form(word: str, grammeme: str, case: str = "", gender: str = "") -> str:
    """Nominative of a name part (Николая -> Николай, Патрушевой -> Патрушева); the word when unsure."""
    parses = name_parses(word, grammeme)
    wanted = [p for p in parses if (not case or case in p.tag) and (not gender or gender in p.tag)]
    if not wanted and not case:
        wanted = parses
    for parse in wanted:
        if "nomn" in parse.tag:
            return word
        inflected = parse.inflect({"nomn"})
        if inflected is not None:
            return _same_case(str(inflected.word), word)
    if grammeme == "Surn" and case and case != "nomn":
        return _strip_ending(word, gender)
    return word


def _strip_ending(word: str, gender: str) -> str:
    low = word.lower()
    table = FEMN_SURNAME_ENDINGS if gender == "femn" else MASC_SURNAME_ENDINGS
    for ending, base in table:
        if low.endswith(ending) and len(low) - len(ending) >= 2:
            return _same_case(low[: -len(ending)] + base, word)
    return word


def _same_case(new: str, old: str) -> str:
    """``new`` written in the letter case of ``old`` (upper, title or lower)."""
    if old.isupper():
        return new.upper()
    if old[:1].isupper():
        return "-".join(p[:1].upper() + p[1:] for p in new.split("-"))
    return new


def nominative_phrase(words: list[str]) -> list[str]:
    """A genitive noun phrase put in the nominative up to its head noun (Совета Безопасности -> Совет Безопасности)."""
    readings: list[list[Any]] = []
    for word in words:
        low = word.lower()
        parses = analyser().parse(low) if _CYRILLIC_WORD.match(low) else []
        oblique = [p for p in parses if "gent" in p.tag] or [p for p in parses if "ablt" in p.tag]
        readings.append([p for p in oblique if p.tag.POS in {"NOUN", "ADJF", "PRTF"}])
        nouns = [p for p in readings[-1] if p.tag.POS == "NOUN" and not NAME_GRAMMEMES & p.tag.grammemes]
        adjectives = [p for p in readings[-1] if p.tag.POS in {"ADJF", "PRTF"}]
        if nouns and (not adjectives or len(readings) == len(words)):
            # the head: what follows it depends on it and keeps its case
            head = nouns[0]
            number = "plur" if "plur" in head.tag else "sing"
            agree = {"nomn", number} | (
                {str(head.tag.gender)} if number == "sing" and head.tag.gender else set()
            )
            readings[-1] = nouns
            out = [_inflect(r, w, agree) for r, w in zip(readings[:-1], words, strict=False)]
            return [*out, _inflect([head], word, {"nomn", number}), *words[len(readings) :]]
        if not readings[-1]:
            break
    return list(words)


def _inflect(readings: list[Any], word: str, grammemes: set[str]) -> str:
    for parse in readings:
        inflected = parse.inflect(grammemes)
        if inflected is not None:
            return _same_case(str(inflected.word), word)
    return word
