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


# A person's position is singular: "Главы администрации" beside one name is the genitive of "Глава", not
# the plural nominative; a plural reading is taken only when no singular one fits ("Министрами ...").
_NUMBERS = ("sing", "plur")
# Gender of a substantivised adjective or participle alone ("Уполномоченным" reads masc or neut): people.
_GENDERS = ("masc", "femn", "neut")
_AGREEING = frozenset({"ADJF", "PRTF"})
_PROPER = NAME_GRAMMEMES | {"Geox", "Orgn", "Fixd", "Abbr"}
_SPACES = re.compile(r"(\s+)")
# Dependents of a position stand in the genitive: after a head in one of these cases an adjective that
# agrees with the head may as well be the dependent's.
_DEPENDENT_CASES = frozenset({"gent", "accs", "gen2", "acc2"})


def nominative_position(position: str) -> str:
    """A position in the nominative up to its head noun ("Генеральным секретарём ОДКБ" -> "Генеральный секретарь ОДКБ").

    The words before the head agree with it and are inflected with it; what follows the head depends on it and
    keeps its case ("Министром иностранных дел" -> "Министр иностранных дел"). A position morphology cannot
    read with confidence (an unknown word, no oblique reading in which the words agree) is returned as written,
    and so is one already in the nominative.
    """
    parts = _SPACES.split(position)
    words = parts[::2]
    head = _head_reading(words)
    if head is None:
        return position
    readings, number = head
    readings.update(_after_head(words, readings))
    for index, parse in readings.items():
        grammemes = {"nomn", number}
        if number == "sing" and parse.tag.POS != "NOUN":
            grammemes.add(str(parse.tag.gender or "masc"))
        inflected = parse.inflect(grammemes)
        if inflected is None:
            return position
        new = str(inflected.word)
        words[index] = _written_like(
            new if "ё" in words[index].lower() else new.replace("ё", "е"), words[index]
        )
    parts[::2] = words
    return "".join(parts)


def _after_head(words: list[str], readings: dict[int, Any]) -> dict[int, Any]:
    """Adjectives right after the head that agree with it ("Патриархом Московским и всея Руси")."""
    index = max(readings)
    head = readings[index]
    case, number, gender = _case_of(head.tag), str(head.tag.number or ""), str(head.tag.gender or "")
    found: dict[int, Any] = {}
    if case in _DEPENDENT_CASES:
        return found  # "губернатора Красноярского края": the adjective is the genitive dependent's
    for word in words[index + 1 :]:
        low = word.lower()
        parses = analyser().parse(low) if _CYRILLIC_WORD.match(low) else []
        if not parses or parses[0].tag.POS not in _AGREEING or not analyser().word_is_known(low):
            break
        fits = [
            p
            for p in parses
            if p.tag.POS in _AGREEING
            and case in p.tag
            and number in p.tag
            and (number == "plur" or (gender in _GENDERS and gender in p.tag))
        ]
        if not fits:  # "главой Чувашской Республики": глава has no gender of its own to agree with
            break  # "Президентом Республики Сербской": it agrees with a dependent, not with the head
        index += 1
        found[index] = min(fits, key=_gender_rank)
    return found


def _head_reading(words: list[str]) -> tuple[dict[int, Any], str] | None:
    """The parse to inflect of each word up to the head, and their number; None when unsure or nominative."""
    lead: list[tuple[int, list[Any]]] = []  # the adjectives before the head and their oblique readings
    for index, word in enumerate(words):
        low = word.lower()
        if low == "и" and lead:
            continue  # "Чрезвычайным и Полномочным Послом"
        if not _CYRILLIC_WORD.match(low) or not analyser().word_is_known(low):
            return None
        parses = analyser().parse(low)
        nouns = [p for p in parses if p.tag.POS == "NOUN" and not _PROPER & p.tag.grammemes]
        adjectives = [p for p in parses if p.tag.POS in _AGREEING]
        if parses[0].tag.POS == "NOUN":
            # a noun reads as an adjective only when substantivised ("Учёным секретарём"), never through
            # a rare homonym ("главой": глава, not the adjective главый)
            adjectives = [p for p in adjectives if p.normal_form == parses[0].normal_form]
        following = next((w for w in words[index + 1 :] if w.lower() != "и"), "")
        if adjectives and following and _agreement([*lead, (index, adjectives)], following):
            lead.append((index, adjectives))  # "Первым заместителем": первым has a noun reading too
            continue
        if nouns:
            return _choose([*lead, (index, nouns)])
        if adjectives:  # a substantivised one ends it: "Уполномоченным по правам человека"
            return _choose([*lead, (index, adjectives)])
        return _choose(lead) if lead else None
    return _choose(lead) if lead else None


def _agreement(lead: list[tuple[int, list[Any]]], word: str) -> bool:
    """Can ``word`` (a noun or an adjective) agree with the adjectives of ``lead``?"""
    low = word.lower()
    if not _CYRILLIC_WORD.match(low):
        return False
    parses = analyser().parse(low)
    if not parses or parses[0].tag.POS not in _AGREEING | {"NOUN"}:
        return False  # "по", "в": a preposition opens the dependents
    # indeclinable words and proper names agree with anything and head nothing: "главой Чувашии"
    parses = [p for p in parses if p.tag.POS in _AGREEING | {"NOUN"} and not _PROPER & p.tag.grammemes]
    return bool(parses) and _choose([*lead, (-1, parses)], oblique_only=False) is not None


def _choose(run: list[tuple[int, list[Any]]], oblique_only: bool = True) -> tuple[dict[int, Any], str] | None:
    """One reading per word of ``run`` (the last is the head) agreeing in case, number and gender."""
    *lead, (head_index, head_parses) = run
    for number in _NUMBERS:
        for case in CASES:
            for head in sorted(head_parses, key=_head_rank):
                if case not in head.tag or number not in head.tag:
                    continue
                gender = str(head.tag.gender or "") if head.tag.POS == "NOUN" else ""
                chosen = {head_index: head}
                for index, parses in lead:
                    fits = [
                        p
                        for p in parses
                        if case in p.tag
                        and number in p.tag
                        and (number == "plur" or gender in {"", "ms-f"} or gender in p.tag)
                    ]
                    if not fits:
                        break
                    chosen[index] = min(fits, key=_gender_rank)
                else:
                    if case == "nomn" and oblique_only:
                        return None  # nominative already: as written
                    return chosen, number
    return None


def _gender_rank(parse: Any) -> int:
    gender = str(parse.tag.gender or "")
    return _GENDERS.index(gender) if gender in _GENDERS else len(_GENDERS)


def _head_rank(parse: Any) -> tuple[bool, int]:
    """People before things ("главой": the head of, not a chapter); a lone adjective's masculine first."""
    return "inan" in parse.tag, 0 if parse.tag.POS == "NOUN" else _gender_rank(parse)


def _written_like(new: str, old: str) -> str:
    """``new`` in the letter case of ``old`` part by part ("Премьер-министром" -> "Премьер-министр")."""
    if old.isupper() and len(old) > 1:
        return new.upper()
    new_parts, old_parts = new.split("-"), old.split("-")
    if len(new_parts) != len(old_parts):
        return _same_case(new, old[:1])
    return "-".join(
        n[:1].upper() + n[1:] if o[:1].isupper() else n for n, o in zip(new_parts, old_parts, strict=True)
    )
