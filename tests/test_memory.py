"""Translation memory: keys, the in-process memory, and the savings figure."""

from __future__ import annotations

import pytest

from osiwire.model import SentencePair, Translation
from osiwire.translate.memory import (
    DictMemory,
    MemoryEntry,
    MemoryHit,
    MemoryKey,
    TranslationMemory,
    memory_key,
    text_hash,
)
from osiwire.translate.savings import count_tokens, memory_savings


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Спасибо.", "спасибо."),
        ("Ёлка  растёт.", "Елка растет."),
        ("  Уважаемые\tколлеги!\n", "Уважаемые коллеги!"),
        ("ＯＤＫＢ", "odkb"),  # NFKC folds full-width letters
    ],
)
def test_equivalent_sentences_share_a_hash(a: str, b: str) -> None:
    assert text_hash(a) == text_hash(b)


def test_different_sentences_differ() -> None:
    assert text_hash("Спасибо.") != text_hash("Спасибо!")
    assert len(text_hash("")) == 64


def test_key_holds_pair_engine_and_model() -> None:
    key = memory_key("Спасибо.", "ru", "en", "ctranslate2", "opus-mt-ru-en@1.9")
    assert key == MemoryKey(text_hash("спасибо."), "ru", "en", "ctranslate2", "opus-mt-ru-en@1.9")
    assert key != memory_key("Спасибо.", "ru", "en", "ctranslate2", "opus-mt-ru-en@2.0")
    assert key != memory_key("Спасибо.", "ru", "en", "openai", "opus-mt-ru-en@1.9")
    assert key != memory_key("Спасибо.", "ru", "de", "ctranslate2", "opus-mt-ru-en@1.9")


def test_dict_memory_lookup_and_remember() -> None:
    memory: TranslationMemory = DictMemory()
    thanks = memory_key("Спасибо.", "ru", "en", "e", "m")
    colleagues = memory_key("Уважаемые коллеги!", "ru", "en", "e", "m")
    assert memory.lookup([thanks, colleagues]) == {}
    memory.remember([MemoryEntry(thanks, MemoryHit("Thank you.", 0.9))])
    assert memory.lookup([thanks, colleagues]) == {thanks: MemoryHit("Thank you.", 0.9)}
    memory.remember([MemoryEntry(thanks, MemoryHit("Thanks.", None))])  # same key: replaced
    assert memory.lookup([thanks]) == {thanks: MemoryHit("Thanks.", None)}
    assert memory.lookup([]) == {}
    assert isinstance(memory, DictMemory) and len(memory) == 1


def _pair(source: str, engine: str, from_memory: bool = False, translated: bool = True) -> SentencePair:
    return SentencePair(0, 0, source, source.upper(), "ru", engine, "m", None, from_memory, translated)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [("Спасибо.", 2), ("", 0), ("В.Путин: Да.", 6), ("1941–1945 годов", 4), ("   ", 0)],
)
def test_count_tokens(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens


def test_savings_count_only_sentences_that_needed_an_engine() -> None:
    first = Translation("en", (_pair("Спасибо.", "e"), _pair("Уважаемые коллеги!", "e")), "complete")
    second = Translation(
        "en",
        (
            _pair("Спасибо.", "e", from_memory=True),
            _pair("Hello there.", "", translated=False),  # already English: not counted
            _pair("Новое предложение здесь.", "none", translated=False),  # untranslated: counted, not served
        ),
        "partial",
    )
    savings = memory_savings([first, second])
    assert (savings.sentences, savings.sentences_from_memory) == (4, 1)
    assert (savings.tokens, savings.tokens_from_memory) == (2 + 3 + 2 + 4, 2)
    assert savings.sentence_share == pytest.approx(0.25)
    assert "25.0% of sentences (1 of 4)" in savings.describe()


def test_savings_of_nothing_is_zero() -> None:
    savings = memory_savings([])
    assert savings.sentence_share == savings.token_share == 0.0
