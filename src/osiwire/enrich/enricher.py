"""The enrich stage: mentions, people, participants, topics and countries of an article's original text.

``Enricher`` holds what is loaded once per process (NER models, lemmatiser, taxonomy, country names);
``enrich_article(article, enricher)`` is the stage function. Each segment is read in its own language:
Russian through natasha, languages without an extractor get no mentions, but participant lists, topics
and countries still run on them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from osiwire.enrich.boilerplate import SourceBoilerplate
from osiwire.enrich.countries import CountryFinder
from osiwire.enrich.entities import ExtractorRegistry
from osiwire.enrich.lexicon import Lemmas, Words, fold
from osiwire.enrich.participant_countries import url_country, with_home_country
from osiwire.enrich.topics import TopicMatcher, load_taxonomy
from osiwire.model import Article, Enrichment, Mention, Participant, PersonName, Quote, Segment

logger = logging.getLogger(__name__)

# Characters of an article that are enriched; the rest is skipped (and logged). The longest of the 125
# kremlin.ru releases (a press conference transcript) has 105,756; NER reads ~160,000 characters a second.
MAX_ARTICLE_CHARS = 200_000
# Distinct person mentions whose parsed name is remembered: the same officials recur release after release.
NAME_CACHE_SIZE = 100_000

ParseName = Callable[[str, str], PersonName | None]
PersonKey = Callable[[PersonName], str]
ExtractParticipants = Callable[..., list[Participant]]
FindQuotes = Callable[..., list[Quote]]


def _morphology_analyser() -> Any:
    from osiwire.enrich.morphology import analyser  # names and participants share this pymorphy3 instance

    return analyser()


def _default_parse_name(normal: str, lang: str) -> PersonName | None:
    if lang.split("-")[0] == "en":
        from osiwire.enrich.english import running_name

        return running_name(normal)  # English running text writes "First Last"
    from osiwire.enrich.names import parse_name

    return parse_name(normal, lang, base=True)  # a mention's normal form: in the nominative already


def _default_person_key(name: PersonName) -> str:
    from osiwire.enrich.names import person_key

    return person_key(name)


def _default_participants(
    text: str, lang: str, mentions: Sequence[Mention], segment: int | None = None
) -> list[Participant]:
    from osiwire.enrich.participants import extract_participants

    return extract_participants(text, lang, mentions, segment=segment)


def _default_quotes(
    segments: Sequence[Segment],
    mentions: Sequence[Mention],
    people: Sequence[PersonName],
    lang: str,
    participants: Sequence[Participant],
) -> list[Quote]:
    from osiwire.enrich.quotes import find_quotes

    return find_quotes(segments, mentions, people, language=lang, participants=participants)


def capped_segments(article: Article, max_chars: int = MAX_ARTICLE_CHARS) -> list[Segment]:
    """The article's non-blank segments up to ``max_chars`` characters in all (the last one cut short)."""
    out: list[Segment] = []
    left = max_chars
    for segment in article.segments:
        if not segment.text.strip():
            continue
        if left <= 0:
            break
        if len(segment.text) > left:
            segment = Segment(segment.position, segment.kind, segment.text[:left], segment.language)
        out.append(segment)
        left -= len(segment.text)
    total = sum(len(s.text) for s in article.segments)
    if total > max_chars:
        logger.warning(
            "enrich: %s has %d characters: only the first %d are enriched",
            article.url,
            total,
            max_chars,
            extra={"stage": "enrich", "url": article.url},
        )
    return out


def _fuller(name: PersonName) -> bool:
    return bool(name.first or name.initials)


def _people(names: Sequence[PersonName], key: PersonKey) -> tuple[PersonName, ...]:
    """One entry per person: duplicates by key dropped, and a bare surname when the article also names
    someone of that surname in full (within one release "Путин" is the "Владимир Путин" named before)."""
    unique: dict[str, PersonName] = {}
    for name in names:
        unique.setdefault(key(name), name)
    full_surnames = {fold(n.last) for n in unique.values() if n.last and _fuller(n)}
    return tuple(n for n in unique.values() if _fuller(n) or fold(n.last) not in full_surnames)


