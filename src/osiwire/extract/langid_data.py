"""The language-ID development data (``shared/data/langid``) and its one fixed train/dev split.

Used by ``scripts/train_langid.py`` (trains on train only), ``bench/langid.py`` and the tests (measure on dev).
A sentence's side is decided by a hash of its text alone, so it never moves when lines are added or reordered.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

# The 12 languages of the data, one file each (<code>.txt, one sentence a line); uz holds both scripts.
LANGUAGES = ("ru", "uk", "be", "kk", "ky", "tg", "uz", "az", "hy", "ka", "tk", "en")
# A quarter to dev: Tajik's 392 lines still leave ~100 dev sentences, enough to see a 0.95 floor.
DEV_PERCENT = 25
THREE_WORDS = 3  # a headline's size: the first three words of each dev sentence
# SOURCE.txt names each file's blocks by line range ("== ru.txt", "   [lingua] lines 1-997 (...)"); a block's
# kind is its source family, the unit held out whole by the leave-one-source-out measure (bench/langid.py).
_FILE_HEADER = re.compile(r"^== (\w+)\.txt\b")
_BLOCK_HEADER = re.compile(r"^\s+\[([\w-]+)\] lines (\d+)-(\d+)\b")
SOURCE_KINDS = (
    ("lingua", "news"),  # Leipzig news/web sentences via lingua-py
    ("tatoeba", "tatoeba"),  # conversational, three snapshots
    ("udhr", "udhr"),  # the Universal Declaration of Human Rights
    ("ud", "ud"),  # Universal Dependencies treebanks: news, fiction, grammar examples
    ("constitution", "legal"),  # the Constitution of Tajikistan
    ("commonvoice", "speech"),  # Common Voice sentence collector
)


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


def source_kind(block: str) -> str:
    """The source family of a SOURCE.txt block name ("tatoeba-laser" -> "tatoeba", "ud-ktmu" -> "ud")."""
    for prefix, kind in SOURCE_KINDS:
        if block == prefix or block.startswith(prefix + "-"):
            return kind
    raise ValueError(f"{block!r}: unknown language-ID source block (SOURCE_KINDS has no prefix for it)")


def read_sources(folder: Path) -> dict[str, list[tuple[str, str]]]:
    """Every language's (source kind, sentence) pairs, by the line ranges of ``folder/SOURCE.txt``."""
    path = folder / "SOURCE.txt"
    try:
        note = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read language-ID sources: {exc.strerror}") from exc
    ranges: dict[str, list[tuple[str, int, int]]] = {}
    lang = ""
    for line in note.splitlines():
        if found := _FILE_HEADER.match(line):
            lang = found.group(1)
        elif (found := _BLOCK_HEADER.match(line)) and lang:
            kind = source_kind(found.group(1))
            ranges.setdefault(lang, []).append((kind, int(found.group(2)), int(found.group(3))))
    result = {}
    for lang in LANGUAGES:
        if lang not in ranges:
            raise ValueError(f"{path}: no blocks for {lang}.txt")
        lines = (folder / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        pairs = []
        for kind, first, last in ranges[lang]:
            if last > len(lines) or first < 1:
                raise ValueError(
                    f"{path}: {lang}.txt has {len(lines)} lines, block {first}-{last} lies outside"
                )
            pairs += [(kind, s.strip()) for s in lines[first - 1 : last] if s.strip()]
        result[lang] = pairs
    return result
