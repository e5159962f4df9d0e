"""The glossary: terms that must come out of translation exactly as listed ("ОДКБ" → "CSTO").

Terms come from the bundled ``osiwire/data/glossary.toml``, the user's file on top of it, and, per article,
from later stages through ``Glossary.with_terms`` (canonical English names of the people a release mentions).

Matching is word by word. Russian words are compared on their dictionary forms (pymorphy3, every parse of the
word counts), so "Совета Безопасности Российской Федерации" matches the term "Совет Безопасности Российской
Федерации" and "Патрушеву" matches "Патрушев"; other languages compare case-folded words and rely on the
term's listed ``forms``. Words of one term may be separated by spaces or hyphens only. Capitalised term words
need capitalised text words (the capital marks the proper name: "Совет Федерации", not "совет федерации"),
and all-capital acronyms need the acronym as written ("МИД", "МИДа"). Overlapping matches: the longest wins.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from osiwire.config import TranslateConfig
from osiwire.errors import ConfigError
from osiwire.extract.normalise import normalise_text

# The user's glossary in the data directory, read on top of the bundled one (``osiwire/data/glossary.toml``).
USER_GLOSSARY = "glossary.toml"
# pymorphy3 ships Russian dictionaries only; other languages match on the words as written plus ``forms``.
LEMMATISED_LANGUAGES = frozenset({"ru"})
# Distinct word forms whose dictionary forms are kept: a year of releases has ~300k, a glossary a few hundred;
# past the cap forms are still analysed, just not cached.
LEMMA_CACHE_SIZE = 300_000
# Case of a term word that the text word must share.
ANY_CASE, CAPITALISED, ACRONYM = "any", "capitalised", "acronym"

_WORD = re.compile(r"\w+")
# Spaces and hyphens join the words of a term; dashes and punctuation do not ("Патрушев – Секретарь").
_JOINER = re.compile(r"[\s\-‐‑]+")
_CYRILLIC = re.compile(r"[а-яё]")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
_LEADING_QUOTES = "\"'«“‘(["


@dataclass(frozen=True, slots=True)
class Term:
    """A source term and the exact target it must be translated as."""

    source: str
    target: str  # "" in a user file: remove this term
    source_lang: str
    target_lang: str
    forms: tuple[str, ...] = ()  # other spellings of the source ("Совбез России")
    origin: str = "bundled"  # a file path, "bundled", or the stage that added it ("enrich")


@dataclass(frozen=True, slots=True)
class TermMatch:
    """Where a term occurs in a sentence: ``sentence[start:end] == text``."""

    term: Term
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class _Word:
    lemmas: frozenset[str]
    surface: str
    case: str  # ANY_CASE | CAPITALISED | ACRONYM


@dataclass(frozen=True, slots=True)
class _Pattern:
    term: Term
    words: tuple[_Word, ...]


class Lemmas:
    """Dictionary forms of words (Russian through pymorphy3, loaded on first use), cached per word form."""

    def __init__(self) -> None:
        self._morph: Any = None
        self._cache: dict[str, frozenset[str]] = {}
        self._lock = threading.Lock()

    def _analyser(self) -> Any:
        with self._lock:
            if self._morph is None:
                import pymorphy3  # ~0.1 s and ~50 MB: only when a Russian sentence is first matched

                self._morph = pymorphy3.MorphAnalyzer(lang="ru")
            return self._morph

    def of(self, word: str, lang: str) -> frozenset[str]:
        """Every dictionary form ``word`` may have in ``lang`` (folded), the folded word included."""
        folded = normalise_text(word)
        if lang not in LEMMATISED_LANGUAGES or not _CYRILLIC.search(folded):
            return frozenset((folded,))
        cached = self._cache.get(folded)
        if cached is not None:
            return cached
        parses = self._analyser().parse(folded)
        result = frozenset({folded, *(normalise_text(p.normal_form) for p in parses)})
        if len(self._cache) < LEMMA_CACHE_SIZE:
            self._cache[folded] = result
        return result


def _case_of(word: str) -> str:
    if len(word) > 1 and word.isupper():
        return ACRONYM
    return CAPITALISED if word[:1].isupper() else ANY_CASE


def _key(term: Term) -> tuple[str, str, str]:
    return term.source_lang, term.target_lang, normalise_text(term.source)


def contains_term(text: str, target: str) -> bool:
    """Whether ``target`` occurs in ``text`` as written (capitalised when it opens the sentence)."""
    if target in text:
        return True
    opening = text.lstrip(_LEADING_QUOTES)
    return target[:1].islower() and opening.startswith(target[:1].upper() + target[1:])


class Glossary:
    """Terms per language pair, with matching that sees through Russian inflection."""

    def __init__(self, terms: Iterable[Term] = (), lemmas: Lemmas | None = None) -> None:
        merged: dict[tuple[str, str, str], Term] = {}
        for term in terms:  # later terms replace earlier ones; an empty target removes the term
            merged.pop(_key(term), None)
            if term.target:
                merged[_key(term)] = term
        self._terms = tuple(merged.values())
        self._lemmas = lemmas or Lemmas()
        self._indexes: dict[tuple[str, str], dict[str, list[_Pattern]]] = {}

    @property
    def terms(self) -> tuple[Term, ...]:
        return self._terms

    def __len__(self) -> int:
        return len(self._terms)

    def terms_for(self, source_lang: str, target_lang: str) -> tuple[Term, ...]:
        """The terms of one language pair."""
        return tuple(t for t in self._terms if (t.source_lang, t.target_lang) == (source_lang, target_lang))

    def merged_with(self, terms: Iterable[Term]) -> Glossary:
        """A glossary with ``terms`` added on top (same source: theirs wins; target "": removed)."""
        return Glossary((*self._terms, *terms), self._lemmas)

    def with_terms(
        self, extra: Mapping[str, str], origin: str, source_lang: str = "ru", target_lang: str = "en"
    ) -> Glossary:
        """A glossary with ``extra`` (source → exact target, e.g. "Патрушев" → "Patrushev") added on top."""
        return self.merged_with(Term(s, t, source_lang, target_lang, origin=origin) for s, t in extra.items())

    def _index(self, source_lang: str, target_lang: str) -> dict[str, list[_Pattern]]:
        index = self._indexes.get((source_lang, target_lang))
        if index is None:
            index = {}
            for term in self.terms_for(source_lang, target_lang):
                for spelling in (term.source, *term.forms):
                    words = tuple(
                        _Word(self._lemmas.of(w, source_lang), w, _case_of(w))
                        for w in _WORD.findall(spelling)
                    )
                    if words:
                        for lemma in words[0].lemmas:
                            index.setdefault(lemma, []).append(_Pattern(term, words))
            self._indexes[(source_lang, target_lang)] = index
        return index

    def find(self, sentence: str, source_lang: str, target_lang: str) -> list[TermMatch]:
        """The terms in ``sentence``, longest first where they overlap, in sentence order."""
        index = self._index(source_lang, target_lang)
        if not index:
            return []
        tokens = list(_WORD.finditer(sentence))
        lemmas = [self._lemmas.of(t.group(), source_lang) for t in tokens]
        candidates: list[tuple[int, int, Term]] = []  # (first token, word count, term)
        for i, word_lemmas in enumerate(lemmas):
            seen: set[int] = set()
            for lemma in word_lemmas:
                for pattern in index.get(lemma, ()):
                    if id(pattern) not in seen and _matches_at(pattern, sentence, tokens, lemmas, i):
                        seen.add(id(pattern))
                        candidates.append((i, len(pattern.words), pattern.term))
        candidates.sort(key=lambda c: (-c[1], c[0]))
        taken = [False] * len(tokens)
        found: list[TermMatch] = []
        for first, count, term in candidates:
            if any(taken[first : first + count]):
                continue
            taken[first : first + count] = [True] * count
            start, end = tokens[first].start(), tokens[first + count - 1].end()
            found.append(TermMatch(term, start, end, sentence[start:end]))
        return sorted(found, key=lambda m: m.start)

    def missing(self, source: str, target: str, source_lang: str, target_lang: str) -> list[Term]:
        """The terms of ``source`` whose exact target is not in its translation ``target``."""
        terms = dict.fromkeys(m.term for m in self.find(source, source_lang, target_lang))
        return [t for t in terms if not contains_term(target, t.target)]


def _matches_at(
    pattern: _Pattern, sentence: str, tokens: list[re.Match[str]], lemmas: list[frozenset[str]], first: int
) -> bool:
    if first + len(pattern.words) > len(tokens):
        return False
    for k, word in enumerate(pattern.words):
        token = tokens[first + k]
        if k and not _JOINER.fullmatch(sentence[tokens[first + k - 1].end() : token.start()]):
            return False
        if not word.lemmas & lemmas[first + k]:
            return False
        surface = token.group()
        if word.case == ACRONYM and not surface.startswith(word.surface):
            return False
        if word.case == CAPITALISED and not surface[:1].isupper():
            return False
    return True


def _check_lang(value: Any, origin: str, what: str) -> str:
    if not isinstance(value, str) or not _LANGUAGE_CODE.fullmatch(value):
        raise ConfigError(f"{origin}: {what} must be an ISO 639-1 code such as 'ru', not {value!r}")
    return value


def _term_tables(entries: Any, origin: str) -> list[Term]:
    if not isinstance(entries, list):
        raise ConfigError(f"{origin}: [[term]] must be a list of tables")
    terms = []
    for n, entry in enumerate(entries, 1):
        where = f"{origin}: term {n}"
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), str):
            raise ConfigError(f'{where}: needs source = "..."')
        if not isinstance(entry.get("target"), str):
            raise ConfigError(f'{where} ({entry["source"]!r}): needs target = "..."')
        unknown = set(entry) - {"source", "target", "source_lang", "target_lang", "forms"}
        forms = entry.get("forms", [])
        if unknown or not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
            raise ConfigError(f"{where}: only source, target, source_lang, target_lang and a list of forms")
        source_lang = _check_lang(entry.get("source_lang"), where, "source_lang")
        target_lang = _check_lang(entry.get("target_lang", "en"), where, "target_lang")
        terms.append(Term(entry["source"], entry["target"], source_lang, target_lang, tuple(forms), origin))
    return terms


def parse_glossary(text: str, origin: str) -> list[Term]:
    """The terms of a glossary file's text (``origin`` names it in errors); raises ConfigError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML: {exc}") from exc
    terms: list[Term] = []
    for source_lang, pairs in data.items():
        if source_lang == "term":
            terms.extend(_term_tables(pairs, origin))
            continue
        _check_lang(source_lang, origin, "a table name")
        if not isinstance(pairs, dict):
            raise ConfigError(f"{origin}: [{source_lang}] must hold tables such as [{source_lang}.en]")
        for target_lang, table in pairs.items():
            _check_lang(target_lang, origin, f"[{source_lang}.{target_lang}]")
            if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
                raise ConfigError(
                    f'{origin}: [{source_lang}.{target_lang}] must hold "source" = "target" lines'
                )
            terms.extend(Term(s, t, source_lang, target_lang, origin=origin) for s, t in table.items())
    for term in terms:
        if not _WORD.search(term.source):
            raise ConfigError(f"{origin}: term {term.source!r} has no words")
    return terms


def bundled_terms() -> list[Term]:
    """The terms of the glossary that ships with osiwire."""
    text = resources.files("osiwire").joinpath("data", "glossary.toml").read_text(encoding="utf-8")
    return parse_glossary(text, "bundled")


def load_glossary(cfg: TranslateConfig, data_dir: Path, lemmas: Lemmas | None = None) -> Glossary:
    """The bundled glossary with the user's on top: ``cfg.glossary_file`` (relative to ``data_dir``) or
    ``<data_dir>/glossary.toml`` when it exists."""
    terms = bundled_terms()
    path = data_dir / (cfg.glossary_file or USER_GLOSSARY)  # an absolute glossary_file replaces data_dir
    if cfg.glossary_file and not path.is_file():
        raise ConfigError(f"translate.glossary_file: {path} does not exist")
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the glossary: {exc}") from exc
        terms.extend(parse_glossary(text, str(path)))
    return Glossary(terms, lemmas)
