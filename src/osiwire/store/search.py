"""Full-text search and the latest-releases list, behind one function for every backend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    func,
    literal_column,
    select,
    text,
    union_all,
)

from osiwire.model import SearchFilters, SearchHit
from osiwire.store.database import Database
from osiwire.store.filters import prepare, where_clauses
from osiwire.store.query import Query, QueryError, parse_query, to_fts5
from osiwire.store.schema import (
    releases,
    segments,
    sources,
    translation_sentences,
    translations,
    versions,
)
from osiwire.store.snippets import make_snippet
from osiwire.store.textindex import Lemmatiser

SORTS = ("relevance", "date")
MAX_LIMIT = 500  # one page of results; more is an export, not a search


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits and the total number of matches."""

    hits: tuple[SearchHit, ...]
    total: int
    query: str


def _base(columns: list[Any]) -> Select[Any]:
    return select(*columns).select_from(releases.outerjoin(sources, releases.c.source_id == sources.c.id))


HIT_COLUMNS: list[Any] = [
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
DATE_ORDER = [releases.c.sort_at.desc(), releases.c.id.desc()]


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


def _translated_body(conn: Any, release_ids: list[int]) -> dict[int, str]:
    """The current English translation of each release's body, where there is one (for snippets)."""
    rows = conn.execute(
        select(versions.c.release_id, translation_sentences.c.target)
        .join(translations, translations.c.version_id == versions.c.id)
        .join(translation_sentences, translation_sentences.c.translation_id == translations.c.id)
        .join(
            releases,
            and_(releases.c.id == versions.c.release_id, releases.c.version_count == versions.c.version_no),
        )
        .where(
            versions.c.release_id.in_(release_ids),
            translation_sentences.c.segment > 0,
            translation_sentences.c.translated.is_(True),
        )
        .order_by(versions.c.release_id, translation_sentences.c.segment, translation_sentences.c.idx)
    )
    out: dict[int, list[str]] = {}
    for row in rows:
        out.setdefault(row.release_id, []).append(row.target)
    return {k: " ".join(v) for k, v in out.items()}


def matching(
    db: Database, query: Query, filters: SearchFilters | None, columns: list[Any]
) -> tuple[Select[Any], list[Any]]:
    """The releases ``query`` and ``filters`` match, as a select of ``columns`` plus ``score``; and the
    best-first order. Search and facets both count this set, so their numbers always agree."""
    where = where_clauses(filters or SearchFilters(), db.dialect)
    if query.empty:
        stmt = _base([*columns, literal_column("0.0").label("score")]).where(*where)
        return stmt, DATE_ORDER
    return _fts_select(db, query, columns, where)


def search_request(lemmatiser: Lemmatiser, query_text: str, sort: str, limit: int) -> tuple[Query, int]:
    """A search's query, parsed, and its page size within bounds; QueryError for an unknown sort."""
    if sort not in SORTS:
        raise QueryError(f"sort {sort!r}: expected one of {', '.join(SORTS)}")
    return parse_query(query_text, lemmatiser), max(1, min(limit, MAX_LIMIT))


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
    query, limit = search_request(lemmatiser, query_text, sort, limit)
    columns = HIT_COLUMNS
    stmt, order = matching(db, query, filters, columns)
    if sort == "date":
        order = DATE_ORDER
    with db.reading() as conn:
        prepare(conn)
        total = int(conn.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
        rows = conn.execute(stmt.order_by(*order).limit(limit).offset(offset)).all()
        hits = _hits(conn, lemmatiser, query, rows)
    return SearchPage(hits, total, query_text)


def hits_for(
    db: Database, lemmatiser: Lemmatiser, query: Query, ranked: list[tuple[int, float]]
) -> tuple[SearchHit, ...]:
    """The hits of the releases ``ranked`` (id, score), in that order, with their snippets."""
    if not ranked:
        return ()
    ids = [release_id for release_id, _ in ranked]
    with db.reading() as conn:
        found = {row.id: row for row in conn.execute(_base(HIT_COLUMNS).where(releases.c.id.in_(ids)))}
        rows = [SimpleNamespace(**found[i]._asdict(), score=score) for i, score in ranked if i in found]
        return _hits(conn, lemmatiser, query, rows)


def _hits(conn: Any, lemmatiser: Lemmatiser, query: Query, rows: Sequence[Any]) -> tuple[SearchHit, ...]:
    bodies = _body(conn, [r.id for r in rows])
    english = {} if query.empty else _translated_body(conn, [r.id for r in rows])
    hits = []
    for row in rows:
        snippet, highlights = make_snippet(bodies.get(row.id, ""), query, lemmatiser)
        if not highlights and row.id in english:  # the match is in the translation
            snippet, highlights = make_snippet(english[row.id], query, lemmatiser)
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
    return tuple(hits)


# Matches in the original (lemmas) and in the English translation; a release's score is the best of the two.
# bm25() is lower for better matches; negated so that a higher score is better everywhere. The weights
# are (title, body): a title match counts five times a body match. A search with filters joins their union
# to the releases; one without reads each apart and keeps the best score itself (grouping 50,000 matches in
# SQL costs more than the matching). ``store.postings`` computes the same matches and scores in memory.
FTS_TABLES = ("release_fts", "translation_fts")
FTS_WEIGHTS = (5.0, 1.0)  # the bm25() weights below (tests compare postings' scores with these statements')
RELEASE_MATCHES = (
    "SELECT rowid AS rid, -bm25(release_fts, 5.0, 1.0) AS score FROM release_fts WHERE release_fts MATCH :q"
)
TRANSLATION_MATCHES = (
    "SELECT rowid AS rid, -bm25(translation_fts, 5.0, 1.0) AS score "
    "FROM translation_fts WHERE translation_fts MATCH :q"
)


def _fts_matches(fts: str) -> Any:
    """Both full-text matches, as one subquery of (rid, score) rows."""
    parts = [
        text(sql).bindparams(q=fts).columns(rid=Integer, score=Float)
        for sql in (RELEASE_MATCHES, TRANSLATION_MATCHES)
    ]
    return union_all(*parts).subquery("m")


def _fts_select(
    db: Database, query: Query, columns: list[Any], where: list[ColumnElement[bool]]
) -> tuple[Select[Any], list[Any]]:
    if db.dialect != "sqlite":  # pragma: no cover - PostgreSQL arrives with its own issue
        raise NotImplementedError(f"{db.dialect}: full-text search not implemented for this backend")
    matches = (
        select(literal_column("rid").label("rid"), func.max(literal_column("score")).label("score"))
        .select_from(_fts_matches(to_fts5(query)))
        .group_by(literal_column("rid"))
        .subquery("best")
    )
    stmt = (
        select(*columns, matches.c.score)
        .select_from(
            matches.join(releases, matches.c.rid == releases.c.id).outerjoin(
                sources, releases.c.source_id == sources.c.id
            )
        )
        .where(*where)
    )
    return stmt, [matches.c.score.desc(), releases.c.sort_at.desc(), releases.c.id.desc()]


def all_matches(conn: Any, db: Database, query: Query, filters: SearchFilters | None) -> list[list[Any]]:
    """Every release ``query`` and ``filters`` match, as lists of rows of (id, score), unordered (``prepare``
    first). A release may be in more than one list (matched in the original and in the translation): its score
    is its best one."""
    if query.empty or (filters is not None and filters != SearchFilters()):
        stmt, _ = matching(db, query, filters, [releases.c.id])
        return [list(conn.execute(stmt).all())]
    # No filter: the full-text matches alone, without joining each to its release.
    fts = to_fts5(query)
    return [
        list(conn.execute(text(sql).bindparams(q=fts)).all())
        for sql in (RELEASE_MATCHES, TRANSLATION_MATCHES)
    ]
