"""Search and facets for a long-running server: one full-text pass per distinct search, kept until the data
changes.

``store.search`` and ``store.facets`` answer one request each with SQL: the full-text match is evaluated
for the count, again for the page, and again for the facets, whose GROUP BYs join enrichment tables. A
server answers the same searches over and over (pages 2, 3 ... of one search, feed readers polling saved
searches, the front page) while the data changes every few seconds at most. Here a search is evaluated
once: every match (id, score) is fetched in one statement, ordered in numpy, and its facets are counted
over the in-memory ``FacetIndex``. The result (the total, the first ``depth`` hits in both orders, every
matching id for the facets) is kept in an LRU cache with the database's change token it was evaluated on;
the answers are the SQL functions' answers (tests compare the two); pages past ``DEPTH`` go to SQL.

When the data changes (a new release, enrichment, translation or source edit), an entry of the older data
that was costly to evaluate (``STALE_WORTHY_S``) or is broad (``STALE_WORTHY_MATCHES``: one release more or
less changes little in it, and making its page, facets and snippets again costs milliseconds each time) is
still answered for up to ``max_stale_s`` seconds after its evaluation began; past 30-70 % of that (spread by
search), a background thread evaluates it again (near-real-time search, as a search engine's refresh
interval): a pipeline storing a release every few seconds would otherwise make every broad search a full
evaluation, over and over. Cheap searches (narrow queries; the latest releases of a small store) are always
evaluated on the data as it is; so is everything with ``max_stale_s = 0``.

Matches and scores come from the search engine (``store.engine``, tantivy) when the cache is given an index
directory, else from FTS5's postings held in memory (``store.postings``). With the engine every match is held
up to ``engine.EXACT_MAX`` matches, so pages of any depth are answered here; a broader search holds a
deterministic sample of its matches (its facets are counted over it, scaled up, and marked approximate), its
total is the engine's exact count, and its pages are the engine's own top-k. The filters go into the engine's
query (language and source as its fields, other filters as the ids they keep, up to ``IDS_FILTER_MAX``); a
filter keeping more ids than that is applied to every match read. With postings, pages past ``DEPTH`` go to SQL.

Only SQLite databases in a file use it (the change token is polled through ``PRAGMA data_version``, which
costs microseconds; on other databases ``Store`` keeps the per-request SQL path).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import tantivy

from osiwire.model import SearchFilters, SearchHit
from osiwire.store.database import Database, sqlite_path
from osiwire.store.engine import Matches, Sample, SearchIndex
from osiwire.store.facet_index import FacetIndex, Ids, change_token
from osiwire.store.facets import FACETS, Facets, FacetValue, facets_request
from osiwire.store.filters import prepare
from osiwire.store.postings import Postings, Ranked
from osiwire.store.query import Query, to_fts5
from osiwire.store.search import (
    FTS_TABLES,
    FTS_WEIGHTS,
    SearchPage,
    all_matches,
    hits_for,
    search,
    search_request,
)
from osiwire.store.textindex import Lemmatiser

logger = logging.getLogger(__name__)

DEPTH = 1000  # hits kept per order: 50 pages of 20; deeper pages are answered by SQL
STALE_WORTHY_S = 0.02  # a search cheaper to evaluate than this ...
STALE_WORTHY_MATCHES = 1000  # ... and with fewer matches is never answered from older data
PAGES_PER_SEARCH = 16  # pages of hits (with snippets) kept per search
MAX_IDS = 4_000_000  # matches kept in the whole cache (16 bytes each, id and score): ~64 MB at most
HITS_KEPT = 10_000  # hits (a release's row and snippet for one query) kept across evaluations of their search
IDS_FILTER_MAX = 20_000  # a filter's ids given to the engine as a term set, at most (~0.5 us an id here)


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What the cache did so far in this process."""

    hits: int
    misses: int
    stale: int  # answered from an entry of older data (within max_stale_s) while it was evaluated again
    entries: int
    matches: int  # ids held by the entries
    refreshes: int  # facet index refreshes
    refresh_s: float


