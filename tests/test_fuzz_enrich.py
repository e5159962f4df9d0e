"""Property tests of the enrich stage over hostile text: no exception, offsets inside the text and matching it.

Every entry point that reads outside text: the enricher in Russian (natasha), English (rules) and languages with
no extractor, participants (lists and appositions), topics, countries, names and transliteration, positions,
the English name rules. Examples per test: the hypothesis profile's (tests/conftest.py: "ci" 60, "fuzz" 3000).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from fuzz_strategies import WORDS, documents, short_texts
from osiwire.enrich.countries import find_countries
from osiwire.enrich.english import find_people, list_names, running_name
from osiwire.enrich.enricher import Enricher
from osiwire.enrich.morphology import nominative_position
from osiwire.enrich.names import english_name, name_variants, parse_name, person_key
from osiwire.enrich.participant_lists import bullet_rows, kremlin_rows
from osiwire.enrich.participants import extract_participants
from osiwire.enrich.positions import country_of, organisation_of, side_country
from osiwire.enrich.topics import default_matcher
from osiwire.enrich.transliteration import fold_latin, latin_spellings, transliterate, transliterate_yo
from osiwire.model import Article, Mention, Participant, PersonName, Segment, TopicMatch

# Languages the enricher reads differently: natasha (ru), the English rules (en), participant lists and topics
# only (uk, kk, hy, ka, ar), written with a region or in capitals, undetermined, and none at all.
LANGUAGES = ["ru", "en", "en-GB", "ru-RU", "EN", "en_US", "uk", "kk", "hy", "ka", "ar", "und", "", "xx"]


@functools.cache
def _enricher() -> Enricher:
    return Enricher()  # models load once per test process


def _article(paragraphs: list[str], languages: list[str]) -> Article:
    segments = [Segment(0, "title", paragraphs[0][:200], languages[0])]
    segments += [
        Segment(i + 1, "paragraph", text, languages[i % len(languages)]) for i, text in enumerate(paragraphs)
    ]
    return Article(
        url="https://example.org/fuzz",
        title=segments[0].text,
        language=languages[0],
        segments=tuple(segments),
        content_hash="fuzz",
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def check_name(name: PersonName | None) -> None:
    if name is None:
        return
    assert isinstance(name, PersonName)
    assert all(isinstance(part, str) for part in (name.first, name.patronymic, name.last, name.initials))
    assert isinstance(name.name_en, str) and all(isinstance(v, str) for v in name.variants)


def check_participant(row: Participant) -> None:
    assert isinstance(row, Participant)
    check_name(row.name)
    assert isinstance(row.position, str) and isinstance(row.organisation, str) and isinstance(row.group, str)
    assert row.country == "" or (len(row.country) == 2 and row.country.isupper())


@given(
    st.lists(documents(), min_size=1, max_size=4),
    st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3),
)
def test_enricher_keeps_mentions_inside_their_segment(paragraphs: list[str], languages: list[str]) -> None:
    article = _article(paragraphs, languages)
    enrichment = _enricher().enrich(article)
    texts = {s.position: s.text for s in article.segments}
    for m in enrichment.mentions:
        assert isinstance(m, Mention) and m.type in {"PER", "ORG", "LOC"}
        assert 0 <= m.start < m.end <= len(texts[m.segment])
        assert texts[m.segment][m.start : m.end] == m.text, m
        assert isinstance(m.normal, str) and m.normal
    for person in enrichment.people:
        check_name(person)
    for row in enrichment.participants:
        check_participant(row)
    assert all(isinstance(t, TopicMatch) and t.id and t.label for t in enrichment.topics)
    assert all(len(c) == 2 and c.isupper() for c in enrichment.countries)


@given(documents(), st.sampled_from(["ru", "en"]))
def test_enricher_reads_one_language_throughout(text: str, language: str) -> None:
    """The two extractor paths on their own: every paragraph Russian (natasha), or every one English (rules)."""
    article = _article([text, text[::-1]], [language])
    for m in _enricher().enrich(article).mentions:
        segment = article.segments[m.segment]
        assert segment.text[m.start : m.end] == m.text


@st.composite
def _text_with_mentions(draw: st.DrawFn) -> tuple[str, list[Mention]]:
    """A text and PER mentions over it: spans of its own words, and a few that do not fit it at all."""
    text = draw(documents())
    mentions = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, max(0, len(text) - 1)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        mentions.append(Mention(0, start, end, "PER", text[start:end], text[start:end] or "x"))
    if draw(st.booleans()):
        mentions.append(Mention(0, len(text) + 3, len(text) + 9, "PER", "Путин", "Путин"))  # stale offsets
    return text, mentions


@given(_text_with_mentions(), st.sampled_from(LANGUAGES))
def test_participants(case: tuple[str, list[Mention]], language: str) -> None:
    text, mentions = case
    for row in extract_participants(text, language, mentions, segment=0):
        check_participant(row)


@given(documents(), st.sampled_from(LANGUAGES))
def test_participant_list_rows_lie_inside_the_text(text: str, language: str) -> None:
    for row in [*kremlin_rows(text), *bullet_rows(text, language)]:
        assert 0 <= row.start <= row.end <= len(text)
        check_participant(row.participant)


@given(documents(), st.sampled_from(LANGUAGES))
def test_topics_and_countries(text: str, language: str) -> None:
    topics = default_matcher().match(text, language)
    assert all(isinstance(t, TopicMatch) and all(isinstance(e, str) for e in t.evidence) for t in topics)
    explained = default_matcher().explain(text, language)
    assert {e.id for e in explained if e.fired} == {t.id for t in topics}  # explain agrees with match
    assert all(len(c) == 2 and c.isupper() for c in find_countries(text, language))


@given(short_texts(), st.sampled_from(["ru", "en", "uk", "kk", ""]), st.booleans())
def test_names(text: str, language: str, base: bool) -> None:
    name = parse_name(text, language, base=base)
    check_name(name)
    if name is not None:
        assert isinstance(person_key(name), str) and isinstance(english_name(name), str)
        assert all(isinstance(v, str) for v in name_variants(name))
    check_name(running_name(text))


@given(short_texts())
def test_transliteration(text: str) -> None:
    for spelling in (transliterate(text), transliterate_yo(text), fold_latin(text)):
        assert isinstance(spelling, str)
    assert fold_latin(text) == fold_latin(fold_latin(text))  # a key of a key is the key
    latin = transliterate(text)
    spellings = latin_spellings(latin)
    assert spellings[0] == latin and all(isinstance(s, str) for s in spellings)


@given(st.one_of(short_texts(), st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)))
def test_positions(text: str) -> None:
    for code in (country_of(text), side_country(text)):
        assert code == "" or (len(code) == 2 and code.isupper())
    assert isinstance(organisation_of(text), str)
    nominative = nominative_position(text)
    assert isinstance(nominative, str) and len(nominative.split()) == len(text.split())


@given(documents())
def test_english_name_rules_keep_offsets(text: str) -> None:
    listed = list_names(text)
    for start, end in listed:
        assert 0 <= start < end <= len(text)
    for found in find_people(text, listed):
        assert 0 <= found.start < found.end <= len(text)
        check_participant(found.participant)
