# ruff: noqa: F811  (kremlin, a fixture imported from test_postings, is each test's argument)
"""The search engine (tantivy) matches what FTS5 matches on real releases, follows every write, survives a
deleted or corrupted index, and serves two processes' worth of indexes on one store."""

from __future__ import annotations

import logging
import random
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from factories import make_article
from osiwire.store import Store
from osiwire.store.engine import SearchIndex, SearchRebuilding
from osiwire.store.engine import index as engine_index
from osiwire.store.query import QueryError, parse_query
from test_postings import QUERIES, _fts5, kremlin  # noqa: F401  (kremlin: a fixture)

# Where FTS5 and the engine read a word differently, by design (the engine is the stricter of the two):
# FTS5's tokenizer stems again with porter what osiwire already stemmed with snowball ("sanctions" ->
# "sanction" -> "sanction"; "securities" -> "secur" -> "secur"), and strips diacritics (й = и).
PORTER_ONLY = {"sanction*", "secur* -Moscow"}


def _engine_ids(index: SearchIndex, store: Store, query: str) -> set[int]:
    return {int(i) for part in index.matches(parse_query(query, store.lemmatiser)) for i in part.ids}


def _fts5_ids(path: Path, store: Store, query: str) -> set[int]:
    return {rid for part in _fts5(path, query, store) for rid, _ in part}


def _random_queries(path: Path, count: int, seed: int) -> list[str]:
    """Queries of every shape made of real title words (as test_postings makes them)."""
    rng = random.Random(seed)
    with sqlite3.connect(path) as conn:
        titles = " ".join(row[0] for row in conn.execute("SELECT title FROM releases"))
    words = sorted(set(re.findall(r"[А-Яа-яЁё]{4,}", titles)))
    queries = []
    for _ in range(count):
        picked = rng.sample(words, rng.randint(1, 3))
        shape = rng.choice(("and", "or", "not", "phrase", "prefix", "yo"))
        if shape == "or" and len(picked) > 1:
            queries.append(" OR ".join(picked))
        elif shape == "not" and len(picked) > 1:
            queries.append(f"{picked[0]} -{picked[1]}")
        elif shape == "phrase":
            queries.append(f'"{" ".join(picked)}"')
        elif shape == "prefix":
            queries.append(picked[0][:4].lower() + "*")
        elif shape == "yo":
            queries.append(" ".join(w.replace("е", "ё").upper() for w in picked))
        else:
            queries.append(" ".join(picked))
    return queries


@pytest.fixture
def engine(kremlin: tuple[Store, Path], tmp_path: Path) -> SearchIndex:
    _, path = kremlin
    index = SearchIndex(path, tmp_path / "search")
    index.open(block=True)
    yield index
    index.close()


def test_hit_sets_are_fts5s_for_every_query_shape(kremlin: tuple[Store, Path], engine: SearchIndex) -> None:
    store, path = kremlin
    for query in [q for q in QUERIES if q not in PORTER_ONLY] + _random_queries(path, 150, 5):
        assert _engine_ids(engine, store, query) == _fts5_ids(path, store, query), query
    assert _engine_ids(engine, store, "Moscow")  # the English translation is searched beside the original
    # Porter's extra stemming: FTS5 finds more; the engine finds a subset, never another release.
    for query in PORTER_ONLY:
        assert _engine_ids(engine, store, query) <= _fts5_ids(path, store, query), query


def test_inflection_scripts_and_yo_reach_the_same_releases(
    kremlin: tuple[Store, Path],
    engine: SearchIndex,
) -> None:
    store, _ = kremlin
    moscow = _engine_ids(engine, store, "Москва")
    assert moscow and _engine_ids(engine, store, "москве") == moscow == _engine_ids(engine, store, "МОСКВОЙ")
    assert _engine_ids(engine, store, "Россия OR Москва") >= moscow
    assert _engine_ids(engine, store, "Москва -Москва") == set()


def test_top_k_agrees_with_every_match(kremlin: tuple[Store, Path], engine: SearchIndex) -> None:
    store, _ = kremlin
    query = parse_query("Путин", store.lemmatiser)
    everything = engine.matches(query)[0]
    best, count = engine.top(query, 10)
    assert count == len(everything.ids) > 10
    by_score = dict(zip(everything.ids.tolist(), everything.scores.tolist(), strict=True))
    assert [score for _, score in best] == sorted(by_score.values(), reverse=True)[:10]
    newest, _ = engine.top(query, 5, newest=True)
    assert {rid for rid, _ in newest} <= set(by_score)


BAD_INPUT = [
    "слово " * 100,  # 500 characters: more terms than a query may have
    " OR ".join(f"слово{i}" for i in range(50)),
    "*",
    "-",
    '"unbalanced quote',
    'a "b',
    "\x00",
    "путин\x00путин",
    "**** ----",
    "-путин",
    "a" * 70_000,  # longer than any term tantivy takes
]


def test_bad_input_is_a_query_error_or_an_answer(kremlin: tuple[Store, Path], engine: SearchIndex) -> None:
    store, _ = kremlin
    for text in BAD_INPUT:
        try:
            query = parse_query(text, store.lemmatiser)
        except QueryError as exc:
            assert text[:20] in str(exc) or "terms" in str(exc), text
            continue
        if not query.empty:
            assert isinstance(engine.matches(query)[0].ids.tolist(), list)


