"""Engines and transactions: every write goes through one writer at a time; reads run beside it.

What that takes differs per backend (``store.backends``): on SQLite, WAL mode, a lock in the process and
``BEGIN IMMEDIATE``; on PostgreSQL, a transaction that first takes the database's advisory write lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from osiwire.errors import StoreError
from osiwire.store.backends import backend
from osiwire.store.migrations import migrate


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


def safe_url(url: str) -> str:
    """``url`` without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1] if "@" in url else url


def _one_line(exc: BaseException) -> str:
    # psycopg's messages run over several lines (a hint, the SQL); the first says what went wrong.
    original = getattr(exc, "orig", None) or exc
    first = str(original).strip().splitlines()
    return f"{original.__class__.__name__}: {first[0] if first else ''}"


class Database:
    """A migrated osiwire database: ``writing()`` and ``reading()`` hand out connections."""

    def __init__(self, url: str, *, migrate_schema: bool = True) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise StoreError(f"{url}: not a database URL ({exc})") from exc
        if parsed.drivername in ("postgresql", "postgres"):  # psycopg 3 is the driver osiwire installs
            parsed = parsed.set(drivername="postgresql+psycopg")
            url = parsed.render_as_string(hide_password=False)
        self.url = url
        self.dialect = parsed.get_backend_name()
        self._backend = backend(self.dialect)
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._write_lock = threading.Lock() if self._backend.SERIALISED_IN_PROCESS else None
        try:
            self.writer, self.reader = self._backend.create_engines(url, path)
            if migrate_schema:
                with self.writing() as conn:
                    migrate(conn)
            else:
                with self.reader.connect():
                    pass
        except SQLAlchemyError as exc:
            self.close()
            raise StoreError(f"{safe_url(url)}: cannot open database: {_one_line(exc)}") from exc

    def _safe_url(self) -> str:
        return safe_url(self.url)

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction at a time; committed on success, rolled back on error."""
        with self._write_lock or nullcontext(), self.writer.begin() as conn:
            self._backend.begin_writing(conn)
            yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only snapshot."""
        with self.reader.connect() as conn:
            yield conn

    def close(self) -> None:
        writer, reader = getattr(self, "writer", None), getattr(self, "reader", None)
        if writer is not None:
            writer.dispose()
        if reader is not None and reader is not writer:
            reader.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
