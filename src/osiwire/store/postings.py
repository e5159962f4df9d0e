# ruff: noqa: S608  (statements name FTS5 tables: code's own constants, checked to be identifiers)
"""Full-text matching and BM25 ranking in memory, over the postings FTS5 itself made.

FTS5 ranks row by row: ``bm25()`` over the ~68,000 releases a common word matches in a 100,000-release store
takes ~80 ms, and a server pays that for every first-time search with that word. Here the postings of each
query phrase (the rows it occurs in, and how often in each column) are read once from FTS5's own index through
an ``fts5vocab`` 'instance' table, so tokens, porter stems, diacritics and prefixes are FTS5's, and kept in
memory (the least recently used dropped past ``max_postings``). A query (an AND of OR-groups of phrases, minus
NOT phrases) is then matched and ranked with numpy, using bm25's formula and the counts FTS5 itself uses (its
rows, its tokens, each row's size from the ``_docsize`` table, each phrase's matching rows): the matches are
FTS5's and the scores are FTS5's to the bit (tests compare both on every query shape and after writes).

Writes are followed through ``fts_changes`` (one row per write to a full-text table, in the writer's
transaction): the changed rows' current text is tokenised by a scratch FTS5 table in memory with the same
tokenizer, and each kept phrase's postings are patched; a large batch of changes drops what is kept instead.
Everything one answer reads (changes, row sizes, postings) is read in one snapshot of the database.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from osiwire.store.query import Query, Term

logger = logging.getLogger(__name__)

Ids = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
# A phrase's tokens (as FTS5 tokenises it) and whether the last is a prefix.
Key = tuple[tuple[str, ...], bool]

K1 = 1.2  # FTS5's bm25 constants (fts5_aux.c)
B = 0.75
# An instance of a token as one integer: row << 34 | column << 32 | offset (rows < 2**29, columns < 4).
ROW_SHIFT = 34
COLUMN_SHIFT = 32
MAX_POSTINGS = 8_000_000  # rows held over all kept phrases of all tables (8 bytes each): ~64 MB
RESET_AT = 20_000  # more changes than this at once (or forgotten by the log): drop what is kept, read again
PHRASES_TOKENISED = 10_000  # phrase texts whose tokens are remembered
WARM_MIN_CHARS = 4  # words read at start are this long at least
TOP = "\U0010ffff"  # the greatest character: every term starting with p sorts before p + TOP


@dataclass(frozen=True, slots=True)
class _Posting:
    """The rows a phrase occurs in (sorted) and its weighted frequency in each (title counts ``weights[0]``).
    Held in 32 bits (8 bytes a row): row ids below 2**31, frequencies whole numbers below 2**24."""

    ids: npt.NDArray[Any]  # int32, or int64 past 2**31
    freq: npt.NDArray[np.float32]

    @property
    def size(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class Ranked:
    """One full-text table's matches of a query: row ids (sorted) and their scores (higher is better)."""

    ids: Ids
    scores: Floats


def _decode_sizes(blob: bytes) -> int:
    """A row's size in tokens: the sum of the varints (one per column) of its ``_docsize`` blob."""
    total = value = 0
    for byte in bytes(blob):
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            total += value
            value = 0
    return total


def _keys(text: str | None) -> Ids:
    if not text:
        return np.zeros(0, np.int64)
    return np.fromstring(text, dtype=np.int64, sep=" ")


def _posting(token_keys: Sequence[Ids], weights: Floats) -> _Posting:
    """A phrase's posting from the instances of each of its tokens: a phrase starts where its first token
    is, with the second right after it in the same column, and so on."""
    starts = np.sort(token_keys[0])
    for i, keys in enumerate(token_keys[1:], 1):
        starts = starts[np.isin(starts + i, keys)]
    rows = starts >> ROW_SHIFT
    columns = (starts >> COLUMN_SHIFT) & 3
    ids, inverse = np.unique(rows, return_inverse=True)
    per_column = np.concatenate([weights, np.ones(4 - len(weights))])  # FTS5: 1.0 past the weights given
    freq = np.bincount(inverse, weights=per_column[columns], minlength=len(ids)).astype(np.float32)
    return _Posting(ids.astype(np.int32) if len(ids) and ids[-1] < 2**31 else ids.astype(np.int64), freq)


