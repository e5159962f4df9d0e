"""How search cost grows with the archive: the bare engine (tantivy) against the bare FTS5 floor, same documents.

For each --sizes N, builds N synthetic releases as bench/web.py builds them (the 125 real kremlin.ru releases,
then variants: a numbered title, "Выпуск n." and 2-6 of the base's paragraphs, dates spread over ten years,
five sources), as osiwire indexes them: each paragraph's lemma text made once by osiwire's Lemmatiser (the text
FTS5 and the engine get). Into a tantivy index of osiwire's layout (``store.engine.index.build_schema``) and, as
the baseline, an FTS5 table of today's definition. Then the 30 curated queries of bench/web.py, each warmed once
then timed (one thread, nothing around the library but the call):

- engine top-20 by bm25 (block-max WAND), with the ids read from the fast field;
- engine top-20 newest first (``sort_at`` fast field);
- engine every match with its score and id (what the search cache asked for until facets were sampled);
- engine capped: what the search cache reads now: every match up to ``EXACT_MAX`` (20,000), else the count and a
  deterministic sample of about ``SAMPLE_SIZE`` matches (for approximate facets; pages are the top-k above);
- FTS5 (baseline): bm25 over every match, as osiwire weighs it (today's floor of a first-time search).

    .venv/bin/python bench/search_scale.py [--sizes 100000,1000000] [--keep DIR]

Last line: ``RESULT key=value ...`` (per size: build rate, index size, medians/p95/max, ratios to FTS5).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import tantivy

from osiwire.store.engine.index import (
    BUCKETS,
    EXACT_MAX,
    SAMPLE_SIZE,
    TOKENIZER,
    _analyzer,
    _document,
    build_schema,
)
from osiwire.store.engine.queries import to_tantivy
from osiwire.store.query import parse_query, to_fts5
from osiwire.store.textindex import Lemmatiser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web import QUERIES, RELEASES, SOURCES  # bench/ is no package

FTS5_SQL = "SELECT rowid, -bm25(release_fts, 5.0, 1.0) FROM release_fts WHERE release_fts MATCH ?"
START = int(datetime(2015, 1, 1, tzinfo=UTC).timestamp())
TEN_YEARS_S = 10 * 365 * 24 * 3600
WRITER_HEAP = 512_000_000  # a bulk build's budget (the server's writer uses less)


def base_releases(lemmatiser: Lemmatiser) -> list[tuple[str, list[str]]]:
    """The real releases' (title lemmas, [paragraph lemmas]), lemmatised once."""
    bases = []
    with RELEASES.open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            paragraphs = [p for p in item["text"].split("\n") if p.strip()]
            bases.append(
                (lemmatiser.index_text(item["title"]), [lemmatiser.index_text(p) for p in paragraphs])
            )
    return bases


def documents(total: int, seed: int, lemmatiser: Lemmatiser):  # type: ignore[no-untyped-def]
    """(rid, sort_at, source, title lemmas, body lemmas) of ``total`` releases, as bench/web.py makes them."""
    bases = base_releases(lemmatiser)
    rng = random.Random(seed)
    for n in range(total):
        title, paragraphs = bases[n % len(bases)]
        if n < len(bases):
            yield n + 1, START + rng.randrange(TEN_YEARS_S), 1, title, " ".join(paragraphs)
            continue
        picked = rng.sample(paragraphs, min(len(paragraphs), rng.randint(2, 6))) if paragraphs else []
        body = " ".join([f"выпуск {n}", *picked])
        yield n + 1, START + rng.randrange(TEN_YEARS_S), n % len(SOURCES) + 1, f"{title} {n}", body


def build(directory: Path, total: int, seed: int, with_fts5: bool) -> dict[str, float]:
    """Both indexes of ``total`` releases (FTS5 only ``with_fts5``); build times and sizes."""
    lemmatiser = Lemmatiser()
    schema = build_schema()
    (directory / "tantivy").mkdir()
    index = tantivy.Index(schema, str(directory / "tantivy"), reuse=False)
    index.register_tokenizer(TOKENIZER, _analyzer())
    writer = index.writer(WRITER_HEAP, 2)
    conn = sqlite3.connect(directory / "fts.db")
    conn.execute(
        "CREATE VIRTUAL TABLE release_fts USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    engine_s = fts_s = 0.0
    batch: list[tuple[int, int, int, str, str]] = []

    def flush() -> None:
        nonlocal engine_s, fts_s
        started = time.perf_counter()
        for rid, sort_at, source, title, body in batch:
            writer.add_document(_document((rid, sort_at, source, "ru", title, body, None, None)))
        engine_s += time.perf_counter() - started
        if not with_fts5:
            batch.clear()
            return
        started = time.perf_counter()
        conn.executemany(
            "INSERT INTO release_fts (rowid, title, body) VALUES (?, ?, ?)",
            [(d[0], d[3], d[4]) for d in batch],
        )
        conn.commit()
        fts_s += time.perf_counter() - started
        batch.clear()

    for n, doc in enumerate(documents(total, seed, lemmatiser), 1):
        batch.append(doc)
        if len(batch) >= 10_000:
            flush()
            if n % 200_000 == 0:
                print(f"  {n:,} releases indexed", flush=True)
    flush()
    started = time.perf_counter()
    writer.commit()
    writer.wait_merging_threads()
    engine_s += time.perf_counter() - started
    index.reload()
    conn.close()
    size = sum(f.stat().st_size for f in (directory / "tantivy").iterdir() if f.is_file())
    return {
        "engine_build_s": engine_s,
        "engine_rate": total / engine_s,
        "engine_mb": size / 1e6,
        "fts5_build_s": fts_s,
        "fts5_mb": (directory / "fts.db").stat().st_size / 1e6 if with_fts5 else 0.0,
    }


def _time(call: Callable[[], object]) -> float:
    call()  # warm: measure CPU, not the page cache
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max": ordered[-1],
    }


