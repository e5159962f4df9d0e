# ruff: noqa: F811  (big_store and kremlin, fixtures imported from other test modules, are tests' arguments)
"""One search path on the engine: the cache, the CLI, the API and the web pages answer from the tantivy index
with the SQL reference's hit sets, totals and facets; a rebuilding index never makes a 500."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from enriched_store import Seeded, seed
from factories import make_article
from osiwire.cli import cli
from osiwire.config import load_settings
from osiwire.model import SearchFilters
from osiwire.store import Store
from osiwire.store.engine import SearchIndex
from osiwire.store.engine import index as engine_index
from osiwire.store.facets import facets
from osiwire.store.search import SORTS, search
from osiwire.store.search_cache import DEPTH, SearchCache
from osiwire.web.app import create_app
from test_facets import big_store  # noqa: F401
from test_search_cache import CASES


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[tuple[Store, Seeded, Path]]:
    store = Store(load_settings(tmp_path, environ={}).database)
    seeded = seed(store)
    yield store, seeded, tmp_path
    store.close()


def _engine_cache(store: Store, directory: Path) -> SearchCache:
    cache = SearchCache(store.db, store.lemmatiser, engine_dir=directory)
    assert cache.engine is not None
    return cache


def _same_answers(store: Store, cache: SearchCache, query: str, filters: SearchFilters) -> None:
    """The reference's hit set and total in both orders and every page; newest first in its very order; the
    same facet counts."""
    for sort in SORTS:
        want = search(store.db, store.lemmatiser, query, filters, limit=500, sort=sort)
        got = cache.search(query, filters, limit=500, sort=sort)
        assert got.total == want.total, (query, filters, sort)
        if want.total <= 500 or sort == "date":  # the best 500 of more differ, as bm25's figures differ
            assert {h.id for h in got.hits} == {h.id for h in want.hits}, (query, filters, sort)
        if sort == "date" or not query:
            assert [h.id for h in got.hits] == [h.id for h in want.hits]
        paged = [
            h.id
            for offset in range(0, min(got.total, 60), 3)
            for h in cache.search(query, filters, limit=3, offset=offset, sort=sort).hits
        ]
        assert paged == [h.id for h in got.hits][: len(paged)], (query, filters, sort)
        for hit in got.hits:
            assert all(0 <= s < e <= len(hit.snippet) for s, e in hit.highlights)
    assert cache.facets(query, filters, limit_per_facet=100) == facets(
        store.db, store.lemmatiser, query, filters, limit_per_facet=100
    )


@pytest.mark.parametrize(("query", "filters"), CASES)
def test_the_engine_gives_the_references_answers_on_the_enriched_corpus(
    corpus: tuple[Store, Seeded, Path], query: str, filters: SearchFilters
) -> None:
    store, _, directory = corpus
    cache = _engine_cache(store, directory / "search")
    try:
        _same_answers(store, cache, query, filters)
    finally:
        cache.close()


def test_pages_past_the_kept_depth_come_from_the_engines_matches(big_store: Store, tmp_path: Path) -> None:
    cache = _engine_cache(big_store, tmp_path / "search")
    try:
        for sort in SORTS:
            top = cache.search("безопасность", limit=500, sort=sort).hits
            assert cache.search("безопасность", limit=500, offset=DEPTH - 10, sort=sort).total > DEPTH + 20
            deep = cache.search("безопасность", limit=20, offset=DEPTH - 10, sort=sort)
            before = cache.search("безопасность", limit=20, offset=DEPTH - 30, sort=sort)
            ids = [h.id for h in before.hits + deep.hits]
            assert len(set(ids)) == 40 and not set(ids) & {h.id for h in top[: DEPTH - 30][:500]}
            if sort == "date":
                want = search(
                    big_store.db,
                    big_store.lemmatiser,
                    "безопасность",
                    limit=20,
                    offset=DEPTH - 10,
                    sort="date",
                )
                assert [h.id for h in deep.hits] == [h.id for h in want.hits]
        _same_answers(big_store, cache, "Москва переговоры", SearchFilters(region="казахстан"))
    finally:
        cache.close()


def test_a_new_release_is_searchable_at_the_next_request(corpus: tuple[Store, Seeded, Path]) -> None:
    store, _, directory = corpus
    assert store.enable_search_cache(engine_dir=directory / "search")
    assert store.search("шашлык").total == 0
    saved = store.releases.save(make_article("https://example.org/new", "Шашлык", ["Шашлыки в Москве."]))
    assert [h.id for h in store.search("шашлыки").hits] == [saved.release_id]
    assert store.search("Москва").total == search(store.db, store.lemmatiser, "Москва").total


def test_two_servers_on_one_store_each_follow_the_log(corpus: tuple[Store, Seeded, Path]) -> None:
    store, _, directory = corpus
    settings = load_settings(directory, environ={})
    with Store(settings.database) as first, Store(settings.database) as second:
        assert first.enable_search_cache(engine_dir=settings.search_index_dir)
        assert second.enable_search_cache(engine_dir=settings.search_index_dir)
        assert first.search("Москва").total == second.search("Москва").total > 0
        engines = [s.search_cache.engine for s in (first, second) if s.search_cache is not None]
        assert len({e.slot for e in engines if e is not None}) == 2  # one index each
        saved = store.releases.save(make_article("https://example.org/both", "Плов", ["Плов в Москве."]))
        for server in (first, second):
            assert [h.id for h in server.search("плов").hits] == [saved.release_id]
    # A restarted server finds its index where it left it: nothing is built again.
    with Store(settings.database) as again:
        again.enable_search_cache(engine_dir=settings.search_index_dir)
        assert again.search("плов").total == 1
        assert again.search_cache is not None and again.search_cache.engine is not None
        assert again.search_cache.engine.rebuilds == 0


def _cli(directory: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--data-dir", str(directory), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_searches_the_engine_and_reindexes(corpus: tuple[Store, Seeded, Path]) -> None:
    store, _, directory = corpus
    code, out, _ = _cli(directory, "search", "Москва", "--json")
    assert code == 0
    hits = json.loads(out)
    assert {h["id"] for h in hits} == {
        h.id for h in search(store.db, store.lemmatiser, "Москва", limit=20).hits
    }
    assert set(hits[0]) == {
        "id",
        "url",
        "title",
        "published",
        "language",
        "source",
        "source_id",
        "first_seen_at",
        "region",
        "snippet",
        "highlights",
        "score",
    }
    assert (directory / "search" / "slot-0" / "meta.json").exists()
    code, _, err = _cli(directory, "reindex", "--copies", "2")
    assert code == 0 and "releases indexed" in err and "slot-1" in err
    with Store(load_settings(directory, environ={}).database) as first, Store(store.db.url) as second:
        for server in (first, second):  # two server processes start on the two copies: nothing built again
            server.enable_search_cache(engine_dir=directory / "search")
            assert server.search("Москва").total == search(store.db, store.lemmatiser, "Москва").total
            assert server.search_cache is not None and server.search_cache.engine is not None
            assert server.search_cache.engine.rebuilds == 0
    code, out, _ = _cli(directory, "search", "Москва", "--json", "--sort", "date")
    assert [h["id"] for h in json.loads(out)] == [
        h.id for h in search(store.db, store.lemmatiser, "Москва", limit=20, sort="date").hits
    ]


def test_the_fts5_setting_keeps_the_earlier_path(corpus: tuple[Store, Seeded, Path]) -> None:
    _, _, directory = corpus
    (directory / "osiwire.toml").write_text('[search]\nengine = "fts5"\n', encoding="utf-8")
    code, out, _ = _cli(directory, "search", "Москва", "--json")
    assert code == 0 and json.loads(out)
    assert not (directory / "search").exists()
    code, _, err = _cli(directory, "reindex")
    assert code == 1 and "fts5" in err


HOSTILE = [
    "слово " * 100,
    " OR ".join(f"w{i}" for i in range(50)),
    "*",
    "-",
    '"unbalanced',
    "\x00",
    "a\x00b",
    "-путин",
]


def test_bad_queries_and_a_rebuilding_index_never_make_a_500(
    corpus: tuple[Store, Seeded, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, seeded, directory = corpus
    settings = load_settings(directory, environ={})
    with TestClient(create_app(settings, store=store)) as client:
        for text in HOSTILE:
            for path in ("/search", "/api/v1/search"):
                response = client.get(path, params={"q": text})
                assert response.status_code in (200, 400), (path, text, response.status_code)
        # The index goes missing under the running server: rebuilt in the background meanwhile.
        gate = threading.Event()
        real_add = SearchIndex._add

        def slow_add(self: SearchIndex, rows: object) -> int:
            gate.wait(20)
            return real_add(self, rows)  # type: ignore[arg-type]

        monkeypatch.setattr(SearchIndex, "_add", slow_add)
        assert store.search_cache is not None and store.search_cache.engine is not None
        engine = store.search_cache.engine
        import shutil

        assert engine.slot is not None
        shutil.rmtree(engine.slot)
        store.releases.save(make_article("https://example.org/late", "Поздно", ["Поздно."]))
        engine.follow()  # what the next search does first: finds the index gone, rebuilds in the background
        try:
            assert engine._rebuilding is not None
            api = client.get("/api/v1/search", params={"q": "Москва"})
            assert api.status_code == 503 and "rebuilding" in api.json()["detail"]
            page = client.get("/search", params={"q": "Москва"})
            assert page.status_code == 503 and "rebuilding" in page.text
            assert client.get(f"/releases/{seeded.council}").status_code == 200
            assert client.get("/").status_code == 200  # the latest releases need no full-text search
        finally:
            gate.set()
        thread = engine._rebuilding
        if thread is not None:
            thread.join(30)
        assert client.get("/api/v1/search", params={"q": "Москва"}).status_code == 200


def test_the_cli_does_not_build_an_index_of_its_own_beside_busy_servers(
    corpus: tuple[Store, Seeded, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _, directory = corpus
    assert _cli(directory, "search", "Москва")[0] == 0  # the first build: slot-0
    with Store(store.db.url) as server:  # a running server holds slot-0
        server.enable_search_cache(engine_dir=directory / "search")
        server.search("Москва")
        assert not SearchIndex.ready_without_building(directory / "search")
        monkeypatch.setattr(
            "osiwire.cli.reading.SYNC_REBUILD_MAX", 3
        )  # a store too big to index for one search
        code, out, err = _cli(directory, "search", "Москва", "--json")
        assert code == 0 and "held by a running server" in err
        assert {h["id"] for h in json.loads(out)} == {
            h.id for h in search(store.db, store.lemmatiser, "Москва").hits
        }
        assert not (directory / "search" / "slot-1").exists()
    assert SearchIndex.ready_without_building(directory / "search")


@pytest.fixture
def sampling(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine reads at most 400 matches whole; a broader search is sampled (about 200 matches)."""
    monkeypatch.setattr(engine_index, "EXACT_MAX", 400)
    monkeypatch.setattr(engine_index, "SAMPLE_SIZE", 200)


