"""Every release's facet values held in memory as numpy arrays, so a search counts its facets in one pass.

The SQL facets (``store.facets``) group the matching set by region, source, topic, person ... with joins:
hundreds of milliseconds for a broad query over 100,000 releases. Here each release id indexes dense arrays
(its source, language, time) and each many-valued facet (topic, person, organisation) is a pair of arrays
(release id, value code), so the counts of a match set are ``np.bincount`` over a mask: a few milliseconds.

The counts are the SQL facets' counts: the same values, labels, order and cut (a test compares the two on
random stores). ``refresh()`` brings the index up to date: new releases, new versions and new enrichment are
read incrementally (only the releases that changed); a changed source registry rebuilds it. The caller
decides when to refresh (``search_cache`` does, when the database changed).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Integer, and_, cast, func, select

from osiwire.model import SearchFilters
from osiwire.store.database import Database
from osiwire.store.facets import FACETS, MAX_MONTHS, Facets, FacetValue
from osiwire.store.filters import SOURCE_FILTERS, folded_value, prepare, source_conditions
from osiwire.store.schema import (
    enrichments,
    entities,
    mentions,
    people,
    release_people,
    release_topics,
    releases,
    sources,
    translations,
    versions,
)

Ids = npt.NDArray[np.int64]
NO_SOURCE = -1
ABSENT = np.iinfo(np.int64).min  # the time of a release id that does not exist (never matches)
MANY_VALUED = ("topic", "person", "organisation")


def change_token(conn: Connection) -> tuple[Any, ...]:
    """What changes when anything a search or its facets read changes: releases and their versions,
    enrichment, translations and the source registry. Cheap (aggregates over keys and small tables)."""
    row = conn.execute(
        select(
            select(func.max(versions.c.id)).scalar_subquery(),
            select(func.count()).select_from(enrichments).scalar_subquery(),
            select(func.max(enrichments.c.enriched_at)).scalar_subquery(),
            select(func.count()).select_from(translations).scalar_subquery(),
            select(func.max(translations.c.translated_at)).scalar_subquery(),
        )
    ).one()
    registry = tuple(conn.execute(select(sources.c.id, sources.c.name, sources.c.region, sources.c.country)))
    return (*row, hash(registry))


def _epoch(column: Any, dialect: str) -> Any:
    if dialect == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.extract("epoch", column), Integer)  # pragma: no cover - the fast path is SQLite's


@dataclass
class _Values:
    """The distinct values of one facet: code -> (value, label); labels keep the greatest seen (SQL max)."""

    values: list[Any] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    codes: dict[Any, int] = field(default_factory=dict)

    def code(self, value: Any, label: str) -> int:
        found = self.codes.get(value)
        if found is None:
            found = self.codes[value] = len(self.values)
            self.values.append(value)
            self.labels.append(label)
        elif label > self.labels[found]:
            self.labels[found] = label
        return found


@dataclass
class _Pairs:
    """A many-valued facet: (release id, value code, label code) rows, one per release, value and label.

    A value may be written several ways (an organisation's case variants fold to one value): its count is
    of distinct releases, and its label, as in SQL, the greatest of the ways it is written in the matches.
    What a count needs besides the matches is worked out when the rows change, not at each count: which row
    is the first of its (release, value) pair, and the one label of each value written one way only.
    """

    releases: Ids = field(default_factory=lambda: np.zeros(0, np.int64))
    codes: Ids = field(default_factory=lambda: np.zeros(0, np.int64))
    label_codes: Ids = field(default_factory=lambda: np.zeros(0, np.int64))
    values: _Values = field(default_factory=_Values)
    labels: _Values = field(default_factory=_Values)
    first: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))  # first of its pair
    only_label: Ids = field(default_factory=lambda: np.zeros(0, np.int64))  # per value: its label, or -1
    several: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))  # row of such a value

    def replace(self, changed: Ids, rows: Iterable[tuple[int, Any, str]], *, relabel: bool = False) -> None:
        """Drop the rows of the ``changed`` releases, add ``rows`` (release id, value, label): their current ones.
        ``relabel``: a value has one label, and the label in ``rows`` is its current one for every release."""
        coded = [(r, self.values.code(v, label), self.labels.code(label, label)) for r, v, label in rows]
        table = np.array(coded, dtype=np.int64).reshape(-1, 3)
        keep = ~np.isin(self.releases, changed) if len(changed) else np.ones(len(self.releases), bool)
        self.releases = np.concatenate([self.releases[keep], table[:, 0]])
        self.codes = np.concatenate([self.codes[keep], table[:, 1]])
        self.label_codes = np.concatenate([self.label_codes[keep], table[:, 2]])
        if relabel and len(table):
            current = np.full(len(self.values.values), -1, np.int64)
            current[table[:, 1]] = table[:, 2]
            new = current[self.codes]
            self.label_codes = np.where(new >= 0, new, self.label_codes)
        self._derive()

    def _derive(self) -> None:
        width = len(self.values.values) + 1
        self.first = np.zeros(len(self.releases), bool)
        self.first[np.unique(self.releases * width + self.codes, return_index=True)[1]] = True
        ways = np.unique(self.codes * (len(self.labels.values) + 1) + self.label_codes)
        way_codes, way_labels = np.divmod(ways, len(self.labels.values) + 1)
        per_value = np.bincount(way_codes, minlength=len(self.values.values))
        self.only_label = np.full(len(self.values.values), -1, np.int64)
        one = per_value[way_codes] == 1
        self.only_label[way_codes[one]] = way_labels[one]
        self.several = self.only_label[self.codes] < 0 if len(self.codes) else np.zeros(0, bool)

    def count(self, mask: npt.NDArray[np.bool_]) -> list[tuple[Any, str, int]]:
        """(value, label, releases) of each value the releases in ``mask`` have."""
        picked = mask[self.releases] if len(self.releases) else np.zeros(0, bool)
        counts = np.bincount(self.codes[picked & self.first], minlength=len(self.values.values))
        best: dict[int, str] = {}
        mixed = picked & self.several  # values written several ways: the greatest way in the matches
        ways = np.unique(self.codes[mixed] * (len(self.labels.values) + 1) + self.label_codes[mixed])
        for way in ways.tolist():
            code, label = divmod(way, len(self.labels.values) + 1)
            text = self.labels.values[label]
            if text > best.get(code, ""):
                best[code] = text
        return [
            (
                self.values.values[c],
                best.get(c, "") if self.only_label[c] < 0 else self.labels.values[self.only_label[c]],
                int(counts[c]),
            )
            for c in np.flatnonzero(counts).tolist()
        ]


class FacetIndex:
    """The facet values of every release (its current version), in memory; thread-safe."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.RLock()  # refresh() changes the arrays in steps: readers wait for it
        self.token: tuple[Any, ...] | None = None
        self._reset()

    def _reset(self) -> None:
        self.source = np.zeros(0, np.int64)  # per release id: its source id, or NO_SOURCE
        self.language = np.zeros(0, np.int64)  # per release id: a code of self.languages, -1 for none
        self.epoch = np.zeros(0, np.int64)  # per release id: sort_at in seconds, ABSENT where no release
        self.month = np.zeros(0, np.int64)  # per release id: its sort_at's month (months since 1970-01)
        self.languages = _Values()
        self.sources: dict[int, tuple[str, str, str]] = {}  # id -> (name, region, country)
        self.many = {name: _Pairs() for name in MANY_VALUED}
        self._max_version = 0
        self._enriched_at: Any = None  # the latest enrichment time read ...
        self._enriched_then: set[int] = set()  # ... and the releases read with that very time

    # -- keeping up with the store ------------------------------------------------------------------------

    def refresh(self, token: tuple[Any, ...] | None = None) -> None:
        """Read what changed since the last refresh (everything the first time)."""
        with self._lock, self.db.reading() as conn:
            token = token if token is not None else change_token(conn)
            if token == self.token:
                return
            full = self.token is None or token[5] != self.token[5] or token[1] < self.token[1]
            if full:  # the first time, a changed registry, or enrichment removed (a release deleted)
                self._reset()
            self._read(conn, full)
            self.token = token

    def _read(self, conn: Connection, full: bool) -> None:
        dialect = conn.dialect.name
        self.sources = {
            int(r.id): (r.name, r.region or "", r.country or "")
            for r in conn.execute(select(sources.c.id, sources.c.name, sources.c.region, sources.c.country))
        }
        new_versions = select(versions.c.release_id).where(versions.c.id > self._max_version)
        rows = select(
            releases.c.id, releases.c.source_id, releases.c.language, _epoch(releases.c.sort_at, dialect)
        )
        if not full:
            rows = rows.where(releases.c.id.in_(new_versions))
        changed = self._read_releases(conn, rows)
        current = and_(
            versions.c.release_id == releases.c.id, versions.c.version_no == releases.c.version_count
        )
        # Enrichment written since the last read: at its latest time or later (a time is not unique: a
        # batch may share one), less the releases already read at that very time (else each refresh after
        # such a batch would read the whole batch again).
        enriched = select(versions.c.release_id, enrichments.c.enriched_at).join(
            enrichments, enrichments.c.version_id == versions.c.id
        )
        latest = conn.execute(select(func.max(enrichments.c.enriched_at))).scalar()
        if full or self._enriched_at is None:
            then = enriched.where(enrichments.c.enriched_at == latest) if latest is not None else None
            self._enriched_then = set() if then is None else {int(r[0]) for r in conn.execute(then)}
        else:
            found_enriched = conn.execute(
                enriched.where(enrichments.c.enriched_at >= self._enriched_at)
            ).all()
            fresh = [
                int(r[0])
                for r in found_enriched
                if r[1] != self._enriched_at or int(r[0]) not in self._enriched_then
            ]
            changed = np.union1d(changed, np.array(fresh, dtype=np.int64))
            if latest == self._enriched_at:
                self._enriched_then |= set(fresh)
            else:
                self._enriched_then = {int(r[0]) for r in found_enriched if r[1] == latest}
        self._max_version = int(conn.execute(select(func.max(versions.c.id))).scalar() or 0)
        self._enriched_at = latest
        if not len(changed):
            return
        scope: list[Any] = [] if full else [versions.c.release_id.in_(changed.tolist())]
        cur = versions.join(releases, current)
        topics = self.many["topic"]
        found = conn.execute(
            select(versions.c.release_id, release_topics.c.topic, release_topics.c.label)
            .select_from(cur.join(release_topics, release_topics.c.version_id == versions.c.id))
            .where(*scope)
        )
        topics.replace(changed, ((r.release_id, r.topic, r.label) for r in found))
        persons = self.many["person"]
        label = func.coalesce(func.nullif(people.c.name_en, ""), people.c.display)
        found = conn.execute(
            select(versions.c.release_id, people.c.id, label.label("label"))
            .select_from(
                cur.join(release_people, release_people.c.version_id == versions.c.id).join(
                    people, people.c.id == release_people.c.person_id
                )
            )
            .where(*scope)
        )
        # Storing a person may rename one already stored (a fuller name found for them): every release of
        # theirs shows the name as it is now, as SQL reads it.
        persons.replace(changed, ((r.release_id, r.id, r.label) for r in found), relabel=True)
        orgs = self.many["organisation"]
        found = conn.execute(
            select(versions.c.release_id, entities.c.normal)
            .distinct()
            .select_from(
                cur.join(mentions, mentions.c.version_id == versions.c.id).join(
                    entities, entities.c.id == mentions.c.entity_id
                )
            )
            .where(mentions.c.type == "ORG", *scope)
        )
        folded: dict[str, str] = {}
        orgs.replace(
            changed,
            (
                (r.release_id, folded.setdefault(r.normal, folded_value(r.normal, dialect)), r.normal)
                for r in found
            ),
        )

    def _read_releases(self, conn: Connection, rows: Any) -> Ids:
        found = conn.execute(rows).all()
        if not found:
            return np.zeros(0, np.int64)
        table = np.array(
            [
                (
                    r[0],
                    NO_SOURCE if r[1] is None else r[1],
                    self.languages.code(r[2], r[2]) if r[2] else -1,
                    r[3],
                )
                for r in found
            ],
            dtype=np.int64,
        )
        ids = table[:, 0]
        size = int(ids.max()) + 1
        if size > len(self.epoch):
            grow = size - len(self.epoch)
            self.source = np.concatenate([self.source, np.full(grow, NO_SOURCE, np.int64)])
            self.language = np.concatenate([self.language, np.full(grow, -1, np.int64)])
            self.epoch = np.concatenate([self.epoch, np.full(grow, ABSENT, np.int64)])
            self.month = np.concatenate([self.month, np.zeros(grow, np.int64)])
        self.source[ids], self.language[ids], self.epoch[ids] = table[:, 1], table[:, 2], table[:, 3]
        self.month[ids] = table[:, 3].astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
        return ids

    # -- reading ------------------------------------------------------------------------------------------

    def all_ids(self) -> Ids:
        """Every release id."""
        with self._lock:
            return np.flatnonzero(self.epoch != ABSENT).astype(np.int64)

    def filter_fields(self, filters: SearchFilters) -> tuple[str | None, list[int] | None] | None:
        """Where ``filters`` filter by language, region, country or source alone: the language they keep (as
        stored: lower case) and the ids of the sources they keep (each None where not filtered); else None."""
        if replace(filters, language=None, **dict.fromkeys(SOURCE_FILTERS)) != SearchFilters():
            return None
        by_source = source_conditions(filters, self.db.dialect)
        allowed: list[int] | None = None
        if by_source:
            with self.db.reading() as conn:
                prepare(conn)
                allowed = list(conn.execute(select(sources.c.id).where(*by_source)).scalars())
        return (filters.language.lower() if filters.language else None), allowed

    def filtered(self, filters: SearchFilters) -> Ids | None:
        """The releases ``filters`` keep, as ``store.search`` keeps them, where they filter by language, region,
        country or source alone (None otherwise: other filters are SQL's)."""
        fields = self.filter_fields(filters)
        if fields is None:
            return None
        language, allowed = fields
        with self._lock:
            keep = self.epoch != ABSENT
            if language is not None:
                code = self.languages.codes.get(language)
                keep &= self.language == (-2 if code is None else code)
            if allowed is not None:
                keep &= np.isin(self.source, np.array(allowed, np.int64))
            return np.flatnonzero(keep).astype(np.int64)

    def known(self, ids: Ids) -> bool:
        """Whether every id in ``ids`` is a release the index has read."""
        with self._lock:
            return bool(len(ids) == 0 or (ids.max() < len(self.epoch) and (self.epoch[ids] != ABSENT).all()))

    def times(self, ids: Ids) -> Ids:
        """The sort time (seconds) of each release in ``ids``."""
        with self._lock:
            return self.epoch[ids]

    def count(
        self, ids: Ids, *, limit: int, only: Collection[str] = FACETS, exclude_people: Collection[int] = ()
    ) -> Facets:
        """The facet counts of the releases ``ids`` (distinct, all known), cut as ``store.facets`` cuts them."""
        with self._lock:
            return self._count(ids, limit, only, exclude_people)

    def _count(self, ids: Ids, limit: int, only: Collection[str], exclude_people: Collection[int]) -> Facets:
        found: dict[str, list[FacetValue]] = {}
        source = self.source[ids]
        if {"region", "country", "source"} & set(only):
            per_source = np.bincount(source[source >= 0], minlength=max(self.sources, default=0) + 1)
            sums: dict[str, dict[Any, list[Any]]] = {"region": {}, "country": {}, "source": {}}
            for sid in np.flatnonzero(per_source).tolist():
                if sid not in self.sources:
                    continue
                name, region, country = self.sources[sid]
                n = int(per_source[sid])
                for facet, value, label in (("region", region, region), ("country", country, country)):
                    if value:
                        entry = sums[facet].setdefault(value, [label, 0])
                        entry[1] += n
                sums["source"][sid] = [name, n]
            for facet in ("region", "country", "source"):
                if facet in only:
                    found[facet] = _cut([(v, lab, n) for v, (lab, n) in sums[facet].items()], limit)
        if "language" in only:
            codes = self.language[ids]
            counts = np.bincount(codes[codes >= 0], minlength=len(self.languages.values))
            found["language"] = _cut(_nonzero(counts, self.languages), limit)
        if "month" in only:
            months = self.month[ids]
            first = int(months.min()) if len(months) else 0
            counts = np.bincount(months - first)
            found["month"] = [
                FacetValue(str(month), str(month), int(counts[n]))
                for n in np.flatnonzero(counts)[:MAX_MONTHS].tolist()
                for month in [np.datetime64(first + n, "M")]
            ]
        mask = np.zeros(len(self.epoch), bool)
        mask[ids] = True
        for facet in MANY_VALUED:
            if facet not in only:
                continue
            rows = self.many[facet].count(mask)
            if facet == "person" and exclude_people:
                rows = [row for row in rows if row[0] not in set(exclude_people)]
            found[facet] = _cut(rows, limit)
        counted: dict[str, Any] = {name: tuple(found.get(name, ())) for name in only}
        return Facets(total=len(ids), **counted)


def _nonzero(counts: npt.NDArray[np.int64], values: _Values) -> list[tuple[Any, str, int]]:
    return [(values.values[c], values.labels[c], int(counts[c])) for c in np.flatnonzero(counts).tolist()]


def _cut(rows: list[tuple[Any, str, int]], limit: int) -> list[FacetValue]:
    """The ``limit`` values with most releases (ties: smaller value first), then in the order ``store.facets``
    returns them (most first, ties by the value as text)."""
    rows = sorted(rows, key=lambda row: (-row[2], row[0]))[:limit]
    out = [FacetValue(str(value), str(label or value), n) for value, label, n in rows]
    out.sort(key=lambda v: (-v.count, v.value))
    return out
