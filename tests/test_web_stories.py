"""What users see of stories on the web: "+N sources" on listings, volume charts with spikes on the topic and
person pages, the first-publisher table on the sources page; everything escaped."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from osiwire.config import load_settings
from osiwire.model import Enrichment, Mention, PersonName, SentencePair, Translation
from osiwire.store import Store
from osiwire.store.schema import people, sources
from osiwire.web.app import create_app
from osiwire.web.firsts import delay_text
from spike_store import seed_spikes
from test_stories_cli import T0, _fill

PUTIN = PersonName("Владимир", "Владимирович", "Путин", "", "Vladimir Putin", ("Путин",))
VUCIC = PersonName("Александр", "", "Вучич", "", "<b>Vučić</b>", ("Вучич",))  # a hostile English name


def test_copies_collapse_into_one_hit_with_plus_n_sources(tmp_path: Path) -> None:
    ids = _fill(tmp_path)  # TASS and Tanjug copy the Kremlin's call; the flood story stands alone
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        with store.db.writing() as conn:  # a source's name is untrusted input
            conn.execute(sources.update().where(sources.c.name == "Tanjug").values(name="<i>Tanjug</i>"))
        page = client.get("/").text
        hits = re.findall(r'<li class="hit">', page)
        assert len(hits) == 2  # four releases, three of them one text
        assert page.count('class="copies"') == 1 and "+2 sources" in page
        copies = page[page.index('class="copies"') :]
        copies = copies[: copies.index("</details>")]
        shown = re.search(r'<h2 class="hit-title"[^>]*>\s*<a href="/releases/(\d+)"', page)
        assert shown is not None
        others = set(ids[:3]) - {int(shown.group(1))}
        assert {int(i) for i in re.findall(r'href="/releases/(\d+)"', copies)} == others
        assert "&lt;i&gt;Tanjug&lt;/i&gt;" in page and "<i>Tanjug</i>" not in page
        search = client.get("/search", params={"q": "Сербии"}).text
        assert search.count('class="copies"') == 1
        # the htmx fragment of the results gives the same
        fragment = client.get("/", headers={"HX-Request": "true", "HX-Target": "listing"}).text
        assert "+2 sources" in fragment


def test_topic_and_person_pages_chart_their_volume_with_the_spike_marked(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        seed_spikes(store)
        topic = client.get("/topics/energy")
        assert topic.status_code == 200
        text = topic.text
        assert (
            '<svg class="chart"' in text
            and 'role="img"' in text
            and "<title>Releases per day about Energy" in text
        )
        assert text.count('class="bar spike"') == 1  # the burst's day, 2025-03-08
        assert "2025-03-08: 7 releases; spike: 7 in 3 h" in text
        assert 'aria-label="Releases per day about Energy, 2025-02-07 to 2025-03-08: 14 in all' in text
        assert "<table>" in text and '<tr class="spike"><td>2025-03-08</td><td class="num">7</td>' in text
        # a hostile label is text in the chart as everywhere
        flood = client.get("/topics/flood").text
        assert "about &lt;b&gt;flood&lt;/b&gt;" in flood and "<b>flood</b>" not in flood
        assert 'class="bar spike"' not in flood  # one source: no spike
        with store.db.reading() as conn:
            novak = conn.execute(people.select()).first()
        assert novak is not None
        person = client.get(f"/people/{novak.id}").text
        assert "Releases per day about Alexander Novak" in person and person.count('class="bar spike"') == 1
        assert client.get("/topics/energy", params={"page": 2}).status_code == 200


def test_the_sources_page_shows_who_publishes_first(tmp_path: Path) -> None:
    _fill(tmp_path)
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        with store.db.writing() as conn:
            conn.execute(sources.update().where(sources.c.name == "TASS").values(name="<script>x()</script>"))
        page = client.get("/sources").text
        table = page[page.index('<table class="firsts">') :]
        table = table[: table.index("</table>")]
        rows = re.findall(r'<th scope="row">(.*?)</th>', table)
        assert rows == ["Kremlin", "&lt;script&gt;x()&lt;/script&gt;", "Tanjug"]  # first most often on top
        assert "100 %" in table and "+20 min" in table and "+2.0 h" in table
        assert 'aria-label="Kremlin: first in 100 % of its stories"' in table
        assert "<script>x()" not in page


def test_delays_read_as_people_say_them() -> None:
    assert [delay_text(s) for s in (5, 1200, 7200, 400_000)] == ["+5 s", "+20 min", "+2.0 h", "+5 d"]


def test_top_stories_show_breaking_stories_and_their_people(tmp_path: Path) -> None:
    ids = _fill(tmp_path)  # Kremlin, TASS 20 min later, Tanjug 2 h later: breaking within 3 h, not within 1 h
    settings = load_settings(tmp_path, environ={}, stories={"breaking_minutes": 180})
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        store.enrichments.save(ids[0], 1, Enrichment(people=(VUCIC, PUTIN)), T0)
        store.enrichments.save(ids[1], 1, Enrichment(people=(PUTIN,)), T0)
        listed = client.get("/api/v1/stories").json()
        call = listed[0]
        assert call["breaking_at"] == (T0 + timedelta(hours=2)).isoformat().replace("+00:00", "Z")
        assert [(p["name"], p["releases"]) for p in call["people"]] == [
            ("Vladimir Putin", 2),
            ("<b>Vučić</b>", 1),
        ]
        assert listed[1]["breaking_at"] is None and listed[1]["people"] == []
        page = client.get("/stories").text
        assert page.count('<span class="breaking"') == 1
        assert "&lt;b&gt;Vučić&lt;/b&gt;" in page and "<b>Vučić</b>" not in page
        assert re.search(r'href="/people/\d+">Vladimir Putin</a>', page)
    strict = load_settings(tmp_path, environ={})  # the default: 3 sources within 60 minutes
    with Store(strict.database) as store, TestClient(create_app(strict, store=store)) as client:
        assert [s["breaking_at"] for s in client.get("/api/v1/stories").json()] == [None, None]
        assert '<span class="breaking"' not in client.get("/stories").text


def test_top_stories_list_what_spikes_in_the_archives_last_day(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        seed_spikes(store)
        page = client.get("/stories").text
        spikes = page[page.index('<section class="spiking"') :]
        spikes = spikes[: spikes.index("</section>")]
        assert 'href="/topics/energy">Energy</a>' in spikes
        assert re.search(r'href="/people/\d+">Alexander Novak</a>', spikes)
        assert "flood" not in spikes and "Spammy" not in spikes  # one source's flood; sources are not listed
        assert "7 releases, 65x" in spikes  # 7 in 3 h against 6 in the week before: 7 / (6 * 3 / 168)
    bare = load_settings(tmp_path / "empty", environ={})
    with Store(bare.database) as empty, TestClient(create_app(bare, store=empty)) as client:
        assert 'class="spiking"' not in client.get("/stories").text


def test_a_story_page_shows_shared_people_and_places_and_translated_titles(tmp_path: Path) -> None:
    ids = _fill(tmp_path)
    settings = load_settings(tmp_path, environ={})
    serbia = Mention(1, 0, 6, "LOC", "Сербия", "<i>Сербия</i>")  # a hostile base form
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        store.enrichments.save(ids[0], 1, Enrichment(people=(VUCIC, PUTIN), mentions=(serbia,)), T0)
        store.enrichments.save(ids[1], 1, Enrichment(people=(PUTIN,), mentions=(serbia,)), T0)
        title = "Телефонный разговор с Президентом Сербии"
        pair = SentencePair(
            0, 0, title, "Telephone conversation with the <b>President</b> of Serbia", "ru", "t", "m"
        )
        store.translations.save(ids[0], 1, Translation("en", (pair,), "complete"), T0)
        story = client.get("/api/v1/stories").json()[0]["id"]
        page = client.get(f"/stories/{story}").text
        assert re.search(r'<dt>People</dt><dd><a href="/people/\d+">Vladimir Putin</a>', page)
        assert "&lt;b&gt;Vučić" not in page  # named by one release of three: not shared
        # a base form with a slash fits no path: shown as text, escaped
        assert '<dt>Places</dt><dd>&lt;i&gt;Сербия&lt;/i&gt; <span class="muted"' in page
        assert (
            '<div class="translated-title" lang="en">Telephone conversation with the &lt;b&gt;President&lt;/b&gt; '
            "of Serbia</div>" in page
        )