def measure(directory: Path, with_fts5: bool) -> dict[str, dict[str, float]]:
    """Each curated query's latency on both indexes."""
    lemmatiser = Lemmatiser()
    schema = build_schema()
    index = tantivy.Index(schema, str(directory / "tantivy"), reuse=True)
    index.register_tokenizer(TOKENIZER, _analyzer())
    searcher = index.searcher()
    times: dict[str, list[float]] = {"top20": [], "newest20": [], "all": [], "capped": []} | (
        {"fts5": []} if with_fts5 else {}
    )
    matches = []
    with closing(sqlite3.connect(directory / "fts.db")) as conn:
        for text in QUERIES:
            query = parse_query(text, lemmatiser)
            compiled = to_tantivy(schema, query)

            def top(order: str | None = None, compiled: tantivy.Query = compiled) -> object:
                found = searcher.search(compiled, 20, count=True, order_by_field=order)
                return searcher.fast_field_values("rid", [a for _, a in found.hits]), found.count

            def every(compiled: tantivy.Query = compiled) -> object:
                count = searcher.search(compiled, 1, count=True).count
                if not count:
                    return []
                hits = searcher.search(compiled, count, count=False).hits
                return searcher.fast_field_values("rid", [a for _, a in hits]), [s for s, _ in hits]

            times["top20"].append(_time(top))
            times["newest20"].append(_time(lambda: top("sort_at")))

            def capped(compiled: tantivy.Query = compiled) -> object:
                first = searcher.search(compiled, 4096, count=True)  # as SearchIndex.matches_or_sample
                count = first.count
                if count <= 4096:
                    hits = first.hits
                elif count <= EXACT_MAX:
                    hits = searcher.search(compiled, count, count=False).hits
                else:
                    buckets = max(1, min(BUCKETS, -(-BUCKETS * SAMPLE_SIZE // count)))
                    drawn = tantivy.Query.range_query(
                        schema, "bucket", tantivy.FieldType.Integer, 0, buckets - 1
                    )
                    both = tantivy.Query.boolean_query(
                        [(tantivy.Occur.Must, compiled), (tantivy.Occur.Must, drawn)]
                    )
                    hits = searcher.search(both, count, count=False).hits
                return searcher.fast_field_values("rid", [a for _, a in hits]), [s for s, _ in hits]

            times["all"].append(_time(every))
            times["capped"].append(_time(capped))
            fts = to_fts5(query)
            if with_fts5:
                times["fts5"].append(_time(lambda fts=fts: conn.execute(FTS5_SQL, (fts,)).fetchall()))
            matches.append(searcher.search(compiled, 1, count=True).count)
    print(f"  matches per query: median {statistics.median(matches):,.0f}, max {max(matches):,}")
    return {name: _summary(values) for name, values in times.items()}


def _ratio(found: dict[str, dict[str, float]], name: str) -> float | str:
    """How many times faster than FTS5 (median), where FTS5 was measured in this run."""
    if "fts5" not in found:
        return "not_measured"
    return round(found["fts5"]["median"] / max(found[name]["median"], 1e-6), 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="releases per index, comma-separated")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--fts5-max",
        type=int,
        default=100_000,
        help="build the FTS5 baseline only up to this size (it indexes at ~400 releases/s on the shared machine)",
    )
    parser.add_argument("--keep", type=Path, help="build under DIR and keep the indexes")
    args = parser.parse_args()
    fields: dict[str, object] = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        root = (
            Path(tempfile.mkdtemp(prefix="osiwire-search-scale-"))
            if args.keep is None
            else args.keep / str(size)
        )
        root.mkdir(parents=True, exist_ok=True)
        try:
            print(f"{size:,} releases: building both indexes in {root} ...", flush=True)
            with_fts5 = size <= args.fts5_max
            built = build(root, size, args.seed, with_fts5)
            print(
                f"  tantivy {built['engine_build_s']:.1f} s ({built['engine_rate']:,.0f} releases/s), "
                f"{built['engine_mb']:,.0f} MB; "
                + (
                    f"FTS5 {built['fts5_build_s']:.1f} s, {built['fts5_mb']:,.0f} MB"
                    if with_fts5
                    else "no FTS5"
                ),
                flush=True,
            )
            found = measure(root, with_fts5)
            for name, summary in found.items():
                print(
                    f"  {name:9} median {summary['median']:7.2f} ms  p95 {summary['p95']:7.2f} ms  "
                    f"max {summary['max']:7.2f} ms",
                    flush=True,
                )
            k = f"{size // 1000}k"
            fields |= {
                f"{k}_engine_build_rate": round(built["engine_rate"]),
                f"{k}_engine_mb": round(built["engine_mb"]),
                **{
                    f"{k}_{name}_{stat}_ms": round(v, 2) for name, s in found.items() for stat, v in s.items()
                },
                f"{k}_top20_vs_fts5_median": _ratio(found, "top20"),
                f"{k}_all_vs_fts5_median": _ratio(found, "all"),
                f"{k}_capped_vs_fts5_median": _ratio(found, "capped"),
                f"{k}_all_over_capped_median": round(
                    found["all"]["median"] / max(found["capped"]["median"], 1e-6), 1
                ),
            }
        finally:
            if args.keep is None:
                shutil.rmtree(root, ignore_errors=True)
    print("RESULT " + " ".join(f"{k}={v}" for k, v in fields.items()))


if __name__ == "__main__":
    main()
