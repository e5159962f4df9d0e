"""The database schema (SQLAlchemy Core), one definition for SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    delete,
    insert,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes in, UTC out, whatever the backend stores."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: osiwire stores timezone-aware times only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


MAX_ID = 2**63 - 1  # the largest integer key every backend stores


def as_id(key: object) -> int | None:
    """``key`` as a row id when it is one (an int, or a string of ASCII digits in range), else None."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key if 0 <= key <= MAX_ID else None
    text = str(key)
    if text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= MAX_ID:
        return int(text)
    return None


metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("url", Text, nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("region", String(100), nullable=False, default=""),
    Column("country", String(2), nullable=False, default=""),
    Column("language", String(8), nullable=False, default=""),
    Column("organisation", String(200), nullable=False, default=""),
    Column("selector", Text, nullable=False, default=""),
    Column("url_pattern", Text, nullable=False, default=""),
    Column("interval_s", Integer, nullable=False, default=3600),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_check_at", UTCDateTime),
    Column("last_checked_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("error_count", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
)

http_cache = Table(
    "http_cache",
    metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("checked_at", UTCDateTime, nullable=False),
)

releases = Table(
    "releases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    # The current version's fields, copied here so lists and filters need no join.
    Column("title", Text, nullable=False),
    Column("published", UTCDateTime),
    Column("sort_at", UTCDateTime, nullable=False),  # published, else first seen: the list order
    Column("language", String(8), nullable=False),
    Column("author", Text, nullable=False, default=""),
    Column("content_hash", String(64), nullable=False),
    Column("version_count", Integer, nullable=False, default=1),
    Index("ix_releases_sort_at", "sort_at"),
    Index("ix_releases_source", "source_id", "sort_at"),
    Index("ix_releases_language", "language", "sort_at"),
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), nullable=False),
    Column("version_no", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("author", Text, nullable=False, default=""),
    Column("published", UTCDateTime),
    Column("language", String(8), nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("original_url", Text, nullable=False, default=""),
    UniqueConstraint("release_id", "content_hash", name="uq_versions_release_hash"),
    UniqueConstraint("release_id", "version_no", name="uq_versions_release_no"),
    Index("ix_versions_original_url", "original_url"),
)

segments = Table(
    "segments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("language", String(8), nullable=False),
    UniqueConstraint("version_id", "position", name="uq_segments_version_position"),
)

# -- translation (migration 2) ----------------------------------------------------------------------------------

translations = Table(
    "translations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    Column("target_language", String(8), nullable=False),
    Column("status", String(16), nullable=False),  # complete | partial | untranslated | failed
    Column("error", Text, nullable=False, default=""),
    Column("translated_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("retry_at", UTCDateTime),  # failed or partial: when to try again
    UniqueConstraint("version_id", "target_language", name="uq_translations_version_target"),
    Index("ix_translations_retry", "status", "retry_at"),
)

translation_sentences = Table(
    "translation_sentences",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("translation_id", Integer, ForeignKey("translations.id", ondelete="CASCADE"), nullable=False),
    Column("segment", Integer, nullable=False),
    Column("idx", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("source_language", String(8), nullable=False),
    Column("engine", String(32), nullable=False),
    Column("model", Text, nullable=False),
    Column("confidence", Float),
    Column("from_memory", Boolean, nullable=False),
    Column("translated", Boolean, nullable=False),
    UniqueConstraint("translation_id", "segment", "idx", name="uq_translation_sentences_position"),
)

# -- enrichment (migration 3) ----------------------------------------------------------------------------------

enrichments = Table(
    "enrichments",
    metadata,
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    Column("enriched_at", UTCDateTime, nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),  # enrich.names.person_key
    Column("display", Text, nullable=False),  # "Николай Платонович Патрушев"
    Column("name_en", Text, nullable=False),
    Column("first", Text, nullable=False, default=""),
    Column("patronymic", Text, nullable=False, default=""),
    Column("last", Text, nullable=False, default=""),
    Column("initials", Text, nullable=False, default=""),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
)

person_variants = Table(
    "person_variants",
    metadata,
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("variant", Text, primary_key=True),  # folded: lower case, ё→е, no apostrophes
    Column("shown", Text, nullable=False),  # as spelled
    Index("ix_person_variants_variant", "variant"),
)

release_people = Table(
    "release_people",
    metadata,
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_release_people_person", "person_id"),
)

entities = Table(
    "entities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("type", String(8), nullable=False),  # PER | ORG | LOC
    Column("normal", Text, nullable=False),  # the base form every mention of it normalises to
    UniqueConstraint("type", "normal", name="uq_entities_type_normal"),
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("segment", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("type", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("normal", Text, nullable=False),
    Index("ix_mentions_version", "version_id"),
    Index("ix_mentions_entity", "entity_id"),
)

participants = Table(
    "participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    Column("ord", Integer, nullable=False),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Column("name", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("position", Text, nullable=False),
    Column("organisation", Text, nullable=False),
    Column("country", String(2), nullable=False),
    Column("grp", Text, nullable=False),
    Column("source", String(16), nullable=False),
    # "participant" (a list row, or named with meeting language) or "mentioned" (named in passing)
    Column("kind", String(16), nullable=False, server_default="participant"),
    Index("ix_participants_version", "version_id"),
    Index("ix_participants_person", "person_id"),
)

# Words a person said in a version's text (enrich.quotes): offsets into the segment's text, as mentions have.
quotes = Table(
    "quotes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    Column("ord", Integer, nullable=False),
    Column("segment", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # "quote" (in quote marks) | "turn" (a transcript turn)
    Column("person_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Column("speaker", Text, nullable=False),  # the speaker's name as resolved, original script
    Column("speaker_en", Text, nullable=False),
    Index("ix_quotes_version", "version_id"),
    Index("ix_quotes_person", "person_id"),
)

release_topics = Table(
    "release_topics",
    metadata,
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(100), primary_key=True),
    Column("label", Text, nullable=False),
    Column("evidence", Text, nullable=False),  # JSON list of the words that fired
    Index("ix_release_topics_topic", "topic"),
)

release_countries = Table(
    "release_countries",
    metadata,
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    Column("country", String(2), primary_key=True),
    Column("rank", Integer, nullable=False),
    Index("ix_release_countries_country", "country"),
)

translation_memory = Table(
    "translation_memory",
    metadata,
    Column("text_hash", String(64), primary_key=True),
    Column("source_language", String(8), primary_key=True),
    Column("target_language", String(8), primary_key=True),
    Column("engine", String(32), primary_key=True),
    Column("model", String(200), primary_key=True),
    Column("target", Text, nullable=False),
    Column("confidence", Float),
    Column("created_at", UTCDateTime, nullable=False),
    Column("hits", Integer, nullable=False, default=0),
    # migrations._memory_origin: the source sentence (for TMX export), a human translation's origin, its changedate.
    Column("source", Text, nullable=False, server_default=""),
    Column("origin", Text, nullable=False, server_default=""),
    Column("changed_at", UTCDateTime),
)

# -- saved searches and alerts (migration 4) --------------------------------------------------------------------

# A saved search is an alert rule of kind "search": one table for every kind of rule.
alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # search | person | role | topic
    Column("definition", Text, nullable=False),  # JSON object, see alerts/rules.py
    Column("webhook_url", Text, nullable=False, default=""),
    Column("secret", Text, nullable=False, default=""),  # HMAC key of the webhook signature
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

alert_events = Table(
    "alert_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rule_id", Integer, ForeignKey("alert_rules.id", ondelete="CASCADE"), nullable=False),
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), nullable=False),
    Column("version_no", Integer),
    Column("reason", Text, nullable=False),
    Column("fired_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("next_attempt_at", UTCDateTime),  # NULL: nothing to deliver (no webhook, delivered, or given up)
    UniqueConstraint("rule_id", "release_id", name="uq_alert_events_rule_release"),  # fires once per release
    Index("ix_alert_events_fired", "fired_at"),
    Index("ix_alert_events_due", "next_attempt_at"),
)

# -- pipeline stage timings (migration 5) -----------------------------------------------------------------------

# Totals per stage since the database was made, only ever added to: what /metrics shows as counters. The
# pipeline runs in other processes than the web server, so its timings reach /metrics through here.
pipeline_stages = Table(
    "pipeline_stages",
    metadata,
    Column("stage", String(16), primary_key=True),  # timing.STAGES
    Column("passes", Integer, nullable=False, default=0),  # passes in which the stage did anything
    Column("item_count", Integer, nullable=False, default=0),  # not "items": a ColumnCollection method
    Column("seconds", Float, nullable=False, default=0.0),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The run log: one row per pass (over a source, an archive, the alert deliveries); the oldest are pruned.
pipeline_runs = Table(
    "pipeline_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # source | import | alerts
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=False),
    Column("stages", Text, nullable=False),  # JSON object: stage -> [items, seconds]
    Index("ix_pipeline_runs_kind_finished", "kind", "finished_at"),
)

# -- full-text change log (migration 6) -------------------------------------------------------------------------

# One row per write to a full-text table (release_fts, translation_fts): FTS5 keeps no change log of its own,
# and the server's in-memory postings (store.postings) follow the writes through this one.
fts_changes = Table(
    "fts_changes",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("fts", String(32), nullable=False),  # the full-text table written
    Column("release_id", Integer, nullable=False),  # its rowid
    sqlite_autoincrement=True,
)


# -- failed stages (migration 7) --------------------------------------------------------------------------------

# One row per item a stage failed on (the newest failure of that stage for that item): a release stored whose
# enrichment, translation or alert check raised, or a page that could not be fetched or extracted (no release
# then). Cleared when the stage next succeeds on the item; ``osiwire enrich --failed`` and the passes retry them.
stage_failures = Table(
    "stage_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "stage", String(16), nullable=False
    ),  # fetch | extract | store | enrich | translate | alerts | ...
    Column("item", Text, nullable=False),  # the release's or page's URL, or "archive:line"
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE")),
    Column("version_no", Integer),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL")),
    Column("error", Text, nullable=False),  # one line: the exception's class and message
    Column("attempts", Integer, nullable=False, default=1),
    Column("first_failed_at", UTCDateTime, nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
    UniqueConstraint("stage", "item", name="uq_stage_failures_stage_item"),
    Index("ix_stage_failures_source", "source_id", "stage"),
    Index("ix_stage_failures_release", "release_id"),
)

FTS_CHANGES_KEPT = 50_000  # the newest rows of the log kept; a reader further behind reads everything again
FTS_CHANGES_PRUNED_EVERY = 1000  # rows written between two prunings


def log_fts_change(conn: Any, fts: str, release_id: int) -> None:
    """Record a write to the full-text table ``fts`` (in the writer's transaction); now and then, forget the
    oldest records."""
    key = conn.execute(insert(fts_changes).values(fts=fts, release_id=release_id)).inserted_primary_key
    seq = key[0] if key else None
    if seq and seq % FTS_CHANGES_PRUNED_EVERY == 0:
        conn.execute(delete(fts_changes).where(fts_changes.c.seq <= seq - FTS_CHANGES_KEPT))


# Counts the deliveries pending and those being retried from the index alone (/metrics).
alert_events_pending = Index(
    "ix_alert_events_pending", alert_events.c.next_attempt_at, alert_events.c.attempts
)


# -- stories (migration: _stories) ---------------------------------------------------------------------------------

# One row per release the stories stage has read: its duplicate fingerprint, the copy it duplicates (its original)
# and its story. ``at`` is its time for stories: published (a future time clamped to when it was first seen),
# else first seen.
release_stories = Table(
    "release_stories",
    metadata,
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", Integer, nullable=False),
    Column("duplicate_of", Integer, ForeignKey("releases.id", ondelete="SET NULL")),
    Column("score", Float, nullable=False, default=0.0),  # against the story it joined (1 for a duplicate)
    Column("at", UTCDateTime, nullable=False),
    Column("clamped", Boolean, nullable=False, default=False),  # its published time was in the future
    Column("text_hash", String(64), nullable=False),  # "" for a release without body text
    Column("signature", LargeBinary, nullable=False),  # MinHash, PERMUTATIONS little-endian uint32
    Column("shingles", Integer, nullable=False),
    Column("numbers", Text, nullable=False),  # space-separated
    Index("ix_release_stories_story", "story_id", "at"),
    Index("ix_release_stories_hash", "text_hash"),
    Index("ix_release_stories_duplicate_of", "duplicate_of"),  # a release's copies (migration _copies_index)
)

# LSH band keys of each release's MinHash: a near-duplicate lookup reads the rows of its own keys only.
story_bands = Table(
    "story_bands",
    metadata,
    Column("band_key", BigInteger, primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True),
)

# Stories: a merged one keeps its row and redirects (``merged_into``) so its id and URLs keep working.
stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),  # its founder's title
    Column("founder_id", Integer, nullable=False),
    Column("first_at", UTCDateTime, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    Column("size", Integer, nullable=False),
    Column("merged_into", Integer),
    Column("state", Text, nullable=False),  # JSON: the representative (centroid, vectors, shared counts)
    Index("ix_stories_last_at", "last_at"),
)
