"""/api/v1/stories, /api/v1/stories/{id} (merged ids answer with their successor), /api/v1/stories/firsts."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from osiwire.config import load_settings
from osiwire.store import Store
from osiwire.store.schema import stories
from osiwire.web.app import create_app
from test_stories_cli import _fill


def test_stories_api(tmp_path: Path) -> None:
    ids = _fill(tmp_path)
    settings = load_settings(tmp_path)
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        listed = client.get("/api/v1/stories").json()
        assert [s["size"] for s in listed] == [3, 1] and listed[0]["first_source"] == "Kremlin"
        call = client.get(f"/api/v1/stories/{listed[0]['id']}").json()
        assert call["first_publication"]["release_id"] == ids[0]
        assert [r["id"] for r in call["releases"]] == ids[:3]
        assert call["releases"][2]["clamped"] is True
        # A merged story keeps answering, with the story that took it.
        with store.db.writing() as conn:
            conn.execute(
                stories.update().where(stories.c.id == listed[1]["id"]).values(merged_into=listed[0]["id"])
            )
        moved = client.get(f"/api/v1/stories/{listed[1]['id']}").json()
        assert moved["id"] == listed[0]["id"] and moved["requested_id"] == listed[1]["id"]
        assert client.get("/api/v1/stories/999").status_code == 404
        assert client.get("/api/v1/stories", params={"since": "2030-01-01"}).json() == []
        assert client.get("/api/v1/stories", params={"since": "yesterday"}).status_code == 400
        firsts = client.get("/api/v1/stories/firsts").json()
        assert {r["source"]: r["first"] for r in firsts} == {"Kremlin": 1, "TASS": 0, "Tanjug": 0}


def test_story_pages_escape_mark_the_first_and_redirect_merged_ids(tmp_path: Path) -> None:
    ids = _fill(tmp_path)
    settings = load_settings(tmp_path)
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        listed = client.get("/api/v1/stories").json()
        with store.db.writing() as conn:  # a source's title is untrusted input
            conn.execute(
                stories.update().where(stories.c.id == listed[1]["id"]).values(title="<script>x()</script>")
            )
        top = client.get("/stories")
        assert top.status_code == 200 and "<script>x()" not in top.text and "&lt;script&gt;x()" in top.text
        assert "Kremlin" in top.text and 'href="/stories/' in top.text
        page = client.get(f"/stories/{listed[0]['id']}")
        assert page.status_code == 200 and '<tr class="first">' in page.text and "+20 min" in page.text
        assert f'href="/releases/{ids[0]}"' in page.text
        with store.db.writing() as conn:
            conn.execute(
                stories.update().where(stories.c.id == listed[1]["id"]).values(merged_into=listed[0]["id"])
            )
        moved = client.get(f"/stories/{listed[1]['id']}", follow_redirects=False)
        assert moved.status_code == 301 and moved.headers["location"] == f"/stories/{listed[0]['id']}"
        assert client.get("/stories/999").status_code == 404


def test_a_release_carries_its_story_its_original_and_its_copies(tmp_path: Path) -> None:
    ids = _fill(tmp_path)
    settings = load_settings(tmp_path)
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        original = client.get(f"/api/v1/releases/{ids[0]}").json()
        copy = client.get(f"/api/v1/releases/{ids[1]}").json()
        assert original["story_id"] == copy["story_id"] is not None
        assert original["duplicate_of"] is None
        assert [d["id"] for d in original["duplicates"]] == [ids[1], ids[2]]
        assert copy["duplicate_of"] == {"id": ids[0], "url": "https://kremlin.example/1"}
        assert copy["duplicates"] == []
