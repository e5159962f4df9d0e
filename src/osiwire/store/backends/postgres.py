"""PostgreSQL: the database serialises writers itself (a transaction-scoped advisory lock, taken first in each
write transaction, across every process and machine writing to it), so no lock is held in the process; the
lemma text the search engine indexes is kept in plain tables named as SQLite's FTS5 ones, with a ``rowid``
column (the release id) so statements that read it are the same on both backends.

Serialised writers also keep the change log (``fts_changes``) in commit order: a follower that has read row
N never sees a row below N commit later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Connection, Engine, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as insert
from sqlalchemy.sql import ColumnElement, cast, extract

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

POOL_SIZE = 8  # connections kept open per process (a web server's threads read at once)
POOL_OVERFLOW = 24  # more, opened when needed and closed after use
CONNECT_TIMEOUT_S = 10  # an unreachable server is reported after this long, not after the OS's minutes
# The advisory lock key every osiwire writer takes (any 64-bit number no other application on the database uses):
# "osiwire" in ASCII.
WRITE_LOCK_KEY = 0x6F73697769726501
SERIALISED_IN_PROCESS = False


def create_engines(url: str, path: Path | None) -> tuple[Engine, Engine]:
    """One engine for writers and readers; a connection found dead in the pool is replaced (a restarted server)."""
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
    )
    event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
    return engine, engine


def _scrub(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


def _without_nul(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _executemany: bool
) -> tuple[str, Any]:
    """Drop NUL characters from every string sent: PostgreSQL's text holds none (SQLite's does), and sources and
    searches are outside input. A NUL carries no meaning in text; a statement refused for one would be a lost
    release or a failed search."""
    if isinstance(parameters, dict):
        return statement, {k: _scrub(v) for k, v in parameters.items()}
    if isinstance(parameters, list):
        return statement, [_without_nul(None, None, statement, p, None, False)[1] for p in parameters]
    if isinstance(parameters, tuple):
        return statement, tuple(_scrub(v) for v in parameters)
    return statement, parameters


def begin_writing(conn: Connection) -> None:
    """Wait for the other writers' transactions to end: osiwire's writes read, then write (get or create a
    person, the next version number), as on SQLite, and unique constraints back that up."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})


def create_text_tables(conn: Connection, *tables: str) -> None:
    for table in tables:
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {table} (rowid BIGINT PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL)"
        )


def write_text(conn: Connection, table: str, release_id: int, title: str, body: str) -> None:
    conn.execute(
        text(
            f"INSERT INTO {text_table(table)} (rowid, title, body) VALUES (:id, :title, :body) "  # noqa: S608
            "ON CONFLICT (rowid) DO UPDATE SET title = excluded.title, body = excluded.body"
        ),
        {"id": release_id, "title": title, "body": body},
    )


def delete_text(conn: Connection, table: str, release_id: int) -> None:
    sql = f"DELETE FROM {text_table(table)} WHERE rowid = :id"  # noqa: S608
    conn.execute(text(sql), {"id": release_id})


def epoch(column: Any) -> ColumnElement[int]:
    """``column`` (a stored time, UTC, without a zone) as whole Unix seconds."""
    return cast(extract("epoch", column), BigInteger)
