"""The JSON API's response models (they make the OpenAPI schema) and their conversion from osiwire values."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from osiwire.model import (
    Enrichment,
    PersonName,
    Release,
    SearchHit,
    Source,
    SourceHealth,
    Translation,
    Version,
)
from osiwire.web.render import Renderer
from osiwire.web.results import ResultsView

JSON_MEDIA_TYPE = "application/json"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorOut(_Out):
    """An error: 400 (bad parameter or query) or 404 (no such release or source)."""

    detail: str = Field(description="What was wrong, in one line.")


class HitOut(_Out):
    """One release in a listing or search result."""

    id: int
    url: str = Field(description="Canonical URL of the release at its source.")
    title: str
    published: datetime | None = Field(description="Publication time given by the source, if any.")
    language: str = Field(description="ISO 639-1 language of the release.")
    source: str = Field(description="Source name.")
    region: str = Field(description="Region of the source.")
    snippet: str = Field(description="Plain-text excerpt around the first match.")
    highlights: list[tuple[int, int]] = Field(
        description="(start, end) offsets of matched words in `snippet`, in Unicode code points."
    )
    score: float = Field(description="Relevance (higher is better); 0 in the latest list.")


class HitPageOut(_Out):
    """One page of releases: the latest, or the matches of a search."""

    query: str
    total: int = Field(description="Number of matches in all pages.")
    limit: int
    offset: int
    hits: list[HitOut]


class HealthOut(_Out):
    """Fetch bookkeeping of a source."""

    next_check_at: datetime | None
    last_checked_at: datetime | None
    last_success_at: datetime | None
    error_count: int = Field(description="Consecutive failed checks (0 after a success).")
    last_error: str


class SourceOut(_Out):
    """A registered source and its health."""

    id: int
    name: str
    url: str
    kind: str = Field(description="rss, atom, json, html, sitemap or file.")
    region: str
    country: str = Field(description="ISO 3166-1 alpha-2.")
    language: str = Field(description="ISO 639-1 language the source mostly publishes in.")
    organisation: str
    interval_s: int = Field(description="Seconds between checks.")
    enabled: bool
    health: HealthOut | None


class SegmentOut(_Out):
    """The title or one paragraph, with its own language."""

    position: int
    kind: str = Field(description="title or paragraph.")
    text: str
    language: str


class VersionOut(_Out):
    """One stored version of a release (each distinct content seen at its URL)."""

    version_no: int
    content_hash: str
    fetched_at: datetime
    title: str
    published: datetime | None
    language: str


class SentencePairOut(_Out):
    """One source sentence and its translation."""

    segment: int = Field(description="Position of the segment (0 = the title).")
    index: int = Field(description="Order of the sentence within its segment.")
    source: str
    target: str = Field(description="The translation; equal to source when not translated.")
    source_language: str
    engine: str = Field(
        description='ctranslate2, libretranslate, openai, none, "" when kept as is, or human: a human '
        "translation from the translation memory (TMX)."
    )
    model: str = Field(
        description="The engine's model; for a human translation, where it came from (file, tool)."
    )
    confidence: float | None = Field(description="0..1 where the engine scores its output, else null.")
    from_memory: bool = Field(description="Served by the translation memory.")
    translated: bool = Field(
        description="False when kept as is (already in the target language, or no engine)."
    )


class TranslationOut(_Out):
    """The translation of the shown version."""

    target_language: str
    status: str = Field(description="complete, partial or untranslated.")
    error: str = Field(description="Why it is not complete (one line), else empty.")
    sentences: list[SentencePairOut]


class PersonOut(_Out):
    """A person named in the release."""

    name: str = Field(description="Base form in the original script.")
    name_en: str = Field(description="English (BGN/PCGN) form.")
    first: str
    patronymic: str
    last: str
    variants: list[str] = Field(description="Spellings in every script the person is found under.")


class ParticipantOut(_Out):
    """One row of the release's participant list (or an apposition in its text)."""

    name: str
    name_en: str
    position: str
    organisation: str
    country: str = Field(description="ISO 3166-1 alpha-2, or empty.")
    group: str
    source: str = Field(description="Where the row came from: list (a list row), sentence or apposition.")
    kind: str = Field(
        default="participant", description="participant (listed or named with meeting language) or mentioned."
    )


class TopicOut(_Out):
    """A topic of the taxonomy that fired, with the words that made it fire."""

    id: str
    label: str
    evidence: list[str]


class QuoteOut(_Out):
    """Words a person said in the release: a quotation, or a transcript turn under their name."""

    segment: int = Field(description="Position of the segment the quote is in (0 = the title).")
    start: int = Field(description="Offset of the quoted words in the segment's text (no quote marks).")
    end: int
    text: str
    speaker: str = Field(description="The speaker's name, original script.")
    speaker_en: str
    kind: str = Field(description="quote (in quote marks) or turn (a transcript turn).")


class EnrichmentOut(_Out):
    """What the enrich stage found in the shown version."""

    people: list[PersonOut]
    participants: list[ParticipantOut]
    topics: list[TopicOut]
    countries: list[str]
    quotes: list[QuoteOut] = []


