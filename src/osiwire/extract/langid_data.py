"""The language-ID development data (``shared/data/langid``) and its one fixed train/dev split.

Used by ``scripts/train_langid.py`` (trains on train only), ``bench/langid.py`` and the tests (measure on dev).
A sentence's side is decided by a hash of its text alone, so it never moves when lines are added or reordered.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

# The 12 languages of the data, one file each (<code>.txt, one sentence a line); uz holds both scripts.
LANGUAGES = ("ru", "uk", "be", "kk", "ky", "tg", "uz", "az", "hy", "ka", "tk", "en")
# A quarter to dev: Tajik's 392 lines still leave ~100 dev sentences, enough to see a 0.95 floor.
DEV_PERCENT = 25
THREE_WORDS = 3  # a headline's size: the first three words of each dev sentence


def is_dev(sentence: str) -> bool:
    """Whether ``sentence`` belongs to the dev split (sha1 of its UTF-8 text, modulo 100, under DEV_PERCENT)."""
    digest = hashlib.sha1(sentence.strip().encode("utf-8"), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "big") % 100 < DEV_PERCENT


def read_sentences(folder: Path, lang: str) -> list[str]:
    """The non-empty lines of ``folder/<lang>.txt``."""
    path = folder / f"{lang}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read language-ID data: {exc.strerror}") from exc
    return [line.strip() for line in text.splitlines() if line.strip()]


def read_split(folder: Path, dev: bool) -> dict[str, list[str]]:
    """Every language's sentences on one side of the split (dev=True: the dev split)."""
    return {lang: [s for s in read_sentences(folder, lang) if is_dev(s) == dev] for lang in LANGUAGES}


def first_words(sentence: str, count: int = THREE_WORDS) -> str:
    """The first ``count`` whitespace-separated words of ``sentence``."""
    return " ".join(sentence.split()[:count])
