"""Copy a whole store into another database (a laptop's SQLite archive to the server's PostgreSQL): batched,
resumable, verified.

Tables go in foreign-key order, each in its primary key's order (keyset batches, read from the source), one
transaction per batch that also records how far the copy got (``osiwire_copy_progress``, in the target): an
interrupted copy started again carries on after its last committed batch. The lemma text the search engine
indexes (``release_fts``, ``translation_fts``: FTS5 on SQLite, plain tables on PostgreSQL) is copied as rows.
At the end every table is compared: row counts, and a content hash that does not depend on row order (the
backends sort text differently), so a copy that lost or changed anything fails loudly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    Table,
    Text,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy import tuple_ as sql_tuple

from osiwire.errors import StoreError
from osiwire.store import schema
from osiwire.store.backends.common import TEXT_TABLES
from osiwire.store.database import Database, safe_url

BATCH = 5000  # rows per transaction: a kill loses at most this much work per table
HASH_MODULUS = 2**256  # row digests are added up modulo this: an order-free hash of a table
NOT_COPIED = ("schema_version",)  # each database keeps its own (both are migrated to the same version first)

_progress_metadata = MetaData()
copy_progress = Table(
    "osiwire_copy_progress",
    _progress_metadata,
    Column("tbl", Text, primary_key=True),
    Column("last_key", Text, nullable=False),  # JSON list: the primary key of the last row copied
    Column("rows", Integer, nullable=False),
)


@dataclass(frozen=True, slots=True)
class TableCheck:
    """One table after a copy: its rows and content hash on each side."""

    name: str
    source_rows: int
    target_rows: int
    source_hash: str
    target_hash: str

    @property
    def same(self) -> bool:
        return self.source_rows == self.target_rows and self.source_hash == self.target_hash


@dataclass(frozen=True, slots=True)
class _Part:
    """A table to copy: its name, primary-key columns, and how to read and write a batch."""

    name: str
    key: list[str]
    table: Table


def _text_table(name: str) -> Table:
    # The lemma-text tables as rows (rowid = release id) on both backends; not in schema.metadata (on SQLite
    # they are FTS5 virtual tables).
    return Table(
        name,
        MetaData(),
        Column("rowid", Integer, primary_key=True),
        Column("title", Text),
        Column("body", Text),
    )


def _parts(source: Connection, target: Connection) -> list[_Part]:
    have_source, have_target = set(inspect(source).get_table_names()), set(inspect(target).get_table_names())
    parts = []
    for table in schema.metadata.sorted_tables:
        if table.name in NOT_COPIED:
            continue
        if table.name not in have_source or table.name not in have_target:
            raise StoreError(f"table {table.name}: missing from one of the databases (migrate both first)")
        key = [c.name for c in table.primary_key.columns]
        if not key:
            raise StoreError(f"table {table.name}: no primary key to copy it in order by")
        parts.append(_Part(table.name, key, table))
    for name in TEXT_TABLES:
        if name in have_source and name in have_target:
            parts.append(_Part(name, ["rowid"], _text_table(name)))
    return parts


def _batches(conn: Connection, part: _Part, after: list[Any] | None) -> Iterator[list[dict[str, Any]]]:
    key = [part.table.c[name] for name in part.key]
    while True:
        stmt = select(part.table).order_by(*key).limit(BATCH)
        if after is not None:
            stmt = stmt.where(key[0] > after[0] if len(key) == 1 else sql_tuple(*key) > sql_tuple(*after))
        rows = [dict(row._mapping) for row in conn.execute(stmt)]
        if not rows:
            return
        yield rows
        after = [rows[-1][name] for name in part.key]


def _insert(conn: Connection, part: _Part, rows: list[dict[str, Any]]) -> None:
    if part.name in TEXT_TABLES:  # an FTS5 table takes its rowid by name, as the plain table takes its column
        sql = f"INSERT INTO {part.name} (rowid, title, body) VALUES (:rowid, :title, :body)"  # noqa: S608
        conn.execute(text(sql), rows)
    else:
        conn.execute(insert(part.table), rows)


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: move each serial key's sequence past the ids copied in, or the next insert would clash."""
    if conn.dialect.name != "postgresql":
        return
    for table in schema.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if len(key) == 1 and key[0].autoincrement is not False and isinstance(key[0].type, Integer):
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": key[0].name}
            ).scalar()
            if sequence:
                highest = f"SELECT max({key[0].name}) FROM {table.name}"  # noqa: S608  (names from schema.py)
                conn.execute(text(f"SELECT setval(:s, coalesce(({highest}), 0) + 1, false)"), {"s": sequence})


def _digest(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return repr(value)


def table_hash(conn: Connection, table: Table) -> tuple[int, str]:
    """A table's rows and a hash of its content that does not depend on the order rows come in."""
    total, rows = 0, 0
    columns = sorted(table.c, key=lambda c: c.name)
    for row in conn.execution_options(yield_per=BATCH).execute(select(*columns)):
        line = "\x1f".join(_digest(v) for v in row).encode("utf-8")
        total = (total + int.from_bytes(hashlib.sha256(line).digest(), "big")) % HASH_MODULUS
        rows += 1
    return rows, f"{total:064x}"


def copy_store(
    source_url: str, target_url: str, progress: Callable[[int, int], None] | None = None
) -> list[TableCheck]:
    """Copy the store at ``source_url`` into ``target_url`` (a new database, or one an interrupted copy of the
    same source left), then compare every table; StoreError naming the tables that differ."""
    source, target = Database(source_url), Database(target_url)
    if source.dialect == target.dialect and safe_url(source.url) == safe_url(target.url):
        raise StoreError(f"{safe_url(target_url)}: the copy's target is its source")
    try:
        with source.reading() as src, target.writing() as dst:
            _progress_metadata.create_all(dst)
            parts = _parts(src, dst)
            total = sum(
                int(src.execute(select(func.count()).select_from(p.table)).scalar_one()) for p in parts
            )
            done = {r.tbl: (json.loads(r.last_key), int(r.rows)) for r in dst.execute(select(copy_progress))}
        copied = sum(rows for _, rows in done.values())
        if progress is not None:
            progress(copied, total)
        for part in parts:
            after, rows_done = done.get(part.name, (None, 0))
            with source.reading() as src:
                for rows in _batches(src, part, after):
                    rows_done += len(rows)
                    last = json.dumps([rows[-1][name] for name in part.key])
                    with target.writing() as dst:
                        _insert(dst, part, rows)
                        dst.execute(delete(copy_progress).where(copy_progress.c.tbl == part.name))
                        dst.execute(
                            insert(copy_progress).values(tbl=part.name, last_key=last, rows=rows_done)
                        )
                    copied += len(rows)
                    if progress is not None:
                        progress(copied, total)
        with target.writing() as dst:
            _reset_sequences(dst)
        checks = verify(source, target, parts)
        bad = [c.name for c in checks if not c.same]
        if bad:
            raise StoreError(f"{safe_url(target_url)}: the copy differs from its source in {', '.join(bad)}")
        with target.writing() as dst:
            copy_progress.drop(dst, checkfirst=True)
        return checks
    finally:
        source.close()
        target.close()


def verify(source: Database, target: Database, parts: list[_Part]) -> list[TableCheck]:
    """Rows and content hash of every table copied, on both sides."""
    checks = []
    with source.reading() as src, target.reading() as dst:
        for part in parts:
            source_rows, source_hash = table_hash(src, part.table)
            target_rows, target_hash = table_hash(dst, part.table)
            checks.append(TableCheck(part.name, source_rows, target_rows, source_hash, target_hash))
    return checks
