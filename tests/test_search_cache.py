"""The server's search cache and facet index give the SQL answers, follow every write, and survive threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from enriched_store import COUNCIL, Seeded, seed
from factories import make_article, make_source
from osiwire.config import load_settings
from osiwire.model import Enrichment, PersonName, SearchFilters, SentencePair, TopicMatch, Translation
from osiwire.store import Store, search_cache
from osiwire.store.facet_index import FacetIndex
from osiwire.store.facets import FACETS, facets
from osiwire.store.search import SORTS, search
from osiwire.store.search_cache import DEPTH, SearchCache
from test_facets import big_store  # noqa: F401  (a fixture: 5,000 enriched releases)

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture
def corpus(tmp_path: object) -> Iterator[tuple[Store, Seeded]]:
    store = Store(f"sqlite:///{tmp_path}/db.sqlite")
    seeded = seed(store)
    yield store, seeded
    store.close()


def _agree(
    store: Store, cache: SearchCache, query: str, filters: SearchFilters, exclude: tuple[int, ...]
) -> None:
    for sort in SORTS:
        for offset, limit in ((0, 20), (20, 20), (0, 500), (3, 7)):
            want = search(store.db, store.lemmatiser, query, filters, limit=limit, offset=offset, sort=sort)
            got = cache.search(query, filters, limit=limit, offset=offset, sort=sort)
            assert got.total == want.total, (query, filters, sort)
            assert [h.id for h in got.hits] == [h.id for h in want.hits], (query, filters, sort, offset)
            assert [h.snippet for h in got.hits] == [h.snippet for h in want.hits]
            assert [h.highlights for h in got.hits] == [h.highlights for h in want.hits]
            assert [h.score for h in got.hits] == pytest.approx([h.score for h in want.hits])
    for limit in (1, 3, 10, 1000):
        want_facets = facets(store.db, store.lemmatiser, query, filters, limit_per_facet=limit)
        assert cache.facets(query, filters, limit_per_facet=limit) == want_facets, (query, filters, limit)
    only = ("person", "month")
    want_facets = facets(store.db, store.lemmatiser, query, filters, only=only, exclude_people=exclude)
    assert cache.facets(query, filters, only=only, exclude_people=exclude) == want_facets


CASES = [
    ("", SearchFilters()),
    ("Москва", SearchFilters()),
    ("Moscow", SearchFilters()),  # matched in the English translation
    ("Москва OR ОДКБ", SearchFilters()),
    ("безопасность -Москва", SearchFilters()),
    ('"Совет Безопасности"', SearchFilters()),
    ("", SearchFilters(topic="border-security")),
    ("", SearchFilters(organisation=COUNCIL.upper())),
    ("", SearchFilters(region="казахстан")),
    ("", SearchFilters(language="RU")),  # language, region, country and source: from the facet index
    ("", SearchFilters(language="xx")),
    ("", SearchFilters(country="kz", language="ru")),
    ("", SearchFilters(source="KREMLIN")),
    ("", SearchFilters(source="2")),  # by id
    ("", SearchFilters(region="Caucasus", source="MFA Armenia")),
    ("Москва", SearchFilters(language="ru", region="Russian Federation")),
    ("", SearchFilters(language="ru", topic="economy-trade")),  # with an enrichment filter: SQL
    ("Москва", SearchFilters(mentions_country="KZ")),
    ("нет-такого-слова", SearchFilters()),
]


@pytest.mark.parametrize(("query", "filters"), CASES)
def test_cache_agrees_with_sql_on_the_enriched_corpus(
    corpus: tuple[Store, Seeded], query: str, filters: SearchFilters
) -> None:
    store, _ = corpus
    cache = SearchCache(store.db, store.lemmatiser)
    try:
        people = [p.id for p in store.enrichments.people("")][:1]
        _agree(store, cache, query, filters, tuple(people))
        _agree(store, cache, query, filters, tuple(people))  # answered from the cache: the same again
        assert cache.hits > 0
    finally:
        cache.close()


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("", SearchFilters()),
        ("безопасность", SearchFilters()),
        ("Москва переговоры", SearchFilters(region="казахстан")),
        ("визит OR оборона", SearchFilters(since=datetime(2024, 3, 1, tzinfo=UTC))),
        ("", SearchFilters(topic="security", mentions_country="KZ")),
        ("президент", SearchFilters(person="person3:x")),
        ("", SearchFilters(organisation="организация номер 7")),
    ],
)
def test_cache_agrees_with_sql_on_a_big_store(
    big_store: Store,  # noqa: F811
    query: str,
    filters: SearchFilters,
) -> None:
    cache = SearchCache(big_store.db, big_store.lemmatiser)
    try:
        _agree(big_store, cache, query, filters, (3, 4, 5))
        # Past the hits kept per search, pages come from SQL, in the same order.
        deep = cache.search(query, filters, limit=20, offset=DEPTH - 10)
        want = search(big_store.db, big_store.lemmatiser, query, filters, limit=20, offset=DEPTH - 10)
        assert [h.id for h in deep.hits] == [h.id for h in want.hits]
    finally:
        cache.close()


def test_every_write_reaches_the_cached_answers(tmp_path: object) -> None:
    store = Store(f"sqlite:///{tmp_path}/db.sqlite")
    try:
        assert store.enable_search_cache()
        seeded = seed(store)
        before = store.search("Москва")
        facets_before = store.facets("Москва")
        # A new release: found at once, counted in its source's facet.
        source = store.sources.add(make_source("Newcomer", region="Arctic", country="NO"))
        assert source.id is not None
        store.releases.save(
            make_article("https://example.org/new", "Москва и Арктика", ["В Москве"], source_id=source.id)
        )
        after = store.search("Москва")
        assert after.total == before.total + 1
        assert "Arctic" in {v.value for v in store.facets("Москва").region}
        assert store.facets("Москва").total == facets_before.total + 1
        # A release enriched again without a topic: the topic facet follows.
        topics = {v.value: v.count for v in store.facets("").topic}
        assert topics["border-security"] == 2
        release = store.releases.get(seeded.council)
        assert release.id is not None
        found = store.enrichments.get(release.id)
        assert found is not None
        kept = tuple(t for t in found.topics if t.id != "border-security")
        store.enrichments.save(release.id, release.current.version_no, replace(found, topics=kept), NOW)
        topics = {v.value: v.count for v in store.facets("").topic}
        assert topics["border-security"] == 1
        # A renamed source: its facet label follows.
        store.sources.add(replace(source, name="Renamed newcomer"), update_existing=True)
        assert "Renamed newcomer" in {v.label for v in store.facets("Москва").source}
        assert seeded.council in {h.id for h in store.search("", limit=100).hits}
    finally:
        store.close()


def test_threads_reading_while_a_writer_writes(tmp_path: object) -> None:
    store = Store(f"sqlite:///{tmp_path}/db.sqlite")
    errors: list[BaseException] = []
    try:
        store.enable_search_cache()
        source = store.sources.add(make_source("Wire"))
        assert source.id is not None
        stop = threading.Event()

        def read() -> None:
            try:
                while not stop.is_set():
                    page = store.search("совещание")
                    counted = store.facets("совещание", only=FACETS)
                    assert page.total >= len(page.hits)
                    assert counted.total >= 0
            except BaseException as exc:
                errors.append(exc)

        readers = [threading.Thread(target=read) for _ in range(4)]
        for thread in readers:
            thread.start()
        for i in range(60):
            saved = store.releases.save(
                make_article(f"https://example.org/{i}", f"совещание {i}", ["совещание"], source_id=source.id)
            )
            topic = TopicMatch(f"topic-{i % 3}", f"Topic {i % 3}")
            store.enrichments.save(saved.release_id, saved.version_no, Enrichment(topics=(topic,)), NOW)
        stop.set()
        for thread in readers:
            thread.join(timeout=30)
        assert not errors, errors[0]
        assert store.search("совещание").total == 60
        counted = store.facets("совещание")
        assert counted.total == 60
        assert sorted((v.value, v.count) for v in counted.topic) == [
            ("topic-0", 20),
            ("topic-1", 20),
            ("topic-2", 20),
        ]
    finally:
        store.close()


def test_the_cache_needs_an_sqlite_file() -> None:
    store = Store("sqlite://")
    try:
        assert store.enable_search_cache() is False
        assert store.search_cache is None
    finally:
        store.close()


def test_a_refresh_in_progress_is_never_read_half_done(
    corpus: tuple[Store, Seeded], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = corpus
    index = FacetIndex(store.db)
    index.refresh()
    ids = index.all_ids()
    before = index.count(ids, limit=10)
    reading = threading.Event()
    original = FacetIndex._read

    def slow_read(self: FacetIndex, conn: Any, full: bool) -> None:
        reading.set()  # the arrays are reset (a full refresh): a reader now would see none of them
        time.sleep(0.3)
        original(self, conn, full)

    monkeypatch.setattr(FacetIndex, "_read", slow_read)
    store.sources.add(make_source("Another"))  # a changed registry: a full refresh
    refresher = threading.Thread(target=index.refresh)
    refresher.start()
    assert reading.wait(10)
    assert index.count(ids, limit=10) == before  # waited for the refresh, then read it whole
    assert index.known(ids)
    refresher.join(10)


def test_a_data_directory_with_characters_a_url_escapes(tmp_path: Path) -> None:
    odd = tmp_path / "a dir?with #odd %20 ünïcode"
    store = Store(load_settings(odd, environ={}).database)
    try:
        assert store.enable_search_cache()
        source = store.sources.add(make_source("Wire"))
        assert source.id is not None
        store.releases.save(make_article("https://example.org/1", "Москва", ["Москва"], source_id=source.id))
        assert store.search("Москва").total == 1
        store.releases.save(make_article("https://example.org/2", "Москва", ["Москва"], source_id=source.id))
        assert store.search("Москва").total == 2  # the change was seen through the watching connection
        assert (
            odd / "osiwire.db"
        ).is_file()  # the database is where the directory says, not at a decoded path
    finally:
        store.close()


def _wait_for(condition: Any, limit_s: float = 10.0) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_recent_costly_search_is_answered_while_it_is_evaluated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_cache, "STALE_WORTHY_S", 0.0)  # every search counts as costly here
    store = Store(f"sqlite:///{tmp_path}/db.sqlite")
    try:
        store.enable_search_cache(max_stale_s=5)
        cache = store.search_cache
        assert cache is not None
        source = store.sources.add(make_source("Wire"))
        assert source.id is not None
        store.releases.save(make_article("https://example.org/1", "Москва", ["Москва"], source_id=source.id))
        assert store.search("Москва").total == store.facets("Москва").total == 1
        evaluated = time.monotonic()
        store.releases.save(make_article("https://example.org/2", "Москва", ["Москва"], source_id=source.id))
        # Answered at once from the evaluation of a moment ago; not yet evaluated again (under 30 % of its age).
        assert store.search("Москва").total == 1
        assert cache.stats().stale == 1
        time.sleep(max(0.0, evaluated + 3.6 - time.monotonic()))
        # Past 70 % of its allowance: still answered, and evaluated again beside the requests.
        assert store.search("Москва").total == 1
        assert _wait_for(lambda: store.search("Москва").total == 2, limit_s=1.2)
        assert cache.stats().misses == 1  # renewed in the background, not by a request
        assert store.facets("Москва").total == 2
        # A search never evaluated before is evaluated on the data as it is.
        assert store.search("Москве").total == 2
    finally:
        store.close()


def _wire(tmp_path: Path, max_stale_s: float) -> tuple[Store, int]:
    """A store with its search cache on and one source; the source's id."""
    store = Store(f"sqlite:///{tmp_path}/db.sqlite")
    store.enable_search_cache(max_stale_s=max_stale_s)
    source = store.sources.add(make_source("Wire"))
    assert source.id is not None
    return store, source.id


