"""Soak: a feed farm ingested by 2 workers into PostgreSQL while the web and API are under load, for minutes.

A farm on 127.0.0.1 (a separate process) serves ``--feeds`` RSS feeds whose items appear one every
``--item-every`` seconds per feed. Hosts of every kind are mixed in (by feed number): slow (3 s before answering),
failing (HTTP 500), redirecting (302 to another path of the same feed), oversized (a 40 MB page), malformed (not
XML) and windows-1251 (the feed encoded so, declared in its XML prolog). Two `osiwire worker` processes ingest
into a throwaway PostgreSQL cluster; one `osiwire serve` answers ``--rps`` requests a second from a separate
process (search with varied queries, the front page, release pages, the JSON API).

Checked at the end: 0 failed requests (any 5xx or connection error), every item the farm served in a readable
feed stored exactly once (no duplicate URL, none missing after the drain), each process's RSS sampled every 10 s
(growth after the first minute ≤ 10 %) and its open file descriptors (flat).

    .venv/bin/python bench/soak.py [--minutes 10] [--feeds 200] [--rps 100]

Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pg import Cluster, postgres_bin  # noqa: E402
from scale import stop_processes  # noqa: E402
from site_server import article_page, load_releases, rss_feed  # noqa: E402

RELEASES = ROOT.parent / "shared" / "data" / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
KINDS = ("normal", "normal", "normal", "slow", "failing", "redirecting", "oversized", "malformed", "cp1251")
READABLE = {"normal", "slow", "redirecting", "cp1251"}  # feeds whose items must all be stored
GOAL_RSS_GROWTH = 0.10
QUERIES = (
    "президент",
    "совет безопасности",
    "Путин",
    "переговоры",
    "Казахстан",
    "встреча",
    "оборона",
    "указ",
)


def kind_of(feed: int) -> str:
    return KINDS[feed % len(KINDS)]


def _serve(feeds: int, item_every: float, t0: float, port_queue: Any, served: Any, stop: Any) -> None:
    records = load_releases(RELEASES)

    def record(feed: int, n: int) -> dict[str, Any]:
        r = records[(feed * 7 + n) % len(records)]
        return {
            **r,
            "title": f"{r['title']} (лента {feed}, №{n})",
            "text": f"Лента {feed}, выпуск {n}. {r['text']}",
        }

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{port}"
            parts = self.path.strip("/").split("/")
            if parts[0] == "news" and len(parts) == 3:  # /news/FEED/N
                feed, n = int(parts[1]), int(parts[2])
                if kind_of(feed) == "oversized":
                    self._send(200, b"<html><body>" + b"x" * 40_000_000 + b"</body></html>", "text/html")
                    return
                self._send(200, article_page(record(feed, n), base + self.path), "text/html; charset=utf-8")
                return
            if parts[0].startswith("feed") and parts[0].endswith(".rss"):
                feed = int(parts[0][4:-4])
                kind = kind_of(feed)
                if kind == "redirecting":
                    self._send(302, b"", "text/plain", {"Location": f"{base}/moved/feed{feed}.rss"})
                    return
                self._feed(feed, kind, base)
                return
            if parts[0] == "moved" and len(parts) == 2:
                self._feed(int(parts[1][4:-4]), "normal", base)
                return
            self._send(404, b"not found", "text/plain")

        def _feed(self, feed: int, kind: str, base: str) -> None:
            if kind == "slow":
                time.sleep(3)
            if kind == "failing":
                self._send(500, b"maintenance", "text/plain")
                return
            if kind == "malformed":
                self._send(200, b"<rss><channel><item><title>broken", "application/rss+xml")
                return
            shown = int((time.time() - t0) / item_every) + 1
            items = [(f"{base}/news/{feed}/{n}", record(feed, n)) for n in range(max(0, shown - 20), shown)]
            body = rss_feed(items, base)
            if kind in READABLE:
                for url, _ in items:
                    served.put(url)
            if kind == "cp1251":
                text = body.decode("utf-8").replace('encoding="utf-8"', 'encoding="windows-1251"')
                body = text.encode("cp1251", errors="xmlcharrefreplace")
            self._send(200, body, "application/rss+xml")

    class Farm(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that hangs up on an oversized page is what the farm is for

    server = Farm(("127.0.0.1", 0), Handler)
    port = int(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port_queue.put(port)
    stop.wait()
    server.shutdown()


def _load(web: str, rps: float, until: float, ids: list[int], out: Any) -> None:
    """Open-loop requests at ``rps`` until ``until``: (ok, failed, errors sample)."""
    ok = failed = 0
    errors: list[str] = []
    lock = threading.Lock()

    def one(path: str) -> None:
        nonlocal ok, failed
        try:
            with urllib.request.urlopen(web + path, timeout=30) as r:
                r.read()
            with lock:
                ok += 1
        except urllib.error.HTTPError as exc:
            with lock:
                if exc.code >= 500:
                    failed += 1
                    errors.append(f"{exc.code} {path}")
                else:
                    ok += 1  # a 404 of a release not stored yet is an answer, not a failure
        except Exception as exc:
            with lock:
                failed += 1
                errors.append(f"{type(exc).__name__} {path}")

    rng = random.Random(7)
    next_at = time.time()
    while next_at < until:
        choice = rng.random()
        if choice < 0.4:
            q = urllib.request.quote(rng.choice(QUERIES))
            path = f"/search?q={q}" if rng.random() < 0.5 else f"/api/v1/search?q={q}"
        elif choice < 0.7 and ids:
            path = (
                f"/releases/{rng.choice(ids)}"
                if rng.random() < 0.5
                else f"/api/v1/releases/{rng.choice(ids)}"
            )
        elif choice < 0.85:
            path = "/"
        else:
            path = "/api/v1/releases?limit=20"
        threading.Thread(target=one, args=(path,), daemon=True).start()
        next_at += 1 / rps
        time.sleep(max(0.0, next_at - time.time()))
    time.sleep(30)
    out.put((ok, failed, errors[:10]))


def _sample(pid: int) -> tuple[float, int]:
    """RSS in MB and open file descriptors of a process."""
    rss = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--item-every", type=float, default=60.0, help="seconds between new items of a feed")
    parser.add_argument("--rps", type=float, default=100.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--drain", type=float, default=180.0, help="seconds the workers get to catch up at the end"
    )
    args = parser.parse_args()
    bin_dir = postgres_bin()
    if bin_dir is None:
        sys.exit(
            "bench/soak.py: PostgreSQL's server programs are missing (Debian: apt-get install postgresql)"
        )
    from osiwire.model import Source, SourceKind
    from osiwire.store import Store

    cluster = Cluster(bin_dir)
    procs: list[subprocess.Popen[bytes]] = []
    stop = mp.Event()
    try:
        cluster.prepare_template()
        url = cluster.new_database()
        tmp = Path(tempfile.mkdtemp(prefix="osiwire-soak-"))
        (tmp / "osiwire.toml").write_text(
            "[fetch]\nallow_private_addresses = true\nper_host_interval_s = 0\nconcurrency = 8\n"
            '[translate]\nengines = ["none"]\n',
            encoding="utf-8",
        )
        env = {**os.environ, "OSIWIRE_DATA_DIR": str(tmp), "OSIWIRE_DATABASE_URL": url}
        t0 = time.time()
        port_queue: Any = mp.Queue()
        served: Any = mp.Queue()
        farm = mp.Process(target=_serve, args=(args.feeds, args.item_every, t0, port_queue, served, stop))
        farm.start()
        port = port_queue.get(timeout=60)
        with Store(url) as store:
            for k in range(args.feeds):
                store.sources.add(Source(name=f"feed {k} ({kind_of(k)})", url=f"http://127.0.0.1:{port}/feed{k}.rss",
                                         kind=SourceKind.RSS, language="ru", interval_s=30))  # fmt: skip
        command = [sys.executable, "-m", "osiwire"]
        log = (tmp / "processes.log").open("wb")
        web_port = _free_port()
        procs.append(
            subprocess.Popen([*command, "serve", "--port", str(web_port)], env=env, stdout=log, stderr=log)
        )
        for _ in range(args.workers):
            procs.append(subprocess.Popen([*command, "worker", "--queues", "fetch,enrich,stories,alerts"], env=env,
                                          stdout=log, stderr=log))  # fmt: skip
        web = f"http://127.0.0.1:{web_port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(web + "/healthz", timeout=5).read()
                break
            except Exception:
                time.sleep(1)
        until = time.time() + args.minutes * 60
        loaded: Any = mp.Queue()
        with Store(url) as store:
            ids = [h.id for h in store.search("").hits]
        load = threading.Thread(target=_load, args=(web, args.rps, until, ids or [1], loaded), daemon=True)
        load.start()
        samples: dict[int, list[tuple[float, float, int]]] = {p.pid: [] for p in procs}
        while time.time() < until:
            for p in procs:
                if p.poll() is None:
                    rss, fds = _sample(p.pid)
                    samples[p.pid].append((time.time() - t0, rss, fds))
            time.sleep(10)
        ok, failed, errors = loaded.get(timeout=120)
        stop.set()  # no new items; the workers drain what they have
        urls: set[str] = set()
        while not served.empty():
            urls.add(served.get())
        deadline = time.time() + args.drain
        with Store(url) as store:
            from sqlalchemy import func, select

            from osiwire.store.schema import releases

            while time.time() < deadline:
                with store.db.reading() as conn:
                    stored = [r[0] for r in conn.execute(select(releases.c.url))]
                if urls <= set(stored):
                    break
                time.sleep(5)
            with store.db.reading() as conn:
                distinct = conn.execute(select(func.count(func.distinct(releases.c.url)))).scalar() or 0
        missing = len(urls - set(stored))
        duplicates = len(stored) - int(distinct)
        print(f"requests: {ok} answered, {failed} failed {errors}")
        print(f"items served in readable feeds: {len(urls)}; stored {len(stored)}; missing {missing}; "
              f"stored twice {duplicates}")  # fmt: skip
        worst_growth, fd_growth = 0.0, 0
        names = ["serve"] + [f"worker {i + 1}" for i in range(args.workers)]
        for name, p in zip(names, procs, strict=True):
            after = [s for s in samples[p.pid] if s[0] >= 60]
            if len(after) >= 2:
                growth = (after[-1][1] - after[0][1]) / after[0][1]
                worst_growth = max(worst_growth, growth)
                fd_growth = max(fd_growth, after[-1][2] - after[0][2])
                print(f"{name}: RSS {after[0][1]:.0f} → {after[-1][1]:.0f} MB ({growth:+.1%}), "
                      f"fds {after[0][2]} → {after[-1][2]}")  # fmt: skip
        print(json.dumps({"samples": {n: samples[p.pid] for n, p in zip(names, procs, strict=True)}})[:2000])
        print(
            f"RESULT minutes={args.minutes} feeds={args.feeds} requests={ok + failed} failed_requests={failed} "
            f"items={len(urls)} missing={missing} stored_twice={duplicates} rss_growth_max={worst_growth:.3f} "
            f"goal_rss_growth={GOAL_RSS_GROWTH} fd_growth_max={fd_growth}"
        )
    finally:
        stop_processes(procs)
        stop.set()
        cluster.close()


if __name__ == "__main__":
    main()
