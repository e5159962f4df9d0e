"""Scale-out: releases/s and freshness with 1 and 2 worker processes on PostgreSQL, beside `osiwire run` on SQLite.

A feed farm on 127.0.0.1 (a separate process) serves N distinct variants of the 125 real kremlin.ru releases as
article pages behind F RSS feeds. Item i appears in its feed at t0 + i / RATE (``--rate 0``: all at t0, a burst
that measures capacity). Each configuration gets a fresh store and the same farm:

- ``sqlite``: `osiwire run --tick 1` (the in-process runner, its worker processes extracting and enriching);
- ``pg-1``, ``pg-2``: 1 or 2 `osiwire worker` processes (queues fetch, enrich, stories, alerts) on a throwaway
  PostgreSQL cluster on a Unix socket.

Every source is checked every ``--interval`` seconds (the scheduler looks every 10 s). A release counts when its
enrichment is stored (after which the search index follows within its 5 s commit interval); its freshness is
that time less the time its item appeared. Throughput: N over the time from t0 to the last release enriched.

    .venv/bin/python bench/scale.py [--releases 600] [--feeds 20] [--rate 0] [--configs sqlite,pg-1,pg-2]

Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the loopback site's pages and the throwaway PostgreSQL cluster

from ingest import _variant  # noqa: E402  (the same distinct variants of the real releases)
from pg import Cluster, postgres_bin  # noqa: E402
from site_server import article_page, load_releases, rss_feed  # noqa: E402

RELEASES = ROOT.parent / "shared" / "data" / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
FEED_WINDOW = 100  # entries a feed lists, newest first
GOAL_SPEEDUP = 1.8  # 2 workers against 1
GOAL_FRESH_P95_S = 60.0
QUEUES = "fetch,enrich,stories,alerts"


def _serve(total: int, feeds: int, rate: float, t0: float, port_queue: Any, stop: Any) -> None:
    records = load_releases(RELEASES)
    items = [_variant(records[i % len(records)], i) for i in range(total)]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{port}"
            body, kind = b"", "text/html; charset=utf-8"
            if self.path.startswith("/news/"):
                i = int(self.path.rsplit("/", 1)[1])
                body = article_page(items[i], base + self.path)
            elif self.path.startswith("/feed"):
                k = int(self.path[5:].split(".")[0])
                now = time.time()
                shown = [i for i in range(k, total, feeds) if rate <= 0 or t0 + i / rate <= now]
                newest = sorted(shown, reverse=True)[:FEED_WINDOW]
                body = rss_feed([(f"{base}/news/{i}", items[i]) for i in newest], base)
                kind = "application/rss+xml"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = int(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port_queue.put(port)
    stop.wait()
    server.shutdown()


def stop_processes(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each (workers finish their jobs), then wait; killed after a minute."""
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()


def _enriched(url: str, total: int, started: float, timeout: float) -> dict[str, float]:
    """release URL → when its enrichment was stored (epoch seconds), once all ``total`` are, or at the timeout."""
    from sqlalchemy import select

    from osiwire.store import Store
    from osiwire.store.schema import enrichments, releases, versions

    stmt = (
        select(releases.c.url, enrichments.c.enriched_at)
        .select_from(releases.join(versions, versions.c.release_id == releases.c.id))
        .join(enrichments, enrichments.c.version_id == versions.c.id)
    )
    with Store(url) as store:
        found: dict[str, float] = {}
        while time.time() - started < timeout:
            with store.db.reading() as conn:
                found = {row.url: row.enriched_at.timestamp() for row in conn.execute(stmt)}
            if len(found) >= total:
                break
            time.sleep(0.5)
        return found


