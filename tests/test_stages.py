"""Pipeline stage times: counted while a pass runs, written once per pass, shown by /metrics with queue depths."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, update

from enriched_store import NOW, seed
from osiwire.config import Settings, load_settings
from osiwire.model import Enrichment, Source, SourceKind, Translation
from osiwire.pipeline import Pipeline
from osiwire.store import Store
from osiwire.store.migrations import MIGRATIONS, _pipeline_stats, current_version
from osiwire.store.schema import alert_events, sources
from osiwire.store.stages import RUN_LOG_KEPT, PipelineStats
from osiwire.store.stats import queue_depths, queue_statements
from osiwire.timing import StageTime, StageTimer
from osiwire.web.app import create_app
from test_ops import _samples

PAGE = """<html lang="ru"><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>Президент провёл совещание с постоянными членами Совета Безопасности в Москве, номер {n}.</p>
<p>Обсуждались вопросы обеспечения безопасности на границе и сотрудничества в рамках ОДКБ.</p>
</article></body></html>"""


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    return load_settings(tmp_path, environ={}, database_url=store_url, enrich={"enabled": False})


def _folder(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for i in range(n):
        (folder / f"{i}.html").write_text(PAGE.format(title=f"Совещание {i}", n=i), encoding="utf-8")
    return folder


def test_timer_counts_across_threads_and_starts_again_after_take() -> None:
    timer = StageTimer()

    def work() -> None:
        for _ in range(1000):
            timer.add("fetch", 1, 0.001)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with pytest.raises(ValueError), timer.measure("extract"):
        raise ValueError("counted all the same")
    assert list(timer.timed("collect", "ab")) == ["a", "b"]
    taken = timer.take()
    assert list(taken) == ["collect", "fetch", "extract"]  # pipeline order
    assert taken["fetch"].items == 4000 and taken["fetch"].seconds == pytest.approx(4.0)
    assert taken["extract"].items == 1 and taken["collect"].items == 2
    assert timer.take() == {}


def test_a_pass_over_a_local_source_updates_the_stage_counters(settings: Settings, tmp_path: Path) -> None:
    folder = _folder(tmp_path, 3)
    with Store(settings.database) as store:
        source = store.sources.add(Source(name="Local", url=str(folder), kind=SourceKind.FILE, language="ru"))
        pipeline = Pipeline(settings, store)
        try:
            pipeline.fetch()
            stats = PipelineStats(store.db)
            first = {t.stage: t for t in stats.totals()}
            assert {s: (t.passes, t.items) for s, t in first.items()} == {
                "collect": (1, 3),
                "extract": (1, 3),
                "store": (1, 3),
                "stories": (1, 3),
                "alerts": (1, 3),
                "deliver": (1, 0),  # the delivery run after the pass, with nothing to deliver
            }
            assert all(t.seconds >= 0 for t in first.values()) and first["extract"].seconds > 0
            runs = stats.runs()
            assert [r.kind for r in runs] == ["alerts", "source"]
            assert runs[1].source_id == source.id and runs[1].stages["store"].items == 3
            assert runs[1].started_at <= runs[1].finished_at <= runs[0].started_at

            pipeline.run_source(store.sources.get("Local"))  # nothing new: stored again, unchanged
            second = {t.stage: t for t in stats.totals()}
            assert (second["collect"].passes, second["collect"].items) == (2, 6)
            assert second["extract"].seconds >= first["extract"].seconds
        finally:
            pipeline.close()
        with TestClient(create_app(settings, store=store)) as client:
            response = client.get("/metrics")
        samples = _samples(response.text)
        assert samples['osiwire_pipeline_stage_items_total{stage="store"}'] == 6
        assert samples['osiwire_pipeline_stage_passes_total{stage="collect"}'] == 2
        assert samples['osiwire_pipeline_stage_seconds_total{stage="extract"}'] > 0
        last = samples['osiwire_pipeline_last_run_timestamp_seconds{kind="source"}']
        assert abs(last - datetime.now(UTC).timestamp()) < 600
        assert "# TYPE osiwire_pipeline_stage_seconds_total counter" in response.text


def test_an_archive_import_is_one_timed_pass(settings: Settings, tmp_path: Path) -> None:
    archive = tmp_path / "a.jsonl"
    archive.write_text(
        '{"url": "https://example.org/1", "title": "Указ", "text": "Подписан указ о мерах безопасности."}\n'
        "not json\n",
        encoding="utf-8",
    )
    with Store(settings.database) as store:
        source = store.sources.add(Source(name="A", url=str(archive), kind=SourceKind.FILE, enabled=False))
        Pipeline(settings, store).import_archive(archive, source)
        (run,) = PipelineStats(store.db).runs()
        assert run.kind == "import" and run.stages["collect"].items == 2
        assert run.stages["store"].items == 1


def test_a_failing_stats_write_never_fails_the_pass(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path, 1)
    with Store(settings.database) as store:
        store.sources.add(Source(name="Local", url=str(folder), kind=SourceKind.FILE, language="ru"))
        pipeline = Pipeline(settings, store)

        def broken(*_args: object, **_kw: object) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(pipeline._stats, "record", broken)
        (report,) = pipeline.fetch()
        assert report.new == 1 and not report.error


def test_the_run_log_is_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("osiwire.store.stages.RUN_LOG_KEPT", 3)
    with Store("sqlite:///" + str(tmp_path / "db.sqlite")) as store:
        stats = PipelineStats(store.db)
        for i in range(5):
            stats.record("source", NOW, NOW + timedelta(seconds=i), {"fetch": StageTime(1, 0.5)})
        assert len(stats.runs()) == 3
        (total,) = stats.totals()
        assert (total.passes, total.items, total.seconds) == (5, 5, 2.5)
        assert stats.last_finished() == {"source": NOW + timedelta(seconds=4)}
    assert RUN_LOG_KEPT >= 1000


def test_queue_depths_follow_enrichment_translation_delivery_and_schedule(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store:
        ids = seed(store)
        depths = queue_depths(store.db, "en", NOW)
        # Enriched: council, talks, astana, hostile; "edited" is at version 2 (not enriched), yerevan never.
        assert depths.not_enriched == 2
        # Russian current versions without an English translation: the seed translated "talks" alone.
        assert depths.not_translated == 4
        assert depths.sources_due == 3  # never checked
        assert (depths.alerts_undelivered, depths.alerts_retrying, depths.translation_retries) == (0, 0, 0)

        store.enrichments.save(ids.yerevan, 1, Enrichment(), NOW)
        retry = NOW + timedelta(hours=1)
        store.translations.save(
            ids.council, 1, Translation("en", (), "failed", "engine down"), NOW, retry_at=retry
        )
        store.sources.record_success(store.sources.get(ids.kremlin), NOW)
        with store.db.writing() as conn:
            conn.execute(update(sources).where(sources.c.id == ids.akorda).values(enabled=False))
            conn.exec_driver_sql(
                "INSERT INTO alert_rules (name, kind, definition, webhook_url, secret, enabled, created_at) "
                "VALUES ('r', 'search', '{}', 'https://hook.example', '', 1, '2025-03-01 00:00:00')"
            )
            event = {"rule_id": 1, "reason": "x", "fired_at": NOW, "next_attempt_at": NOW}
            conn.execute(
                insert(alert_events),
                [
                    {**event, "release_id": ids.talks, "attempts": 1},
                    {**event, "release_id": ids.council, "attempts": 0},
                ],
            )
        depths = queue_depths(store.db, "en", NOW)
        assert depths.not_enriched == 1
        assert depths.not_translated == 3  # a failed translation is not "never translated"
        assert depths.translation_retries == 1
        assert (depths.alerts_undelivered, depths.alerts_retrying) == (2, 1)
        assert depths.sources_due == 1  # Kremlin checked, Akorda disabled

        with TestClient(create_app(settings, store=store)) as client:
            samples = _samples(client.get("/metrics").text)
        assert samples['osiwire_queue_depth{queue="enrich"}'] == 1
        assert samples['osiwire_queue_depth{queue="translate"}'] == 3
        assert samples['osiwire_queue_depth{queue="deliver_retry"}'] == 1


# Tables a queue count may read whole: the registry is small, and whether a release wants translating
# depends on its language, which no index can answer with "not the target".
SCANS_ALLOWED = {"sources", "releases"}


@pytest.mark.parametrize("queue", list(queue_statements("en", NOW)))
def test_queue_counts_use_indexes(tmp_path: Path, queue: str) -> None:
    with Store("sqlite:///" + str(tmp_path / "db.sqlite")) as store, store.db.reading() as conn:
        sql = str(queue_statements("en", NOW)[queue].compile(conn, compile_kwargs={"literal_binds": True}))
        plan = [str(row[3]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    for step in plan:
        if step.startswith("SCAN ") and "COVERING INDEX" not in step:
            assert step.split()[1] in SCANS_ALLOWED, plan


def test_migration_5_upgrades_a_version_4_database(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        current_version(conn)
        for step in MIGRATIONS[:4]:
            step(conn)
        conn.exec_driver_sql("UPDATE schema_version SET version = 4")
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_alert_events_pending")  # as a version-4 database had it
    engine.dispose()
    with Store(f"sqlite:///{path}") as store:
        ids = seed(store)  # data written at version 5 over the version-4 tables
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE schema_version SET version = 4")
        conn.exec_driver_sql("DROP TABLE pipeline_runs")
        conn.exec_driver_sql("DROP TABLE pipeline_stages")
        conn.exec_driver_sql("DROP INDEX ix_alert_events_pending")
    engine.dispose()
    with Store(f"sqlite:///{path}") as store:
        assert store.releases.count() == 6
        assert store.enrichments.get(ids.council) is not None
        with store.db.reading() as conn:
            assert conn.exec_driver_sql("SELECT version FROM schema_version").scalar() == len(MIGRATIONS)
            indexes = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(alert_events)")}
        assert "ix_alert_events_pending" in indexes
        PipelineStats(store.db).record("source", NOW, NOW, {"store": StageTime(1, 0.1)})
        assert [t.stage for t in PipelineStats(store.db).totals()] == ["store"]
    assert MIGRATIONS.index(_pipeline_stats) == 4  # migration number 5
