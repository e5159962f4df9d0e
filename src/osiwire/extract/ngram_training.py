"""Training the region's n-gram model (``ngrams.py``) from sentences per language: naive Bayes counts.

Used by ``scripts/train_langid.py`` (the shipped model, on the train split) and ``bench/langid.py`` (one model per
held-out source family, to measure the detector on a kind of text its n-gram model never saw).
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from osiwire.extract.language import UZBEK_CYRILLIC, owned_counts
from osiwire.extract.ngrams import _APOSTROPHES, NgramModel, features

DEFAULT_BITS = 18  # 2**18 rows x 12 languages of int8: 3 MB in memory, ~1.3 MB compressed
# Additive smoothing per row, scaled by each language's share of the counts. More smoothing keeps a language with
# little data of a kind in the running on text of that kind (bench/langid.py, each source family held out, with
# NGRAM_TEMPERATURE 4 beside it): 0.1 -> macro 0.973, Kyrgyz 0.893, Turkmen 0.890; 0.5 -> 0.980, 0.946, 0.913; at
# no cost on dev sentences (0.9945 -> 0.9951), a little on their first three words (0.974 -> 0.973). (Before Uzbek
# had its Cyrillic column, 0.5 lost Uzbek Cyrillic headlines to Tajik.) Chosen on those figures: development ones.
DEFAULT_ALPHA = 0.5
_LATIN_UZBEK = re.compile(r"[a-z]{3}", re.IGNORECASE)
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u052f]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# Uzbek Latin -> Cyrillic (the 1995 alphabet's letters, digraphs first): the data holds ~150 Cyrillic Uzbek
# training lines against ~670 Latin ones, so each Latin line is also learnt in Cyrillic.
_UZ_DIGRAPHS = (("o'", "ў"), ("g'", "ғ"), ("sh", "ш"), ("ch", "ч"), ("yo", "ё"), ("yu", "ю"), ("ya", "я"))
_UZ_LETTERS = str.maketrans("abdefghijklmnopqrstuvxyz'", "абдефгҳижклмнопқрстувхйзъ")
_UZ_WORD_E = re.compile(r"\b(ye|e)")


def uzbek_cyrillic(sentence: str) -> str:
    """A Latin Uzbek sentence in the Cyrillic alphabet (lower case): word-initial e is э, ye is е."""
    text = sentence.lower().translate(_APOSTROPHES)
    text = _UZ_WORD_E.sub(lambda m: "е" if m.group(1) == "ye" else "э", text)
    for latin, cyrillic in _UZ_DIGRAPHS:
        text = text.replace(latin, cyrillic)
    return text.translate(_UZ_LETTERS)


def train(
    sentences: dict[str, list[str]], bits: int = DEFAULT_BITS, alpha: float = DEFAULT_ALPHA
) -> NgramModel:
    """Naive Bayes over hashed n-grams: log P(row | language), smoothed by ``alpha`` per row, scaled by each
    language's share of the counts: a row no language has seen then costs every language the same, where equal
    smoothing would favour the languages with least data (Tajik, Uzbek) on every unseen word."""
    sentences = _uzbek_by_script(sentences)
    languages = tuple(sentences)
    size = 1 << bits
    counts = np.empty((size, len(languages)), dtype=np.float64)
    for column, lang in enumerate(languages):
        texts = sentences[lang]
        if not texts:
            raise ValueError(f"{lang}: no training sentences")
        rows = np.concatenate([features(s, bits) for s in texts])
        counts[:, column] = np.bincount(rows, minlength=size)
    totals = counts.sum(axis=0)
    smoothing = alpha * totals / totals.mean()
    table = np.log((counts + smoothing) / (totals + smoothing * size))
    return NgramModel.from_log_probs(languages, table, bits, owned_rates(sentences))


def _uzbek_by_script(sentences: dict[str, list[str]]) -> dict[str, list[str]]:
    """Uzbek as two columns, Latin ("uz") and Cyrillic (UZBEK_CYRILLIC: its own lines and every Latin one
    transliterated): in one column the few Cyrillic lines' n-grams were outweighed by the Latin ones' and Uzbek
    Cyrillic headlines went to Tajik."""
    if "uz" not in sentences:
        return sentences
    latin = [s for s in sentences["uz"] if _LATIN_UZBEK.search(s) and not _mostly_cyrillic(s)]
    cyrillic = [s for s in sentences["uz"] if _mostly_cyrillic(s)]
    return {**sentences, "uz": latin, UZBEK_CYRILLIC: cyrillic + [uzbek_cyrillic(s) for s in latin]}


def _mostly_cyrillic(text: str) -> bool:
    return len(_CYRILLIC_LETTER.findall(text)) > len(_LATIN_LETTER.findall(text))


def owned_rates(sentences: dict[str, list[str]]) -> npt.NDArray[np.float32]:
    """Per language, in Cyrillic then Latin, the share of its letters that are letters it owns (0: none owned)."""
    rates = np.zeros((len(sentences), 2), dtype=np.float32)
    for row, (lang, texts) in enumerate(sentences.items()):
        for column, latin in enumerate((False, True)):
            owned = total = 0
            for text in texts:
                k, n = owned_counts(text.lower(), lang, latin)
                owned, total = owned + k, total + n
            rates[row, column] = owned / total if owned and total else 0.0
    return rates
