"""Atom, RSS and JSON Feed of the top stories and of one story: valid documents, escaped, merged ids redirected."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
from fastapi.testclient import TestClient

from osiwire.config import load_settings
from osiwire.store import Store
from osiwire.store.schema import stories
from osiwire.web.app import create_app
from test_stories_cli import _fill

ATOM = "{http://www.w3.org/2005/Atom}"


def test_top_stories_feeds(tmp_path: Path) -> None:
    _fill(tmp_path)
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        listed = client.get("/api/v1/stories").json()
        with store.db.writing() as conn:  # a release's title is untrusted input
            conn.execute(stories.update().where(stories.c.id == listed[1]["id"]).values(title="<b>x</b>\x01"))
        atom = client.get("/feeds/stories.atom")
        assert atom.headers["content-type"].startswith("application/atom+xml")
        root = ET.fromstring(atom.content)
        entries = root.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries][
            1
        ] == "<b>x</b>"  # text, the control char dropped
        first = entries[0]
        assert first.find(f"{ATOM}link").get("href") == f"http://testserver/stories/{listed[0]['id']}"  # type: ignore[union-attr]
        assert "3 releases from 3 source(s); first: Kremlin" in (first.findtext(f"{ATOM}summary") or "")
        rss = feedparser.parse(client.get("/feeds/stories.rss").content)
        assert not rss.bozo and len(rss.entries) == 2 and rss.feed.title == "osiwire: top stories"
        assert "&lt;b&gt;" in client.get("/feeds/stories.rss").text
        feed = client.get("/feeds/stories.json")
        assert feed.headers["content-type"].startswith("application/feed+json")
        data = json.loads(feed.text)
        assert data["version"] == "https://jsonfeed.org/version/1.1" and len(data["items"]) == 2
        page = client.get("/stories").text
        assert 'href="/feeds/stories.atom"' in page and 'type="application/feed+json"' in page


def test_one_story_feeds(tmp_path: Path) -> None:
    ids = _fill(tmp_path)
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        listed = client.get("/api/v1/stories").json()
        story = listed[0]["id"]
        parsed = feedparser.parse(client.get(f"/feeds/stories/{story}.atom").content)
        assert not parsed.bozo and len(parsed.entries) == 3
        summaries = [e.summary for e in parsed.entries]
        assert summaries[-1] == "Kremlin: first publication"  # newest first: the first publication last
        assert f"TASS: +20 min after the first publication; a copy of release {ids[0]}" in summaries
        assert parsed.entries[-1].link == f"http://testserver/releases/{ids[0]}"
        assert not feedparser.parse(client.get(f"/feeds/stories/{story}.rss").content).bozo
        items = json.loads(client.get(f"/feeds/stories/{story}.json").text)["items"]
        assert [i["external_url"] for i in items][-1] == "https://kremlin.example/1"
        with store.db.writing() as conn:
            conn.execute(stories.update().where(stories.c.id == listed[1]["id"]).values(merged_into=story))
        moved = client.get(f"/feeds/stories/{listed[1]['id']}.json", follow_redirects=False)
        assert moved.status_code == 301 and moved.headers["location"] == f"/feeds/stories/{story}.json"
        assert client.get("/feeds/stories/999.atom").status_code == 404
        assert client.get("/feeds/stories/0.atom").status_code in (400, 404)
        assert f'href="/feeds/stories/{story}.rss"' in client.get(f"/stories/{story}").text
