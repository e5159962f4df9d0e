"""Stories as records: what `osiwire stories`, `osiwire story` and the API give (one layout for both)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from osiwire.errors import StoreError
from osiwire.store import Store
from osiwire.store.story_people import top_people
from osiwire.stories.breaking import BreakingRule, breaking
from osiwire.stories.firsts import SourceRecord, first_publication, source_records

CANDIDATES = 4  # a listing ranks this many times its length of the largest stories by their sources


def resolve_story(store: Store, key: int | str) -> int:
    """The story ``key`` names, a merged one's successor for a merged id; StoreError when there is none."""
    story_id = store.stories.resolve(key)
    if story_id is None:
        raise StoreError(f"story {str(key)!r}: not found")
    return story_id


def story_list(
    store: Store, since: datetime | None, limit: int, rule: BreakingRule | None = None
) -> list[dict[str, Any]]:
    """Stories told by most sources first, then the largest and newest (among the ``CANDIDATES`` times ``limit``
    largest and newest), each with its first publisher, sources, languages, countries, the people most named and,
    by ``rule`` (the defaults when None), when it became breaking (None if never)."""
    found = store.stories.listing(since, limit * CANDIDATES)
    members = store.stories.members_of([r.id for r in found])
    rows = sorted(
        found,
        key=lambda r: (-len({m.source for m in members.get(r.id, [])}), -r.size, -r.last_at.timestamp()),
    )[:limit]
    named = top_people(store.db, [r.id for r in rows])
    out = []
    for row in rows:
        mine = members.get(row.id, [])
        first = first_publication(mine)
        fast = breaking(mine, rule or BreakingRule())
        out.append({
            "id": row.id, "title": row.title, "size": row.size, "first_at": row.first_at, "last_at": row.last_at,
            "sources": len({m.source for m in mine}),
            "first_source": first.source if first else None,
            "languages": list(first.languages) if first else [],
            "countries": list(first.countries) if first else [],
            "people": [{"id": pid, "name": name, "releases": n} for pid, name, n in named.get(row.id, [])],
            "breaking_at": fast.at if fast else None,
        })  # fmt: skip
    return out


def story_record(store: Store, story_id: int) -> dict[str, Any]:
    """A story with its members and first publication, as `story --json` and the API give it."""
    row = store.stories.get(story_id)
    if row is None:
        raise StoreError(f"story {story_id}: not found")
    members = store.stories.members(story_id)
    first = first_publication(members)
    return {
        "id": row.id,
        "title": row.title,
        "first_at": row.first_at,
        "last_at": row.last_at,
        "size": row.size,
        "sources": len({m.source for m in members}),
        "first_publication": None
        if first is None
        else {
            "release_id": first.release_id,
            "source": first.source,
            "at": first.at,
            "clamped_to_first_seen": first.clamped,
        },
        "languages": list(first.languages) if first else [],
        "countries": list(first.countries) if first else [],
        "delays": [
            {"source": d.source, "release_id": d.release_id, "at": d.at, "delay_s": d.delay_s}
            for d in (first.delays if first else ())
        ],
        "releases": [
            {
                "id": m.release_id,
                "url": m.url,
                "title": m.title,
                "language": m.language,
                "source": m.source,
                "published": m.published,
                "first_seen_at": m.first_seen_at,
                "at": m.at,
                "clamped": m.clamped,
                "duplicate_of": m.duplicate_of,
                "score": round(m.score, 4),
            }
            for m in members
        ],
    }


def _resolve(store: Store, key: str) -> int:
    story_id = store.stories.resolve(key)
    if story_id is None:
        raise StoreError(f"story {key!r}: not found")
    return story_id


def source_table(store: Store, since: datetime | None, limit: int) -> list[SourceRecord]:
    """The per-source first-publisher table over the stories with two releases or more."""
    rows = store.stories.listing(since, limit, min_size=2)
    members = store.stories.members_of([r.id for r in rows])
    found = (first_publication(m) for m in members.values())
    return source_records(f for f in found if f is not None)
