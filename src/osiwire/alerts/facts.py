"""What rules look at in one release: its current version, source, English title and stored enrichment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from osiwire.errors import StoreError
from osiwire.model import Participant, PersonName, TopicMatch
from osiwire.store import Store

TITLE_POSITION = 0
ENGLISH = "en"  # webhooks carry title_en whatever the configured target language


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """One release as rules see it."""

    release_id: int
    version_no: int
    url: str
    title: str
    title_en: str
    published: datetime | None
    sort_at: datetime
    language: str
    source_id: int | None
    source: str
    region: str
    source_country: str
    enriched: bool
    people: tuple[PersonName, ...] = ()
    participants: tuple[Participant, ...] = ()
    topics: tuple[TopicMatch, ...] = ()
    countries: tuple[str, ...] = ()


def english_title(store: Store, release_id: int, version_no: int | None = None) -> str:
    """The English title of a version (the current one by default); "" when it is not translated."""
    translation = store.translations.get(release_id, ENGLISH, version_no=version_no)
    if translation is None or not any(
        p.translated for p in translation.sentences if p.segment == TITLE_POSITION
    ):
        return ""
    return translation.segment_text(TITLE_POSITION)


def load_facts(store: Store, release_id: int) -> ReleaseFacts | None:
    """The facts of a release's current version; None when the release is gone."""
    try:
        release = store.releases.get(release_id)
    except StoreError:
        return None
    current = release.current
    enrichment = store.enrichments.get(release_id, current.version_no)
    source = release.source
    return ReleaseFacts(
        release_id=release.id,
        version_no=current.version_no,
        url=release.url,
        title=current.title,
        title_en=english_title(store, release_id, current.version_no),
        published=current.published,
        sort_at=current.published or release.first_seen_at,
        language=current.language,
        source_id=source.id if source else None,
        source=source.name if source else "",
        region=source.region if source else "",
        source_country=source.country if source else "",
        enriched=enrichment is not None,
        people=enrichment.people if enrichment else (),
        # role rules read participants of the meeting; people named in passing are among ``people``
        participants=tuple(p for p in enrichment.participants if p.kind != "mentioned") if enrichment else (),
        topics=enrichment.topics if enrichment else (),
        countries=enrichment.countries if enrichment else (),
    )
