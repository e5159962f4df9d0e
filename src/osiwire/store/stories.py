"""Stored stories: each release's fingerprint, original and story; LSH band keys; story representatives.

Implements ``stories.index.DuplicateIndex`` over the store: a near-duplicate lookup reads the band-key rows of
the release's own keys (an index range per key), so its cost is the candidates it finds, at any archive size.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, delete, func, insert, literal, select, union_all, update

from osiwire.store.database import Database
from osiwire.store.schema import (
    as_id,
    mentions,
    people,
    release_countries,
    release_people,
    release_stories,
    releases,
    sources,
    stories,
    story_bands,
    versions,
)

if TYPE_CHECKING:  # the stories package reads the lemmatiser from this package: imported where used
    from osiwire.model import Enrichment
    from osiwire.stories.clusters import Story
    from osiwire.stories.index import Copy

MAX_REDIRECTS = 20  # merged stories followed to the one that took them


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One release of a story, as the story page and API list them."""

    release_id: int
    url: str
    title: str
    language: str
    source: str
    source_country: str
    published: datetime | None
    first_seen_at: datetime
    at: datetime  # published (clamped to first seen when in the future), else first seen
    clamped: bool
    duplicate_of: int | None
    score: float


@dataclass(frozen=True, slots=True)
class PlacedRelease:
    """One release's place as the stage writes it."""

    copy: Copy  # its fingerprint, time and original
    keys: Sequence[int]  # the LSH band keys of its signature
    story_id: int
    score: float
    clamped: bool  # its published time was in the future


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A story as listed."""

    id: int
    title: str
    founder_id: int
    first_at: datetime
    last_at: datetime
    size: int
    merged_into: int | None


def _state(story: Story) -> str:
    return json.dumps(
        {
            "centroid": story.centroid,
            "title_vector": dict(story.title_vector),
            "lead_vector": dict(story.lead_vector),
            "entities": dict(story.entities),
            "names": dict(story.names),
            "dates": {f"{m}-{d}": c for (m, d), c in story.dates.items()},
            "title_dates": [f"{m}-{d}" for m, d in sorted(story.title_dates)],
            "numbers": dict(story.numbers),
            "scored": story.scored,
        },
        ensure_ascii=False,
    )


def _day(key: str) -> tuple[int, int]:
    month, day = key.split("-")
    return int(month), int(day)


def _story(row: Any) -> Story:
    from osiwire.stories.clusters import Story

    state = json.loads(row.state)
    dates: Counter[tuple[int, int]] = Counter({_day(key): count for key, count in state["dates"].items()})
    return Story(
        id=row.id,
        first_at=row.first_at,
        last_at=row.last_at,
        founder=row.founder_id,
        title=row.title,
        centroid=state["centroid"],
        title_vector=state["title_vector"],
        lead_vector=state["lead_vector"],
        title_dates=frozenset(_day(key) for key in state.get("title_dates", [])),
        entities=Counter(state["entities"]),
        names=Counter(state["names"]),
        dates=dates,
        numbers=Counter(state["numbers"]),
        scored=state["scored"],
        size=row.size,
    )


def _copy(row: Any) -> Copy:
    from osiwire.stories import minhash
    from osiwire.stories.duplicates import Fingerprint
    from osiwire.stories.index import Copy

    fp = Fingerprint(
        row.text_hash, minhash.from_bytes(row.signature), row.shingles, frozenset(row.numbers.split())
    )
    return Copy(row.release_id, fp, row.at, row.duplicate_of, row.story_id)


_COPY_COLUMNS = (
    release_stories.c.release_id,
    release_stories.c.text_hash,
    release_stories.c.signature,
    release_stories.c.shingles,
    release_stories.c.numbers,
    release_stories.c.at,
    release_stories.c.duplicate_of,
    release_stories.c.story_id,
)


# The statements read for every release, built once (SQLAlchemy caches their compiled form by structure, but
# building the statement itself costs as much as running it on SQLite).
_SAME_TEXT = select(*_COPY_COLUMNS).where(release_stories.c.text_hash == bindparam("text_hash"))
_SHARED = func.count().label("shared")
_FOUND = (
    select(story_bands.c.release_id, _SHARED)
    .where(story_bands.c.band_key.in_(bindparam("keys", expanding=True)))
    .group_by(story_bands.c.release_id)
    .order_by(_SHARED.desc(), story_bands.c.release_id)
    .limit(bindparam("limit"))
    .subquery()
)
_CANDIDATES = (
    select(*_COPY_COLUMNS)
    .join(_FOUND, _FOUND.c.release_id == release_stories.c.release_id)
    .order_by(_FOUND.c.shared.desc(), _FOUND.c.release_id)
)
_OF_RELEASE = select(release_stories.c.story_id, release_stories.c.duplicate_of).where(
    release_stories.c.release_id == bindparam("release_id")
)
_CURRENT = (
    select(versions.c.id)
    .join(releases, releases.c.id == versions.c.release_id)
    .where(releases.c.id == bindparam("release_id"), versions.c.version_no == releases.c.version_count)
    .scalar_subquery()
)
_ENTITIES = union_all(
    select(
        literal("p").label("kind"),
        people.c.first.label("a"),
        people.c.patronymic.label("b"),
        people.c.last.label("c"),
        people.c.initials.label("d"),
    )
    .join(release_people, release_people.c.person_id == people.c.id)
    .where(release_people.c.version_id == _CURRENT),
    select(literal("c"), release_countries.c.country, literal(""), literal(""), literal("")).where(
        release_countries.c.version_id == _CURRENT
    ),
    select(literal("m"), mentions.c.type, mentions.c.normal, literal(""), literal(""))
    .where(mentions.c.version_id == _CURRENT, mentions.c.type.in_(("ORG", "LOC")))
    .distinct(),
)


class Stories:
    """Stories in the store."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- DuplicateIndex -----------------------------------------------------------------------------------------

    def same_text(self, text_hash: str) -> Sequence[Copy]:
        with self._db.reading() as conn:
            rows = conn.execute(_SAME_TEXT, {"text_hash": text_hash}).all()
        return [_copy(r) for r in rows]

    def candidates(self, keys: Sequence[int], limit: int) -> Sequence[Copy]:
        if not keys:
            return []
        with self._db.reading() as conn:  # one statement: the band rows, then the rows of the releases found
            rows = conn.execute(_CANDIDATES, {"keys": list(keys), "limit": limit}).all()
        return [_copy(r) for r in rows]

    def entities(self, release_id: int) -> Enrichment:
        """What ``similarity.entity_keys`` reads of a release's current enrichment (its people as the store knows
        them, its countries, organisations and places), in one statement; empty when it is not enriched."""
        from osiwire.model import Enrichment, Mention, PersonName

        with self._db.reading() as conn:
            rows = conn.execute(_ENTITIES, {"release_id": release_id}).all()
        return Enrichment(
            mentions=tuple(Mention(0, 0, 0, r.a, "", r.b) for r in rows if r.kind == "m"),
            people=tuple(
                PersonName(first=r.a, patronymic=r.b, last=r.c, initials=r.d) for r in rows if r.kind == "p"
            ),
            countries=tuple(r.a for r in rows if r.kind == "c"),
        )

    def add(self, copy: Copy, keys: Sequence[int]) -> None:  # pragma: no cover - ``record`` writes both
        raise NotImplementedError("the store records a release with its story: Stories.record")

    # -- writing --------------------------------------------------------------------------------------------------

    def write(
        self,
        placed: Sequence[PlacedRelease],
        changed: Sequence[Story] = (),
        merges: Sequence[tuple[int, int]] = (),
        grown: Sequence[tuple[int, datetime]] = (),
    ) -> None:
        """Store a batch of releases' places (fingerprint, band keys, original, story) and the stories they changed,
        in one transaction. ``merges``: (gone, kept) in the order they happened, the gone story redirecting to the
        kept one; ``grown``: (story, time) of each duplicate that joined a closed story (its size and last time
        grow)."""
        from osiwire.stories import minhash

        if not placed and not changed:
            return
        with self._db.writing() as conn:
            if placed:
                conn.execute(
                    insert(release_stories),
                    [
                        {
                            "release_id": p.copy.release_id,
                            "story_id": p.story_id,
                            "duplicate_of": p.copy.original,
                            "score": p.score,
                            "at": p.copy.at,
                            "clamped": p.clamped,
                            "text_hash": p.copy.fingerprint.text_hash,
                            "signature": minhash.to_bytes(p.copy.fingerprint.signature),
                            "shingles": p.copy.fingerprint.shingles,
                            "numbers": " ".join(sorted(p.copy.fingerprint.numbers)),
                        }
                        for p in placed
                    ],
                )
            bands = [
                {"band_key": k, "release_id": p.copy.release_id}
                for p in placed
                if not p.copy.fingerprint.empty
                for k in sorted(set(p.keys))
            ]
            if bands:
                conn.execute(insert(story_bands), bands)
            for story in changed:
                self._save_story(conn, story)
            for gone, kept in merges:
                conn.execute(update(stories).where(stories.c.id == gone).values(merged_into=kept))
                conn.execute(
                    update(release_stories).where(release_stories.c.story_id == gone).values(story_id=kept)
                )
                conn.execute(update(stories).where(stories.c.merged_into == gone).values(merged_into=kept))
            joined: dict[int, tuple[int, datetime]] = {}
            for story_id, at in grown:
                count, latest = joined.get(story_id, (0, at))
                joined[story_id] = (count + 1, max(latest, at))
            for story_id, (count, at) in joined.items():
                last = conn.execute(select(stories.c.last_at).where(stories.c.id == story_id)).scalar()
                conn.execute(
                    update(stories)
                    .where(stories.c.id == story_id)
                    .values(size=stories.c.size + count, last_at=max(last, at) if last else at)
                )

    @staticmethod
    def _save_story(conn: Connection, story: Story) -> None:
        values = {
            "title": story.title,
            "founder_id": story.founder,
            "first_at": story.first_at,
            "last_at": story.last_at,
            "size": story.size,
            "state": _state(story),
        }
        done = conn.execute(update(stories).where(stories.c.id == story.id).values(**values)).rowcount
        if not done:
            conn.execute(insert(stories).values(id=story.id, **values))

    def clear(self) -> None:
        """Forget every story, fingerprint and band key (``osiwire stories rebuild``)."""
        with self._db.writing() as conn:
            for table in (story_bands, release_stories, stories):
                conn.execute(delete(table))

    # -- reading --------------------------------------------------------------------------------------------------

    def open_stories(self, since: datetime) -> list[Story]:
        """Stories not merged away whose latest release is at ``since`` or later (the clusterer's state)."""
        with self._db.reading() as conn:
            rows = conn.execute(
                select(stories)
                .where(stories.c.last_at >= since, stories.c.merged_into.is_(None))
                .order_by(stories.c.id)
            ).all()
        return [_story(r) for r in rows]

    def next_id(self) -> int:
        with self._db.reading() as conn:
            return int(conn.execute(select(func.coalesce(func.max(stories.c.id), 0))).scalar_one()) + 1

    def latest_at(self) -> datetime | None:
        """The time of the newest release read so far (the latest time of a story: each grows to its newest
        member's, so it is that release's; read from the index on it, not from a scan of every release read)."""
        with self._db.reading() as conn:
            value = conn.execute(select(func.max(stories.c.last_at))).scalar()
        return value if isinstance(value, datetime) else None

    def pending(self, after: int = 0, limit: int = 1000) -> list[int]:
        """Ids of stored releases the stage has not read, in the order they arrived."""
        known = select(release_stories.c.release_id).where(release_stories.c.release_id == releases.c.id)
        with self._db.reading() as conn:
            rows = conn.execute(
                select(releases.c.id)
                .where(releases.c.id > after, ~known.exists())
                .order_by(releases.c.id)
                .limit(limit)
            ).all()
        return [r.id for r in rows]

    def count_pending(self) -> int:
        known = select(release_stories.c.release_id).where(release_stories.c.release_id == releases.c.id)
        with self._db.reading() as conn:
            return int(
                conn.execute(select(func.count()).select_from(releases).where(~known.exists())).scalar_one()
            )

    def of_release(self, release_id: int) -> tuple[int, int | None] | None:
        """(story id, original's release id or None) of a release, or None when not read yet."""
        with self._db.reading() as conn:
            row = conn.execute(_OF_RELEASE, {"release_id": release_id}).first()
        return None if row is None else (row.story_id, row.duplicate_of)

    def resolve(self, key: int | str) -> int | None:
        """The story an id names, following merges to the story that took it; None when there is none."""
        story_id = as_id(key)
        with self._db.reading() as conn:
            for _ in range(MAX_REDIRECTS):
                if story_id is None:
                    return None
                row = conn.execute(select(stories.c.merged_into).where(stories.c.id == story_id)).first()
                if row is None:
                    return None
                if row.merged_into is None:
                    return story_id
                story_id = row.merged_into
        return story_id

    def get(self, story_id: int) -> StoryRow | None:
        with self._db.reading() as conn:
            row = conn.execute(select(stories).where(stories.c.id == story_id)).first()
        return None if row is None else _row(row)

    def listing(self, since: datetime | None = None, limit: int = 50, min_size: int = 1) -> list[StoryRow]:
        """Stories (not merged away), largest and newest first."""
        query = select(stories).where(stories.c.merged_into.is_(None), stories.c.size >= min_size)
        if since is not None:
            query = query.where(stories.c.last_at >= since)
        with self._db.reading() as conn:
            rows = conn.execute(
                query.order_by(stories.c.size.desc(), stories.c.last_at.desc()).limit(limit)
            ).all()
        return [_row(r) for r in rows]

    def members(self, story_id: int) -> list[StoryMember]:
        """A story's releases, earliest first."""
        return self.members_of([story_id]).get(story_id, [])

    def members_of(self, story_ids: Sequence[int]) -> dict[int, list[StoryMember]]:
        """The releases of several stories, earliest first in each."""
        out: dict[int, list[StoryMember]] = {}
        for start in range(0, len(story_ids), 500):
            for story_id, member in self._members(story_ids[start : start + 500]):
                out.setdefault(story_id, []).append(member)
        return out

    def _members(self, story_ids: Sequence[int]) -> list[tuple[int, StoryMember]]:
        with self._db.reading() as conn:
            rows = conn.execute(
                select(
                    release_stories.c.story_id,
                    release_stories.c.release_id,
                    release_stories.c.at,
                    release_stories.c.clamped,
                    release_stories.c.duplicate_of,
                    release_stories.c.score,
                    releases.c.url,
                    releases.c.title,
                    releases.c.language,
                    releases.c.published,
                    releases.c.first_seen_at,
                    func.coalesce(sources.c.name, "").label("source"),
                    func.coalesce(sources.c.country, "").label("country"),
                )
                .join(releases, releases.c.id == release_stories.c.release_id)
                .outerjoin(sources, sources.c.id == releases.c.source_id)
                .where(release_stories.c.story_id.in_(list(story_ids)))
                .order_by(release_stories.c.at, release_stories.c.release_id)
            ).all()
        return [
            (
                r.story_id,
                StoryMember(
                    r.release_id,
                    r.url,
                    r.title,
                    r.language,
                    r.source,
                    r.country,
                    r.published,
                    r.first_seen_at,
                    r.at,
                    r.clamped,
                    r.duplicate_of,
                    r.score,
                ),
            )
            for r in rows
        ]

    def copies(self, release_id: int) -> list[tuple[int, str]]:
        """(id, url) of the releases that copy a release, earliest first."""
        with self._db.reading() as conn:
            rows = conn.execute(
                select(release_stories.c.release_id, releases.c.url)
                .join(releases, releases.c.id == release_stories.c.release_id)
                .where(release_stories.c.duplicate_of == release_id)
                .order_by(release_stories.c.at, release_stories.c.release_id)
            ).all()
        return [(r.release_id, r.url) for r in rows]

    def release_url(self, release_id: int) -> str | None:
        with self._db.reading() as conn:
            return conn.execute(select(releases.c.url).where(releases.c.id == release_id)).scalar()


def _row(row: Any) -> StoryRow:
    return StoryRow(row.id, row.title, row.founder_id, row.first_at, row.last_at, row.size, row.merged_into)