def run_config(name: str, args: argparse.Namespace, cluster: Cluster | None) -> dict[str, float]:
    from osiwire.model import Source, SourceKind
    from osiwire.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        (data / "osiwire.toml").write_text(
            "[fetch]\nallow_private_addresses = true\nper_host_interval_s = 0\nconcurrency = 8\n"
            '[translate]\nengines = ["none"]\n',
            encoding="utf-8",
        )
        url = cluster.new_database() if cluster is not None else f"sqlite:///{data / 'osiwire.db'}"
        env = {**os.environ, "OSIWIRE_DATA_DIR": str(data), "OSIWIRE_DATABASE_URL": url}
        command = [sys.executable, "-m", "osiwire"]
        if name == "sqlite":
            procs = [subprocess.Popen([*command, "run", "--tick", "1"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)]  # fmt: skip
        else:
            workers = int(name.split("-")[1])
            procs = [subprocess.Popen([*command, "worker", "--queues", QUEUES], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL) for _ in range(workers)]  # fmt: skip
        time.sleep(args.warmup)  # processes start and load what they load before the clock
        t0 = time.time() + 1
        port_queue: Any = mp.Queue()
        stop = mp.Event()
        server = mp.Process(target=_serve, args=(args.releases, args.feeds, args.rate, t0, port_queue, stop))
        server.start()
        port = port_queue.get(timeout=60)
        with Store(url) as store:
            for k in range(args.feeds):
                store.sources.add(Source(name=f"feed {k}", url=f"http://127.0.0.1:{port}/feed{k}.rss",
                                         kind=SourceKind.RSS, language="ru", interval_s=args.interval))  # fmt: skip
        try:
            done = _enriched(url, args.releases, t0, args.timeout)
        finally:
            stop_processes(procs)
            stop.set()
            server.join(10)
        appeared = {f"http://127.0.0.1:{port}/news/{i}": t0 + (i / args.rate if args.rate > 0 else 0.0)
                    for i in range(args.releases)}  # fmt: skip
        fresh = sorted(at - appeared[u] for u, at in done.items() if u in appeared)
        span = max(done.values()) - t0 if done else float("inf")
        return {
            "releases": float(len(done)),
            "rel_s": len(done) / span if span > 0 else 0.0,
            "fresh_p50_s": statistics.median(fresh) if fresh else float("inf"),
            "fresh_p95_s": fresh[int(0.95 * (len(fresh) - 1))] if fresh else float("inf"),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=600)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--rate", type=float, default=0.0, help="items appearing per second (0: all at once)")
    parser.add_argument("--interval", type=int, default=5, help="seconds between checks of a source")
    parser.add_argument("--configs", default="sqlite,pg-1,pg-2")
    parser.add_argument("--warmup", type=float, default=8.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    cluster = None
    if any(c.startswith("pg-") for c in configs):
        bin_dir = postgres_bin()
        if bin_dir is None:
            sys.exit(
                "bench/scale.py: PostgreSQL's server programs are missing (Debian: apt-get install postgresql)"
            )
        cluster = Cluster(bin_dir)
        cluster.prepare_template()
    results: dict[str, dict[str, float]] = {}
    try:
        for name in configs:
            results[name] = run_config(name, args, cluster if name.startswith("pg-") else None)
            r = results[name]
            print(f"{name:7} {r['releases']:.0f}/{args.releases} releases  {r['rel_s']:6.1f} rel/s  "
                  f"freshness p50 {r['fresh_p50_s']:6.1f} s  p95 {r['fresh_p95_s']:6.1f} s", flush=True)  # fmt: skip
    finally:
        if cluster is not None:
            cluster.close()
    print(
        f"{datetime.now(UTC).isoformat(timespec='seconds')}  cores: {os.cpu_count()}  rate: {args.rate or 'burst'}"
    )
    fields = [f"releases={args.releases}", f"rate={args.rate}"]
    for name, r in results.items():
        key = name.replace("-", "")
        fields += [f"{key}_rel_s={r['rel_s']:.2f}", f"{key}_fresh_p95_s={r['fresh_p95_s']:.1f}"]
    if "pg-1" in results and "pg-2" in results and results["pg-1"]["rel_s"] > 0:
        speedup = results["pg-2"]["rel_s"] / results["pg-1"]["rel_s"]
        fields += [f"pg2_over_pg1={speedup:.2f}", f"goal_speedup={GOAL_SPEEDUP}"]
    if "sqlite" in results and "pg-2" in results and results["sqlite"]["rel_s"] > 0:
        fields.append(f"pg2_over_sqlite={results['pg-2']['rel_s'] / results['sqlite']['rel_s']:.2f}")
    fields.append(f"goal_fresh_p95_s={GOAL_FRESH_P95_S}")
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    main()
