"""Body-text precision, recall and F1 as scrapinghub's article-extraction-benchmark measures them.

Texts become word tokens (``\\w+``) and then 4-gram shingles; each document's shingle multisets give
true positives, false positives and false negatives, normalised by their sum so that every document
weighs the same. Precision and recall are means over documents; F1 is computed from the two means.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE_SIZE = 4
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Counts:
    """One document's shares of true positives, false positives and false negatives (summing to 1 or 0)."""

    tp: float
    fp: float
    fn: float


@dataclass(frozen=True, slots=True)
class Scores:
    """Corpus-level precision, recall and F1."""

    precision: float
    recall: float
    f1: float


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Return the multiset of ``size``-token shingles of ``text`` (one shorter shingle for short texts)."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def compare(true: str, pred: str) -> Counts:
    """Return the normalised shingle counts of a prediction against the true text."""
    want, got = shingles(true), shingles(pred)
    tp = fp = fn = 0
    for key in want.keys() | got.keys():
        a, b = want[key], got[key]
        tp += min(a, b)
        fp += max(0, b - a)
        fn += max(0, a - b)
    total = tp + fp + fn
    if total == 0:
        return Counts(0.0, 0.0, 0.0)
    return Counts(tp / total, fp / total, fn / total)


def precision(c: Counts) -> float:
    """Return one document's precision (1.0 for a perfect match, 0.0 when nothing was predicted right)."""
    if c.fp == 0 and c.fn == 0:
        return 1.0
    if c.tp == 0 and c.fp == 0:
        return 0.0
    return c.tp / (c.tp + c.fp)


def recall(c: Counts) -> float:
    """Return one document's recall (1.0 for a perfect match, 0.0 when nothing true was found)."""
    if c.fp == 0 and c.fn == 0:
        return 1.0
    if c.tp == 0 and c.fn == 0:
        return 0.0
    return c.tp / (c.tp + c.fn)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def score(documents: Iterable[Counts]) -> Scores:
    """Return mean precision (over documents with a prediction), mean recall (over documents with a truth), F1."""
    docs = list(documents)
    p = _mean([precision(c) for c in docs if c.tp + c.fp > 0])
    r = _mean([recall(c) for c in docs if c.tp + c.fn > 0])
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return Scores(p, r, f1)
