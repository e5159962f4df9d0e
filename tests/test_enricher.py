"""The enrich stage: segments routed by language, capped input, people deduplicated, the real corpus."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from osiwire.enrich.enricher import Enricher, capped_segments, enrich_article
from osiwire.enrich.entities import ExtractorRegistry
from osiwire.enrich.lexicon import Lemmas
from osiwire.model import Article, Enrichment, Mention, Participant, PersonName, Segment
from test_entities import loaded_enricher

NOW = datetime(2025, 3, 13, tzinfo=UTC)
ISO_COUNTRIES = {"RU", "BY", "KZ", "TJ", "US", "UA", "CN"}


def article(*texts: tuple[str, str], url: str = "https://example.org/r/1") -> Article:
    """An article whose first (language, text) is the title and the rest paragraphs."""
    segments = tuple(
        Segment(i, "title" if i == 0 else "paragraph", text, lang) for i, (lang, text) in enumerate(texts)
    )
    return Article(url, texts[0][1] if texts else "", texts[0][0] if texts else "ru", segments, "h", NOW)


class Recorder:
    """Stand-ins for osiwire.enrich.names/participants, recording what the stage passes them."""

    def __init__(self) -> None:
        self.names: list[tuple[str, str]] = []
        self.participant_calls: list[tuple[str, str, int, int | None]] = []

    def parse_name(self, text: str, lang: str) -> PersonName | None:
        self.names.append((text, lang))
        first, _, last = text.rpartition(" ")
        return PersonName(first=first, last=last)

    @staticmethod
    def person_key(name: PersonName) -> str:
        return f"{name.last.lower()}:{name.first[:1].lower()}"

    def participants(
        self, text: str, lang: str, mentions: Sequence[Mention], segment: int | None = None
    ) -> list[Participant]:
        self.participant_calls.append((text, lang, len(mentions), segment))
        if text.startswith("– Grigoryan"):
            return [
                Participant(PersonName(first="Armen", last="Grigoryan"), position="Secretary", source="list")
            ]
        return []


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def enricher(recorder: Recorder) -> Enricher:
    shared = loaded_enricher()  # the loaded natasha model and lemmatiser, with stand-ins for names
    return Enricher(
        lemmas=shared.lemmas,
        registry=shared.registry,
        parse_name=recorder.parse_name,
        person_key=recorder.person_key,
        extract_participants=recorder.participants,
    )


def test_segments_are_read_in_their_own_language(enricher: Enricher, recorder: Recorder) -> None:
    result = enrich_article(
        article(
            ("ru", "Встреча с Президентом Белоруссии"),
            ("ru", "Владимир Путин встретился в Москве с Александром Лукашенко."),
            ("en", "– Grigoryan Armen Valerievich, Secretary of the Security Council of Armenia."),
            ("kk", "Қазақстан Республикасының Президенті Астанада."),
        ),
        enricher,
    )
    assert {m.segment for m in result.mentions} == {0, 1, 2}  # English by rules; no extractor for Kazakh yet
    assert {m.normal for m in result.mentions} >= {"Владимир Путин", "Москва", "Александр Лукашенко"}
    assert [(seg, lang) for _, lang, _, seg in recorder.participant_calls] == [
        (0, "ru"),
        (1, "ru"),
        (2, "en"),
        (3, "kk"),
    ]
    assert recorder.participant_calls[1][2] == len([m for m in result.mentions if m.segment == 1])
    assert ("Владимир Путин", "ru") in recorder.names  # names are parsed from normal forms
    assert [p.name.last for p in result.participants] == ["Grigoryan"]
    assert {"Путин", "Лукашенко", "Grigoryan"} <= {p.last for p in result.people}
    assert result.countries == ("BY", "AM")


def test_people_are_deduplicated_and_bare_surnames_folded(enricher: Enricher) -> None:
    result = enricher.enrich(
        article(
            ("ru", "Переговоры"),
            (
                "ru",
                "Владимир Путин провёл встречу. Путин отметил, что Владимир Путин и Сергей Лавров согласны.",
            ),
        )
    )
    assert sorted((p.first, p.last) for p in result.people) == [("Владимир", "Путин"), ("Сергей", "Лавров")]


def test_empty_article_gives_empty_enrichment(enricher: Enricher, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="osiwire.enrich.enricher"):
        assert enricher.enrich(article(("ru", ""), ("ru", "  \n "))) == Enrichment()
        assert enricher.enrich(article()) == Enrichment()
    assert "no text" in caplog.text


def test_huge_articles_are_capped_and_say_so(caplog: pytest.LogCaptureFixture) -> None:
    big = article(("ru", "Заголовок"), ("ru", "а" * 50), ("ru", "б" * 50), ("ru", "в" * 50))
    with caplog.at_level(logging.WARNING, logger="osiwire.enrich.enricher"):
        kept = capped_segments(big, max_chars=80)
    assert [s.text for s in kept] == ["Заголовок", "а" * 50, "б" * 21]
    assert "only the first 80" in caplog.text and big.url in caplog.text
    assert capped_segments(big, max_chars=10_000) == list(big.segments)


def test_a_huge_real_article_is_enriched_within_the_cap(enricher: Enricher) -> None:
    paragraph = "Владимир Путин провёл переговоры с Президентом Казахстана Касым-Жомартом Токаевым в Астане. "
    huge = article(("ru", "Переговоры"), *[("ru", paragraph * 40)] * 200)  # ~750,000 characters
    small = Enricher(
        lemmas=enricher.lemmas,
        registry=enricher.registry,
        max_chars=20_000,
        parse_name=enricher.parse_name,
        person_key=enricher.person_key,
        extract_participants=enricher.extract_participants,
    )
    result = small.enrich(huge)
    assert result.mentions and max(m.segment for m in result.mentions) <= 6
    assert result.countries[:1] == ("KZ",)


def test_registry_without_extractors_still_finds_topics_and_countries(recorder: Recorder) -> None:
    bare = Enricher(
        lemmas=Lemmas(),
        registry=ExtractorRegistry(factories={}),
        parse_name=recorder.parse_name,
        person_key=recorder.person_key,
        extract_participants=recorder.participants,
    )
    result = bare.enrich(
        article(("en", "Sanctions on Iran"), ("en", "New sanctions and an embargo on Iranian oil."))
    )
    assert result.mentions == () and result.countries == ("IR",)
    assert [t.id for t in result.topics][:1] == ["sanctions"]


HOSTILE = {
    "all caps": "ПЕРЕГОВОРЫ ПРЕЗИДЕНТА РОССИИ ВЛАДИМИРА ПУТИНА И ПРЕЗИДЕНТА БЕЛОРУССИИ АЛЕКСАНДРА ЛУКАШЕНКО",
    "mixed script": "Встрeча Пyтина c Tokayev и 習近平 в Астане — مرحبا",
    "table": "Страна | Показатель\n---|---\nКитай | 240\nИндия | 65",
    "list only": "– ИВАНОВ Иван Иванович\n– ПЕТРОВ Пётр Петрович\n– СИДОРОВ",
    "hyphens and apostrophes": "Жан-Мари Ле Пен, О'Брайен и Касым-Жомарт Токаев в Кот-д'Ивуаре; д'Артаньян.",
    "control characters": "Путин\x00\x07 встретился\u200b с Лукашенко\ufeff\r\n",
    "punctuation only": "… — !!! ??? «» ()[]{} § №",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_with_the_real_names_and_participants(text: str) -> None:
    enrichment = loaded_enricher().enrich(article(("ru", text[:40]), ("ru", text), ("en", text)))
    texts = {s: t for s, t in enumerate((text[:40], text, text))}
    for m in enrichment.mentions:
        assert texts[m.segment][m.start : m.end] == m.text


def test_kremlin_releases(shared_data: Path) -> None:
    """The real stage on real releases: offsets, participants of the Tajik talks, topics and countries."""
    path = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    records = {r["title"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    record = records["Российско-таджикистанские переговоры"]
    paragraphs = [p for p in record["text"].split(". ") if p]
    talks = article(("ru", record["title"]), *(("ru", p + ".") for p in paragraphs))
    result = loaded_enricher().enrich(talks)
    for m in result.mentions:
        assert talks.segments[m.segment].text[m.start : m.end] == m.text
    assert set(result.countries[:2]) == {"TJ", "RU"}
    assert {"Эмомали Рахмон", "Таджикистан"} <= {m.normal for m in result.mentions}
    assert any(p.last == "Рахмон" for p in result.people)
    assert set(result.countries) <= ISO_COUNTRIES | {"AF", "KG", "UZ", "KZ", "AZ", "TM", "AM", "IN", "IR"}
    assert all(t.evidence for t in result.topics)
