"""The translation memory: a sentence translated once is never sent to an engine again.

Official releases repeat themselves ("Спасибо.", "Уважаемые коллеги!", protocol formulas), so the translator
asks the memory first. An entry is keyed by the normalised source sentence's hash, the language pair and the
engine and model that made it: a better model installed later misses the old entries and translates afresh,
while the old ones stay for the record. The protocol maps onto one SQL table::

    text_hash | source_lang | target_lang | engine | model | target | confidence | source | origin | changed_at
    (key: the first five)

Human translations (imported from a TMX file, see tmx.py) are entries of the engine ``human`` with an empty
model: one per source sentence and pair, whatever engines are installed, and the translator asks for them before
any engine. Their ``origin`` says where they came from (the TMX file and the tool that wrote it).

``DictMemory`` keeps entries in a dict, for tests and library use; the store keeps them in the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from osiwire.extract.normalise import normalise_text

HUMAN_ENGINE = "human"  # the engine name of translations made by people (TMX imports); their model is ""


@dataclass(frozen=True, slots=True)
class MemoryKey:
    """What a remembered translation is looked up by."""

    text_hash: str  # sha256 hex of normalise_text(source sentence): case, spacing and ё/е do not matter
    source_lang: str
    target_lang: str
    engine: str
    model: str


@dataclass(frozen=True, slots=True)
class MemoryHit:
    """A remembered translation."""

    target: str
    confidence: float | None = None
    origin: str = ""  # human translations: where they came from ("udhr.tmx, OmegaT 6.0.0")


@dataclass(frozen=True, slots=True)
class MemoryEntry:
    """One translation to remember."""

    key: MemoryKey
    hit: MemoryHit
    source: str = ""  # the source sentence as written (whitespace collapsed): what an export writes
    changed_at: datetime | None = (
        None  # human translations: when the translator last changed it (TMX changedate)
    )


class TranslationMemory(Protocol):
    """Remembered translations, looked up in batches (one query per article and engine)."""

    def lookup(self, keys: Sequence[MemoryKey]) -> dict[MemoryKey, MemoryHit]:
        """The remembered translations of those keys that have one."""
        ...

    def remember(self, entries: Sequence[MemoryEntry]) -> None:
        """Store translations; an entry whose key is already there replaces it."""
        ...


def text_hash(sentence: str) -> str:
    """The sha256 hex digest of the normalised sentence."""
    return hashlib.sha256(normalise_text(sentence).encode("utf-8")).hexdigest()


def memory_key(sentence: str, source_lang: str, target_lang: str, engine: str, model: str) -> MemoryKey:
    """The key of ``sentence`` translated by ``engine``/``model`` from ``source_lang`` into ``target_lang``."""
    return MemoryKey(text_hash(sentence), source_lang, target_lang, engine, model)


def human_key(sentence: str, source_lang: str, target_lang: str) -> MemoryKey:
    """The key of a human translation of ``sentence``."""
    return MemoryKey(text_hash(sentence), source_lang, target_lang, HUMAN_ENGINE, "")


class DictMemory:
    """A translation memory in a dict: lives as long as the process."""

    def __init__(self) -> None:
        self._entries: dict[MemoryKey, MemoryHit] = {}

    def lookup(self, keys: Sequence[MemoryKey]) -> dict[MemoryKey, MemoryHit]:
        """The remembered translations of those keys that have one."""
        return {key: self._entries[key] for key in keys if key in self._entries}

    def remember(self, entries: Sequence[MemoryEntry]) -> None:
        """Store translations, replacing those with the same key."""
        for entry in entries:
            self._entries[entry.key] = entry.hit

    def __len__(self) -> int:
        return len(self._entries)
