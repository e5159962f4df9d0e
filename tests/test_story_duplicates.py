"""Duplicates: synthetic copies of every kremlin.ru release are found, templates of different events are not."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from osiwire.store.textindex import Lemmatiser
from osiwire.stories.duplicates import Fingerprint, fingerprint, is_duplicate, number_conflict
from osiwire.stories.index import Copy, MemoryDuplicateIndex, find_original
from osiwire.stories.text import text_features
from story_variants import Release, load_kremlin, variant, vocabulary

VARIANT_SEEDS = range(3)  # three copies of each of the 125 releases
RECALL_FLOOR = 0.99


@pytest.fixture(scope="module")
def lemmatiser() -> Lemmatiser:
    return Lemmatiser()


@pytest.fixture(scope="module")
def kremlin(shared_data: Path) -> list[Release]:
    return load_kremlin(shared_data)


def _fp(text: str, lemmatiser: Lemmatiser) -> Fingerprint:
    return fingerprint(text_features(text, lemmatiser))


@pytest.fixture(scope="module")
def indexed(kremlin: list[Release], lemmatiser: Lemmatiser) -> tuple[MemoryDuplicateIndex, list[Fingerprint]]:
    index = MemoryDuplicateIndex()
    fps = []
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for i, release in enumerate(kremlin):
        fp = _fp(release.text, lemmatiser)
        fps.append(fp)
        from osiwire.stories.minhash import band_keys

        index.add(Copy(i, fp, start + timedelta(hours=i)), band_keys(fp.signature))
    return index, fps


def test_templates_of_different_events_are_never_duplicates(
    kremlin: list[Release], indexed: tuple[MemoryDuplicateIndex, list[Fingerprint]]
) -> None:
    _, fps = indexed
    # The corpus has 9 Security Council meetings, 16 phone calls and 5 greetings sharing their wording.
    false = [
        (kremlin[i].title, kremlin[j].title)
        for i, j in itertools.combinations(range(len(kremlin)), 2)
        if is_duplicate(fps[i], fps[j])
    ]
    assert false == []


def test_synthetic_copies_are_found_as_duplicates_of_their_original(
    kremlin: list[Release],
    lemmatiser: Lemmatiser,
    indexed: tuple[MemoryDuplicateIndex, list[Fingerprint]],
) -> None:
    index, _ = indexed
    vocab = vocabulary(kremlin)
    found = wrong = total = 0
    for seed in VARIANT_SEEDS:
        for i, release in enumerate(kremlin):
            copy = variant(release, vocab, seed * 1000 + i)
            assert copy.text != release.text
            original = find_original(_fp(copy.text, lemmatiser), index)
            total += 1
            found += original is not None and original.release_id == i
            wrong += original is not None and original.release_id != i
    assert wrong == 0
    assert found / total >= RECALL_FLOOR, f"{found}/{total}"


def test_a_copy_links_to_the_earliest_copy() -> None:
    lemmatiser = Lemmatiser()
    text = "Президент провёл встречу с губернатором области 12 мая 2025 года. Обсуждались вопросы развития региона."
    fp = _fp(text, lemmatiser)
    index = MemoryDuplicateIndex()
    from osiwire.stories.minhash import band_keys

    keys = band_keys(fp.signature)
    t0 = datetime(2025, 5, 12, tzinfo=UTC)
    index.add(Copy(7, fp, t0 + timedelta(hours=2), original=None), keys)
    index.add(Copy(3, fp, t0, original=None), keys)
    found = find_original(_fp(text.upper(), lemmatiser), index)
    assert found is not None and found.release_id == 3


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        ({"28", "2025", "14:50"}, {"21", "2025", "13:30"}, True),  # another day's meeting
        ({"28", "2025", "14:50"}, {"28", "2025"}, False),  # a copy dropped the time
        ({"28", "2025"}, {"28", "2025", "100"}, False),  # a copy added a figure
        (set(), {"1"}, False),
    ],
)
def test_number_conflict(a: set[str], b: set[str], conflict: bool) -> None:
    assert (number_conflict(frozenset(a), frozenset(b)) >= 0.25) is conflict


@pytest.mark.parametrize("text", ["", "   ", "...", "!!!"])
def test_empty_texts_are_never_duplicates(text: str) -> None:
    lemmatiser = Lemmatiser()
    fp = _fp(text, lemmatiser)
    assert fp.empty and not is_duplicate(fp, fp)
    assert find_original(fp, MemoryDuplicateIndex()) is None


def test_band_keys_are_fixed_and_the_same_one_signature_or_many() -> None:
    import numpy as np

    from osiwire.stories import minhash

    # Stored band keys depend on these values: a change would make every stored release unfindable.
    assert minhash.band_keys(np.arange(128, dtype=np.uint32))[:3] == [
        5153018602066138965,
        -3394160567756252876,
        7659554287292345605,
    ]
    sigs = np.random.default_rng(3).integers(0, 2**32, size=(20, 128), dtype=np.uint64).astype(np.uint32)
    assert [list(row) for row in minhash.band_key_matrix(sigs)] == [minhash.band_keys(s) for s in sigs]
