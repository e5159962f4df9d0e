"""What quotations cost the enrich stage: the stage with and without ``enrich.quotes`` on the 125 kremlin.ru releases.

One fresh process pinned to ONE core with numpy's threads at 1 (as bench/enrich.py), models loaded and one pass
run before the clock starts; then the stage without quotes (the baseline: ``find_quotes`` answering nothing) and
with them, alternated ``--rounds`` times, the best of each kept; and ``find_quotes`` alone on the stage's own
mentions and people. Reports releases/second, the ratio with/without, and the issue's floor (25 releases/s).

    .venv/bin/python bench/quotes.py [--rounds 3]

Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from enrich import GOAL_RELEASES_PER_S, _one_core, load_articles


def measure(queue: Any, rounds: int) -> None:
    _one_core()
    from osiwire.enrich.enricher import Enricher
    from osiwire.enrich.quotes import find_quotes

    articles = load_articles()
    with_quotes = Enricher()
    without = Enricher(
        lemmas=with_quotes.lemmas, registry=with_quotes.registry, find_quotes=lambda *args, **kwargs: []
    )
    results = [with_quotes.enrich(a) for a in articles]  # warm: models, name caches, morphology
    [without.enrich(a) for a in articles]
    base, full = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        for article in articles:
            without.enrich(article)
        base.append(time.perf_counter() - start)
        start = time.perf_counter()
        for article in articles:
            with_quotes.enrich(article)
        full.append(time.perf_counter() - start)
    start = time.perf_counter()
    for article, found in zip(articles, results, strict=True):
        find_quotes(article.segments, found.mentions, found.people, participants=found.participants)
    alone = time.perf_counter() - start
    queue.put(
        {
            "n": len(articles),
            "base": min(base),
            "full": min(full),
            "alone": alone,
            "quotes": sum(len(r.quotes) for r in results),
            "turns": sum(1 for r in results for q in r.quotes if q.kind == "turn"),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternations of baseline and stage; best kept")
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=measure, args=(queue, args.rounds))
    process.start()
    r: dict[str, Any] = queue.get(timeout=1200)
    process.join(timeout=60)
    n = r["n"]
    base_rate, full_rate, alone_rate = n / r["base"], n / r["full"], n / r["alone"]
    print(f"{n} kremlin.ru releases, one core, numpy threads 1, best of {args.rounds}")
    print(f"enrich stage without quotes (baseline): {r['base']:.2f} s = {base_rate:.1f} releases/s")
    print(
        f"enrich stage with quotes: {r['full']:.2f} s = {full_rate:.1f} releases/s "
        f"({r['quotes']} quotes, {r['turns']} of them transcript turn pieces)"
    )
    print(f"find_quotes alone: {r['alone']:.3f} s = {alone_rate:.0f} releases/s")
    print(
        f"ratio with/without: {full_rate / base_rate:.3f}; goal {GOAL_RELEASES_PER_S:.0f} releases/s: "
        f"{'met' if full_rate >= GOAL_RELEASES_PER_S else 'MISSED'}"
    )
    print(
        f"RESULT releases={n} base_per_s={base_rate:.1f} quotes_per_s={full_rate:.1f} "
        f"ratio={full_rate / base_rate:.3f} find_quotes_alone_per_s={alone_rate:.0f} quotes={r['quotes']} "
        f"goal_met={int(full_rate >= GOAL_RELEASES_PER_S)}"
    )


if __name__ == "__main__":
    main()
