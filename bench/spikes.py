"""Spike questions against archives of different sizes: their cost follows the releases of the window and its
baseline, not the archive.

Two stores (SQLite files, written by direct inserts: releases, their current versions and one to three topics
each) share the same recent two weeks (``--recent-per-day`` releases a day, 40 topics, one of them bursting in
the last hours) and differ in their older history (``--small`` and ``--large`` releases spread over the two years
before). In each store, timed: ``find_spikes`` over the last day for every topic (what ``/api/v1/spikes`` does)
and a spike rule's check of one new release (what an alert rule of kind ``spike`` costs a stored release).

    .venv/bin/python bench/spikes.py [--small 10000] [--large 300000] [--recent-per-day 300] [--repeat 5]

Last line: ``RESULT key=value ...`` with ``large_over_small`` ratios (1.0: the archive's size does not matter).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from osiwire.alerts.facts import ReleaseFacts  # noqa: E402
from osiwire.alerts.rules import SpikeWatch  # noqa: E402
from osiwire.alerts.watches import SpikeMatcher  # noqa: E402
from osiwire.publish.spikes import find_spikes  # noqa: E402
from osiwire.store import Store  # noqa: E402
from osiwire.store.schema import release_topics, releases, sources, versions  # noqa: E402
from osiwire.stories.spikes import SpikeRule  # noqa: E402

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
TOPICS = [f"topic-{n}" for n in range(40)]
SOURCES = 12
BATCH = 5000


def _rows(
    n: int, start: datetime, end: datetime, first_id: int, rng: random.Random, burst: bool
) -> list[dict]:
    span = (end - start).total_seconds()
    out = []
    for i in range(n):
        at = start + timedelta(seconds=rng.random() * span)
        topics = rng.sample(TOPICS[1:], rng.randint(1, 3))
        out.append({"id": first_id + i, "at": at, "source": 1 + rng.randrange(SOURCES), "topics": topics})
    if burst:  # the last three hours: topic-0 from every source
        for j in range(40):
            at = end - timedelta(minutes=rng.randrange(170))
            out.append({"id": first_id + n + j, "at": at, "source": 1 + j % SOURCES, "topics": [TOPICS[0]]})
    return out


def build(path: Path, older: int, recent_per_day: int, seed: int = 7) -> Store:
    rng = random.Random(seed)
    store = Store(f"sqlite:///{path}")
    old = _rows(older, NOW - timedelta(days=730), NOW - timedelta(days=14), 1, rng, burst=False)
    recent = _rows(
        recent_per_day * 14, NOW - timedelta(days=14), NOW, older + 1, random.Random(seed + 1), True
    )
    with store.db.writing() as conn:
        conn.execute(sources.insert(), [
            {"id": s, "name": f"source {s}", "url": f"https://s{s}.example/feed", "kind": "rss", "created_at": NOW}
            for s in range(1, SOURCES + 1)
        ])  # fmt: skip
        rows = old + recent
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            conn.execute(releases.insert(), [
                {"id": r["id"], "url": f"https://x.example/{r['id']}", "source_id": r["source"],
                 "first_seen_at": r["at"], "last_seen_at": r["at"], "title": "t", "published": r["at"],
                 "sort_at": r["at"], "language": "ru", "content_hash": str(r["id"]), "version_count": 1}
                for r in chunk
            ])  # fmt: skip
            conn.execute(versions.insert(), [
                {"id": r["id"], "release_id": r["id"], "version_no": 1, "content_hash": str(r["id"]), "title": "t",
                 "published": r["at"], "language": "ru", "fetched_at": r["at"]}
                for r in chunk
            ])  # fmt: skip
            conn.execute(release_topics.insert(), [
                {"version_id": r["id"], "topic": t, "label": t, "evidence": "[]"} for r in chunk for t in r["topics"]
            ])  # fmt: skip
    return store


def _median_ms(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure(store: Store, repeat: int) -> tuple[float, float, int]:
    rule = SpikeRule()
    found: list[object] = []

    def spikes() -> None:
        found[:] = find_spikes(store, ("topic",), NOW - timedelta(days=1), NOW, rule)

    newest = store.volumes.span()
    assert newest is not None
    with store.db.reading() as conn:
        last = conn.execute(releases.select().order_by(releases.c.sort_at.desc()).limit(1)).first()
    assert last is not None
    facts = ReleaseFacts(last.id, 1, last.url, "t", "", last.published, last.sort_at, "ru", last.source_id,
                         "", "", "", True)  # fmt: skip
    matcher = SpikeMatcher(SpikeWatch(of="topic"), store, rule, None)
    spikes_ms = _median_ms(spikes, repeat)
    check_ms = _median_ms(lambda: matcher.reason(facts), repeat)
    return spikes_ms, check_ms, len(found)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=300_000)
    parser.add_argument("--recent-per-day", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, older in (("small", args.small), ("large", args.large)):
            t0 = time.perf_counter()
            store = build(Path(tmp) / f"{name}.sqlite", older, args.recent_per_day)
            built = time.perf_counter() - t0
            spikes_ms, check_ms, found = measure(store, args.repeat)
            store.close()
            results[name] = (spikes_ms, check_ms)
            print(f"{name}: {older:,} older releases + {args.recent_per_day * 14:,} recent (built in {built:.1f} s); "
                  f"spikes of the last day {spikes_ms:.1f} ms ({found} found), one release's check {check_ms:.2f} ms")  # fmt: skip
    ratio_spikes = results["large"][0] / results["small"][0]
    ratio_check = results["large"][1] / results["small"][1]
    print(
        f"RESULT small={args.small} large={args.large} spikes_small_ms={results['small'][0]:.1f} "
        f"spikes_large_ms={results['large'][0]:.1f} spikes_large_over_small={ratio_spikes:.2f} "
        f"check_small_ms={results['small'][1]:.2f} check_large_ms={results['large'][1]:.2f} "
        f"check_large_over_small={ratio_check:.2f}"
    )


if __name__ == "__main__":
    main()
