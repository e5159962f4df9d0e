"""The stories stage (duplicates + clustering) with N releases already stored.

The archive (built once, kept under ``--data-dir``; each run works on a fresh copy of it):

- the kremlin.ru releases but every HELD_OUT-th, and ``--copies`` rewritten copies of each
  (tests/story_variants.py: boilerplate swapped, paragraphs reordered, 5-15 % of words changed), read by the
  stage itself, in the story window;
- filler up to ``--stored``: synthetic releases written straight into the tables as the stage writes them, older
  than the window, in groups that are one story each (sizes 1..MAX_GROUP, geometric): the group's first release
  is its original, each other member a near duplicate of it (DUPLICATE_SHARE of them: the original's MinHash
  signature with DUPLICATE_NOISE of its values redrawn, J ~0.85) or another report of the story (STORY_NOISE
  redrawn, J ~0.15: a band or two in common). So the band table holds the keys a real archive would: most
  unique, some shared by a few releases.
- ``--new`` fresh releases, stored (not read yet): rewritten copies of random kremlin releases, a known share of
  them copies of stored releases (those of a release held out of the archive are new stories).

A run times, as the pipeline runs the stage: each fresh release's store-free part (``prepare_story``: lemmas,
fingerprint, band keys, features; the pipeline's worker processes do it), then the stage in the main process
(``Storying.place`` with it: index lookups, clustering, writes in batches of ``--batch`` as the pipeline's store
batches, the write counted on the release that ends a batch). Reports the main process's releases/s, p50/p99
ms per release, the prepare rate (per core), the whole stage on one core, peak RSS of the run, and the floor:
the MinHash of the same texts alone (lemmas, shingles, signature), as a ratio. Timings on a shared, busy
machine: compare ratios within one run.

    .venv/bin/python bench/stories.py [--stored N] [--new M] [--copies K] [--batch B] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from osiwire.model import Article, Segment  # noqa: E402
from osiwire.store import Store  # noqa: E402
from osiwire.stories import minhash  # noqa: E402
from osiwire.stories.duplicates import fingerprint  # noqa: E402
from osiwire.stories.prepared import prepare_story  # noqa: E402
from osiwire.stories.text import text_features  # noqa: E402
from osiwire.storying import Storying  # noqa: E402
from story_variants import Release, load_kremlin, variant, vocabulary  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
FILL_BATCH = 50_000
T0 = datetime(2025, 2, 1, tzinfo=UTC)
HELD_OUT = 5  # every 5th kremlin release is not stored: its fresh copies start new stories
MAX_GROUP = 12
DUPLICATE_SHARE = 0.5
DUPLICATE_NOISE = 0.15
STORY_NOISE = 0.85
BUILD_VERSION = 2  # bump when the archive's recipe changes: an older archive is built again


def _article(url: str, release: Release, at: datetime) -> Article:
    segments = (Segment(0, "title", release.title, "ru"), Segment(1, "paragraph", release.text, "ru"))
    digest = hashlib.sha256(f"{release.title}\n{release.text}".encode()).hexdigest()
    return Article(url, release.title, "ru", segments, digest, at, at)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _groups(rng: np.random.Generator, count: int) -> list[int]:
    sizes: list[int] = []
    while sum(sizes) < count:
        sizes.append(int(min(MAX_GROUP, rng.geometric(0.45))))
    sizes[-1] -= sum(sizes) - count
    return [s for s in sizes if s > 0]


def fill(path: Path, count: int, start_id: int) -> dict[str, int]:
    """Filler releases in story groups (see the module docstring), older than the story window."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    conn.execute("CREATE TEMP TABLE fill_bands (band_key INTEGER, release_id INTEGER)")
    rng = np.random.default_rng(1)
    sizes = _groups(rng, count)
    duplicates = stories = 0
    release_id = start_id
    pending: list[tuple[int, int, int | None, np.ndarray]] = []  # (id, story, original, signature)

    def write() -> None:
        if not pending:
            return
        sigs = np.stack([p[3] for p in pending])
        keys = minhash.band_key_matrix(sigs)
        at = [_stamp(T0 - timedelta(days=400, minutes=i)) for i, *_ in pending]
        conn.executemany(
            "INSERT INTO releases (id, url, source_id, first_seen_at, last_seen_at, title, published, sort_at, "
            "language, author, content_hash, version_count) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, 'ru', '', ?, 1)",
            [
                (i, f"https://filler.example/{i}", t, t, f"filler {i}", t, t, f"{i:064x}")
                for (i, *_), t in zip(pending, at, strict=True)
            ],
        )
        conn.executemany(
            "INSERT INTO release_stories (release_id, story_id, duplicate_of, score, at, clamped, text_hash, "
            "signature, shingles, numbers) VALUES (?, ?, ?, 0.5, ?, 0, ?, ?, 300, '')",
            [
                (i, story, original, t, f"{i:064x}", minhash.to_bytes(sig))
                for (i, story, original, sig), t in zip(pending, at, strict=True)
            ],
        )
        conn.executemany(
            "INSERT INTO fill_bands VALUES (?, ?)",
            ((int(k), p[0]) for p, row in zip(pending, keys, strict=True) for k in row),
        )
        pending.clear()

    for size in sizes:
        base = rng.integers(0, 2**32, size=minhash.PERMUTATIONS, dtype=np.uint64).astype(np.uint32)
        story = release_id
        old = _stamp(T0 - timedelta(days=400, minutes=story))
        conn.execute(
            "INSERT INTO stories (id, title, founder_id, first_at, last_at, size, merged_into, state) "
            "VALUES (?, ?, ?, ?, ?, ?, NULL, '{}')",
            (story, f"filler {story}", story, old, old, size),
        )
        stories += 1
        for member in range(size):
            sig, original = base, None
            if member:
                duplicate = rng.random() < DUPLICATE_SHARE
                noise = DUPLICATE_NOISE if duplicate else STORY_NOISE
                sig = base.copy()
                redraw = rng.random(minhash.PERMUTATIONS) < noise
                sig[redraw] = rng.integers(0, 2**32, size=int(redraw.sum()), dtype=np.uint64).astype(
                    np.uint32
                )
                if duplicate:
                    original, duplicates = story, duplicates + 1
            pending.append((release_id, story, original, sig))
            release_id += 1
        if len(pending) >= FILL_BATCH:
            write()
            print(f"  filled {release_id - start_id:,}/{count:,}", file=sys.stderr)
    write()
    print("  sorting band keys into the index", file=sys.stderr)
    conn.execute("INSERT INTO story_bands SELECT band_key, release_id FROM fill_bands ORDER BY 1, 2")
    conn.commit()
    conn.close()
    return {"filler": count, "filler_duplicates": duplicates, "filler_stories": stories}