def _save(store: Store, source_id: int, n: int, word: str = "Москва") -> None:
    store.releases.save(make_article(f"https://example.org/{n}", word, [word], source_id=source_id))


def test_a_cheap_search_is_always_evaluated_on_the_data_as_it_is(tmp_path: Path) -> None:
    store, source_id = _wire(tmp_path, 600)
    try:
        _save(store, source_id, 1)
        assert store.search("Москва").total == store.search("").total == 1  # milliseconds each: cheap
        _save(store, source_id, 2)
        assert store.search("Москва").total == store.search("").total == 2
    finally:
        store.close()


def test_a_broad_search_is_answered_from_recent_data_however_cheap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_cache, "STALE_WORTHY_MATCHES", 2)
    store, source_id = _wire(tmp_path, 600)
    try:
        _save(store, source_id, 1)
        _save(store, source_id, 2)
        assert store.search("Москва").total == 2  # broad: 2 matches
        _save(store, source_id, 3)
        assert store.search("Москва").total == 2  # answered from the evaluation of a moment ago
        _save(store, source_id, 4, "Берлин")
        assert store.search("Берлин").total == 1  # narrow: on the data as it is
    finally:
        store.close()


def test_an_older_search_is_evaluated_again_before_it_is_answered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_cache, "STALE_WORTHY_S", 0.0)
    store, source_id = _wire(tmp_path, 0.2)
    try:
        _save(store, source_id, 1)
        assert store.search("Москва").total == 1
        time.sleep(0.3)  # older than max_stale_s
        _save(store, source_id, 2)
        assert store.search("Москва").total == 2
    finally:
        store.close()


