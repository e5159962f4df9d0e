"""Kill -9 in the middle of an ingest, run it again: nothing lost, nothing twice."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from osiwire.store.database import sqlite_path

COPIES = 4  # 4 x 125 real releases: long enough to be killed half-way on any machine


def _archive(shared_data: Path, tmp_path: Path) -> Path:
    lines = (
        (shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl").read_text("utf-8").splitlines()
    )
    path = tmp_path / "archive.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for copy in range(COPIES):
            for line in lines:
                record = json.loads(line)
                record["url"] += f"?copy={copy}"
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


@contextmanager
def _counter(url: str) -> Iterator[Callable[[str], int]]:
    """``count(sql)`` on the store at ``url`` (an SQLite file read only, so it is not created before the import)."""
    path = sqlite_path(url)
    if path is not None:
        yield lambda sql: _count(path, sql)
        return
    engine = create_engine(url)
    try:

        def count(sql: str) -> int:
            with engine.connect() as conn:
                return int(conn.exec_driver_sql(sql).scalar_one())

        yield count
    finally:
        engine.dispose()


@pytest.mark.timeout(240)
def test_kill_during_import_then_rerun(shared_data: Path, tmp_path: Path, store_url: str) -> None:
    with _counter(store_url) as count:
        _kill_then_rerun(shared_data, tmp_path, store_url, count)


def _kill_then_rerun(shared_data: Path, tmp_path: Path, url: str, count: Callable[[str], int]) -> None:
    archive = _archive(shared_data, tmp_path)
    data_dir = tmp_path / "data"
    cmd = [sys.executable, "-m", "osiwire", "--data-dir", str(data_dir), "import", str(archive)]
    cmd += ["--source", "Kremlin", "--region", "Russian Federation", "--lang", "ru"]
    # What is tested is the store's crash safety: enrichment (a later stage, retried by its own bookkeeping)
    # would only make the import slower and the test's timing depend on the machine's load.
    env = {**os.environ, "OSIWIRE_ENRICH__ENABLED": "false", "OSIWIRE_DATABASE_URL": url}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        if count("SELECT count(*) FROM releases") >= 50:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be killed; make the archive longer"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored_before = count("SELECT count(*) FROM releases")
    assert 0 < stored_before < COPIES * 125

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=200)
    assert rerun.returncode == 0, rerun.stderr
    assert count("SELECT count(*) FROM releases") == COPIES * 125
    assert count("SELECT count(*) FROM versions") == COPIES * 125
    assert count("SELECT count(*) FROM release_fts") == COPIES * 125
    assert (
        count("SELECT count(*) FROM (SELECT url FROM releases GROUP BY url HAVING count(*) > 1) AS twice")
        == 0
    )
    assert count("SELECT count(*) FROM sources") == 1
    # Every stored version has its segments (no half-written release survived the kill).
    assert (
        count(
            "SELECT count(*) FROM versions v WHERE NOT EXISTS "
            "(SELECT 1 FROM segments s WHERE s.version_id = v.id)",
        )
        == 0
    )
    assert f"{COPIES * 125 - stored_before} new" in rerun.stdout
