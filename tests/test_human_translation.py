"""Human translations from the memory: Gale–Church sentence alignment, the translator's use of them, the view."""

from __future__ import annotations

from pathlib import Path

import pytest

from factories import make_article
from osiwire.extract.language import get_detector
from osiwire.translate.alignment import Bead, align_lengths, align_sentences
from osiwire.translate.engines.none import NoneEngine
from osiwire.translate.glossary import Glossary
from osiwire.translate.memory import DictMemory, MemoryEntry, MemoryHit, human_key
from osiwire.translate.registry import EngineSet
from osiwire.translate.tmx import read_tmx
from osiwire.translate.tmx_import import tmx_entries
from osiwire.translate.translator import Translator
from osiwire.web.bilingual import translation_sources
from test_translator import FakeEngine, _engines


def test_one_to_one_when_lengths_agree() -> None:
    assert align_lengths([40, 100, 60], [44, 110, 66]) == [
        Bead(0, 1, 0, 1),
        Bead(1, 2, 1, 2),
        Bead(2, 3, 2, 3),
    ]


def test_two_sentences_joined_by_the_translator() -> None:
    # Source: 50 + 55 + 80; the translation joined the first two (one sentence of ~105).
    beads = align_lengths([50, 55, 80], [108, 84])
    assert beads == [Bead(0, 2, 0, 1), Bead(2, 3, 1, 2)]


def test_one_sentence_split_by_the_translator() -> None:
    assert align_lengths([120, 40], [58, 60, 42]) == [Bead(0, 1, 0, 2), Bead(1, 2, 2, 3)]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ([100], [10, 10, 10, 10]),  # counts disagree badly
        ([30, 30, 30, 30, 30, 30], [90, 90]),
        ([], [10]),
        ([10], []),
        ([100, 3], [100]),  # the best path drops a sentence: no 1-0 beads, the paragraph stays whole
    ],
)
def test_paragraph_kept_whole(source: list[int], target: list[int]) -> None:
    beads = align_lengths(source, target)
    assert beads is None or all(
        b.source_end > b.source_start and b.target_end > b.target_start for b in beads
    )
    if len(source) and len(target) and max(len(source), len(target)) > 2 * min(len(source), len(target)) + 1:
        assert beads is None


def test_align_sentences_falls_back_to_the_paragraph() -> None:
    assert align_sentences(["Один.", "Два.", "Три.", "Четыре."], ["One two three four."]) == [
        ("Один. Два. Три. Четыре.", "One two three four.")
    ]


RU = (
    "Каждый человек имеет право на образование. Образование должно быть бесплатным по меньшей мере в том, что "
    "касается начального и общего образования. Начальное образование должно быть обязательным."
)
EN = (
    "Everyone has the right to education. Education shall be free, at least in the elementary and fundamental "
    "stages. Elementary education shall be compulsory."
)


def _human_memory(*pairs: tuple[str, str]) -> DictMemory:
    memory = DictMemory()
    memory.remember(
        [MemoryEntry(human_key(ru, "ru", "en"), MemoryHit(en, None, "udhr.tmx"), ru) for ru, en in pairs]
    )
    return memory


def _offline(memory: DictMemory) -> Translator:
    return Translator(EngineSet({"none": NoneEngine}, ["none"]), memory, Glossary(), get_detector(), "en")


def test_a_paragraph_known_whole_is_aligned_sentence_by_sentence_without_an_engine() -> None:
    article = make_article("http://un.org/udhr", "Статья 26", [RU, "Неизвестный абзац без перевода."])
    memory = _human_memory((RU, EN), ("Статья 26", "Article 26"))
    translation = _offline(memory).translate_article(article)
    rows = [(p.segment, p.index, p.source, p.target, p.engine, p.translated) for p in translation.sentences]
    assert rows == [
        (0, 0, "Статья 26", "Article 26", "human", True),
        (1, 0, "Каждый человек имеет право на образование.", "Everyone has the right to education.", "human", True),
        (
            1,
            1,
            "Образование должно быть бесплатным по меньшей мере в том, что касается начального и общего "
            "образования.",
            "Education shall be free, at least in the elementary and fundamental stages.",
            "human",
            True,
        ),
        (1, 2, "Начальное образование должно быть обязательным.", "Elementary education shall be compulsory.", "human", True),
        (2, 0, "Неизвестный абзац без перевода.", "Неизвестный абзац без перевода.", "none", False),
    ]  # fmt: skip
    assert all(
        p.from_memory and p.model == "udhr.tmx" and p.confidence is None for p in translation.sentences[:4]
    )
    assert translation.status == "partial"
    made = translation_sources(translation)
    assert (made.human, made.machine, made.origins) == (4, 0, ("udhr.tmx",))


def test_human_sentences_come_before_any_engine_and_skip_it() -> None:
    engine = FakeEngine()
    memory = _human_memory(("Спасибо.", "Thank you."))
    translator = Translator(_engines(engine), memory, Glossary(), get_detector(), "en")
    article = make_article("http://x.ru/1", "Заголовок", ["Работа идёт. Спасибо."])
    pairs = translator.translate_article(article).sentences
    assert [(p.source, p.target, p.engine) for p in pairs] == [
        ("Заголовок", "ЗАГОЛОВОК", "upper"),
        ("Работа идёт.", "РАБОТА ИДЁТ.", "upper"),
        ("Спасибо.", "Thank you.", "human"),
    ]
    assert "Спасибо." not in engine.sent
    made = translation_sources(translator.translate_article(article))
    assert (made.human, made.machine) == (1, 2)


def test_human_translation_is_found_through_case_yo_and_spacing() -> None:
    memory = _human_memory(("Ёлка  у Кремля.", "A fir tree by the Kremlin."))
    article = make_article("http://x.ru/2", "ЕЛКА У КРЕМЛЯ.", [])
    (pair,) = _offline(memory).translate_article(article).sentences
    assert (pair.target, pair.engine) == ("A fir tree by the Kremlin.", "human")


def test_an_evaluation_translator_ignores_human_translations() -> None:
    engine = FakeEngine()
    memory = _human_memory(("Спасибо.", "Thank you."))
    translator = Translator(_engines(engine), memory, Glossary(), get_detector(), "en", human=False)
    (pair,) = translator.translate_sentences(["Спасибо."], "ru")
    assert (pair.target, pair.engine) == ("СПАСИБО.", "upper")


def test_a_changed_paragraph_keeps_the_human_translation_of_its_unchanged_sentences(tmp_path: Path) -> None:
    path = tmp_path / "p.tmx"
    path.write_text(
        '<tmx version="1.4"><header srclang="ru" creationtool="t"/><body><tu><tuv xml:lang="ru">'
        f'<seg>{RU}</seg></tuv><tuv xml:lang="en"><seg>{EN}</seg></tuv></tu></body></tmx>',
        encoding="utf-8",
    )
    memory = DictMemory()
    memory.remember(tmx_entries(read_tmx(path), "p.tmx").entries)
    edited = RU.replace("Начальное образование должно быть обязательным.", "Школьная форма обязательна.")
    article = make_article("http://un.org/udhr", "Статья 26", [edited])
    pairs = [p for p in _offline(memory).translate_article(article).sentences if p.segment == 1]
    assert [(p.engine, p.target) for p in pairs] == [
        ("human", "Everyone has the right to education."),
        ("human", "Education shall be free, at least in the elementary and fundamental stages."),
        ("none", "Школьная форма обязательна."),
    ]
