"""Named entities (PER, ORG, LOC) per language behind one protocol; natasha for Russian.

Normal forms come from pymorphy3 with case agreement inside the span (``normalise``), not from natasha's
morphology tagger: measured on the 125 kremlin.ru releases, NER alone took 8.2 s on one core and the
morphology tagger another 10.2 s, while these rules take ~0.5 s, and natasha's ORG normal forms without its
syntax parser inflect every word ("Совет Безопасность"). natasha's NER model runs through
``osiwire.enrich.ner.NewsNER`` (the same spans, about three times faster than natasha's own loop). NER is
measured on factRuEval in tests/test_ner_quality.py.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from osiwire.enrich.lexicon import Lemmas
from osiwire.model import Mention

if TYPE_CHECKING:
    from osiwire.enrich.entity_rules import EntityRules
    from osiwire.enrich.ner import NewsNER

logger = logging.getLogger(__name__)

# Longer texts are cut (at a sentence end when there is one) and tagged in pieces: slovnet builds a
# (tokens x 990) float matrix per text, so one 1 MB paragraph would take ~800 MB. kremlin.ru paragraphs are
# at most 1,651 characters; a piece of 5,000 is ~900 tokens.
MAX_PIECE_CHARS = 5_000
_PIECE_BREAK = re.compile(r"[.!?…]\s+|\n")
TRIM_AFTER = "!?,;:"  # slovnet sometimes takes a following punctuation mark into the span ("РСПП!")
# Distinct (type, text) spans whose normal form is remembered; names recur across releases.
NORMAL_CACHE_SIZE = 200_000
_NAME_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")  # "Санкт-Петербурге" is one word to pymorphy3
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
CASES = frozenset({"nomn", "gent", "datv", "accs", "ablt", "loct"})
INFLECTABLE = frozenset({"NOUN", "ADJF", "PRTF"})
NAME_TAGS = frozenset({"Name", "Surn", "Patr"})
# A name reading of a person's word is preferred over a likelier common-noun one ("Путина": Surn, not
# the noun "путина"); not required, since pymorphy3 lacks many surnames ("Паслером").
NAME_BONUS = 0.5
# pymorphy3 often ranks a plural nominative first for genitive singulars ("Федерации", "Республики");
# names are singular far more often. A word with no parse in the chosen case costs MISSING_PENALTY.
SINGULAR_BONUS = 0.5
MISSING_PENALTY = 1.0
# Breaks ties between a man's oblique case and a woman's ("Алиеву": dative of Алиев or accusative of
# Алиева): officials named in releases are mostly men, and a woman's first name outweighs it.
MASCULINE_BONUS = 0.2
# Surnames pymorphy3 does not know are parsed as adjectives ("Ситниковым" -> "ситниковый").
_SURNAME_AS_ADJECTIVE = ("овый", "евый", "ёвый", "иный", "ыный")


@runtime_checkable
class EntityExtractor(Protocol):
    """Finds PER/ORG/LOC mentions in texts of one language."""

    language: str

    def extract(self, text: str, segment: int) -> list[Mention]:
        """Mentions in ``text`` (offsets into it), tagged with ``segment``."""
        ...

    def extract_many(self, texts: Sequence[tuple[int, str]]) -> list[Mention]:
        """Mentions in several (segment, text) pairs at once: faster than one call each."""
        ...


def _pieces(text: str) -> list[tuple[int, str]]:
    """``text`` cut into (offset, piece) of at most MAX_PIECE_CHARS, preferably after a sentence."""
    out: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > MAX_PIECE_CHARS:
        window = text[start : start + MAX_PIECE_CHARS]
        breaks = [m.end() for m in _PIECE_BREAK.finditer(window)]
        cut = breaks[-1] if breaks else (window.rfind(" ") + 1 or MAX_PIECE_CHARS)
        out.append((start, window[:cut]))
        start += cut
    out.append((start, text[start:]))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and (text[end - 1].isspace() or text[end - 1] in TRIM_AFTER):
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _agreement(parse: Any) -> tuple[str, str, str]:
    """(case, number, gender); gender "*" where it does not constrain (plural, common or fixed)."""
    tag = parse.tag
    gender = str(tag.gender) if tag.gender and str(tag.number) == "sing" else "*"
    if "ms-f" in tag.grammemes or "Fixd" in tag.grammemes:
        gender = "*"
    return str(tag.case), str(tag.number), gender


def _fits(parse: Any, key: tuple[str, str, str]) -> bool:
    case, number, gender = _agreement(parse)
    return case == key[0] and number == key[1] and ("*" in (gender, key[2]) or gender == key[2])


def _weight(parse: Any, person: bool) -> float:
    """pymorphy3's score, raised for name readings of a person's words."""
    named = person and not NAME_TAGS.isdisjoint(parse.tag.grammemes)
    return float(parse.score) + (NAME_BONUS if named else 0.0)


def _words_to_inflect(text: str, type_: str, analyser: Any) -> list[re.Match[str]]:
    """Every name word of a person; for places and organisations the words up to the head noun."""
    out = []
    for match in _NAME_WORD.finditer(text):
        word = match.group()
        if len(word) < 2 or not _CYRILLIC.search(word):
            continue  # initials ("Н.П."), Latin names
        if type_ == "PER":
            if word[0].isupper():
                out.append(match)
            continue
        if any(q in text[: match.start()] for q in '«"„') or (word.isupper() and len(word) > 1):
            break  # a quoted name or an abbreviation is not inflected ("госкорпорации «Роскосмос»", "РСПП")
        out.append(match)
        if not any(str(p.tag.POS) in ("ADJF", "PRTF") for p in analyser.parse(word.lower())):
            break  # the head noun: what follows is governed by it ("Министерства иностранных дел")
    return out


def _nominative(word: str, parse: Any, person: bool) -> str:
    lemma = str(parse.normal_form)
    if person and str(parse.tag.POS) == "ADJF" and lemma.endswith(_SURNAME_AS_ADJECTIVE):
        new = lemma[:-2] + ("а" if str(parse.tag.gender) == "femn" else "")
    else:
        form = parse.inflect({"nomn"})  # None for some guessed words ("Паслером"): their lemma is nominative
        new = str(form.word) if form else lemma
    if word.isupper() and len(word) > 1:
        return new.upper()
    if word[:1].isupper():
        parts, new_parts = word.split("-"), new.split("-")
        if len(parts) == len(new_parts):
            return "-".join(
                n.capitalize() if o[:1].isupper() else n for o, n in zip(parts, new_parts, strict=True)
            )
        return new.capitalize()
    return new


def normalise(text: str, type_: str, analyser: Any) -> str:
    """The span in the nominative ("Николая Патрушева" -> "Николай Патрушев", "Совета Безопасности" ->
    "Совет Безопасности"), agreeing case, number and gender across the inflected words."""
    person = type_ == "PER"
    words = _words_to_inflect(text, type_, analyser)
    candidates = []
    for match in words:
        parses = [
            p
            for p in analyser.parse(match.group().lower())
            if str(p.tag.case) in CASES and str(p.tag.POS) in INFLECTABLE
        ]
        candidates.append(parses)
    keys = {_agreement(p) for parses in candidates for p in parses}
    if person:
        keys = {k for k in keys if k[1] == "sing"}
    best: tuple[float, tuple[str, str, str]] | None = None
    for key in sorted(keys):
        score = SINGULAR_BONUS * len(words) if key[1] == "sing" else 0.0
        if person and key[2] == "masc":
            score += MASCULINE_BONUS * len(words)
        for parses in candidates:
            fitting = [_weight(p, person) for p in parses if _fits(p, key)]
            score += max(fitting) if fitting else -MISSING_PENALTY
        if best is None or score > best[0]:
            best = (score, key)
    if best is None or best[1][0] == "nomn":
        return text
    from osiwire.enrich.morphology import base_form  # the surname endings shared with osiwire.enrich.names

    case, _, gender = best[1]
    out, position = [], 0
    for match, parses in zip(words, candidates, strict=True):
        fitting = [p for p in parses if _fits(p, best[1])]
        if fitting:
            new = _nominative(match.group(), max(fitting, key=lambda p: _weight(p, person)), person)
        elif person:  # a surname pymorphy3 cannot inflect ("Засем" -> "Зась")
            new = base_form(match.group(), "Surn", case, "" if gender == "*" else gender)
        else:
            continue
        out.append(text[position : match.start()])
        out.append(new)
        position = match.end()
    out.append(text[position:])
    return "".join(out)


class NatashaExtractor:
    """Russian NER with natasha's news model (navec + slovnet), loaded on first use (~1 s, ~260 MB)."""

    language = "ru"

    def __init__(self, lemmas: Lemmas | None = None, *, rules: bool = True) -> None:
        """``rules``: apply enrich/entity_rules.py to natasha's mentions (off: natasha alone, to compare)."""
        self.lemmas = lemmas or Lemmas()
        self.use_rules = rules
        self._lock = threading.Lock()
        self._ner: NewsNER | None = None
        self._threads: Any = None
        self._normal: dict[tuple[str, str], str] = {}
        self._rules: EntityRules | None = None

    def _load(self) -> tuple[NewsNER, Any]:
        with self._lock:
            if self._ner is None:
                with warnings.catch_warnings():  # navec/slovnet/pymorphy2 may warn on import (old APIs)
                    warnings.simplefilter("ignore")
                    from natasha import NewsEmbedding, NewsNERTagger
                    from threadpoolctl import ThreadpoolController

                    from osiwire.enrich.ner import NewsNER

                self._threads = ThreadpoolController()
                self._ner = NewsNER(NewsNERTagger(NewsEmbedding()))
                logger.info("natasha NER model loaded")
            return self._ner, self._threads

    def _normalise(self, text: str, type_: str) -> str:
        key = (type_, text)
        normal = self._normal.get(key)
        if normal is None:
            normal = normalise(text, type_, self.lemmas.analyser)
            if len(self._normal) < NORMAL_CACHE_SIZE:
                self._normal[key] = normal
        return normal

    def extract(self, text: str, segment: int) -> list[Mention]:
        return self.extract_many([(segment, text)])

    def extract_many(self, texts: Sequence[tuple[int, str]]) -> list[Mention]:
        pieces = [
            (segment, text, offset, piece)
            for segment, text in texts
            for offset, piece in _pieces(text)
            if piece.strip()
        ]
        if not pieces:
            return []
        ner, threads = self._load()
        # One BLAS thread: natasha ran 4-5x slower and erratically with numpy's default threading.
        with threads.limit(limits=1):
            found = ner.spans([p[3] for p in pieces])
        by_segment: dict[int, list[Mention]] = {segment: [] for segment, _ in texts}
        for (segment, text, offset, _), spans in zip(pieces, found, strict=True):
            for span_start, span_stop, type_ in spans:
                start, end = _trim(text, offset + span_start, offset + span_stop)
                if start < end:
                    surface = text[start:end]
                    normal = self._normalise(surface, type_)
                    by_segment[segment].append(Mention(segment, start, end, type_, surface, normal))
        if self.use_rules:
            rules = self.rules
            mentions = [
                m
                for segment, text in texts
                if text.strip()
                for m in rules.apply(segment, text, by_segment[segment], self._normalise)
            ]
        else:
            mentions = [m for found_in in by_segment.values() for m in found_in]
        mentions.sort(key=lambda m: (m.segment, m.start))
        return mentions

    @property
    def rules(self) -> EntityRules:
        """The rules over natasha's mentions (entity_rules), compiled on first use."""
        with self._lock:
            if self._rules is None:
                from osiwire.enrich.entity_rules import EntityRules

                self._rules = EntityRules(self.lemmas)
            return self._rules


