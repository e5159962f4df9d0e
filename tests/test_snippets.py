"""Snippets: a window around the first match, every match inside it highlighted, whatever follows unread."""

from __future__ import annotations

import pytest

from osiwire.store.query import Query, parse_query
from osiwire.store.snippets import SNIPPET_CHARS, _spans, make_snippet
from osiwire.store.textindex import Lemmatiser

LONG = (
    "Вступительное слово. " * 30
    + "Президент провёл встречу с губернатором. Президенту доложили о развитии региона. "
    + "Губернатор рассказал президенту о планах. " * 200
)


@pytest.fixture(scope="module")
def lemmatiser() -> Lemmatiser:
    return Lemmatiser()


def _reference(text: str, query: Query, lemmatiser: Lemmatiser) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The snippet as made before: every match of the whole text found first, then the window cut."""
    spans = list(_spans(text, query.positive_terms(), lemmatiser))
    start = 0
    if spans:
        start = max(0, spans[0][0] - SNIPPET_CHARS // 4)
        while 0 < start < len(text) and not text[start - 1].isspace():
            start += 1
    end = min(len(text), start + SNIPPET_CHARS)
    while end < len(text) and not text[end].isspace() and end - start < SNIPPET_CHARS + 30:
        end += 1
    prefix, suffix = ("…" if start > 0 else ""), ("…" if end < len(text) else "")
    shift = len(prefix) - start
    inside = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return prefix + text[start:end] + suffix, inside


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("президент", {"Президент", "Президенту"}),
        ("губернатор OR регион", {"губернатором", "региона", "Губернатор"}),
        ("президен*", {"Президент", "Президенту"}),
        ('"провёл встречу"', {"провёл", "встречу"}),
        ("нет-такого", set()),
    ],
)
def test_a_snippet_highlights_the_matches_inside_its_window(
    lemmatiser: Lemmatiser, query: str, words: set[str]
) -> None:
    parsed = parse_query(query, lemmatiser)
    snippet, highlights = make_snippet(LONG, parsed, lemmatiser)
    assert (snippet, highlights) == _reference(LONG, parsed, lemmatiser)
    assert {snippet[s:e] for s, e in highlights} >= words
    if words:
        assert (
            snippet.startswith("…") and "Президент провёл" in snippet
        )  # the window opens at the first match
    else:
        assert snippet == LONG[: len(snippet) - 1] + "…" and highlights == ()
