"""The candidate index behind duplicate detection: a small protocol, kept in memory here and in the store by
``store/stories.py`` (band keys in an indexed table, so a lookup costs the candidates it returns).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from osiwire.stories import minhash
from osiwire.stories.duplicates import Fingerprint, is_duplicate, resemblance

# Candidates verified per lookup, those sharing most bands first: a release resembling hundreds of stored ones
# (a source's boilerplate-heavy notices) costs this many checks at most.
MAX_CANDIDATES = 50


@dataclass(frozen=True, slots=True)
class Copy:
    """A stored release as duplicate detection sees it."""

    release_id: int
    fingerprint: Fingerprint
    at: datetime  # published, else first seen
    original: int | None = None  # the release it copies, when it is a copy
    story_id: int | None = None  # its story as stored (a merged story's id is followed by the reader)


class DuplicateIndex(Protocol):
    """Where fingerprints are kept and found again."""

    def same_text(self, text_hash: str) -> Sequence[Copy]:
        """Stored releases with exactly this main-text hash."""
        ...

    def candidates(self, keys: Sequence[int], limit: int) -> Sequence[Copy]:
        """Stored releases sharing band keys with ``keys``, those sharing most first."""
        ...

    def add(self, copy: Copy, keys: Sequence[int]) -> None:
        """Keep a release's fingerprint and band keys."""
        ...


def find_original(fp: Fingerprint, index: DuplicateIndex, keys: Sequence[int] | None = None) -> Copy | None:
    """The stored release the text ``fp`` describes copies, or None when nothing stored is a copy of it.

    The same main text: its earliest copy. Else the closest near duplicate (two different releases may both
    resemble a copy; the closer one is what it copies); its own original, if it has one, is ``original_id``.
    """
    if fp.empty:
        return None
    keys = minhash.band_keys(fp.signature) if keys is None else keys
    same = list(index.same_text(fp.text_hash)) if fp.text_hash else []
    if same:
        return min(same, key=lambda c: (c.at, c.release_id))
    near = [c for c in index.candidates(keys, MAX_CANDIDATES) if is_duplicate(fp, c.fingerprint)]
    if not near:
        return None
    return max(near, key=lambda c: (resemblance(fp, c.fingerprint)[0], -c.at.timestamp(), -c.release_id))


def original_id(copy: Copy) -> int:
    """The release a new copy should point at: the original of the copy found, or that copy itself."""
    return copy.original if copy.original is not None else copy.release_id


class MemoryDuplicateIndex:
    """``DuplicateIndex`` in memory (tests, ``osiwire compare``, the stage's releases not written yet)."""

    def __init__(self) -> None:
        self._copies: dict[int, Copy] = {}
        self._by_hash: dict[str, list[int]] = defaultdict(list)
        self._by_key: dict[int, list[int]] = defaultdict(list)

    def same_text(self, text_hash: str) -> Sequence[Copy]:
        return [self._copies[i] for i in self._by_hash.get(text_hash, [])]

    def candidates(self, keys: Sequence[int], limit: int) -> Sequence[Copy]:
        shared = Counter(i for key in keys for i in self._by_key.get(key, []))
        return [self._copies[i] for i, _ in shared.most_common(limit)]

    def add(self, copy: Copy, keys: Sequence[int]) -> None:
        self._copies[copy.release_id] = copy
        if copy.fingerprint.text_hash:
            self._by_hash[copy.fingerprint.text_hash].append(copy.release_id)
        for key in keys:
            self._by_key[key].append(copy.release_id)

    def __len__(self) -> int:
        return len(self._copies)


class LayeredIndex:
    """Two ``DuplicateIndex`` read as one: the releases not written yet (``pending``) over the stored ones.

    Each layer gives up to ``limit`` candidates, so a batch of similar new releases never hides a stored one."""

    def __init__(self, pending: DuplicateIndex, stored: DuplicateIndex) -> None:
        self.pending = pending
        self.stored = stored

    def same_text(self, text_hash: str) -> Sequence[Copy]:
        return [*self.pending.same_text(text_hash), *self.stored.same_text(text_hash)]

    def candidates(self, keys: Sequence[int], limit: int) -> Sequence[Copy]:
        found = list(self.pending.candidates(keys, limit))
        seen = {c.release_id for c in found}
        return found + [c for c in self.stored.candidates(keys, limit) if c.release_id not in seen]

    def add(self, copy: Copy, keys: Sequence[int]) -> None:
        self.pending.add(copy, keys)
