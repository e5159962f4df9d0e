"""Copies of the releases on a page: each release's copy group (its original and every copy of it), read in one
query for the whole page, so that a listing collapses copies into one hit with "+N sources"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from osiwire.store.database import Database
from osiwire.store.schema import release_stories, releases, sources

MAX_GROUP = 50  # copies listed per group; a flood of reposts says no more with a thousand


@dataclass(frozen=True, slots=True)
class CopyMember:
    """A release of a copy group."""

    release_id: int
    title: str
    url: str
    source: str
    source_id: int | None
    language: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CopyGroup:
    """An original and its copies, earliest first; ``total`` counts those left out beyond MAX_GROUP."""

    original: int
    members: tuple[CopyMember, ...]
    total: int


def copy_groups(db: Database, release_ids: Sequence[int]) -> dict[int, CopyGroup]:
    """The copy group of each release that has copies or is one (by release id); one query."""
    if not release_ids:
        return {}
    group = func.coalesce(release_stories.c.duplicate_of, release_stories.c.release_id)
    wanted = select(group).where(release_stories.c.release_id.in_(list(release_ids))).scalar_subquery()
    stmt = (
        select(
            group.label("original"),
            release_stories.c.release_id,
            release_stories.c.at,
            releases.c.title,
            releases.c.url,
            releases.c.language,
            releases.c.source_id,
            func.coalesce(sources.c.name, "").label("source"),
        )
        .join(releases, releases.c.id == release_stories.c.release_id)
        .outerjoin(sources, sources.c.id == releases.c.source_id)
        # both sides indexed (the key, ix_release_stories_duplicate_of): the groups' rows only
        .where(or_(release_stories.c.release_id.in_(wanted), release_stories.c.duplicate_of.in_(wanted)))
        .order_by(group, release_stories.c.at, release_stories.c.release_id)
    )
    members: dict[int, list[CopyMember]] = {}
    with db.reading() as conn:
        for r in conn.execute(stmt):
            members.setdefault(r.original, []).append(
                CopyMember(r.release_id, r.title, r.url, r.source, r.source_id, r.language, r.at)
            )
    out: dict[int, CopyGroup] = {}
    for original, found in members.items():
        if len(found) < 2:
            continue
        group_of = CopyGroup(original, tuple(found[:MAX_GROUP]), len(found))
        for m in found:
            out[m.release_id] = group_of
    return {k: v for k, v in out.items() if k in set(release_ids)}
