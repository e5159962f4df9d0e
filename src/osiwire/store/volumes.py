"""Mentions per key over time, for spikes and volume charts: which releases named a topic, person, organisation,
country or source, when, and from which source.

Read with an indexed query rather than kept in a counts table: a spike looks at the window and its baseline (a
week by default), and ``ix_releases_sort_at`` bounds the rows read to the releases of that range, whatever the
archive's size (at a million releases over two years, a week is ~10,000 releases); a counts table would add a
write per key to every stored release for no faster answer. Hours are bucketed in Python, the same on every
backend. Copies of another release (``release_stories.duplicate_of``) are left out: one text counts once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.sql import Select

from osiwire.store.database import Database
from osiwire.store.schema import (
    entities,
    mentions,
    people,
    release_countries,
    release_people,
    release_stories,
    release_topics,
    releases,
    sources,
    versions,
)
from osiwire.stories.spikes import KINDS, Mention

MAX_ROWS = (
    500_000  # mentions one question reads at most (a month of topics at a million releases is ~100,000)
)


@dataclass(frozen=True, slots=True)
class KeyMentions:
    """One key's mentions in a time range."""

    kind: str
    key: str
    label: str
    mentions: tuple[Mention, ...]


def _keyed(kind: str) -> tuple[Select[Any], Any, Any]:
    """A select of (release_id, sort_at, source) over current versions, with the kind's key and label columns."""
    source = func.coalesce(sources.c.name, "").label("source")
    base = (
        select(releases.c.id.label("release_id"), releases.c.sort_at.label("at"), source)
        .select_from(releases)
        .outerjoin(sources, sources.c.id == releases.c.source_id)
        .outerjoin(release_stories, release_stories.c.release_id == releases.c.id)
        .where(release_stories.c.duplicate_of.is_(None))
    )
    if kind == "source":
        key, label = releases.c.source_id, func.coalesce(sources.c.name, "")
        return base.where(releases.c.source_id.is_not(None)), key, label
    current = and_(versions.c.release_id == releases.c.id, versions.c.version_no == releases.c.version_count)
    base = base.join(versions, current)
    if kind == "topic":
        base = base.join(release_topics, release_topics.c.version_id == versions.c.id)
        return base, release_topics.c.topic, release_topics.c.label
    if kind == "person":
        base = base.join(release_people, release_people.c.version_id == versions.c.id).join(
            people, people.c.id == release_people.c.person_id
        )
        return base, people.c.id, func.coalesce(func.nullif(people.c.name_en, ""), people.c.display)
    if kind == "organisation":
        base = (
            base.join(mentions, mentions.c.version_id == versions.c.id)
            .join(entities, entities.c.id == mentions.c.entity_id)
            .where(mentions.c.type == "ORG")
        )
        return base, entities.c.id, entities.c.normal
    if kind == "country":
        base = base.join(release_countries, release_countries.c.version_id == versions.c.id)
        return base, release_countries.c.country, release_countries.c.country
    raise ValueError(f"spike kind {kind!r}: expected one of {', '.join(KINDS)}")


class Volumes:
    """Mentions per key over time."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def mentions(
        self, kind: str, start: datetime, end: datetime, keys: tuple[str, ...] = ()
    ) -> list[KeyMentions]:
        """Each key's mentions in [start, end), by releases that are not copies of another; ``keys``: only those
        (a topic by id, anything else by its key as given here); ValueError for an unknown kind."""
        stmt, key, label = _keyed(kind)
        stmt = stmt.add_columns(key.label("key"), label.label("label")).where(
            releases.c.sort_at >= start, releases.c.sort_at < end
        )
        if keys:
            stmt = stmt.where(key.in_(list(keys) if kind in ("topic", "country") else _ids(keys)))
        stmt = stmt.distinct().limit(MAX_ROWS)  # an organisation named twice in one release counts once
        found: dict[str, list[Mention]] = defaultdict(list)
        labels: dict[str, str] = {}
        with self._db.reading() as conn:
            for row in conn.execute(stmt):
                name = str(row.key)
                found[name].append(Mention(row.at, row.source or f"release {row.release_id}", row.release_id))
                labels[name] = row.label or name
        return [KeyMentions(kind, k, labels[k], tuple(v)) for k, v in found.items()]

    def keys_of(self, kind: str, release_id: int) -> list[tuple[str, str]]:
        """The (key, label) of ``kind`` a release's current version carries."""
        stmt, key, label = _keyed(kind)
        stmt = stmt.with_only_columns(key.label("key"), label.label("label")).where(
            releases.c.id == release_id
        )
        with self._db.reading() as conn:
            return [(str(r.key), r.label or str(r.key)) for r in conn.execute(stmt)]

    def latest(self, kind: str, key: str) -> datetime | None:
        """The time of the newest release (not a copy) naming the key; None when none does."""
        stmt, column, _ = _keyed(kind)
        wanted = [key] if kind in ("topic", "country") else _ids((key,))
        stmt = stmt.with_only_columns(func.max(releases.c.sort_at)).where(column.in_(wanted))
        with self._db.reading() as conn:
            value = conn.execute(stmt).scalar()
        return value if isinstance(value, datetime) else None

    def span(self) -> tuple[datetime, datetime] | None:
        """The earliest and latest release time stored; None for an empty store."""
        with self._db.reading() as conn:
            row = conn.execute(select(func.min(releases.c.sort_at), func.max(releases.c.sort_at))).first()
        if row is None or row[0] is None:
            return None
        return row[0], row[1]


def _ids(keys: tuple[str, ...]) -> list[int]:
    return [int(k) for k in keys if k.isascii() and k.isdigit() and len(k) < 19]