@dataclass
class _Entry:
    """One evaluated search: total, the best ``DEPTH`` and newest ``DEPTH`` hits, and every matching id."""

    token: tuple[Any, ...]  # the data state it was evaluated on
    evaluated_at: float  # time.monotonic() when its evaluation began
    cost_s: float  # how long it took
    ids: Ids  # all matches, for facet counts
    scores: npt.NDArray[np.float64]  # of each of ids
    best: Ids  # positions in ids, best first (DEPTH at most)
    newest: Ids  # positions in ids, newest first (DEPTH at most)
    facets: dict[tuple[Any, ...], Facets] = field(default_factory=dict)
    pages: dict[tuple[Any, ...], SearchPage] = field(default_factory=dict)  # (sort, offset, limit, text)
    # A broad search on the engine: ids are a sample of its matches, count their exact number, and its pages
    # come from the engine's top-k of this query.
    count: int | None = None
    ranked_by: tantivy.Query | None = None

    @property
    def total(self) -> int:
        return len(self.ids) if self.count is None else self.count

    @property
    def sampled(self) -> bool:
        return self.count is not None


class SearchCache:
    """Search and facets over one store, evaluated once per distinct search and data state; thread-safe."""

    def __init__(
        self,
        db: Database,
        lemmatiser: Lemmatiser,
        entries: int = 256,
        max_stale_s: float = 0.0,
        engine_dir: Path | None = None,
    ) -> None:
        path = sqlite_path(db.url) if db.dialect == "sqlite" else None
        if path is None:
            raise ValueError(f"{db.url}: the search cache needs an SQLite database in a file")
        self.db = db
        self.lemmatiser = lemmatiser
        self.entries = max(1, entries)
        self.max_stale_s = max(0.0, max_stale_s)
        self.index = FacetIndex(db)
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._pending: dict[tuple[Any, ...], threading.Event] = {}
        self._evaluating = threading.local()  # the keys this thread is evaluating now (nested evaluations)
        self._held_ids = 0
        self._token: tuple[Any, ...] | None = None
        self._data_version: int | None = None
        # Its own connection: PRAGMA data_version changes when any other connection commits.
        uri = path.resolve().as_uri() + "?mode=ro"  # percent-encoded: a data directory may hold "?" or "#"
        self._watch = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._watch_lock = threading.Lock()
        self.hits = self.misses = self.stale = self._refreshes = 0
        # Entries of older data are evaluated again here, one at a time, while they are still answered.
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="osiwire-search-refresh")
        self._renewing: set[tuple[Any, ...]] = set()
        self._refresh_s = 0.0
        # A hit (release row and snippet) depends on its query and its release alone: kept across evaluations
        # of its search until that release or the source registry changes (a store written every few seconds
        # would otherwise make every page's snippets again after each write).
        self._hits: OrderedDict[tuple[str, int], SearchHit] = OrderedDict()
        self._hits_generation = 0  # bumped whenever hits are dropped: a read begun before is not kept
        self.postings: Postings | None = None
        # Full-text matches and scores from the search engine (an index of its own under engine_dir) ...
        self.engine = SearchIndex(path, engine_dir) if engine_dir is not None else None
        if self.engine is None:
            try:  # ... or from FTS5's postings held in memory; FTS5's own query where that fails
                self.postings = Postings(path, FTS_TABLES, FTS_WEIGHTS)
            except sqlite3.Error as exc:
                logger.warning("%s: full-text postings unavailable (%s); searching through FTS5", path, exc)

    def close(self) -> None:
        self._background.shutdown(wait=True, cancel_futures=True)
        self._watch.close()
        if self.postings is not None:
            self.postings.close()
        if self.engine is not None:
            self.engine.close()

    def stats(self) -> CacheStats:
        """Hits, misses and what is held now."""
        with self._lock:
            return CacheStats(
                self.hits,
                self.misses,
                self.stale,
                len(self._cache),
                self._held_ids,
                self._refreshes,
                self._refresh_s,
            )

    def warm(self) -> None:
        """Load what every search reads (the facet index, the full-text row sizes, the lemmatiser's
        dictionaries) and the postings of the words in most releases (a quarter of the postings' memory: the
        words costliest to read at a first search) before the first search."""
        self.lemmatiser.lemma("москва"), self.lemmatiser.lemma("moscow")
        self.current()
        if self.engine is not None:
            self.engine.open()  # a missing index of a large store is built in the background
        if self.postings is not None:
            started = time.perf_counter()
            words = self.postings.warm(self.postings.max_postings // 4)
            logger.info("search: postings of %d words read in %.1f s", words, time.perf_counter() - started)

    # -- the data's state -----------------------------------------------------------------------------------

    def current(self) -> tuple[Any, ...]:
        """The change token now, reading it only when the database changed since the last call."""
        with self._watch_lock:
            version = self._watch.execute("PRAGMA data_version").fetchone()[0]
            if version == self._data_version and self._token is not None:
                return self._token
            self._data_version = version
        with self.db.reading() as conn:
            token = change_token(conn)
        if token != self.index.token:
            started = time.perf_counter()
            self.index.refresh(token)
            spent = time.perf_counter() - started
            with self._lock:
                self._refreshes += 1
                self._refresh_s += spent
            logger.debug("facet index refreshed in %.1f ms", spent * 1000)
        with self._lock:
            registry_changed = self._token is not None and token[-1] != self._token[-1]
            self._token = token
        self._forget_hits(registry_changed)
        return token

    def _forget_hits(self, everything: bool) -> None:
        """Drop the kept hits of releases whose text changed (all of them when unknown or ``everything``)."""
        changed: set[int] | None = None
        if self.engine is not None:
            self.engine.follow()
            changed = self.engine.take_changed()
        elif self.postings is not None:
            self.postings.follow()
            changed = self.postings.take_changed()
        with self._lock:
            self._hits_generation += 1
            if everything or changed is None:
                self._hits.clear()
            elif changed:
                for key in [key for key in self._hits if key[1] in changed]:
                    del self._hits[key]

    # -- evaluating ----------------------------------------------------------------------------------------

    def _entry(self, query: Query, filters: SearchFilters | None) -> _Entry:
        token = self.current()
        key = (to_fts5(query) if not query.empty else "", filters or SearchFilters())
        while True:
            with self._lock:
                found = self._cache.get(key)
                if found is not None and found.token == token:
                    self._cache.move_to_end(key)
                    self.hits += 1
                    return found
                age = time.monotonic() - found.evaluated_at if found is not None else 0.0
                costly = found is not None and (
                    found.cost_s >= STALE_WORTHY_S or found.total >= STALE_WORTHY_MATCHES
                )
                if found is not None and costly and age <= self.max_stale_s:
                    # Older data, recent enough, costly to evaluate: answered now; past 30-70 % of its
                    # allowance (spread by search, so searches evaluated together are not renewed together)
                    # it is evaluated again beside the requests (so a store written every few seconds does
                    # not keep a thread busy evaluating the same searches over and over).
                    self._cache.move_to_end(key)
                    self.stale += 1
                    renew = age >= self.max_stale_s * _renewal_point(key)
                    if renew and key not in self._renewing and key not in self._pending:
                        self._renewing.add(key)
                        self._background.submit(self._renew, key, query, filters)
                    return found
                mine: set[tuple[Any, ...]] = getattr(self._evaluating, "keys", set())
                if key in mine:  # asked again inside its own evaluation: waiting would be for itself
                    break
                waiting = self._pending.get(key)
                if waiting is None:  # this thread evaluates it; others asking meanwhile wait for it
                    waiting = self._pending[key] = threading.Event()
                    break
            waiting.wait()
        if key in mine:
            return self._evaluate(query, filters, token)  # not kept: the outer evaluation keeps its own
        assert waiting is not None
        self._evaluating.keys = mine | {key}
        try:
            entry = self._evaluate(query, filters, token)
            with self._lock:
                self.misses += 1
                self._store(key, entry)
            return entry
        finally:
            self._evaluating.keys = mine
            with self._lock:
                del self._pending[key]
            waiting.set()

    def _renew(self, key: tuple[Any, ...], query: Query, filters: SearchFilters | None) -> None:
        try:
            entry = self._evaluate(query, filters, self.current())
            with self._lock:
                self._store(key, entry)
        except Exception:
            logger.exception("search %r: evaluating it again failed; the next request evaluates it", key[0])
            with self._lock:
                self._drop(key)
        finally:
            with self._lock:
                self._renewing.discard(key)

    def _store(self, key: tuple[Any, ...], entry: _Entry) -> None:
        kept = self._cache.get(key)
        if kept is not None and kept.evaluated_at > entry.evaluated_at:
            return  # a newer evaluation got here first
        self._drop(key)
        self._cache[key] = entry
        self._held_ids += len(entry.ids)
        while len(self._cache) > self.entries or (self._held_ids > MAX_IDS and len(self._cache) > 1):
            _, dropped = self._cache.popitem(last=False)
            self._held_ids -= len(dropped.ids)

    def _drop(self, key: tuple[Any, ...]) -> None:
        dropped = self._cache.pop(key, None)
        if dropped is not None:
            self._held_ids -= len(dropped.ids)

    def _evaluate(self, query: Query, filters: SearchFilters | None, token: tuple[Any, ...]) -> _Entry:
        started = time.monotonic()
        if filters == SearchFilters():
            filters = None
        as_of = started, 0.0  # when the data it reads was read, and what reading it cost
        kept = self.index.filtered(filters) if query.empty and filters is not None else None
        if query.empty and filters is None:
            ids = self.index.all_ids()
            scores = np.zeros(len(ids))
        elif kept is not None:  # by language or source: from the facet index, not SQL
            ids, scores = kept, np.zeros(len(kept))
        else:
            on_engine = self.engine is not None and not query.empty
            found = self._engine_matches(query, filters, as_of) if on_engine else None
            sampled: tuple[Sample, tantivy.Query] | None = None
            if found is None:  # not on the engine, or a filter it cannot take
                ids, scores, as_of = self._matches(query, filters, as_of)
            else:
                matched, ranked_by, as_of = found
                if isinstance(matched, Sample):
                    sampled = matched, ranked_by
                    matched = matched.matches
                ids, scores = matched.ids, matched.scores
            if not self.index.known(ids):  # stored after the index was read: read it again
                self.index.refresh()
                keep = np.isin(ids, self.index.all_ids())
                ids, scores = ids[keep], scores[keep]
            if sampled is not None:
                sample, ranked_by = sampled
                cost = max(time.monotonic() - started, as_of[1])
                none = np.zeros(0, np.int64)
                return _Entry(
                    token,
                    min(started, as_of[0]),
                    cost,
                    ids=ids,
                    scores=scores,
                    best=none,
                    newest=none,
                    count=sample.total,
                    ranked_by=ranked_by,
                )
        times = self.index.times(ids)
        best = _first(DEPTH, scores, times, ids)
        newest = _first(DEPTH, times, ids)
        cost = max(time.monotonic() - started, as_of[1])
        return _Entry(token, min(started, as_of[0]), cost, ids=ids, scores=scores, best=best, newest=newest)

    def _engine_filter(self, filters: SearchFilters) -> tuple[tantivy.Query | None, _Entry]:
        """``filters`` as a query of the engine (None where it keeps too many releases to list them), and the
        cache's entry of the releases it keeps."""
        assert self.engine is not None
        allowed = self._entry(Query(()), filters)
        fields = self.index.filter_fields(filters)
        if fields is not None:
            return self.engine.field_query(*fields), allowed
        if len(allowed.ids) <= IDS_FILTER_MAX:
            return self.engine.ids_query(allowed.ids.tolist()), allowed
        return None, allowed

    def _engine_matches(
        self, query: Query, filters: SearchFilters | None, as_of: tuple[float, float]
    ) -> tuple[Matches | Sample, tantivy.Query, tuple[float, float]] | None:
        """The engine's matches of a search (a sample of them beyond its EXACT_MAX), its query of them, and
        ``as_of`` (as in ``_matches``); None for a filter the engine cannot take."""
        assert self.engine is not None
        within = None
        if filters is not None:
            within, allowed = self._engine_filter(filters)
            if within is None:
                return None
            as_of = allowed.evaluated_at, allowed.cost_s
        found = self.engine.matches_or_sample(query, within)
        return found, self.engine.compile(query, within), as_of

    def _matches(
        self, query: Query, filters: SearchFilters | None, as_of: tuple[float, float]
    ) -> tuple[Ids, npt.NDArray[np.float64], tuple[float, float]]:
        """Every release ``query`` and ``filters`` match, once each, with its best score; and ``as_of``, or
        when the filter's releases were evaluated and what that cost, where they were read from there."""
        found: Sequence[Ranked | Matches] | None = None
        if self.engine is not None and not query.empty:
            found = self.engine.matches(query)
        elif self.postings is not None and not query.empty:
            found = self.postings.matches(query)
        if found is None:
            with self.db.reading() as conn:
                prepare(conn)
                parts = all_matches(conn, self.db, query, filters)
            return (*_best_scores([_arrays(part) for part in parts]), as_of)
        ids, scores = _best_scores([(part.ids, part.scores) for part in found])
        if filters is not None:
            # The filter's own releases: a costly or broad set may be of recent data (up to max_stale_s, as
            # any answer); then this answer is as old as it, and as costly, for its own renewal.
            allowed = self._entry(Query(()), filters)
            keep = np.isin(ids, allowed.ids)
            ids, scores = ids[keep], scores[keep]
            as_of = allowed.evaluated_at, allowed.cost_s
        return ids, scores, as_of

    # -- answering -----------------------------------------------------------------------------------------

    def search(
        self,
        query_text: str = "",
        filters: SearchFilters | None = None,
        *,
        limit: int = 20,
        offset: int = 0,
        sort: str = "relevance",
    ) -> SearchPage:
        """As ``store.search.search``."""
        query, limit = search_request(self.lemmatiser, query_text, sort, limit)
        offset = max(0, offset)
        entry = self._entry(query, filters)
        page_key = (sort, offset, limit, query_text)
        with self._lock:
            kept = entry.pages.get(page_key)
        if kept is not None:
            return kept
        if entry.ranked_by is not None and self.engine is not None:  # a broad search: the engine's top-k
            ranked: list[tuple[int, float]] = []
            if offset < entry.total:  # (the engine's collector holds offset + limit hits: never past the end)
                ranked, _ = self.engine.top(entry.ranked_by, limit, newest=sort == "date", offset=offset)
            found = SearchPage(self._page_hits(query, ranked), entry.total, query_text)
            with self._lock:
                if len(entry.pages) < PAGES_PER_SEARCH:
                    entry.pages[page_key] = found
            return found
        order = entry.newest if sort == "date" or query.empty else entry.best
        if offset + limit > len(order) and len(order) < entry.total:  # deeper than kept
            if self.engine is None:
                return search(
                    self.db, self.lemmatiser, query_text, filters, limit=limit, offset=offset, sort=sort
                )
            times = self.index.times(entry.ids)  # every match is held: its order, as deep as asked
            keys = (times, entry.ids) if sort == "date" or query.empty else (entry.scores, times, entry.ids)
            order = _first(offset + limit, *keys)
        page = order[offset : offset + limit]
        ranked = list(zip(entry.ids[page].tolist(), entry.scores[page].tolist(), strict=True))
        found = SearchPage(self._page_hits(query, ranked), entry.total, query_text)
        with self._lock:
            if len(entry.pages) < PAGES_PER_SEARCH:
                entry.pages[page_key] = found
        return found

    def _page_hits(self, query: Query, ranked: list[tuple[int, float]]) -> tuple[SearchHit, ...]:
        """``hits_for`` of ``ranked``, reusing the hits kept from earlier evaluations of the same query."""
        fts = to_fts5(query) if not query.empty else ""
        with self._lock:
            generation = self._hits_generation
            known = {i: self._hits.get((fts, i)) for i, _ in ranked}
            for i, hit in known.items():
                if hit is not None:
                    self._hits.move_to_end((fts, i))
        missing = [(i, score) for i, score in ranked if known[i] is None]
        fresh = hits_for(self.db, self.lemmatiser, query, missing) if missing else ()
        with self._lock:
            if generation == self._hits_generation:  # nothing dropped meanwhile: what was read is current
                for hit in fresh:
                    self._hits[(fts, hit.id)] = hit
                while len(self._hits) > HITS_KEPT:
                    self._hits.popitem(last=False)
        found = {i: hit for i, hit in known.items() if hit is not None} | {hit.id: hit for hit in fresh}
        return tuple(
            found[i] if found[i].score == score else replace(found[i], score=score)
            for i, score in ranked
            if i in found
        )

    def facets(
        self,
        query_text: str = "",
        filters: SearchFilters | None = None,
        *,
        limit_per_facet: int = 10,
        only: Collection[str] = FACETS,
        exclude_people: Collection[int] = (),
    ) -> Facets:
        """As ``store.facets.facets``."""
        query, limit = facets_request(self.lemmatiser, query_text, only, limit_per_facet)
        entry = self._entry(query, filters)
        key = (limit, tuple(only), tuple(sorted(exclude_people)))
        with self._lock:
            found = entry.facets.get(key)
        if found is None:
            found = self.index.count(entry.ids, limit=limit, only=only, exclude_people=exclude_people)
            if entry.sampled:
                found = _scaled(found, entry.total)
            with self._lock:
                entry.facets[key] = found
        return found


def _scaled(sampled: Facets, total: int) -> Facets:
    """Facet counts of a sample of ``total`` matches as estimates for all of them (a value seen in the sample
    counts one at least), marked approximate."""
    ratio = total / sampled.total if sampled.total else 0.0

    def scale(values: tuple[FacetValue, ...], chronological: bool) -> tuple[FacetValue, ...]:
        scaled = [replace(v, count=max(1, round(v.count * ratio))) for v in values]
        if not chronological:  # rounding may tie two counts: ties in store.facets' order (by the value)
            scaled.sort(key=lambda v: (-v.count, v.value))
        return tuple(scaled)

    return replace(
        sampled,
        total=total,
        approximate=True,
        **{name: scale(getattr(sampled, name), name == "month") for name in FACETS},
    )


def _renewal_point(key: tuple[Any, ...]) -> float:
    """Where in its allowance a kept search is renewed: 0.3-0.7, the same for one search in one process."""
    return 0.3 + (hash(key) % 1000) / 1000 * 0.4


def _arrays(rows: list[Any]) -> tuple[Ids, npt.NDArray[np.float64]]:
    ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
    return ids, np.fromiter((r[1] for r in rows), np.float64, len(rows))


def _best_scores(
    parts: list[tuple[Ids, npt.NDArray[np.float64]]],
) -> tuple[Ids, npt.NDArray[np.float64]]:
    """(ids, scores) pairs as one, one entry per id: its best score."""
    parts = [part for part in parts if len(part[0])] or parts[:1]
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([part[0] for part in parts])
    scores = np.concatenate([part[1] for part in parts])
    order = np.lexsort((-scores, ids))  # by id, best score first
    ids, scores = ids[order], scores[order]
    first = np.ones(len(ids), bool)
    first[1:] = ids[1:] != ids[:-1]
    return ids[first], scores[first]


def _first(count: int, *keys: npt.NDArray[Any]) -> Ids:
    """The positions of the ``count`` greatest rows by ``keys`` (the first decides, the next breaks its
    ties ...), greatest first: ``np.lexsort`` of the negated keys, cut, without sorting every row."""
    first = keys[0]
    if len(first) > 4 * count:
        # Only rows at least as great as the count-th greatest first key can be among the first count.
        bar = np.partition(first, len(first) - count)[len(first) - count]
        candidates = np.flatnonzero(first >= bar)
        order = np.lexsort(tuple(-key[candidates] for key in reversed(keys)))[:count]
        return candidates[order].astype(np.int64)
    return np.lexsort(tuple(-key for key in reversed(keys)))[:count].astype(np.int64)
