"""The search query language, parsed once and rendered for each backend.

Words are ANDed; ``"a phrase"``; ``a OR b``; ``-word`` excludes; ``prefix*`` matches by prefix.
Words are lemmatised so that ``Москва`` finds ``в Москве``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from osiwire.errors import OsiwireError
from osiwire.store.textindex import TOKEN_RE, Lemmatiser, fold

QUERY_TOKEN_RE = re.compile(r'(-?)"([^"]*)"|(\S+)')
MAX_TERMS = 32  # longer queries are almost always pasted text; cap the work


class QueryError(OsiwireError):
    """A search query that cannot be understood."""


@dataclass(frozen=True, slots=True)
class Term:
    """One word, phrase or prefix, already in index form."""

    lemmas: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """AND of OR-groups of terms, minus excluded terms."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups

    def positive_terms(self) -> list[Term]:
        return [t for group in self.groups for t in group]


def _term(text: str, lemmatiser: Lemmatiser, prefix: bool) -> Term | None:
    words = TOKEN_RE.findall(text)
    if not words:
        return None
    if prefix:
        return Term(tuple(fold(w) for w in words), prefix=True)
    return Term(tuple(lemmatiser.lemma(w) for w in words))


def parse_query(text: str, lemmatiser: Lemmatiser) -> Query:
    """Parse a user's query; an empty one matches everything."""
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    count = 0
    for match in QUERY_TOKEN_RE.finditer(text):
        negate, phrase, word = match.group(1) == "-", match.group(2), match.group(3)
        if word == "OR":
            join_next = bool(groups)
            continue
        if phrase is None:
            negate = word.startswith("-") and len(word) > 1
            word = word[1:] if negate else word
        raw = phrase if phrase is not None else word
        prefix = phrase is None and raw.endswith("*")
        term = _term(raw.rstrip("*") if prefix else raw, lemmatiser, prefix)
        if term is None:
            continue
        count += 1
        if count > MAX_TERMS:
            raise QueryError(f"query {text[:60]!r}: more than {MAX_TERMS} terms")
        if negate:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if excluded and not groups:
        raise QueryError(f"query {text!r}: only exclusions; add a word to search for")
    return Query(tuple(tuple(g) for g in groups), tuple(excluded))


def _fts5_term(term: Term) -> str:
    # Lemmas are \w+ tokens, so they never contain a double quote.
    phrase = '"' + " ".join(term.lemmas) + '"'
    return phrase + "*" if term.prefix else phrase


def to_fts5(query: Query) -> str:
    """Render for SQLite FTS5 MATCH."""
    expr = " AND ".join("(" + " OR ".join(_fts5_term(t) for t in g) + ")" for g in query.groups)
    for term in query.excluded:
        expr = f"({expr}) NOT {_fts5_term(term)}"
    return expr
