"""Workers on PostgreSQL: the pipeline's stages as procrastinate jobs (osiwire worker, osiwire jobs)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from sqlalchemy import text

from osiwire.cli import cli
from osiwire.config import load_settings
from osiwire.enriching import Enriching
from osiwire.store import Store
from osiwire.store.stats import store_counts
from osiwire.web.app import create_app
from pg import Cluster
from translate_servers import FakeLibreTranslate

pytestmark = pytest.mark.postgres
RELEASES = 8


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> Iterator[str]:
    url = pg_cluster.new_database()
    try:
        yield url
    finally:
        pg_cluster.drop(url)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """The first releases of the bundled kremlin archive, as a file source would offer them."""
    lines = (
        (files("osiwire") / "data" / "demo" / "kremlin-ru-2025-02-03.jsonl").read_text("utf-8").splitlines()
    )
    path = tmp_path / "kremlin.jsonl"
    path.write_text("\n".join(lines[:RELEASES]) + "\n", encoding="utf-8")
    return path


def osiwire(data_dir: Path, url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--data-dir", str(data_dir), "--database-url", url, *args])


def add_source(data_dir: Path, url: str, archive: Path) -> None:
    added = osiwire(
        data_dir, url, "sources", "add", archive.as_uri(), "--kind", "file", "--name", "K", "--lang", "ru"
    )
    assert added.exit_code == 0, added.output


def jobs(data_dir: Path, url: str, status: str) -> list[dict[str, object]]:
    listed = osiwire(data_dir, url, "jobs", "--status", status, "--json", "--limit", "1000")
    assert listed.exit_code == 0, listed.output
    found: list[dict[str, object]] = json.loads(listed.output)
    return found


def test_a_worker_runs_every_stage_once_and_a_second_run_adds_nothing(
    tmp_path: Path, pg_url: str, archive: Path
) -> None:
    add_source(tmp_path, pg_url, archive)
    ran = osiwire(tmp_path, pg_url, "worker", "--once")
    assert ran.exit_code == 0, ran.output
    with Store(pg_url) as store:
        assert store.releases.count() == RELEASES
        ids = [h.id for h in store.search("").hits]
        assert all(store.enrichments.get(i) is not None for i in ids)  # enriched
        assert all(store.stories.of_release(i) is not None for i in ids)  # read into a story
    done = jobs(tmp_path, pg_url, "succeeded")
    by_task: dict[object, int] = {}
    for job in done:
        by_task[job["task"]] = by_task.get(job["task"], 0) + 1
    # One job per release and stage (no engine here: alerts follow enrichment directly).
    assert by_task["osiwire.enrich"] == by_task["osiwire.stories"] == by_task["osiwire.alerts"] == RELEASES
    assert by_task["osiwire.fetch"] == 1
    assert jobs(tmp_path, pg_url, "failed") == []

    again = osiwire(tmp_path, pg_url, "worker", "--once")  # the source is not due; nothing new either way
    assert again.exit_code == 0, again.output
    with Store(pg_url) as store:
        assert store.releases.count() == RELEASES


def test_a_failing_stage_is_recorded_retried_and_the_later_stages_still_run(
    tmp_path: Path, pg_url: str, archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Enriching, *args: object, **kwargs: object) -> None:
        raise RuntimeError("NER model crashed")

    monkeypatch.setattr(Enriching, "enrich", broken)
    add_source(tmp_path, pg_url, archive)
    ran = osiwire(tmp_path, pg_url, "worker", "--once")
    assert ran.exit_code == 0, ran.output
    with Store(pg_url) as store:
        assert store.releases.count() == RELEASES  # stored whatever enrichment did
        failed = store.failures.find("enrich", limit=100)
        assert len(failed) == RELEASES and "NER model crashed" in failed[0].error
        ids = [h.id for h in store.search("").hits]
        assert all(store.stories.of_release(i) is not None for i in ids)  # stories ran all the same
    waiting = [j for j in jobs(tmp_path, pg_url, "todo") if j["task"] == "osiwire.enrich"]
    assert len(waiting) == RELEASES and all(j["attempts"] >= 1 for j in waiting)  # procrastinate retries them

    monkeypatch.undo()
    retried = osiwire(tmp_path, pg_url, "jobs", "retry", *(str(j["id"]) for j in waiting))
    assert retried.exit_code != 0 and "not failed" in retried.output  # todo jobs wait for their retry time


def test_workers_need_postgresql_and_a_database_that_answers(tmp_path: Path) -> None:
    sqlite = osiwire(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", "worker", "--once")
    assert sqlite.exit_code == 1
    assert "workers and jobs need PostgreSQL" in sqlite.output and "Traceback" not in sqlite.output
    gone = osiwire(tmp_path, f"postgresql+psycopg://postgres@/nowhere?host={tmp_path}", "jobs")
    assert gone.exit_code == 1 and gone.output.count("\n") == 1, gone.output
    assert "database" in gone.output and "Traceback" not in gone.output
    unknown = osiwire(
        tmp_path, f"postgresql+psycopg://postgres@/nowhere?host={tmp_path}", "worker", "--queues", "x"
    )
    assert unknown.exit_code == 1 and "'x' is no queue" in unknown.output


def test_a_worker_killed_mid_task_has_its_job_run_again_and_nothing_stored_twice(
    tmp_path: Path, pg_url: str
) -> None:
    lines = (
        (files("osiwire") / "data" / "demo" / "kremlin-ru-2025-02-03.jsonl").read_text("utf-8").splitlines()
    )
    big = tmp_path / "kremlin-all.jsonl"
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    add_source(tmp_path, pg_url, big)
    command = [sys.executable, "-m", "osiwire", "--data-dir", str(tmp_path), "--database-url", pg_url]
    worker = subprocess.Popen(
        [*command, "worker", "--queues", "fetch", "--stalled-after", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with Store(pg_url) as store:
            deadline = time.monotonic() + 120
            while store.releases.count() == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            stored_at_kill = store.releases.count()
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    assert 0 < stored_at_kill < len(lines)  # killed in the middle of the source's pass
    doing = jobs(tmp_path, pg_url, "doing")
    assert [j["task"] for j in doing] == ["osiwire.fetch"]

    time.sleep(3)  # the dead worker's heartbeat grows old
    again = subprocess.run(
        [*command, "worker", "--once", "--queues", "fetch", "--stalled-after", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert (
        "of a dead worker" in again.stderr
    )  # queued again, or dropped for the same job the scheduler queued
    with Store(pg_url) as store:
        assert store.releases.count() == len(lines)  # the pass finished on the second worker
        assert store_counts(store.db).versions == len(lines)  # and stored nothing twice
    assert [j for j in jobs(tmp_path, pg_url, "doing") if j["task"] == "osiwire.fetch"] == []
    assert [j for j in jobs(tmp_path, pg_url, "succeeded") if j["task"] == "osiwire.fetch"]


def test_the_same_items_fetched_by_two_workers_at_once_are_stored_once(
    tmp_path: Path, pg_url: str, archive: Path
) -> None:
    mirror = tmp_path / "mirror.jsonl"  # another source serving the very same items
    mirror.write_bytes(archive.read_bytes())
    add_source(tmp_path, pg_url, archive)
    added = osiwire(
        tmp_path, pg_url, "sources", "add", mirror.as_uri(), "--kind", "file", "--name", "M", "--lang", "ru"
    )
    assert added.exit_code == 0, added.output
    command = [sys.executable, "-m", "osiwire", "--data-dir", str(tmp_path), "--database-url", pg_url]
    workers = [
        subprocess.Popen(
            [*command, "worker", "--once", "--queues", "fetch"], stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for worker in workers:
        _, stderr = worker.communicate(timeout=300)
        assert worker.returncode == 0, stderr
    with Store(pg_url) as store:
        assert store.releases.count() == RELEASES
        assert store_counts(store.db).versions == RELEASES
    fetched = [j for j in jobs(tmp_path, pg_url, "succeeded") if j["task"] == "osiwire.fetch"]
    assert sorted(j["args"]["source_id"] for j in fetched) == [1, 2]  # type: ignore[index]
    enrich = jobs(tmp_path, pg_url, "todo")
    assert (
        len([j for j in enrich if j["task"] == "osiwire.enrich"]) == RELEASES
    )  # one per version, not per source


def test_a_worker_rides_out_a_database_restart(tmp_path: Path, pg_url: str, pg_cluster: Cluster) -> None:
    lines = (
        (files("osiwire") / "data" / "demo" / "kremlin-ru-2025-02-03.jsonl").read_text("utf-8").splitlines()
    )
    big = tmp_path / "kremlin-all.jsonl"
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    add_source(tmp_path, pg_url, big)
    command = [sys.executable, "-m", "osiwire", "--data-dir", str(tmp_path), "--database-url", pg_url]
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen([*command, "worker", "--queues", "fetch"], stdout=out, stderr=out)
    try:
        with Store(pg_url) as store:
            deadline = time.monotonic() + 120
            while store.releases.count() == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
        pg_cluster.stop("fast")  # in the middle of the source's pass
        time.sleep(2)
        pg_cluster.start()
        deadline = time.monotonic() + 240
        with Store(pg_url) as store:
            while store.releases.count() < len(lines) and time.monotonic() < deadline:
                assert worker.poll() is None, log.read_text()
                time.sleep(0.5)
            assert store.releases.count() == len(lines), log.read_text()[-3000:]
            assert store_counts(store.db).versions == len(lines)
        assert "database lost" in log.read_text()  # it noticed, and started again
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)


def test_the_jobs_page_lists_failed_jobs_and_retries_one_for_a_signed_in_user(
    tmp_path: Path, pg_url: str, archive: Path
) -> None:
    add_source(tmp_path, pg_url, archive)
    assert osiwire(tmp_path, pg_url, "worker", "--once", "--queues", "fetch").exit_code == 0
    enrich = [j for j in jobs(tmp_path, pg_url, "todo") if j["task"] == "osiwire.enrich"]
    hostile = "<script>alert(1)</script>"
    with (
        Store(pg_url) as store,
        store.db.writing() as conn,
    ):  # two of them gave up, one with a hostile argument
        conn.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'failed', args = args || CAST(:extra AS jsonb) WHERE id = :id"
            ),
            {"id": enrich[0]["id"], "extra": json.dumps({"note": hostile})},
        )
        conn.execute(
            text("UPDATE procrastinate_jobs SET status = 'failed' WHERE id = :id"), {"id": enrich[1]["id"]}
        )
    settings = load_settings(tmp_path, environ={"OSIWIRE_WEB__API_TOKEN": "jobs-token"}, database_url=pg_url)
    with Store(pg_url) as store, TestClient(create_app(settings, store=store)) as client:
        page = client.get("/jobs").text
        assert "Failed jobs" in page and f"#{enrich[0]['id']}" in page and f"#{enrich[1]['id']}" in page
        assert hostile not in page and "&lt;script&gt;" in page
        assert "Sign in</a> to retry" in page and "/retry" not in page
        refused = client.post(f"/jobs/{enrich[0]['id']}/retry", data={"csrf": "x"})
        assert refused.status_code in (401, 403)
        client.post("/signin", data={"token": "jobs-token", "next": "/jobs"}, follow_redirects=False)
        match = re.search(r'name="csrf" value="([0-9a-f]{64})"', client.get("/jobs").text)
        assert match is not None
        done = client.post(
            f"/jobs/{enrich[0]['id']}/retry", data={"csrf": match.group(1)}, follow_redirects=False
        )
        assert done.status_code == 303
        again = client.post(f"/jobs/{enrich[0]['id']}/retry", data={"csrf": match.group(1)})
        assert again.status_code == 404 and "no failed job" in again.text
    failed = {j["id"] for j in jobs(tmp_path, pg_url, "failed")}
    assert failed == {enrich[1]["id"]}


def test_the_jobs_page_on_sqlite_says_there_is_no_queue(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        page = client.get("/jobs")
        assert page.status_code == 200 and "No job queue here" in page.text


def test_translation_runs_on_its_queue_then_the_alerts(tmp_path: Path, pg_url: str, archive: Path) -> None:
    fake = FakeLibreTranslate()
    with fake.running():
        (tmp_path / "osiwire.toml").write_text(
            f'[translate]\nengines = ["libretranslate", "none"]\n[translate.libretranslate]\nurl = "{fake.url}"\n',
            encoding="utf-8",
        )
        add_source(tmp_path, pg_url, archive)
        first = osiwire(tmp_path, pg_url, "worker", "--once", "--queues", "fetch,enrich,stories,alerts")
        assert first.exit_code == 0, first.output
        waiting = [j for j in jobs(tmp_path, pg_url, "todo") if j["task"] == "osiwire.translate"]
        assert len(waiting) == RELEASES  # a machine with the model takes them (here: the next worker)
        second = osiwire(tmp_path, pg_url, "worker", "--once", "--queues", "translate,alerts")
        assert second.exit_code == 0, second.output
    with Store(pg_url) as store:
        ids = [h.id for h in store.search("").hits]
        done = [store.translations.get(i, "en") for i in ids]
        assert all(t is not None and t.status == "complete" for t in done)
        # The fake engine upper-cases (names from the glossary aside).
        assert all(any(s.target != s.source for s in t.sentences) for t in done if t is not None)
        assert (
            sum(s.target == s.source.upper() for t in done if t is not None for s in t.sentences) > RELEASES
        )
    alerts = [j for j in jobs(tmp_path, pg_url, "succeeded") if j["task"] == "osiwire.alerts"]
    assert len(alerts) == RELEASES  # after the translation, once each
