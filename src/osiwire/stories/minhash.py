"""MinHash signatures of shingle sets and their LSH band keys (numpy over osiwire's own shingles).

Chosen by measuring (bench/minhash.py: the 3-lemma shingles of the 125 kremlin.ru releases, 128 permutations,
one text at a time, on a shared busy machine; last run: numpy 964 texts/s, datasketch 1.8x and rensa 3.3x as
fast, the same Jaccard error, 0.007). Kept all the same: a signature is ~1 ms of the ~10 ms a release's
store-free stories work costs, and that work runs in the worker processes (``stories/prepared.py``), not in the
main process that the stage's throughput depends on; this needs no extra dependency, and the signatures stored
in the band table stay reproducible under osiwire's own fixed seed whatever a library's next version does to
its hashing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# 128 permutations: the estimate's standard error is ~0.044 at J = 0.5.
PERMUTATIONS = 128
# LSH bands of BAND_ROWS rows: a pair with Jaccard J is a candidate with probability 1 - (1 - J**r)**b.
# r = 2, b = 64: J 0.1 -> 0.48, 0.2 -> 0.93, 0.25 -> 0.98, 0.3 -> 0.998. Near duplicates start at J 0.2
# (duplicates.py); candidates are ranked by shared bands and verified, so the low J costs a few checks.
BAND_ROWS = 2
BANDS = PERMUTATIONS // BAND_ROWS
_SEED = 20261207  # fixed forever: stored signatures and band keys depend on it

_rng = np.random.default_rng(_SEED)
_A = _rng.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
_B = _rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
_BAND_MIX = _rng.integers(1, 2**63, size=BAND_ROWS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_EMPTY = np.full(PERMUTATIONS, np.iinfo(np.uint32).max, dtype=np.uint32)
CHUNK = 4096  # shingles hashed at once: bounds the temporary matrix at CHUNK x PERMUTATIONS x 8 bytes


def signature(shingles: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """The MinHash signature of a set of 64-bit shingle hashes (multiply-shift: the top 32 bits of a*x+b)."""
    if len(shingles) == 0:
        return _EMPTY.copy()
    best = _EMPTY.copy()
    for start in range(0, len(shingles), CHUNK):
        x = shingles[start : start + CHUNK, None]
        values = ((x * _A + _B) >> np.uint64(32)).astype(np.uint32)
        np.minimum(best, values.min(axis=0), out=best)
    return best


def similarity(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> float:
    """Estimated Jaccard similarity of the sets behind two signatures."""
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def band_keys(sig: npt.NDArray[np.uint32]) -> list[int]:
    """One signed 64-bit key per band (band number mixed in), as the store's band table keeps them."""
    return [int(v) for v in band_key_matrix(sig[None, :])[0]]


def band_key_matrix(sigs: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """``band_keys`` of many signatures at once: (n, PERMUTATIONS) in, (n, BANDS) out."""
    rows = sigs.astype(np.uint64).reshape(len(sigs), BANDS, BAND_ROWS)
    mixed = (rows * _BAND_MIX).sum(axis=2, dtype=np.uint64)
    mixed ^= np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    mixed ^= mixed >> np.uint64(29)
    keys: npt.NDArray[np.int64] = mixed.view(np.int64)
    return keys


def to_bytes(sig: npt.NDArray[np.uint32]) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> npt.NDArray[np.uint32]:
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)
