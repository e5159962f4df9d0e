"""Text as the stories stage compares it: folded lemmas, numbers, shingles and a main-text hash.

Inflection, ё/е, case and punctuation must not make two copies differ, so every comparison runs on the lemmas
osiwire's search index uses (``store.textindex.Lemmatiser``). Numbers are kept apart: they tell one phone call
from the next when the wording is a template.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from osiwire.store.textindex import Lemmatiser, fold

WORD_RE = re.compile(r"[^\W_]+(?:[.:,][0-9]+)*", re.UNICODE)  # "14:50", "2,5" and "1.5" stay one token
# Shingles are runs of this many lemmas. 3 keeps templates apart better than 2; with MinHash banding tuned for
# it (minhash.py), synthetic copies with 15 % of their words changed are still found.
SHINGLE_WORDS = 3
# Lemmas a text is cut to before shingling: a 100k-word transcript costs no more than this.
MAX_WORDS = 20_000
# Words too common to tell stories apart (lemmas, folded); kept out of numbers and content terms.
STOP_WORDS = frozenset(
    [
        "и",
        "в",
        "во",
        "не",
        "что",
        "он",
        "на",
        "я",
        "с",
        "со",
        "как",
        "а",
        "то",
        "все",
        "она",
        "так",
        "его",
        "но",
        "да",
        "ты",
        "к",
        "у",
        "же",
        "вы",
        "за",
        "бы",
        "по",
        "только",
        "ее",
        "мне",
        "было",
        "вот",
        "от",
        "меня",
        "еще",
        "нет",
        "о",
        "из",
        "ему",
        "теперь",
        "когда",
        "даже",
        "ну",
        "вдруг",
        "ли",
        "если",
        "уже",
        "или",
        "ни",
        "быть",
        "был",
        "него",
        "до",
        "вас",
        "нибудь",
        "опять",
        "уж",
        "вам",
        "ведь",
        "там",
        "потом",
        "себя",
        "ничего",
        "ей",
        "может",
        "они",
        "тут",
        "где",
        "есть",
        "надо",
        "ней",
        "для",
        "мы",
        "тебя",
        "их",
        "чем",
        "была",
        "сам",
        "чтобы",
        "без",
        "будто",
        "чего",
        "раз",
        "тоже",
        "себе",
        "под",
        "будет",
        "ж",
        "тогда",
        "кто",
        "этот",
        "того",
        "потому",
        "этого",
        "какой",
        "совсем",
        "ним",
        "здесь",
        "этом",
        "один",
        "почти",
        "мой",
        "тем",
        "чтобы",
        "нее",
        "сейчас",
        "были",
        "куда",
        "зачем",
        "всех",
        "никогда",
        "можно",
        "при",
        "наконец",
        "два",
        "об",
        "другой",
        "хоть",
        "после",
        "над",
        "больше",
        "тот",
        "через",
        "эти",
        "нас",
        "про",
        "всего",
        "них",
        "какая",
        "много",
        "разве",
        "три",
        "эту",
        "моя",
        "впрочем",
        "хорошо",
        "свою",
        "этой",
        "перед",
        "иногда",
        "лучше",
        "чуть",
        "том",
        "нельзя",
        "такой",
        "им",
        "более",
        "всегда",
        "конечно",
        "всю",
        "между",
        "также",
        "свой",
        "весь",
        "это",
        "который",
        "год",
        "также",
        "то",
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "and",
        "or",
        "for",
        "on",
        "at",
        "by",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "their",
        "our",
        "has",
        "have",
        "had",
        "not",
        "but",
    ]
)


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """What the stories stage keeps of one text: its lemmas, numbers and main-text hash."""

    lemmas: tuple[str, ...]  # every word's folded lemma, in order (numbers included)
    numbers: frozenset[str]  # number tokens ("28", "2025", "14:50") of the words lemmatised
    text_hash: str  # hex sha256 of the folded words: equal for exact duplicates ("" for an empty text)
    words: int = 0  # the text's words, all of them (``lemmas`` stops at MAX_WORDS)
    all_numbers: frozenset[str] = frozenset()  # number tokens of the whole text


def words(text: str) -> list[str]:
    """The folded words of a text (numbers with their separators kept whole)."""
    return WORD_RE.findall(fold(text))


def text_features(text: str, lemmatiser: Lemmatiser) -> TextFeatures:
    """Lemmas, numbers and the main-text hash of one text."""
    every = words(text)
    digest = hashlib.sha256(" ".join(every).encode()).hexdigest() if every else ""
    tokens = every[:MAX_WORDS]
    lemma = lemmatiser.lemma_of_folded  # ``words`` folded the text already
    # A token that is not all letters has digits (WORD_RE keeps letters, digits and separators between digits).
    lemmas = tuple(lemma(t) if t.isalpha() else t for t in tokens)
    numbers = frozenset(t for t in tokens if not t.isalpha())
    all_numbers = numbers if len(every) == len(tokens) else frozenset(t for t in every if not t.isalpha())
    return TextFeatures(lemmas, numbers, digest, len(every), all_numbers)


_HASH_CACHE: dict[str, int] = {}
_HASH_CACHE_SIZE = 500_000  # distinct lemmas whose 64-bit hash is remembered


def word_hash(word: str) -> int:
    """A stable 64-bit hash of a word (blake2b: the same in every process, unlike ``hash``)."""
    value = _HASH_CACHE.get(word)
    if value is None:
        value = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        if len(_HASH_CACHE) < _HASH_CACHE_SIZE:
            _HASH_CACHE[word] = value
    return value


# Odd 64-bit multipliers that combine the words of a shingle into one hash (positions must differ: "a b c"
# and "c b a" are different shingles).
_SHINGLE_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9][:SHINGLE_WORDS], dtype=np.uint64
)


def shingle_hashes(lemmas: Sequence[str]) -> npt.NDArray[np.uint64]:
    """The distinct 64-bit hashes of a text's word shingles (a text shorter than a shingle: its words)."""
    if not lemmas:
        return np.zeros(0, dtype=np.uint64)
    hashes = np.fromiter((word_hash(w) for w in lemmas), dtype=np.uint64, count=len(lemmas))
    if len(hashes) < SHINGLE_WORDS:
        return np.unique(hashes)
    n = len(hashes) - SHINGLE_WORDS + 1
    combined = np.zeros(n, dtype=np.uint64)
    for offset, multiplier in enumerate(_SHINGLE_MULTIPLIERS):
        combined ^= hashes[offset : offset + n] * multiplier  # uint64 arithmetic wraps, as hashing wants
        combined = (combined << np.uint64(17)) | (combined >> np.uint64(47))
    return np.unique(combined)
