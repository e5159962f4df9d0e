"""Rules over the shape of a mention and its neighbours, after natasha (used by enrich/entity_rules.py).

- **Brackets part two names**: "Джошуа Вольф (Joshua Wolf)", "Комитет защиты журналистов (КЗЖ)" are two
  mentions, the name and its original spelling or abbreviation; natasha reads each as one span. A person's
  or place's span cut by commas ("Овечкин, Фёдоров", "Намибия, Парагвай") is two, and so is any span cut by a
  list bullet ("Бахрейн • Барбадос"). A bracket a span ends on is trimmed ("ПАСЕ (").
- **An abbreviation the text expands is that body**: "Организация Договора о коллективной безопасности (ОДКБ)"
  and later "ОДКБ" name one organisation; each standalone "ОДКБ" of that text gets the expansion's type.
- **A kind noun beside a name is part of it**: "движения «Левый фронт»", "корпорация Philips" name one body,
  not two; the noun's own mention is dropped when a name follows it.
- **A quoted name after a thing's noun is no organisation**: "шаттл «Дискавери»", "фильм «Жара»".
- **A quoted name holding a place is a body**: "«Голос Америки»", "«Эхо Москвы»" (not after a thing's noun);
  so is a quoted name read as a person or place after a kind noun ("команды «Феррари»").
- **A facility is a place**: an ORG span whose head noun is an airport, a station, a palace, a stadium.
- **Authorities of a place are a body**: "власти Таиланда", "руководство Грузии", "правоохранительные органы
  Малайзии": the noun before a place in the genitive names an organisation (the place stays a place).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import pairwise
from typing import Any

from osiwire.enrich.lexicon import Lemmas, fold
from osiwire.model import Mention

Normalise = Callable[[str, str], str]  # (span text, type) -> its nominative

_PIECE = re.compile(r"[^(),;•·|]+")  # brackets, commas and list bullets part names
_QUOTES_OPEN = '«"„“'
_QUOTES_CLOSE = '»"“”'
_ABBREVIATION = re.compile(r"[А-ЯЁA-Z]{2,6}")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# What may stand between a kind noun and the name it introduces ("движения «Левый фронт»", "компании Google").
_KIND_GAP = re.compile(r"\s*[«\"„“]?\s*")
_BEFORE_WORD = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)*)[\s«\"„“]*$")
# Nouns that say what kind of body a name that follows them is. Wider than the descriptor list of
# entities.toml: here a name must follow, so "союз", "фонд", "компания" are safe.
KIND_NOUNS = frozenset(
    {
        "партия", "движение", "компания", "корпорация", "концерн", "холдинг", "группа", "фирма", "банк",
        "фонд", "союз", "организация", "объединение", "ассоциация", "федерация", "газета", "журнал",
        "издание", "радиостанция", "телеканал", "канал", "агентство", "информагентство", "команда", "клуб",
        "сборная", "театр", "университет", "институт", "издательство", "госкорпорация", "предприятие", "завод", "комбинат",
        "телекомпания", "авиакомпания", "сеть", "портал", "сайт", "общество", "правительство", "министерство",
        "ведомство", "комиссия", "служба", "комитет", "совет", "парламент", "администрация",
    }
)  # fmt: skip
# Nouns of things that carry names in quotes: a vehicle, a work, an event. A name after them is no body.
THING_NOUNS = frozenset(
    {
        "шаттл", "корабль", "судно", "теплоход", "самолёт", "самолет", "лайнер", "вертолёт", "вертолет",
        "ракета", "подлодка", "лодка", "крейсер", "авианосец", "ледокол", "эсминец", "фрегат", "спутник",
        "телескоп", "зонд", "марсоход", "луноход", "модуль", "аппарат", "фильм", "кинофильм", "сериал",
        "мультфильм", "альбом", "песня", "сингл", "книга", "роман", "повесть", "спектакль", "передача",
        "шоу", "операция", "учение", "законопроект", "автомобиль", "памятник", "мемориал", "монумент", "орден",
        "медаль", "премия", "конкурс", "фестиваль", "форум", "выставка", "марафон",
        "турнир", "чемпионат", "кубок", "акция",
    }
)  # fmt: skip
# "балет", "опера" are left out: "балета Большого театра" is the troupe of a theatre; "проект", "программа"
# too: "в рамках проекта «Фэйсбук»" names the company.
# Plans and laws whose quoted names hold places ("госпрограммы «Развитие Крыма»"): no body either, though a
# company may run a "проект" of its own name (so these are not THING_NOUNS).
PLAN_NOUNS = frozenset(
    {"программа", "госпрограмма", "нацпроект", "стратегия", "концепция", "закон", "комплекс"}
)
# Head nouns of places that a body may bear the name of ("аэропорт «Домодедово»", "Дворец молодёжи").
FACILITY_NOUNS = frozenset(
    {
        "аэропорт", "вокзал", "стадион", "космодром", "станция", "дворец", "площадь", "парк", "улица",
        "проспект", "набережная", "мост", "кладбище", "аэродром", "автовокзал", "метро",
    }
)  # fmt: skip
# Nouns that, before a place in the genitive, name the body governing it ("власти Мальты").
AUTHORITY_NOUNS = frozenset(
    {
        "власть", "руководство", "правительство", "кабмин", "парламент", "генштаб", "спецслужба",
        "полиция", "администрация", "мид", "минобороны", "минфин", "минздрав", "министерство", "посольство",
        "консульство", "делегация", "федерация", "департамент", "госдепартамент", "госдеп", "прокуратура",
    }
)  # fmt: skip
# Adjectives and nouns that make a phrase of an authority ("правоохранительные органы Малайзии").
AUTHORITY_PHRASES = frozenset({("орган",), ("служба",)})
_AUTHORITY_LEMMAS = AUTHORITY_NOUNS | {p[0] for p in AUTHORITY_PHRASES}


# Distinct words whose parses are remembered per rules object; a text's names and nouns recur.
PARSE_CACHE_SIZE = 100_000


class Morphology:
    """pymorphy3's parses of words, remembered (parsing was most of these rules' cost), and their lemmas."""

    def __init__(self, lemmas: Lemmas) -> None:
        self.lemmas = lemmas
        self._parses: dict[str, tuple[Any, ...]] = {}

    def parse(self, word: str) -> tuple[Any, ...]:
        """The parses of ``word`` (folded), likeliest first."""
        folded = fold(word)
        parses = self._parses.get(folded)
        if parses is None:
            parses = tuple(self.lemmas.analyser.parse(folded))
            if len(self._parses) < PARSE_CACHE_SIZE:
                self._parses[folded] = parses
        return parses

    def known(self, word: str) -> bool:
        """Whether the dictionary has ``word`` (not only a guess from its ending)."""
        return bool(self.lemmas.analyser.word_is_known(fold(word)))

    def lemma(self, word: str) -> str:
        """The likeliest lemma of ``word``, folded."""
        return self.lemmas.of(word)[0]


def _script(text: str) -> str:
    return "cyrillic" if _CYRILLIC.search(text) else "latin"


def _strip_piece(piece: str) -> tuple[int, int]:
    """Offsets of ``piece`` without surrounding spaces and quotes that do not close or open inside it."""
    start, end = 0, len(piece)
    while start < end and piece[start].isspace():
        start += 1
    while end > start and piece[end - 1].isspace():
        end -= 1
    if end > start and piece[end - 1] in _QUOTES_CLOSE and not any(q in piece[start:end] for q in "«„"):
        end -= 1
    if end > start and piece[start] in _QUOTES_OPEN and not any(q in piece[start:end] for q in "»“"):
        start += 1
    return start, end


def split_at_brackets(text: str, mention: Mention, normalise: Normalise) -> list[Mention]:
    """``mention`` cut into the names its brackets (and, for a person, commas) separate."""
    surface = mention.text
    if not any(c in surface for c in "(),;•·|"):
        return [mention]
    pieces = []
    for match in _PIECE.finditer(surface):
        a, b = _strip_piece(match.group())
        a, b = match.start() + a, match.start() + b
        piece = surface[a:b]
        if sum(c.isalpha() for c in piece) < 2 or not (piece[:1].isupper() or piece[:1] in _QUOTES_OPEN):
            continue
        pieces.append((a, b))
    if not pieces:
        return []
    commas = "," in surface or ";" in surface
    if mention.type == "ORG" and commas:
        return [mention]  # "Министерство ... по делам гражданской обороны, чрезвычайным ситуациям": one name
    if mention.type == "PER" and len(pieces) == 2 and not commas:
        first, second = (surface[a:b] for a, b in pieces)
        if " " not in second and _script(first) == _script(second):
            pieces = [
                (pieces[0][0], pieces[1][1] + (1 if surface[pieces[1][1] : pieces[1][1] + 1] == ")" else 0))
            ]
            # "Екатерина Аталык (Половникова)": a maiden name, one person
    out = []
    for a, b in pieces:
        start, end = mention.start + a, mention.start + b
        if (start, end) == (mention.start, mention.end):
            out.append(mention)
        else:
            piece = text[start:end]
            out.append(
                replace(mention, start=start, end=end, text=piece, normal=normalise(piece, mention.type))
            )
    return out


# Words an abbreviation skips ("Организация Договора о коллективной безопасности" is ОДКБ).
_FUNCTION_WORDS = frozenset(
    {"о", "об", "и", "по", "за", "на", "в", "во", "для", "при", "с", "со", "of", "the", "and", "for", "de"}
)
_BRACKETED_ABBREVIATION = re.compile(r"\(\s*([А-ЯЁA-Z]{2,6})\s*\)")
_NAME_WORDS_BACK = 10  # the longest name an abbreviation is looked for in, in words


def _content_initials(words: Sequence[str]) -> str:
    return "".join(fold(w)[0] for w in words if fold(w) not in _FUNCTION_WORDS)


def _expansion(text: str, abbreviation: str, before: int) -> tuple[int, int] | None:
    """The words right before ``before`` that ``abbreviation`` abbreviates, as offsets, or None.

    The name opens with a capital letter and the abbreviation's first letter; its words' initials (function
    words aside) come in the abbreviation in order ("Хмельницкой атомной электростанции": х, а, э in ХАЭС).
    """
    window = text[max(0, before - 160) : before]
    tail = re.search(r"[^.!?;:()«»\"\n]*$", window)
    words = list(_WORD.finditer(window, tail.start() if tail else 0))
    offset = before - len(window)
    wanted = fold(abbreviation)
    best = None
    for k in range(1, min(len(words), _NAME_WORDS_BACK) + 1):
        chosen = [m.group() for m in words[-k:]]
        first = chosen[0]
        initials = _content_initials(chosen)
        if not initials or not _subsequence(initials, wanted):
            break  # a longer name only adds initials
        if first[:1].isupper() and fold(first)[0] == wanted[0] and len(initials) * 2 >= len(wanted):
            best = (offset + words[-k].start(), offset + words[-1].end())
    if best and _script(text[best[0] : best[1]]) != _script(abbreviation):
        return None
    return best


def _subsequence(letters: str, wanted: str) -> bool:
    it = iter(wanted)
    return all(c in it for c in letters)


def link_abbreviations(
    segment: int, text: str, mentions: list[Mention], normalise: Normalise
) -> list[Mention]:
    """Abbreviations the text expands ("… безопасности (ОДКБ)"): the name and each use of the abbreviation
    are mentions of the body; a place inside the name is dropped."""
    expanded: dict[str, str] = {}
    out = list(mentions)
    for match in _BRACKETED_ABBREVIATION.finditer(text):
        abbreviation = match.group(1)
        name = _expansion(text, abbreviation, match.start())
        if name is None:
            continue
        start, end = name
        overlapping = [m for m in out if m.start < end and start < m.end]
        covering = [m for m in overlapping if m.start <= start and end <= m.end]
        if covering:
            expanded.setdefault(abbreviation, covering[0].type)
            continue
        if any(m.type != "LOC" or not (start <= m.start and m.end <= end) for m in overlapping):
            continue  # a mention across the name's edge: natasha read it otherwise
        out = [m for m in out if m not in overlapping]
        surface = text[start:end]
        out.append(Mention(segment, start, end, "ORG", surface, normalise(surface, "ORG")))
        expanded.setdefault(abbreviation, "ORG")
    if not expanded:
        return out
    at = {(m.start, m.end): i for i, m in enumerate(out)}
    added = []
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, expanded)) + r")(?![\w-])")
    for match in pattern.finditer(text):
        start, end = match.span()
        type_ = expanded[match.group()]
        if type_ not in ("ORG", "LOC"):
            continue
        i = at.get((start, end))
        if i is not None:
            if out[i].type != type_:
                out[i] = replace(out[i], type=type_, normal=match.group())
            continue
        if any(m.start < end and start < m.end for m in out):
            continue  # part of a longer mention ("СБ ООН")
        added.append(Mention(segment, start, end, type_, match.group(), match.group()))
    return out + added


def _lemma(morph: Morphology, word: str) -> str:
    return morph.lemma(word)


def _word_before(text: str, start: int) -> str:
    match = _BEFORE_WORD.search(text, max(0, start - 40), start)
    return match.group(1) if match else ""


def drop_kind_beside_name(text: str, mentions: list[Mention], morph: Morphology) -> list[Mention]:
    """Mentions without a lone kind noun ("движения") that a name follows ("движения «Левый фронт»")."""
    ordered = sorted(mentions, key=lambda m: m.start)
    drop = set()
    for here, after in pairwise(ordered):
        if here.type != "ORG" or after.type != "ORG" or " " in here.text:
            continue
        if _KIND_GAP.fullmatch(text[here.end : after.start]) and _lemma(morph, here.text) in KIND_NOUNS:
            drop.add(id(here))
    return [m for m in mentions if id(m) not in drop]


def _name_key(surface: str) -> str:
    """A name's first word without its case ending, to find it again ("«Атлантиса» STS-124", "Атлантис")."""
    word = _WORD.search(surface)
    folded = fold(word.group()) if word else fold(surface)
    return folded[: max(4, len(folded) - 2)]