def enrichment_out(enrichment: Enrichment | None) -> EnrichmentOut | None:
    """An enrichment as the API shows it."""
    if enrichment is None:
        return None

    def person(n: PersonName) -> PersonOut:
        return PersonOut(
            name=n.display, name_en=n.name_en, first=n.first, patronymic=n.patronymic, last=n.last,
            variants=list(n.variants),
        )  # fmt: skip

    return EnrichmentOut(
        people=[person(n) for n in enrichment.people],
        participants=[
            ParticipantOut(
                name=p.name.display,
                name_en=p.name.name_en,
                position=p.position,
                organisation=p.organisation,
                country=p.country,
                group=p.group,
                source=p.source,
                kind=p.kind,
            )
            for p in enrichment.participants
        ],
        topics=[TopicOut(id=t.id, label=t.label, evidence=list(t.evidence)) for t in enrichment.topics],
        countries=list(enrichment.countries),
        quotes=[
            QuoteOut(
                segment=q.segment,
                start=q.start,
                end=q.end,
                text=q.text,
                speaker=q.speaker.display,
                speaker_en=q.speaker.name_en,
                kind=q.kind,
            )
            for q in enrichment.quotes
        ],
    )


class ReleaseRefOut(_Out):
    """Another release, by id and URL."""

    id: int
    url: str


class ReleaseOut(_Out):
    """A release: the chosen version's segments and every version."""

    id: int
    url: str
    title: str
    language: str
    published: datetime | None
    author: str
    first_seen_at: datetime
    version_no: int = Field(description="The version whose segments are listed (the newest by default).")
    source: SourceOut | None = Field(description="Null when the source was removed from the registry.")
    segments: list[SegmentOut]
    versions: list[VersionOut]
    translation: TranslationOut | None = Field(None, description="Null when not translated yet.")
    enrichment: EnrichmentOut | None = Field(None, description="Null when not enriched yet.")
    story_id: int | None = Field(
        None, description="Its story (`/api/v1/stories/{id}`); null before the stories stage."
    )
    duplicate_of: ReleaseRefOut | None = Field(None, description="The release it copies, when it is a copy.")
    duplicates: list[ReleaseRefOut] = Field(
        default_factory=list, description="Releases that copy it, earliest first."
    )


def hit_out(hit: SearchHit) -> HitOut:
    """A search hit as the API shows it."""
    return HitOut(
        id=hit.id,
        url=hit.url,
        title=hit.title,
        published=hit.published,
        language=hit.language,
        source=hit.source,
        region=hit.region,
        snippet=hit.snippet,
        highlights=list(hit.highlights),
        score=hit.score,
    )


def hit_page_out(view: ResultsView) -> HitPageOut:
    """A result listing as the API shows it."""
    return HitPageOut(
        query=view.page.query,
        total=view.page.total,
        limit=view.page_size,
        offset=view.offset,
        hits=[hit_out(h) for h in view.hits],
    )


def health_out(health: SourceHealth) -> HealthOut:
    """A source's health as the API shows it."""
    return HealthOut(
        next_check_at=health.next_check_at,
        last_checked_at=health.last_checked_at,
        last_success_at=health.last_success_at,
        error_count=health.error_count,
        last_error=health.last_error,
    )


def source_out(source: Source, health: SourceHealth | None) -> SourceOut:
    """A source as the API shows it."""
    assert source.id is not None  # stored sources always have one
    return SourceOut(
        id=source.id,
        name=source.name,
        url=source.url,
        kind=str(source.kind),
        region=source.region,
        country=source.country,
        language=source.language,
        organisation=source.organisation,
        interval_s=source.interval_s,
        enabled=source.enabled,
        health=health_out(health) if health else None,
    )


def translation_out(translation: Translation | None) -> TranslationOut | None:
    """A translation as the API shows it."""
    if translation is None:
        return None
    return TranslationOut(
        target_language=translation.target_language,
        status=translation.status,
        error=translation.error,
        sentences=[SentencePairOut.model_validate(asdict(p)) for p in translation.sentences],
    )


def release_out(
    release: Release,
    version: Version,
    health: SourceHealth | None,
    translation: Translation | None = None,
    enrichment: Enrichment | None = None,
) -> ReleaseOut:
    """A release (showing ``version``'s segments) as the API shows it."""
    return ReleaseOut(
        enrichment=enrichment_out(enrichment),
        translation=translation_out(translation),
        id=release.id,
        url=release.url,
        title=version.title,
        language=version.language,
        published=version.published,
        author=version.author,
        first_seen_at=release.first_seen_at,
        version_no=version.version_no,
        source=source_out(release.source, health) if release.source else None,
        segments=[
            SegmentOut(position=s.position, kind=s.kind, text=s.text, language=s.language)
            for s in version.segments
        ],
        versions=[
            VersionOut(
                version_no=v.version_no,
                content_hash=v.content_hash,
                fetched_at=v.fetched_at,
                title=v.title,
                published=v.published,
                language=v.language,
            )
            for v in release.versions
        ],
    )


def json_renderer() -> Renderer:
    """Result listings as the API's JSON."""
    return Renderer("json", JSON_MEDIA_TYPE, lambda view: hit_page_out(view).model_dump_json())
