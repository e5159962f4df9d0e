"""Exact and near duplicates: the same main text, or a copy rewritten a little (syndication, mirrors, reposts).

A near duplicate shares enough lemma shingles (MinHash estimates of Jaccard and containment, so a copy wrapped
in another site's boilerplate still counts) and does not contradict the original's numbers. The last rule is
what keeps official templates apart: two phone calls or two Security Council meetings on different days share
most of their wording, but not their dates and times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from osiwire.stories import minhash
from osiwire.stories.text import TextFeatures, shingle_hashes, word_hash

# Tuned on synthetic copies of the 125 kremlin.ru releases (tests/test_story_duplicates.py): copies with their
# boilerplate swapped, paragraphs reordered and 5-15 % of words changed score J >= 0.25 and containment >= 0.45;
# the closest template pairs (Security Council meetings) reach J 0.55 / containment 0.79 and are told apart
# only by their numbers.
NEAR_DUPLICATE_J = 0.2
NEAR_DUPLICATE_CONTAINMENT = 0.4
# Share of the smaller number set that may be missing on BOTH sides: a copy may drop or add a figure, but two
# texts each with dates or figures the other lacks report different events.
NUMBER_CONFLICT = 0.25
# Numbers kept per text (stored with the fingerprint): the MAX_NUMBERS of smallest hash, a bottom-k sample, so
# two samples compare over the hash range both cover.
MAX_NUMBERS = 64


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What duplicate detection keeps of a text."""

    text_hash: str
    signature: npt.NDArray[np.uint32]
    shingles: int  # distinct shingles: turns the Jaccard estimate into containment
    numbers: frozenset[str]

    @property
    def empty(self) -> bool:
        return self.shingles == 0


def fingerprint(features: TextFeatures) -> Fingerprint:
    """The fingerprint of a text's features."""
    shingles = shingle_hashes(features.lemmas)
    numbers = frozenset(sorted(features.numbers, key=word_hash)[:MAX_NUMBERS])
    return Fingerprint(features.text_hash, minhash.signature(shingles), len(shingles), numbers)


def number_conflict(a: frozenset[str], b: frozenset[str]) -> float:
    """How far two texts' numbers contradict: the smaller one-sided difference over the smaller set."""
    if len(a) >= MAX_NUMBERS or len(b) >= MAX_NUMBERS:  # samples: compare the hash range both cover
        top = min(max(map(word_hash, a), default=0), max(map(word_hash, b), default=0))
        a = frozenset(n for n in a if word_hash(n) <= top)
        b = frozenset(n for n in b if word_hash(n) <= top)
    if not a or not b:
        return 0.0
    return min(len(a - b), len(b - a)) / min(len(a), len(b))


def resemblance(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """Estimated (Jaccard, containment of the smaller in the larger) of two texts' shingle sets."""
    if a.empty or b.empty:
        return 0.0, 0.0
    j = minhash.similarity(a.signature, b.signature)
    containment = j * (a.shingles + b.shingles) / ((1 + j) * min(a.shingles, b.shingles))
    return j, min(1.0, containment)


def is_duplicate(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether one text is a copy of the other (exactly, or rewritten a little)."""
    if a.empty or b.empty:
        return False
    if a.text_hash == b.text_hash:
        return True
    j, containment = resemblance(a, b)
    return (
        j >= NEAR_DUPLICATE_J
        and containment >= NEAR_DUPLICATE_CONTAINMENT
        and number_conflict(a.numbers, b.numbers) < NUMBER_CONFLICT
    )