def _kremlin_stream(kremlin: list[Release], copies: int) -> list[tuple[Article, datetime]]:
    vocab = vocabulary(kremlin)
    out = []
    for i, release in enumerate(kremlin):
        if i % HELD_OUT == HELD_OUT - 1:
            continue
        at = T0 + timedelta(hours=6 * i)
        out.append((_article(release.url, release, at), at))
        for c in range(copies):
            copy = variant(release, vocab, 1000 * c + i)
            copy_at = at + timedelta(minutes=10 + c)
            out.append((_article(copy.url, copy, copy_at), copy_at))
    return out


def _fresh(kremlin: list[Release], count: int) -> list[tuple[Article, datetime, bool]]:
    """(article, time, copies a stored release) of the releases timed."""
    vocab = vocabulary(kremlin)
    rng = random.Random(3)
    out = []
    for n in range(count):
        i = rng.randrange(len(kremlin))
        copy = variant(kremlin[i], vocab, 50_000 + n)
        at = T0 + timedelta(hours=6 * i, minutes=30 + n % 60)
        out.append((_article(f"{copy.url}-new{n}", copy, at), at, i % HELD_OUT != HELD_OUT - 1))
    return out


def build(path: Path, stored: int, new: int, copies: int) -> None:
    """The archive (see the module docstring); its description beside it as JSON."""
    kremlin = load_kremlin(SHARED)
    start = time.perf_counter()
    store = Store(f"sqlite:///{path}")
    stage = Storying(store)
    real = _kremlin_stream(kremlin, copies)
    ids = [r.release_id for r in store.releases.save_many([a for a, _ in real])]
    with stage.batched():
        for (article, at), release_id in zip(real, ids, strict=True):
            stage.place(article, release_id, at)
    store.close()
    facts = fill(path, max(0, stored - len(real)), max(ids) + 1)
    store = Store(f"sqlite:///{path}")
    fresh = _fresh(kremlin, new)
    fresh_ids = [r.release_id for r in store.releases.save_many([a for a, _, _ in fresh])]
    store.close()
    meta = {
        "version": BUILD_VERSION,
        "stored": stored,
        "new": new,
        "copies": copies,
        "read_by_stage": len(real),
        **facts,
        "fresh_ids": fresh_ids,
        "build_s": round(time.perf_counter() - start, 1),
    }
    path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")


