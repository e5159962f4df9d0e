"""The JSON API's people, participants, topics, facets, new filters and sort, and the token-guarded writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from enriched_store import COUNCIL, HOSTILE, Seeded, seed
from osiwire.config import load_settings
from osiwire.store import Store
from osiwire.web.app import create_app
from osiwire.web.auth import FAILURE_WINDOW_S, MAX_FAILURES, FailedAttempts

TOKEN = "s3cret-token"
NEW_ROUTES = {
    "/api/v1/facets": {"get"},
    "/api/v1/people": {"get"},
    "/api/v1/people/{person}": {"get"},
    "/api/v1/releases/{release_id}/participants": {"get"},
    "/api/v1/topics": {"get"},
    "/api/v1/sources": {"get", "post"},
    "/api/v1/sources/{source_id}": {"get", "patch", "delete"},
}


def _app(tmp_path: Path, store: Store, **web: Any) -> TestClient:
    settings = load_settings(tmp_path, environ={}, web={"page_size": 10, **web})
    return TestClient(create_app(settings, store=store))


@pytest.fixture(scope="module")
def seeded(
    tmp_path_factory: pytest.TempPathFactory, module_store_url: str
) -> Iterator[tuple[TestClient, Seeded, Store]]:
    tmp_path = tmp_path_factory.mktemp("api")
    store = Store(module_store_url)
    ids = seed(store)
    with _app(tmp_path, store) as client:
        yield client, ids, store
    store.close()


@pytest.fixture()
def client(seeded: tuple[TestClient, Seeded, Store]) -> TestClient:
    return seeded[0]


@pytest.fixture()
def ids(seeded: tuple[TestClient, Seeded, Store]) -> Seeded:
    return seeded[1]


def _hit_ids(client: TestClient, path: str, **params: str) -> set[int]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return {h["id"] for h in response.json()["hits"]}


# -- filters and sort ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        ("/api/v1/releases", {"topic": "border-security"}, {"council", "astana"}),
        ("/api/v1/releases", {"person": "putin:vv"}, {"council", "talks"}),
        ("/api/v1/releases", {"organisation": COUNCIL.lower()}, {"council", "astana"}),
        ("/api/v1/releases", {"mentions_country": "kz"}, {"council", "talks"}),
        ("/api/v1/releases", {"topic": "economy-trade", "region": "казахстан"}, {"astana"}),
        ("/api/v1/search", {"q": "Москва", "topic": "economy-trade"}, {"talks"}),
        ("/api/v1/search", {"q": "Moscow", "organisation": "ОДКБ"}, {"talks"}),
        ("/api/v1/releases", {"topic": "no-such-topic"}, set()),
        ("/api/v1/releases", {"person": "9" * 40}, set()),
        ("/api/v1/releases", {"person": "' OR '1'='1"}, set()),
        ("/api/v1/releases", {"organisation": "%"}, set()),
        ("/api/v1/search", {"q": "Москва", "topic": "'; DROP TABLE releases; --"}, set()),
    ],
)
def test_new_filters(
    client: TestClient, ids: Seeded, path: str, params: dict[str, str], expected: set[str]
) -> None:
    assert _hit_ids(client, path, **params) == {getattr(ids, name) for name in expected}


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "newest"},
        {"sort": "date; DROP"},
        {"topic": "x" * 101},
        {"person": "x" * 201},
        {"mentions_country": "KAZ"},
        {"organisation": "x" * 201},
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/releases", "/api/v1/facets"])
def test_bad_filter_values_are_400(client: TestClient, path: str, params: dict[str, str]) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}


def test_sort(client: TestClient, ids: Seeded) -> None:
    by_date = client.get("/api/v1/search", params={"q": "Москва", "sort": "date"}).json()["hits"]
    assert [h["id"] for h in by_date] == [ids.hostile, ids.talks, ids.council]
    best = client.get("/api/v1/search", params={"q": "Москва"}).json()["hits"]
    scores = [h["score"] for h in best]
    assert scores == sorted(scores, reverse=True)


# -- facets ----------------------------------------------------------------------------------------------------


def test_facets(client: TestClient, ids: Seeded) -> None:
    data = client.get("/api/v1/facets", params={"q": "Москва"}).json()
    assert data["query"] == "Москва" and data["total"] == 3
    assert {v["value"]: v["count"] for v in data["source"]} == {str(ids.kremlin): 2, str(ids.akorda): 1}
    assert [v["value"] for v in data["month"]] == ["2025-01", "2025-02"]
    assert set(data) == {"query", "total", "region", "country", "source", "language", "topic", "person",
                         "organisation", "month", "approximate"}  # fmt: skip
    assert data["approximate"] is False  # every match counted (a search broader than 20,000: a sample)


@pytest.mark.parametrize("params", [{}, {"q": "Москва"}, {"lang": "ru"}, {"topic": "border-security"}])
def test_facets_agree_with_search_over_http(client: TestClient, params: dict[str, str]) -> None:
    facets = client.get("/api/v1/facets", params={**params, "limit": "100"}).json()
    path = "/api/v1/search" if "q" in params else "/api/v1/releases"
    assert client.get(path, params=params).json()["total"] == facets["total"]
    for facet, parameter in [("region", "region"), ("source", "source"), ("language", "lang"), ("topic", "topic"),
                             ("person", "person"), ("organisation", "organisation")]:  # fmt: skip
        for value in facets[facet]:
            if parameter in params:
                continue
            narrowed = {**params, parameter: value["value"]}
            assert client.get(path, params=narrowed).json()["total"] == value["count"], (facet, value)


def test_facets_bad_query(client: TestClient) -> None:
    assert client.get("/api/v1/facets", params={"q": "-x"}).status_code == 400
    assert client.get("/api/v1/facets", params={"limit": "0"}).status_code == 400


# -- people, participants, topics ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Патрушев", "patrushev", "Н.П. Патрушев", "patrushev:np"])
def test_people_by_any_spelling(client: TestClient, query: str) -> None:
    (person,) = client.get("/api/v1/people", params={"q": query}).json()
    assert person["name"] == "Николай Платонович Патрушев" and person["name_en"] == "Nikolai Patrushev"
    assert "Patrushev" in person["variants"]
    assert person["key"] == "patrushev:np"
    assert person["positions"][0]["position"] == "Секретарь Совета Безопасности"
    assert person["positions"][0]["first_seen"].startswith("2025-01-10")


def test_people_list_and_limits(client: TestClient) -> None:
    everyone = client.get("/api/v1/people").json()
    assert {p["name_en"] for p in everyone} == {
        "Nikolai Patrushev",
        "Vladimir Putin",
        "Kassym-Jomart Tokayev",
    }
    assert len(client.get("/api/v1/people", params={"limit": 1}).json()) == 1
    assert client.get("/api/v1/people", params={"q": "' OR 1=1 --"}).json() == []
    assert client.get("/api/v1/people", params={"limit": 0}).status_code == 400


def test_person_detail(client: TestClient, ids: Seeded) -> None:
    putin = client.get("/api/v1/people", params={"q": "Putin"}).json()[0]
    for key in (str(putin["id"]), putin["key"]):
        data = client.get(f"/api/v1/people/{key}").json()
        assert data["id"] == putin["id"] and data["name_en"] == "Vladimir Putin"
        assert [h["id"] for h in data["latest_releases"]] == [ids.talks, ids.council]  # newest first
        co = {c["name"]: c["releases"] for c in data["co_participants"]}
        assert co == {"Nikolai Patrushev": 1, "Kassym-Jomart Tokayev": 1}
    paged = client.get(f"/api/v1/people/{putin['id']}", params={"limit": 1, "offset": 1}).json()
    assert [h["id"] for h in paged["latest_releases"]] == [ids.council]


@pytest.mark.parametrize("person", ["9999", "9" * 40, "nobody:x", "%25", "' OR 1=1 --", "-1", "patrushev"])
def test_unknown_person_is_404(client: TestClient, person: str) -> None:
    response = client.get(f"/api/v1/people/{person}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_participants(client: TestClient, ids: Seeded) -> None:
    data = client.get(f"/api/v1/releases/{ids.council}/participants").json()
    assert (data["release_id"], data["version_no"], data["enriched"]) == (ids.council, 1, True)
    assert [(p["name_en"], p["position"], p["country"]) for p in data["participants"]] == [
        ("Nikolai Patrushev", "Секретарь Совета Безопасности", "RU"),
        ("Vladimir Putin", "Президент Российской Федерации", "RU"),
    ]
    assert data["participants"][0]["organisation"] == COUNCIL
    # "edited" has a second version that is not enriched: its participant list is not the old one's.
    edited = client.get(f"/api/v1/releases/{ids.edited}/participants").json()
    assert (edited["version_no"], edited["enriched"], edited["participants"]) == (2, False, [])


@pytest.mark.parametrize("release", ["9999", "9" * 30])
def test_participants_of_unknown_release(client: TestClient, release: str) -> None:
    response = client.get(f"/api/v1/releases/{release}/participants")
    assert response.status_code == 404 and set(response.json()) == {"detail"}
    assert client.get("/api/v1/releases/abc/participants").status_code == 400


def test_topics(client: TestClient) -> None:
    topics = {t["id"]: t for t in client.get("/api/v1/topics").json()}
    assert topics["border-security"]["releases"] == 2 and topics["border-security"]["in_taxonomy"] is True
    assert topics["economy-trade"]["releases"] == 2
    assert topics["terrorism"]["releases"] == 0  # only an old version had it
    assert topics[HOSTILE] == {"id": HOSTILE, "label": HOSTILE, "releases": 1, "in_taxonomy": False}
    assert all(t["in_taxonomy"] for t in list(topics.values())[:-1])


def test_topics_from_the_configured_taxonomy(
    tmp_path: Path, seeded: tuple[TestClient, Seeded, Store]
) -> None:
    (tmp_path / "topics.toml").write_text(
        '[[topic]]\nid = "border-security"\nlabel = "Безопасность"\n[topic.ru]\nterms = ["безопасность"]\n',
        encoding="utf-8",
    )
    settings = load_settings(tmp_path, environ={}, enrich={"topics_file": "topics.toml"})
    with TestClient(create_app(settings, store=seeded[2])) as configured:
        topics = configured.get("/api/v1/topics").json()
    assert topics[0] == {"id": "border-security", "label": "Безопасность", "releases": 2, "in_taxonomy": True}
    assert {t["id"] for t in topics if not t["in_taxonomy"]} == {"economy-trade", HOSTILE}
    (tmp_path / "topics.toml").write_text("[[topic]]\nid = 1\n", encoding="utf-8")
    with TestClient(create_app(settings, store=seeded[2])) as broken:
        response = broken.get("/api/v1/topics")
    assert response.status_code == 500 and "topics.toml" in response.json()["detail"]


# -- OpenAPI ---------------------------------------------------------------------------------------------------


def test_openapi_documents_the_new_routes(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path, methods in NEW_ROUTES.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
        for method in methods:
            operation = schema["paths"][path][method]
            assert operation["summary"] and operation["description"], (path, method)
            assert "422" not in operation["responses"]
    post = schema["paths"]["/api/v1/sources"]["post"]
    assert {"401", "403", "409"} <= set(post["responses"])
    assert post["security"] == [{"token": []}]
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    facets = schema["paths"]["/api/v1/facets"]["get"]
    assert {p["name"] for p in facets["parameters"]} >= {
        "q",
        "topic",
        "person",
        "organisation",
        "mentions_country",
    }
    props = schema["components"]["schemas"]["FacetsOut"]["properties"]
    assert set(props) >= {
        "region",
        "country",
        "source",
        "language",
        "topic",
        "person",
        "organisation",
        "month",
    }


# -- writes ----------------------------------------------------------------------------------------------------


@pytest.fixture()
def writable(tmp_path: Path, store_url: str) -> Iterator[tuple[TestClient, Store]]:
    store = Store(store_url)
    seed(store)
    with _app(tmp_path, store, api_token=TOKEN) as client:
        yield client, store
    store.close()


AUTH = {"Authorization": f"Bearer {TOKEN}"}
NEW_SOURCE = {"name": "MFA Kazakhstan", "url": "https://www.gov.kz/memleket/entities/mfa/press/rss", "kind": "rss",
              "region": "Central Asia", "country": "kz", "language": "ru-KZ"}  # fmt: skip
WRITES = [
    ("post", "/api/v1/sources", NEW_SOURCE),
    ("patch", "/api/v1/sources/1", {"region": "Europe"}),
    ("delete", "/api/v1/sources/1", None),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_read_only_mode_refuses_writes(
    client: TestClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    for headers in ({}, AUTH):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]
    assert len(client.get("/api/v1/sources").json()) == 3


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": f"Basic {TOKEN}"},
     {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": "Bearer "}],
)  # fmt: skip
def test_writes_need_the_token(
    writable: tuple[TestClient, Store],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
) -> None:
    client, store = writable
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert len(store.sources.list_all()) == 3


def test_guessing_the_token_is_slowed_down(writable: tuple[TestClient, Store]) -> None:
    client, store = writable
    for _ in range(MAX_FAILURES):
        assert (
            client.post(
                "/api/v1/sources", json=NEW_SOURCE, headers={"Authorization": "Bearer guess"}
            ).status_code
            == 401
        )
    # Now even the right token waits: a guesser cannot tell a hit from the refusal.
    refused = client.post("/api/v1/sources", json=NEW_SOURCE, headers=AUTH)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= FAILURE_WINDOW_S
    assert "too many wrong tokens" in refused.json()["detail"]
    # The browser's sign-in counts with the API.
    assert client.post("/signin", data={"token": TOKEN}, follow_redirects=False).status_code == 429
    assert len(store.sources.list_all()) == 3


def test_failed_attempts_slide_out_of_their_window() -> None:
    attempts = FailedAttempts(limit=3, window_s=60)
    for t in (0.0, 10.0, 20.0):
        assert attempts.wait_s("10.0.0.1", now=t) == 0
        attempts.fail("10.0.0.1", now=t)
    assert attempts.wait_s("10.0.0.1", now=30.0) == pytest.approx(30.0)  # the first one leaves at 60
    assert attempts.wait_s("10.0.0.2", now=30.0) == 0  # another address
    assert attempts.wait_s("10.0.0.1", now=60.0) == 0


def test_add_edit_remove_source(writable: tuple[TestClient, Store]) -> None:
    client, store = writable
    added = client.post("/api/v1/sources", json=NEW_SOURCE, headers=AUTH)
    assert added.status_code == 201, added.text
    data = added.json()
    assert (data["country"], data["language"], data["interval_s"], data["enabled"]) == (
        "KZ",
        "ru",
        3600,
        True,
    )
    assert data["health"]["error_count"] == 0
    source_id = data["id"]
    assert store.sources.get(source_id).region == "Central Asia"
    again = client.post("/api/v1/sources", json=NEW_SOURCE, headers=AUTH)
    assert again.status_code == 409 and "already registered" in again.json()["detail"]
    edited = client.patch(
        f"/api/v1/sources/{source_id}",
        json={"region": "Казахстан", "enabled": False, "interval_s": 600},
        headers=AUTH,
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["region"], edited.json()["enabled"], edited.json()["interval_s"]) == (
        "Казахстан",
        False,
        600,
    )
    stored = store.sources.get(source_id)
    assert (stored.name, stored.url, stored.region, stored.enabled) == (
        "MFA Kazakhstan", NEW_SOURCE["url"], "Казахстан", False
    )  # fmt: skip
    assert len(store.sources.list_all()) == 4
    removed = client.delete(f"/api/v1/sources/{source_id}", headers=AUTH)
    assert removed.status_code == 204 and removed.content == b""
    assert client.get(f"/api/v1/sources/{source_id}").status_code == 404
    assert client.delete(f"/api/v1/sources/{source_id}", headers=AUTH).status_code == 404


def test_removing_a_source_keeps_its_releases(writable: tuple[TestClient, Store]) -> None:
    client, store = writable
    assert client.delete("/api/v1/sources/1", headers=AUTH).status_code == 204
    assert store.releases.count() == 6


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**NEW_SOURCE, "url": "javascript:alert(1)"}, "http(s) URL"),
        ({**NEW_SOURCE, "url": "file:///etc/passwd", "kind": "file"}, "command line"),
        ({**NEW_SOURCE, "kind": "gopher"}, "kind"),
        ({**NEW_SOURCE, "country": "K1"}, "country"),
        ({**NEW_SOURCE, "language": "русский"}, "language"),
        ({**NEW_SOURCE, "interval_s": 5}, "interval_s"),
        ({**NEW_SOURCE, "selector": "a[", "kind": "html"}, "selector"),
        ({**NEW_SOURCE, "url_pattern": "("}, "url_pattern"),
        ({**NEW_SOURCE, "name": " "}, "name"),
        ({**NEW_SOURCE, "name": "x\x00y"}, "control"),
        ({**NEW_SOURCE, "name": "x" * 201}, "name"),
        ({**NEW_SOURCE, "admin": True}, "admin"),
        ({"url": NEW_SOURCE["url"]}, "name"),
    ],
)
def test_add_source_validation(
    writable: tuple[TestClient, Store], body: dict[str, Any], message: str
) -> None:
    client, store = writable
    response = client.post("/api/v1/sources", json=body, headers=AUTH)
    assert response.status_code == 400, response.text
    assert message in response.json()["detail"]
    assert len(store.sources.list_all()) == 3


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/v1/sources/1", {"name": "Renamed"}, 400),  # name and URL stay
        ("/api/v1/sources/1", {"url": "https://evil.example/"}, 400),
        ("/api/v1/sources/1", {"kind": "file"}, 400),
        ("/api/v1/sources/1", {"country": "XYZ"}, 400),
        ("/api/v1/sources/1", {"interval_s": 0}, 400),
        ("/api/v1/sources/9999", {"region": "x"}, 404),
        ("/api/v1/sources/" + "9" * 30, {"region": "x"}, 404),
        ("/api/v1/sources/abc", {"region": "x"}, 400),
    ],
)
def test_edit_source_validation(
    writable: tuple[TestClient, Store], path: str, body: dict[str, Any], status: int
) -> None:
    client, store = writable
    before = store.sources.list_all()
    response = client.patch(path, json=body, headers=AUTH)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"detail"}
    assert store.sources.list_all() == before
