"""A small character n-gram model for the region's languages: hashed 1-5-grams and words, naive Bayes, numpy.

Trained by ``scripts/train_langid.py`` on the train split of ``shared/data/langid``; shipped as
``osiwire/data/langid-ngrams.npz`` (its SOURCE note beside it). Text is lower-cased, every run of non-letters
becomes one space (so n-grams see word edges), and each apostrophe-like mark (Uzbek oʻ gʻ, Ukrainian ’) becomes
one character; the n-grams of each order, and the whole words, are hashed into the 2**bits rows of a
(rows, languages) table of log-probabilities.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

# Each word's own row counts this many times beside its letters' n-grams. On the dev split (ru/uk/be confused on
# full sentences; macro on the first three words): 0 -> 11, 0.976; 1 -> 8; 2 -> 6; 3 -> 6, 0.979; 5 -> 5, 0.980.
# 3: more would lean on whole words, which generalise less than letters to text unlike the training data.
WORD_WEIGHT = 3
MAX_ORDER = 5  # 1- to 5-grams: 5-grams over word edges hold whole short function words (" va ", " и ")
# A paragraph past this many characters has told its language long before; cut to keep the cost flat.
MAX_CHARS = 1000
_APOSTROPHES = str.maketrans({c: "'" for c in "ʻʼ’‘`´ʹ′"})
_NOT_LETTER = re.compile(r"[^\w']+|[\d_]+")
_PRIME = np.uint64(0x100000001B3)  # FNV-1a's 64-bit prime: spreads codepoints over the high bits
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of h * MIX index the table
# One salt per order, so that a 2-gram and a 3-gram of equal hash land apart (computed mod 2**64 in Python:
# numpy warns on scalar overflow).
_WORD_SALT = np.uint64(0xD6E8FEB86659FD93)
_ORDER_SALTS = tuple(np.uint64((order * 0x632BE59BD9B4E019) % (1 << 64)) for order in range(MAX_ORDER + 1))


def normalise(text: str) -> str:
    """Lower-case letters and apostrophes, one space between words and at both ends."""
    flat = _NOT_LETTER.sub(" ", text[:MAX_CHARS].lower().translate(_APOSTROPHES))
    return f" {' '.join(flat.split())} "


def features(text: str, bits: int) -> npt.NDArray[np.intp]:
    """Table rows of every 1- to MAX_ORDER-gram of ``text`` (empty when it has no letters)."""
    flat = normalise(text)
    if len(flat) <= 2:
        return np.empty(0, dtype=np.intp)
    codes = np.frombuffer(flat.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    shift = np.uint64(64 - bits)
    parts = []
    hashed = codes.copy()
    for order in range(1, MAX_ORDER + 1):
        if order > 1:
            if len(hashed) < 2:
                break
            hashed = hashed[:-1] * _PRIME + codes[order - 1 :]
        ngrams = hashed[codes != 32] if order == 1 else hashed  # a lone space says nothing
        parts.append(((ngrams + _ORDER_SALTS[order]) * _MIX) >> shift)
    # Whole words too, counted WORD_WEIGHT times: function words learnt from the training data ("це", "та",
    # "что", "гэта") tell Ukrainian, Russian and Belarusian apart where their letters do not.
    words = np.array([zlib.crc32(word.encode("utf-8")) for word in flat.split()], dtype=np.uint64)
    parts += [((words + _WORD_SALT) * _MIX) >> shift] * WORD_WEIGHT
    return np.concatenate(parts).astype(np.intp)


@dataclass(frozen=True, slots=True)
class NgramModel:
    """Per-language log-probabilities of hashed n-grams, kept as int8 (3 MB, not 12 as float32): centred per row,
    since naive Bayes reads only differences between languages, and scaled by ``scale``."""

    languages: tuple[str, ...]  # the table's columns
    table: npt.NDArray[np.int8]  # (2**bits, len(languages))
    scale: float
    bits: int
    # (languages, 2): the share of each language's letters, in Cyrillic then Latin, that are letters it owns
    # (Kazakh ә ғ қ ..., Azerbaijani ə ı ..., see language.owned_counts); 0 where it owns none in that script
    owned_rates: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros((0, 2), dtype=np.float32))

    @classmethod
    def from_log_probs(
        cls,
        languages: tuple[str, ...],
        log_probs: npt.NDArray[np.floating[Any]],
        bits: int,
        owned_rates: npt.NDArray[np.float32] | None = None,
    ) -> NgramModel:
        """Quantise a (2**bits, languages) table of log-probabilities."""
        centred = log_probs - log_probs.mean(axis=1, keepdims=True)
        scale = float(np.abs(centred).max()) / 127.0
        rates = np.zeros((len(languages), 2), dtype=np.float32) if owned_rates is None else owned_rates
        return cls(
            languages, np.round(centred / scale).astype(np.int8), scale, bits, rates.astype(np.float32)
        )

    @classmethod
    def load(cls, path: Path) -> NgramModel:
        """Read a model written by ``save``."""
        with np.load(path, allow_pickle=False) as data:
            model = cls(
                tuple(str(x) for x in data["languages"]),
                data["table"].astype(np.int8, copy=False),
                float(data["scale"]),
                int(data["bits"]),
                data["owned_rates"].astype(np.float32)
                if "owned_rates" in data
                else np.zeros((len(data["languages"]), 2), dtype=np.float32),
            )
        if model.table.shape != (1 << model.bits, len(model.languages)):
            raise ValueError(f"{path}: table shape {model.table.shape} does not match {model.bits} bits")
        if model.owned_rates.shape != (len(model.languages), 2):
            raise ValueError(
                f"{path}: owned_rates shape {model.owned_rates.shape}, not ({len(model.languages)}, 2)"
            )
        return model

    def save(self, path: Path) -> None:
        """Write the model as a compressed .npz."""
        np.savez_compressed(
            path,
            table=self.table,
            scale=np.float32(self.scale),
            languages=np.array(self.languages),
            bits=self.bits,
            owned_rates=self.owned_rates,
        )

    def scores(self, text: str) -> tuple[npt.NDArray[np.float32], int]:
        """Summed log-probabilities per language and the number of n-grams they came from."""
        rows = features(text, self.bits)
        if not len(rows):
            return np.zeros(len(self.languages), dtype=np.float32), 0
        summed = self.table[rows].sum(axis=0, dtype=np.int32)
        return summed.astype(np.float32) * np.float32(self.scale), len(rows)