def _genitive_only(surface: str, morph: Morphology) -> bool:
    """Whether a name's first word reads as a genitive and not as a nominative (an owner, not a name)."""
    word = _WORD.search(surface)
    if word is None or not _CYRILLIC.search(word.group()):
        return False
    cases = {str(p.tag.case) for p in morph.parse(word.group())}
    return "gent" in cases and "nomn" not in cases


def drop_named_things(text: str, mentions: list[Mention], morph: Morphology) -> list[Mention]:
    """Mentions without organisations that are the names of things ("шаттл «Дискавери»"), wherever the
    text names that thing again ("«Дискавери» совершил 39 полётов")."""
    things = set()
    for m in mentions:
        quoted = m.text[:1] in _QUOTES_OPEN or text[max(0, m.start - 1) : m.start] in _QUOTES_OPEN
        if m.type == "ORG" and quoted:  # "учения ОДКБ", "самолёт «Аэрофлота»"? the owner is in the genitive
            before = _word_before(text, m.start)
            if before and _lemma(morph, before) in THING_NOUNS and not _genitive_only(m.text, morph):
                things.add(_name_key(m.text))
    out = [
        m
        for m in mentions
        if m.type != "ORG"
        or not (
            any(not THING_NOUNS.isdisjoint(morph.lemmas.of(w)) for w in _WORD.findall(m.text)[:3])
            and _head_noun(m.text, morph) in THING_NOUNS
        )  # "Космический телескоп Хаббл": a thing's own noun heads the span
    ]
    if not things:
        return out
    return [m for m in out if m.type != "ORG" or _name_key(m.text) not in things]


