"""The bilingual view of a release: each paragraph as rows of (original sentence, its translation)."""

from __future__ import annotations

from dataclasses import dataclass

from osiwire.model import SentencePair, Translation, Version
from osiwire.translate.memory import HUMAN_ENGINE

# Below this per-token probability a sentence is marked for the reader to check. CTranslate2's normalised
# scores on real OPUS-MT output mostly sit above 0.6; garbled output falls well below 0.4.
LOW_CONFIDENCE = 0.5


@dataclass(frozen=True, slots=True)
class BilingualParagraph:
    """One segment: its language and its aligned sentence pairs (or its text alone when untranslated)."""

    position: int
    kind: str
    language: str
    text: str
    pairs: tuple[SentencePair, ...]


def bilingual_rows(version: Version, translation: Translation | None) -> list[BilingualParagraph]:
    """The shown version's segments with their sentence pairs; empty when there is nothing translated."""
    if translation is None or not any(p.translated for p in translation.sentences):
        return []
    by_segment: dict[int, list[SentencePair]] = {}
    for pair in translation.sentences:
        by_segment.setdefault(pair.segment, []).append(pair)
    return [
        BilingualParagraph(s.position, s.kind, s.language, s.text, tuple(by_segment.get(s.position, ())))
        for s in version.segments
    ]


@dataclass(frozen=True, slots=True)
class TranslationSources:
    """Who made the shown translation: people (from the memory), engines, or both, for the view's legend."""

    human: int  # sentence pairs a person translated
    machine: int  # sentence pairs an engine translated
    origins: tuple[str, ...]  # where the human translations came from (TMX file, tool), in order


def translation_sources(translation: Translation | None) -> TranslationSources:
    """How many shown pairs are human and machine translations, and the human ones' origins."""
    pairs = [p for p in translation.sentences if p.translated] if translation else []
    human = [p for p in pairs if p.engine == HUMAN_ENGINE]
    return TranslationSources(
        len(human), len(pairs) - len(human), tuple(dict.fromkeys(p.model for p in human if p.model))
    )
