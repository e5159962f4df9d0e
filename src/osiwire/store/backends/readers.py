"""A plain DB-API connection of its own for the search index (``store.engine``): it reads the lemma text
and the change log in large batches, faster without SQLAlchemy's rows, and keeps its own transaction.

Statements are written once, in SQLite's dialect with ``?`` placeholders; the PostgreSQL reader rewrites the
two things that differ in them (placeholders, and a time as Unix seconds).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import make_url

from osiwire.errors import StoreError

SQLITE_EPOCH = "CAST(strftime('%s', r.sort_at) AS INTEGER)"
POSTGRES_EPOCH = "CAST(extract(epoch FROM r.sort_at) AS BIGINT)"


class Reader(Protocol):
    """What the search index needs of a connection."""

    dialect: str

    def execute(self, sql: str, params: Any = ()) -> Any: ...

    def close(self) -> None: ...


class SqliteReader:
    """A read-only sqlite3 connection in autocommit mode (``BEGIN`` and ``COMMIT`` as the caller says)."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        uri = path.resolve().as_uri() + "?mode=ro"
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self._conn.execute(sql, params)

    def close(self) -> None:
        self._conn.close()


class PostgresReader:
    """A psycopg connection in autocommit mode; ``BEGIN`` opens a repeatable-read snapshot, as SQLite's does."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self._url = make_url(url).set(drivername="postgresql")
        self._conn = self._connect()
        self._in_transaction = False

    def _connect(self) -> Any:
        import psycopg

        try:
            return psycopg.connect(self._url.render_as_string(hide_password=False), autocommit=True)
        except psycopg.Error as exc:
            first = (str(exc).strip().splitlines() or [""])[0]
            raise StoreError(f"{self._url.render_as_string()}: cannot open database: {first}") from exc

    def execute(self, sql: str, params: Any = ()) -> Any:
        import psycopg

        begin = sql == "BEGIN"
        if begin:
            sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        sql = sql.replace(SQLITE_EPOCH, POSTGRES_EPOCH).replace("%", "%%").replace("?", "%s")
        if self._conn.broken and (begin or not self._in_transaction):
            self._conn = self._connect()  # the server restarted since: outside a transaction nothing is lost
        try:
            cursor = self._conn.execute(sql, params)
        except psycopg.OperationalError:
            if not self._conn.broken or (self._in_transaction and not begin):
                raise
            self._conn = self._connect()  # the connection died before this statement: run it again
            cursor = self._conn.execute(sql, params)
        if begin or sql in ("COMMIT", "ROLLBACK"):
            self._in_transaction = begin
        return cursor

    def close(self) -> None:
        self._conn.close()


def open_reader(store: Path | str) -> Reader:
    """A reader of ``store``: an SQLite file's path, or a database URL."""
    if isinstance(store, Path):
        return SqliteReader(store)
    url = make_url(store)
    if url.get_backend_name() == "postgresql":
        return PostgresReader(store)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return SqliteReader(Path(url.database))
    raise StoreError(
        f"{url.render_as_string()}: the search index reads an SQLite file or a PostgreSQL database"
    )
