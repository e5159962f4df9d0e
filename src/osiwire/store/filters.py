"""Search filters as SQL: conditions on a release, its source and its current version's enrichment.

Shared by search and facets, so that both count the same releases. Names (regions, sources, organisations)
are compared case-folded in any script; SQLite's ``lower()`` folds ASCII only, so on SQLite the folding is
a Python function registered on the connection (``prepare``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Integer,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    func,
    or_,
    select,
)

from osiwire.model import SearchFilters
from osiwire.store.database import Database
from osiwire.store.schema import (
    as_id,
    entities,
    mentions,
    people,
    quotes,
    release_countries,
    release_people,
    release_topics,
    releases,
    sources,
    versions,
)
from osiwire.store.textindex import fold

FOLD_FUNCTION = "osiwire_fold"  # SQLite's lower() folds ASCII only; organisation names are mostly Cyrillic


def prepare(conn: Connection) -> None:
    """Make the SQL functions the filters use available on ``conn`` (SQLite: ``osiwire_fold``)."""
    if conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.create_function(
            FOLD_FUNCTION, 1, lambda v: fold(v) if isinstance(v, str) else v, deterministic=True
        )


def fold_expression(column: ColumnElement[str], dialect: str) -> ColumnElement[str]:
    """``column`` as names are compared: case folded (on SQLite ё/е too, through ``osiwire_fold``)."""
    return getattr(func, FOLD_FUNCTION)(column) if dialect == "sqlite" else func.lower(column)


def folded_value(value: str, dialect: str) -> str:
    """``value`` folded as ``fold_expression`` folds a column, to compare with it."""
    return fold(value) if dialect == "sqlite" else value.lower()


def in_current_version(table: Table, *where: ColumnElement[bool]) -> ColumnElement[bool]:
    """True for releases whose current version has a row of ``table`` (enrichment) satisfying ``where``."""
    return (
        select(table.c.version_id)
        .join(versions, versions.c.id == table.c.version_id)
        .where(
            versions.c.release_id == releases.c.id,
            versions.c.version_no == releases.c.version_count,
            *where,
        )
        .exists()
    )


def like_prefix(text: str) -> str:
    """A LIKE pattern (escape ``\\``) for values starting with ``text``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _names_person(key: str) -> ColumnElement[bool]:
    """The person ``key`` names: by id, by key, or, where no person has that key, the only person whose key
    is more specific ("kotyukov:m" for the one "kotyukov:mm"; enrichment keeps a person's most specific key)."""
    by_key = people.c.key == key
    surname, _, initials = key.partition(":")
    if surname and initials and not surname.startswith("~"):
        pattern = like_prefix(key)
        longer = people.c.key.like(pattern, escape="\\")
        count = select(func.count()).select_from(people).where(people.c.key.like(pattern, escape="\\"))
        exact = select(people.c.id).where(people.c.key == key).exists()
        by_key = or_(by_key, and_(longer, ~exact, count.scalar_subquery() == 1))
    row_id = as_id(key)
    return or_(by_key, people.c.id == row_id) if row_id is not None else by_key


def person_ids(key: str) -> Select[Any]:
    """The people ``key`` names: by id (all digits) or by key ("patrushev:np")."""
    return select(people.c.id).where(_names_person(key))


def find_person_key(db: Database, key: str) -> str | None:
    """The key of the person ``key`` names (an id or a key), or None when there is none."""
    with db.reading() as conn:
        found = conn.execute(select(people.c.key).where(_names_person(key)).order_by(people.c.id)).first()
    return None if found is None else str(found.key)


def _enrichment_filters(f: SearchFilters, dialect: str) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.topic:
        where.append(in_current_version(release_topics, release_topics.c.topic == f.topic))
    if f.person:
        where.append(in_current_version(release_people, release_people.c.person_id.in_(person_ids(f.person))))
    if f.said_by:
        where.append(in_current_version(quotes, quotes.c.person_id.in_(person_ids(f.said_by))))
    if f.organisation:
        orgs = select(entities.c.id).where(
            entities.c.type == "ORG",
            fold_expression(entities.c.normal, dialect) == folded_value(f.organisation, dialect),
        )
        where.append(in_current_version(mentions, mentions.c.type == "ORG", mentions.c.entity_id.in_(orgs)))
    if f.mentions_country:
        country = f.mentions_country.upper()
        where.append(in_current_version(release_countries, release_countries.c.country == country))
    return where


SOURCE_FILTERS = ("region", "country", "source")  # the filters source_conditions turns into conditions


def source_conditions(f: SearchFilters, dialect: str) -> list[ColumnElement[bool]]:
    """``f``'s region, country and source as conditions on ``sources`` alone: a release passes them when its
    source does. Region and source name ignore case in any script ("Казахстан" = "казахстан")."""
    where: list[ColumnElement[bool]] = []
    if f.region:
        where.append(fold_expression(sources.c.region, dialect) == folded_value(f.region, dialect))
    if f.country:
        where.append(sources.c.country == f.country.upper())
    if f.source:
        by_name = fold_expression(sources.c.name, dialect) == folded_value(f.source, dialect)
        row_id = as_id(f.source)
        where.append(or_(by_name, sources.c.id == row_id) if row_id is not None else by_name)
    return where


def where_clauses(f: SearchFilters, dialect: str) -> list[ColumnElement[bool]]:
    """``f`` as conditions on ``releases`` joined to ``sources`` (run ``prepare`` on the connection first)."""
    where: list[ColumnElement[bool]] = []
    if f.language:
        where.append(releases.c.language == f.language.lower())
    # Compared once per source, not once per release.
    by_source = source_conditions(f, dialect)
    if by_source:
        where.append(releases.c.source_id.in_(select(sources.c.id).where(*by_source)))
    if f.since:
        where.append(releases.c.sort_at >= f.since)
    if f.until:
        where.append(releases.c.sort_at < f.until)
    return where + _enrichment_filters(f, dialect)


def id_among(db: Database, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """``column`` is one of ``ids``: one array parameter on PostgreSQL (a list of any length), an IN list
    elsewhere."""
    if db.dialect == "postgresql":
        found: ColumnElement[bool] = column == any_(bindparam("among_ids", list(ids), type_=ARRAY(Integer)))
        return found
    found = column.in_(list(ids))
    return found