class Enricher:
    """Everything the enrich stage loads once, with the stage itself as ``enrich``."""

    def __init__(
        self,
        *,
        lemmas: Lemmas | None = None,
        registry: ExtractorRegistry | None = None,
        topics_file: Path | None = None,
        countries_file: Path | None = None,
        parse_name: ParseName = _default_parse_name,
        person_key: PersonKey = _default_person_key,
        extract_participants: ExtractParticipants = _default_participants,
        find_quotes: FindQuotes = _default_quotes,
        max_chars: int = MAX_ARTICLE_CHARS,
    ) -> None:
        self.lemmas = lemmas or Lemmas(_morphology_analyser)
        self.registry = registry or ExtractorRegistry(lemmas=self.lemmas)
        self.topics = TopicMatcher(load_taxonomy(topics_file), self.lemmas)
        self.countries = CountryFinder(countries_file, self.lemmas)
        self.parse_name = parse_name
        self.person_key = person_key
        self.extract_participants = extract_participants
        self.find_quotes = find_quotes
        self.max_chars = max_chars
        self.boilerplate = SourceBoilerplate()  # site furniture per source, learned as releases are read
        self._names: dict[tuple[str, str], PersonName | None] = {}

    def _parse_name(self, normal: str, lang: str) -> PersonName | None:
        key = (normal, lang)
        if key in self._names:
            return self._names[key]
        name = self.parse_name(normal, lang)
        if len(self._names) < NAME_CACHE_SIZE:
            self._names[key] = name
        return name

    def _participants(
        self, segments: Sequence[Segment], mentions: Sequence[Mention], lang: str
    ) -> list[Participant]:
        """Participants of every segment, each person and position once."""
        by_segment: dict[int, list[Mention]] = {}
        for mention in mentions:
            by_segment.setdefault(mention.segment, []).append(mention)
        found: dict[tuple[str, str, str], Participant] = {}
        for segment in segments:
            own = by_segment.get(segment.position, [])
            language = segment.language or lang
            for row in self.extract_participants(segment.text, language, own, segment=segment.position):
                found.setdefault((self.person_key(row.name), row.position.casefold(), row.group), row)
        return self._across_segments(list(found.values()))

    def _across_segments(self, rows: list[Participant]) -> list[Participant]:
        """A person on an official list is shown by their list row alone (the body names them again, often with
        a shorter title); one who took part in a sentence of one paragraph is a participant in every row."""
        listed = {self.person_key(r.name) for r in rows if r.source == "list"}
        taking_part = {self.person_key(r.name) for r in rows if r.kind == "participant"}
        out = []
        for row in rows:
            key = self.person_key(row.name)
            if key in listed and row.source != "list":
                continue
            out.append(replace(row, kind="participant") if key in taking_part else row)
        return out

    def mentions(self, segments: Sequence[Segment], default_language: str) -> list[Mention]:
        """Mentions of every segment, each segment read by its own language's extractor."""
        by_language: dict[str, list[tuple[int, str]]] = {}
        for segment in segments:
            language = segment.language or default_language
            by_language.setdefault(language, []).append((segment.position, segment.text))
        found: list[Mention] = []
        for language, texts in by_language.items():
            extractor = self.registry.extractor_for(language)
            if extractor is not None:
                found += extractor.extract_many(texts)
        found.sort(key=lambda m: (m.segment, m.start))
        return found

    def enrich(self, article: Article, source_country: str = "") -> Enrichment:
        """Enrich one article (its original text).

        ``source_country``: the country of the article's source (its configured one, else ``article``'s, else its
        site's country-code domain), given to the source's own officials the text names no country for.
        """
        segments = capped_segments(article, self.max_chars)
        if not segments:
            logger.info("enrich: %s has no text: nothing to enrich", article.url, extra={"stage": "enrich"})
            return Enrichment()
        mentions = self.mentions(segments, article.language)
        self.boilerplate.observe(article.source_id, segments)
        mentions = self.boilerplate.strip(article.source_id, segments, mentions)
        language_of = {s.position: s.language or article.language for s in segments}
        names: list[PersonName] = []
        for mention in mentions:
            if mention.type == "PER":
                name = self._parse_name(mention.normal, language_of[mention.segment])
                if name is not None:
                    names.append(name)
        home = source_country or article.source_country or url_country(article.url)
        participants = with_home_country(
            self._participants(segments, mentions, article.language), home, article.language
        )
        names += [p.name for p in participants]
        people = _people(names, self.person_key)
        quotes = self.find_quotes(segments, mentions, people, article.language, participants)
        if quotes:  # a speaker named only in a turn header ("В.Путин:") is a person of the release too
            people = _people([*people, *(q.speaker for q in quotes)], self.person_key)
        words = Words("\n".join(s.text for s in segments))
        return Enrichment(
            mentions=tuple(mentions),
            people=people,
            participants=tuple(participants),
            topics=tuple(self.topics.match(words, article.language)),
            countries=tuple(self.countries.find(words, article.language)),
            quotes=tuple(quotes),
        )


def enrich_article(article: Article, enricher: Enricher) -> Enrichment:
    """The enrich stage: what ``enricher`` finds in ``article``."""
    return enricher.enrich(article)
