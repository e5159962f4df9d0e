"""The release page and API with translations: sentence pairs side by side, low confidence, untranslated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from factories import NOW, make_article, make_source
from osiwire.config import load_settings
from osiwire.model import SentencePair, Translation
from osiwire.store import Store
from osiwire.web.app import create_app

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        source = store.sources.add(make_source())
        store.releases.save(
            make_article(
                "https://a/1", "Встреча", ["Президент провёл встречу. Обсудили ОДКБ."], source_id=source.id
            )
        )
        store.releases.save(make_article("https://a/2", "Праздник", ["Ёлка в Кремле."], source_id=source.id))
        pairs = (
            SentencePair(0, 0, "Встреча", "Meeting", "ru", "ctranslate2", "opus@1", 0.9),
            SentencePair(
                1,
                0,
                "Президент провёл встречу.",
                "The President held a meeting.",
                "ru",
                "ctranslate2",
                "opus@1",
                0.8,
            ),
            SentencePair(
                1, 1, "Обсудили ОДКБ.", f"They discussed {HOSTILE}.", "ru", "ctranslate2", "opus@1", 0.2
            ),
        )
        store.translations.save(1, 1, Translation("en", pairs, "complete"), NOW)
        app = create_app(load_settings(tmp_path, environ={}), store=store)
        with TestClient(app) as test_client:
            yield test_client


def test_release_page_shows_pairs_side_by_side(client: TestClient) -> None:
    page = client.get("/releases/1").text
    assert page.count('class="pair') >= 3
    assert '<span class="src" lang="ru">Президент провёл встречу.</span>' in page
    assert "The President held a meeting." in page
    assert 'class="pair low"' in page and "low confidence" in page  # 0.2 is marked
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_untranslated_release_says_so(client: TestClient) -> None:
    page = client.get("/releases/2").text
    assert "Not translated into en" in page and "osiwire models install ru en" in page


def test_api_carries_the_translation(client: TestClient) -> None:
    body = client.get("/api/v1/releases/1").json()
    assert body["translation"]["status"] == "complete"
    assert body["translation"]["sentences"][2]["confidence"] == 0.2
    assert client.get("/api/v1/releases/2").json()["translation"] is None


def test_search_finds_english_words(client: TestClient) -> None:
    hits = client.get("/api/v1/search", params={"q": "meetings"}).json()["hits"]
    assert [h["id"] for h in hits] == [1]
