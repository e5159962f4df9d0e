"""The translation memory in the database (the ``TranslationMemory`` protocol of translate/memory.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, delete, func, insert, select, update

from osiwire.store.database import Database
from osiwire.store.schema import translation_memory as tm
from osiwire.translate.memory import HUMAN_ENGINE, MemoryEntry, MemoryHit, MemoryKey

# Hashes per query: under SQLite's bound-parameter limit. Keys are grouped by pair, engine and model and looked up
# with text_hash IN (...), which the primary key serves; the OR of 200 five-column conditions used before was
# 5x slower on a 50,000-entry memory (bench/memory.py).
LOOKUP_CHUNK = 500


def _where(key: MemoryKey) -> ColumnElement[bool]:
    return and_(
        tm.c.text_hash == key.text_hash,
        tm.c.source_language == key.source_lang,
        tm.c.target_language == key.target_lang,
        tm.c.engine == key.engine,
        tm.c.model == key.model,
    )


def _grouped(keys: Sequence[MemoryKey]) -> Iterator[ColumnElement[bool]]:
    """Conditions matching exactly ``keys``: one per pair, engine and model (and chunk of hashes)."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for key in dict.fromkeys(keys):
        groups.setdefault((key.source_lang, key.target_lang, key.engine, key.model), []).append(key.text_hash)
    for (source_lang, target_lang, engine, model), hashes in groups.items():
        for start in range(0, len(hashes), LOOKUP_CHUNK):
            yield and_(
                tm.c.text_hash.in_(hashes[start : start + LOOKUP_CHUNK]),
                tm.c.source_language == source_lang,
                tm.c.target_language == target_lang,
                tm.c.engine == engine,
                tm.c.model == model,
            )


def _stored(conn: Connection, keys: Sequence[MemoryKey]) -> dict[MemoryKey, Row[Any]]:
    """The stored rows of those ``keys`` that have one."""
    found: dict[MemoryKey, Row[Any]] = {}
    for where in _grouped(keys):
        for r in conn.execute(select(tm).where(where)):
            found[MemoryKey(r.text_hash, r.source_language, r.target_language, r.engine, r.model)] = r
    return found


class SqlMemory:
    """Remembered translations in the ``translation_memory`` table; hits are counted."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def lookup(self, keys: Sequence[MemoryKey]) -> dict[MemoryKey, MemoryHit]:
        """The remembered translations of those keys that have one."""
        with self._db.reading() as conn:
            found = {k: MemoryHit(r.target, r.confidence, r.origin) for k, r in _stored(conn, keys).items()}
        if found:
            with self._db.writing() as conn:
                for where in _grouped(list(found)):
                    conn.execute(update(tm).where(where).values(hits=tm.c.hits + 1))
        return found

    def remember(self, entries: Sequence[MemoryEntry]) -> None:
        """Store translations; an entry whose key is already there replaces it."""
        if not entries:
            return
        latest = {e.key: e for e in entries}
        now = datetime.now(UTC)
        with self._db.writing() as conn:
            for key in latest:
                conn.execute(delete(tm).where(_where(key)))
            conn.execute(insert(tm), [_row(e, now) for e in latest.values()])

    def import_human(self, entries: list[MemoryEntry]) -> ImportCounts:
        """Store human translations in one transaction: all or nothing.

        Against an entry already stored for the same sentence and pair, the newer ``changed_at`` wins; an entry
        without a date loses to one with a date; when neither has one, the import wins (it is the user's act).
        """
        counts = ImportCounts()
        now = datetime.now(UTC)
        with self._db.writing() as conn:
            for start in range(0, len(entries), LOOKUP_CHUNK):
                chunk = {e.key: e for e in entries[start : start + LOOKUP_CHUNK]}
                stored = _stored(conn, list(chunk))
                rows = []
                for key, entry in chunk.items():
                    old = stored.get(key)
                    if old is None:
                        counts.added += 1
                    elif old.target == entry.hit.target:
                        counts.unchanged += 1
                        continue
                    elif _newer(old.changed_at, entry.changed_at):
                        counts.kept += 1
                        continue
                    else:
                        counts.replaced += 1
                        conn.execute(delete(tm).where(_where(key)))
                    rows.append(_row(entry, now))
                if rows:
                    conn.execute(insert(tm), rows)
        return counts

    def entries(self, source_lang: str = "", target_lang: str = "") -> Iterator[StoredEntry]:
        """Remembered translations whose source sentence is kept (all, or of one pair), oldest first."""
        stmt = select(tm).where(tm.c.source != "")
        if source_lang:
            stmt = stmt.where(tm.c.source_language == source_lang)
        if target_lang:
            stmt = stmt.where(tm.c.target_language == target_lang)
        stmt = stmt.order_by(tm.c.created_at, tm.c.source_language, tm.c.target_language, tm.c.text_hash)
        with self._db.reading() as conn:
            for r in conn.execute(stmt):
                key = MemoryKey(r.text_hash, r.source_language, r.target_language, r.engine, r.model)
                yield StoredEntry(
                    MemoryEntry(key, MemoryHit(r.target, r.confidence, r.origin), r.source, r.changed_at),
                    r.created_at,
                    r.hits,
                )

    def has_human(self, source_lang: str, target_lang: str) -> bool:
        """Whether any human translation from ``source_lang`` into ``target_lang`` is remembered."""
        stmt = (
            select(func.count())
            .select_from(tm)
            .where(
                tm.c.engine == HUMAN_ENGINE,
                tm.c.source_language == source_lang,
                tm.c.target_language == target_lang,
            )
        )
        with self._db.reading() as conn:
            return bool(conn.execute(stmt.limit(1)).scalar())


@dataclass
class ImportCounts:
    """What an import did with its entries (each counted once)."""

    added: int = 0
    replaced: int = 0  # an older or undated stored translation of the same sentence gave way
    unchanged: int = 0  # the same translation was stored already
    kept: int = 0  # the stored translation is newer: the imported one was dropped


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """A remembered translation with its bookkeeping."""

    entry: MemoryEntry
    created_at: datetime
    hits: int


def _newer(stored: datetime | None, incoming: datetime | None) -> bool:
    """Whether the stored translation beats the incoming one (newest date wins; a date beats none)."""
    if stored is None:
        return False
    return incoming is None or stored > incoming


def _row(entry: MemoryEntry, now: datetime) -> dict[str, object]:
    key, hit = entry.key, entry.hit
    return {
        "text_hash": key.text_hash,
        "source_language": key.source_lang,
        "target_language": key.target_lang,
        "engine": key.engine,
        "model": key.model,
        "target": hit.target,
        "confidence": hit.confidence,
        "created_at": now,
        "hits": 0,
        "source": entry.source,
        "origin": hit.origin,
        "changed_at": entry.changed_at,
    }
