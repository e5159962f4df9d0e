"""Stored enrichment: one person across releases and spellings, positions over time, canonical entities."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from factories import NOW, make_article
from osiwire.model import Enrichment, Mention, Participant, PersonName, SearchFilters, TopicMatch
from osiwire.store import Store
from osiwire.store.filters import find_person_key

PATRUSHEV = PersonName(
    "Николай", "Платонович", "Патрушев", "", "Nikolay Platonovich Patrushev",
    ("Патрушев", "Patrushev", "Nikolai Patrushev", "Н.П. Патрушев"),
)  # fmt: skip
PATRUSHEV_SON = PersonName(
    "Дмитрий", "Николаевич", "Патрушев", "", "Dmitriy Nikolayevich Patrushev", ("Patrushev",)
)


@pytest.fixture
def store(store_url: str) -> Store:
    with Store(store_url) as s:
        for i in range(3):
            s.releases.save(
                make_article(
                    f"https://a/{i}", "Совещание", ["Патрушев в Москве."], published=NOW + timedelta(days=i)
                )
            )
        yield s  # type: ignore[misc]


def _enrichment(position: str) -> Enrichment:
    return Enrichment(
        mentions=(
            Mention(1, 0, 8, "PER", "Патрушев", "Патрушев"),
            Mention(1, 11, 17, "LOC", "Москве", "Москва"),
        ),
        people=(PATRUSHEV,),
        participants=(
            Participant(PATRUSHEV, position, "Совет Безопасности Российской Федерации", "RU", "", "list"),
        ),
        topics=(TopicMatch("security", "Security", ("безопасность",)),),
        countries=("RU", "BY"),
    )


def test_people_positions_and_entities(store: Store) -> None:
    store.enrichments.save(1, 1, _enrichment("Секретарь Совета Безопасности"), NOW)
    store.enrichments.save(2, 1, _enrichment("Секретарь Совета Безопасности"), NOW)
    store.enrichments.save(3, 1, _enrichment("помощник Президента"), NOW)
    for query in ("Патрушев", "patrushev", "Nikolai Patrushev", "н.п. патрушев"):
        (person,) = store.enrichments.people(query)
        assert person.name.name_en == "Nikolay Platonovich Patrushev" and person.releases == 3
    positions = {h.position: h for h in person.positions}
    assert positions["Секретарь Совета Безопасности"].releases == 2
    assert positions["Секретарь Совета Безопасности"].first_seen == NOW
    assert positions["помощник Президента"].first_seen == NOW + timedelta(days=2)
    got = store.enrichments.get(1)
    assert got is not None
    assert got.countries == ("RU", "BY") and got.topics[0].evidence == ("безопасность",)
    assert got.participants[0].name.name_en == "Nikolay Platonovich Patrushev"
    assert [m.normal for m in got.mentions] == ["Патрушев", "Москва"]
    with store.db.reading() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM entities").scalar() == 2  # shared across releases
        assert conn.exec_driver_sql("SELECT count(*) FROM mentions").scalar() == 6


def test_same_surname_different_people_stay_apart(store: Store) -> None:
    store.enrichments.save(1, 1, Enrichment(people=(PATRUSHEV, PATRUSHEV_SON)), NOW)
    found = store.enrichments.people("Patrushev")
    assert {p.name.first for p in found} == {"Николай", "Дмитрий"}


def test_re_enrichment_replaces(store: Store) -> None:
    store.enrichments.save(1, 1, _enrichment("Секретарь"), NOW)
    store.enrichments.save(1, 1, Enrichment(countries=("KZ",)), NOW)
    got = store.enrichments.get(1)
    assert got is not None and got.countries == ("KZ",) and not got.participants and not got.mentions
    assert store.enrichments.due() == [(3, 1), (2, 1)]
    assert store.enrichments.get(2) is None


KOTYUKOV = PersonName("Михаил", "", "Котюков", "", "Mikhail Kotyukov", ("Mikhail Kotyukov",))
KOTYUKOV_FULL = PersonName(
    "Михаил", "Михайлович", "Котюков", "", "Mikhail Mikhaylovich Kotyukov", ("Mikhail Mikhaylovich Kotyukov",)
)
KOTYUKOV_OTHER = PersonName("Максим", "Иванович", "Котюков", "", "Maksim Ivanovich Kotyukov", ())
IVANOV_AP = PersonName("Александр", "Петрович", "Иванов", "", "Aleksandr Petrovich Ivanov", ())
IVANOV_AS = PersonName("Андрей", "Сергеевич", "Иванов", "", "Andrey Sergeyevich Ivanov", ())
IVANOV_A = PersonName("", "", "Иванов", "А.", "A. Ivanov", ())


@pytest.mark.parametrize("order", [(KOTYUKOV, KOTYUKOV_FULL), (KOTYUKOV_FULL, KOTYUKOV)])
def test_a_name_without_its_patronymic_is_the_one_person_it_can_be(
    store: Store, order: tuple[PersonName, PersonName]
) -> None:
    first, second = order
    store.enrichments.save(1, 1, Enrichment(people=(first,)), NOW)
    store.enrichments.save(2, 1, Enrichment(people=(second,)), NOW)
    (person,) = store.enrichments.people("Котюков")
    assert person.name.name_en == "Mikhail Mikhaylovich Kotyukov" and person.releases == 2
    # Found by the key of either spelling, in the search filter and the person lookup.
    for key in ("kotukov:m", "kotukov:mm", str(person.id)):
        assert {h.id for h in store.search("", SearchFilters(person=key)).hits} == {1, 2}, key
        assert find_person_key(store.db, key) == "kotukov:mm"
    # Another Котюков with another first name stays apart.
    store.enrichments.save(3, 1, Enrichment(people=(KOTYUKOV_OTHER,)), NOW)
    assert len(store.enrichments.people("Котюков")) == 2
    assert {h.id for h in store.search("", SearchFilters(person="kotukov:mm")).hits} == {1, 2}
    # "kotukov:m" now fits two people: it names neither.
    assert store.search("", SearchFilters(person="kotukov:m")).hits == ()


def test_an_initial_that_fits_two_people_joins_neither(store: Store) -> None:
    store.enrichments.save(1, 1, Enrichment(people=(IVANOV_AP, IVANOV_AS)), NOW)
    store.enrichments.save(2, 1, Enrichment(people=(IVANOV_A,)), NOW)
    found = store.enrichments.people("Иванов")
    assert len(found) == 3  # "А. Иванов" could be either: a person of its own
    assert {h.id for h in store.search("", SearchFilters(person="ivanov:a")).hits} == {2}


def test_people_of_one_surname_are_found_through_the_key_index(tmp_path: Path) -> None:
    """A new name looks for a person it can only be among those of its surname: on SQLite a range of the key
    index, not a scan of every person (SQLite's case-insensitive LIKE cannot use the index)."""
    from sqlalchemy import text

    from osiwire.store.enrichments import _same_surname

    with Store(f"sqlite:///{tmp_path / 'plan.sqlite'}") as store, store.db.reading() as conn:
        stmt = _same_surname("sqlite", "kotiukov")
        sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "SEARCH people USING INDEX" in plan, plan
