"""The engine protocol every translation engine implements, and the errors they raise.

An engine translates a batch of sentences from one language into another and nothing more: sentence
splitting, the translation memory, the glossary, fallbacks and alignment live in ``translator.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from osiwire.errors import OsiwireError


class TranslateError(OsiwireError):
    """A translation could not be made; the message names the engine (and the release where known)."""


class EngineUnavailable(TranslateError):
    """The engine is down, timed out, rate-limited or not installed: try another engine or later."""


class UnsupportedPair(TranslateError):
    """The engine has no model for this language pair."""


class BadResponse(TranslateError):
    """The engine answered, but not with one translation per input sentence."""


@dataclass(frozen=True, slots=True)
class EngineOutput:
    """One translated sentence as the engine returned it."""

    text: str
    confidence: float | None = None  # 0..1; None when the engine gives no score


class Engine(Protocol):
    """A translation engine: stateless apart from loaded models and HTTP clients."""

    name: str  # "ctranslate2" | "libretranslate" | "openai" | "none"

    def model_id(self, source_lang: str, target_lang: str) -> str:
        """The id of the model that would translate this pair (recorded with every sentence)."""
        ...

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Whether this engine can translate the pair (without translating anything)."""
        ...

    def translate(
        self,
        sentences: Sequence[str],
        source_lang: str,
        target_lang: str,
        glossary: Mapping[str, str] | None = None,
    ) -> list[EngineOutput]:
        """Exactly one output per input sentence, in order.

        ``glossary`` maps source terms to the exact target terms; engines that can carry it (LLM prompts)
        use it, the others ignore it (the translator protects terms with placeholders for them).
        Raises EngineUnavailable, UnsupportedPair or BadResponse.
        """
        ...

    def close(self) -> None:
        """Release models and connections."""
        ...
