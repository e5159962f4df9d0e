"""Stored enrichment: one person across releases and spellings, positions over time, canonical entities."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from factories import NOW, make_article
from osiwire.model import Enrichment, Mention, Participant, PersonName, TopicMatch
from osiwire.store import Store

PATRUSHEV = PersonName(
    "Николай", "Платонович", "Патрушев", "", "Nikolay Platonovich Patrushev",
    ("Патрушев", "Patrushev", "Nikolai Patrushev", "Н.П. Патрушев"),
)  # fmt: skip
PATRUSHEV_SON = PersonName(
    "Дмитрий", "Николаевич", "Патрушев", "", "Dmitriy Nikolayevich Patrushev", ("Patrushev",)
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as s:
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
