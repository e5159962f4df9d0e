"""No item ends a run: a stage that raises on one release is recorded on it, and the run goes on.

Each test injects a stage that fails on one chosen item (import, fetch/run, analyze, enrich, translate, store,
alerts) and checks that every other item went through, that the failure is recorded (stage, error, time), shown
(``osiwire status``, the source page, ``/metrics``) and retried (``--failed``, the next pass).
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from osiwire import analyze as analyze_module
from osiwire import pipeline as pipeline_module
from osiwire.cli import cli
from osiwire.config import Settings, load_settings
from osiwire.enriching import Enriching
from osiwire.model import Article, Source, SourceKind
from osiwire.pipeline import Pipeline
from osiwire.retrying import RetryReport
from osiwire.store import Store
from osiwire.store.failures import Failures, StageFailure, one_line
from osiwire.store.releases import Releases
from osiwire.translating import Translating
from osiwire.web.app import create_app
from site_server import Page, Site, SiteServer, article_page, load_releases, rss_feed

KREMLIN = Path("press") / "kremlin-ru" / "releases-2025-02-03.jsonl"
N = 6


class Injected(RuntimeError):
    """The failure a test injects into a stage."""


def run(data_dir: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data_dir), *args], input=stdin, catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def records(shared_data: Path) -> list[dict[str, Any]]:
    return load_releases(shared_data / KREMLIN)[:N]


@pytest.fixture
def archive(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def failing_on(url: str, real: Callable[..., Any]) -> Callable[..., Any]:
    """``real`` (a method taking an article first), raising on the article at ``url``."""

    def wrapper(self: Any, article: Article, *args: Any, **kwargs: Any) -> Any:
        if article.url == url:
            raise Injected(f"injected failure on {url}")
        return real(self, article, *args, **kwargs)

    return wrapper


def status(data_dir: Path) -> dict[str, Any]:
    code, out, _ = run(data_dir, "status", "--json")
    assert code == 0, out
    result: dict[str, Any] = json.loads(out)
    return result


def test_import_goes_on_past_a_failing_enrich_and_enrich_failed_retries_it(
    tmp_path: Path, archive: Path, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = str(records[2]["url"])
    with monkeypatch.context() as patch:
        patch.setattr(Enriching, "enrich", failing_on(bad, Enriching.enrich))
        code, out, err = run(tmp_path, "import", str(archive), "--source", "Kremlin", "--lang", "ru")
    assert code == 3, (out, err)  # partial: one item failed, the rest stored
    assert f"{N} new" in out and "1 failed" in out
    failed = status(tmp_path)["failed"]
    assert set(failed) == {"enrich"}
    assert failed["enrich"]["count"] == 1
    (item,) = failed["enrich"]["items"]
    assert item["item"] == bad and item["error"] == f"Injected: injected failure on {bad}"
    assert item["attempts"] == 1 and item["release_id"] is not None
    with Store(load_settings(tmp_path, environ={}).database) as store:
        assert store.releases.count() == N
        assert store.enrichments.get(item["release_id"], 1) is None
    code, out, _ = run(tmp_path, "status")
    assert "failed enrich: 1" in out and "injected failure" in out

    code, out, _ = run(tmp_path, "enrich", "--failed")  # the fault is gone: the retry succeeds
    assert code == 0 and "1 release(s) enriched, 0 failed again" in out
    assert status(tmp_path)["failed"] == {}
    with Store(load_settings(tmp_path, environ={}).database) as store:
        assert store.enrichments.get(item["release_id"], 1) is not None


def test_enrich_command_goes_on_past_a_failing_release(
    tmp_path: Path, archive: Path, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSIWIRE_ENRICH__ENABLED", "false")
    code, _, _ = run(tmp_path, "import", str(archive), "--source", "Kremlin", "--lang", "ru")
    assert code == 0
    monkeypatch.delenv("OSIWIRE_ENRICH__ENABLED")
    bad = str(records[0]["url"])
    with monkeypatch.context() as patch:
        patch.setattr(Enriching, "enrich", failing_on(bad, Enriching.enrich))
        code, out, _ = run(tmp_path, "enrich")
    assert code == 3 and f"{N - 1} release(s) enriched, 1 failed" in out
    assert status(tmp_path)["failed"]["enrich"]["items"][0]["item"] == bad
    code, out, _ = run(tmp_path, "enrich", "--failed")
    assert code == 0 and status(tmp_path)["failed"] == {}


def test_a_failing_translation_is_recorded_and_retried(
    tmp_path: Path, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(tmp_path, environ={}, enrich={"enabled": False})
    bad = str(records[1]["url"])
    translated: list[str] = []

    def translate(self: Translating, article: Article, *args: Any, **kwargs: Any) -> Any:
        if article.url == bad:
            raise Injected("engine crashed")
        translated.append(article.url)
        return _complete()

    monkeypatch.setattr(Translating, "can_translate", lambda self, language: True)
    with Store(settings.database) as store:
        pipeline = Pipeline(settings, store)
        with monkeypatch.context() as patch:
            patch.setattr(Translating, "translate", translate)
            report = pipeline.import_archive(_archive(tmp_path, records), _file_source(store))
        assert (report.new, report.failed, report.translated) == (N, 1, N - 1)
        (failure,) = store.failures.find("translate")
        assert failure.item == bad and failure.error == "Injected: engine crashed"
        assert pipeline.retry_failed(("translate",)).succeeded == 0  # not due yet: retried after a while
        with monkeypatch.context() as patch:
            patch.setattr(Translating, "translate", translate)
            patch.setattr(Failures, "find", _all_due(Failures.find))
            retried = pipeline.retry_failed(("translate",))
        assert (retried.succeeded, retried.failed) == (0, 1)  # still failing: counted again
        assert store.failures.find("translate")[0].attempts == 2
        with monkeypatch.context() as patch:
            patch.setattr(
                Translating, "translate", lambda self, article, *a, **k: translated.append(article.url)
            )
            retried = pipeline.retry_failed(("translate",), due_only=False)
        assert (retried.succeeded, retried.failed) == (1, 0) and translated[-1] == bad
        assert store.failures.find("translate") == []
        pipeline.close()


def test_translate_failed_command(
    tmp_path: Path, archive: Path, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Translating, "can_translate", lambda self, language: True)
    bad = str(records[3]["url"])

    def translate(self: Translating, article: Article, *args: Any, **kwargs: Any) -> Any:
        if article.url == bad:
            raise Injected("engine crashed")
        return _complete()

    with monkeypatch.context() as patch:
        patch.setattr(Translating, "translate", translate)
        code, _, _ = run(tmp_path, "import", str(archive), "--source", "Kremlin", "--lang", "ru")
    assert code == 3 and status(tmp_path)["failed"]["translate"]["count"] == 1
    with monkeypatch.context() as patch:
        patch.setattr(Translating, "translate", lambda self, article, *a, **k: _complete())
        code, out, _ = run(tmp_path, "translate", "--failed")
    assert code == 0 and "1 release(s) translated again, 0 failed again" in out
    assert status(tmp_path)["failed"] == {}


def test_analyze_batch_writes_an_error_line_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = analyze_module.enrich_article

    def enrich_article(article: Article, enricher: Any) -> Any:
        if "взорвётся" in article.title:
            raise IndexError("list index out of range")
        return real(article, enricher)

    monkeypatch.setattr(analyze_module, "enrich_article", enrich_article)
    lines = [
        {"id": "a", "title": "Встреча", "text": "Владимир Путин встретился с Сергеем Лавровым в Москве."},
        {"id": "b", "title": "Текст взорвётся", "text": "Этот текст стадия не осилит."},
        {"id": "c", "title": "Meeting", "text": "Foreign Minister Sergey Lavrov met the press in Moscow."},
    ]
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    code, out, err = run(tmp_path, "analyze", "--jsonl", "-", stdin=stdin)
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 3
    assert [r["id"] for r in results] == ["a", "b", "c"]
    assert results[1] == {"id": "b", "error": "IndexError: list index out of range"}
    assert "paragraphs" in results[0] and "paragraphs" in results[2]
    assert "stage failed: stage=analyze item=b error=IndexError" in err  # one log line


def _pages(site: Site, records: list[dict[str, Any]]) -> list[str]:
    urls = [f"{site.base}/news/{i}" for i in range(len(records))]
    for url, record in zip(urls, records, strict=True):
        site.pages[url.removeprefix(site.base)] = Page(article_page(record, url))
    site.pages["/feed"] = Page(
        rss_feed(list(zip(urls, records, strict=True)), site.base), "application/rss+xml"
    )
    return urls


@pytest.fixture
def net_settings(tmp_path: Path, store_url: str) -> Settings:
    return load_settings(
        tmp_path,
        environ={},
        database_url=store_url,
        fetch={"allow_private_addresses": True, "per_host_interval_s": 0, "retries": 0, "backoff_s": 0.01},
        enrich={"enabled": False},
    )


def test_fetch_pass_goes_on_past_a_page_the_extractor_fails_on(
    net_settings: Settings,
    records: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    real = pipeline_module.extract_article
    with SiteServer(Site()) as site, Store(net_settings.database) as store:
        urls = _pages(site, records)
        bad = urls[4]

        def extract_article(doc: Any, *args: Any) -> Any:
            if doc.url == bad:
                raise IndexError("list index out of range")
            return real(doc, *args)

        source = store.sources.add(Source(name="Kremlin", url=site.base + "/feed", kind=SourceKind.RSS))
        pipeline = Pipeline(net_settings, store)
        request.addfinalizer(pipeline.close)
        with monkeypatch.context() as patch:
            patch.setattr(pipeline_module, "extract_article", extract_article)
            (report,) = pipeline.fetch()
        assert (report.new, report.failed, report.error) == (N - 1, 1, "")
        (failure,) = store.failures.find(source_id=source.id)
        assert (failure.stage, failure.item, failure.release_id) == ("extract", bad, None)
        assert failure.error == "IndexError: list index out of range"
        assert store.sources.health(source.id).error_count == 0  # the source itself works

        with TestClient(create_app(net_settings, store=store)) as client:
            page = client.get(f"/sources/{source.id}").text
            assert "Failed items" in page and "IndexError: list index out of range" in page and bad in page
            metrics = client.get("/metrics").text
            assert 'osiwire_stage_failures{stage="extract"} 1' in metrics

        (again,) = pipeline.fetch("Kremlin")  # the extractor is mended: the next pass stores the page
        assert again.new == 1 and store.failures.find() == []


def test_a_source_whose_parser_raises_does_not_end_the_pass(
    net_settings: Settings, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline_module.parse_feed
    with SiteServer(Site()) as site, Store(net_settings.database) as store:
        _pages(site, records)
        site.pages["/other"] = site.pages["/feed"]
        store.sources.add(Source(name="Broken", url=site.base + "/feed", kind=SourceKind.RSS))
        store.sources.add(Source(name="Fine", url=site.base + "/other", kind=SourceKind.RSS))

        def parse_feed(body: bytes, url: str, *args: Any) -> Any:
            if url.endswith("/feed"):
                raise KeyError("entries")
            return real(body, url, *args)

        monkeypatch.setattr(pipeline_module, "parse_feed", parse_feed)
        pipeline = Pipeline(net_settings, store)
        reports = {r.source: r for r in pipeline.fetch()}
        pipeline.close()
        assert reports["Broken"].error == "KeyError: 'entries'"
        assert store.sources.health("Broken").last_error == "KeyError: 'entries'"
        assert reports["Fine"].new == N and not reports["Fine"].error


def test_run_keeps_going_when_a_pass_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def retry_failed(self: Pipeline, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise Injected("the first pass breaks")
        os.kill(os.getpid(), signal.SIGTERM)  # the second pass happened: stop the loop
        return RetryReport()

    monkeypatch.setattr(Pipeline, "retry_failed", retry_failed)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        code, out, err = run(tmp_path, "run", "--tick", "0.05")
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    assert code == 0 and "stopped" in out and len(calls) == 2
    assert "run: pass failed: Injected: the first pass breaks" in err


def test_one_article_the_store_rejects_fails_alone(
    tmp_path: Path, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(tmp_path, environ={}, enrich={"enabled": False})
    bad = str(records[5]["url"])
    real = Releases.save_many

    def save_many(self: Releases, articles: list[Article], *args: Any, **kwargs: Any) -> Any:
        if any(a.url == bad for a in articles):
            raise ValueError("value too long for the column")
        return real(self, articles, *args, **kwargs)

    monkeypatch.setattr(Releases, "save_many", save_many)
    with Store(settings.database) as store:
        pipeline = Pipeline(settings, store)
        report = pipeline.import_archive(_archive(tmp_path, records), _file_source(store))
        pipeline.close()
        assert (report.new, report.failed) == (N - 1, 1)
        assert store.releases.count() == N - 1
        (failure,) = store.failures.find("store")
        assert failure.item == bad and failure.error == "ValueError: value too long for the column"


def test_a_failing_alert_check_is_recorded_and_the_next_stages_still_run(
    tmp_path: Path, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store:
        bad_id: list[int] = []

        def evaluate_new(store_: Store, release_id: int, **options: Any) -> list[Any]:
            if not bad_id:
                bad_id.append(release_id)
            if release_id == bad_id[0]:
                raise Injected("rule evaluation broke")
            return []

        pipeline = Pipeline(settings, store)
        with monkeypatch.context() as patch:
            patch.setattr(pipeline_module, "evaluate_new", evaluate_new)
            report = pipeline.import_archive(_archive(tmp_path, records), _file_source(store))
        assert (report.new, report.failed) == (N, 1)
        (failure,) = store.failures.find("alerts")
        assert failure.release_id == bad_id[0]
        assert store.enrichments.get(bad_id[0], 1) is not None  # enrich ran before the failing stage
        assert pipeline.retry_failed(due_only=False).succeeded == 1  # the real alert check works
        assert store.failures.find() == []
        pipeline.close()


def test_failure_records_are_one_line_and_back_off() -> None:
    assert one_line("Traceback\n  line 1\n\tIndexError:   list") == "Traceback line 1 IndexError: list"
    assert len(one_line("x" * 10_000)) == 500
    now = datetime.now(UTC)
    first = StageFailure("enrich", "u", "e", 1, now, now)
    fourth = StageFailure("enrich", "u", "e", 4, now, now)
    assert first.retry_at - now == timedelta(minutes=1) and fourth.retry_at - now == timedelta(minutes=8)
    assert StageFailure("enrich", "u", "e", 500, now, now).retry_at - now == timedelta(hours=24)


# -- helpers ---------------------------------------------------------------------------------------------------


def _archive(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _file_source(store: Store) -> Source:
    return store.sources.add(
        Source(
            name="Archive", url="file:///archive.jsonl", kind=SourceKind.FILE, language="ru", enabled=False
        )
    )


def _complete() -> Any:
    from osiwire.model import Translation

    return Translation(target_language="en", sentences=(), status="complete")


def _all_due(real: Callable[..., list[StageFailure]]) -> Callable[..., list[StageFailure]]:
    """``Failures.find`` as if every failure's retry time had come."""

    def find(self: Failures, *args: Any, due_at: datetime | None = None, **kwargs: Any) -> list[StageFailure]:
        return real(self, *args, due_at=None if due_at is None else due_at + timedelta(days=2), **kwargs)

    return find


def test_entries_left_for_a_later_pass_are_not_hidden_by_not_modified(
    net_settings: Settings,
    records: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """A pass takes at most MAX_NEW_PER_PASS pages; the feed answering 304 next time must not lose the rest."""
    monkeypatch.setattr(pipeline_module, "MAX_NEW_PER_PASS", 2)
    with SiteServer(Site()) as site, Store(net_settings.database) as store:
        _pages(site, records)
        store.sources.add(Source(name="Kremlin", url=site.base + "/feed", kind=SourceKind.RSS))
        pipeline = Pipeline(net_settings, store)
        request.addfinalizer(pipeline.close)
        news = [pipeline.fetch("Kremlin")[0].new for _ in range(4)]
        assert news == [2, 2, 2, 0] and store.releases.count() == N
        assert pipeline.fetch("Kremlin")[0].not_modified  # all read: conditional requests again
