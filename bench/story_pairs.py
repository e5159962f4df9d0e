"""Same-story scoring on labelled pairs: tgcontest-ru (the gate) and SemEval-2022 task 8 same-language pairs.

Runs every pair through ``osiwire.compare.Comparer`` (extract, enrich, the stories scorer) and reports ROC AUC
and F1. The score has no fitted weights (the mean of its evidence); the shipped threshold was chosen by
cross-validation: ``--folds``-fold, each held-out fold judged at the threshold of best F1 on the other folds
(cv_f1, the figure to quote beside f1 at the shipped threshold); cv_threshold is the median of those chosen.
The TF-IDF cosine baseline is the text-cosine feature alone (over lemmas, background IDF).

    .venv/bin/python bench/story_pairs.py [--semeval N]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from osiwire.compare import Comparer, Side  # noqa: E402
from osiwire.config import Settings  # noqa: E402
from osiwire.stories.similarity import FEATURES, feature_row, same_story_score, threshold  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count a half)."""
    pos, neg = scores[labels], scores[~labels]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def f1(pred: np.ndarray, labels: np.ndarray) -> float:
    tp = int((pred & labels).sum())
    return 2 * tp / max(1, int(pred.sum()) + int(labels.sum()))


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The threshold of best F1 (the nearest to 0.3 among ties)."""
    return float(max(np.unique(scores), key=lambda t: (f1(scores >= t, labels), -abs(t - 0.3))))


def cross_validate(scores: np.ndarray, y: np.ndarray, folds: int, repeats: int = 5) -> dict[str, float]:
    """F1 on each held-out fold at the threshold chosen on the other folds; the median chosen threshold."""
    f1s, thresholds = [], []
    for repeat in range(repeats):
        order = list(range(len(y)))
        random.Random(repeat).shuffle(order)
        preds = np.zeros(len(y), dtype=bool)
        for k in range(folds):
            test = np.array(order[k::folds])
            train = np.setdiff1d(np.arange(len(y)), test)
            t = best_threshold(scores[train], y[train])
            thresholds.append(t)
            preds[test] = scores[test] >= t
        f1s.append(f1(preds, y))
    return {"cv_f1": float(np.mean(f1s)), "cv_threshold": float(np.median(thresholds))}


def tgcontest_pairs() -> list[tuple[str, Side, Side, bool]]:
    out = []
    for line in (SHARED / "dedup/tgcontest-ru/pairs-dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.append((row["id"], Side(row["a"]["title"], row["a"]["text"], language="ru"),
                    Side(row["b"]["title"], row["b"]["text"], language="ru"), bool(row["same"])))  # fmt: skip
    return out


def semeval_pairs(limit: int) -> list[tuple[str, Side, Side, bool]]:
    """Same-language pairs, same story = Overall <= 1.5, different = Overall >= 2.5 (the middle left out)."""
    out = []
    csv.field_size_limit(10**8)
    with (SHARED / "dedup/semeval2022-task8/training_set.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["lang1"] != row["lang2"]:
                continue
            overall = float(row["Overall"])
            if 1.5 < overall < 2.5:
                continue
            out.append((row["pair_id"], Side("", row["text1"], language=row["lang1"]),
                        Side("", row["text2"], language=row["lang2"]), overall <= 1.5))  # fmt: skip
    random.Random(0).shuffle(out)
    return out[:limit]


def scored(comparer: Comparer, pairs: list[tuple[str, Side, Side, bool]]) -> dict[str, np.ndarray]:
    """Per pair: the feature row, the score, the threshold that applies, the label."""
    rows, scores, thresholds, labels = [], [], [], []
    for pair_id, a, b, same in pairs:
        fa, _ = comparer.read(a, f"{pair_id}:a")
        fb, _ = comparer.read(b, f"{pair_id}:b")
        rows.append([np.nan if v is None else v for v in feature_row(fa, fb)])
        scores.append(same_story_score(fa, fb))
        thresholds.append(threshold(fa, fb))
        labels.append(same)
    return {"x": np.array(rows), "score": np.array(scores), "threshold": np.array(thresholds),
            "y": np.array(labels, dtype=bool)}  # fmt: skip


def report(name: str, data: dict[str, np.ndarray], folds: int) -> dict[str, float]:
    x, scores, y = data["x"], data["score"], data["y"]
    for i, feature in enumerate(FEATURES):
        known = ~np.isnan(x[:, i])
        print(
            f"  {name}: feature {feature:10s} AUC {auc(x[known, i], y[known]):.3f} ({known.sum()} pairs have it)"
        )
    out: dict[str, float] = {
        f"{name}_pairs": len(y),
        f"{name}_baseline_auc": auc(x[:, 0], y),
        f"{name}_auc": auc(scores, y),
        f"{name}_f1": f1(scores >= data["threshold"], y),
    }
    if folds:
        out |= {f"{name}_{k}": v for k, v in cross_validate(scores, y, folds).items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument(
        "--semeval", type=int, default=0, help="also score this many SemEval same-language pairs"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    comparer = Comparer(Settings())
    start = time.perf_counter()
    results = report("tg", scored(comparer, tgcontest_pairs()), args.folds)
    if args.semeval:
        results |= report("semeval", scored(comparer, semeval_pairs(args.semeval)), 0)
    results["seconds"] = time.perf_counter() - start
    print(
        "RESULT "
        + " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in results.items())
    )


if __name__ == "__main__":
    main()