def _patch(kept: _Posting, changed: Ids, fresh: _Posting) -> _Posting:
    """``kept`` with the rows ``changed`` replaced by what ``fresh`` (their current text) has."""
    ids, freq = kept.ids, kept.freq
    if len(ids) and len(changed) and changed[0] <= ids[-1]:
        pos = np.searchsorted(ids, changed)
        inside = pos < len(ids)
        gone = pos[inside][ids[pos[inside]] == changed[inside]]
        if len(gone):
            ids, freq = np.delete(ids, gone), np.delete(freq, gone)
    if not len(fresh.ids):
        return kept if ids is kept.ids else _Posting(ids, freq)
    ids, freq = np.concatenate([ids, fresh.ids]), np.concatenate([freq, fresh.freq])
    if len(ids) > len(fresh.ids) and ids[-len(fresh.ids) - 1] > fresh.ids[0]:
        order = np.argsort(ids, kind="stable")
        ids, freq = ids[order], freq[order]
    return _Posting(ids, freq)


class _Table:
    """One FTS5 table as held in memory: each row's size, the totals bm25 reads, and the kept postings."""

    def __init__(self, conn: sqlite3.Connection, name: str, number: int, weights: Sequence[float]) -> None:
        if not name.isidentifier():
            raise ValueError(f"{name!r}: not a table name")
        self.name = name
        self.weights = np.array(weights, np.float64)
        self.vocab = f"osiwire_vocab_{number}"
        self.scratch = f"osiwire_scratch_{number}"
        spec = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
        arguments = spec[spec.index("(") + 1 : spec.rindex(")")]
        conn.execute(f"CREATE VIRTUAL TABLE temp.{self.vocab} USING fts5vocab(main, {name}, 'instance')")
        # The same columns and tokenizer, for the text of changed rows and of query phrases.
        conn.execute(f"CREATE VIRTUAL TABLE temp.{self.scratch} USING fts5({arguments})")
        conn.execute(
            f"CREATE VIRTUAL TABLE temp.{self.scratch}_vocab USING fts5vocab(temp, {self.scratch}, 'instance')"
        )
        self.columns = [row[1] for row in conn.execute(f"PRAGMA temp.table_info({self.scratch})")]
        # fts5vocab names an instance's column; as its number, each instance as one integer:
        cases = " ".join(f"WHEN '{column}' THEN {i}" for i, column in enumerate(self.columns))
        self.instance = f"(doc << {ROW_SHIFT}) | ((CASE col {cases} END) << {COLUMN_SHIFT}) | offset"
        self.row_column = f"doc * 4 + (CASE col {cases} END)"
        self.sizes = np.zeros(0, np.int64)  # per rowid: its size in tokens, -1 where no row
        self.rows = 0
        self.tokens = 0
        self.kept: OrderedDict[Key, _Posting] = OrderedDict()
        self.held = 0
        self.tokenised: OrderedDict[tuple[str, bool], Key | None] = OrderedDict()

    # -- keeping up ---------------------------------------------------------------------------------------

    def load(self, conn: sqlite3.Connection) -> None:
        """Every row's size, and nothing kept."""
        found = conn.execute(f"SELECT id, sz FROM {self.name}_docsize").fetchall()
        ids = np.fromiter((row[0] for row in found), np.int64, len(found))
        sizes = np.fromiter((_decode_sizes(row[1]) for row in found), np.int64, len(found))
        self.sizes = np.full(int(ids.max()) + 1 if len(ids) else 0, -1, np.int64)
        self.sizes[ids] = sizes
        self.rows, self.tokens = len(ids), int(sizes.sum())
        self.kept.clear()
        self.held = 0

    def follow(self, conn: sqlite3.Connection, changed: Ids) -> None:
        """Bring the sizes and every kept posting up to date with the rows ``changed`` (sorted, distinct)."""
        marks = ",".join("?" * len(changed))
        values = changed.tolist()
        found = conn.execute(
            f"SELECT id, sz FROM {self.name}_docsize WHERE id IN ({marks})", values
        ).fetchall()
        top = max(int(changed[-1]), len(self.sizes) - 1)
        sizes = np.concatenate([self.sizes, np.full(top + 1 - len(self.sizes), -1, np.int64)])
        old = sizes[changed]
        self.rows -= int((old >= 0).sum())
        self.tokens -= int(old[old >= 0].sum())
        sizes[changed] = -1
        for row_id, blob in found:
            sizes[row_id] = _decode_sizes(blob)
            self.rows += 1
            self.tokens += int(sizes[row_id])
        self.sizes = sizes  # a new array: an answer being ranked keeps the one it read
        if not self.kept:
            return
        columns = ", ".join(self.columns)
        texts = conn.execute(
            f"SELECT rowid, {columns} FROM {self.name} WHERE rowid IN ({marks})", values
        ).fetchall()
        conn.execute(f"DELETE FROM temp.{self.scratch}")
        conn.executemany(
            f"INSERT INTO temp.{self.scratch} (rowid, {columns}) VALUES (?{', ?' * len(self.columns)})", texts
        )
        instances: dict[str, list[int]] = {}
        for term, key in conn.execute(f"SELECT term, {self.instance} FROM temp.{self.scratch}_vocab"):
            instances.setdefault(term, []).append(key)
        conn.execute(f"DELETE FROM temp.{self.scratch}")
        arrays = {term: np.array(keys, np.int64) for term, keys in instances.items()}
        terms = sorted(arrays)

        def lookup(token: str, prefix: bool) -> Ids:
            if not prefix:
                return arrays.get(token, np.zeros(0, np.int64))
            first = bisect.bisect_left(terms, token)
            picked = [arrays[t] for t in itertools.takewhile(lambda t: t.startswith(token), terms[first:])]
            return np.concatenate(picked) if picked else np.zeros(0, np.int64)

        def occurs(token: str, prefix: bool) -> bool:
            if not prefix:
                return token in arrays
            first = bisect.bisect_left(terms, token)
            return first < len(terms) and terms[first].startswith(token)

        none = _Posting(np.zeros(0, np.int32), np.zeros(0, np.float32))
        for key, kept in list(self.kept.items()):
            tokens, prefix = key
            last = len(tokens) - 1
            # A phrase one of whose tokens the changed rows lack: nothing to add, only rows to drop.
            present = all(occurs(token, prefix and i == last) for i, token in enumerate(tokens))
            patched = _patch(kept, changed, self._build(key, lookup) if present else none)
            if patched is not kept:
                self.kept[key] = patched
                self.held += patched.size - kept.size

    # -- reading ------------------------------------------------------------------------------------------

    def tokens_of(self, conn: sqlite3.Connection, term: Term) -> Key | None:
        """The phrase ``term`` as FTS5 tokenises it (None when it has no token: FTS5's answer is not ours)."""
        text = " ".join(term.lemmas)
        if (text, term.prefix) in self.tokenised:
            return self.tokenised[(text, term.prefix)]
        conn.execute(f"INSERT INTO temp.{self.scratch} (rowid, {self.columns[0]}) VALUES (1, ?)", (text,))
        tokens = tuple(
            row[0]
            for row in conn.execute(
                f"SELECT term FROM temp.{self.scratch}_vocab WHERE doc = 1 ORDER BY col, offset"
            )
        )
        conn.execute(f"DELETE FROM temp.{self.scratch}")
        key: Key | None = (tokens, term.prefix) if tokens else None
        self.tokenised[(text, term.prefix)] = key
        if len(self.tokenised) > PHRASES_TOKENISED:
            self.tokenised.popitem(last=False)
        return key

    def posting(self, conn: sqlite3.Connection, key: Key) -> _Posting:
        """The kept posting of ``key``, read from the index the first time."""
        kept = self.kept.get(key)
        if kept is not None:
            self.kept.move_to_end(key)
            return kept
        single = len(key[0]) == 1  # a word alone needs no offsets: row and column only, cheaper to read

        def lookup(token: str, prefix: bool) -> Ids:
            where, args = (
                ("term >= ? AND term <= ?", [token, token + TOP]) if prefix else ("term = ?", [token])
            )
            what = self.row_column if single else self.instance
            text = conn.execute(
                f"SELECT group_concat({what}, ' ') FROM temp.{self.vocab} WHERE {where}", args
            )
            keys = _keys(text.fetchone()[0])
            return ((keys >> 2) << ROW_SHIFT) | ((keys & 3) << COLUMN_SHIFT) if single else keys

        found = self.kept[key] = self._build(key, lookup)
        self.held += found.size
        return found

    def _build(self, key: Key, lookup: Callable[[str, bool], Ids]) -> _Posting:
        tokens, prefix = key
        last = len(tokens) - 1
        return _posting([lookup(token, prefix and i == last) for i, token in enumerate(tokens)], self.weights)

    def warm(self, conn: sqlite3.Connection, budget: int, min_chars: int) -> int:
        counts = f"temp.{self.vocab}_rows"
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {counts} USING fts5vocab(main, {self.name}, 'row')")
        read = 0
        for term, _ in conn.execute(
            f"SELECT term, doc FROM {counts} WHERE length(term) >= ? ORDER BY doc DESC", (min_chars,)
        ).fetchall():
            if self.held >= budget:
                break
            self.posting(conn, ((term,), False))
            read += 1
        return read

    def drop_oldest(self, keep: set[Key], budget: int) -> None:
        while self.held > budget and self.kept:
            key = next(iter(self.kept))
            if key in keep:
                return
            self.held -= self.kept.pop(key).size