_QUOTED = re.compile(r"«([^«»\n]{2,80})»")


def quoted_names_with_places(
    segment: int, text: str, mentions: list[Mention], morph: Morphology, normalise: Normalise
) -> list[Mention]:
    """A quoted name of capitalised words holding a place ("«Голос Америки»", "«Эхо Москвы»") as an ORG."""
    out = mentions
    for match in _QUOTED.finditer(text):
        start, end = match.span(1)
        inside = [m for m in out if m.start < end and start < m.end]
        before = _word_before(text, match.start())
        if (
            len(inside) == 1
            and inside[0].type in ("PER", "LOC")
            and (inside[0].start, inside[0].end) == (start, end)
            and before
            and before.islower()
            and morph.lemma(before) in KIND_NOUNS
        ):  # "команды «Феррари»", "партии «Родина»": the kind noun says it is a body
            out = [
                replace(m, type="ORG", normal=normalise(m.text, "ORG")) if m is inside[0] else m for m in out
            ]
            continue
        if not inside or any(m.type != "LOC" or m.start < start or m.end > end for m in inside):
            continue
        words = _WORD.findall(match.group(1))
        if not 2 <= len(words) <= 4 or not all(
            w[:1].isupper() for w in [words[0], *(w for w in words if len(w) > 3)]
        ):
            continue
        if (start, end) in {(m.start, m.end) for m in inside}:
            continue  # «Россия»: the quoted name is the place itself
        if before and _lemma(morph, before) in THING_NOUNS | PLAN_NOUNS:
            continue  # "программы «Развитие Крыма»", "комплекса «Защитникам Заполярья»"
        if not _may_be_nominative(words[0], morph):
            continue  # a dedication ("«Защитникам Заполярья»"), not a name
        surface = text[start:end]
        out = [m for m in out if m not in inside]
        out.append(Mention(segment, start, end, "ORG", surface, normalise(surface, "ORG")))
    return out


