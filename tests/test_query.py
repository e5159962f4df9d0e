"""The query language."""

from __future__ import annotations

import pytest

from osiwire.store.query import QueryError, parse_query, to_fts5
from osiwire.store.textindex import Lemmatiser

LEMMATISER = Lemmatiser()


@pytest.mark.parametrize(
    ("text", "fts5"),
    [
        ("Москве", '("москва")'),
        ("Москве Патрушевым", '("москва") AND ("патрушев")'),
        ('"Совета Безопасности"', '("совет безопасность")'),
        ("a OR b c", '("a" OR "b") AND ("c")'),
        ("встреча -Москва", '(("встреча")) NOT "москва"'),
        ("безопасн*", '("безопасн"*)'),
        ('x "y', '("x") AND ("y")'),  # an unbalanced quote is a word, not an error
        ('a AND "b" NEAR(', '("a") AND ("and") AND ("b") AND ("near")'),  # FTS5 syntax is data, not syntax
        ("Ёлка", '("елка")'),
    ],
)
def test_render_fts5(text: str, fts5: str) -> None:
    assert to_fts5(parse_query(text, LEMMATISER)) == fts5


@pytest.mark.parametrize("text", ["-Москва", " -a -b "])
def test_only_exclusions_is_an_error(text: str) -> None:
    with pytest.raises(QueryError, match="only exclusions"):
        parse_query(text, LEMMATISER)


def test_too_many_terms() -> None:
    with pytest.raises(QueryError, match="more than"):
        parse_query(" ".join(f"w{i}" for i in range(100)), LEMMATISER)


@pytest.mark.parametrize("text", ["", "   ", "***", "OR", "-", '""'])
def test_empty_queries_match_everything(text: str) -> None:
    assert parse_query(text, LEMMATISER).empty