@dataclass(frozen=True, slots=True)
class _Plan:
    """What ranking one query over one table reads, as it was in one snapshot."""

    sizes: Ids
    rows: int
    tokens: int
    groups: list[list[_Posting]]
    excluded: list[_Posting]


def rank(plan: _Plan) -> Ranked:
    """The rows the plan's query matches and their scores: FTS5's bm25, negated (higher is better)."""
    space = len(plan.sizes)  # every row id of the snapshot is below it
    matched_mask: npt.NDArray[np.bool_] | None = None
    for group in plan.groups:
        union = np.zeros(space, bool)
        for posting in group:
            union[posting.ids] = True
        matched_mask = union if matched_mask is None else matched_mask & union
    assert matched_mask is not None
    for posting in plan.excluded:
        matched_mask[posting.ids] = False
    matched = np.flatnonzero(matched_mask).astype(np.int64)
    rows = plan.rows if plan.rows > 0 else 1
    avgdl = float(plan.tokens) / float(rows)
    # As fts5_aux.c computes it, operation by operation, so the doubles are the same.
    norm = K1 * ((1 - B) + (B * plan.sizes[matched].astype(np.float64)) / avgdl)
    score = np.zeros(len(matched), np.float64)
    for group in plan.groups:
        for posting in group:
            idf = math.log((rows - posting.size + 0.5) / (posting.size + 0.5))
            if idf <= 0.0:
                idf = 1e-6
            dense = np.zeros(space, np.float64)
            dense[posting.ids] = posting.freq
            freq = dense[matched]
            score += idf * ((freq * (K1 + 1.0)) / (freq + norm))
    return Ranked(matched, score)


