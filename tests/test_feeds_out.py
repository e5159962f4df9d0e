"""Feeds out: RSS 2.0 and JSON Feed 1.1 of any search, wire text per release and the daily digest per region."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from enriched_store import HOSTILE, Seeded, seed
from osiwire.config import load_settings
from osiwire.store import Store
from osiwire.web.app import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@pytest.fixture(scope="module")
def seeded(
    tmp_path_factory: pytest.TempPathFactory, module_store_url: str
) -> Iterator[tuple[TestClient, Seeded]]:
    tmp_path = tmp_path_factory.mktemp("feeds")
    store = Store(module_store_url)
    ids = seed(store)
    app = create_app(load_settings(tmp_path, environ={}, web={"page_size": 10}), store=store)
    with TestClient(app) as client:
        yield client, ids
    store.close()


@pytest.fixture()
def client(seeded: tuple[TestClient, Seeded]) -> TestClient:
    return seeded[0]


@pytest.fixture()
def ids(seeded: tuple[TestClient, Seeded]) -> Seeded:
    return seeded[1]


def test_feeds_are_renderers_in_the_registry(client: TestClient) -> None:
    renderers = client.app.state.web.renderers  # type: ignore[attr-defined]
    assert {"atom", "rss", "jsonfeed", "json", "html"} <= set(renderers.extensions())


# -- RSS 2.0 ---------------------------------------------------------------------------------------------------


def _rss(client: TestClient, **params: str) -> ET.Element:
    response = client.get("/feeds/search.rss", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    root = ET.fromstring(response.content)  # well-formed XML, or this raises
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root


def test_rss_channel_and_items(client: TestClient, ids: Seeded) -> None:
    root = _rss(client, q="Москва")
    channel = root.find("channel")
    assert channel is not None
    for required in ("title", "link", "description"):  # RSS 2.0's required channel elements
        assert channel.findtext(required), required
    assert channel.findtext("title") == "osiwire: Москва"
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None and self_link.get("rel") == "self"
    assert (
        self_link.get("href") == "http://testserver/feeds/search.rss?q=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0"
    )
    items = channel.findall("item")
    assert [i.findtext("link") for i in items] == [
        f"http://testserver/releases/{i}" for i in (ids.hostile, ids.talks, ids.council)
    ]  # newest first, whatever the relevance
    talks = items[1]
    assert talks.findtext("title") == "Переговоры с Президентом Казахстана"
    guid = talks.find("guid")
    assert guid is not None and guid.text == "https://kremlin.ru/2" and guid.get("isPermaLink") == "true"
    published = parsedate_to_datetime(talks.findtext("pubDate") or "")
    assert published == datetime.fromisoformat("2025-02-03T09:00:00+00:00")
    assert talks.findtext("category") == "Russian Federation"
    assert "Москве" in (talks.findtext("description") or "")


def test_rss_hostile_text_stays_text(client: TestClient) -> None:
    response = client.get("/feeds/search.rss", params={"q": "alert"})
    assert "<script" not in response.text and "<img" not in response.text
    item = ET.fromstring(response.content).find("channel/item")
    assert item is not None
    assert HOSTILE in (item.findtext("title") or "")  # plain text: the XML parser gives it back as typed
    # A description is HTML to feed readers: once parsed, the markup is still escaped.
    description = item.findtext("description") or ""
    assert "&lt;script&gt;" in description and "<script" not in description


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"topic": "border-security"}, {"astana", "council"}),
        ({"person": "tokaev:kk"}, {"astana", "talks"}),
        ({"organisation": "ОДКБ"}, {"talks"}),
        ({"mentions_country": "KZ", "lang": "ru"}, {"council", "talks"}),
        ({"topic": "' OR 1=1 --"}, set()),
        ({"region": "Caucasus"}, {"yerevan"}),
    ],
)
def test_feeds_take_the_search_filters(
    client: TestClient, ids: Seeded, params: dict[str, str], expected: set[str]
) -> None:
    wanted = {f"http://testserver/releases/{getattr(ids, name)}" for name in expected}
    rss_links = {i.findtext("link") for i in _rss(client, **params).findall("channel/item")}
    assert rss_links == wanted
    feed = client.get("/feeds/search.json", params=params).json()
    assert {i["url"] for i in feed["items"]} == wanted
    atom = ET.fromstring(client.get("/feeds/search.atom", params=params).content)
    assert {
        e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in atom.findall(f"{ATOM}entry")
    } == wanted  # type: ignore[union-attr]


@pytest.mark.parametrize("path", ["/feeds/search.rss", "/feeds/search.json", "/feeds/search.atom"])
@pytest.mark.parametrize(
    "params", [{"q": "-x"}, {"since": "yesterday"}, {"mentions_country": "KAZ"}, {"sort": "best"}]
)
def test_feed_bad_parameters(client: TestClient, path: str, params: dict[str, str]) -> None:
    assert client.get(path, params=params).status_code == 400


# -- JSON Feed 1.1 ---------------------------------------------------------------------------------------------


def _check_json_feed(feed: dict[str, Any]) -> None:
    """The JSON Feed 1.1 spec's required fields and types (https://jsonfeed.org/version/1.1)."""
    assert feed["version"] == JSON_FEED_VERSION
    assert isinstance(feed["title"], str) and feed["title"]
    assert isinstance(feed["items"], list)
    for key in ("home_page_url", "feed_url", "description"):
        assert isinstance(feed.get(key, ""), str)
    for author in feed.get("authors", []):
        assert isinstance(author, dict) and isinstance(author.get("name"), str)
    ids = [item["id"] for item in feed["items"]]
    assert len(set(ids)) == len(ids)  # ids are unique within the feed
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_text"), str) or isinstance(item.get("content_html"), str)
        for key in ("url", "external_url", "title", "content_text", "summary", "language"):
            assert isinstance(item.get(key, ""), str), key
        for key in ("date_published", "date_modified"):
            if key in item:
                datetime.fromisoformat(item[key].replace("Z", "+00:00"))  # RFC 3339
        assert isinstance(item.get("tags", []), list)
        for author in item.get("authors", []):
            assert isinstance(author.get("name"), str)


