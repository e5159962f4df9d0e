"""Sentence alignment without a model: Gale and Church (1993), by character lengths, within one aligned unit.

A human translation comes paragraph by paragraph (a TMX unit, an official text's paragraph); its sentences need
not match the original's one to one (a translator joins two sentences or splits one). Gale–Church finds the
most probable sequence of "beads" (1–1, 1–2, 2–1, 2–2, and 1–0/0–1) from how the lengths of the two sides agree.
Within a paragraph pair the expected ratio of lengths is the pair's own (total target / total source), so no
language-specific constant is needed. When the sentence counts disagree badly, or the best sequence drops a
sentence on either side (a 1–0 or 0–1 bead), the paragraph is kept as one unit: an unaligned paragraph shown
whole is honest, a sentence beside the wrong translation is not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Gale & Church's priors of each bead, estimated on their Union Bank of Switzerland reports.
BEAD_PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.89,
    (1, 0): 0.0099 / 2,
    (0, 1): 0.0099 / 2,
    (2, 1): 0.089 / 2,
    (1, 2): 0.089 / 2,
    (2, 2): 0.011,
}
VARIANCE = 6.8  # their variance of target length per source character
# Sentence counts this far apart (more than twice the smaller count plus one) are not one text split two ways
# differently but a different text: align the paragraph as one unit.
MAX_COUNT_RATIO = 2


@dataclass(frozen=True, slots=True)
class Bead:
    """Source sentences [source_start, source_end) aligned with target sentences [target_start, target_end)."""

    source_start: int
    source_end: int
    target_start: int
    target_end: int


def _match_cost(source_len: int, target_len: int, ratio: float) -> float:
    """-log P(the lengths match) under Gale–Church's normal model of length differences."""
    if source_len == 0 and target_len == 0:
        return 0.0
    mean = (source_len + target_len / ratio) / 2
    delta = (ratio * mean - target_len) / math.sqrt(max(mean, 1.0) * VARIANCE)
    tail = math.erfc(abs(delta) / math.sqrt(2))  # 2 * (1 - Phi(|delta|))
    return -math.log(max(tail, 1e-300))


def align_lengths(source: Sequence[int], target: Sequence[int]) -> list[Bead] | None:
    """The best beads for sentences of these character lengths; None when they should stay one unit."""
    n, m = len(source), len(target)
    if n == 0 or m == 0:
        return None
    if max(n, m) > MAX_COUNT_RATIO * min(n, m) + 1:
        return None
    ratio = (sum(target) or 1) / (sum(source) or 1)
    inf = math.inf
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for (di, dj), prior in BEAD_PRIORS.items():
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                step = -math.log(prior) + _match_cost(sum(source[i:ni]), sum(target[j:nj]), ratio)
                if cost[i][j] + step < cost[ni][nj]:
                    cost[ni][nj] = cost[i][j] + step
                    back[ni][nj] = (di, dj)
    beads: list[Bead] = []
    i, j = n, m
    while i or j:
        move = back[i][j]
        assert move is not None
        di, dj = move
        if di == 0 or dj == 0:
            return None  # a sentence without a counterpart: keep the paragraph whole
        beads.append(Bead(i - di, i, j - dj, j))
        i, j = i - di, j - dj
    beads.reverse()
    return beads


def align_sentences(source: Sequence[str], target: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs of (source text, target text) for one paragraph pair; the whole paragraph as one pair if need be."""
    beads = align_lengths([len(s) for s in source], [len(t) for t in target])
    if beads is None:
        return [(" ".join(source), " ".join(target))]
    return [
        (
            " ".join(source[b.source_start : b.source_end]),
            " ".join(target[b.target_start : b.target_end]),
        )
        for b in beads
    ]
