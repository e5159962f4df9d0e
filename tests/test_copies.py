"""Copy groups of a page of releases (one query), and the index that finds a release's copies."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from osiwire.config import load_settings
from osiwire.store import Store
from osiwire.store.copies import copy_groups
from osiwire.store.migrations import MIGRATIONS, _copies_index
from osiwire.store.schema import release_stories
from test_stories_cli import _fill


def test_copy_groups_of_a_page(tmp_path: Path) -> None:
    ids = _fill(tmp_path)  # ids[1] and ids[2] copy ids[0]; ids[3] stands alone
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store:
        groups = copy_groups(store.db, [ids[1], ids[3]])
        assert set(groups) == {ids[1]}  # only the releases asked about, and only those with copies
        group = groups[ids[1]]
        assert group.original == ids[0] and group.total == 3
        assert [m.release_id for m in group.members] == ids[:3]  # earliest first, the original with them
        assert [m.source for m in group.members] == ["Kremlin", "TASS", "Tanjug"]
        assert copy_groups(store.db, []) == {} and copy_groups(store.db, [999]) == {}


def test_the_copies_index_is_made_on_an_older_database(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    before = MIGRATIONS.index(_copies_index)  # the schema version before the index was made
    with Store(settings.database) as store, store.db.writing() as conn:
        conn.execute(text("DROP INDEX ix_release_stories_duplicate_of"))
        conn.execute(text("UPDATE schema_version SET version = :v"), {"v": before})
    with Store(settings.database) as store, store.db.reading() as conn:
        names = {i["name"] for i in inspect(conn).get_indexes(release_stories.name)}
        assert "ix_release_stories_duplicate_of" in names
        plan = conn.execute(
            text("EXPLAIN QUERY PLAN SELECT * FROM release_stories WHERE duplicate_of = 1")
        ).all()
        assert "ix_release_stories_duplicate_of" in str(plan)
