"""Translation as the pipeline runs it: failures stored untranslated with a reason and retried with backoff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factories import make_article
from osiwire.config import load_settings
from osiwire.extract.language import get_detector
from osiwire.store import Store
from osiwire.store.stats import queue_depths
from osiwire.translate.base import EngineOutput, EngineUnavailable
from osiwire.translate.engines.none import NoneEngine
from osiwire.translate.registry import EngineSet
from osiwire.translating import Translating


class Flaky:
    """Down until ``up`` is set: then it upper-cases."""

    name = "flaky"

    def __init__(self) -> None:
        self.up = False

    def model_id(self, source_lang: str, target_lang: str) -> str:
        return "flaky-1"

    def supports(self, source_lang: str, target_lang: str) -> bool:
        return True

    def translate(
        self, sentences: Sequence[str], source_lang: str, target_lang: str, glossary: object = None
    ) -> list[EngineOutput]:
        if not self.up:
            raise EngineUnavailable("flaky: http://127.0.0.1:9/translate: connection refused")
        return [EngineOutput(s.upper(), 0.9) for s in sentences]

    def close(self) -> None:
        pass


@pytest.fixture
def setup(tmp_path: Path, store_url: str) -> tuple[Translating, Store, Flaky]:
    settings = load_settings(tmp_path, environ={}, database_url=store_url, translate={"retry_after_s": 60})
    store = Store(settings.database)
    engine = Flaky()
    engines = EngineSet({"flaky": lambda: engine, "none": NoneEngine}, ["flaky", "none"])
    return Translating(settings, store, get_detector(), engines), store, engine


def test_failure_is_stored_with_reason_and_retried_with_backoff(
    setup: tuple[Translating, Store, Flaky],
) -> None:
    translating, store, engine = setup
    article = make_article(
        "https://kremlin.ru/1", "Встреча в Кремле", ["Президент провёл встречу с министром."]
    )
    result = store.releases.save(article)
    assert translating.can_translate("ru")
    now = datetime(2025, 3, 1, tzinfo=UTC)
    failed = translating.translate(article, result.release_id, 1, now=now)
    assert failed.status == "untranslated"
    assert "https://kremlin.ru/1" in failed.error and "flaky" in failed.error and "\n" not in failed.error
    stored = store.translations.get(1, "en")
    assert stored is not None and stored.status == "untranslated"  # kept, with the original text
    assert store.translations.due("en", now + timedelta(seconds=59)) == []
    assert store.translations.due("en", now + timedelta(seconds=60)) == [(1, 1)]
    translating.translate(article, 1, 1, now=now)  # fails again: the wait doubles
    assert store.translations.due("en", now + timedelta(seconds=119)) == []
    engine.up = True
    report = translating.translate_due()
    assert report.complete == 1 and store.translations.get(1, "en").status == "complete"  # type: ignore[union-attr]
    assert store.translations.due("en", datetime.now(UTC) + timedelta(days=365)) == []


def test_no_real_engine_means_no_attempt(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store:
        translating = Translating(settings, store, get_detector(), EngineSet({"none": NoneEngine}, ["none"]))
        assert not translating.can_translate("ru")
        assert not translating.can_translate("en")  # already the target


class RussianOnly(Flaky):
    """Up, and translates Russian alone."""

    def __init__(self) -> None:
        self.up = True

    def supports(self, source_lang: str, target_lang: str) -> bool:
        return source_lang == "ru"


def test_releases_nothing_can_translate_neither_load_nor_starve_the_rest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(tmp_path, environ={})
    engine = RussianOnly()
    engines = EngineSet({"ru-only": lambda: engine, "none": NoneEngine}, ["ru-only", "none"])
    day = datetime(2025, 3, 1, tzinfo=UTC)
    with Store(settings.database) as store:
        translating = Translating(settings, store, get_detector(), engines)
        # Newest first: English (the target), undetermined and Kazakh (no engine) releases, then a Russian one.
        shapes = [("en", "Talks"), ("en", "Visit"), ("und", "Ок"), ("und", "Да"), ("kk", "Кездесу")]
        for hour, (language, title) in enumerate(shapes):
            published = day - timedelta(hours=hour)
            store.releases.save(
                make_article(
                    f"https://x.example/{hour}", title, [title], language=language, published=published
                )
            )
        russian = make_article(
            "https://kremlin.ru/old",
            "Встреча",
            ["Президент провёл встречу."],
            published=day - timedelta(days=2),
        )
        russian_id = store.releases.save(russian).release_id
        assert sorted(store.translations.stored_languages()) == ["en", "kk", "ru", "und"]
        # Asked for the languages an engine can do, the oldest Russian release comes first, whatever the limit.
        assert store.translations.due("en", day, languages=["ru"], limit=1) == [(russian_id, 1)]
        assert len(store.translations.due("en", day, limit=1)) == 1
        assert store.translations.count_due("en", day, languages=["kk", "und"]) == 3

        report = translating.translate_due()
        assert report.complete == 1 and store.translations.get(russian_id, "en") is not None
        assert (
            report.skipped_no_engine == 1
        )  # the Kazakh release; English and undetermined ones wait for nothing
        assert "und→en" not in caplog.text and "kk→en" in caplog.text
        assert queue_depths(store.db, "en", day).not_translated == 1  # the Kazakh one still waits
