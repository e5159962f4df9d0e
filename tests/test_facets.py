"""Enrichment filters of search and the facet counts: known answers, hostile input, agreement, speed."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from enriched_store import COUNCIL, HOSTILE, Seeded, day, seed
from factories import make_article, make_source
from osiwire.model import SearchFilters
from osiwire.store import Store
from osiwire.store.facets import FACETS, Facets
from osiwire.store.query import QueryError
from osiwire.store.schema import (
    enrichments,
    entities,
    mentions,
    people,
    release_countries,
    release_people,
    release_topics,
    versions,
)
from pg import searchable

FACET_BUDGET_S = 0.2  # the brief's ceiling for all facets of one search over ~5k releases
BIG_STORE = 5000
SEEN = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, module_store_url: str) -> Iterator[tuple[Store, Seeded]]:
    store = searchable(Store(module_store_url), tmp_path_factory.mktemp("facets"))
    seeded = seed(store)
    yield store, seeded
    store.close()


def _ids(store: Store, query: str = "", **filters: Any) -> set[int]:
    return {h.id for h in store.search(query, SearchFilters(**filters), limit=100).hits}


# -- filters ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "filters", "expected"),
    [
        ("", {"topic": "border-security"}, {"council", "astana"}),
        ("", {"topic": "economy-trade"}, {"talks", "astana"}),
        ("", {"topic": "terrorism"}, set()),  # only version 1 of "edited" had it
        ("", {"topic": "Security"}, set()),  # topic ids are exact
        ("", {"person": "putin:vv"}, {"council", "talks"}),
        ("", {"person": "patrushev:np"}, {"council"}),  # not "edited": its current version names nobody
        ("", {"organisation": COUNCIL}, {"council", "astana"}),  # both spellings of the entity
        ("", {"organisation": COUNCIL.upper()}, {"council", "astana"}),
        ("", {"organisation": "одкб"}, {"talks"}),
        ("", {"organisation": "ОДК"}, set()),  # a whole name, not a part
        ("", {"mentions_country": "KZ"}, {"council", "talks"}),
        ("", {"mentions_country": "ru"}, {"council", "astana"}),
        ("", {"mentions_country": "BY"}, set()),
        ("", {"region": "казахстан"}, {"astana", "hostile"}),  # case folded in Cyrillic too
        ("", {"source": "akorda"}, {"astana", "hostile"}),
        ("", {"topic": "border-security", "region": "Russian Federation"}, {"council"}),
        ("", {"topic": "economy-trade", "person": "tokaev:kk", "mentions_country": "RU"}, {"astana"}),
        ("Москва", {}, {"council", "talks", "hostile"}),
        ("Москва", {"topic": "economy-trade"}, {"talks"}),
        ("Moscow", {"organisation": "ОДКБ"}, {"talks"}),  # matched in the English translation
        ("", {"topic": HOSTILE}, {"hostile"}),
        ("", {"organisation": HOSTILE}, {"hostile"}),
    ],
)
def test_enrichment_filters(
    corpus: tuple[Store, Seeded], query: str, filters: dict[str, str], expected: set[str]
) -> None:
    store, seeded = corpus
    assert _ids(store, query, **filters) == {getattr(seeded, name) for name in expected}


@pytest.mark.parametrize(
    "value",
    [
        "' OR 1=1 --",
        "'); DROP TABLE releases; --",
        "%",
        "_",
        "*",
        '"',
        "\x00",
        "9" * 30,  # past any integer key
        "-1",
        "1e9",
        "١",  # an Arabic-Indic digit: no id
        "ё" * 500,
    ],
)
@pytest.mark.parametrize("field", ["topic", "person", "organisation", "mentions_country", "region", "source"])
def test_hostile_filter_values_match_nothing(corpus: tuple[Store, Seeded], field: str, value: str) -> None:
    store, _ = corpus
    page = store.search("", SearchFilters(**{field: value}))
    assert (page.total, page.hits) == (0, ())
    assert store.facets("", SearchFilters(**{field: value})).total == 0
    assert store.releases.count() == 6  # still there


def test_person_by_id(corpus: tuple[Store, Seeded]) -> None:
    store, seeded = corpus
    (putin,) = store.enrichments.people("Putin")
    assert _ids(store, person=str(putin.id)) == {seeded.council, seeded.talks}


# -- facets -------------------------------------------------------------------------------------------------


def _values(facets: Facets, name: str) -> list[tuple[str, int]]:
    return [(v.value, v.count) for v in getattr(facets, name)]


def test_facet_counts(corpus: tuple[Store, Seeded]) -> None:
    store, seeded = corpus
    facets = store.facets()
    assert facets.total == 6
    assert _values(facets, "region") == [("Russian Federation", 3), ("Казахстан", 2), ("Caucasus", 1)]
    assert _values(facets, "country") == [("RU", 3), ("KZ", 2), ("AM", 1)]
    assert _values(facets, "source") == [
        (str(seeded.kremlin), 3),
        (str(seeded.akorda), 2),
        (str(seeded.armenia), 1),
    ]
    assert [v.label for v in facets.source] == ["Kremlin", "Akorda", "MFA Armenia"]
    assert _values(facets, "language") == [("ru", 5), ("en", 1)]
    assert _values(facets, "topic") == [("border-security", 2), ("economy-trade", 2), (HOSTILE, 1)]
    assert [v.label for v in facets.topic][:2] == ["Border security", "Economy and trade"]
    people = {v.label: v.count for v in facets.person}
    assert people == {"Vladimir Putin": 2, "Kassym-Jomart Tokayev": 2, "Nikolai Patrushev": 1}
    organisations = {v.value: v.count for v in facets.organisation}
    assert organisations == {COUNCIL.lower(): 2, "одкб": 1, HOSTILE: 1}
    assert _values(facets, "month") == [("2025-01", 2), ("2025-02", 4)]


def test_facets_of_a_search_and_limits(corpus: tuple[Store, Seeded]) -> None:
    store, _ = corpus
    facets = store.facets("Москва", SearchFilters(region="Russian Federation"), limit_per_facet=1)
    assert facets.total == 2
    assert len(facets.person) == 1 and facets.person[0].label == "Vladimir Putin"
    assert len(facets.month) == 2  # months are never cut
    only = store.facets(only=("topic",))
    assert only.topic and not only.region and not only.person
    assert store.facets("Пхеньян") == Facets(total=0)
    with pytest.raises(QueryError):
        store.facets(only=("colour",))
    with pytest.raises(QueryError):
        store.facets("-Москва")


def _filter_for(name: str, value: str) -> dict[str, Any]:
    if name == "month":
        start = datetime.strptime(value, "%Y-%m").replace(tzinfo=UTC)
        end = (start + timedelta(days=32)).replace(day=1)
        return {"since": start, "until": end}
    return {name: value}


@pytest.mark.parametrize("query", ["", "Москва", "совещание OR talks"])
@pytest.mark.parametrize(
    "base",
    [
        SearchFilters(),
        SearchFilters(region="Казахстан"),
        SearchFilters(topic="border-security"),
        SearchFilters(mentions_country="KZ", since=day(2, 1)),
    ],
)
def test_facets_agree_with_search(corpus: tuple[Store, Seeded], query: str, base: SearchFilters) -> None:
    store, _ = corpus
    facets = store.facets(query, base, limit_per_facet=100)
    assert facets.total == store.search(query, base).total
    for name in FACETS:
        for value in getattr(facets, name):
            narrowing = _filter_for(name, value.value)
            if any(getattr(base, k) is not None for k in narrowing):
                continue  # one value per filter: a topic facet within topic=security is not a filter
            narrowed = replace(base, **narrowing)
            assert store.search(query, narrowed).total == value.count, (name, value)


# -- speed --------------------------------------------------------------------------------------------------


def _bulk_enrich(store: Store, rng: random.Random) -> None:
    """Enrichment rows for every release, written directly: the enrich stage takes ~4 ms a release."""
    surnames = ["Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Лебедев", "Козлов"]
    with store.db.writing() as conn:
        version_ids = [r.id for r in conn.execute(select(versions.c.id))]
        conn.execute(
            insert(people),
            [
                {"id": i + 1, "key": f"person{i}:x", "display": f"{surnames[i % 8]} {i}", "name_en": f"Person {i}",
                 "first": "", "patronymic": "", "last": surnames[i % 8], "initials": "",
                 "first_seen_at": SEEN, "last_seen_at": SEEN}
                for i in range(300)
            ],
        )  # fmt: skip
        conn.execute(
            insert(entities),
            [{"id": i + 1, "type": "ORG", "normal": f"Организация номер {i}"} for i in range(400)]
            + [{"id": 1000 + i, "type": "LOC", "normal": f"Город {i}"} for i in range(100)],
        )
        conn.execute(insert(enrichments), [{"version_id": v, "enriched_at": SEEN} for v in version_ids])
        topics = ["security", "economy", "defence", "terrorism", "health", "energy", "cyber", "migration"]
        conn.execute(
            insert(release_topics),
            [{"version_id": v, "topic": t, "label": t.title(), "evidence": "[]"}
             for v in version_ids for t in rng.sample(topics, 2)],
        )  # fmt: skip
        conn.execute(
            insert(release_people),
            [{"version_id": v, "person_id": p} for v in version_ids for p in rng.sample(range(1, 301), 4)],
        )
        conn.execute(
            insert(release_countries),
            [{"version_id": v, "country": c, "rank": i}
             for v in version_ids for i, c in enumerate(rng.sample(["RU", "KZ", "BY", "AM", "KG", "CN"], 3))],
        )  # fmt: skip
        rows = []
        for v in version_ids:
            for e in rng.sample(range(1, 401), 6) + rng.sample(range(1000, 1100), 6):
                kind = "ORG" if e < 1000 else "LOC"
                rows.append({"version_id": v, "entity_id": e, "segment": 1, "start": 0, "end": 5, "type": kind,
                             "text": "x", "normal": "x"})  # fmt: skip
        conn.execute(insert(mentions), rows)


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    rng = random.Random(5)
    store = Store("sqlite:///" + str(tmp_path_factory.mktemp("big") / "db.sqlite"))
    regions = [("Russian Federation", "RU"), ("Казахстан", "KZ"), ("Caucasus", "AM"), ("Central Asia", "KG")]
    ids = [
        store.sources.add(make_source(f"Source {i}", region=regions[i % 4][0], country=regions[i % 4][1])).id
        for i in range(20)
    ]
    words = [
        "совещание",
        "безопасность",
        "Москва",
        "сотрудничество",
        "экономика",
        "оборона",
        "переговоры",
        "визит",
        "президент",
    ]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    articles = [
        make_article(
            f"https://example.org/{i}",
            " ".join(rng.choices(words, k=5)),
            [" ".join(rng.choices(words, k=25)), " ".join(rng.choices(words, k=25))],
            source_id=ids[i % 20],
            published=start + timedelta(hours=2 * i),
        )
        for i in range(BIG_STORE)
    ]
    store.releases.save_many(articles)
    _bulk_enrich(store, rng)
    yield store
    store.close()


def _best_of(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    """The shortest wall time and the shortest CPU time of this thread over ``runs`` runs.

    SQLite runs in the calling thread, so CPU time is the query's own cost: it stays put when the test runs
    beside others (pytest -n) that make the wall clock meaningless.
    """
    work()  # warm: first use loads the lemmatiser
    wall = cpu = float("inf")
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        work()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.thread_time() - started_cpu)
    return wall, cpu


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("", SearchFilters()),
        ("безопасность", SearchFilters()),
        ("Москва переговоры", SearchFilters(region="казахстан")),
        ("", SearchFilters(topic="security", mentions_country="KZ")),
        ("", SearchFilters(organisation="организация номер 7")),
        ("", SearchFilters(person="person3:x")),
    ],
)
def test_facets_agree_with_search_on_a_big_store(
    big_store: Store, query: str, filters: SearchFilters, record_property: Callable[[str, object], None]
) -> None:
    facets = big_store.facets(query, filters)
    assert facets.total == big_store.search(query, filters).total > 0
    assert all(getattr(facets, name) for name in FACETS)
    wall, cpu = _best_of(5, lambda: big_store.facets(query, filters))
    shown = {f.name: getattr(filters, f.name) for f in fields(filters) if getattr(filters, f.name)}
    record_property(
        "quality",
        f"facets over {BIG_STORE} releases, q={query!r} {shown}: {wall * 1000:.0f} ms "
        f"({cpu * 1000:.0f} ms CPU; aim {FACET_BUDGET_S * 1000:.0f} ms)",
    )  # printed, not asserted: timings are never asserted in unit tests
