"""The stories stage (duplicates + clustering) against an archive of N releases already stored.

The archive: ``--stored`` releases in an SQLite file. Of them, the 125 kremlin.ru releases and ``--copies``
rewritten copies of each (tests/story_variants.py: boilerplate swapped, paragraphs reordered, 5-15 % of words
changed) are read by the stage itself; the rest are filler written straight into the tables with random MinHash
signatures (their band keys, fingerprints and release rows as the stage writes them) and times older than the
story window: the index the lookups search is the full size, the filler shares no band by design (a real archive's
boilerplate would add candidates: each lookup verifies at most 50). Then ``--new`` fresh copies of the kremlin
releases (a known share are copies of stored ones: all of them, by construction; the rest of the story work is
clustering) go through ``Storying.place`` one by one, timed each.

Reports releases/s, p50/p99 ms per release, peak RSS, and the floor: the MinHash of the same texts alone (lemmas,
shingles, signature), as a ratio. Timings on a shared, busy machine: compare ratios within one run.

    .venv/bin/python bench/stories.py [--stored N] [--new M] [--copies K]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
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
from osiwire.stories.text import text_features  # noqa: E402
from osiwire.storying import Storying  # noqa: E402
from story_variants import Release, load_kremlin, variant, vocabulary  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
FILL_BATCH = 20_000
T0 = datetime(2025, 2, 1, tzinfo=UTC)


def _article(url: str, release: Release, at: datetime) -> Article:
    segments = (Segment(0, "title", release.title, "ru"), Segment(1, "paragraph", release.text, "ru"))
    digest = hashlib.sha256(f"{release.title}\n{release.text}".encode()).hexdigest()
    return Article(url, release.title, "ru", segments, digest, at, at)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def fill(path: Path, count: int, start_id: int) -> None:
    """Filler releases with random fingerprints, written as the stage writes them (old: outside the window)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    rng = np.random.default_rng(1)
    old = _stamp(T0 - timedelta(days=400))
    for base in range(start_id, start_id + count, FILL_BATCH):
        n = min(FILL_BATCH, start_id + count - base)
        ids = range(base, base + n)
        sigs = rng.integers(0, 2**32, size=(n, minhash.PERMUTATIONS), dtype=np.uint64).astype(np.uint32)
        conn.executemany(
            "INSERT INTO releases (id, url, source_id, first_seen_at, last_seen_at, title, published, sort_at, "
            "language, author, content_hash, version_count) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, 'ru', '', ?, 1)",
            [(i, f"https://filler.example/{i}", old, old, f"filler {i}", old, old, f"{i:064x}") for i in ids],
        )
        conn.executemany(
            "INSERT INTO release_stories (release_id, story_id, duplicate_of, score, at, clamped, text_hash, "
            "signature, shingles, numbers) VALUES (?, ?, NULL, 0, ?, 0, ?, ?, 300, '')",
            [(i, i, old, f"{i:064x}", minhash.to_bytes(sigs[k])) for k, i in enumerate(ids)],
        )
        conn.executemany(
            "INSERT INTO story_bands (band_key, release_id) VALUES (?, ?)",
            [(key, i) for k, i in enumerate(ids) for key in minhash.band_keys(sigs[k])],
        )
        conn.executemany(
            "INSERT INTO stories (id, title, founder_id, first_at, last_at, size, merged_into, state) "
            "VALUES (?, ?, ?, ?, ?, 1, NULL, '{}')",
            [(i, f"filler {i}", i, old, old) for i in ids],
        )
        conn.commit()
        print(f"  filled {base + n - start_id:,}/{count:,}", file=sys.stderr)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=500)
    parser.add_argument(
        "--copies", type=int, default=2, help="stored rewritten copies of each kremlin release"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    kremlin = load_kremlin(SHARED)
    vocab = vocabulary(kremlin)
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stories.db"
        store = Store(f"sqlite:///{path}")
        stage = Storying(store)
        real: list[tuple[Article, datetime]] = []
        for i, release in enumerate(kremlin):
            at = T0 + timedelta(hours=6 * i)
            real.append((_article(release.url, release, at), at))
            for c in range(args.copies):
                copy = variant(release, vocab, 1000 * c + i)
                real.append(
                    (_article(copy.url, copy, at + timedelta(minutes=10 + c)), at + timedelta(minutes=10 + c))
                )
        ids = [r.release_id for r in store.releases.save_many([a for a, _ in real])]
        for (article, at), release_id in zip(real, ids, strict=True):
            stage.place(article, release_id, at)
        filler = max(0, args.stored - len(real))
        start = time.perf_counter()
        fill(path, filler, max(ids) + 1)
        fill_s = time.perf_counter() - start
        store.close()

        store = Store(f"sqlite:///{path}")
        stage = Storying(store)
        fresh: list[tuple[Article, datetime]] = []
        for n in range(args.new):
            i = rng.randrange(len(kremlin))
            copy = variant(kremlin[i], vocab, 50_000 + n)
            at = T0 + timedelta(hours=6 * i, minutes=30 + n % 60)
            fresh.append((_article(f"{copy.url}-new{n}", copy, at), at))
        fresh_ids = [r.release_id for r in store.releases.save_many([a for a, _ in fresh])]
        times = []
        duplicates = 0
        for (article, at), release_id in zip(fresh, fresh_ids, strict=True):
            t = time.perf_counter()
            placed = stage.place(article, release_id, at)
            times.append(time.perf_counter() - t)
            duplicates += placed is not None and placed.duplicate_of is not None
        total = sum(times)
        lemmatiser = store.lemmatiser
        t = time.perf_counter()
        for article, _ in fresh:
            fingerprint(text_features(article.body, lemmatiser))
        floor = time.perf_counter() - t
        store.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ms = np.array(times) * 1000
    rate = len(times) / total
    print(f"stored {args.stored:,} (filler written in {fill_s:.0f} s); {len(times)} new releases, "
          f"{duplicates} found as copies of stored ones")  # fmt: skip
    print(
        f"RESULT stored={args.stored} new={len(times)} releases_s={rate:.0f} p50_ms={np.percentile(ms, 50):.1f} "
        f"p99_ms={np.percentile(ms, 99):.1f} peak_rss_mb={rss_mb:.0f} duplicates_found={duplicates / len(times):.3f} "
        f"minhash_floor_s={len(times) / floor:.0f} stage_vs_floor={total / floor:.2f}"
    )


if __name__ == "__main__":
    main()
