"""Organisations and places across releases (entities of type ORG and LOC), for their pages.

One organisation is every stored entity of its type whose normal form folds alike (case, ё/е), as the search's
organisation filter and facet compare them; counts and listings read current versions only, as search does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select, type_coerce

from osiwire.model import SearchHit
from osiwire.store.database import Database
from osiwire.store.facets import FacetValue
from osiwire.store.filters import fold_expression, folded_value, prepare
from osiwire.store.schema import (
    UTCDateTime,
    entities,
    mentions,
    people,
    release_people,
    releases,
    segments,
    sources,
    versions,
)
from osiwire.store.search import HIT_COLUMNS, SearchPage

ENTITY_TYPES = ("ORG", "LOC")
MAX_VARIANTS = 50  # spellings listed; a page with more is junk-heavy anyway
SNIPPET_CONTEXT = 120  # characters of text kept on each side of the mention shown in a listing


@dataclass(frozen=True, slots=True)
class NamedEntity:
    """An organisation or place: every normal form folding alike, with what was seen of it."""

    type: str  # ORG | LOC
    name: str  # the canonical normal form: the most mentioned of those folding alike
    ids: tuple[int, ...]  # the stored entities it gathers
    normals: tuple[str, ...]  # their normal forms, most mentioned first
    variants: tuple[
        tuple[str, int], ...
    ]  # surface forms as written in the releases, with mentions, most first
    releases: int  # current versions mentioning it
    first_seen: datetime | None  # the earliest of those releases (published, else first seen)
    last_seen: datetime | None


def _current() -> Any:
    return versions.join(
        releases,
        and_(releases.c.id == versions.c.release_id, releases.c.version_count == versions.c.version_no),
    )


def _mentioning(ids: tuple[int, ...]) -> Select[Any]:
    """Ids of the current versions that mention one of ``ids``."""
    return select(mentions.c.version_id).where(mentions.c.entity_id.in_(ids)).distinct()


class Entities:
    """Reading organisations and places, their releases and the people named beside them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def find(self, type_: str, name: str) -> NamedEntity | None:
        """The organisation (``ORG``) or place (``LOC``) named ``name`` in any case; None when never found."""
        if type_ not in ENTITY_TYPES or not name.strip():
            return None
        folded = folded_value(name, self._db.dialect)
        with self._db.reading() as conn:
            prepare(conn)
            counted = conn.execute(
                select(entities.c.id, entities.c.normal, func.count(mentions.c.id).label("n"))
                .outerjoin(mentions, mentions.c.entity_id == entities.c.id)
                .where(
                    entities.c.type == type_, fold_expression(entities.c.normal, self._db.dialect) == folded
                )
                .group_by(entities.c.id, entities.c.normal)
                .order_by(func.count(mentions.c.id).desc(), entities.c.normal)
            ).all()
            if not counted:
                return None
            ids = tuple(int(r.id) for r in counted)
            variants = conn.execute(
                select(mentions.c.text, func.count().label("n"))
                .where(mentions.c.entity_id.in_(ids))
                .group_by(mentions.c.text)
                .order_by(func.count().desc(), mentions.c.text)
                .limit(MAX_VARIANTS)
            ).all()
            seen = conn.execute(
                select(
                    func.count(func.distinct(releases.c.id)).label("n"),
                    type_coerce(func.min(releases.c.sort_at), UTCDateTime).label("first"),
                    type_coerce(func.max(releases.c.sort_at), UTCDateTime).label("last"),
                )
                .select_from(_current())
                .where(versions.c.id.in_(_mentioning(ids)))
            ).one()
        return NamedEntity(
            type=type_,
            name=str(counted[0].normal),
            ids=ids,
            normals=tuple(str(r.normal) for r in counted),
            variants=tuple((str(r.text), int(r.n)) for r in variants),
            releases=int(seen.n),
            first_seen=seen.first,
            last_seen=seen.last,
        )

    def releases(self, entity: NamedEntity, *, limit: int = 20, offset: int = 0) -> SearchPage:
        """The releases whose current version mentions ``entity``, newest first, each with the first mention
        in context as its snippet."""
        where = versions.c.id.in_(_mentioning(entity.ids))
        stmt = (
            select(*HIT_COLUMNS, versions.c.id.label("version_id"))
            .select_from(_current().outerjoin(sources, sources.c.id == releases.c.source_id))
            .where(where)
            .order_by(releases.c.sort_at.desc(), releases.c.id.desc())
            .limit(max(1, limit))
            .offset(max(0, offset))
        )
        with self._db.reading() as conn:
            total = int(conn.execute(select(func.count()).select_from(_current()).where(where)).scalar_one())
            rows = conn.execute(stmt).all()
            snippets = self._snippets(conn, entity.ids, [int(r.version_id) for r in rows])
        hits = tuple(
            SearchHit(
                id=r.id,
                url=r.url,
                title=r.title,
                published=r.published,
                language=r.language,
                source=r.source,
                region=r.region,
                snippet=snippets.get(r.version_id, ("", ()))[0],
                source_id=r.source_id,
                first_seen_at=r.first_seen_at,
                highlights=snippets.get(r.version_id, ("", ()))[1],
            )
            for r in rows
        )
        return SearchPage(hits, total, "")

    @staticmethod
    def _snippets(
        conn: Any, ids: tuple[int, ...], version_ids: list[int]
    ) -> dict[int, tuple[str, tuple[tuple[int, int], ...]]]:
        """Per version: the text around its first mention of ``ids``, with the mention's span."""
        if not version_ids:
            return {}
        first = (
            select(
                mentions.c.version_id,
                mentions.c.segment,
                mentions.c.start,
                mentions.c.end,
                func.row_number()
                .over(partition_by=mentions.c.version_id, order_by=(mentions.c.segment, mentions.c.start))
                .label("rank"),
            )
            .where(mentions.c.entity_id.in_(ids), mentions.c.version_id.in_(version_ids))
            .subquery()
        )
        rows = conn.execute(
            select(first.c.version_id, first.c.start, first.c.end, segments.c.text)
            .join(
                segments,
                and_(segments.c.version_id == first.c.version_id, segments.c.position == first.c.segment),
            )
            .where(first.c.rank == 1)
        )
        return {int(r.version_id): _window(r.text, int(r.start), int(r.end)) for r in rows}

    def people(self, entity: NamedEntity, limit: int = 30) -> tuple[FacetValue, ...]:
        """The people named in the releases mentioning ``entity`` (current versions), most releases first."""
        label = func.max(func.coalesce(func.nullif(people.c.name_en, ""), people.c.display))
        count = func.count(func.distinct(versions.c.release_id))
        stmt = (
            select(people.c.id, label.label("label"), count.label("n"))
            .select_from(
                _current()
                .join(release_people, release_people.c.version_id == versions.c.id)
                .join(people, people.c.id == release_people.c.person_id)
            )
            .where(versions.c.id.in_(_mentioning(entity.ids)))
            .group_by(people.c.id)
            .order_by(count.desc(), label)
            .limit(max(1, limit))
        )
        with self._db.reading() as conn:
            return tuple(FacetValue(str(r.id), str(r.label), int(r.n)) for r in conn.execute(stmt))


def _window(text: str, start: int, end: int) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``text`` cut to ``SNIPPET_CONTEXT`` characters around [start, end), and that span in the cut."""
    if not 0 <= start < end <= len(text):  # offsets from another text: show the start of it, unmarked
        return text[: 2 * SNIPPET_CONTEXT], ()
    left = max(0, start - SNIPPET_CONTEXT)
    right = min(len(text), end + SNIPPET_CONTEXT)
    prefix = "…" if left else ""
    snippet = prefix + text[left:right] + ("…" if right < len(text) else "")
    offset = len(prefix) - left
    return snippet, ((start + offset, end + offset),)
