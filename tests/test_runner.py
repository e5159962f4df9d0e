"""Extract and enrich in worker processes (pipeline.workers): the same store as in one process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from osiwire.collect.archive import read_archive
from osiwire.config import Settings, load_settings
from osiwire.model import Source, SourceKind
from osiwire.pipeline import POOL_MIN_DOCUMENTS, PassReport, Pipeline
from osiwire.runner import worker_count
from osiwire.store import Store
from site_server import load_releases

KREMLIN = Path("press") / "kremlin-ru" / "releases-2025-02-03.jsonl"
N = POOL_MIN_DOCUMENTS + 4


@pytest.fixture
def archive(tmp_path: Path, shared_data: Path) -> Path:
    records: list[dict[str, Any]] = load_releases(shared_data / KREMLIN)[:N]
    records[3] = {**records[3], "text": "", "title": ""}  # nothing to extract: fails alone, in a worker
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _import(settings: Settings, archive: Path) -> tuple[PassReport, dict[str, Any]]:
    with Store(settings.database) as store:
        source = store.sources.add(
            Source(name="Archive", url=archive.as_uri(), kind=SourceKind.FILE, language="ru", enabled=False)
        )
        pipeline = Pipeline(settings, store)
        try:
            report = pipeline.import_archive(archive, source)
            pooled = pipeline._stage_pool is not None
        finally:
            pipeline.close()
        stored = {}
        with store.db.reading() as conn:
            ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM releases ORDER BY id")]
        for release_id in ids:
            release = store.releases.get(release_id)
            enrichment = store.enrichments.get(release_id, 1)
            if enrichment is None:
                assert not settings.enrich.enabled
                stored[release.url] = [s.text for s in release.current.segments]
                continue
            stored[release.url] = (
                [s.text for s in release.current.segments],
                [(m.type, m.start, m.end, m.normal) for m in enrichment.mentions],
                sorted(p.display for p in enrichment.people),
                sorted((p.name.display, p.position) for p in enrichment.participants),
                enrichment.topics,
                enrichment.countries,
            )
        with store.db.reading() as conn:  # the search index's lemmas (by the workers, or by the store here)
            lemmas = sorted(tuple(row) for row in conn.exec_driver_sql("SELECT rowid, * FROM release_fts"))
        stories = {store.releases.get(i).url: store.stories.of_release(i) for i in ids}
        return report, {
            "pooled": pooled,
            "stored": stored,
            "failures": store.failures.find(),
            "lemmas": lemmas,
            "stories": stories,
        }


def test_worker_processes_store_what_one_process_stores(tmp_path: Path, archive: Path) -> None:
    one = load_settings(
        tmp_path / "one", environ={}, translate={"engines": ["none"]}, pipeline={"workers": 1}
    )
    two = load_settings(
        tmp_path / "two", environ={}, translate={"engines": ["none"]}, pipeline={"workers": 2}
    )
    report_one, in_one = _import(one, archive)
    report_two, in_two = _import(two, archive)
    assert (in_one["pooled"], in_two["pooled"]) == (False, True)
    assert (report_two.new, report_two.failed) == (report_one.new, report_one.failed) == (N - 1, 1)
    assert in_two["stored"] == in_one["stored"]  # text, mentions, people, participants, topics, countries
    assert in_two["lemmas"] == in_one["lemmas"] and len(in_one["lemmas"]) == N - 1
    assert in_two["stories"] == in_one["stories"] and None not in in_one["stories"].values()
    assert [(f.stage, f.item) for f in in_two["failures"]] == [(f.stage, f.item) for f in in_one["failures"]]


def test_a_small_pass_stays_in_this_process(tmp_path: Path, shared_data: Path) -> None:
    path = tmp_path / "small.jsonl"
    records = load_releases(shared_data / KREMLIN)[:3]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    settings = load_settings(tmp_path, environ={}, pipeline={"workers": 2}, enrich={"enabled": False})
    report, stored = _import(settings, path)
    assert report.new == 3 and stored["pooled"] is False


def test_an_enricher_failure_in_a_worker_is_recorded_on_the_release(
    tmp_path: Path, shared_data: Path
) -> None:
    settings = load_settings(tmp_path, environ={}, translate={"engines": ["none"]})
    record = load_releases(shared_data / KREMLIN)[0]
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with Store(settings.database) as store:
        pipeline = Pipeline(settings, store)
        document = next(read_archive(path)).document
        assert document is not None
        article = pipeline.extract(document)
        (result,) = store.releases.save_many([article])
        report = PassReport("")
        done = pipeline.process(
            article, result.release_id, result.version_no, report, enrich_error="IndexError: list index"
        )
        pipeline.close()
        assert "enrich" not in done and "alerts" in done and report.failed == 1
        (failure,) = store.failures.find("enrich")
        assert failure.error == "IndexError: list index" and failure.release_id == result.release_id


@pytest.mark.parametrize(("asked", "expected"), [(1, 1), (3, 3)])
def test_worker_count(tmp_path: Path, asked: int, expected: int) -> None:
    assert worker_count(load_settings(tmp_path, environ={}, pipeline={"workers": asked})) == expected


def test_worker_count_zero_is_one_per_core(tmp_path: Path) -> None:
    assert worker_count(load_settings(tmp_path, environ={}, pipeline={"workers": 0})) >= 1


def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    """kill -9 of `osiwire run` or an import cannot shut its pool down: the workers must not outlive it."""
    script = f"""
import os, signal, sys
from datetime import UTC, datetime
from osiwire.config import load_settings
from osiwire.model import RawDocument
from osiwire.runner import StagePool
settings = load_settings({str(tmp_path)!r}, environ={{}}, enrich={{"enabled": False}})
pool = StagePool(settings, 1)
doc = RawDocument(url="http://a.invalid/", fetched_at=datetime.now(UTC), text="Текст для проверки.", language_hint="ru")
pool.work(doc)
print(" ".join(str(p) for p in pool._pool._processes), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    workers = [int(p) for p in done.stdout.split()]
    assert workers, done.stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.2)
    assert not any(_alive(p) for p in workers)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split()[2] != "Z"  # a zombie has ended (its parent, init, reaps it)
    except FileNotFoundError:
        return False
