"""Quotes stored with offsets and shown: the store, search --said-by, the API, the release and person pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from factories import NOW, make_article
from osiwire.cli import cli
from osiwire.config import load_settings
from osiwire.model import Enrichment, PersonName, Quote, SearchFilters
from osiwire.store import Store
from osiwire.web.app import create_app
from osiwire.web.quoted import quoted_pieces
from pg import searchable

PUTIN = PersonName(
    "Владимир", "Владимирович", "Путин", "", "Vladimir Vladimirovich Putin", ("Путин", "Putin")
)
HOSTILE = PersonName("", "", "<script>alert(1)</script>", "", "<b>Evil</b>", ())
TEXTS = [
    "В.Путин: Добрый день. Д.Песков: Всё готово.",
    "Президент сказал: «Работаем дальше», и уехал.",
    "Без цитат.",
]


def _quote(text: str, words: str, speaker: PersonName, kind: str = "quote", segment: int = 1) -> Quote:
    start = text.index(words)
    return Quote(segment, start, start + len(words), words, speaker, kind)


@pytest.fixture()
def store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    with Store(store_url) as s:
        searchable(s, tmp_path)
        for i, text in enumerate(TEXTS):
            s.releases.save(
                make_article(f"https://a/{i}", f"Release {i}", [text], published=NOW + timedelta(days=i))
            )
        s.enrichments.save(
            1, 1, Enrichment(people=(PUTIN,), quotes=(_quote(TEXTS[0], "Добрый день.", PUTIN, "turn"),)), NOW
        )
        s.enrichments.save(
            2,
            1,
            Enrichment(quotes=(_quote(TEXTS[1], "Работаем дальше", PUTIN), _quote(TEXTS[1], "и", HOSTILE))),
            NOW,
        )
        s.enrichments.save(3, 1, Enrichment(), NOW)
        yield s


def _person_id(store: Store, query: str) -> int:
    (person,) = store.enrichments.people(query)
    return person.id


def test_quotes_are_stored_with_offsets_and_their_speaker(store: Store) -> None:
    got = store.enrichments.get(1)
    assert got is not None
    (quote,) = got.quotes
    assert (quote.segment, quote.start, quote.end, quote.kind) == (1, 9, 21, "turn")
    assert quote.speaker.last == "Путин" and TEXTS[0][quote.start : quote.end] == quote.text
    # a speaker the enrichment listed nowhere else is a stored person of the release all the same
    assert store.enrichments.get(2).quotes[0].speaker.name_en == "Vladimir Vladimirovich Putin"  # type: ignore[union-attr]
    assert _person_id(store, "Путин") == _person_id(store, "Putin")


def test_what_a_person_said_newest_first(store: Store) -> None:
    said = store.enrichments.quotes_of(_person_id(store, "Putin"))
    assert [(q.release_id, q.text, q.kind) for q in said] == [
        (2, "Работаем дальше", "quote"),
        (1, "Добрый день.", "turn"),
    ]
    assert said[0].title == "Release 1" and said[0].at > said[1].at
    # re-enrichment replaces: the turn is gone from the person's quotes
    store.enrichments.save(1, 1, Enrichment(people=(PUTIN,)), NOW)
    assert [q.release_id for q in store.enrichments.quotes_of(_person_id(store, "Putin"))] == [2]


def test_said_by_filters_releases_where_the_person_is_quoted(store: Store) -> None:
    person = str(_person_id(store, "Putin"))
    assert {h.id for h in store.search("", SearchFilters(said_by=person)).hits} == {1, 2}
    assert {h.id for h in store.search("", SearchFilters(person=person)).hits} == {1, 2}
    assert store.search("цитат", SearchFilters(said_by=person)).total == 0
    assert store.search("", SearchFilters(said_by="nobody:x")).total == 0


def test_search_cli_said_by_keeps_the_json_fields(store: Store, tmp_path: Path) -> None:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--data-dir", str(tmp_path), "--database-url", store.db.url, *args])

    plain = invoke("search", "--json", "--limit", "1")
    by_name = invoke("search", "--said-by", "Путин", "--json")
    assert by_name.exit_code == 0, by_name.output
    hits = json.loads(by_name.output)
    assert sorted(h["id"] for h in hits) == [1, 2]
    assert set(hits[0]) == set(json.loads(plain.output)[0])
    missing = invoke("search", "--said-by", "Nobody Atall")
    assert missing.exit_code != 0 and "--said-by 'Nobody Atall': no such person" in missing.output
    shown = invoke("show", "2", "--json")
    record = json.loads(shown.output)
    start = TEXTS[1].index("Работаем дальше")
    assert record["quotes"][0] == {
        "segment": 1, "start": start, "end": start + 15, "text": "Работаем дальше",
        "speaker": "Владимир Владимирович Путин", "speaker_en": "Vladimir Vladimirovich Putin", "kind": "quote",
    }  # fmt: skip
    assert {"participants", "people", "topics", "segments"} <= set(record)


@pytest.fixture()
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(load_settings(tmp_path, environ={}), store=store)) as c:
        yield c


def test_api_person_quotes_and_release_quotes(client: TestClient, store: Store) -> None:
    person = _person_id(store, "Putin")
    said = client.get(f"/api/v1/people/{person}/quotes").json()
    assert [(q["release_id"], q["text"]) for q in said] == [(2, "Работаем дальше"), (1, "Добрый день.")]
    assert client.get(f"/api/v1/people/{person}/quotes?limit=1&offset=1").json()[0]["release_id"] == 1
    assert client.get("/api/v1/people/nobody:x/quotes").status_code == 404
    release = client.get("/api/v1/releases/2").json()
    assert [q["speaker_en"] for q in release["enrichment"]["quotes"]] == [
        "Vladimir Vladimirovich Putin",
        "<b>Evil</b>",
    ]


def test_pages_mark_quotes_escaped(client: TestClient, store: Store) -> None:
    page = client.get("/releases/2").text
    assert (
        '<mark class="said quote" title="Vladimir Vladimirovich Putin (Владимир Владимирович Путин)">Работаем дальше</mark>'
        in page
    )
    assert "<b>Evil</b>" not in page and "&lt;b&gt;Evil&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page
    person = client.get(f"/people/{_person_id(store, 'Putin')}").text
    assert "What Vladimir Vladimirovich Putin said" in person
    assert person.index("Работаем дальше") < person.index("Добрый день.")  # newest first


def test_quoted_pieces_skip_quotes_that_do_not_fit_the_text() -> None:
    from osiwire.model import Segment

    segment = Segment(1, "paragraph", "«Да», — сказал он.", "ru")
    good = Quote(1, 1, 3, "Да", PUTIN)
    stale = Quote(1, 0, 99, "другой текст", PUTIN)
    pieces = quoted_pieces([segment], Enrichment(quotes=(good, stale)))[1]
    assert "".join(p for p, _ in pieces) == segment.text
    assert [q for _, q in pieces if q is not None] == [good]


def test_web_and_api_search_filter_by_who_is_quoted(client: TestClient, store: Store) -> None:
    person = _person_id(store, "Putin")
    api = client.get("/api/v1/releases", params={"said_by": person}).json()
    assert {hit["id"] for hit in api["hits"]} == {1, 2}
    assert client.get("/api/v1/releases", params={"said_by": "nobody:x"}).json()["total"] == 0
    assert client.get("/api/v1/search", params={"q": "цитат", "said_by": person}).json()["total"] == 0
    page = client.get("/search", params={"said_by": person}).text
    assert f'name="said_by" value="{person}"' in page and "/releases/1" in page and "/releases/2" in page
    person_page = client.get(f"/people/{person}").text
    assert f"/search?said_by={person}" in person_page  # from "What X said" to every release quoting them