BROAD = [
    ("безопасность", SearchFilters()),
    ("Москва переговоры", SearchFilters()),
    ("визит OR оборона", SearchFilters()),
    ("президент -шашлык", SearchFilters()),  # (every release holds nearly every word of big_store)
    ("сотруд*", SearchFilters()),
    ("безопасность", SearchFilters(region="казахстан")),  # the engine's fields (source ids)
    ("безопасность", SearchFilters(language="RU", country="kz")),
    ("Москва", SearchFilters(since=datetime(2024, 3, 1, tzinfo=UTC))),  # the ids the filter keeps
]


@pytest.mark.parametrize(("query", "filters"), BROAD)
def test_a_broad_search_is_counted_exactly_paged_by_the_engine_and_faceted_from_a_sample(
    big_store: Store, tmp_path: Path, sampling: None, query: str, filters: SearchFilters
) -> None:
    exact = _engine_cache(big_store, tmp_path / "exact")
    exact_max = engine_index.EXACT_MAX
    cache = _engine_cache(big_store, tmp_path / "sampled")
    try:
        want_total = search(big_store.db, big_store.lemmatiser, query, filters).total
        assert want_total > exact_max  # sampled, not read whole
        for sort in SORTS:
            got = cache.search(query, filters, limit=20, offset=20, sort=sort)
            assert got.total == want_total, sort
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(engine_index, "EXACT_MAX", 10**9)
                whole = exact.search(query, filters, limit=20, offset=20, sort=sort)
            if sort == "date":  # newest first: the reference's very order
                want = search(
                    big_store.db, big_store.lemmatiser, query, filters, limit=20, offset=20, sort=sort
                )
                assert [h.id for h in got.hits] == [h.id for h in want.hits]
            else:  # the same bm25 figures as every match read whole (ties may come in another order)
                assert [round(h.score, 4) for h in got.hits] == [round(h.score, 4) for h in whole.hits]
            past = cache.search(query, filters, limit=20, offset=10_000_000, sort=sort)  # (the API's maximum)
            assert past.hits == () and past.total == want_total
        found = cache.facets(query, filters, limit_per_facet=100)
        want_facets = facets(big_store.db, big_store.lemmatiser, query, filters, limit_per_facet=100)
        assert found.approximate and not want_facets.approximate
        assert found.total == want_facets.total
        for name in ("region", "source", "month"):
            got_counts = {v.value: v.count for v in getattr(found, name)}
            want_counts = {v.value: v.count for v in getattr(want_facets, name)}
            assert set(got_counts) <= set(want_counts), name  # no value the matches lack
            assert abs(sum(got_counts.values()) - want_total) <= 0.1 * want_total, name
        for value in found.region:  # 4 regions of ~1/4 each: within a third of the truth from ~200 matches
            want_n = next(v.count for v in want_facets.region if v.value == value.value)
            assert abs(value.count - want_n) <= want_n / 3, (value, want_n)
    finally:
        cache.close()
        exact.close()