def _head_noun(surface: str, morph: Morphology) -> str:
    """The lemma of the first word of a name that is not an adjective ("Вашингтонском аэропорту": аэропорт)."""
    for word in _WORD.findall(surface):
        if not _CYRILLIC.search(word):
            return ""
        parses = morph.parse(word)
        if not parses or str(parses[0].tag.POS) not in ("ADJF", "PRTF"):
            return fold(parses[0].normal_form) if parses else ""
    return ""


def facilities_are_places(text: str, mentions: list[Mention], morph: Morphology) -> list[Mention]:
    """ORG mentions whose head noun is a facility's, as places (not after a kind noun: "издательства
    «Проспект»" is a publisher)."""
    return [
        replace(m, type="LOC")
        if m.type == "ORG"
        and any(not FACILITY_NOUNS.isdisjoint(morph.lemmas.of(w)) for w in _WORD.findall(m.text))
        and _head_noun(m.text, morph) in FACILITY_NOUNS
        and morph.lemma(_word_before(text, m.start) or "-") not in KIND_NOUNS
        else m
        for m in mentions
    ]


def _may_be_nominative(word: str, morph: Morphology) -> bool:
    """Whether a name's first word may stand in the nominative (a Latin or unknown word may)."""
    if not _CYRILLIC.search(word):
        return True
    return any(str(p.tag.case) == "nomn" or "Fixd" in p.tag.grammemes for p in morph.parse(word))