def test_json_feed(client: TestClient, ids: Seeded) -> None:
    response = client.get("/feeds/search.json", params={"q": "Москва", "lang": "ru"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/feed+json"
    feed = response.json()
    _check_json_feed(feed)
    assert (
        feed["feed_url"]
        == "http://testserver/feeds/search.json?q=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&lang=ru"
    )
    assert feed["home_page_url"].startswith("http://testserver/?q=")
    talks = next(i for i in feed["items"] if i["url"] == f"http://testserver/releases/{ids.talks}")
    assert talks["id"] == talks["external_url"] == "https://kremlin.ru/2"
    assert talks["date_published"] == "2025-02-03T09:00:00Z"
    assert talks["authors"] == [{"name": "Kremlin"}] and talks["tags"] == ["Russian Federation"]
    assert talks["language"] == "ru"


def test_json_feed_of_latest_and_hostile(client: TestClient) -> None:
    feed = client.get("/feeds/search.json").json()
    _check_json_feed(feed)
    assert len(feed["items"]) == 6
    hostile = next(i for i in feed["items"] if HOSTILE in i["title"])
    assert "external_url" not in hostile or hostile["external_url"].startswith("https://")
    assert json.loads(json.dumps(feed)) == feed


# -- wire text -------------------------------------------------------------------------------------------------


def test_release_wire_text_with_translation_and_participants(client: TestClient, ids: Seeded) -> None:
    response = client.get(f"/releases/{ids.talks}.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    text = response.text
    assert text.startswith(
        "OSIWIRE Translation. Region: Russian Federation –\n\nTalks with the President of Kazakhstan\n"
    )
    assert "The talks took place in Moscow." in text
    assert "The meeting was attended by:" in text
    assert "– Kassym-Jomart Tokayev, Президент Республики Казахстан." in text
    assert "Source: Kremlin, 2025-02-03: https://kremlin.ru/2" in text
    assert text.rstrip().endswith("OSIWIRE Russian Federation News")


def test_release_wire_text_untranslated(client: TestClient, ids: Seeded) -> None:
    text = client.get(f"/releases/{ids.council}.txt").text
    assert text.startswith("OSIWIRE Original. Region: Russian Federation –")
    assert "NOT translated" in text
    assert "– Nikolai Patrushev, Секретарь Совета Безопасности." in text


@pytest.mark.parametrize("path", ["/releases/9999.txt", "/releases/" + "9" * 30 + ".txt"])
def test_release_wire_text_not_found(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_release_page_route_still_wins(client: TestClient, ids: Seeded) -> None:
    assert client.get(f"/releases/{ids.talks}").headers["content-type"].startswith("text/html")


def test_digest_of_a_region_and_day(client: TestClient, ids: Seeded) -> None:
    response = client.get("/digest/" + quote("Казахстан") + "/2025-02-03.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    text = response.text
    assert text.startswith("Казахстан – 2025-02-03: 2 releases\n")
    # Newest first: the Astana meeting (15:00), then the hostile release (12:00); nothing from other regions.
    assert text.index("Встреча в Астане") < text.index(HOSTILE)
    assert "Переговоры" not in text
    assert text.count("OSIWIRE Original. Region: Казахстан –") == 2
    assert text.count("=" * 72) == 2
    same = client.get("/digest/" + quote("казахстан") + "/2025-02-03.txt")
    assert same.status_code == 200 and same.text == text


def test_digest_of_a_quiet_day(client: TestClient) -> None:
    response = client.get("/digest/Caucasus/2025-02-03.txt")
    assert response.status_code == 200
    assert response.text == "Caucasus – 2025-02-03: 0 releases\n"


@pytest.mark.parametrize(
    "path",
    [
        "/digest/Atlantis/2025-02-03.txt",
        "/digest/Caucasus/2025-13-01.txt",
        "/digest/Caucasus/yesterday.txt",
        "/digest/Caucasus/2025-02-03",
        "/digest/" + "x" * 500 + "/2025-02-03.txt",
        "/digest/' OR 1=1 --/2025-02-03.txt",
        "/digest/Caucasus/9999-12-31.txt",
    ],
)
def test_digest_bad_paths(client: TestClient, path: str) -> None:
    response = client.get(path)
    if path.endswith("9999-12-31.txt"):
        assert response.status_code == 200  # the last representable day: no overflow
        return
    assert response.status_code == 404
    assert not re.search(r"<script", response.text)