def test_kept_hits_follow_edits_translations_and_the_registry(tmp_path: Path) -> None:
    store, source_id = _wire(tmp_path, 0)
    try:
        _save(store, source_id, 1)
        _save(store, source_id, 2, "Москва и Берлин")
        cache = store.search_cache
        assert cache is not None

        def agree(query: str) -> list[tuple[str, str, str]]:
            want = search(store.db, store.lemmatiser, query)
            got = store.search(query)
            assert got == want, query  # every field: rows, snippets, highlights, scores
            return [(h.title, h.snippet, h.source) for h in got.hits]

        assert len(agree("Москва")) == 2
        agree("Берлин")
        # A new version of a release on the page: its title and snippet follow.
        store.releases.save(
            make_article(
                "https://example.org/2", "Москва, Берлин и Париж", ["Берлин. Москва."], source_id=source_id
            )
        )
        assert ("Москва, Берлин и Париж", "Берлин. Москва.", "Wire") in agree("Москва")
        # Another release stored: the kept hit of the first is reused, with its new score.
        _save(store, source_id, 3)
        agree("Москва")
        # An English translation: a search matching only it shows it.
        release = store.releases.get(1)
        assert release.id is not None
        pairs = (SentencePair(1, 0, "Москва", "Moscow is the capital.", "ru", "test", "m"),)
        store.translations.save(release.id, 1, Translation("en", pairs, "complete"), NOW)
        assert agree("capital") == [("Москва", "Moscow is the capital.", "Wire")]
        # A renamed source: every kept hit shows the new name.
        source = store.sources.get(source_id)
        store.sources.add(replace(source, name="Renamed wire"), update_existing=True)
        assert {hit[2] for hit in agree("Москва")} == {"Renamed wire"}
    finally:
        store.close()


