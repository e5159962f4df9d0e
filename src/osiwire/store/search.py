"""Full-text search and the latest-releases list, behind one function for every backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, column, func, literal_column, or_, select, table

from osiwire.model import SearchFilters, SearchHit
from osiwire.store.database import Database
from osiwire.store.query import Query, QueryError, parse_query, to_fts5
from osiwire.store.schema import as_id, releases, segments, sources, versions
from osiwire.store.snippets import make_snippet
from osiwire.store.textindex import Lemmatiser

SORTS = ("relevance", "date")
MAX_LIMIT = 500  # one page of results; more is an export, not a search
TITLE_WEIGHT = 5.0  # bm25 weight of a title match relative to a body match
RELEASE_FTS = table("release_fts", column("rowid"), column("title"), column("body"))


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits and the total number of matches."""

    hits: tuple[SearchHit, ...]
    total: int
    query: str


def _filters(f: SearchFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.language:
        where.append(releases.c.language == f.language.lower())
    if f.region:
        where.append(func.lower(sources.c.region) == f.region.lower())
    if f.country:
        where.append(sources.c.country == f.country.upper())
    if f.source:
        by_name = func.lower(sources.c.name) == f.source.lower()
        row_id = as_id(f.source)
        where.append(or_(by_name, sources.c.id == row_id) if row_id is not None else by_name)
    if f.since:
        where.append(releases.c.sort_at >= f.since)
    if f.until:
        where.append(releases.c.sort_at < f.until)
    return where


def _base(columns: list[Any]) -> Select[Any]:
    return select(*columns).select_from(releases.outerjoin(sources, releases.c.source_id == sources.c.id))


def _body(conn: Any, release_ids: list[int]) -> dict[int, str]:
    """The current body text of each release (for snippets)."""
    rows = conn.execute(
        select(versions.c.release_id, segments.c.text)
        .join(segments, segments.c.version_id == versions.c.id)
        .join(
            releases,
            and_(releases.c.id == versions.c.release_id, releases.c.version_count == versions.c.version_no),
        )
        .where(versions.c.release_id.in_(release_ids), segments.c.kind == "paragraph")
        .order_by(versions.c.release_id, segments.c.position)
    )
    out: dict[int, list[str]] = {}
    for row in rows:
        out.setdefault(row.release_id, []).append(row.text)
    return {k: "\n".join(v) for k, v in out.items()}


def search(
    db: Database,
    lemmatiser: Lemmatiser,
    query_text: str = "",
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
) -> SearchPage:
    """Releases matching ``query_text`` and ``filters``: best first, or newest first (always when no query)."""
    if sort not in SORTS:
        raise QueryError(f"sort {sort!r}: expected one of {', '.join(SORTS)}")
    query = parse_query(query_text, lemmatiser)
    limit = max(1, min(limit, MAX_LIMIT))
    where = _filters(filters or SearchFilters())
    columns: list[Any] = [
        releases.c.id,
        releases.c.url,
        releases.c.title,
        releases.c.published,
        releases.c.language,
        releases.c.source_id,
        releases.c.first_seen_at,
        func.coalesce(sources.c.name, "").label("source"),
        func.coalesce(sources.c.region, "").label("region"),
    ]
    if query.empty:
        stmt = _base([*columns, literal_column("0.0").label("score")]).where(*where)
        order: list[Any] = [releases.c.sort_at.desc(), releases.c.id.desc()]
    else:
        stmt, order = _fts_select(db, query, columns, where)
        if sort == "date":
            order = [releases.c.sort_at.desc(), releases.c.id.desc()]
    with db.reading() as conn:
        total = int(conn.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
        rows = conn.execute(stmt.order_by(*order).limit(limit).offset(offset)).all()
        bodies = _body(conn, [r.id for r in rows])
    hits = []
    for row in rows:
        snippet, highlights = make_snippet(bodies.get(row.id, ""), query, lemmatiser)
        hits.append(
            SearchHit(
                id=row.id,
                url=row.url,
                title=row.title,
                published=row.published,
                language=row.language,
                source=row.source,
                source_id=row.source_id,
                first_seen_at=row.first_seen_at,
                region=row.region,
                snippet=snippet,
                highlights=highlights,
                score=float(row.score),
            )
        )
    return SearchPage(tuple(hits), total, query_text)


def _fts_select(
    db: Database, query: Query, columns: list[Any], where: list[ColumnElement[bool]]
) -> tuple[Select[Any], list[Any]]:
    if db.dialect != "sqlite":  # pragma: no cover - PostgreSQL arrives with its own issue
        raise NotImplementedError(f"{db.dialect}: full-text search not implemented for this backend")
    # bm25() is lower for better matches; negate it so a higher score is better everywhere.
    score: Any = literal_column(f"-bm25(release_fts, {TITLE_WEIGHT}, 1.0)").label("score")
    stmt = (
        select(*columns, score)
        .select_from(
            RELEASE_FTS.join(releases, RELEASE_FTS.c.rowid == releases.c.id).outerjoin(
                sources, releases.c.source_id == sources.c.id
            )
        )
        .where(literal_column("release_fts").op("MATCH")(to_fts5(query)), *where)
    )
    return stmt, [literal_column("score").desc(), releases.c.sort_at.desc()]
