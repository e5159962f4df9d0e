"""The benchmark metric itself, on cases small enough to count by hand."""

from __future__ import annotations

import pytest

from extraction_metric import Counts, compare, precision, recall, score, shingles


def test_shingles_of_short_and_long_texts() -> None:
    assert shingles("") == {}
    assert shingles("one two") == {("one", "two"): 1}
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("Привет, мир! Как дела?") == {("Привет", "мир", "Как", "дела"): 1}


def test_perfect_and_empty_predictions() -> None:
    same = compare("a b c d e", "a b c d e")
    assert same == Counts(1.0, 0.0, 0.0)
    assert precision(same) == recall(same) == 1.0
    empty = compare("a b c d e", "")
    assert empty == Counts(0.0, 0.0, 1.0)
    assert precision(empty) == 0.0 and recall(empty) == 0.0


def test_partial_prediction_counts_multisets() -> None:
    # true has shingles abcd, bcde; pred has abcd, bcdx: one of each kind
    c = compare("a b c d e", "a b c d x")
    assert (c.tp, c.fp, c.fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert precision(c) == pytest.approx(0.5)
    assert recall(c) == pytest.approx(0.5)


def test_score_skips_empty_predictions_in_precision_only() -> None:
    docs = [compare("a b c d e", "a b c d e"), compare("a b c d e", "")]
    s = score(docs)
    assert s.precision == 1.0
    assert s.recall == 0.5
    assert s.f1 == pytest.approx(2 * 0.5 / 1.5)
