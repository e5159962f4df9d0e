"""The web app: pages, feeds and API over a small seeded store, with hostile source text throughout."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from osiwire.config import load_settings
from osiwire.model import Article, Segment, Source, SourceKind
from osiwire.store import Store
from osiwire.web.app import SECURITY_HEADERS, create_app
from osiwire.web.render import highlight, inline_code, safe_href

ATOM = "{http://www.w3.org/2005/Atom}"
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
)
HOSTILE_URL = "javascript:alert(1)//kremlin.ru/events/1"
HOSTILE_LANG = 'en" x="1'
PAGE_SIZE = 2


def _when(day: int, hour: int = 0) -> datetime:
    return datetime(2025, 2, day, hour, tzinfo=UTC)


def _article(
    url: str,
    title: str,
    paragraphs: list[tuple[str, str]],
    *,
    language: str,
    source_id: int | None,
    published: datetime | None,
    content_hash: str,
    fetched_at: datetime | None = None,
) -> Article:
    body = [Segment(i, "paragraph", text, lang) for i, (text, lang) in enumerate(paragraphs, 1)]
    segments = (Segment(0, "title", title, language), *body)
    return Article(
        url=url,
        title=title,
        language=language,
        segments=segments,
        content_hash=content_hash,
        fetched_at=fetched_at or _when(10),
        published=published,
        source_id=source_id,
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, module_store_url: str) -> Iterator[dict[str, Any]]:
    """One store and client for the module: every test only reads."""
    tmp_path = tmp_path_factory.mktemp("web")
    store = Store(module_store_url)
    kremlin = store.sources.add(
        Source(
            name="Kremlin",
            url="http://kremlin.ru/events/president/news/feed",
            kind=SourceKind.RSS,
            region="Russian Federation",
            country="RU",
            language="ru",
            organisation="Presidential Executive Office",
        )
    )
    fco = store.sources.add(
        Source(
            name="FCDO",
            url="https://www.gov.uk/fcdo.atom",
            kind=SourceKind.ATOM,
            region="Europe",
            country="GB",
        )
    )
    evil = store.sources.add(
        Source(
            name="Evil <script>alert(1)</script>",
            url="javascript:alert(1)",
            kind=SourceKind.HTML,
            region='"><svg onload=alert(1)>',
            language="ru",
        )
    )
    assert kremlin.id and fco.id and evil.id
    store.sources.record_error(fco, _when(11), "HTTP 503 <img src=x onerror=alert(1)>")
    moscow = store.releases.save(
        _article(
            "http://kremlin.ru/events/president/news/1",
            "Совещание с членами Правительства",
            [
                ("Владимир Путин провёл совещание в Москве с членами Правительства.", "ru"),
                ("The President also spoke English to the guests.", "en"),
            ],
            language="ru",
            source_id=kremlin.id,
            published=_when(3, 14),
            content_hash="aa01",
        )
    )
    edited = _article(
        "http://kremlin.ru/events/president/news/2",
        "Указ о награждении",
        [("Первый абзац указа.", "ru"), ("Наградить орденом Дружбы.", "ru")],
        language="ru",
        source_id=kremlin.id,
        published=_when(2),
        content_hash="bb01",
    )
    store.releases.save(edited)
    second = _article(
        edited.url,
        "Указ о награждении",
        [
            ("Первый абзац указа.", "ru"),
            ("Наградить орденом Почёта и медалью.", "ru"),
            ("Новый абзац.", "ru"),
        ],
        language="ru",
        source_id=kremlin.id,
        published=_when(2),
        content_hash="bb02",
        fetched_at=_when(12),
    )
    versioned = store.releases.save(second)
    english = store.releases.save(
        _article(
            "https://www.gov.uk/government/news/statement",
            "Foreign Secretary statement on Moscow talks",
            [("The Foreign Secretary commented on the talks held in Moscow this week.", "en")],
            language="en",
            source_id=fco.id,
            published=_when(1),
            content_hash="cc01",
        )
    )
    hostile_text = " ".join(PAYLOADS)
    hostile = store.releases.save(
        _article(
            HOSTILE_URL,
            "Москва " + hostile_text,
            [(f"Москва {hostile_text} конец", "ru"), ("Hostile language code", HOSTILE_LANG)],
            language="ru",
            source_id=evil.id,
            published=None,
            content_hash="dd01",
        )
    )
    settings = load_settings(tmp_path, environ={}, web={"page_size": PAGE_SIZE})
    app = create_app(settings, store=store)
    with TestClient(app) as client:
        yield {
            "client": client,
            "store": store,
            "kremlin": kremlin,
            "fco": fco,
            "evil": evil,
            "moscow": moscow.release_id,
            "versioned": versioned.release_id,
            "english": english.release_id,
            "hostile": hostile.release_id,
        }
    store.close()


@pytest.fixture()
def client(seeded: dict[str, Any]) -> TestClient:
    c = seeded["client"]
    assert isinstance(c, TestClient)
    return c


# The scripts a page may load, both served by osiwire (CSP script-src 'self'): its keyboard shortcuts and htmx.
OWN_SCRIPTS = (
    '<script src="/static/keys.js" defer></script>',
    '<script src="/static/htmx.min.js" defer></script>',
)


def _without_own_scripts(body: str) -> str:
    for script in OWN_SCRIPTS:
        body = body.replace(script, "")
    return body


def _assert_no_payload(body: str) -> None:
    for payload in PAYLOADS:
        assert payload not in body
    assert "<script" not in _without_own_scripts(body).lower()
    assert "<svg" not in body.lower()
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", body, re.IGNORECASE)
    assert 'x="1"' not in body


# -- helpers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "spans", "expected"),
    [
        ("в Москве сегодня", [(2, 8)], "в <mark>Москве</mark> сегодня"),
        ("<b>a</b>", [(3, 4)], "&lt;b&gt;<mark>a</mark>&lt;/b&gt;"),
        ("abc", [(0, 2), (1, 3)], "<mark>ab</mark><mark>c</mark>"),  # overlaps marked once
        ("abc", [(2, 99), (5, 6)], "ab<mark>c</mark>"),  # out of range clamped
        ("abc", [], "abc"),
    ],
)
def test_highlight_escapes_each_piece(snippet: str, spans: list[tuple[int, int]], expected: str) -> None:
    assert str(highlight(snippet, spans)) == expected


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://kremlin.ru/a?b=1", True),
        ("HTTP://example.org/", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("https://a.example/\nx", False),
        ('https://a.example/"onmouseover=', False),
        ("data:text/html,<script>", False),
        ("file:///etc/passwd", False),
        ("//evil.example/", False),
    ],
)
def test_safe_href(url: str, ok: bool) -> None:
    assert bool(safe_href(url)) is ok


# -- pages ----------------------------------------------------------------------------------------------------


def test_latest_page_lists_newest_first(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    body = response.text
    assert '<html lang="en">' in body
    assert "osiwire" in body
    assert "Совещание с членами Правительства" in body
    # Undated releases sort by first seen (10 Feb), so the hostile one is newest.
    assert body.index("Москва") < body.index("Совещание с членами Правительства")
    assert 'rel="alternate" type="application/atom+xml"' in body
    assert "/feeds/search.atom" in body


def test_search_highlights_inflected_match(client: TestClient) -> None:
    response = client.get("/search", params={"q": "Москва", "lang": "ru"})
    assert response.status_code == 200
    assert "<mark>Москве</mark>" in response.text
    assert "Foreign Secretary" not in response.text
    assert 'href="/feeds/search.atom?q=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&amp;lang=ru"' in response.text


def test_empty_search_is_latest(client: TestClient) -> None:
    assert "Latest releases" in client.get("/search", params={"q": ""}).text


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        ({"lang": "en"}, "Foreign Secretary", "Совещание"),
        ({"source": "FCDO"}, "Foreign Secretary", "Совещание"),
        ({"region": "europe"}, "Foreign Secretary", "Совещание"),
        ({"country": "ru"}, "Совещание", "Foreign Secretary"),
        ({"since": "2025-02-03", "lang": "ru"}, "Совещание", "Указ о награждении"),
        ({"until": "2025-02-01"}, "Foreign Secretary", "Указ о награждении"),
        ({"q": "Moscow", "until": "2025-02-01"}, "<mark>Moscow</mark>", "Совещание"),
        ({"since": "0001-01-01", "until": "9999-12-31", "lang": "en"}, "Foreign Secretary", "Совещание"),
    ],
)
def test_filters(client: TestClient, params: dict[str, str], present: str, absent: str) -> None:
    response = client.get("/", params=params)
    assert response.status_code == 200
    assert present in response.text
    assert absent not in response.text


def test_pagination_has_stable_urls(client: TestClient) -> None:
    first = client.get("/", params={"lang": "ru"})
    assert "page 1 of 2" in first.text
    assert 'href="/?lang=ru&amp;page=2"' in first.text
    second = client.get("/?lang=ru&page=2")
    assert second.status_code == 200
    assert 'href="/?lang=ru"' in second.text  # back to page 1, without a page parameter
    assert "Указ о награждении" in second.text
    assert "Указ о награждении" not in first.text
    assert client.get("/?page=0").status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"q": "-Москва"},
        {"since": "yesterday"},
        {"until": "2025-13-01"},
        {"source": "9" * 30},
        {"source": "²"},
        {"page": "x"},
    ],
)
def test_bad_request_page(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/search", params=params)
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]
    assert 'role="alert"' in response.text


def test_release_page_segments_and_languages(client: TestClient, seeded: dict[str, Any]) -> None:
    response = client.get(f"/releases/{seeded['moscow']}")
    assert response.status_code == 200
    body = response.text
    assert '<h1 lang="ru">Совещание с членами Правительства</h1>' in body
    assert '<p lang="ru">Владимир Путин провёл совещание в Москве' in body
    assert re.search(r'<p lang="en"><span class="lang"[^>]*>en</span> The President', body)
    assert '<a href="http://kremlin.ru/events/president/news/1" rel="noopener noreferrer nofollow">' in body
    assert f'href="/sources/{seeded["kremlin"].id}"' in body
    assert "Russian Federation" in body
    assert "2025-02-03 14:00 UTC" in body


def test_release_versions_and_diff(client: TestClient, seeded: dict[str, Any]) -> None:
    url = f"/releases/{seeded['versioned']}"
    body = client.get(url).text
    assert "<code>bb01</code>" in body and "<code>bb02</code>" in body
    assert "Changes from version 1 to 2" in body
    assert "<del>Дружбы</del>" in body
    assert "<ins>Почёта и медалью</ins>" in body or "<ins>Почёта</ins>" in body
    assert '<p class="diff added" lang="ru"><ins>Новый абзац.</ins></p>' in body
    assert "2 unchanged paragraphs" in body  # title and first paragraph
    assert client.get(url, params={"diff": 2}).status_code == 200
    old = client.get(url, params={"version": 1}).text
    assert "Наградить орденом Дружбы." in old and "version 1 of 2" in old
    assert client.get(url, params={"diff": 3}).status_code == 404
    assert client.get(url, params={"diff": 1}).status_code == 400
    single = client.get(f"/releases/{seeded['english']}").text
    assert "Changes from" not in single


def test_sources_pages(client: TestClient, seeded: dict[str, Any]) -> None:
    body = client.get("/sources").text
    assert "Kremlin" in body and "FCDO" in body
    assert 'class="failing"' in body
    assert "HTTP 503" in body
    fco = client.get(f"/sources/{seeded['fco'].id}").text
    assert "Foreign Secretary statement on Moscow talks" in fco
    assert '<a href="https://www.gov.uk/fcdo.atom" rel="noopener noreferrer nofollow">' in fco
    assert "Errors in a row" in fco
    kremlin = client.get(f"/sources/{seeded['kremlin'].id}").text
    assert "Совещание с членами Правительства" in kremlin


@pytest.mark.parametrize(
    "path",
    [
        "/releases/9999",
        "/releases/abc",
        "/releases/99999999999999999999999",  # past any database integer: not found, not a crash
        "/sources/9999",
        "/sources/99999999999999999999999",
        "/nowhere",
        "/releases/1?version=9",
    ],
)
def test_html_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Not found" in response.text


def test_hostile_text_never_reaches_markup(client: TestClient, seeded: dict[str, Any]) -> None:
    paths = [
        "/",
        "/search?q=alert",
        "/search?q=Москва",
        f"/releases/{seeded['hostile']}",
        "/sources",
        f"/sources/{seeded['evil'].id}",
        "/feeds/search.atom",
        "/feeds/search.atom?q=alert",
        "/api",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_no_payload(response.text)
    page = client.get(f"/releases/{seeded['hostile']}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text
    assert HOSTILE_URL in page  # shown, not linked
    assert '<p lang="ru">' in page  # the well-formed language code kept, the hostile one dropped


# -- feeds ----------------------------------------------------------------------------------------------------


def test_atom_feed(client: TestClient, seeded: dict[str, Any]) -> None:
    response = client.get("/feeds/search.atom", params={"q": "Москва"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for child in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{child}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    by_id = {e.findtext(f"{ATOM}id"): e for e in entries}
    moscow = by_id["http://kremlin.ru/events/president/news/1"]
    links = {link.get("rel"): link.get("href") for link in moscow.findall(f"{ATOM}link")}
    assert links["alternate"] == f"http://testserver/releases/{seeded['moscow']}"
    assert links["related"] == "http://kremlin.ru/events/president/news/1"
    assert "Москве" in (moscow.findtext(f"{ATOM}summary") or "")
    assert moscow.findtext(f"{ATOM}published") == "2025-02-03T14:00:00Z"
    # The hostile release: a tag URI for its id, no link to its javascript: URL, payloads as text only.
    hostile = next(e for e in entries if e is not moscow)
    assert (hostile.findtext(f"{ATOM}id") or "").startswith("tag:testserver,")
    assert [link.get("rel") for link in hostile.findall(f"{ATOM}link")] == ["alternate"]
    assert PAYLOADS[0] in (hostile.findtext(f"{ATOM}title") or "")
    assert hostile.findtext(f"{ATOM}updated") == "2025-02-10T00:00:00Z"  # first seen: it has no date


def test_atom_feed_of_latest_and_bad_query(client: TestClient) -> None:
    root = ET.fromstring(client.get("/feeds/search.atom", params={"lang": "en"}).content)
    assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == [
        "Foreign Secretary statement on Moscow talks"
    ]
    assert client.get("/feeds/search.atom", params={"q": "-x"}).status_code == 400


# -- API ------------------------------------------------------------------------------------------------------

HIT_KEYS = {
    "id",
    "url",
    "title",
    "published",
    "language",
    "source",
    "region",
    "snippet",
    "highlights",
    "score",
}


def test_api_latest_releases(client: TestClient) -> None:
    data = client.get("/api/v1/releases", params={"limit": 3, "offset": 1, "country": "RU"}).json()
    assert set(data) == {"query", "total", "limit", "offset", "hits"}
    assert (data["total"], data["limit"], data["offset"]) == (2, 3, 1)
    assert [set(hit) for hit in data["hits"]] == [HIT_KEYS]
    everything = client.get("/api/v1/releases").json()
    assert everything["total"] == 4 and len(everything["hits"]) == PAGE_SIZE


def test_api_search(client: TestClient, seeded: dict[str, Any]) -> None:
    data = client.get("/api/v1/search", params={"q": "Москва", "lang": "ru"}).json()
    assert data["total"] == 2
    hit = next(h for h in data["hits"] if h["id"] == seeded["moscow"])
    assert set(hit) == HIT_KEYS
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "Москве"
    assert hit["source"] == "Kremlin" and hit["region"] == "Russian Federation"
    assert hit["published"].startswith("2025-02-03T14:00:00")
    assert client.get("/api/v1/search").status_code == 400
    bad = client.get("/api/v1/search", params={"q": "-x"})
    assert bad.status_code == 400 and isinstance(bad.json()["detail"], str)


def test_api_release(client: TestClient, seeded: dict[str, Any]) -> None:
    data = client.get(f"/api/v1/releases/{seeded['versioned']}").json()
    assert data["version_no"] == 2
    assert [s["language"] for s in data["segments"]] == ["ru"] * 4
    assert [s["kind"] for s in data["segments"]][:2] == ["title", "paragraph"]
    assert [v["content_hash"] for v in data["versions"]] == ["bb01", "bb02"]
    assert data["source"]["name"] == "Kremlin" and "health" in data["source"]
    old = client.get(f"/api/v1/releases/{seeded['versioned']}", params={"version": 1}).json()
    assert old["version_no"] == 1 and len(old["segments"]) == 3
    huge = "99999999999999999999999"
    for path in (
        "/api/v1/releases/9999",
        f"/api/v1/releases/{huge}",
        f"/api/v1/releases/{seeded['versioned']}?version=3",
    ):
        missing = client.get(path)
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/json"
        assert set(missing.json()) == {"detail"}
    assert client.get("/api/v1/releases/abc").status_code == 400


def test_api_sources(client: TestClient, seeded: dict[str, Any]) -> None:
    sources = client.get("/api/v1/sources").json()
    assert [s["name"] for s in sources] == ["Kremlin", "FCDO", "Evil <script>alert(1)</script>"]
    fco = client.get(f"/api/v1/sources/{seeded['fco'].id}").json()
    assert fco["health"]["error_count"] == 1
    assert fco["health"]["last_error"].startswith("HTTP 503")
    assert fco["kind"] == "atom" and fco["country"] == "GB"
    assert client.get("/api/v1/sources/9999").json() == {"detail": "source 9999: not found"}
    assert client.get("/api/v1/nothing").json() == {"detail": "Not Found"}


def test_openapi_documents_every_api_route(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    from test_docs import _routes  # every route of the app, routers included

    api_routes = {
        re.sub(r":int\}", "}", r)
        for r in _routes()
        if r.startswith("/api/v1/") and r != "/api/v1/openapi.json"
    }
    assert api_routes == set(schema["paths"])
    assert len(api_routes) >= 5
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert operation["summary"] and operation["description"]
            assert "422" not in operation["responses"]
    assert not any(path.startswith(("/releases", "/sources", "/feeds")) for path in schema["paths"])
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_api_index_page(client: TestClient) -> None:
    body = client.get("/api").text
    assert "GET /api/v1/search" in body
    assert 'href="/api/v1/openapi.json"' in body


# -- headers, static, lifespan --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/api/v1/releases", "/feeds/search.atom", "/static/style.css", "/nowhere", "/api/v1/search"]
)
def test_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_stylesheet_served_and_pages_need_nothing_external(client: TestClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "prefers-color-scheme: dark" in css.text
    body = client.get("/").text
    assert not re.search(r"""(src|href)=["'](https?:)?//""", body)
    assert "<script" not in _without_own_scripts(body) and "style=" not in body


