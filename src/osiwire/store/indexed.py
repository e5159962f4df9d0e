"""Search through the search engine without the search cache: the matches and their scores from the index
(``store.engine``), filters and orders in SQL. How a store that is not an SQLite file (PostgreSQL) searches:
the same engine, the same query language, the same matches as on SQLite."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import tantivy
from sqlalchemy import select, text

from osiwire.model import SearchFilters
from osiwire.store.database import Database
from osiwire.store.engine import Matches, SearchIndex
from osiwire.store.engine.index import TOKENIZER, build_schema
from osiwire.store.engine.index import _analyzer as analyzer
from osiwire.store.engine.index import _document as document
from osiwire.store.engine.queries import to_tantivy
from osiwire.store.facets import FACETS, Facets, facets, facets_request
from osiwire.store.filters import prepare, where_clauses
from osiwire.store.query import Query
from osiwire.store.schema import releases, sources
from osiwire.store.search import SearchPage, hits_for, search, search_request
from osiwire.store.textindex import Lemmatiser

ONE_RELEASE_HEAP = 15_000_000  # tantivy's smallest indexing budget: one release's text fits many times
ID_CHUNK = 5000  # matched ids per filtering statement (every backend's limit of bound parameters is above it)


def best_scores(found: list[Matches]) -> dict[int, float]:
    """Each matched release's best score (a release may match in the original and in the translation)."""
    best: dict[int, float] = {}
    for part in found:
        for rid, score in zip(part.ids.tolist(), part.scores.tolist(), strict=True):
            if score > best.get(rid, -np.inf):
                best[rid] = score
    return best


def _kept(db: Database, ids: list[int], filters: SearchFilters | None) -> dict[int, Any]:
    """The sort time of each of ``ids`` the filters keep."""
    where = where_clauses(filters or SearchFilters(), db.dialect)
    kept: dict[int, Any] = {}
    with db.reading() as conn:
        prepare(conn)
        for start in range(0, len(ids), ID_CHUNK):
            stmt = (
                select(releases.c.id, releases.c.sort_at)
                .select_from(releases.outerjoin(sources, releases.c.source_id == sources.c.id))
                .where(releases.c.id.in_(ids[start : start + ID_CHUNK]), *where)
            )
            kept.update((row.id, row.sort_at) for row in conn.execute(stmt))
    return kept


def search_indexed(
    db: Database,
    lemmatiser: Lemmatiser,
    index: SearchIndex,
    query_text: str = "",
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
) -> SearchPage:
    """As ``store.search.search``, the matches from ``index``."""
    query, limit = search_request(lemmatiser, query_text, sort, limit)
    if query.empty:  # the latest releases: no text to match
        return search(db, lemmatiser, query_text, filters, limit=limit, offset=offset, sort=sort)
    index.follow()
    scores = best_scores(index.matches(query))
    kept = _kept(db, sorted(scores), filters)
    if sort == "date":
        order = sorted(kept, key=lambda rid: (kept[rid], rid), reverse=True)
    else:
        order = sorted(kept, key=lambda rid: (scores[rid], kept[rid], rid), reverse=True)
    ranked = [(rid, scores[rid]) for rid in order[offset : offset + limit]]
    return SearchPage(hits_for(db, lemmatiser, query, ranked), len(kept), query_text)


def facets_indexed(
    db: Database,
    lemmatiser: Lemmatiser,
    index: SearchIndex,
    query_text: str = "",
    filters: SearchFilters | None = None,
    *,
    limit_per_facet: int = 10,
    only: Collection[str] = FACETS,
    exclude_people: Collection[int] = (),
) -> Facets:
    """As ``store.facets.facets``, the matches from ``index`` (how a PostgreSQL store counts a search)."""
    query, _ = facets_request(lemmatiser, query_text, only, limit_per_facet)
    options: dict[str, Any] = {
        "limit_per_facet": limit_per_facet,
        "only": only,
        "exclude_people": exclude_people,
    }
    if query.empty:
        return facets(db, lemmatiser, "", filters, **options)
    index.follow()
    within = sorted(best_scores(index.matches(query)))
    return facets(db, lemmatiser, "", filters, within=within, **options)


ONE_RELEASE_TEXT = (
    "SELECT f.title, f.body, t.title, t.body FROM releases r "
    "LEFT JOIN release_fts f ON f.rowid = r.id LEFT JOIN translation_fts t ON t.rowid = r.id WHERE r.id = :id"
)


def release_matches(db: Database, query: Query, release_id: int) -> bool:
    """Whether ``query`` matches one release (original or translation), read by the search engine from an
    index of that release alone, held in memory: how an alert rule's query is checked where FTS5 is not
    there to ask."""
    with db.reading() as conn:
        row = conn.execute(text(ONE_RELEASE_TEXT), {"id": release_id}).first()
    if row is None:
        return False
    schema = build_schema()
    index = tantivy.Index(schema)  # in memory
    index.register_tokenizer(TOKENIZER, analyzer())
    writer = index.writer(ONE_RELEASE_HEAP, 1)
    writer.add_document(document((release_id, 0, 0, "", *row)))
    writer.commit()
    index.reload()
    return bool(index.searcher().search(to_tantivy(schema, query), 1).hits)
