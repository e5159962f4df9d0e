"""Word lemmas and phrase lookup shared by the topic taxonomy and the country names.

A text is cut into words, each with every lemma it may have (pymorphy3 parses for Cyrillic, a snowball
stem for Latin); a phrase of the taxonomy or country list matches a run of words when each of its words'
lemma is among the lemmas of the word at that place. ``нарко*`` matches any lemma starting with ``нарко``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# Letters and digits, without the underscore; hyphens and apostrophes split words ("Гвинея-Бисау",
# "Kazakhstan's"), and phrases are split the same way, so they still match as sequences.
WORD_RE = re.compile(r"[^\W_]+")
CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN_RE = re.compile(r"[a-z]+")
SENTENCE_END = frozenset(".!?…\n")
# Distinct word forms remembered: a year of releases from ~30 sources has ~300k of them.
LEMMA_CACHE_SIZE = 500_000
# A word form and its lemma share their first letters (inflection is suffixal, stemming cuts suffixes): a form
# whose first HEAD_CHARS letters start no phrase is not lemmatised. Cut the cold-cache topic pass over the
# kremlin.ru corpus from 1.7 s to 0.5 s. (Suppletive forms, "людей" -> "человек", are missed: no terms use them.)
HEAD_CHARS = 3
# pymorphy3 tags of proper nouns: for a capitalised word of a phrase ("Того", "Чад") these parses give
# the key, not the likelier common word ("тот", "чадо").
PROPER_TAGS = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn", "Trad"})


def fold(text: str) -> str:
    """Lower-case, NFKC, ё→е: the form words are compared in."""
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def _russian_analyser() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


class Lemmas:
    """Every lemma of a word form, cached; pymorphy3 (or ``load_analyser()``) and snowball load on first use."""

    def __init__(self, load_analyser: Callable[[], Any] | None = None) -> None:
        self._load_analyser = load_analyser or _russian_analyser
        self._morph: Any = None
        self._stemmer: Any = None
        self._cache: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    @property
    def analyser(self) -> Any:
        """The pymorphy3 analyser (Russian), loaded on first use: ~0.1 s, ~50 MB."""
        with self._lock:
            if self._morph is None:
                self._morph = self._load_analyser()
            return self._morph

    def _stem(self, word: str) -> str:
        with self._lock:
            if self._stemmer is None:
                import snowballstemmer

                self._stemmer = snowballstemmer.stemmer("english")
        return str(self._stemmer.stemWord(word))

    def of(self, word: str) -> tuple[str, ...]:
        """Folded lemmas of ``word``, the likeliest first, then the folded form itself."""
        cached = self._cache.get(word)  # keyed by the form as written: folding costs more than the lookup
        if cached is not None:
            return cached
        folded = fold(word)
        if CYRILLIC_RE.search(folded):
            lemmas = [fold(p.normal_form) for p in self.analyser.parse(folded)]
        elif LATIN_RE.fullmatch(folded):
            lemmas = [self._stem(folded)]
        else:
            lemmas = []
        result = tuple(dict.fromkeys([*lemmas, folded]))
        if len(self._cache) < LEMMA_CACHE_SIZE:
            self._cache[word] = result
        return result

    def key(self, word: str) -> str:
        """The one lemma a phrase's word is looked up by: a proper noun's own when it is capitalised."""
        folded = fold(word)
        if word[:1].isupper() and CYRILLIC_RE.search(folded):
            for parse in self.analyser.parse(folded):
                if PROPER_TAGS & parse.tag.grammemes:
                    return fold(parse.normal_form)
        return self.of(word)[0]


class Words:
    """The words of a text; offsets are worked out only when a phrase was found (most words match none)."""

    __slots__ = ("_spans", "forms", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.forms: list[str] = WORD_RE.findall(text)
        self._spans: list[tuple[int, int]] | None = None

    def __len__(self) -> int:
        return len(self.forms)

    def span(self, i: int) -> tuple[int, int]:
        """Offsets of word ``i`` in the text."""
        if self._spans is None:
            self._spans = [m.span() for m in WORD_RE.finditer(self.text)]
        return self._spans[i]

    def opens_sentence(self, i: int) -> bool:
        """Whether word ``i`` is the first of the text or follows a sentence end or a line break."""
        if i == 0:
            return True
        return not SENTENCE_END.isdisjoint(self.text[self.span(i - 1)[1] : self.span(i)[0]])


@dataclass(frozen=True, slots=True)
class _Phrase(Generic[T]):
    text: str
    keys: tuple[tuple[str, bool], ...]  # (lemma or prefix, is_prefix) per word
    value: T


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    """A phrase found in a text: its words ``first`` to ``last`` inclusive."""

    first: int
    last: int
    phrase: str
    value: T


def _matches(key: tuple[str, bool], lemmas: tuple[str, ...]) -> bool:
    word, is_prefix = key
    if is_prefix:
        return any(lemma.startswith(word) for lemma in lemmas)
    return word in lemmas


class PhraseIndex(Generic[T]):
    """Phrases (one or more words, ``*`` suffix for a prefix) looked up by lemma in texts."""

    def __init__(self, lemmas: Lemmas) -> None:
        self._lemmas = lemmas
        self._by_first: dict[str, list[_Phrase[T]]] = {}
        self._prefixed: list[_Phrase[T]] = []  # phrases whose first word is a prefix: tried everywhere
        self._candidates: dict[str, tuple[_Phrase[T], ...]] = {}  # phrases that may start at a word form
        self._heads: set[str] = set()  # the first letters of every first word: other forms are not parsed

    def add(self, phrase: str, value: T) -> bool:
        """Index ``phrase``; False when it has no words."""
        keys = []
        for word in re.findall(r"[^\W_]+\*?", phrase):
            if word.endswith("*"):
                keys.append((fold(word[:-1]), True))
            else:
                keys.append((self._lemmas.key(word), False))
        if not keys:
            return False
        entry = _Phrase(phrase, tuple(keys), value)
        self._heads.add(keys[0][0][:HEAD_CHARS])
        if keys[0][1]:
            self._prefixed.append(entry)
        else:
            self._by_first.setdefault(keys[0][0], []).append(entry)
        self._candidates.clear()
        return True

    def _starting_at(self, form: str) -> tuple[_Phrase[T], ...]:
        found = self._candidates.get(form)
        if found is not None:
            return found
        if fold(form)[:HEAD_CHARS] not in self._heads:
            found = ()
        else:
            lemmas = self._lemmas.of(form)
            candidates = [p for lemma in lemmas for p in self._by_first.get(lemma, ())]
            candidates += [p for p in self._prefixed if _matches(p.keys[0], lemmas)]
            found = tuple(dict.fromkeys(candidates))  # a word with two lemmas may reach a phrase twice
        if len(self._candidates) < LEMMA_CACHE_SIZE:
            self._candidates[form] = found
        return found

    def find(self, words: Words) -> list[Hit[T]]:
        """Every occurrence of every phrase (overlapping ones included)."""
        hits: list[Hit[T]] = []
        forms, lemmas_of, starting_at = words.forms, self._lemmas.of, self._starting_at
        for i, form in enumerate(forms):
            for phrase in starting_at(form):
                last = i + len(phrase.keys) - 1
                if last < len(forms) and all(
                    _matches(key, lemmas_of(forms[i + k])) for k, key in enumerate(phrase.keys[1:], 1)
                ):
                    hits.append(Hit(i, last, phrase.text, phrase.value))
        return hits


def longest_per_group(hits: Iterable[Hit[T]], group: Callable[[T], Hashable]) -> list[Hit[T]]:
    """Hits that no longer hit of the same group overlaps, in text order ("Южная Корея" over "Корея")."""
    taken: dict[Hashable, set[int]] = {}  # word positions already covered, per group
    kept = []
    for hit in sorted(hits, key=lambda h: (h.first - h.last, h.first)):
        covered = taken.setdefault(group(hit.value), set())
        positions = range(hit.first, hit.last + 1)
        if covered.isdisjoint(positions):
            covered.update(positions)
            kept.append(hit)
    return sorted(kept, key=lambda h: h.first)
