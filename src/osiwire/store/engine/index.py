"""The search index: a tantivy index derived from the store, following its writes through ``fts_changes``.

Each document is one release: the lemma text of its title and body exactly as osiwire gives it to FTS5
(``release_fts``: folded, lemmatised, so inflection, ё/е and both scripts behave as everywhere else), its
English translation's (``translation_fts``), and fast fields for filters and orders (``rid``, ``sort_at``
in epoch seconds, ``source_id``, ``language``; ``bucket``, a hash of ``rid`` in 0..1023, draws deterministic samples of a
broad search's matches). One extra document (``rid`` 0, no text) holds the index's own state: the
last ``fts_changes`` row applied and, during a rebuild, the last release written. It is replaced in every
commit, so the state and the documents it describes are committed together: a crash replays the log from
there, or resumes the rebuild.

Several processes on one data directory (``osiwire serve --workers N``) each keep their own index: a process
claims the first slot directory (``slot-0``, ``slot-1`` ...) whose tantivy writer lock is free, so a restarted
server finds its index where it left it, and a crashed one frees its slot (the lock is the operating
system's). An SQLite store in a file keeps the lemma text in its FTS5 tables; PostgreSQL in plain tables of
the same names (``store.backends``).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import tantivy

from osiwire.errors import StoreError
from osiwire.store.backends.readers import open_reader
from osiwire.store.engine.queries import to_tantivy
from osiwire.store.query import Query

logger = logging.getLogger(__name__)

LAYOUT = 2  # the documents' layout; an index of another layout is rebuilt (2: the bucket field)
META_ID = 0  # rid of the state document (release ids start at 1)
SLOTS = 16  # index copies one data directory may hold (one per server process)
BATCH = 2000  # releases read from the store per statement while rebuilding
COMMIT_EVERY = 50_000  # releases between two commits of a rebuild: what a crash may have to index again
WRITER_HEAP = 96_000_000  # tantivy's indexing memory budget (split between its threads)
WRITER_THREADS = 2  # the machine's cores; more only fight over them
FIRST_READ = 4096  # matches read in the pass that also counts them
# Every match of a search is read into Python (for exact facet counts) up to this many: ~0.6 us a match here
# (20,000: ~12 ms). A broader search is counted exactly by the engine, its pages are the engine's own top-k,
# and its facets are counted over a deterministic sample of about SAMPLE_SIZE matches, scaled up.
EXACT_MAX = 20_000
SAMPLE_SIZE = 10_000
BUCKETS = 1024  # a sample is the matches whose bucket (a hash of rid) is below some k
FOLLOW_WAIT_S = 1.0  # a search waits this long at most for another thread applying the change log
SYNC_REBUILD_MAX = 20_000  # a store this small is indexed before the first search is answered (~3 s)
TOKENIZER = "osiwire_lemmas"  # the text is lemmas joined by spaces already: split on spaces, nothing more
MAX_TERM_CHARS = 255  # longer tokens are dropped (tantivy refuses terms over 65,530 bytes)
TEXT_FIELDS = ("title", "body", "en_title", "en_body")

Ids = npt.NDArray[np.int64]
Progress = Callable[[int, int], None]  # (releases indexed, releases to index)

ROWS = (
    "SELECT r.id, CAST(strftime('%s', r.sort_at) AS INTEGER), coalesce(r.source_id, 0), r.language, "
    "f.title, f.body, t.title, t.body FROM releases r "
    "LEFT JOIN release_fts f ON f.rowid = r.id LEFT JOIN translation_fts t ON t.rowid = r.id "
)


class SearchRebuilding(StoreError):
    """The search index is being built from the store; search answers again when it is done."""


@dataclass(frozen=True, slots=True)
class Matches:
    """A query's matching releases (ids, unordered) and their bm25 scores (higher is better)."""

    ids: Ids
    scores: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Sample:
    """A deterministic sample of a broad search's matches: about ``fraction`` of them (ids, unordered, and
    their scores), and the exact number of matches."""

    matches: Matches
    total: int
    fraction: float


@dataclass(frozen=True, slots=True)
class IndexState:
    """What the state document says: the last change applied; a rebuild under way and how far it got."""

    seq: int
    building: bool
    cursor: int
    layout: int


