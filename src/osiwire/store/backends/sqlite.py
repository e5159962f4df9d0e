"""SQLite: WAL mode, one writer per process (a lock, then ``BEGIN IMMEDIATE`` so a writer never fails half-way
on a lock upgrade; other processes wait on the busy timeout), FTS5 tables for the lemma text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects.sqlite import insert as insert
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import ColumnElement, func
from sqlalchemy.types import Integer

from osiwire.store.backends.common import text_table

__all__ = [
    "begin_writing",
    "create_engines",
    "create_text_tables",
    "delete_text",
    "epoch",
    "insert",
    "write_text",
]

READ_POOL_SIZE = 16  # reading connections kept open (a web server's threads read at once)
READ_POOL_OVERFLOW = 48  # more, opened when needed and closed after use
BUSY_TIMEOUT_MS = 30_000  # another process (a second `osiwire fetch`) may hold the write lock this long
SERIALISED_IN_PROCESS = True  # one writer per process: the database file takes one at a time anyway


def _configure(engine: Engine, *, immediate: bool) -> None:
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


def create_engines(url: str, path: Path | None) -> tuple[Engine, Engine]:
    """The writer's engine and the readers' (the same one for a database in memory)."""
    memory = path is None
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if memory:
        # An in-memory database exists per connection: share one (tests only).
        kwargs["poolclass"] = StaticPool
    writer = create_engine(url, **kwargs)
    _configure(writer, immediate=True)
    if memory:
        return writer, writer
    # A server reads from many threads at once: keep their connections open (each new one costs a connect and
    # four PRAGMAs) instead of opening one per request past the pool.
    reader = create_engine(url, **kwargs, pool_size=READ_POOL_SIZE, max_overflow=READ_POOL_OVERFLOW)
    _configure(reader, immediate=False)
    return writer, reader


def begin_writing(conn: Connection) -> None:
    """Nothing more: ``BEGIN IMMEDIATE`` took the database's write lock."""


def create_text_tables(conn: Connection, *tables: str) -> None:
    """FTS5 tables of lemma text (rowid = release id), stemmed by porter."""
    for table in tables:
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5("
            "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )


def write_text(conn: Connection, table: str, release_id: int, title: str, body: str) -> None:
    delete_text(conn, table, release_id)
    conn.exec_driver_sql(
        f"INSERT INTO {text_table(table)} (rowid, title, body) VALUES (?, ?, ?)",  # noqa: S608
        (release_id, title, body),
    )


def delete_text(conn: Connection, table: str, release_id: int) -> None:
    conn.exec_driver_sql(f"DELETE FROM {text_table(table)} WHERE rowid = ?", (release_id,))  # noqa: S608


def epoch(column: Any) -> ColumnElement[int]:
    """``column`` (a stored time, UTC) as whole Unix seconds."""
    return func.cast(func.strftime("%s", column), Integer)
