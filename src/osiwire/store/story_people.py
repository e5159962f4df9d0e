"""The people (and places) most named by the releases of each story, in one query for a page of stories."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, func, select

from osiwire.store.database import Database
from osiwire.store.schema import (
    entities,
    mentions,
    people,
    release_people,
    release_stories,
    releases,
    versions,
)

MAX_STORIES = 500  # stories one question reads


def top_people(
    db: Database, story_ids: Sequence[int], per_story: int = 3
) -> dict[int, list[tuple[int, str, int]]]:
    """Per story: (person id, name shown, releases naming them), most named first, ``per_story`` at most."""
    ids = list(story_ids)[:MAX_STORIES]
    if not ids:
        return {}
    named = func.count(func.distinct(releases.c.id)).label("named")
    label = func.max(func.coalesce(func.nullif(people.c.name_en, ""), people.c.display)).label("label")
    stmt = (
        select(release_stories.c.story_id, people.c.id, label, named)
        .join(releases, releases.c.id == release_stories.c.release_id)
        .join(
            versions,
            and_(versions.c.release_id == releases.c.id, versions.c.version_no == releases.c.version_count),
        )
        .join(release_people, release_people.c.version_id == versions.c.id)
        .join(people, people.c.id == release_people.c.person_id)
        .where(release_stories.c.story_id.in_(ids))
        .group_by(release_stories.c.story_id, people.c.id)
    )
    out: dict[int, list[tuple[int, str, int]]] = {}
    with db.reading() as conn:
        rows = conn.execute(stmt).all()
    for r in sorted(rows, key=lambda r: (r.story_id, -r.named, r.label)):
        found = out.setdefault(r.story_id, [])
        if len(found) < per_story:
            found.append((r.id, r.label, r.named))
    return out


def top_places(db: Database, story_id: int, limit: int = 10) -> list[tuple[str, int]]:
    """A story's places (LOC mentions by their base form), with the releases naming each, most named first."""
    named = func.count(func.distinct(releases.c.id)).label("named")
    stmt = (
        select(entities.c.normal, named)
        .select_from(release_stories)
        .join(releases, releases.c.id == release_stories.c.release_id)
        .join(
            versions,
            and_(versions.c.release_id == releases.c.id, versions.c.version_no == releases.c.version_count),
        )
        .join(mentions, mentions.c.version_id == versions.c.id)
        .join(entities, entities.c.id == mentions.c.entity_id)
        .where(release_stories.c.story_id == story_id, mentions.c.type == "LOC")
        .group_by(entities.c.normal)
        .order_by(named.desc(), entities.c.normal)
        .limit(limit)
    )
    with db.reading() as conn:
        return [(r.normal, int(r.named)) for r in conn.execute(stmt)]
