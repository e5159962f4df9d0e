"""Saved searches on the web: the /saved page and its forms (sign-in, CSRF, read-only mode, htmx fragments),
their RSS/Atom/JSON feeds, the /api/v1/saved-searches API, and the vendored htmx."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from alert_corpus import build
from factories import NOW, make_article
from osiwire.alerts.evaluate import evaluate_stored
from osiwire.alerts.rules import PersonRule, Rule, SearchRule
from osiwire.config import load_settings
from osiwire.store import Store
from osiwire.web.app import create_app
from osiwire.web.session import SESSION_COOKIE, SESSION_MAX_AGE_S, new_session, valid_session

TOKEN = "s3cret-token-for-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
HTMX = {"HX-Request": "true"}
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE_TITLE = "<script>alert(1)</script> учения"
CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, module_store_url: str) -> Iterator[dict[str, Any]]:
    path = tmp_path_factory.mktemp("saved")
    with Store(module_store_url) as store:
        ids = build(store)
        store.releases.save(make_article("javascript:alert(1)//x", HOSTILE_TITLE, ["Учения."]))
        store.alerts.add(Rule("exercises", SearchRule("учения")), NOW)
        store.alerts.add(Rule("belousov", PersonRule("Andrei Belousov")), NOW)  # not a saved search
        evaluate_stored(store, None, now=NOW)
        yield {"store": store, "ids": ids, "path": path}


def _client(seeded: dict[str, Any], token: str, **kwargs: Any) -> TestClient:
    environ = {"OSIWIRE_WEB__API_TOKEN": token} if token else {}
    settings = load_settings(seeded["path"], environ=environ)
    return TestClient(create_app(settings, store=seeded["store"]), **kwargs)


@pytest.fixture
def client(seeded: dict[str, Any]) -> Iterator[TestClient]:
    with _client(seeded, TOKEN) as c:
        yield c


@pytest.fixture
def read_only(seeded: dict[str, Any]) -> Iterator[TestClient]:
    with _client(seeded, "") as c:
        yield c


def _sign_in(client: TestClient) -> str:
    """Sign ``client`` in; the CSRF token its forms carry."""
    response = client.post("/signin", data={"token": TOKEN, "next": "/saved"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/saved"
    match = CSRF_RE.search(client.get("/saved").text)
    assert match is not None
    return match.group(1)


def _names(client: TestClient) -> list[str]:
    return [s["name"] for s in client.get("/api/v1/saved-searches").json()]


# -- read-only mode and signing in ------------------------------------------------------------------------------


def test_read_only_mode_says_so_and_refuses_writes(read_only: TestClient) -> None:
    page = read_only.get("/saved")
    assert page.status_code == 200
    assert "Read-only mode" in page.text and "exercises" in page.text
    assert "<form" not in page.text.split("<main", 1)[1]  # no form that could only fail
    search = read_only.get("/search", params={"q": "учения"}).text
    assert "Read-only mode: saving searches is disabled" in search and 'action="/saved"' not in search
    assert "nothing to sign in to" in read_only.get("/signin").text
    refused = read_only.post("/saved", data={"name": "x", "q": "учения", "csrf": "0" * 64})
    assert refused.status_code == 403 and "read-only mode" in refused.text
    assert read_only.post("/signin", data={"token": ""}).status_code == 403
    api = read_only.post("/api/v1/saved-searches", json={"name": "x", "query": "учения"}, headers=BEARER)
    assert api.status_code == 403 and "read-only" in api.json()["detail"]
    assert "x" not in _names(read_only)


def test_signin_checks_the_token_and_sets_a_safe_cookie(seeded: dict[str, Any]) -> None:
    with _client(seeded, TOKEN, base_url="https://testserver") as client:
        wrong = client.post("/signin", data={"token": TOKEN[:-1] + "X"}, follow_redirects=False)
        assert wrong.status_code == 401 and "not the API token" in wrong.text
        assert "set-cookie" not in wrong.headers
        signed = client.post(
            "/signin", data={"token": TOKEN, "next": "//evil.example/x"}, follow_redirects=False
        )
        assert signed.status_code == 303 and signed.headers["location"] == "/saved"  # never another host
        cookie = signed.headers["set-cookie"]
        assert cookie.startswith(SESSION_COOKIE + "=") and TOKEN not in cookie
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "secure", "samesite=strict", f"max-age={SESSION_MAX_AGE_S}"} <= flags
        page = client.get("/saved")
        assert "Signed in." in page.text
        assert page.headers["cache-control"] == "no-store"  # it carries this session's CSRF token
        assert client.get("/search", params={"q": "x"}).headers["cache-control"] == "no-store"
    with _client(seeded, TOKEN) as anonymous:
        assert "cache-control" not in anonymous.get("/search", params={"q": "x"}).headers


def test_session_values() -> None:
    session = new_session(TOKEN, now=1_000_000)
    assert valid_session(TOKEN, session, now=1_000_000 + 60)
    assert not valid_session(TOKEN, session, now=1_000_000 + SESSION_MAX_AGE_S + 1)  # expired
    assert not valid_session("another-token", session, now=1_000_000)  # the token changed
    issued, nonce, mac = session.split(".")
    assert not valid_session(TOKEN, f"{int(issued) + 1}.{nonce}.{mac}", now=1_000_000)  # tampered
    assert not valid_session(TOKEN, "", now=1_000_000)
    assert not valid_session("", session, now=1_000_000)


def test_writes_need_a_session(client: TestClient) -> None:
    response = client.post("/saved", data={"name": "nosession", "q": "учения", "csrf": "0" * 64})
    assert response.status_code == 401 and "sign in" in response.text
    assert "nosession" not in _names(client)


@pytest.mark.parametrize("csrf", ["", "0" * 64, "other-session"])
def test_csrf_rejected(client: TestClient, seeded: dict[str, Any], csrf: str) -> None:
    _sign_in(client)
    if csrf == "other-session":
        with _client(seeded, TOKEN) as other:
            csrf = _sign_in(other)
    response = client.post("/saved", data={"name": "forged", "q": "учения", "csrf": csrf})
    assert response.status_code == 403 and "did not come from osiwire" in response.text
    assert "forged" not in _names(client)
    delete = client.post("/saved/exercises/delete", data={"csrf": csrf})
    assert delete.status_code == 403 and "exercises" in _names(client)


def test_only_forms_are_read(client: TestClient) -> None:
    csrf = _sign_in(client)
    response = client.post("/saved", json={"name": "asjson", "q": "учения", "csrf": csrf})
    assert response.status_code == 400 and "asjson" not in _names(client)


# -- the page and its forms without JavaScript ------------------------------------------------------------------


def test_save_rename_delete_without_javascript(client: TestClient) -> None:
    csrf = _sign_in(client)
    box = client.get("/search", params={"q": "учения", "country": "BY", "sort": "date"}).text
    assert 'action="/saved"' in box and f'value="{csrf}"' in box
    form = {"csrf": csrf, "name": "by-exercises", "q": "учения", "country": "BY"}
    saved = client.post("/saved", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/saved"
    page = client.get("/saved").text
    assert 'href="/search?q=%D1%83%D1%87%D0%B5%D0%BD%D0%B8%D1%8F&amp;country=BY">by-exercises</a>' in page
    assert 'href="/feeds/saved/by-exercises.rss"' in page and 'href="/feeds/saved/by-exercises.json"' in page
    assert client.post("/saved", data=form).status_code == 409  # the name is taken
    bad = client.post("/saved", data={**form, "name": "has spaces"})
    assert bad.status_code == 400 and "no spaces" in bad.text
    assert client.post("/saved", data={**form, "name": "badq", "q": "-only"}).status_code == 400

    renamed = client.post(
        "/saved/by-exercises",
        data={"csrf": csrf, "name": "by-drills", "q": "коллегию"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    one = client.get("/api/v1/saved-searches/by-drills").json()
    assert one["query"] == "коллегию" and one["filters"] == {"country": "BY"}  # filters kept
    assert client.get("/api/v1/saved-searches/by-exercises").status_code == 404
    gone = client.post("/saved/by-drills/delete", data={"csrf": csrf}, follow_redirects=False)
    assert gone.status_code == 303 and "by-drills" not in _names(client)
    assert client.post("/saved/by-drills/delete", data={"csrf": csrf}).status_code == 404


def test_page_shows_alerts_and_only_saved_searches(client: TestClient) -> None:
    page = client.get("/saved").text
    row = page[page.index(">exercises</a>") :]
    assert re.search(r"\d+ alerts, last <time", row) and 'href="/feeds/alerts/exercises.atom"' in row
    assert "belousov" not in page  # a person rule is an alert, not a saved search
    assert client.get("/feeds/saved/belousov.atom").status_code == 404
    assert client.get("/api/v1/saved-searches/belousov").status_code == 404


def test_renaming_keeps_alerts(client: TestClient, seeded: dict[str, Any]) -> None:
    csrf = _sign_in(client)
    before = client.get("/api/v1/saved-searches/exercises").json()["alerts"]
    assert before > 0
    client.post("/saved/exercises", data={"csrf": csrf, "name": "drills", "q": "учения"})
    assert client.get("/api/v1/saved-searches/drills").json()["alerts"] == before
    client.post("/saved/drills", data={"csrf": csrf, "name": "exercises", "q": "учения"})
    assert "exercises" in _names(client)


# -- htmx fragments ---------------------------------------------------------------------------------------------


def test_listing_fragment_for_htmx(client: TestClient) -> None:
    params = {"q": "учения", "page": "1"}
    full = client.get("/search", params=params)
    assert full.text.startswith("<!doctype html>") and 'id="listing"' in full.text
    assert full.headers["vary"] == "HX-Request, HX-Target"
    fragment = client.get("/search", params=params, headers={**HTMX, "HX-Target": "listing"})
    assert fragment.status_code == 200
    assert fragment.text.startswith("<title>учения — search — osiwire</title>")
    assert "<html" not in fragment.text and "<header" not in fragment.text
    assert '<div id="listing"' in fragment.text and 'class="hits"' in fragment.text
    assert 'hx-target="#listing"' in fragment.text  # its own links swap it again
    # The head's feed links follow the search (swapped by id, out of band).
    assert 'id="feed-rss"' in full.text and "hx-swap-oob" not in full.text.split("</head>")[0]
    oob = [line for line in fragment.text.splitlines() if 'id="feed-rss"' in line]
    assert (
        len(oob) == 1
        and 'hx-swap-oob="true"' in oob[0]
        and "q=%D1%83%D1%87%D0%B5%D0%BD%D0%B8%D1%8F" in oob[0]
    )
    restore = {**HTMX, "HX-Target": "listing", "HX-History-Restore-Request": "true"}
    assert client.get("/search", params=params, headers=restore).text.startswith("<!doctype html>")
    other = client.get("/search", params=params, headers={**HTMX, "HX-Target": "something-else"})
    assert other.text.startswith("<!doctype html>")
    bad = client.get("/search", params={"q": "-only"}, headers={**HTMX, "HX-Target": "listing"})
    assert bad.status_code == 400 and bad.text.startswith("<title>") and "could not be understood" in bad.text


def test_htmx_forms_answer_fragments(client: TestClient) -> None:
    csrf = _sign_in(client)
    headers = {**HTMX, "HX-Target": "save-search"}
    saved = client.post("/saved", data={"csrf": csrf, "name": "frag", "q": "учения"}, headers=headers)
    assert saved.status_code == 201
    assert saved.text.startswith('<section id="save-search"') and "Saved as" in saved.text
    taken = client.post("/saved", data={"csrf": csrf, "name": "frag", "q": "учения"}, headers=headers)
    assert taken.status_code == 409 and "exists" in taken.text and "<form" in taken.text
    assert '<input type="hidden" name="q" value="учения">' in taken.text  # the form again, as it was

    row_headers = {**HTMX, "HX-Target": ""}
    edited = client.post(
        "/saved/frag", data={"csrf": csrf, "name": "frag2", "q": "коллегию"}, headers=row_headers
    )
    assert edited.status_code == 200 and edited.text.startswith('<li class="saved-search">')
    assert ">frag2</a>" in edited.text and 'action="/saved/frag2"' in edited.text
    wrong = client.post("/saved/frag2", data={"csrf": csrf, "name": "no good"}, headers=row_headers)
    assert wrong.status_code == 400 and 'role="alert"' in wrong.text and ">frag2</a>" in wrong.text
    deleted = client.post("/saved/frag2/delete", data={"csrf": csrf}, headers=row_headers)
    assert deleted.status_code == 200 and deleted.text == ""
    assert "frag2" not in _names(client)


# -- feeds ------------------------------------------------------------------------------------------------------


def test_saved_search_feeds(client: TestClient) -> None:
    atom = client.get("/feeds/saved/exercises.atom")
    assert atom.status_code == 200 and atom.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert b"<script>" not in atom.content
    feed = ET.fromstring(atom.content)
    assert feed.findtext(f"{ATOM}title") == "osiwire: saved search exercises"
    self_link = next(link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == "http://testserver/feeds/saved/exercises.atom"
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert HOSTILE_TITLE in titles and len(titles) >= 3

    rss = client.get("/feeds/saved/exercises.rss")
    assert rss.headers["content-type"] == "application/rss+xml; charset=utf-8"
    channel = ET.fromstring(rss.content).find("channel")
    assert channel is not None
    assert [i.findtext("title") for i in channel.findall("item")] == titles  # newest first, the same
    assert "/feeds/saved/exercises.rss" in rss.text

    jf = client.get("/feeds/saved/exercises.json")
    assert jf.headers["content-type"] == "application/feed+json"
    body = json.loads(jf.text)
    assert body["feed_url"] == "http://testserver/feeds/saved/exercises.json"
    assert [i["title"] for i in body["items"]] == titles
    assert client.get("/feeds/saved/nothing.rss").status_code == 404


# -- JSON API ---------------------------------------------------------------------------------------------------


def test_api_crud(client: TestClient) -> None:
    body = {"name": "api-one", "query": "учения", "filters": {"country": "by"}}
    assert client.post("/api/v1/saved-searches", json=body).status_code == 401
    created = client.post("/api/v1/saved-searches", json=body, headers=BEARER)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["filters"] == {"country": "BY"} and out["query"] == "учения" and out["alerts"] == 0
    assert out["feeds"] == {
        "rss": "/feeds/saved/api-one.rss",
        "atom": "/feeds/saved/api-one.atom",
        "json": "/feeds/saved/api-one.json",
    }
    assert out["search_url"] == "/search?q=%D1%83%D1%87%D0%B5%D0%BD%D0%B8%D1%8F&country=BY"
    assert client.get("/api/v1/saved-searches/api-one").json() == out
    assert "api-one" in _names(client)

    assert client.post("/api/v1/saved-searches", json=body, headers=BEARER).status_code == 409
    bad = [
        {**body, "name": "events"},
        {**body, "name": "two words"},
        {**body, "filters": {"colour": "red"}},
        {**body, "filters": {"since": "yesterday"}},
        {"name": "empty"},
        {**body, "name": "badq", "query": "-only"},
    ]
    for b in bad:
        assert client.post("/api/v1/saved-searches", json=b, headers=BEARER).status_code == 400, b

    patch = {"name": "api-two", "query": "коллегию"}
    assert client.patch("/api/v1/saved-searches/api-one", json=patch).status_code == 401
    edited = client.patch("/api/v1/saved-searches/api-one", json=patch, headers=BEARER).json()
    assert (
        edited["name"] == "api-two"
        and edited["query"] == "коллегию"
        and edited["filters"] == {"country": "BY"}
    )
    refilter = client.patch("/api/v1/saved-searches/api-two", json={"filters": {}}, headers=BEARER).json()
    assert refilter["filters"] == {}
    taken = client.patch("/api/v1/saved-searches/api-two", json={"name": "exercises"}, headers=BEARER)
    assert taken.status_code == 409
    assert client.patch("/api/v1/saved-searches/nothing", json={}, headers=BEARER).status_code == 404

    assert client.delete("/api/v1/saved-searches/api-two").status_code == 401
    assert client.delete("/api/v1/saved-searches/api-two", headers=BEARER).status_code == 204
    assert client.get("/api/v1/saved-searches/api-two").status_code == 404
    assert client.delete("/api/v1/saved-searches/belousov", headers=BEARER).status_code == 404  # not a search


def test_api_in_openapi(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/saved-searches"]) == {"get", "post"}
    assert set(paths["/api/v1/saved-searches/{name}"]) == {"get", "patch", "delete"}
    assert "401" in paths["/api/v1/saved-searches"]["post"]["responses"]


# -- htmx, vendored ---------------------------------------------------------------------------------------------


def test_htmx_is_served_and_configured_for_the_csp(client: TestClient) -> None:
    script = client.get("/static/htmx.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript")
    assert script.text.startswith("var htmx=function()")
    static = Path(__file__).resolve().parent.parent / "src" / "osiwire" / "web" / "static"
    assert "Zero-Clause BSD" in (static / "htmx.LICENSE.txt").read_text(encoding="utf-8")
    assert "2.0.11" in (static / "htmx.SOURCE.txt").read_text(encoding="utf-8")
    page = client.get("/").text
    assert '<script src="/static/htmx.min.js" defer></script>' in page
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert meta is not None
    config = json.loads(meta.group(1))
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False
    assert config["allowScriptTags"] is False and config["historyCacheSize"] == 0
    assert "<script>" not in page and "style=" not in page  # nothing inline for the CSP to block
