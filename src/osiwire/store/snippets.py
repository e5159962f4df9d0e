"""Search snippets: a window of the original text around the first match, with match offsets.

Built in Python from the stored text so every backend gives the same snippets, in the original words
(the index holds lemmas, which are no good to read).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from osiwire.store.query import Query, Term
from osiwire.store.textindex import Lemmatiser, fold

SNIPPET_CHARS = 240  # about two lines of a results page


def _matches(token: str, terms: list[Term], lemmatiser: Lemmatiser) -> bool:
    folded = fold(token)
    for term in terms:
        for lemma in term.lemmas:
            if term.prefix:
                if folded.startswith(lemma):
                    return True
            # Cheap pre-check before lemmatising: inflection keeps the first letters.
            elif folded[:2] == lemma[:2] and lemmatiser.lemma(token) == lemma:
                return True
    return False


def _letter(char: str) -> str:
    return "[её]" if char in "её" else re.escape(char)


@lru_cache(maxsize=1024)
def _candidates(terms: tuple[Term, ...]) -> re.Pattern[str] | None:
    """Words that may match ``terms``: those starting with a term's first two letters (in any case), so only
    they are folded and lemmatised (a page of snippets would otherwise fold every word of 30 bodies)."""
    starts = {lemma[:2] for term in terms for lemma in term.lemmas if lemma}
    if not starts:
        return None
    alternatives = "|".join(sorted("".join(_letter(c) for c in start) for start in starts))
    return re.compile(rf"(?<!\w)(?:{alternatives})\w*", re.IGNORECASE)


def _spans(text: str, terms: list[Term], lemmatiser: Lemmatiser) -> Iterator[tuple[int, int]]:
    """The matched words of ``text`` in order, found as they are asked for (a snippet needs the first few)."""
    pattern = _candidates(tuple(terms))
    if pattern is None:
        return
    for m in pattern.finditer(text):
        if _matches(m.group(), terms, lemmatiser):
            yield m.start(), m.end()


def make_snippet(
    text: str, query: Query, lemmatiser: Lemmatiser, size: int = SNIPPET_CHARS
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A snippet of ``text`` and the (start, end) offsets of matched words inside it."""
    terms = query.positive_terms()
    found = _spans(text, terms, lemmatiser)
    first = next(found, None)
    start = 0
    if first is not None:
        start = max(0, first[0] - size // 4)
        # Start on a word boundary.
        while 0 < start < len(text) and not text[start - 1].isspace():
            start += 1
    end = min(len(text), start + size)
    while end < len(text) and not text[end].isspace() and end - start < size + 30:
        end += 1
    # Only the words inside the window are shown: the rest of a long text is never lemmatised.
    spans = [first] if first is not None else []
    for span in found:
        if span[0] >= end:
            break
        spans.append(span)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    snippet = prefix + text[start:end] + suffix
    shift = len(prefix) - start
    inside = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return snippet, inside
