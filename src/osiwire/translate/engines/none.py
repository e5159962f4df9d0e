"""The ``none`` engine: hands every sentence back unchanged, so the pipeline runs with no engine installed.

The translator marks its sentences ``translated=False`` (engine "none", model "") and never stores them in the
translation memory: the UI and exports say plainly that the text is the original.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from osiwire.translate.base import EngineOutput


class NoneEngine:
    """Returns its input: the last resort of every fallback order."""

    name = "none"

    def model_id(self, source_lang: str, target_lang: str) -> str:
        """No model: always ""."""
        return ""

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Every pair: keeping the original needs no model."""
        return True

    def translate(
        self,
        sentences: Sequence[str],
        source_lang: str,
        target_lang: str,
        glossary: Mapping[str, str] | None = None,
    ) -> list[EngineOutput]:
        """One output per sentence, equal to it, without a confidence."""
        return [EngineOutput(text=sentence, confidence=None) for sentence in sentences]

    def close(self) -> None:
        """Nothing to release."""
