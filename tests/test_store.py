"""The store: idempotent saves, versions, search with inflection and filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factories import NOW, make_article, make_source
from osiwire.errors import SourceError, StoreError
from osiwire.model import SearchFilters, SourceKind
from osiwire.store import Store
from osiwire.store.migrations import MIGRATIONS
from pg import searchable


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Store:
    with Store(store_url) as s:
        yield searchable(s, tmp_path)  # type: ignore[misc]


def test_save_is_idempotent_and_versions_edits(store: Store) -> None:
    src = store.sources.add(make_source())
    first = make_article("https://kremlin.ru/1", "Встреча", ["Президент провёл встречу."], source_id=src.id)
    assert store.releases.save(first).created
    again = store.releases.save(first)
    assert (again.created, again.new_version, again.version_no) == (False, False, 1)
    edited = make_article(
        "https://kremlin.ru/1", "Встреча", ["Президент провёл рабочую встречу."], source_id=src.id
    )
    result = store.releases.save(edited)
    assert (result.created, result.new_version, result.version_no) == (False, True, 2)
    release = store.releases.get(result.release_id)
    assert [v.version_no for v in release.versions] == [1, 2]
    assert release.current.segments[1].text == "Президент провёл рабочую встречу."
    assert release.versions[0].segments[1].text == "Президент провёл встречу."
    assert store.releases.count() == 1
    assert store.releases.get("https://kremlin.ru/1").id == release.id


def test_save_many_is_atomic(store: Store) -> None:
    good = make_article("https://kremlin.ru/1", "Встреча", ["Текст."])
    bad = make_article(
        "https://kremlin.ru/2", "Встреча", ["Текст."], fetched_at=datetime(2025, 1, 1)
    )  # naive
    with pytest.raises(Exception, match="naive datetime"):
        store.releases.save_many([good, bad])
    assert store.releases.count() == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Москва", {1}),  # finds "в Москве"
        ("москве", {1}),
        ("Патрушев", {2}),  # finds "Патрушевым"
        ("елка", {3}),  # ё and е fold together
        ("ёлки", {3}),
        ('"Совета Безопасности"', {2}),
        ('"Безопасности Совета"', set()),
        ("Москва OR Патрушев", {1, 2}),
        ("встреча -Москва", {2}),
        ("безопасн*", {2}),
        ("summit", {4}),
        ("summits", {4}),  # English goes through the porter stemmer
        ("", {1, 2, 3, 4}),
        ("nothingmatcheshere", set()),
    ],
)
def test_search_finds_inflected_forms(store: Store, query: str, expected: set[int]) -> None:
    store.releases.save(
        make_article("https://a/1", "Встреча в Москве", ["Президент провёл встречу в Москве."])
    )
    store.releases.save(
        make_article("https://a/2", "Встреча", ["Встреча с Патрушевым, секретарём Совета Безопасности."])
    )
    store.releases.save(make_article("https://a/3", "Праздник", ["Ёлка в Кремле."]))
    store.releases.save(make_article("https://a/4", "Summit", ["The summit of leaders."], language="en"))
    assert {h.id for h in store.search(query).hits} == expected


def test_search_snippet_highlights_original_words(store: Store) -> None:
    store.releases.save(
        make_article("https://a/1", "Встреча", ["Длинный текст. " * 30 + "Встреча прошла в Москве."])
    )
    hit = store.search("Москва").hits[0]
    marked = [hit.snippet[s:e] for s, e in hit.highlights]
    assert marked == ["Москве"]
    assert hit.snippet.startswith("…")


def test_search_filters(store: Store) -> None:
    ru = store.sources.add(make_source("Kremlin"))
    kz = store.sources.add(make_source("Akorda", region="Kazakhstan", country="KZ"))
    store.releases.save(make_article("https://a/1", "Встреча", ["Встреча."], source_id=ru.id, published=NOW))
    store.releases.save(
        make_article(
            "https://a/2", "Встреча", ["Встреча."], source_id=kz.id, published=NOW - timedelta(days=10)
        )
    )
    store.releases.save(make_article("https://a/3", "Meeting", ["Meeting."], language="en", source_id=kz.id))

    def ids(**kw: object) -> list[int]:
        return [h.id for h in store.search("", SearchFilters(**kw)).hits]  # type: ignore[arg-type]

    assert set(ids(region="kazakhstan")) == {2, 3}
    assert ids(country="ru") == [1]
    assert set(ids(source="Akorda")) == {2, 3}
    assert ids(source=str(ru.id)) == [1]
    assert ids(language="en") == [3]
    assert set(ids(since=NOW - timedelta(days=1))) == {1, 3}  # 3 is undated: sorted by when first seen (NOW)
    assert ids(until=NOW - timedelta(days=1)) == [2]
    page = store.search("", limit=2)
    assert page.total == 3 and len(page.hits) == 2
    assert [h.id for h in store.search("", limit=2, offset=2).hits] == [store.search("").hits[2].id]


def test_sources_registry_and_health(store: Store) -> None:
    src = store.sources.add(make_source(interval_s=600))
    with pytest.raises(SourceError, match="already registered"):
        store.sources.add(make_source())
    assert store.sources.due(NOW) == [src]
    store.sources.record_error(src, NOW, "https://example.org/feed: HTTP 503\nmore")
    health = store.sources.health(src.id or 0)
    assert (health.error_count, health.last_error) == (1, "https://example.org/feed: HTTP 503")
    assert health.next_check_at == NOW + timedelta(seconds=600)
    store.sources.record_error(src, NOW, "again")
    assert store.sources.health("Kremlin").next_check_at == NOW + timedelta(seconds=1200)  # backs off
    assert store.sources.due(NOW + timedelta(seconds=900)) == []
    store.sources.record_success(src, NOW)
    health = store.sources.health(src.id or 0)
    assert (health.error_count, health.last_error, health.last_success_at) == (0, "", NOW)
    removed = store.sources.remove("Kremlin")
    assert removed.kind is SourceKind.RSS
    with pytest.raises(SourceError, match="no such source"):
        store.sources.get("Kremlin")


def test_removing_a_source_keeps_its_releases(store: Store) -> None:
    src = store.sources.add(make_source())
    store.releases.save(make_article("https://a/1", "Встреча", ["Встреча."], source_id=src.id))
    store.sources.remove(src.id or 0)
    release = store.releases.get(1)
    assert release.source is None


def test_validators_round_trip(store: Store) -> None:
    store.sources.remember_validators("https://a/feed", '"abc"', "Wed, 21 Oct 2015 07:28:00 GMT", NOW)
    assert store.sources.validators("https://a/feed") == ('"abc"', "Wed, 21 Oct 2015 07:28:00 GMT")
    assert store.sources.validators("https://b/feed") == (None, None)


def test_reopen_keeps_data_and_schema_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with Store(url) as s:
        s.releases.save(make_article("https://a/1", "Встреча", ["Встреча."]))
    with Store(url) as s:
        assert s.releases.count() == 1
        with s.db.reading() as conn:
            assert conn.exec_driver_sql("SELECT version FROM schema_version").scalar() == len(MIGRATIONS)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with Store(url) as s, s.db.writing() as conn:
        conn.exec_driver_sql("UPDATE schema_version SET version = 999")
    with pytest.raises(StoreError, match="newer than this osiwire"):
        Store(url)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open database"):
        Store(f"sqlite:///{path}")


def test_unknown_release(store: Store) -> None:
    with pytest.raises(StoreError, match="not found"):
        store.releases.get(42)


def test_published_times_come_back_in_utc(store: Store) -> None:
    from zoneinfo import ZoneInfo

    moscow = datetime(2025, 3, 1, 15, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    store.releases.save(make_article("https://a/1", "Встреча", ["Встреча."], published=moscow))
    got = store.releases.get(1).current.published
    assert got == moscow and got is not None and got.tzinfo == UTC


def test_translations_are_stored_indexed_and_scheduled(store: Store) -> None:
    from osiwire.model import SentencePair, Translation

    store.releases.save(
        make_article("https://a/1", "Встреча", ["Президент провёл встречу.", "Второй абзац."])
    )
    store.releases.save(make_article("https://a/2", "Праздник", ["Ёлка в Кремле."]))
    assert store.translations.due("en", NOW) == [(2, 1), (1, 1)]
    pairs = (
        SentencePair(0, 0, "Встреча", "Meeting", "ru", "fake", "m1", 0.9),
        SentencePair(
            1, 0, "Президент провёл встречу.", "The President held a meeting.", "ru", "fake", "m1", 0.8
        ),
        SentencePair(2, 0, "Второй абзац.", "Второй абзац.", "ru", "none", "", None, translated=False),
    )
    store.translations.save(1, 1, Translation("en", pairs, "partial", "fake: timeout"), NOW, retry_at=NOW)
    got = store.translations.get(1, "en")
    assert got is not None and got.sentences == pairs and got.status == "partial"
    assert store.translations.due("en", NOW - timedelta(seconds=1)) == [(2, 1)]
    assert store.translations.due("en", NOW) == [(2, 1), (1, 1)]  # its retry time has come
    assert store.translations.due("en", NOW, everything=True) == [(2, 1), (1, 1)]
    # The English text is searchable (porter: "meetings" finds "meeting"), with a snippet from it.
    hit = store.search("meetings").hits[0]
    assert hit.id == 1 and [hit.snippet[s:e] for s, e in hit.highlights] == ["meeting"]
    # Saved again (a retry): replaced, not duplicated.
    store.translations.save(1, 1, Translation("en", pairs[:2], "complete"), NOW)
    assert len(store.translations.get(1, "en").sentences) == 2  # type: ignore[union-attr]
    assert store.translations.due("en", NOW) == [(2, 1)]
    # A new version needs a new translation; the old one stays with its version.
    store.releases.save(make_article("https://a/1", "Встреча", ["Президент провёл другую встречу."]))
    assert (1, 2) in store.translations.due("en", NOW)
    assert store.translations.get(1, "en") is None
    assert store.translations.get(1, "en", version_no=1) is not None


def test_migration_from_version_1_keeps_data(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from osiwire.store.migrations import MIGRATIONS, current_version

    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        current_version(conn)
        MIGRATIONS[0](conn)
        conn.exec_driver_sql("UPDATE schema_version SET version = 1")
        conn.exec_driver_sql(
            "INSERT INTO releases (url, first_seen_at, last_seen_at, title, sort_at, language, author, "
            "content_hash, version_count) VALUES ('https://a/1', '2025-01-01 00:00:00', '2025-01-01 00:00:00', "
            "'t', '2025-01-01 00:00:00', 'ru', '', 'h', 1)"
        )
    engine.dispose()
    with Store(f"sqlite:///{path}") as s:
        assert s.releases.count() == 1
        assert s.translations.due("en", NOW) == []  # no version rows, nothing to translate
