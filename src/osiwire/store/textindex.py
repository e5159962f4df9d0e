"""Text as the search index sees it: folded, tokenised and lemmatised.

SQLite's FTS5 folds case but neither ё/е nor Russian inflection, so osiwire indexes a column of lemmas
(``в Москве`` → ``в москва``) and lemmatises queries the same way. English words are stemmed
with snowball, so snippets can highlight the same words FTS5 matched.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

TOKEN_RE = re.compile(r"\w+", re.UNICODE)
CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN_RE = re.compile(r"[a-z]+")  # English words are stemmed (snowball); FTS5's porter then agrees
# Distinct word forms kept in memory; a year of releases from ~30 sources has ~300k of them.
LEMMA_CACHE_SIZE = 500_000


def fold(text: str) -> str:
    """Lower-case, NFKC, ё→е: the form every token is compared in."""
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


class Lemmatiser:
    """Maps word forms to lemmas (Russian through pymorphy3), caching each form once."""

    def __init__(self) -> None:
        self._morph: Any = None
        self._english: Any = None
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()

    def _analyser(self) -> Any:
        with self._lock:
            if self._morph is None:
                import pymorphy3  # loaded on first use, not at import: ~0.1 s, ~50 MB

                self._morph = pymorphy3.MorphAnalyzer(lang="ru")
            return self._morph

    def _stemmer(self) -> Any:
        with self._lock:
            if self._english is None:
                import snowballstemmer

                self._english = snowballstemmer.stemmer("english")
            return self._english

    def lemma(self, token: str) -> str:
        """The folded lemma of one token."""
        return self.lemma_of_folded(fold(token))

    def lemma_of_folded(self, folded: str) -> str:
        """The lemma of a token already folded (``fold``): the stories stage folds whole texts at once."""
        cached = self._cache.get(folded)
        if cached is not None:
            return cached
        if CYRILLIC_RE.search(folded):
            parses = self._analyser().parse(folded)
            result = fold(parses[0].normal_form) if parses else folded
        elif LATIN_RE.fullmatch(folded):
            result = str(self._stemmer().stemWord(folded))
        else:
            result = folded
        if len(self._cache) < LEMMA_CACHE_SIZE:
            self._cache[folded] = result
        return result

    def index_text(self, text: str) -> str:
        """The text as indexed: one lemma per token, space separated."""
        return " ".join(self.lemma(t) for t in TOKEN_RE.findall(text))
