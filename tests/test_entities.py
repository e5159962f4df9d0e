"""Entities: the extractor protocol and registry, natasha NER for Russian, normal forms, offsets."""

from __future__ import annotations

import functools
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from osiwire.enrich.enricher import Enricher
from osiwire.enrich.entities import (
    MAX_PIECE_CHARS,
    EntityExtractor,
    ExtractorRegistry,
    NatashaExtractor,
    extractor_for,
    normalise,
)
from osiwire.enrich.lexicon import Lemmas
from osiwire.model import Mention


@functools.cache
def loaded_enricher() -> Enricher:
    """One Enricher per test process (natasha loads once, ~1 s); other test modules import this."""
    return Enricher()


@functools.cache
def loaded_extractor() -> EntityExtractor:
    extractor = loaded_enricher().registry.extractor_for("ru")
    assert extractor is not None
    return extractor


@pytest.fixture(scope="session")
def natasha() -> EntityExtractor:
    return loaded_extractor()


@pytest.fixture(scope="session")
def analyser() -> object:
    return Lemmas().analyser


def assert_offsets(text: str, mentions: list[Mention]) -> None:
    for m in mentions:
        assert text[m.start : m.end] == m.text, m
        assert m.type in {"PER", "ORG", "LOC"}
        assert m.text.strip() == m.text and m.normal


def test_natasha_finds_people_places_organisations(natasha: EntityExtractor) -> None:
    text = (
        "Секретарь Совета Безопасности Российской Федерации Николай Патрушев встретился в Москве "
        "с Генеральным секретарём ОДКБ Станиславом Засем."
    )
    mentions = natasha.extract(text, 3)
    assert_offsets(text, mentions)
    assert all(m.segment == 3 for m in mentions)
    found = {(m.type, m.normal) for m in mentions}
    assert ("PER", "Николай Патрушев") in found
    assert ("LOC", "Москва") in found
    assert ("PER", "Станислав Зась") in found
    assert ("ORG", "Совет Безопасности") in found
    assert any(m.type == "ORG" and m.text == "ОДКБ" for m in mentions)


def test_extract_many_keeps_segments_and_order(natasha: EntityExtractor) -> None:
    texts = [(0, "Владимир Путин провёл переговоры."), (2, ""), (1, "Встреча прошла в Минске и Казани.")]
    mentions = natasha.extract_many(texts)
    assert [m.segment for m in mentions] == sorted(m.segment for m in mentions)
    assert {m.normal for m in mentions if m.segment == 1} == {"Минск", "Казань"}
    for segment, text in texts:
        assert_offsets(text, [m for m in mentions if m.segment == segment])