ExtractorFactory = Callable[[Lemmas], EntityExtractor]


# Languages with an extractor; add one here (or ExtractorRegistry.register) to plug a language in.
def _english(lemmas: Lemmas) -> EntityExtractor:
    from osiwire.enrich.english import EnglishPeopleExtractor  # rules only: PER next to titles and in lists

    return EnglishPeopleExtractor()


BUILTIN_EXTRACTORS: Mapping[str, ExtractorFactory] = MappingProxyType(
    {"ru": NatashaExtractor, "en": _english}
)


def _base_language(lang: str) -> str:
    return lang.split("-")[0].split("_")[0].lower()


class ExtractorRegistry:
    """One extractor per language, created on first request and kept (models load once)."""

    def __init__(
        self, factories: Mapping[str, ExtractorFactory] | None = None, lemmas: Lemmas | None = None
    ) -> None:
        self.lemmas = lemmas or Lemmas()
        self._factories = dict(BUILTIN_EXTRACTORS if factories is None else factories)
        self._extractors: dict[str, EntityExtractor] = {}
        self._missing: set[str] = set()
        self._lock = threading.Lock()

    def register(self, lang: str, factory: ExtractorFactory) -> None:
        """Use ``factory`` for ``lang`` from now on."""
        with self._lock:
            base = _base_language(lang)
            self._factories[base] = factory
            self._extractors.pop(base, None)
            self._missing.discard(base)

    def extractor_for(self, lang: str) -> EntityExtractor | None:
        """The extractor for ``lang``, or None (logged once per language) when there is none."""
        base = _base_language(lang)
        with self._lock:
            extractor = self._extractors.get(base)
            if extractor is None and base in self._factories:
                extractor = self._extractors[base] = self._factories[base](self.lemmas)
            if extractor is None and base not in self._missing:
                self._missing.add(base)
                logger.info("no entity extractor for language %r: its texts get no mentions", lang)
            return extractor


def extractor_for(lang: str, lemmas: Lemmas | None = None) -> EntityExtractor | None:
    """A new extractor for ``lang`` (its model loads on first use), or None; keep it, or use a registry."""
    factory = BUILTIN_EXTRACTORS.get(_base_language(lang))
    return factory(lemmas or Lemmas()) if factory else None