def test_app_opens_and_closes_its_own_store(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    with TestClient(create_app(settings)) as client:
        assert client.get("/").status_code == 200
        assert client.get("/api/v1/sources").json() == []
    assert (tmp_path / "osiwire.db").exists()


def test_links_follow_the_mount_path(seeded: dict[str, Any], tmp_path: Path) -> None:
    app = create_app(load_settings(tmp_path, environ={}, web={"page_size": PAGE_SIZE}), store=seeded["store"])
    with TestClient(app, root_path="/wire") as client:
        body = client.get("/wire/", params={"lang": "ru"}).text
        assert 'href="/wire/static/style.css"' in body
        assert 'href="/wire/?lang=ru&amp;page=2"' in body
        assert f'href="/wire/releases/{seeded["moscow"]}"' in body
        feed = ET.fromstring(client.get("/wire/feeds/search.atom").content)
        alternate = feed.find(f"{ATOM}entry/{ATOM}link[@rel='alternate']")
        assert alternate is not None and (alternate.get("href") or "").startswith(
            "http://testserver/wire/releases/"
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("use `q` here", "use <code>q</code> here"),
        ("`<b>` and <i>", "<code>&lt;b&gt;</code> and &lt;i&gt;"),
        ("one ` tick", "one ` tick"),
    ],
)
def test_inline_code(text: str, expected: str) -> None:
    assert str(inline_code(text)) == expected
