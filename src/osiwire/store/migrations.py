"""Schema migrations: an ordered, append-only list. Its length is the schema version.

Never edit or reorder a migration that has shipped; append a new one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, insert, inspect, select, update

from osiwire.errors import StoreError
from osiwire.store import schema
from osiwire.store.backends import backend

Migration = Callable[[Connection], None]


# Each migration names its tables: schema.py grows, a shipped migration must not.
INITIAL_TABLES = ("sources", "http_cache", "releases", "versions", "segments")


def _initial(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.metadata.tables[name] for name in INITIAL_TABLES])
    if conn.dialect.name == "sqlite":
        # Lemmatised, folded text of each release's current version (see textindex.py); rowid = release id.
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE release_fts USING fts5("
            "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )


def _translations(conn: Connection) -> None:
    tables = [schema.translations, schema.translation_sentences, schema.translation_memory]
    schema.metadata.create_all(conn, tables=tables)
    if conn.dialect.name == "sqlite":
        # English text of each release's current translation (rowid = release id), stemmed by porter.
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE translation_fts USING fts5("
            "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )


ENRICHMENT_TABLES = (
    "enrichments",
    "people",
    "person_variants",
    "release_people",
    "entities",
    "mentions",
    "participants",
    "release_topics",
    "release_countries",
)


def _enrichment(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.metadata.tables[name] for name in ENRICHMENT_TABLES])


ALERT_TABLES = ("alert_rules", "alert_events")


def _alerts(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.metadata.tables[name] for name in ALERT_TABLES])


PIPELINE_TABLES = ("pipeline_stages", "pipeline_runs")


def _pipeline_stats(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.metadata.tables[name] for name in PIPELINE_TABLES])
    # A database made after this index was added to schema.py has it already (migration 4 made the table).
    schema.alert_events_pending.create(conn, checkfirst=True)


def _fts_changes(conn: Connection) -> None:
    schema.fts_changes.create(conn, checkfirst=True)


def _stage_failures(conn: Connection) -> None:
    schema.stage_failures.create(conn, checkfirst=True)


# Columns _memory_origin adds to translation_memory, as SQL that every backend accepts.
MEMORY_ORIGIN_COLUMNS = {
    "source": "TEXT NOT NULL DEFAULT ''",
    "origin": "TEXT NOT NULL DEFAULT ''",
    "changed_at": "TIMESTAMP",
}


def _memory_origin(conn: Connection) -> None:
    # A database made after schema.py grew these columns has them already (migration 2 made the table).
    present = {c["name"] for c in inspect(conn).get_columns("translation_memory")}
    for name, ddl in MEMORY_ORIGIN_COLUMNS.items():
        if name not in present:
            conn.exec_driver_sql(f"ALTER TABLE translation_memory ADD COLUMN {name} {ddl}")


def _participant_kind(conn: Connection) -> None:
    # Participants of the meeting apart from people named in passing (issue 12); rows stored before are
    # read as participants, as they were shown. A database made after schema.py grew the column has it.
    present = {c["name"] for c in inspect(conn).get_columns("participants")}
    if "kind" not in present:
        conn.exec_driver_sql(
            "ALTER TABLE participants ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'participant'"
        )


STORY_TABLES = ("release_stories", "story_bands", "stories")


def _stories(conn: Connection) -> None:
    schema.metadata.create_all(conn, tables=[schema.metadata.tables[name] for name in STORY_TABLES])


def _quotes(conn: Connection) -> None:
    schema.quotes.create(conn, checkfirst=True)


def _text_tables(conn: Connection) -> None:
    # PostgreSQL (issue 16): the lemma text the search engine indexes, which SQLite keeps in its FTS5 tables
    # (migrations 1 and 2, on SQLite only), in plain tables of the same names.
    if conn.dialect.name == "postgresql":
        backend(conn).create_text_tables(conn, "release_fts", "translation_fts")


def _copies_index(conn: Connection) -> None:
    # A release's copies (its API record, "+N sources" in listings) are found by duplicate_of: indexed, not a
    # scan of every release the stories stage read. A database made after schema.py grew the index has it.
    index = next(i for i in schema.release_stories.indexes if i.name == "ix_release_stories_duplicate_of")
    index.create(conn, checkfirst=True)


MIGRATIONS: list[Migration] = [
    _initial,
    _translations,
    _enrichment,
    _alerts,
    _pipeline_stats,
    _fts_changes,
    _stage_failures,
    _memory_origin,
    _participant_kind,
    _stories,
    _quotes,
    _text_tables,
    _copies_index,
]


def current_version(conn: Connection) -> int:
    """The schema version of the database behind ``conn`` (0 for an empty one)."""
    schema.schema_version.create(conn, checkfirst=True)
    version = conn.execute(select(schema.schema_version.c.version)).scalar()
    if version is None:
        conn.execute(insert(schema.schema_version).values(version=0))
        return 0
    return int(version)


def migrate(conn: Connection) -> int:
    """Bring the schema up to date inside the caller's transaction; returns the new version."""
    version = current_version(conn)
    if version > len(MIGRATIONS):
        raise StoreError(
            f"database schema version {version} is newer than this osiwire ({len(MIGRATIONS)}): upgrade osiwire"
        )
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        step(conn)
        conn.execute(update(schema.schema_version).values(version=number))
    return len(MIGRATIONS)