def _genitive(surface: str, morph: Morphology) -> bool:
    """Whether a place's first word may be in the genitive ("Таиланда"; a foreign "Того" or "Перу" too)."""
    word = _WORD.search(surface)
    if word is None or not _CYRILLIC.search(word.group()):
        return True
    parses = morph.parse(word.group())
    return any(str(p.tag.case) == "gent" or "Fixd" in p.tag.grammemes for p in parses)


def authorities_of_places(
    segment: int, text: str, mentions: list[Mention], morph: Morphology, normalise: Normalise
) -> list[Mention]:
    """An ORG mention for the authority noun right before a place ("власти Таиланда")."""
    added: list[Mention] = []
    for m in mentions:
        if m.type != "LOC" or not m.text[:1].isupper():
            continue
        match = _BEFORE_WORD.search(text, max(0, m.start - 40), m.start)
        if not match or text[match.end(1) : m.start] != " " or not match.group(1)[:1].islower():
            continue
        word = match.group(1)
        if not _AUTHORITY_LEMMAS.intersection(morph.lemmas.of(word)) or not _genitive(m.text, morph):
            continue  # most words before a place are no authority: their lemmas (cached) say so first
        parses = morph.parse(word)
        noun = next((p for p in parses if str(p.tag.POS) == "NOUN"), None)
        if noun is None:
            continue
        lemma = fold(noun.normal_form)
        start, end = match.start(1), match.end(1)
        if lemma not in AUTHORITY_NOUNS and (lemma,) not in AUTHORITY_PHRASES:
            continue
        previous = _BEFORE_WORD.search(text, max(0, start - 40), start)
        if previous and text[previous.end(1) : start] == " ":
            adjective = morph.parse(previous.group(1))
            if adjective and str(adjective[0].tag.POS) in ("ADJF", "PRTF") and previous.group(1).islower():
                start = previous.start(1)  # "правоохранительными органами", "шахматная федерация"
        if (lemma,) in AUTHORITY_PHRASES and start == match.start(1):
            continue  # "органы" alone may be a body's parts
        if any(o.start < end and start < o.end for o in mentions) or any(
            o.start < end and start < o.end for o in added
        ):
            continue
        surface = text[start:end]
        added.append(Mention(segment, start, end, "ORG", surface, normalise(surface, "ORG")))
    return mentions + added
