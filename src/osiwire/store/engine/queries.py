"""osiwire's query language (``store.query.Query``) as tantivy queries.

A release is one document: its original title and body (lemmas, as FTS5 gets them) and its English title and
body. As in FTS5, the whole query is matched in the original or in the translation (a word in each is no
match), a word in either field of one side (title or body), a phrase inside one field. The title counts
five times the body (FTS5's bm25 weights, ``store.search.FTS_WEIGHTS``).
"""

from __future__ import annotations

import re

import tantivy

from osiwire.store.query import Query, Term

ORIGINAL = ("title", "body")
ENGLISH = ("en_title", "en_body")
TITLE_BOOST = 5.0  # FTS_WEIGHTS: a title match counts five times a body match
REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$#&\-~])")


def _prefix_pattern(token: str) -> str:
    """A tantivy regex for terms starting with ``token`` (lemma tokens are ``\\w+``; escaped all the same)."""
    return REGEX_SPECIAL.sub(r"\\\1", token) + ".*"


def _field_term(schema: tantivy.Schema, field: str, term: Term) -> tantivy.Query:
    """``term`` inside one field: a word, a phrase, a prefix or a phrase ending in a prefix."""
    if len(term.lemmas) == 1:
        if term.prefix:
            return tantivy.Query.regex_query(schema, field, _prefix_pattern(term.lemmas[0]))
        return tantivy.Query.term_query(schema, field, term.lemmas[0])
    if term.prefix:
        return tantivy.Query.phrase_prefix_query(schema, field, list(term.lemmas))
    return tantivy.Query.phrase_query(schema, field, list(term.lemmas))


def _side_term(schema: tantivy.Schema, fields: tuple[str, str], term: Term) -> tantivy.Query:
    title, body = fields
    return tantivy.Query.boolean_query(
        [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(_field_term(schema, title, term), TITLE_BOOST),
            ),
            (tantivy.Occur.Should, _field_term(schema, body, term)),
        ]
    )


def _side(schema: tantivy.Schema, fields: tuple[str, str], query: Query) -> tantivy.Query:
    """The whole query on one side (original or English)."""
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for group in query.groups:
        alternatives = [(tantivy.Occur.Should, _side_term(schema, fields, t)) for t in group]
        clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(alternatives)))
    for term in query.excluded:
        clauses.append((tantivy.Occur.MustNot, _side_term(schema, fields, term)))
    return tantivy.Query.boolean_query(clauses)


def to_tantivy(schema: tantivy.Schema, query: Query) -> tantivy.Query:
    """``query`` (not empty) matched in the original or in the English translation of a release."""
    if query.empty:
        raise ValueError("an empty query matches every release: answer it without the engine")
    return tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Should, _side(schema, ORIGINAL, query)),
            (tantivy.Occur.Should, _side(schema, ENGLISH, query)),
        ]
    )