class Postings:
    """Full-text matches and bm25 scores of FTS5 tables, from postings held in memory; thread-safe."""

    def __init__(
        self, path: Path, tables: Sequence[str], weights: Sequence[float], max_postings: int = MAX_POSTINGS
    ) -> None:
        uri = path.resolve().as_uri() + "?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self.max_postings = max_postings
        try:
            self.tables = [_Table(self._conn, name, i, weights) for i, name in enumerate(tables)]
        except Exception:
            self._conn.close()
            raise
        self._seq: int | None = None  # the last change followed; None before the first load
        self.loads = 0  # full loads, for tests and metrics
        self._changed: set[int] | None = set()  # rows written since take_changed(); None: maybe any

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def warm(self, rows: int, min_chars: int = WARM_MIN_CHARS) -> int:
        """Read the postings of the words in most rows (of ``min_chars`` characters or more: shorter ones are
        mostly function words nobody searches for), until ``rows`` posting rows are held: the words costliest to
        read at a first search. Returns the words read."""
        read = 0
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                self._follow()
                for table in self.tables:
                    budget = rows * (table.rows + 1) // (sum(t.rows for t in self.tables) + len(self.tables))
                    read += table.warm(self._conn, budget, min_chars)
            finally:
                self._conn.execute("COMMIT")
        return read

    def held(self) -> int:
        """Posting rows held, over all tables."""
        with self._lock:
            return sum(table.held for table in self.tables)

    def take_changed(self) -> set[int] | None:
        """The rows (release ids) whose text changed, as followed since the last call; None when that is not
        known (everything was read again)."""
        with self._lock:
            changed, self._changed = self._changed, set()
            return changed

    def follow(self) -> None:
        """Catch up with the database now (the first time: read every row's size) rather than at a search."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                self._follow()
            finally:
                self._conn.execute("COMMIT")

    def matches(self, query: Query) -> list[Ranked] | None:
        """Each table's matches of ``query`` with their scores, as the database is now; None where a phrase
        has no token as FTS5 reads it (the caller asks FTS5 itself)."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                self._follow()
                plans = [self._plan(table, query) for table in self.tables]
            finally:
                self._conn.execute("COMMIT")
        if any(plan is None for plan in plans):
            return None
        return [rank(plan) for plan in plans if plan is not None]

    def _follow(self) -> None:
        conn = self._conn
        last = int(conn.execute("SELECT coalesce(max(seq), 0) FROM fts_changes").fetchone()[0])
        if self._seq is not None and last == self._seq:
            return
        changes: list[tuple[str, int]] = []
        seq = self._seq
        behind = seq is None or last - seq > RESET_AT
        if seq is not None and not behind:
            first = conn.execute("SELECT min(seq) FROM fts_changes").fetchone()[0]
            behind = first is None or first > seq + 1  # the log forgot changes this has not followed
            if not behind:
                changes = conn.execute(
                    "SELECT fts, release_id FROM fts_changes WHERE seq > ?", (seq,)
                ).fetchall()
        if behind:
            for table in self.tables:
                table.load(conn)
            self.loads += 1
            self._changed = None
            logger.debug("postings: row sizes read (%s rows)", [table.rows for table in self.tables])
        else:
            for table in self.tables:
                changed = np.unique(np.array([r for name, r in changes if name == table.name], np.int64))
                if len(changed):
                    table.follow(conn, changed)
                    if self._changed is not None:
                        self._changed.update(changed.tolist())
        self._seq = last

    def _plan(self, table: _Table, query: Query) -> _Plan | None:
        keys: list[list[Key]] = []
        for group in query.groups:
            found = [table.tokens_of(self._conn, term) for term in group]
            if any(key is None for key in found):
                return None
            keys.append([key for key in found if key is not None])
        excluded = [table.tokens_of(self._conn, term) for term in query.excluded]
        if any(key is None for key in excluded):
            return None
        needed = {key for group in keys for key in group} | {key for key in excluded if key is not None}
        plan = _Plan(
            table.sizes,
            table.rows,
            table.tokens,
            [[table.posting(self._conn, key) for key in group] for group in keys],
            [table.posting(self._conn, key) for key in excluded if key is not None],
        )
        budget = self.max_postings - sum(t.held for t in self.tables if t is not table)
        table.drop_oldest(needed, max(budget, 0))
        return plan
