"""Organisation and place pages and their JSON: names, spellings, releases newest first, people beside them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from enriched_store import COUNCIL, HOSTILE, NOW, PUTIN, TOKAYEV, Seeded, seed
from osiwire.config import load_settings
from osiwire.model import Enrichment, Mention
from osiwire.store import Store
from osiwire.store.entities import Entities, _window
from osiwire.web.app import create_app

MOSCOW_TEXT = "Переговоры прошли в Москве."
HOSTILE_PLACE = '<b>"Нью/Йорк"</b>'  # a slash: no path segment can carry it
HOSTILE_ORG = '<img src=x onerror=alert(1)> & "?#%'  # no slash: a page of its own


@pytest.fixture()
def seeded(tmp_path: Path, store_url: str) -> Iterator[tuple[TestClient, Store, Seeded]]:
    store = Store(store_url)
    ids = seed(store)
    # "talks" again, with places: Москва twice (two spellings), and a hostile one.
    store.enrichments.save(
        ids.talks,
        1,
        Enrichment(
            mentions=(
                Mention(1, 20, 26, "LOC", "Москве", "Москва"),
                Mention(0, 0, 6, "LOC", "МОСКВА", "москва"),
                Mention(1, 0, 4, "ORG", "ОДКБ", "ОДКБ"),
                Mention(1, 0, 4, "LOC", HOSTILE_PLACE, HOSTILE_PLACE),
                Mention(1, 0, 4, "LOC", HOSTILE, HOSTILE),
                Mention(1, 5, 9, "ORG", HOSTILE_ORG, HOSTILE_ORG),
            ),
            people=(PUTIN, TOKAYEV),
        ),
        NOW,
    )
    with TestClient(create_app(load_settings(tmp_path, environ={}), store=store)) as client:
        yield client, store, ids
    store.close()


def test_an_organisation_gathers_its_normal_forms_in_any_case(
    seeded: tuple[TestClient, Store, Seeded],
) -> None:
    _, store, ids = seeded
    found = Entities(store.db).find("ORG", COUNCIL.upper())
    assert found is not None
    assert set(found.normals) == {COUNCIL, COUNCIL.lower()} and len(found.ids) == 2
    assert found.releases == 2 and found.first_seen is not None and found.last_seen is not None
    assert found.first_seen < found.last_seen
    page = Entities(store.db).releases(found)
    assert [h.id for h in page.hits] == [ids.astana, ids.council]  # newest first
    people = Entities(store.db).people(found)
    assert {p.label: p.count for p in people} == {
        "Nikolai Patrushev": 1,
        "Vladimir Putin": 1,
        "Kassym-Jomart Tokayev": 1,
    }
    assert Entities(store.db).find("LOC", COUNCIL) is None  # an organisation is no place
    assert Entities(store.db).find("XYZ", COUNCIL) is None


def test_organisation_page(seeded: tuple[TestClient, Store, Seeded]) -> None:
    client, _, ids = seeded
    response = client.get("/organisations/" + quote(COUNCIL.lower(), safe=""))
    assert response.status_code == 200
    html = response.text
    assert f"<h1>{COUNCIL}</h1>" in html or f"<h1>{COUNCIL.lower()}</h1>" in html
    assert html.index(f"/releases/{ids.astana}") < html.index(f"/releases/{ids.council}")
    assert "Nikolai Patrushev" in html and "/people/" in html
    assert "/search?organisation=" in html
    assert "<mark>" in html  # the mention, marked in its context


def test_place_page_and_its_spellings(seeded: tuple[TestClient, Store, Seeded]) -> None:
    client, _, ids = seeded
    response = client.get("/places/" + quote("МОСКВА"))
    assert response.status_code == 200
    assert "Москве" in response.text and "МОСКВА" in response.text
    assert f"/releases/{ids.talks}" in response.text
    assert "Vladimir Putin" in response.text


@pytest.mark.parametrize("path", ["/organisations/Nowhere%20Inc", "/places/Atlantis", "/places/%20"])
def test_unknown_names_are_404(seeded: tuple[TestClient, Store, Seeded], path: str) -> None:
    client = seeded[0]
    assert client.get(path).status_code == 404
    assert client.get("/api/v1" + path).status_code == 404


def test_release_page_links_organisations_and_places_escaped(
    seeded: tuple[TestClient, Store, Seeded],
) -> None:
    client, _, ids = seeded
    html = client.get(f"/releases/{ids.talks}").text
    assert f'href="/places/{quote("москва")}"' in html  # the first spelling of the release
    assert f'href="/organisations/{quote("ОДКБ")}"' in html
    assert html.count(">Москва<") + html.count(">москва<") == 1  # once, case aside
    # Hostile names: escaped as text, percent-encoded in the path; a slash makes no link.
    assert "<script>alert" not in html and "<b>" not in html
    assert f'href="/organisations/{quote(HOSTILE_ORG, safe="")}"' in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &#34;?#%" in html
    assert '<span class="tag">&lt;b&gt;&#34;Нью/Йорк&#34;&lt;/b&gt;</span>' in html  # a place: no link
    # An organisation no path segment can carry links to the search's organisation filter.
    hostile_org = client.get(f"/releases/{ids.hostile}").text
    assert f'href="/search?organisation={quote(HOSTILE)}"' in hostile_org


def test_hostile_entity_page_is_escaped(seeded: tuple[TestClient, Store, Seeded]) -> None:
    client = seeded[0]
    response = client.get("/organisations/" + quote(HOSTILE_ORG, safe=""))
    assert response.status_code == 200
    assert "<img" not in response.text and "&lt;img src=x onerror=alert(1)&gt;" in response.text
    assert f'href="/search?organisation={quote(HOSTILE_ORG)}"' in response.text
    assert client.get(f"/api/v1/organisations/{quote(HOSTILE_ORG, safe='')}").json()["name"] == HOSTILE_ORG


def test_organisation_api_pages_its_releases(seeded: tuple[TestClient, Store, Seeded]) -> None:
    client, _, ids = seeded
    url = "/api/v1/organisations/" + quote(COUNCIL, safe="")
    body = client.get(url, params={"limit": 1, "offset": 1, "people": 2}).json()
    assert body["kind"] == "organisation" and body["releases"] == 2
    assert body["latest_releases"]["total"] == 2
    assert [h["id"] for h in body["latest_releases"]["hits"]] == [ids.council]
    assert len(body["people"]) == 2 and all(p["releases"] == 1 for p in body["people"])
    assert {s["text"] for s in body["spellings"]} == {COUNCIL, COUNCIL.lower()}
    place = client.get("/api/v1/places/" + quote("москва")).json()
    assert place["name"] in {"Москва", "москва"} and place["releases"] == 1
    assert {s["text"]: s["mentions"] for s in place["spellings"]} == {"Москве": 1, "МОСКВА": 1}
    assert client.get(url, params={"limit": 0}).status_code == 400


def test_openapi_lists_the_entity_routes(seeded: tuple[TestClient, Store, Seeded]) -> None:
    paths = seeded[0].get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/organisations/{name}", "/api/v1/places/{name}"} <= set(paths)
    assert "/organisations/{name}" not in paths


@pytest.mark.parametrize(
    ("text", "start", "end", "snippet", "spans"),
    [
        ("abc Москва def", 4, 10, "abc Москва def", ((4, 10),)),
        ("x" * 200 + "ОДКБ" + "y" * 200, 200, 204, "…" + "x" * 120 + "ОДКБ" + "y" * 120 + "…", ((121, 125),)),
        ("short", 3, 99, "short", ()),  # offsets from another text: no mark
    ],
)
def test_snippet_window(
    text: str, start: int, end: int, snippet: str, spans: tuple[tuple[int, int], ...]
) -> None:
    assert _window(text, start, end) == (snippet, spans)
    for a, b in spans:
        assert snippet[a:b] == text[start:end]


def test_an_organisation_filter_links_to_its_page(seeded: tuple[TestClient, Store, Seeded]) -> None:
    client = seeded[0]
    html = client.get("/search", params={"organisation": "ОДКБ"}).text
    assert f'href="/organisations/{quote("ОДКБ", safe="")}"' in html
    hostile = client.get("/search", params={"organisation": HOSTILE_ORG}).text
    assert "<img" not in hostile  # the label and the link are escaped
    assert 'href="/organisations/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E' in hostile
    slashed = client.get("/search", params={"organisation": "a/b"}).text
    assert "/organisations/a" not in slashed  # no path segment carries a slash: no page link