def test_a_narrow_search_keeps_exact_facets_and_an_api_says_which(
    big_store: Store, tmp_path: Path, sampling: None
) -> None:
    cache = _engine_cache(big_store, tmp_path / "search")
    try:
        narrow = '"визит оборона совещание"'
        assert 0 < cache.search(narrow).total <= engine_index.EXACT_MAX
        assert cache.facets(narrow) == facets(big_store.db, big_store.lemmatiser, narrow)
        assert not cache.facets(narrow).approximate and cache.facets("безопасность").approximate
    finally:
        cache.close()


def test_the_api_and_the_page_say_when_facets_are_estimates(
    corpus: tuple[Store, Seeded, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _, directory = corpus
    monkeypatch.setattr(engine_index, "EXACT_MAX", 2)  # "Москва" matches more: sampled
    monkeypatch.setattr(engine_index, "SAMPLE_SIZE", 1)
    with TestClient(create_app(load_settings(directory, environ={}), store=store)) as client:
        broad = client.get("/api/v1/facets", params={"q": "Москва"}).json()
        assert broad["approximate"] is True
        assert broad["total"] == search(store.db, store.lemmatiser, "Москва").total > 2
        narrow = client.get("/api/v1/facets", params={"q": "ОДКБ"}).json()
        assert narrow["approximate"] is False and 0 < narrow["total"] <= 2
        assert "Counts are estimates" in client.get("/search", params={"q": "Москва"}).text
        assert "Counts are estimates" not in client.get("/search", params={"q": "ОДКБ"}).text


def test_an_index_corrupted_under_a_running_server_is_rebuilt_while_search_says_so(
    corpus: tuple[Store, Seeded, Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store, seeded, directory = corpus
    settings = load_settings(directory, environ={})
    with TestClient(create_app(settings, store=store)) as client:
        assert client.get("/api/v1/search", params={"q": "Москва"}).status_code == 200
        assert store.search_cache is not None and store.search_cache.engine is not None
        engine = store.search_cache.engine
        assert engine.slot is not None
        for part in engine.slot.iterdir():  # every segment file overwritten (a disk fault, a bad copy)
            if part.suffix in (".idx", ".term", ".pos", ".store", ".fast", ".fieldnorm"):
                part.write_bytes(b"garbage" * 8)
        gate = threading.Event()
        real_add = SearchIndex._add

        def slow_add(self: SearchIndex, rows: object) -> int:
            gate.wait(20)
            return real_add(self, rows)  # type: ignore[arg-type]

        monkeypatch.setattr(SearchIndex, "_add", slow_add)
        caplog.set_level(logging.WARNING, logger="osiwire.store.engine.index")
        saved = store.releases.save(make_article("https://example.org/after", "Кулебяка", ["Кулебяка."]))
        try:
            for _ in range(3):
                api = client.get("/api/v1/search", params={"q": "кулебяка"})
                assert api.status_code == 503 and "rebuilding" in api.json()["detail"]
            page = client.get("/search", params={"q": "кулебяка"})
            assert page.status_code == 503 and "rebuilding" in page.text
            assert client.get(f"/releases/{seeded.council}").status_code == 200
            assert client.get(f"/releases/{saved.release_id}").status_code == 200
        finally:
            gate.set()
        thread = engine._rebuilding
        if thread is not None:
            thread.join(30)
        found = client.get("/api/v1/search", params={"q": "кулебяка"}).json()
        assert [h["id"] for h in found["hits"]] == [saved.release_id]
        warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1 and "rebuilding it from the store" in warnings[0], warnings


def test_the_cli_answers_hostile_queries_with_hits_or_one_line(corpus: tuple[Store, Seeded, Path]) -> None:
    _, _, directory = corpus
    for text in HOSTILE:
        for extra in ((), ("--json",)):
            # (after --: a query starting with "-" is not an option; an exception would end the test)
            code, out, err = _cli(directory, "search", *extra, "--", text)
            if code == 0:
                assert not extra or isinstance(json.loads(out), list), text
            else:
                assert code == 1 and err.startswith("osiwire: error: ") and err.count("\n") == 1, (text, err)


def test_a_filter_keeping_too_many_ids_for_the_engine_is_applied_to_every_match(
    big_store: Store, tmp_path: Path, sampling: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from osiwire.store import search_cache

    monkeypatch.setattr(search_cache, "IDS_FILTER_MAX", 0)  # a date filter's ids: too many to give the engine
    cache = _engine_cache(big_store, tmp_path / "search")
    try:
        since = SearchFilters(since=datetime(2024, 3, 1, tzinfo=UTC))
        assert cache.search("Москва", since).total > engine_index.EXACT_MAX
        _same_answers(big_store, cache, "Москва", since)  # every match read and filtered: exact facets
        assert not cache.facets("Москва", since).approximate
    finally:
        cache.close()
