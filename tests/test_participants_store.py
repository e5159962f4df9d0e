"""Participants and people mentioned are both stored; each row keeps its kind and source (issue 12)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, insert, select

from factories import NOW, make_article
from osiwire.model import Enrichment, Participant, PersonName
from osiwire.store import Store, schema
from osiwire.store.migrations import MIGRATIONS, migrate

BELOUSOV = PersonName("Андрей", "Рэмович", "Белоусов", "", "Andrey Removich Belousov", ("Белоусов",))
ZHUKOV = PersonName("Георгий", "", "Жуков", "", "Georgiy Zhukov", ("Жуков",))


def test_kind_and_source_are_stored_and_read_back(store_url: str) -> None:
    with Store(store_url) as store:
        store.releases.save(make_article("https://a/1", "Совещание", ["Белоусов и Жуков."], published=NOW))
        rows = (
            Participant(BELOUSOV, "Министр обороны", "", "RU", "", "list", "participant"),
            Participant(ZHUKOV, "маршал", "", "", "", "apposition", "mentioned"),
        )
        store.enrichments.save(1, 1, Enrichment(participants=rows), NOW)
        found = store.enrichments.get(1)
        assert found is not None
        assert [(p.name.last, p.source, p.kind) for p in found.participants] == [
            ("Белоусов", "list", "participant"),
            ("Жуков", "apposition", "mentioned"),
        ]


def test_rows_stored_before_the_kind_column_read_as_participants(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    index = MIGRATIONS.index(next(m for m in MIGRATIONS if m.__name__ == "_participant_kind"))
    with engine.begin() as conn:
        schema.schema_version.create(conn)
        conn.execute(insert(schema.schema_version).values(version=0))
        for step in MIGRATIONS[:index]:
            step(conn)
        conn.exec_driver_sql("ALTER TABLE participants DROP COLUMN kind")  # as the table was made then
        conn.execute(schema.schema_version.update().values(version=index))
        conn.exec_driver_sql(  # a row stored then (SQLite checks no foreign keys unless asked)
            "INSERT INTO participants (version_id, ord, name, name_en, position, organisation, country, grp, "
            "source) VALUES (1, 0, 'Андрей Белоусов', 'Andrey Belousov', 'Министр обороны', '', 'RU', '', 'list')"
        )
    with engine.begin() as conn:
        assert migrate(conn) == len(MIGRATIONS)
        assert conn.execute(select(schema.participants.c.kind)).scalars().all() == ["participant"]
    engine.dispose()


def test_the_release_page_shows_participants_apart_from_people_mentioned(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from osiwire.config import load_settings
    from osiwire.web.app import create_app

    hostile = PersonName("<b>Жуков</b>", "", "Жуков", "", "<script>alert(1)</script>", ("Жуков",))
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.releases.save(make_article("https://a/1", "Совещание", ["Белоусов и Жуков."], published=NOW))
    rows = (
        Participant(BELOUSOV, "Министр обороны", "", "RU", "", "list", "participant"),
        Participant(hostile, "маршал <i>Советского Союза</i>", "", "", "", "apposition", "mentioned"),
    )
    store.enrichments.save(1, 1, Enrichment(participants=rows), NOW)
    with TestClient(create_app(load_settings(tmp_path, environ={}), store=store)) as client:
        page = client.get("/releases/1").text
    store.close()
    table = page[page.index('<table class="participants">') : page.index("</table>")]
    assert "Министр обороны" in table and "Жуков" not in table
    facts = page[page.index("<dt>Mentioned</dt>") :]
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in facts
        and "маршал &lt;i&gt;Советского Союза&lt;/i&gt;" in facts
    )
    assert "<script>alert(1)" not in page


def test_role_alerts_and_the_wire_read_participants_not_people_mentioned(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from osiwire.alerts.facts import load_facts
    from osiwire.config import load_settings
    from osiwire.web.app import create_app

    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.releases.save(make_article("https://a/1", "Совещание", ["Белоусов и Жуков."], published=NOW))
    rows = (
        Participant(BELOUSOV, "Министр обороны", "", "RU", "", "list", "participant"),
        Participant(ZHUKOV, "маршал", "", "", "", "apposition", "mentioned"),
    )
    store.enrichments.save(1, 1, Enrichment(people=(BELOUSOV, ZHUKOV), participants=rows), NOW)
    facts = load_facts(store, 1)
    assert facts is not None
    assert [p.name.last for p in facts.participants] == ["Белоусов"]
    assert sorted(n.last for n in facts.people) == ["Белоусов", "Жуков"]  # a person rule still finds Жуков
    with TestClient(create_app(load_settings(tmp_path, environ={}), store=store)) as client:
        wire = client.get("/releases/1.txt").text
    store.close()
    assert "Министр обороны" in wire and "маршал" not in wire


def test_a_row_keeps_the_name_as_its_release_writes_it(store_url: str) -> None:
    """The stored person may be known fuller, or in another script, from other releases: the row (show --json,
    the release page) still says what this release says."""
    from osiwire.publish.records import participant_rows

    lavrov_ru = PersonName("Сергей", "Викторович", "Лавров", "", "Sergey Viktorovich Lavrov", ("Лавров",))
    lavrov_en = PersonName("Sergei", "", "Lavrov", "", "Sergei Lavrov", ("Lavrov",))
    with Store(store_url) as store:
        store.releases.save(make_article("https://a/ru", "Переговоры", ["Лавров."], published=NOW))
        en = make_article("https://a/en", "Talks", ["Lavrov."], language="en", published=NOW)
        store.releases.save(en)
        store.enrichments.save(
            1, 1, Enrichment(participants=(Participant(lavrov_ru, "Министр", "", "RU"),)), NOW
        )
        store.enrichments.save(
            2, 1, Enrichment(participants=(Participant(lavrov_en, "Foreign Minister", "", "RU"),)), NOW
        )
        found = store.enrichments.get(2)
        assert found is not None
        rows = participant_rows(found.participants)["participants"]
        assert [(r["name"], r["position"]) for r in rows] == [("Sergei Lavrov", "Foreign Minister")]
        first = store.enrichments.get(1)
        assert first is not None
        assert participant_rows(first.participants)["participants"][0]["name"] == "Сергей Викторович Лавров"
