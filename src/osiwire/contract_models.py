"""What the contract commands (``analyze``, ``compare``) load once: the language detector, and the enricher
on first use (a batch that fails before its first document never loads the NER models)."""

from __future__ import annotations

from osiwire.config import Settings
from osiwire.enrich.enricher import Enricher
from osiwire.extract.language import LanguageDetector, get_detector


class ContractModels:
    """The settings' detector and enricher, shared by the documents of one batch."""

    def __init__(self, settings: Settings, detector: LanguageDetector | None = None) -> None:
        self.settings = settings
        self.detector = detector or get_detector()
        self._enricher: Enricher | None = None

    @property
    def enricher(self) -> Enricher:
        if self._enricher is None:
            from osiwire.enriching import (
                build_enricher,
            )  # the store's modules, only when a document needs them

            self._enricher = build_enricher(self.settings)
        return self._enricher