def test_long_texts_are_tagged_in_pieces_with_true_offsets(natasha: EntityExtractor) -> None:
    sentence = "Президент Белоруссии Александр Лукашенко прибыл в Москву. "
    text = sentence * (3 * MAX_PIECE_CHARS // len(sentence))
    mentions = natasha.extract(text, 0)
    assert_offsets(text, mentions)
    people = [m for m in mentions if m.type == "PER"]
    assert len(people) == text.count("Лукашенко")
    assert max(m.start for m in people) > 2 * MAX_PIECE_CHARS


@pytest.mark.parametrize(
    ("span", "type_", "normal"),
    [
        ("Николая Патрушева", "PER", "Николай Патрушев"),
        ("Патрушева", "PER", "Патрушев"),
        ("Анны Ивановой", "PER", "Анна Иванова"),
        ("Ольгу Борисовну", "PER", "Ольга Борисовна"),
        ("Касым-Жомарту Токаеву", "PER", "Касым-Жомарт Токаев"),
        ("Денисом Паслером", "PER", "Денис Паслер"),  # unknown to pymorphy3's dictionary
        ("Сергеем Ситниковым", "PER", "Сергей Ситников"),  # parsed as an adjective by pymorphy3
        ("ПАТРУШЕВА Николая Платоновича", "PER", "ПАТРУШЕВ Николай Платонович"),
        ("Никол Пашинян", "PER", "Никол Пашинян"),
        ("Станиславом Засем", "PER", "Станислав Зась"),
        ("Москве", "LOC", "Москва"),
        ("Республики Беларусь", "LOC", "Республика Беларусь"),
        ("Соединённых Штатов Америки", "LOC", "Соединённые Штаты Америки"),
        ("Ямало-Ненецкого автономного округа", "LOC", "Ямало-Ненецкий автономный округ"),
        ("Санкт-Петербурге", "LOC", "Санкт-Петербург"),
        ("Федерации", "LOC", "Федерация"),
        ("Совета Безопасности", "ORG", "Совет Безопасности"),
        ("Министерства иностранных дел", "ORG", "Министерство иностранных дел"),
        ("Государственной Думы", "ORG", "Государственная Дума"),
        ("Вооружённых сил", "ORG", "Вооружённые силы"),
        ("госкорпорации «Роскосмос»", "ORG", "госкорпорация «Роскосмос»"),
        ("РСПП", "ORG", "РСПП"),
        ("Paris", "LOC", "Paris"),
    ],
)
def test_normal_forms(analyser: object, span: str, type_: str, normal: str) -> None:
    assert normalise(span, type_, analyser) == normal


HOSTILE = {
    "empty": "",
    "blank": " \n\t \u00a0",
    "all caps": "ВСТРЕЧА ПРЕЗИДЕНТА РОССИИ ВЛАДИМИРА ПУТИНА С ПРЕЗИДЕНТОМ КАЗАХСТАНА В АСТАНЕ",
    "mixed script": "Встрeча с Пyтиным (Latin e and y) и Tokayev в Астане; 東京 и القاهرة",
    "table": "Страна | Товарооборот\nКитай | 240\nИндия | 65\n---|---\nИтого | 305",
    "list only": "\n".join(f"– {n}" for n in ["Иванов И.И.", "Петров П.П.", "Сидоров С.С."]),
    "hyphen and apostrophe": "Встреча с Жаном-Мари Ле Пеном, Д'Артаньяном и О'Брайеном в Кот-д'Ивуаре.",
    "control characters": "Путин\x00\x07 встретился\u200b с Лукашенко\ufeff",
    "one long word": "Москва" * 2_000,
    "digits and punctuation": "12:00 — 14:30; №5, §7 … !!! ??? «»",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_never_crashes(natasha: EntityExtractor, text: str) -> None:
    assert_offsets(text, natasha.extract(text, 0))


def test_kremlin_release_offsets(natasha: EntityExtractor, shared_data: Path) -> None:
    path = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[1])
    mentions = natasha.extract(record["text"], 0)
    assert_offsets(record["text"], mentions)
    assert {"Дмитрий Баканов", "Роскосмос"} <= {m.normal for m in mentions}


def test_registry_has_russian_and_logs_missing_languages_once(caplog: pytest.LogCaptureFixture) -> None:
    registry = ExtractorRegistry()
    assert isinstance(registry.extractor_for("ru"), NatashaExtractor)
    assert registry.extractor_for("ru-RU") is registry.extractor_for("ru")  # one instance: one model load
    with caplog.at_level(logging.INFO, logger="osiwire.enrich.entities"):
        assert registry.extractor_for("de") is None
        assert registry.extractor_for("de") is None
        assert registry.extractor_for("kk") is None
    assert sum("'de'" in r.getMessage() for r in caplog.records) == 1
    assert sum("'kk'" in r.getMessage() for r in caplog.records) == 1
    assert extractor_for("kk") is None
    assert isinstance(extractor_for("ru"), NatashaExtractor)


def test_a_language_plugs_in() -> None:
    class Capitals:
        language = "en"

        def extract(self, text: str, segment: int) -> list[Mention]:
            return self.extract_many([(segment, text)])

        def extract_many(self, texts: list[tuple[int, str]]) -> list[Mention]:
            return [
                Mention(seg, i, i + len(w), "LOC", w, w)
                for seg, text in texts
                for i, w in ((text.find(w), w) for w in text.split() if w == "London")
            ]

    registry = ExtractorRegistry()
    registry.register("en", lambda lemmas: Capitals())
    extractor = registry.extractor_for("en")
    assert isinstance(extractor, EntityExtractor)
    assert [m.text for m in extractor.extract("talks in London", 1)] == ["London"]


def test_models_load_lazily() -> None:
    check = (
        "import sys\n"
        "from osiwire.enrich.entities import NatashaExtractor, ExtractorRegistry\n"
        "from osiwire.enrich.enricher import Enricher\n"
        "NatashaExtractor(); ExtractorRegistry().extractor_for('ru')\n"
        "assert 'natasha' not in sys.modules and 'slovnet' not in sys.modules, 'NER loaded too early'\n"
        "assert 'pymorphy3' not in sys.modules, 'pymorphy3 loaded at import'\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
