"""The sources page's check button: token holders only (signed in, CSRF), escaped output, nothing stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from osiwire.config import load_settings
from osiwire.model import Source, SourceKind
from osiwire.store import Store
from osiwire.web.app import create_app
from site_server import Page, Site, SiteServer

TOKEN = "token-for-the-source-check"
CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def site() -> Iterator[Site]:
    with SiteServer(Site()) as served:
        served.pages["/maintenance"] = Page(f"<html><body>{HOSTILE}</body></html>".encode())
        yield served


def _client(tmp_path: Path, site: Site, token: str) -> TestClient:
    environ = {"OSIWIRE_WEB__API_TOKEN": token} if token else {}
    settings = load_settings(
        tmp_path,
        environ=environ,
        fetch={"allow_private_addresses": True, "per_host_interval_s": 0, "retries": 0},
    )
    store = Store(settings.database)
    store.sources.add(Source(name=f"Bad {HOSTILE}", url=site.base + "/maintenance", kind=SourceKind.RSS))
    store.sources.add(Source(name="Gone", url=site.base + "/gone.rss", kind=SourceKind.RSS))
    return TestClient(create_app(settings, store=store))


def _sign_in(client: TestClient) -> str:
    client.post("/signin", data={"token": TOKEN, "next": "/sources"}, follow_redirects=False)
    match = CSRF_RE.search(client.get("/sources").text)
    assert match is not None
    return match.group(1)


def test_signed_in_check_shows_escaped_results(tmp_path: Path, site: Site) -> None:
    with _client(tmp_path, site, TOKEN) as client:
        assert "Sign in</a> to check" in client.get("/sources").text
        assert 'action="/sources/check"' not in client.get("/sources").text
        csrf = _sign_in(client)
        page = client.get("/sources")
        assert "Check all sources now" in page.text and page.headers["cache-control"] == "no-store"
        response = client.post("/sources/check", data={"csrf": csrf})
        assert response.status_code == 200
        assert "0 of 2 sources ok" in response.text
        assert "parse_error" in response.text and "http_error" in response.text and ">404<" in response.text
        assert HOSTILE not in response.text and "&lt;script&gt;" in response.text
        one = client.post("/sources/check", data={"csrf": csrf, "source": "2"})
        assert "0 of 1 source ok" in one.text and "Gone" in one.text and "Bad " not in one.text
        missing = client.post("/sources/check", data={"csrf": csrf, "source": "99"})
        assert missing.status_code == 404
        assert client.post("/sources/check", data={"csrf": csrf, "source": "x<y"}).status_code == 404
    assert site.hits["/gone.rss"] == 2  # checked twice, nothing else fetched it
    with Store(f"sqlite:///{tmp_path / 'osiwire.db'}") as store:
        assert all(h.error_count == 0 for h in store.sources.all_health().values())


@pytest.mark.parametrize(("token", "status"), [("", 403), (TOKEN, 401)])
def test_refused_without_a_session(tmp_path: Path, site: Site, token: str, status: int) -> None:
    with _client(tmp_path, site, token) as client:
        response = client.post("/sources/check", data={"csrf": "0" * 64})
        assert response.status_code == status
    assert site.hits["/gone.rss"] == 0


def test_refused_with_a_wrong_csrf(tmp_path: Path, site: Site) -> None:
    with _client(tmp_path, site, TOKEN) as client:
        _sign_in(client)
        assert client.post("/sources/check", data={"csrf": "0" * 64}).status_code == 403
    assert site.hits["/gone.rss"] == 0