def archive(data_dir: Path, stored: int, new: int, copies: int) -> tuple[Path, dict[str, object]]:
    path = data_dir / f"stories-{stored}-{new}-{copies}.db"
    meta_path = path.with_suffix(".json")
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("version") == BUILD_VERSION:
            return path, meta
    path.unlink(missing_ok=True)
    print(f"building the archive {path} (once)", file=sys.stderr)
    # In a process of its own: the run's peak RSS is the run's.
    process = multiprocessing.get_context("spawn").Process(target=build, args=(path, stored, new, copies))
    process.start()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"building {path} failed (exit {process.exitcode})")
    return path, json.loads(meta_path.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument(
        "--copies", type=int, default=2, help="stored rewritten copies of each kremlin release"
    )
    parser.add_argument(
        "--batch", type=int, default=50, help="places written together (pipeline: SAVE_BATCH)"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="where the archive is kept between runs (default: a temp dir)"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.data_dir is not None:
        args.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.data_dir) as tmp:
        data_dir = args.data_dir or Path(tmp)
        path, meta = archive(data_dir, args.stored, args.new, args.copies)
        run_path = Path(tmp) / "run.db"
        t = time.perf_counter()
        shutil.copyfile(path, run_path)
        copy_s = time.perf_counter() - t
        kremlin = load_kremlin(SHARED)
        fresh = _fresh(kremlin, args.new)
        fresh_ids = list(meta["fresh_ids"])  # type: ignore[call-overload]
        store = Store(f"sqlite:///{run_path}")
        lemmatiser = store.lemmatiser
        for article, _, _ in fresh[:50]:  # warm: models and caches load once per process
            fingerprint(text_features(article.body, lemmatiser))

        t = time.perf_counter()
        prepared = [prepare_story(article, lemmatiser) for article, _, _ in fresh]
        prepare_s = time.perf_counter() - t
        t = time.perf_counter()
        for article, _, _ in fresh:
            fingerprint(text_features(article.body, lemmatiser))
        floor_s = time.perf_counter() - t

        stage = Storying(store)
        t = time.perf_counter()
        open_stories = len(stage.clusterer.open)
        load_s = time.perf_counter() - t
        times: list[float] = []
        duplicates = expected = 0
        for start in range(0, len(fresh), args.batch):
            with stage.batched():
                for n in range(start, min(start + args.batch, len(fresh))):
                    article, at, copies_stored = fresh[n]
                    t = time.perf_counter()
                    placed = stage.place(article, fresh_ids[n], at, prepared=prepared[n])
                    times.append(time.perf_counter() - t)
                    duplicates += placed is not None and placed.duplicate_of is not None
                    expected += copies_stored
                t = time.perf_counter()
            times[-1] += time.perf_counter() - t  # the batch's write
        store.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ms = np.array(times) * 1000
    total = float(ms.sum()) / 1000
    rate = len(times) / total
    prepare_rate = len(fresh) / prepare_s
    one_core = 1 / (1 / rate + 1 / prepare_rate)
    floor_rate = len(fresh) / floor_s
    print(
        f"archive: {meta['stored']:,} stored ({meta['read_by_stage']} read by the stage, {meta['filler']:,} filler "
        f"in {meta['filler_stories']:,} stories, {meta['filler_duplicates']:,} of them duplicates; built in "
        f"{meta['build_s']} s, copied for this run in {copy_s:.1f} s); open stories loaded in {load_s * 1000:.0f} ms: "
        f"{open_stories}"
    )
    print(
        f"{len(times)} new releases: {duplicates} found as copies ({expected} copy a stored release by construction;"
        f" copies of each other count too)"
    )
    print(
        f"main process (lookups, clustering, writes): {rate:.0f} releases/s, p50 {np.percentile(ms, 50):.2f} ms, "
        f"p99 {np.percentile(ms, 99):.2f} ms; prepare (worker side): {prepare_rate:.0f}/s per core; whole stage on "
        f"one core: {one_core:.0f}/s; MinHash floor: {floor_rate:.0f}/s"
    )
    print(
        f"RESULT stored={meta['stored']} new={len(times)} releases_s={rate:.0f} p50_ms={np.percentile(ms, 50):.2f} "
        f"p99_ms={np.percentile(ms, 99):.2f} peak_rss_mb={rss_mb:.0f} prepare_per_s={prepare_rate:.0f} "
        f"one_core_per_s={one_core:.0f} minhash_floor_per_s={floor_rate:.0f} main_vs_floor={rate / floor_rate:.2f} "
        f"one_core_vs_floor={one_core / floor_rate:.2f} duplicates_found={duplicates} copies_of_stored={expected}"
    )


if __name__ == "__main__":
    main()
