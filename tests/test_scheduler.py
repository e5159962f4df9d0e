"""`osiwire fetch` and `osiwire run` as real processes against a loopback site; Ctrl-C stops cleanly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from site_server import Page, Site, SiteServer, article_page, load_releases, rss_feed

N = 5


def _osiwire(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "osiwire", "--data-dir", str(data_dir), *args]


def _env() -> dict[str, str]:
    # Loopback is refused by default (SSRF defence); the environment override is part of what is tested.
    return {
        **os.environ,
        "OSIWIRE_FETCH__ALLOW_PRIVATE_ADDRESSES": "true",
        "OSIWIRE_FETCH__PER_HOST_INTERVAL_S": "0",
    }


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
            return int(conn.execute("SELECT count(*) FROM releases").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _publish(site: Site, shared_data: Path) -> None:
    records = load_releases(shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl")[:N]
    items = []
    for i, record in enumerate(records):
        url = f"{site.base}/news/{i}"
        site.pages[f"/news/{i}"] = Page(article_page(record, url))
        items.append((url, record))
    site.pages["/feed"] = Page(rss_feed(items, site.base), "application/rss+xml")


@pytest.mark.timeout(120)
def test_fetch_command(tmp_path: Path, shared_data: Path) -> None:
    with SiteServer(Site()) as site:
        _publish(site, shared_data)
        add = _osiwire(
            tmp_path, "sources", "add", site.base + "/feed", "--kind", "rss", "--name", "K", "--lang", "ru"
        )
        subprocess.run(add, check=True, env=_env(), capture_output=True)
        first = subprocess.run(
            _osiwire(tmp_path, "fetch"), env=_env(), capture_output=True, text=True, timeout=60
        )
        assert first.returncode == 0, first.stderr
        assert f"K: {N} entries, {N} new" in first.stdout
        again = subprocess.run(
            _osiwire(tmp_path, "fetch"), env=_env(), capture_output=True, text=True, timeout=60
        )
        assert again.returncode == 0 and "no source is due" in again.stdout
        forced = subprocess.run(
            _osiwire(tmp_path, "fetch", "--source", "K"),
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "K: not modified" in forced.stdout
    assert _count(tmp_path / "osiwire.db") == N


@pytest.mark.timeout(120)
def test_run_loop_stops_cleanly_on_ctrl_c(tmp_path: Path, shared_data: Path) -> None:
    with SiteServer(Site()) as site:
        _publish(site, shared_data)
        add = _osiwire(
            tmp_path, "sources", "add", site.base + "/feed", "--kind", "rss", "--name", "K", "--lang", "ru"
        )
        subprocess.run(add, check=True, env=_env(), capture_output=True)
        proc = subprocess.Popen(
            _osiwire(tmp_path, "run", "--tick", "0.2"),
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 90
        while _count(tmp_path / "osiwire.db") < N and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert _count(tmp_path / "osiwire.db") == N