def build_schema() -> tantivy.Schema:
    """The documents' fields."""
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("rid", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name=TOKENIZER, index_option="position")
    builder.add_integer_field("sort_at", fast=True)
    builder.add_unsigned_field("source_id", indexed=True, fast=True)
    builder.add_text_field("language", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_integer_field("bucket", indexed=True, fast=True)
    for name in ("seq", "building", "cursor", "layout"):  # the state document's
        builder.add_unsigned_field(name, stored=True)
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.remove_long(MAX_TERM_CHARS))
        .build()
    )


def _whole(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _count(result: tantivy.SearchResult) -> int:
    """The number of matches of a search run with ``count=True`` (the type stubs lack the attribute)."""
    return _whole(getattr(result, "count", 0))


def bucket_of(rid: int) -> int:
    """The sample bucket of release ``rid``: a multiplicative hash (Knuth's), so any range of ids spreads
    evenly over the buckets."""
    return ((rid * 2654435761) & 0xFFFFFFFF) * BUCKETS >> 32


def _document(row: Sequence[Any]) -> tantivy.Document:
    """A release's document from a row of ``ROWS`` (built field by field: 3x faster than from a dict)."""
    rid, sort_at, source_id, language, *texts = row
    doc = tantivy.Document()
    doc.add_unsigned("rid", rid)
    doc.add_integer("sort_at", sort_at or 0)
    doc.add_unsigned("source_id", source_id)
    doc.add_text("language", language or "")
    doc.add_integer("bucket", bucket_of(rid))
    for name, value in zip(TEXT_FIELDS, texts, strict=True):
        if value:
            doc.add_text(name, value)
    return doc


class SearchIndex:
    """One process's search index over one store; thread-safe."""

    def __init__(self, db_path: Path | str, directory: Path) -> None:
        """``db_path``: an SQLite store's file, or a database URL (PostgreSQL keeps the same lemma text)."""
        self.db_path = db_path
        self.directory = directory
        self.schema = build_schema()
        self._conn = open_reader(db_path)
        self._lock = threading.RLock()
        self._index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self.slot: Path | None = None
        self._seq = 0  # the last change applied
        self._ready = False
        self._rebuilding: threading.Thread | None = None
        self._stopping = threading.Event()  # set by close(): a rebuild under way stops at its next batch
        self.progress = (0, 0)  # of a rebuild under way: (indexed, to index)
        self._changed: set[int] | None = set()  # releases re-indexed since take_changed(); None: maybe any
        self.rebuilds = 0  # full builds in this process (tests, metrics)

    # -- opening -----------------------------------------------------------------------------------------------

    def open(self, *, block: bool = False, progress: Progress | None = None) -> None:
        """Claim a slot and make the index current: replay the log, or build it from the store (at once when
        ``block`` or the store is small, else in a background thread while searches raise SearchRebuilding)."""
        with self._lock:
            if self._index is not None:
                return
            state = self._claim()
            fresh = state is None or state.layout != LAYOUT or state.building
            if not fresh and state is not None and self._log_lost(state.seq):
                logger.warning("search index %s: the change log no longer reaches it; rebuilding", self.slot)
                fresh = True
            if not fresh and state is not None:
                self._seq, self._ready = state.seq, True
                self._follow()
                return
        if block or self._release_count() <= SYNC_REBUILD_MAX:
            self.rebuild(progress)
        else:
            self._start_rebuild()

    def _claim(self) -> IndexState | None:
        """Open the first slot whose writer lock is free (deleting and recreating one that cannot be read);
        its state, None for a new index."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for number in range(SLOTS):
            path = self.directory / f"slot-{number}"
            path.mkdir(exist_ok=True)
            try:
                index = tantivy.Index(self.schema, str(path), reuse=True)
            except (ValueError, OSError) as exc:
                if not self._try_lock(path):
                    continue
                logger.warning("search index %s unreadable (%s): rebuilding it from the store", path, exc)
                shutil.rmtree(path, ignore_errors=True)
                path.mkdir()
                index = tantivy.Index(self.schema, str(path), reuse=True)
            index.register_tokenizer(TOKENIZER, _analyzer())
            index.config_reader("Manual")
            try:
                writer = index.writer(WRITER_HEAP, WRITER_THREADS)
            except ValueError:  # another process holds this slot
                continue
            self._index, self._writer, self.slot = index, writer, path
            try:
                return self._state()
            except (ValueError, OSError) as exc:
                logger.warning("search index %s unreadable (%s): rebuilding it from the store", path, exc)
                writer.delete_all_documents()
                return None
        raise StoreError(f"{self.directory}: all {SLOTS} search index slots are in use by other processes")

    @classmethod
    def ready_without_building(cls, directory: Path) -> bool:
        """Whether a process opening an index in ``directory`` now finds one to start from: a built slot no
        process holds, or no slot built at all (the first build must happen somewhere)."""
        built = [p.parent for p in directory.glob("slot-*/meta.json")]
        return not built or any(cls._try_lock(path) for path in built)

    @staticmethod
    def _try_lock(path: Path) -> bool:
        """Whether no process holds the writer lock of the index in ``path``."""
        lock = path / ".tantivy-writer.lock"
        if not lock.exists():
            return True
        import fcntl

        with lock.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False
            fcntl.flock(handle, fcntl.LOCK_UN)
        return True

    def close(self) -> None:
        self._stopping.set()
        thread = self._rebuilding
        if thread is not None:
            thread.join()
        with self._lock:
            if self._writer is not None:
                self._writer.wait_merging_threads()  # releases the slot's lock
            self._index = self._writer = None
            self._conn.close()

    # -- state ---------------------------------------------------------------------------------------------

    def _state(self) -> IndexState | None:
        index = self._index
        assert index is not None
        index.reload()
        searcher = index.searcher()
        found = searcher.search(tantivy.Query.term_query(self.schema, "rid", META_ID), 1).hits
        if not found:
            return None
        doc = searcher.doc(found[0][1])
        values = {name: _whole(doc.get_first(name)) for name in ("seq", "building", "cursor", "layout")}
        return IndexState(values["seq"], bool(values["building"]), values["cursor"], values["layout"])

    def _commit(self, state: IndexState) -> None:
        """Commit what was written with ``state`` in the same commit, and show it to searches."""
        writer, index = self._writer, self._index
        assert writer is not None and index is not None
        # By query: a term of a Python int is a signed one, which an unsigned field never holds.
        writer.delete_documents_by_query(tantivy.Query.term_query(self.schema, "rid", META_ID))
        writer.add_document(
            tantivy.Document.from_dict(
                {
                    "rid": META_ID,
                    "seq": state.seq,
                    "building": int(state.building),
                    "cursor": state.cursor,
                    "layout": state.layout,
                },
                self.schema,
            )
        )
        writer.commit()
        index.reload()

    def _last_change(self) -> int:
        return int(self._conn.execute("SELECT coalesce(max(seq), 0) FROM fts_changes").fetchone()[0])

    def _log_lost(self, seq: int) -> bool:
        """Whether the log forgot changes after ``seq`` (it keeps only its newest rows)."""
        first = self._conn.execute("SELECT min(seq) FROM fts_changes").fetchone()[0]
        return first is not None and first > seq + 1

    def _release_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM releases").fetchone()[0])

    # -- writing -------------------------------------------------------------------------------------------

    def _add(self, rows: Iterable[Sequence[Any]]) -> int:
        writer = self._writer
        assert writer is not None
        added = 0
        for row in rows:
            writer.add_document(_document(row))
            added += 1
        return added

    def rebuild(self, progress: Progress | None = None) -> int:
        """Index every release from the store, resuming a rebuild a crash interrupted; then follow the log.
        Returns the releases indexed."""
        with self._lock:
            if self._index is None:
                self._claim()
            self._ready = False
            state = self._state()
            resume = state is not None and state.building and state.layout == LAYOUT
            if resume and state is not None and not self._log_lost(state.seq):
                seq, cursor = state.seq, state.cursor
                logger.info("search index %s: resuming its rebuild after release %d", self.slot, cursor)
            else:
                seq, cursor = self._last_change(), 0
                writer = self._writer
                assert writer is not None
                writer.delete_all_documents()
                self._commit(IndexState(seq, True, 0, LAYOUT))
            total = int(
                self._conn.execute("SELECT count(*) FROM releases WHERE id > ?", (cursor,)).fetchone()[0]
            )
            done = since_commit = 0
            self.progress = (0, total)
            started = time.perf_counter()
            while True:
                rows = self._conn.execute(
                    ROWS + "WHERE r.id > ? ORDER BY r.id LIMIT ?", (cursor, BATCH)
                ).fetchall()
                if not rows:
                    break
                if self._stopping.is_set():  # closing: what is done stays, and the next start resumes it
                    self._commit(IndexState(seq, True, cursor, LAYOUT))
                    logger.info("search index %s: rebuild stopped after release %d", self.slot, cursor)
                    return done
                added = self._add(rows)
                cursor = int(rows[-1][0])
                done += added
                since_commit += added
                if since_commit >= COMMIT_EVERY:
                    self._commit(IndexState(seq, True, cursor, LAYOUT))
                    since_commit = 0
                self.progress = (done, total)
                if progress is not None:
                    progress(done, total)
            self._commit(IndexState(seq, False, 0, LAYOUT))
            self._seq, self._ready = seq, True
            self._changed = None
            self.rebuilds += 1
            spent = time.perf_counter() - started
            logger.info(
                "search index %s: %d releases indexed in %.1f s (%.0f/s)",
                self.slot,
                done,
                spent,
                done / spent if spent else 0.0,
            )
            self._follow()
            return done

    def copy_to_free_slots(self, copies: int) -> list[Path]:
        """Copy this (committed, current) index into ``copies`` other slots no process holds, for as many server
        processes to start on it instead of each building its own. Returns the slots written."""
        written: list[Path] = []
        with self._lock:
            assert self.slot is not None and self._ready
            for number in range(SLOTS):
                path = self.directory / f"slot-{number}"
                if len(written) >= copies:
                    break
                if path == self.slot or not self._try_lock(path):
                    continue
                shutil.rmtree(path, ignore_errors=True)
                shutil.copytree(self.slot, path, ignore=shutil.ignore_patterns(".tantivy-*.lock"))
                written.append(path)
        return written

    def _start_rebuild(self) -> None:
        def run() -> None:
            try:
                self.rebuild()
            except Exception:
                logger.exception("search index %s: rebuilding failed", self.slot)
            finally:
                self._rebuilding = None

        with self._lock:
            self._ready = False
            self.progress = (0, 0)  # not the last rebuild's
        self._rebuilding = threading.Thread(target=run, name="osiwire-search-rebuild", daemon=True)
        self._rebuilding.start()

    def follow(self) -> None:
        """Apply the store's writes since the last change applied (near-real-time: one commit per call that
        finds any); a rebuild under way follows the log itself when it is done."""
        if self._rebuilding is not None or not self._lock.acquire(blocking=False):
            return  # a rebuild (or another thread's follow) holds the index: a search must not wait for it
        try:
            self._follow_held()
        finally:
            self._lock.release()

    def _follow_held(self) -> None:
        if self._index is None:
            self.open()
            return
        if not self._ready:
            return
        if self.slot is not None and not (self.slot / "meta.json").exists():
            logger.warning("search index %s deleted: rebuilding it from the store", self.slot)
            self._reset()
            return
        try:
            self._follow()
        except (ValueError, OSError) as exc:
            logger.warning("search index %s unusable (%s): rebuilding it from the store", self.slot, exc)
            self._reset()

    def _reset(self) -> None:
        """Forget the open index (deleted or broken) and build it again in the background."""
        if self.slot is not None:
            shutil.rmtree(self.slot, ignore_errors=True)
        self._index = self._writer = None
        self._ready = False
        self._claim()
        self._start_rebuild()

    def _follow(self) -> None:
        conn = self._conn
        conn.execute("BEGIN")
        try:
            last = self._last_change()
            if last == self._seq:
                return
            if self._log_lost(self._seq):
                raise ValueError("the change log no longer reaches the index")
            changed = sorted(
                {r for (r,) in conn.execute("SELECT release_id FROM fts_changes WHERE seq > ?", (self._seq,))}
            )
            writer = self._writer
            assert writer is not None
            for start in range(0, len(changed), BATCH):
                chunk = changed[start : start + BATCH]
                writer.delete_documents_by_query(tantivy.Query.term_set_query(self.schema, "rid", chunk))
                marks = ",".join("?" * len(chunk))
                self._add(conn.execute(ROWS + f"WHERE r.id IN ({marks})", chunk).fetchall())
        finally:
            conn.execute("COMMIT")
        self._commit(IndexState(last, False, 0, LAYOUT))
        self._seq = last
        if self._changed is not None:
            self._changed.update(changed)

    def take_changed(self) -> set[int] | None:
        """The releases re-indexed since the last call; None when that is not known (a rebuild)."""
        # A rebuild holds the index throughout: anything may change, and a search must not wait for it; another
        # thread's follow holds it for a moment.
        if self._rebuilding is not None or not self._lock.acquire(timeout=FOLLOW_WAIT_S):
            return None
        try:
            changed, self._changed = self._changed, set()
            return changed
        finally:
            self._lock.release()

    # -- searching -----------------------------------------------------------------------------------------

    def searcher(self) -> tantivy.Searcher:
        """A searcher of the index as last committed; SearchRebuilding while it is built."""
        if self._index is None and self._rebuilding is None:
            self.open()
        index = self._index  # read without the lock: a rebuild holds it throughout
        if not self._ready or index is None or self._rebuilding is not None:
            done, total = self.progress
            so_far = f" ({done:,} of {total:,} releases)" if total else ""  # (none counted yet: starting)
            raise SearchRebuilding(
                f"search is rebuilding its index from the store{so_far}; release pages are served meanwhile"
            )
        return index.searcher()

    def compile(self, query: Query, within: tantivy.Query | None = None) -> tantivy.Query:
        """``query`` (not empty) as a tantivy query, kept to the documents ``within`` matches when given."""
        compiled = to_tantivy(self.schema, query)
        if within is None:
            return compiled
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, compiled), (tantivy.Occur.Must, within)])

    def ids_query(self, ids: Sequence[int]) -> tantivy.Query:
        """The releases ``ids``."""
        return tantivy.Query.term_set_query(self.schema, "rid", list(ids))

    def field_query(self, language: str | None, source_ids: Sequence[int] | None) -> tantivy.Query:
        """The releases in ``language`` (as stored) and from one of ``source_ids`` (each when given)."""
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if language is not None:
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "language", language)))
        if source_ids is not None:
            by_source = tantivy.Query.term_set_query(self.schema, "source_id", list(source_ids))
            clauses.append((tantivy.Occur.Must, by_source))
        return tantivy.Query.boolean_query(clauses) if clauses else tantivy.Query.all_query()

    def matches(self, query: Query, within: tantivy.Query | None = None) -> list[Matches]:
        """Every release ``query`` matches (inside ``within``), with its bm25 score."""
        found = self.matches_or_sample(query, within, sample=False)
        assert isinstance(found, Matches)
        return [found]

    def matches_or_sample(
        self, query: Query, within: tantivy.Query | None = None, *, sample: bool = True
    ) -> Matches | Sample:
        """Every release ``query`` matches (inside ``within``) with its bm25 score, or, beyond EXACT_MAX matches
        (when ``sample``), a deterministic sample of about SAMPLE_SIZE of them and the exact number."""
        searcher = self.searcher()
        compiled = self.compile(query, within)
        first = searcher.search(compiled, FIRST_READ, count=True)
        count = _count(first)
        if sample and count > EXACT_MAX:
            buckets = max(1, min(BUCKETS, -(-BUCKETS * SAMPLE_SIZE // count)))
            drawn = tantivy.Query.range_query(
                self.schema, "bucket", tantivy.FieldType.Integer, 0, buckets - 1
            )
            sampled = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, compiled), (tantivy.Occur.Must, drawn)]
            )
            hits = searcher.search(sampled, max(1, count), count=False).hits  # (a limit of 0 panics)
            return Sample(self._hits(searcher, hits), count, buckets / BUCKETS)
        # Most searches match fewer: one pass; a broader one is read again, whole.
        hits = first.hits if count <= FIRST_READ else searcher.search(compiled, count, count=False).hits
        return self._hits(searcher, hits)

    @staticmethod
    def _hits(searcher: tantivy.Searcher, hits: list[tuple[Any, tantivy.DocAddress]]) -> Matches:
        if not hits:
            return Matches(np.zeros(0, np.int64), np.zeros(0, np.float64))
        ids = np.fromiter(searcher.fast_field_values("rid", [a for _, a in hits]), np.int64, len(hits))
        scores = np.fromiter((s for s, _ in hits), np.float64, len(hits))
        keep = ids != META_ID
        return Matches(ids[keep], scores[keep])

    def top(
        self,
        query: Query | tantivy.Query,
        limit: int,
        *,
        newest: bool = False,
        offset: int = 0,
    ) -> tuple[list[tuple[int, float]], int]:
        """The best (or newest) ``limit`` matches of ``query`` after the first ``offset`` as (release id,
        score) and the number of matches: the engine's own top-k (block-max WAND over compressed postings),
        without reading every match."""
        searcher = self.searcher()
        compiled = self.compile(query) if isinstance(query, Query) else query
        found = searcher.search(
            compiled,
            max(1, limit),
            count=True,
            order_by_field="sort_at" if newest else None,
            offset=max(0, offset),
        )
        hits = found.hits[:limit]
        ids = searcher.fast_field_values("rid", [a for _, a in hits])
        scored = [(_whole(i), float(s) if not newest else 0.0) for i, (s, _) in zip(ids, hits, strict=True)]
        return scored, _count(found)