def test_a_batch_enriched_at_one_time_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(f"sqlite:///{tmp_path}/db.sqlite")
    try:
        source = store.sources.add(make_source("Wire"))
        assert source.id is not None
        ids = [
            store.releases.save(
                make_article(f"https://example.org/{n}", "Москва", ["Москва"], source_id=source.id)
            ).release_id
            for n in range(5)
        ]
        topic = Enrichment(topics=(TopicMatch("economy-trade", "Economy"),))
        for release_id in ids[:3]:  # a batch: one time for all
            store.enrichments.save(release_id, 1, topic, NOW)
        index = FacetIndex(store.db)
        index.refresh()
        read: list[list[int]] = []
        replace_pairs = type(index.many["topic"]).replace

        def spy(pairs: Any, changed: Any, rows: Any, **options: Any) -> None:
            read.append(sorted(changed.tolist()))
            replace_pairs(pairs, changed, rows, **options)

        monkeypatch.setattr(type(index.many["topic"]), "replace", spy)
        store.enrichments.save(ids[3], 1, topic, NOW)  # the batch's time again: still read
        index.refresh()
        store.enrichments.save(ids[4], 1, topic, NOW.replace(day=2))
        index.refresh()
        assert read[0] == [ids[3]] and read[-1] == [ids[4]]  # not the whole batch each time
        counts = {v.value: v.count for v in index.count(index.all_ids(), limit=10, only=("topic",)).topic}
        want = {v.value: v.count for v in facets(store.db, store.lemmatiser, "", limit_per_facet=10).topic}
        assert counts == want == {"economy-trade": 5}
    finally:
        store.close()


def test_a_person_renamed_by_a_fuller_name_is_shown_renamed_on_every_release(tmp_path: Path) -> None:
    store, source_id = _wire(tmp_path, 0)
    try:
        _save(store, source_id, 1)
        _save(store, source_id, 2)
        short = PersonName("Михаил", "", "Котюков", "", "Mikhail Kotyukov", ("Котюков",))
        # A fuller name of the same person whose English form sorts before the shorter one.
        full = PersonName("Михаил", "Абрамович", "Котюков", "", "Mikhail Abramovich Kotyukov", ("Котюков",))
        store.enrichments.save(1, 1, Enrichment(people=(short,)), NOW)
        assert [v.label for v in store.facets("Москва").person] == ["Mikhail Kotyukov"]
        store.enrichments.save(2, 1, Enrichment(people=(full,)), NOW.replace(day=2))
        want = facets(store.db, store.lemmatiser, "Москва")
        assert store.facets("Москва") == want
        assert [(v.label, v.count) for v in want.person] == [("Mikhail Abramovich Kotyukov", 2)]
    finally:
        store.close()


def test_a_search_asked_again_inside_its_own_evaluation_does_not_wait_for_itself(
    corpus: tuple[Store, Seeded], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = corpus
    store.enable_search_cache()
    cache = store.search_cache
    assert cache is not None
    evaluate = cache._evaluate
    nested: list[int] = []
    calls: list[int] = []

    def reentrant(query: Any, filters: Any, token: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # an evaluation that needs the same search's entry (as an engine filter would)
            nested.append(cache._entry(query, filters).total)
        return evaluate(query, filters, token)

    monkeypatch.setattr(cache, "_evaluate", reentrant)
    answer: list[int] = []
    worker = threading.Thread(
        target=lambda: answer.append(store.search("", SearchFilters(language="ru")).total)
    )
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "the search waited for itself"
    assert answer == nested and answer[0] > 0
