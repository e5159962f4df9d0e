"""MinHash libraries over the same lemma shingles: numpy (osiwire's own, stories/minhash.py), datasketch, rensa.

Every library gets the same input, the 3-lemma shingles of the 125 kremlin.ru releases (hashed once to 64 bits
by stories/text.py, outside the timing), and computes 128-permutation signatures one text at a time, as the
stories stage does on arrival. Also checks each library's Jaccard estimates against the exact Jaccard of the
shingle sets over text pairs (mean absolute error). Needs ``pip install datasketch rensa`` (not osiwire's
dependencies: this script is how the choice was made).

    .venv/bin/python bench/minhash.py [--repeat N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from osiwire.store.textindex import Lemmatiser  # noqa: E402
from osiwire.stories import minhash  # noqa: E402
from osiwire.stories.text import shingle_hashes, text_features  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def texts() -> list[str]:
    path = SHARED / "press/kremlin-ru/releases-2025-02-03.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import datasketch
    import rensa

    lemmatiser = Lemmatiser()
    shingles = [shingle_hashes(text_features(t, lemmatiser).lemmas) for t in texts()]
    as_lists = [[int(x) for x in s] for s in shingles]
    low32 = [[x & 0xFFFFFFFF for x in s] for s in as_lists]

    def run_numpy() -> list[np.ndarray]:
        return [minhash.signature(s) for s in shingles]

    def run_datasketch() -> list[np.ndarray]:
        out = []
        for s in low32:
            m = datasketch.MinHash(num_perm=minhash.PERMUTATIONS, seed=1, hashfunc=lambda x: x)
            m.update_batch(s)
            out.append(m.hashvalues)
        return out

    def run_rensa() -> list[np.ndarray]:
        return [
            np.array(rensa.CMinHash.digests64_from_token_hash_sets([s], minhash.PERMUTATIONS, 1)[0])
            for s in as_lists
        ]

    results: dict[str, float] = {}
    errors: dict[str, float] = {}
    pairs = list(itertools.combinations(range(len(shingles)), 2))[:3000]
    sets = [set(s) for s in as_lists]
    exact = np.array([len(sets[i] & sets[j]) / len(sets[i] | sets[j]) for i, j in pairs])
    for name, run in (("numpy", run_numpy), ("datasketch", run_datasketch), ("rensa", run_rensa)):
        sigs = run()
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - start)
        results[name] = best
        est = np.array([np.mean(np.asarray(sigs[i]) == np.asarray(sigs[j])) for i, j in pairs])
        errors[name] = float(np.abs(est - exact).mean())
        print(f"{name:10s} {len(shingles) / best:9.0f} texts/s  Jaccard MAE {errors[name]:.4f}")
    base = results["numpy"]
    print("RESULT " + " ".join(
        [f"texts={len(shingles)}", f"numpy_texts_s={len(shingles) / base:.0f}"]
        + [f"{n}_vs_numpy={results[n] / base:.2f}" for n in ("datasketch", "rensa")]
        + [f"{n}_mae={e:.4f}" for n, e in errors.items()]
    ))  # fmt: skip


if __name__ == "__main__":
    main()
