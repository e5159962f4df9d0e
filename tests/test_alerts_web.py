"""Alerts on the web: Atom feeds of fired alerts and the read-only JSON API of rules and events."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alert_corpus import build
from factories import NOW, make_article
from osiwire.alerts.evaluate import evaluate_stored
from osiwire.alerts.rules import PersonRule, RoleRule, Rule, SearchRule
from osiwire.config import load_settings
from osiwire.store import Store
from osiwire.web.app import SECURITY_HEADERS, create_app

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE_TITLE = "<script>alert(1)</script> учения \x01\x0b"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, module_store_url: str) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("web")
    with Store(module_store_url) as store:
        ids = build(store)
        hostile = store.releases.save(make_article("javascript:alert(1)//x", HOSTILE_TITLE, ["Учения."]))
        ids["hostile"] = hostile.release_id
        secret = "never-shown-s3cret"
        store.alerts.add(
            Rule(
                "defence",
                RoleRule("министр обороны", "RU", "BY"),
                "https://hooks.example.org/h?token=t0k3n",
                secret,
            ),
            NOW,
        )
        store.alerts.add(Rule("belousov", PersonRule("Andrei Belousov")), NOW)
        store.alerts.add(Rule("exercises", SearchRule("учения")), NOW)
        evaluate_stored(store, None, now=NOW)
        yield {"store": store, "ids": ids, "path": path, "secret": secret}


@pytest.fixture(scope="module")
def client(seeded: dict[str, Any]) -> Iterator[TestClient]:
    settings = load_settings(seeded["path"], environ={})
    with TestClient(create_app(settings, store=seeded["store"])) as c:
        yield c


def _entries(body: bytes) -> list[ET.Element]:
    feed = ET.fromstring(body)
    assert feed.tag == f"{ATOM}feed"
    return feed.findall(f"{ATOM}entry")


def test_feed_of_all_alerts(client: TestClient, seeded: dict[str, Any]) -> None:
    response = client.get("/feeds/alerts.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    entries = _entries(response.content)
    rules = sorted(
        category.get("term", "") for e in entries if (category := e.find(f"{ATOM}category")) is not None
    )
    assert rules == ["belousov"] * 3 + ["defence"] * 2 + ["exercises"] * 3
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(
        i and i.startswith("tag:testserver,2025:osiwire/alert/") for i in ids
    )


def test_feed_of_one_rule(client: TestClient, seeded: dict[str, Any]) -> None:
    entries = _entries(client.get("/feeds/alerts/defence.atom").content)
    assert len(entries) == 2
    joint = next(e for e in entries if (e.findtext(f"{ATOM}title") or "").startswith("defence: Совещание"))
    assert joint.findtext(f"{ATOM}summary") == (
        "Министр обороны Российской Федерации Андрей Рэмович Белоусов (RU) with Виктор Геннадьевич Хренин (BY)"
    )
    links = {link.get("rel"): link.get("href") for link in joint.findall(f"{ATOM}link")}
    assert links == {
        "alternate": f"http://testserver/releases/{seeded['ids']['joint']}",
        "related": "https://example.org/joint",
    }
    assert joint.findtext(f"{ATOM}author/{ATOM}name") == "Kremlin"
    assert client.get("/feeds/alerts/nothing.atom").status_code == 404


def test_hostile_release_in_feed(client: TestClient, seeded: dict[str, Any]) -> None:
    body = client.get("/feeds/alerts/exercises.atom").content
    assert b"<script>" not in body
    hostile = [e for e in _entries(body) if "alert(1)" in (e.findtext(f"{ATOM}title") or "")]
    (entry,) = hostile
    assert entry.findtext(f"{ATOM}title") == "exercises: <script>alert(1)</script> учения "
    assert [link.get("rel") for link in entry.findall(f"{ATOM}link")] == ["alternate"]  # no javascript: link


def test_api_rules_without_secrets(client: TestClient, seeded: dict[str, Any]) -> None:
    response = client.get("/api/v1/alerts")
    assert response.status_code == 200
    assert seeded["secret"] not in response.text and "t0k3n" not in response.text
    rules = {r["name"]: r for r in response.json()}
    assert set(rules) == {"defence", "belousov", "exercises"}
    defence = rules["defence"]
    assert defence["kind"] == "role" and defence["webhook"] is True and defence["events"] == 2
    assert defence["definition"] == {"position": "министр обороны", "country": "RU", "with_country": "BY"}
    assert defence["feed"] == "/feeds/alerts/defence.atom"
    assert "secret" not in defence and "webhook_url" not in defence
    one = client.get("/api/v1/alerts/defence").json()
    assert one == defence
    assert client.get("/api/v1/alerts/nothing").json() == {"detail": "alert rule 'nothing': not found"}


def test_api_events(client: TestClient, seeded: dict[str, Any]) -> None:
    events = client.get("/api/v1/alerts/events", params={"rule": "defence"}).json()
    assert {e["release"]["id"] for e in events} == {seeded["ids"]["joint"], seeded["ids"]["apposition"]}
    first = events[0]
    assert first["rule"] == "defence" and first["status"] == "pending" and first["attempts"] == 0
    assert {"id", "url", "title", "published", "source", "region"} == set(first["release"])
    assert len(client.get("/api/v1/alerts/events", params={"limit": 2}).json()) == 2
    assert len(client.get("/api/v1/alerts/events", params={"offset": 7}).json()) == 1
    missing = client.get("/api/v1/alerts/events", params={"rule": "nothing"})
    assert missing.status_code == 404
    bad = client.get("/api/v1/alerts/events", params={"limit": 0})
    assert bad.status_code == 400 and "limit" in bad.json()["detail"]


def test_openapi_documents_the_alert_routes(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/alerts", "/api/v1/alerts/events", "/api/v1/alerts/{rule}"):
        operation = paths[path]["get"]
        assert operation["summary"] and operation["description"]
        assert "422" not in operation["responses"]
    assert not any(p.startswith("/feeds") for p in paths)


def test_feed_links_follow_the_mount_path(seeded: dict[str, Any]) -> None:
    app = create_app(load_settings(seeded["path"], environ={}), store=seeded["store"])
    with TestClient(app, root_path="/wire") as client:
        feed = ET.fromstring(client.get("/wire/feeds/alerts/defence.atom").content)
        assert (
            feed.find(f"{ATOM}link[@rel='self']").get("href")
            == "http://testserver/wire/feeds/alerts/defence.atom"
        )  # type: ignore[union-attr]
        entry_link = feed.find(f"{ATOM}entry/{ATOM}link[@rel='alternate']")
        assert entry_link is not None and (entry_link.get("href") or "").startswith(
            "http://testserver/wire/releases/"
        )
        assert client.get("/wire/api/v1/alerts").json()[0]["feed"].startswith("/wire/feeds/alerts/")


def test_empty_feed(tmp_path: Path) -> None:
    with TestClient(create_app(load_settings(tmp_path, environ={}))) as client:
        assert _entries(client.get("/feeds/alerts.atom").content) == []
        assert client.get("/api/v1/alerts").json() == []


# -- write routes -------------------------------------------------------------------------------------------------

TOKEN = "write-t0ken"
DEFENCE = {
    "name": "defence2",
    "kind": "role",
    "definition": {"position": "министр обороны", "with_country": "BY"},
}


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(tmp_path, environ={}, web={"api_token": TOKEN})
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        build(c.app.state.web.store)  # type: ignore[attr-defined]
        yield c


def test_write_routes_need_the_token(writer: TestClient, client: TestClient) -> None:
    assert client.post("/api/v1/alerts", json=DEFENCE).status_code == 403  # no token configured: read-only
    assert client.delete("/api/v1/alerts/defence").status_code == 403
    wrong = writer.post("/api/v1/alerts", json=DEFENCE, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert writer.get("/api/v1/alerts").json() == []


def test_add_and_remove_a_rule(writer: TestClient) -> None:
    added = writer.post("/api/v1/alerts", json=DEFENCE)
    assert added.status_code == 201
    assert (
        added.json()["description"]
        == "a participant whose position matches /министр обороны/ appears with anyone from BY"
    )
    assert writer.post("/api/v1/alerts", json=DEFENCE).status_code == 409
    hooked = {**DEFENCE, "name": "hooked", "webhook": "https://hooks.example.org/h", "secret": "s"}
    assert writer.post("/api/v1/alerts", json=hooked).json()["webhook"] is True
    assert [r["name"] for r in writer.get("/api/v1/alerts").json()] == ["defence2", "hooked"]
    assert writer.delete("/api/v1/alerts/defence2").status_code == 204
    assert writer.delete("/api/v1/alerts/defence2").status_code == 404
    assert [r["name"] for r in writer.get("/api/v1/alerts").json()] == ["hooked"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "weather"}, "rule kind 'weather'"),
        ({"definition": {"position": "министр ("}}, "not a valid regex"),
        ({"definition": {"person": "Белоусов"}}, "unknown key(s) person"),
        ({"name": "two words"}, "use letters, digits"),
        ({"webhook": "https://hooks.example.org/h"}, "secret: required with a webhook"),
        ({"webhook": "http://127.0.0.1:9/h", "secret": "s"}, "not a public address"),
        ({"webhook": "javascript:alert(1)", "secret": "s"}, "expected an http"),
        ({"kind": "search", "definition": {"query": "-only"}}, "only exclusions"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_rules_are_400(writer: TestClient, change: dict[str, Any], message: str) -> None:
    response = writer.post("/api/v1/alerts", json={**DEFENCE, **change})
    assert response.status_code == 400
    assert message in response.json()["detail"]
