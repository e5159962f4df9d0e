"""Morphology helpers: pymorphy3's analyser shared by the enrich stage, its parses remembered per word."""

from __future__ import annotations

import pymorphy3
import pytest

from osiwire.enrich import morphology
from osiwire.enrich.morphology import CachedAnalyser, analyser


@pytest.fixture(scope="module")
def morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="ru")


@pytest.mark.parametrize("word", ["путина", "федерации", "стали", "паслером", "", "x", "東京", "2025"])
def test_parses_are_pymorphy3s(morph: pymorphy3.MorphAnalyzer, word: str) -> None:
    cached = CachedAnalyser(morph)
    assert cached.parse(word) == morph.parse(word)
    assert cached.parse(word) == morph.parse(word)  # from the cache


def test_callers_get_their_own_list(morph: pymorphy3.MorphAnalyzer) -> None:
    cached = CachedAnalyser(morph)
    first = cached.parse("стали")
    first.clear()
    assert cached.parse("стали") == morph.parse("стали")


def test_cache_is_bounded(morph: pymorphy3.MorphAnalyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(morphology, "PARSE_CACHE_SIZE", 2)
    cached = CachedAnalyser(morph)
    for word in ["мир", "дом", "сад", "лес"]:
        assert cached.parse(word) == morph.parse(word)
    assert len(cached._parses) == 2


def test_the_rest_is_pymorphy3s() -> None:
    assert analyser().word_is_known("путин") and not analyser().word_is_known("щщщщ")
    assert analyser() is analyser()
