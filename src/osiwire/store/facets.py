"""Facet counts of a search: matching releases per region, country, source, language, topic, person,
organisation and month.

Counted over exactly the set ``search()`` matches (the same select, see ``search.matching``), so a facet's
count is the total the search shows once that facet is added as a filter. One statement computes them all:
the matching set is materialised once (a full-text match is the expensive part) and every facet is a
GROUP BY over it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, String, and_, cast, func, literal, select, union_all

from osiwire.model import SearchFilters
from osiwire.store.database import Database
from osiwire.store.filters import fold_expression, id_among, prepare
from osiwire.store.query import Query, QueryError, parse_query
from osiwire.store.schema import (
    entities,
    mentions,
    people,
    release_people,
    release_topics,
    releases,
    sources,
    versions,
)
from osiwire.store.search import matching
from osiwire.store.textindex import Lemmatiser

FACETS = ("region", "country", "source", "language", "topic", "person", "organisation", "month")
MAX_PER_FACET = 1000  # the whole taxonomy fits; a list longer than this is an export, not a facet
MAX_MONTHS = 1200  # the month histogram is not cut at limit_per_facet: a century of months
TOTAL = "total"


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet: what its filter takes, what to show, and how many matching releases have it."""

    value: str  # region, ISO 3166 code, source id, language, topic id, person id, organisation, YYYY-MM
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    """The facet counts of one search; each facet most frequent first, months in order."""

    total: int  # matching releases, as search() counts them
    region: tuple[FacetValue, ...] = ()
    country: tuple[FacetValue, ...] = ()  # of the source
    source: tuple[FacetValue, ...] = ()
    language: tuple[FacetValue, ...] = ()
    topic: tuple[FacetValue, ...] = ()
    person: tuple[FacetValue, ...] = ()
    organisation: tuple[FacetValue, ...] = ()
    month: tuple[FacetValue, ...] = ()  # by publication (else first seen) time, UTC
    # Counted over a deterministic sample of the matches, scaled up (a search broader than the search engine's
    # EXACT_MAX matches); ``total`` is exact all the same.
    approximate: bool = False


def _branch(
    name: str,
    value: ColumnElement[Any],
    label: ColumnElement[Any],
    count: ColumnElement[Any],
    joined: Any,
    limit: int,
    *where: ColumnElement[bool],
    chronological: bool = False,
) -> Select[Any]:
    """One facet as rows of (facet, value, label, n), its ``limit`` values with most releases."""
    n = count.label("n")
    order = [value] if chronological else [n.desc(), value]
    grouped = (
        select(value.label("value"), label.label("label"), n)
        .select_from(joined)
        .where(*where)
        .group_by(value)
        .order_by(*order)
        .limit(limit)
        .subquery()
    )
    return select(
        literal(name).label("facet"),
        cast(grouped.c.value, String).label("value"),
        cast(grouped.c.label, String).label("label"),
        grouped.c.n,
    )


def _branches(m: CTE, names: Collection[str], limit: int, dialect: str, exclude: list[int]) -> list[Any]:
    current = m.join(
        versions, and_(versions.c.release_id == m.c.id, versions.c.version_no == m.c.version_count)
    )
    count = func.count()
    out: list[Any] = [
        select(
            literal(TOTAL).label("facet"),
            literal("").label("value"),
            literal("").label("label"),
            func.count().label("n"),
        ).select_from(m)
    ]
    for column in ("region", "country", "language"):
        if column in names:  # releases whose source was removed have none: nothing to filter by
            value = m.c[column]
            out.append(_branch(column, value, func.max(value), count, m, limit, value != ""))
    if "source" in names:
        value = m.c.source_id
        out.append(_branch("source", value, func.max(m.c.source), count, m, limit, value.is_not(None)))
    if "month" in names:
        month = (
            func.strftime("%Y-%m", m.c.sort_at)
            if dialect == "sqlite"
            else func.to_char(m.c.sort_at, "YYYY-MM")
        )
        out.append(_branch("month", month, func.max(month), count, m, MAX_MONTHS, chronological=True))
    if "topic" in names:
        joined = current.join(release_topics, release_topics.c.version_id == versions.c.id)
        label = func.max(release_topics.c.label)
        out.append(_branch("topic", release_topics.c.topic, label, count, joined, limit))
    if "person" in names:
        joined = current.join(release_people, release_people.c.version_id == versions.c.id).join(
            people, people.c.id == release_people.c.person_id
        )
        label = func.max(func.coalesce(func.nullif(people.c.name_en, ""), people.c.display))
        keep = [people.c.id.not_in(exclude)] if exclude else []
        out.append(_branch("person", people.c.id, label, count, joined, limit, *keep))
    if "organisation" in names:
        # Grouped as the filter compares (case folded), so each count is what the filter then finds.
        joined = current.join(mentions, mentions.c.version_id == versions.c.id).join(
            entities, entities.c.id == mentions.c.entity_id
        )
        folded = fold_expression(entities.c.normal, dialect)
        distinct = func.count(func.distinct(m.c.id))
        label = func.max(entities.c.normal)
        out.append(_branch("organisation", folded, label, distinct, joined, limit, mentions.c.type == "ORG"))
    return out


def facets_request(
    lemmatiser: Lemmatiser, query_text: str, only: Collection[str], limit_per_facet: int
) -> tuple[Query, int]:
    """A facet request's query, parsed, and its values per facet within bounds; QueryError for an unknown facet."""
    if unknown := [name for name in only if name not in FACETS]:
        raise QueryError(f"facets {unknown}: expected some of {', '.join(FACETS)}")
    return parse_query(query_text, lemmatiser), max(1, min(limit_per_facet, MAX_PER_FACET))


def facets(
    db: Database,
    lemmatiser: Lemmatiser,
    query_text: str = "",
    filters: SearchFilters | None = None,
    *,
    limit_per_facet: int = 10,
    only: Collection[str] = FACETS,
    exclude_people: Collection[int] = (),
    within: Sequence[int] | None = None,
) -> Facets:
    """Counts of the releases matching ``query_text`` and ``filters`` per value of each facet in ``only``
    (``within``: the releases a search engine matched, given instead of a query)."""
    query, limit = facets_request(lemmatiser, query_text, only, limit_per_facet)
    columns: list[Any] = [
        releases.c.id,
        releases.c.version_count,
        releases.c.sort_at,
        releases.c.language,
        releases.c.source_id,
        func.coalesce(sources.c.name, "").label("source"),
        func.coalesce(sources.c.region, "").label("region"),
        func.coalesce(sources.c.country, "").label("country"),
    ]
    stmt, _ = matching(db, query, filters, columns)
    if within is not None:
        stmt = stmt.where(id_among(db, releases.c.id, within))
    # Computed once for all the facets below (else once per facet).
    m = stmt.cte("m").prefix_with("MATERIALIZED")
    found: dict[str, list[FacetValue]] = {name: [] for name in only}
    total = 0
    with db.reading() as conn:
        prepare(conn)
        branches = _branches(m, set(only), limit, conn.dialect.name, list(exclude_people))
        for row in conn.execute(union_all(*branches)):
            if row.facet == TOTAL:
                total = int(row.n)
            else:
                found[row.facet].append(FacetValue(str(row.value), str(row.label or row.value), int(row.n)))
    for name, values in found.items():
        # UNION ALL keeps no order: sort again (months in time order, the rest most frequent first).
        values.sort(key=(lambda v: v.value) if name == "month" else (lambda v: (-v.count, v.value)))
    counted: dict[str, Any] = {name: tuple(values) for name, values in found.items()}
    return Facets(total=total, **counted)