def test_every_write_is_followed_and_a_crash_replays_the_log(
    kremlin: tuple[Store, Path],
    tmp_path: Path,
) -> None:
    store, path = kremlin
    index = SearchIndex(path, tmp_path / "search")
    index.open(block=True)
    assert index.take_changed() is None  # built: anything may have changed
    result = store.releases.save(
        make_article("https://example.org/new", "Шашлык и плов", ["Шашлыки жарили."])
    )
    assert not _engine_ids(index, store, "шашлык")
    index.follow()
    assert _engine_ids(index, store, "шашлык") == {result.release_id}
    assert index.take_changed() == {result.release_id}
    # A new version replaces the release's document (never a second one); so does each commit's state.
    store.releases.save(make_article("https://example.org/new", "Шашлык и плов", ["Шашлыки жарили. Ещё."]))
    index.follow()
    index.follow()
    assert index.matches(parse_query("шашлык", store.lemmatiser))[0].ids.tolist() == [result.release_id]
    assert index.searcher().num_docs == 126 + 1  # the releases and the state document
    index.close()
    # Written while no index followed: the next process replays the log from the change its index holds.
    later = store.releases.save(make_article("https://example.org/later", "Плов", ["Плов с бараниной."]))
    index = SearchIndex(path, tmp_path / "search")
    index.open(block=True)
    assert index.rebuilds == 0
    assert _engine_ids(index, store, "плов") == {result.release_id, later.release_id}
    index.close()


def test_a_rebuild_resumes_where_it_stopped(
    kremlin: tuple[Store, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, path = kremlin
    monkeypatch.setattr(engine_index, "COMMIT_EVERY", 40)
    monkeypatch.setattr(engine_index, "BATCH", 20)
    index = SearchIndex(path, tmp_path / "search")

    def crash(done: int, total: int) -> None:
        if done >= 60:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        index.open(block=True, progress=crash)
    index.close()
    seen: list[tuple[int, int]] = []
    index = SearchIndex(path, tmp_path / "search")
    index.open(block=True, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][1] == 125 - 40  # the first 40 were committed before the crash
    assert _engine_ids(index, store, "Путин") == _fts5_ids(path, store, "Путин")
    index.close()


@pytest.mark.parametrize("damage", ["delete", "corrupt"])
def test_a_deleted_or_corrupted_index_is_rebuilt_with_one_log_line(
    damage: str,
    kremlin: tuple[Store, Path],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, path = kremlin
    index = SearchIndex(path, tmp_path / "search")
    index.open(block=True)
    want = _engine_ids(index, store, "Путин")
    slot = index.slot
    assert slot is not None
    index.close()
    if damage == "delete":
        import shutil

        shutil.rmtree(slot)
    else:
        (slot / "meta.json").write_text("{not json", encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="osiwire.store.engine.index")
    index = SearchIndex(path, tmp_path / "search")
    index.open(block=True)
    assert _engine_ids(index, store, "Путин") == want
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) <= 1
    index.close()


def test_an_index_deleted_under_a_running_server_is_rebuilt_while_search_says_so(
    kremlin: tuple[Store, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, path = kremlin
    index = SearchIndex(path, tmp_path / "search")
    index.open(block=True)
    want = _engine_ids(index, store, "Путин")
    import shutil
    import threading

    gate = threading.Event()
    real_add = SearchIndex._add

    def slow_add(self: SearchIndex, rows: object) -> int:
        gate.wait(10)
        return real_add(self, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(SearchIndex, "_add", slow_add)
    assert index.slot is not None
    shutil.rmtree(index.slot)
    store.releases.save(make_article("https://example.org/x", "Новое", ["Новое."]))
    index.follow()  # finds its directory gone: rebuilds in the background
    with pytest.raises(SearchRebuilding, match="rebuilding"):
        index.matches(parse_query("Путин", store.lemmatiser))
    gate.set()
    thread = index._rebuilding
    if thread is not None:
        thread.join(30)
    assert _engine_ids(index, store, "Путин") == want
    index.close()


def test_two_processes_on_one_store_keep_two_indexes_that_both_follow(
    kremlin: tuple[Store, Path],
    tmp_path: Path,
) -> None:
    store, path = kremlin
    with (
        closing(SearchIndex(path, tmp_path / "search")) as first,
        closing(SearchIndex(path, tmp_path / "search")) as second,
    ):
        first.open(block=True)
        second.open(block=True)
        assert first.slot != second.slot
        saved = store.releases.save(make_article("https://example.org/both", "Шашлык", ["Шашлык."]))
        first.follow()
        second.follow()
        assert (
            _engine_ids(first, store, "шашлык") == _engine_ids(second, store, "шашлык") == {saved.release_id}
        )


def test_a_search_broader_than_the_first_read_is_read_whole(
    kremlin: tuple[Store, Path], engine: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, path = kremlin
    want = _engine_ids(engine, store, "Путин")
    assert len(want) > 5
    monkeypatch.setattr(engine_index, "FIRST_READ", 5)
    assert _engine_ids(engine, store, "Путин") == want == _fts5_ids(path, store, "Путин")
    found = engine.matches(parse_query("Путин", store.lemmatiser))[0]
    assert len(found.ids) == len(set(found.ids.tolist())) == len(found.scores)


def test_closing_stops_a_background_rebuild_which_the_next_start_resumes(
    kremlin: tuple[Store, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, path = kremlin
    monkeypatch.setattr(engine_index, "BATCH", 10)
    monkeypatch.setattr(engine_index, "SYNC_REBUILD_MAX", 0)  # built in the background
    index = SearchIndex(path, tmp_path / "search")
    index.open()
    index.close()  # at once: the rebuild stops at its next batch instead of running to its end
    index = SearchIndex(path, tmp_path / "search")
    index.open(block=True)
    assert _engine_ids(index, store, "Путин") == _fts5_ids(path, store, "Путин")
    index.close()
