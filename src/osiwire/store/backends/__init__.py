"""What differs between the store's backends, one small module each (``sqlite``, ``postgres``); everything
else in ``osiwire.store`` is common SQLAlchemy Core.

``backend(conn)`` picks the module of a connection's dialect; each module offers the same functions:
``create_engines`` (the writer's and the readers' engines), ``begin_writing`` (what a write transaction does
first), ``create_text_tables`` (where the lemma text the search engine indexes lives), ``write_text``,
``delete_text``,
``insert`` (the dialect's INSERT, with ``on_conflict_do_nothing``) and ``epoch`` (a time as Unix seconds).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from sqlalchemy import Connection, Table

from osiwire.errors import StoreError

SUPPORTED = ("sqlite", "postgresql")


def backend(dialect: Connection | str) -> ModuleType:
    """The module of ``dialect`` (a connection, or a dialect name such as ``postgresql``)."""
    name = dialect if isinstance(dialect, str) else dialect.dialect.name
    if name == "sqlite":
        from osiwire.store.backends import sqlite

        return sqlite
    if name == "postgresql":
        from osiwire.store.backends import postgres

        return postgres
    raise StoreError(f"{name}: unsupported database (osiwire runs on {' or '.join(SUPPORTED)})")


def insert_ignore(conn: Connection, table: Table, conflict: list[str] | None = None) -> Any:
    """An INSERT into ``table`` that skips rows clashing with a unique key (``conflict``: its columns; None:
    any key) instead of failing: idempotent writes on every backend."""
    stmt = backend(conn).insert(table)
    return stmt.on_conflict_do_nothing(index_elements=conflict)


def write_text(conn: Connection, table: str, release_id: int, title: str, body: str) -> None:
    """Replace a release's text in the lemma-text table ``table`` (``release_fts`` or ``translation_fts``)."""
    backend(conn).write_text(conn, table, release_id, title, body)


def delete_text(conn: Connection, table: str, release_id: int) -> None:
    """Remove a release's text from the lemma-text table ``table``."""
    backend(conn).delete_text(conn, table, release_id)
