"""The store on both backends: the same search engine gives the same matches over the real kremlin.ru corpus
on SQLite and on PostgreSQL; an unreachable database is one clear line; the same item written twice at once is
stored once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from enriched_store import seed
from factories import NOW, make_article
from osiwire.cli import cli
from osiwire.config import load_settings
from osiwire.errors import ConfigError, StoreError
from osiwire.model import SearchFilters
from osiwire.store import Store
from osiwire.store import copy as copy_module
from osiwire.store.database import Database, sqlite_path
from osiwire.store.engine import SearchIndex
from osiwire.store.migrations import MIGRATIONS
from osiwire.store.query import parse_query
from osiwire.web.app import create_app
from pg import Cluster, searchable
from test_engine import _random_queries
from test_postings import ENGLISH, KREMLIN, QUERIES, _translation

pytestmark = pytest.mark.postgres


def load_kremlin(store: Store, shared_data: Path) -> None:
    """The 125 real kremlin.ru releases (three with an English translation), in file order."""
    with (shared_data / KREMLIN).open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            item = json.loads(line)
            paragraphs = [p for p in item["text"].split("\n") if p.strip()]
            result = store.releases.save(make_article(item["url"], item["title"], paragraphs))
            if n < len(ENGLISH):
                store.translations.save(result.release_id, 1, _translation([ENGLISH[n]]), NOW)


@pytest.fixture(scope="module")
def both(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory, pg_cluster: Cluster
) -> Iterator[tuple[Store, Store]]:
    """The kremlin corpus in an SQLite file and in a PostgreSQL database (loaded once for the module: a test
    that writes writes the same to both)."""
    url = pg_cluster.new_database()
    lite = Store(f"sqlite:///{tmp_path_factory.mktemp('both') / 'db.sqlite'}")
    pg = Store(url)
    try:
        for store in (lite, pg):
            load_kremlin(store, shared_data)
        yield lite, pg
    finally:
        lite.close()
        pg.close()
        pg_cluster.drop(url)


def _matches(index: SearchIndex, store: Store, query: str) -> dict[int, float]:
    found = index.matches(parse_query(query, store.lemmatiser))
    return {int(i): float(s) for part in found for i, s in zip(part.ids, part.scores, strict=True)}


def test_the_engine_matches_the_same_releases_on_both_backends(
    both: tuple[Store, Store], tmp_path: Path
) -> None:
    lite, pg = both
    path = sqlite_path(lite.db.url)
    assert path is not None
    queries = QUERIES + _random_queries(path, 150, 11)
    on_sqlite, on_postgres = SearchIndex(path, tmp_path / "a"), SearchIndex(pg.db.url, tmp_path / "b")
    try:
        on_sqlite.open(block=True)
        on_postgres.open(block=True)
        matched = 0
        for query in queries:
            want, got = _matches(on_sqlite, lite, query), _matches(on_postgres, pg, query)
            assert got.keys() == want.keys(), query  # the ids are the same: both stores saved in one order
            assert np.allclose([got[i] for i in want], list(want.values())), query
            matched += bool(want)
        assert matched > len(queries) // 2  # the set is not trivially empty
        # A write on PostgreSQL reaches its index through the change log, as on SQLite.
        for store in (lite, pg):
            store.releases.save(make_article("https://example.org/new", "Шашлык", ["Шашлыки в Москве."]))
        on_postgres.follow()
        assert list(_matches(on_postgres, pg, "шашлык")) == [126]
    finally:
        on_sqlite.close()
        on_postgres.close()


def test_store_search_on_postgresql_answers_as_sqlite_does(both: tuple[Store, Store], tmp_path: Path) -> None:
    lite, pg = both
    pg.enable_search_engine(tmp_path / "pg-search")
    for query in QUERIES:
        for sort in ("relevance", "date"):
            want, got = lite.search(query, limit=500, sort=sort), pg.search(query, limit=500, sort=sort)
            assert got.total == want.total, (query, sort)
            assert {h.id for h in got.hits} == {h.id for h in want.hits}, (query, sort)
            if sort == "date":
                assert [h.id for h in got.hits] == [h.id for h in want.hits], query
    page = pg.search("Путин", limit=3, offset=2)
    assert [h.id for h in page.hits] == [h.id for h in pg.search("Путин", limit=5).hits][2:5]


def test_facets_on_postgresql_count_what_sqlite_counts(both: tuple[Store, Store], tmp_path: Path) -> None:
    lite, pg = both
    pg.enable_search_engine(
        tmp_path / "pg-search"
    )  # a PostgreSQL server's store: the engine, no search cache
    for query in ["", *QUERIES]:
        want, got = lite.facets(query), pg.facets(query)
        assert got == want, query
    assert pg.facets("Путин").total > 0


def test_the_same_item_saved_at_once_by_two_writers_is_stored_once(store_url: str) -> None:
    article = make_article("https://kremlin.ru/race", "Встреча", ["Президент провёл встречу."])
    stores = [Store(store_url), Store(store_url)]  # two processes' worth of stores: two pools, two writers
    start = threading.Barrier(len(stores))
    results = []

    def save(store: Store) -> None:
        start.wait()
        results.append(store.releases.save(article))

    try:
        threads = [threading.Thread(target=save, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(r.created for r in results) == [False, True]
        assert stores[0].releases.count() == 1
        assert stores[0].releases.get(results[0].release_id).current.version_no == 1
    finally:
        for store in stores:
            store.close()


def test_an_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://osiwire:secret@/osiwire?host={tmp_path}&connect_timeout=2"
    with pytest.raises(StoreError) as raised:
        Store(url)
    message = str(raised.value)
    assert "cannot open database" in message and "\n" not in message and "secret" not in message
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "sources", "list"], env={"OSIWIRE_DATABASE_URL": url}
    )
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot open database" in lines[0] and "secret" not in lines[0], result.output


def test_db_copy_moves_the_kremlin_store_to_postgresql_resumably_and_verified(
    shared_data: Path, tmp_path: Path, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_url = f"sqlite:///{tmp_path / 'laptop.sqlite'}"
    with Store(source_url) as laptop:
        load_kremlin(laptop, shared_data)
    target_url = pg_cluster.empty_database()
    try:
        # Interrupted after three batches of ten rows: a second run carries on, copying nothing twice.
        monkeypatch.setattr(copy_module, "BATCH", 10)
        calls = {"n": 0}
        real_insert = copy_module._insert

        def failing_insert(*args: object) -> None:
            calls["n"] += 1
            if calls["n"] == 4:
                raise KeyboardInterrupt
            real_insert(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(copy_module, "_insert", failing_insert)
        with pytest.raises(KeyboardInterrupt):
            copy_module.copy_store(source_url, target_url)
        with Database(target_url) as target_db, target_db.reading() as conn:
            assert conn.exec_driver_sql("SELECT sum(rows) FROM osiwire_copy_progress").scalar() == 30
        monkeypatch.setattr(copy_module, "_insert", real_insert)
        result = CliRunner().invoke(
            cli, ["--data-dir", str(tmp_path), "db", "copy", "--from", source_url, "--to", target_url]
        )
        assert result.exit_code == 0, result.output
        assert "counts and content hashes equal" in result.output
        # A changed row is found by the verification.
        with Store(target_url) as server, server.db.writing() as conn:
            conn.exec_driver_sql("UPDATE segments SET text = text || '!' WHERE id = 7")
        source, target = Database(source_url), Database(target_url)
        try:
            with source.reading() as src, target.reading() as dst:
                parts = copy_module._parts(src, dst)
            bad = [c.name for c in copy_module.verify(source, target, parts) if not c.same]
        finally:
            source.close()
            target.close()
        assert bad == ["segments"]
        with Database(target_url) as target_db, target_db.writing() as conn:
            conn.exec_driver_sql("UPDATE segments SET text = left(text, length(text) - 1) WHERE id = 7")
        # The copy answers every query as its source does, through the engine, and takes new releases (its
        # serial keys continue after the ids copied in).
        with Store(source_url) as laptop, Store(target_url) as server:
            server.enable_search_engine(tmp_path / "server-search")
            assert server.releases.count() == laptop.releases.count() == 125
            for query in QUERIES:
                assert [h.id for h in server.search(query, limit=500, sort="date").hits] == [
                    h.id for h in laptop.search(query, limit=500, sort="date").hits
                ], query
            saved = server.releases.save(make_article("https://example.org/new", "Шашлык", ["Шашлыки."]))
            assert saved.created and saved.release_id == 126
            assert [h.id for h in server.search("шашлык").hits] == [126]
    finally:
        pg_cluster.drop(target_url)


def test_db_migrate_reports_the_version(tmp_path: Path, pg_cluster: Cluster) -> None:
    url = pg_cluster.empty_database()
    try:
        result = CliRunner().invoke(cli, ["--database-url", url, "db", "migrate"])
        assert result.exit_code == 0, result.output
        assert f"schema version {len(MIGRATIONS)} (was 0)" in result.output
        again = CliRunner().invoke(cli, ["--database-url", url, "db", "migrate"])
        assert f"schema version {len(MIGRATIONS)} (was {len(MIGRATIONS)})" in again.output
    finally:
        pg_cluster.drop(url)


WEB_PATHS = [
    "/api/v1/releases",
    "/api/v1/releases?lang=ru&sort=date",
    "/api/v1/search?q=Москва",
    "/api/v1/search?q=совет безопасности&sort=date",
    "/api/v1/releases/{council}",
    "/api/v1/releases/{council}/participants",
    "/api/v1/facets",
    "/api/v1/facets?q=Москва",
    "/api/v1/search?q=Москва&region=Казахстан",
    "/api/v1/topics",
    "/api/v1/sources",
    "/api/v1/people",
    "/api/v1/people?q=Патрушев",
    "/",
    "/search?q=Москва",
    "/releases/{council}",
    "/sources",
    "/feeds/search.atom?q=Москва",
    "/healthz",
    "/metrics",
    "/stories",
]


def _comparable(answer: Any, path: str) -> Any:
    """An API answer as both backends must give it. A filtered search's scores are left out: the SQLite server's
    search cache puts the filter into the engine's query, which adds 1.0 to every match's score (same order)."""
    if "&" in path and isinstance(answer, dict) and "hits" in answer:
        return {**answer, "hits": [{k: v for k, v in hit.items() if k != "score"} for hit in answer["hits"]]}
    return answer


def test_the_web_and_api_answer_alike_on_both_backends(tmp_path: Path, pg_cluster: Cluster) -> None:
    url = pg_cluster.new_database()
    lite, pg = Store(f"sqlite:///{tmp_path / 'db.sqlite'}"), Store(url)
    try:
        seeded = [seed(store) for store in (lite, pg)]
        assert seeded[0] == seeded[1]
        apps = [
            TestClient(create_app(load_settings(tmp_path / name, environ={}), store=store))
            for name, store in (("lite", lite), ("pg", pg))
        ]
        with apps[0] as on_sqlite, apps[1] as on_postgres:
            for template in WEB_PATHS:
                path = template.format(council=seeded[0].council)
                want, got = on_sqlite.get(path), on_postgres.get(path)
                assert (got.status_code, want.status_code) == (200, 200), (path, got.text[-300:])
                if want.headers["content-type"].startswith("application/json"):
                    assert _comparable(got.json(), path) == _comparable(want.json(), path), path
    finally:
        lite.close()
        pg.close()
        pg_cluster.drop(url)


def test_a_restarted_postgresql_is_reconnected_to_and_nothing_is_lost(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    url = pg_cluster.new_database()
    try:
        with Store(url) as store:
            store.enable_search_engine(tmp_path / "search")
            store.releases.save(
                make_article("https://kremlin.ru/1", "Встреча", ["Президент провёл встречу."])
            )
            assert store.search("встреча").total == 1
            pg_cluster.stop()  # every connection of the pool and the index's reader dies
            pg_cluster.start()
            store.releases.save(make_article("https://kremlin.ru/2", "Встреча", ["Вторая встреча."]))
            assert store.releases.count() == 2
            assert store.search("встреча").total == 2
    finally:
        pg_cluster.drop(url)


@pytest.mark.parametrize(
    ("toml", "environ", "expected"),
    [
        ('database_url = "postgresql://a@h/db"\n', {}, "postgresql://a@h/db"),
        ('[database]\nurl = "postgresql://b@h/db"\n', {}, "postgresql://b@h/db"),
        ("", {"OSIWIRE_DATABASE_URL": "postgresql://c@h/db"}, "postgresql://c@h/db"),
        ("", {"OSIWIRE_DATABASE__URL": "postgresql://d@h/db"}, "postgresql://d@h/db"),
    ],
)
def test_the_database_url_is_read_from_every_place_it_may_be_set(
    tmp_path: Path, toml: str, environ: dict[str, str], expected: str
) -> None:
    (tmp_path / "osiwire.toml").write_text(toml, encoding="utf-8")
    assert load_settings(tmp_path, environ=environ).database == expected


def test_a_database_table_with_other_keys_is_refused(tmp_path: Path) -> None:
    (tmp_path / "osiwire.toml").write_text('[database]\nurl = "x"\npool = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="'database'"):
        load_settings(tmp_path, environ={})


def test_nul_characters_in_outside_text_are_stored_and_searched_on_every_backend(
    store_url: str, tmp_path: Path
) -> None:
    with Store(store_url) as store:
        searchable(store, tmp_path)
        saved = store.releases.save(
            make_article("https://a/nul", "Встреча\x00", ["Президент\x00 провёл встречу."])
        )
        assert saved.created
        assert store.releases.get(saved.release_id).current.segments[1].text.startswith("Президент")
        assert store.search("встреча").total == 1
        assert store.search("встреча\x00", SearchFilters(topic="\x00", person="\x00")).total == 0
        assert store.facets("встреча", SearchFilters(region="\x00")).total == 0
