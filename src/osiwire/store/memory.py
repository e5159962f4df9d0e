"""The translation memory in the database (the ``TranslationMemory`` protocol of translate/memory.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, delete, insert, or_, select, update

from osiwire.store.database import Database
from osiwire.store.schema import translation_memory as tm
from osiwire.translate.memory import MemoryEntry, MemoryHit, MemoryKey

LOOKUP_CHUNK = 200  # keys per query: well under SQLite's bound-parameter limit (5 per key)


def _where(key: MemoryKey) -> ColumnElement[bool]:
    return and_(
        tm.c.text_hash == key.text_hash,
        tm.c.source_language == key.source_lang,
        tm.c.target_language == key.target_lang,
        tm.c.engine == key.engine,
        tm.c.model == key.model,
    )


class SqlMemory:
    """Remembered translations in the ``translation_memory`` table; hits are counted."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def lookup(self, keys: Sequence[MemoryKey]) -> dict[MemoryKey, MemoryHit]:
        """The remembered translations of those keys that have one."""
        wanted = list(dict.fromkeys(keys))
        found: dict[MemoryKey, MemoryHit] = {}
        with self._db.reading() as conn:
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                chunk = wanted[start : start + LOOKUP_CHUNK]
                rows = conn.execute(select(tm).where(or_(*(_where(k) for k in chunk))))
                for r in rows:
                    key = MemoryKey(r.text_hash, r.source_language, r.target_language, r.engine, r.model)
                    found[key] = MemoryHit(r.target, r.confidence)
        if found:
            with self._db.writing() as conn:
                for key in found:
                    conn.execute(update(tm).where(_where(key)).values(hits=tm.c.hits + 1))
        return found

    def remember(self, entries: Sequence[MemoryEntry]) -> None:
        """Store translations; an entry whose key is already there replaces it."""
        if not entries:
            return
        latest = {e.key: e.hit for e in entries}
        now = datetime.now(UTC)
        with self._db.writing() as conn:
            for key in latest:
                conn.execute(delete(tm).where(_where(key)))
            conn.execute(
                insert(tm),
                [
                    {
                        "text_hash": k.text_hash,
                        "source_language": k.source_lang,
                        "target_language": k.target_lang,
                        "engine": k.engine,
                        "model": k.model,
                        "target": h.target,
                        "confidence": h.confidence,
                        "created_at": now,
                        "hits": 0,
                    }
                    for k, h in latest.items()
                ],
            )
