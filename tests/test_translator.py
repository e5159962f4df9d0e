"""The translate stage with fake engines: alignment, fallbacks, memory, glossary, statuses; the registry."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from factories import make_article
from osiwire.config import ExtractConfig, TranslateConfig
from osiwire.extract.article import extract_article
from osiwire.extract.language import get_detector
from osiwire.model import RawDocument, Segment
from osiwire.translate.base import EngineOutput, EngineUnavailable, UnsupportedPair
from osiwire.translate.engines.none import NoneEngine
from osiwire.translate.glossary import Glossary, bundled_terms
from osiwire.translate.memory import DictMemory
from osiwire.translate.registry import EngineFactory, EngineSet, build_engines
from osiwire.translate.savings import memory_savings
from osiwire.translate.translator import MAX_SENTENCE_CHARS, Translator

COUNCIL = "Security Council of the Russian Federation"


class FakeEngine:
    """Upper-cases; records every batch it is given. Subclasses change what it does."""

    def __init__(self, name: str = "upper", pairs: tuple[str, ...] = ("ru-en",)) -> None:
        self.name = name
        self.pairs = pairs
        self.batches: list[list[str]] = []
        self.glossaries: list[Mapping[str, str] | None] = []

    def model_id(self, source_lang: str, target_lang: str) -> str:
        return f"{self.name}-model-1"

    def supports(self, source_lang: str, target_lang: str) -> bool:
        return f"{source_lang}-{target_lang}" in self.pairs

    def render(self, sentence: str, glossary: Mapping[str, str] | None) -> str:
        return sentence.upper()

    def translate(
        self,
        sentences: Sequence[str],
        source_lang: str,
        target_lang: str,
        glossary: Mapping[str, str] | None = None,
    ) -> list[EngineOutput]:
        self.batches.append(list(sentences))
        self.glossaries.append(glossary)
        return [EngineOutput(self.render(s, glossary), 0.5) for s in sentences]

    def close(self) -> None:
        pass

    @property
    def sent(self) -> list[str]:
        return [s for batch in self.batches for s in batch]


class DownEngine(FakeEngine):
    def translate(
        self,
        sentences: Sequence[str],
        source_lang: str,
        target_lang: str,
        glossary: Mapping[str, str] | None = None,
    ) -> list[EngineOutput]:
        self.batches.append(list(sentences))
        raise EngineUnavailable(f"{self.name}: connection refused\n(traceback line)")


class UnsupportedEngine(FakeEngine):
    def translate(
        self,
        sentences: Sequence[str],
        source_lang: str,
        target_lang: str,
        glossary: Mapping[str, str] | None = None,
    ) -> list[EngineOutput]:
        raise UnsupportedPair(f"{self.name}: no {source_lang}-{target_lang} model")


class WrongCountEngine(FakeEngine):
    def translate(
        self,
        sentences: Sequence[str],
        source_lang: str,
        target_lang: str,
        glossary: Mapping[str, str] | None = None,
    ) -> list[EngineOutput]:
        return super().translate(sentences, source_lang, target_lang, glossary)[:-1]


class LowerEngine(FakeEngine):
    def render(self, sentence: str, glossary: Mapping[str, str] | None) -> str:
        return sentence.lower()


class ReverseEngine(FakeEngine):
    def render(self, sentence: str, glossary: Mapping[str, str] | None) -> str:
        return " ".join(reversed(sentence.split()))


class TokenEatingEngine(FakeEngine):
    """Drops anything that looks like a placeholder, as a careless NMT model might."""

    def render(self, sentence: str, glossary: Mapping[str, str] | None) -> str:
        return re.sub(r"ZQX\d+", "", sentence).upper()


class PromptEngine(FakeEngine):
    """An LLM stand-in: applies glossary entries that occur in the sentence as written, nothing else."""

    carries_glossary = True

    def render(self, sentence: str, glossary: Mapping[str, str] | None) -> str:
        for source, target in (glossary or {}).items():
            sentence = sentence.replace(source, target)
        return sentence


def _const(engine: FakeEngine) -> EngineFactory:
    return lambda: engine


def _engines(*engines: FakeEngine, none: bool = True) -> EngineSet:
    factories = {e.name: _const(e) for e in engines}
    factories["none"] = NoneEngine
    order = [e.name for e in engines] + (["none"] if none else [])
    return EngineSet(factories, order)


def _translator(
    *engines: FakeEngine, memory: DictMemory | None = None, glossary: Glossary | None = None
) -> Translator:
    return Translator(
        _engines(*engines),
        memory if memory is not None else DictMemory(),
        glossary if glossary is not None else Glossary(bundled_terms()),
        get_detector(),
        "en",
    )


ARTICLE = make_article(
    "http://kremlin.ru/events/president/news/1",
    "Совещание с членами Совета Безопасности",
    [
        "Владимир Путин провёл совещание. Обсуждались вопросы безопасности.",
        "Спасибо.",
    ],
)


def test_sentences_are_aligned_with_segments_and_order() -> None:
    engine = FakeEngine()
    translation = _translator(engine).translate_article(ARTICLE)
    assert [(p.segment, p.index) for p in translation.sentences] == [(0, 0), (1, 0), (1, 1), (2, 0)]
    assert translation.sentences[1].target == "ВЛАДИМИР ПУТИН ПРОВЁЛ СОВЕЩАНИЕ."
    assert translation.status == "complete" and translation.error == ""
    assert all(
        p.engine == "upper" and p.model == "upper-model-1" and p.translated for p in translation.sentences
    )
    assert all(p.confidence == 0.5 and p.source_language == "ru" for p in translation.sentences)
    assert translation.segment_text(1) == "ВЛАДИМИР ПУТИН ПРОВЁЛ СОВЕЩАНИЕ. ОБСУЖДАЛИСЬ ВОПРОСЫ БЕЗОПАСНОСТИ."
    assert len(engine.batches) == 1  # one call for the whole article


def test_fallback_past_a_down_engine_and_a_wrong_count(caplog: pytest.LogCaptureFixture) -> None:
    down, wrong, upper = DownEngine("down"), WrongCountEngine("wrong"), FakeEngine()
    with caplog.at_level(logging.WARNING):
        translation = _translator(down, wrong, upper).translate_article(ARTICLE)
    assert translation.status == "complete"
    assert {p.engine for p in translation.sentences} == {"upper"}
    assert (
        "with down failed for http://kremlin.ru/events/president/news/1: down: connection refused"
        in caplog.text
    )
    assert (
        "with wrong failed for http://kremlin.ru/events/president/news/1: wrong: 3 translations for 4"
        in caplog.text
    )


def test_every_engine_failing_leaves_the_original_and_one_line() -> None:
    translation = _translator(DownEngine("down"), WrongCountEngine("wrong")).translate_article(ARTICLE)
    assert translation.status == "untranslated"
    assert all(p.engine == "none" and p.model == "" and not p.translated for p in translation.sentences)
    assert all(p.target == p.source for p in translation.sentences)
    assert "\n" not in translation.error
    assert translation.error.startswith(ARTICLE.url)
    for part in (
        "down: EngineUnavailable: down: connection refused (traceback line)",
        "wrong: BadResponse",
        "ru-en",
    ):
        assert part in translation.error


def test_no_engine_at_all_says_why() -> None:
    engines = EngineSet(
        {"none": NoneEngine, "broken": _raise(OSError("model.bin is corrupt"))}, ["broken", "none"]
    )
    translator = Translator(engines, DictMemory(), Glossary(), get_detector(), "en")
    translation = translator.translate_article(ARTICLE)
    assert translation.status == "untranslated"
    assert "no engine for ru-en (broken: failed to start: OSError: model.bin is corrupt)" in translation.error


def test_unsupported_pair_and_other_languages_make_a_partial_translation() -> None:
    article = make_article(
        "https://example.org/a", "Заголовок новости о встрече", ["Текст новости о встрече."]
    )
    german = Segment(2, "paragraph", "Das Treffen fand gestern in Moskau statt.", "de")
    article = dataclasses.replace(article, segments=(*article.segments, german))
    translation = _translator(UnsupportedEngine("unsupported"), FakeEngine()).translate_article(article)
    assert translation.status == "partial"
    assert [p.translated for p in translation.sentences] == [True, True, False]
    assert translation.sentences[2].engine == "none"
    assert "1 de-en sentence(s) left untranslated: no engine for de-en" in translation.error


def test_sentences_in_the_target_language_are_kept() -> None:
    mixed = (
        "Президент провёл встречу с журналистами в Кремле. "
        "The President held a meeting with journalists in the Kremlin today."
    )
    article = make_article("https://example.org/b", "Встреча с журналистами в Кремле", [mixed])
    english = Segment(2, "paragraph", "This paragraph is in English already.", "en")
    article = dataclasses.replace(article, segments=(*article.segments, english))
    engine = FakeEngine()
    translation = _translator(engine).translate_article(article)
    kept = [p for p in translation.sentences if not p.translated]
    assert [p.source for p in kept] == [
        "The President held a meeting with journalists in the Kremlin today.",
        "This paragraph is in English already.",
    ]
    assert all(p.engine == "" and p.model == "" and p.target == p.source for p in kept)
    assert kept[0].source_language == "en" and kept[0].segment == 1 and kept[0].index == 1
    assert translation.status == "complete"
    assert len(engine.sent) == 2


def test_sentences_without_letters_and_empty_segments_are_not_sent() -> None:
    article = make_article("https://example.org/c", "Новость дня", ["12:00", "   ", "Текст новости."])
    engine = FakeEngine()
    translation = _translator(engine).translate_article(article)
    assert engine.sent == ["Новость дня", "Текст новости."]
    assert [(p.segment, p.source, p.translated) for p in translation.sentences] == [
        (0, "Новость дня", True),
        (1, "12:00", False),
        (3, "Текст новости.", True),
    ]


def test_pathological_sentence_is_capped_and_reported() -> None:
    blob = "Ф" * 100_000
    article = make_article("https://example.org/d", "Новость дня", [blob, "Текст новости."])
    engine = FakeEngine()
    translation = _translator(engine).translate_article(article)
    assert all(len(s) <= MAX_SENTENCE_CHARS for s in engine.sent)
    capped = translation.sentences[1]
    assert capped.target == blob and capped.engine == "none" and not capped.translated
    assert translation.status == "partial"
    assert "segment 1 sentence 0: 100,000 characters, over the 5,000 cap: kept as is" in translation.error


def test_memory_serves_boilerplate_across_articles() -> None:
    memory = DictMemory()
    engine = FakeEngine()
    translator = _translator(engine, memory=memory)
    translator.translate_article(ARTICLE)
    second = make_article(
        "http://kremlin.ru/events/president/news/2",
        "Другая новость",
        ["Обсуждались вопросы безопасности.", "Спасибо."],
    )
    translation = translator.translate_article(second)
    assert engine.batches[-1] == ["Другая новость"]
    served = [p for p in translation.sentences if p.from_memory]
    assert [p.target for p in served] == ["ОБСУЖДАЛИСЬ ВОПРОСЫ БЕЗОПАСНОСТИ.", "СПАСИБО."]
    assert all(p.engine == "upper" and p.model == "upper-model-1" and p.confidence == 0.5 for p in served)


def test_memory_answers_even_when_its_engine_is_down() -> None:
    memory = DictMemory()
    _translator(FakeEngine(), memory=memory).translate_article(ARTICLE)
    article = make_article(
        "https://example.org/e", "Совещание с членами Совета Безопасности", ["Новый текст."]
    )
    translation = _translator(DownEngine("upper"), memory=memory).translate_article(article)
    assert [p.from_memory for p in translation.sentences] == [True, False]
    assert translation.status == "partial"


def test_untranslated_sentences_are_not_remembered() -> None:
    memory = DictMemory()
    _translator(DownEngine("down"), memory=memory).translate_article(ARTICLE)
    assert len(memory) == 0


def test_a_sentence_repeated_in_an_article_is_translated_once() -> None:
    article = make_article("https://example.org/f", "Спасибо.", ["Спасибо.", "спасибо.", "Хорошо."])
    engine = FakeEngine()
    translation = _translator(engine).translate_article(article)
    assert engine.sent == ["Спасибо.", "Хорошо."]
    assert [p.from_memory for p in translation.sentences] == [False, True, True, False]
    assert [p.target for p in translation.sentences] == ["СПАСИБО.", "СПАСИБО.", "СПАСИБО.", "ХОРОШО."]


INFLECTED = "Состоялось заседание Совета Безопасности Российской Федерации и ОДКБ."


@pytest.mark.parametrize("engine", [FakeEngine(), LowerEngine("lower"), ReverseEngine("reverse")])
def test_glossary_terms_come_out_exactly(engine: FakeEngine) -> None:
    article = make_article("https://example.org/g", "Новость дня", [INFLECTED])
    translation = _translator(engine).translate_article(article)
    target = translation.sentences[1].target
    assert COUNCIL in target and "CSTO" in target
    assert len(engine.batches) == 1  # the placeholders survived: no retry
    assert "ZQX1" in engine.batches[0][1]


def test_lost_placeholders_are_retried_without_and_flagged(caplog: pytest.LogCaptureFixture) -> None:
    engine = TokenEatingEngine("eater")
    with caplog.at_level(logging.WARNING):
        pairs = _translator(engine).translate_sentences([INFLECTED, "Спасибо."], "ru")
    assert engine.batches[1] == [INFLECTED]  # the retry: plain text
    assert pairs[0].target == INFLECTED.upper()  # the plain output beats one with holes
    assert f"{COUNCIL!r}, 'CSTO' missing from the eater translation" in caplog.text
    glossary = Glossary(bundled_terms())
    assert [t.target for t in glossary.missing(pairs[0].source, pairs[0].target, "ru", "en")] == [
        COUNCIL,
        "CSTO",
    ]


def test_prompt_engines_get_the_glossary_then_placeholders() -> None:
    engine = PromptEngine("llm")
    pairs = _translator(engine).translate_sentences([INFLECTED, "Съезд ОДКБ."], "ru")
    assert engine.glossaries[0] == {"Совет Безопасности Российской Федерации": COUNCIL, "ОДКБ": "CSTO"}
    # "ОДКБ" was replaced as written; the inflected council was not, so that sentence went again with tokens.
    assert pairs[1].target == "Съезд CSTO."
    assert engine.batches[1] == ["Состоялось заседание ZQX1 и ZQX2."]
    assert pairs[0].target == f"Состоялось заседание {COUNCIL} и CSTO."


def test_article_glossary_hook_adds_names() -> None:
    translator = _translator(FakeEngine())
    named = translator.glossary.with_terms({"Николай Патрушев": "Nikolai Patrushev"}, origin="enrich")
    article = make_article(
        "https://example.org/h", "Новость дня", ["Путин встретился с Николаем Патрушевым."]
    )
    translation = translator.translate_article(article, named)
    assert translation.sentences[1].target == "ПУТИН ВСТРЕТИЛСЯ С Nikolai Patrushev."


def test_a_remembered_translation_lacking_a_new_term_is_made_again() -> None:
    memory = DictMemory()
    engine = FakeEngine()
    _translator(engine, memory=memory, glossary=Glossary()).translate_sentences(["Съезд ОДКБ."], "ru")
    pairs = _translator(engine, memory=memory).translate_sentences(["Съезд ОДКБ."], "ru")
    assert pairs[0].target == "СЪЕЗД CSTO." and not pairs[0].from_memory
    again = _translator(engine, memory=memory).translate_sentences(["Съезд ОДКБ."], "ru")
    assert again[0].from_memory


def test_translate_sentences_keeps_one_pair_per_input() -> None:
    pairs = _translator(FakeEngine()).translate_sentences(["Привет, мир.", "", "  Спасибо.  "], "ru")
    assert [(p.segment, p.index, p.target, p.translated) for p in pairs] == [
        (0, 0, "ПРИВЕТ, МИР.", True),
        (0, 1, "", False),
        (0, 2, "СПАСИБО.", True),
    ]
    assert _translator(FakeEngine()).translate_sentences(["Hello."], "en")[0].engine == ""


# -- registry ------------------------------------------------------------------------------------------------


def _raise(exc: Exception) -> EngineFactory:
    def factory() -> FakeEngine:
        raise exc  # a failure to start: the engine is skipped

    return factory


def test_registry_skips_unconfigured_engines_and_keeps_none_last(tmp_path: Path) -> None:
    cfg = TranslateConfig(engines=["none", "libretranslate", "openai", "ctranslate2"])
    engines = build_engines(cfg, tmp_path)
    assert engines.names_for("ru", "en") == ["libretranslate", "openai", "ctranslate2", "none"]
    order = engines.order_for("ru", "en")
    assert order[-1].name == "none"
    assert [e.name for e in order] in (["none"], ["ctranslate2", "none"])  # no model installed in tmp_path
    skipped = engines.unavailable()
    assert skipped["libretranslate"] == "translate.libretranslate.url is not set"
    assert skipped["openai"] == "translate.openai.base_url is not set"
    engines.close()


def test_registry_per_pair_order_lazy_build_and_failures() -> None:
    built: list[str] = []

    def upper() -> FakeEngine:
        built.append("upper")
        return FakeEngine()

    factories: dict[str, EngineFactory] = {
        "upper": upper,
        "kk": lambda: FakeEngine("kk", pairs=("kk-en",)),
        "missing": _raise(ImportError("No module named 'ctranslate2'")),
        "none": NoneEngine,
    }
    engines = EngineSet(factories, ["missing", "upper", "none", "kk"], {"kk-en": ["kk", "nope"]})
    assert built == []  # nothing built until asked
    assert [e.name for e in engines.order_for("ru", "en")] == ["upper", "none"]
    assert [e.name for e in engines.order_for("kk", "en")] == ["kk"]
    engines.order_for("ru", "en")
    assert built == ["upper"]  # built once
    assert engines.unavailable() == {
        "missing": "not installed (No module named 'ctranslate2')",
        "nope": "unknown engine",
    }
    assert [e.name for e in engines.only("kk").order_for("kk", "en")] == ["kk"]
    assert engines.only("kk").order_for("ru", "en") == []


# -- the translation-memory savings figure ----------------------------------------------------------------------


def test_memory_savings_on_the_kremlin_corpus(
    shared_data: Path, record_property: Callable[[str, object], None]
) -> None:
    detector = get_detector()
    articles = []
    with (shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            release = json.loads(line)
            doc = RawDocument(
                release["url"], datetime(2025, 4, 1, tzinfo=UTC), text=release["text"], title=release["title"]
            )
            articles.append(extract_article(doc, ExtractConfig(), detector))
    assert len(articles) == 125
    engine = FakeEngine()
    translator = Translator(_engines(engine), DictMemory(), Glossary(bundled_terms()), detector, "en")
    translations = [translator.translate_article(article) for article in articles]
    assert all(t.status == "complete" for t in translations)
    savings = memory_savings(translations)
    record_property("quality", f"kremlin-ru, 125 releases: {savings.describe()}")
    assert savings.sentences > 10_000
    assert savings.sentence_share > 0.0 and savings.token_share > 0.0
    # Every sentence sent to the engine is one the memory (and the article) did not already hold.
    assert len(engine.sent) == savings.sentences - savings.sentences_from_memory
