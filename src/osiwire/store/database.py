"""Engines and transactions: every write goes through one writer; reads run beside it.

On SQLite that means WAL mode, one process-wide writer lock and ``BEGIN IMMEDIATE`` so a writer never
fails half-way on a lock upgrade; other processes wait on the busy timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from osiwire.errors import StoreError
from osiwire.store.migrations import migrate

READ_POOL_SIZE = 16  # reading connections kept open (a web server's threads read at once)
READ_POOL_OVERFLOW = 48  # more, opened when needed and closed after use
BUSY_TIMEOUT_MS = 30_000  # another process (a second `osiwire fetch`) may hold the write lock this long


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite database URL, decoded as SQLAlchemy decodes it (None for another database or one
    in memory)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _configure_sqlite(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start (pysqlite would defer them).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """A migrated osiwire database: ``writing()`` and ``reading()`` hand out connections."""

    def __init__(self, url: str) -> None:
        self.url = url
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.dialect = url.split(":", 1)[0].split("+", 1)[0]
        self._write_lock = threading.Lock()
        try:
            if self.dialect == "sqlite":
                memory = path is None
                kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
                if memory:
                    # An in-memory database exists per connection: share one (tests only).
                    kwargs["poolclass"] = StaticPool
                self.writer = create_engine(url, **kwargs)
                _configure_sqlite(self.writer, immediate=True)
                # A server reads from many threads at once: keep their connections open (each new one
                # costs a connect and four PRAGMAs) instead of opening one per request past the pool.
                readers = {} if memory else {"pool_size": READ_POOL_SIZE, "max_overflow": READ_POOL_OVERFLOW}
                self.reader = self.writer if memory else create_engine(url, **kwargs, **readers)
                if not memory:
                    _configure_sqlite(self.reader, immediate=False)
            else:
                self.writer = self.reader = create_engine(url, pool_pre_ping=True)
            with self.writing() as conn:
                migrate(conn)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"{self._safe_url()}: cannot open database: {exc.__class__.__name__}: {exc}"
            ) from exc

    def _safe_url(self) -> str:
        # Never print a password.
        return self.url.split("@")[-1] if "@" in self.url else self.url

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction at a time in this process; committed on success, rolled back on error."""
        with self._write_lock, self.writer.begin() as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only snapshot."""
        with self.reader.connect() as conn:
            yield conn

    def close(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()
