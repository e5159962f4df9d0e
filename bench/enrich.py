"""Enrich throughput: mentions, people, participants, topics and countries of the 125 real kremlin.ru releases.

Each measurement runs in a fresh process pinned to ONE core with numpy's threads at 1 (models loaded
before the clock starts, caches cold): the enrich stage (``Enricher.enrich`` per article), the floor
set by the NER library alone, natasha's ``NewsNERTagger`` called once per release on the same text, and
the floor of the same model as the stage runs it (``osiwire.enrich.ner.NewsNER``, its spans natasha's),
called once per release on its paragraphs as the stage calls it (natasha's floor gets one joined text, and
a CRF over one long text steps token by token, so this floor is the fairer one for the stage). Reports releases/second, ratios, and each process's peak RSS.

    .venv/bin/python bench/enrich.py [--rounds 1]

Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RELEASES = ROOT.parent / "shared" / "data" / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
GOAL_RELEASES_PER_S = 25.0


def _one_core() -> None:
    # Before numpy loads: BLAS reads these once. threadpoolctl also limits it per call inside osiwire.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def load_articles() -> list[Any]:
    from osiwire.config import ExtractConfig
    from osiwire.extract.article import extract_article
    from osiwire.extract.language import get_detector
    from osiwire.model import RawDocument

    detector, cfg, now = get_detector(), ExtractConfig(), datetime.now(UTC)
    records = [json.loads(line) for line in RELEASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        extract_article(
            RawDocument(url=r["url"], fetched_at=now, text=r["text"], title=r["title"]), cfg, detector
        )
        for r in records
    ]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_stage(queue: Any) -> None:
    _one_core()
    from osiwire.enrich.enricher import Enricher, enrich_article
    from osiwire.model import Article, Segment

    articles = load_articles()
    enricher = Enricher()
    warm = Article(
        "about:warm-up", "", "ru", (Segment(0, "title", "Встреча в Москве", "ru"),), "", datetime.now(UTC)
    )
    enrich_article(warm, enricher)  # model load is start-up, not throughput
    start = time.perf_counter()
    results = [enrich_article(article, enricher) for article in articles]
    elapsed = time.perf_counter() - start
    counts = {
        "mentions": sum(len(r.mentions) for r in results),
        "people": sum(len(r.people) for r in results),
        "participants": sum(len(r.participants) for r in results),
        "topics": sum(len(r.topics) for r in results),
        "countries": sum(len(r.countries) for r in results),
    }
    chars = sum(len(s.text) for a in articles for s in a.segments)
    queue.put({"n": len(articles), "seconds": elapsed, "rss": _peak_rss_mb(), "chars": chars, **counts})


def measure_floor(queue: Any) -> None:
    _one_core()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from natasha import NewsEmbedding, NewsNERTagger
    from threadpoolctl import threadpool_limits

    texts = ["\n".join(s.text for s in article.segments) for article in load_articles()]
    tagger = NewsNERTagger(NewsEmbedding())
    with threadpool_limits(1):
        tagger("Встреча в Москве")
        start = time.perf_counter()
        spans = sum(len(tagger(text).spans) for text in texts)
        elapsed = time.perf_counter() - start
    queue.put({"n": len(texts), "seconds": elapsed, "rss": _peak_rss_mb(), "spans": spans})


def measure_model_floor(queue: Any) -> None:
    _one_core()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from natasha import NewsEmbedding, NewsNERTagger
    from threadpoolctl import threadpool_limits

    from osiwire.enrich.ner import NewsNER

    releases = [[s.text for s in article.segments if s.text.strip()] for article in load_articles()]
    ner = NewsNER(NewsNERTagger(NewsEmbedding()))
    with threadpool_limits(1):
        ner.spans(["Встреча в Москве"])
        start = time.perf_counter()
        spans = sum(len(found) for texts in releases for found in ner.spans(texts))
        elapsed = time.perf_counter() - start
    queue.put({"n": len(releases), "seconds": elapsed, "rss": _peak_rss_mb(), "spans": spans})


def run(target: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=target, args=(queue,))
    process.start()
    result: dict[str, Any] = queue.get(timeout=600)
    process.join(timeout=60)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=1, help="alternate floor and stage this many times; best kept"
    )
    args = parser.parse_args()
    stages, floors, models = [], [], []
    for _ in range(args.rounds):
        floors.append(run(measure_floor))
        models.append(run(measure_model_floor))
        stages.append(run(measure_stage))
    stage = min(stages, key=lambda r: r["seconds"])
    floor = min(floors, key=lambda r: r["seconds"])
    model = min(models, key=lambda r: r["seconds"])
    rate, floor_rate = stage["n"] / stage["seconds"], floor["n"] / floor["seconds"]
    model_rate = model["n"] / model["seconds"]
    print(f"{stage['n']} kremlin.ru releases, {stage['chars']:,} characters, one core, numpy threads 1")
    print(
        f"enrich stage: {stage['seconds']:.2f} s = {rate:.1f} releases/s; peak RSS {stage['rss']:.0f} MB; "
        f"{stage['mentions']} mentions, {stage['people']} people, {stage['participants']} participants, "
        f"{stage['topics']} topics, {stage['countries']} countries"
    )
    print(
        f"floor, natasha NER alone: {floor['seconds']:.2f} s = {floor_rate:.1f} releases/s; "
        f"peak RSS {floor['rss']:.0f} MB; {floor['spans']} spans"
    )
    print(
        f"floor, the same model as the stage runs it (enrich.ner.NewsNER on each release's paragraphs) alone: {model['seconds']:.2f} s = "
        f"{model_rate:.1f} releases/s; peak RSS {model['rss']:.0f} MB; {model['spans']} spans"
    )
    print(
        f"ratio stage/floor: {rate / floor_rate:.2f}; stage/model floor: {rate / model_rate:.2f}; goal {GOAL_RELEASES_PER_S:.0f} releases/s: "
        f"{'met' if rate >= GOAL_RELEASES_PER_S else 'MISSED'}"
    )
    print(
        f"RESULT releases={stage['n']} seconds={stage['seconds']:.2f} releases_per_s={rate:.1f} "
        f"ner_floor_per_s={floor_rate:.1f} ratio={rate / floor_rate:.2f} peak_rss_mb={stage['rss']:.0f} "
        f"floor_peak_rss_mb={floor['rss']:.0f} model_floor_per_s={model_rate:.1f} "
        f"model_floor_peak_rss_mb={model['rss']:.0f} goal_met={int(rate >= GOAL_RELEASES_PER_S)}"
    )


if __name__ == "__main__":
    main()
