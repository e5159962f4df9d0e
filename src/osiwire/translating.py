"""Translation as the pipeline runs it: build the translator once, translate new versions, schedule retries.

The translate stage itself (``translate/translator.py``) knows nothing of the store; this module connects it to
the stored releases, the database-backed translation memory and the retry schedule.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from osiwire.config import Settings
from osiwire.extract.language import UNDETERMINED, LanguageDetector
from osiwire.model import Article, Release, Translation, Version
from osiwire.progress import NoProgress, Progress
from osiwire.store import Store
from osiwire.store.memory import SqlMemory
from osiwire.translate.glossary import load_glossary
from osiwire.translate.registry import NONE_ENGINE, EngineSet, build_engines
from osiwire.translate.translator import Translator

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(days=7)  # a release that keeps failing is still retried weekly
# Without an engine for a language, whether the memory holds human translations from it is asked at most this
# often (the query reads the whole memory when none do); a TMX imported meanwhile is used after this.
HUMAN_RECHECK_S = 60.0


@dataclass
class TranslateReport:
    """What a translation run did."""

    releases: int = 0
    complete: int = 0
    partial: int = 0
    untranslated: int = 0
    sentences: int = 0
    from_memory: int = 0
    skipped_no_engine: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, translation: Translation) -> None:
        self.releases += 1
        setattr(self, translation.status, getattr(self, translation.status) + 1)
        self.sentences += sum(1 for p in translation.sentences if p.translated)
        self.from_memory += sum(1 for p in translation.sentences if p.from_memory)
        if translation.error:
            self.errors.append(translation.error)


def article_from_version(release: Release, version: Version) -> Article:
    """A stored version as the Article the stages take."""
    return Article(
        url=release.url,
        title=version.title,
        language=version.language,
        segments=version.segments,
        content_hash=version.content_hash,
        fetched_at=version.fetched_at,
        published=version.published,
        author=version.author,
        source_id=release.source.id if release.source else None,
    )


class Translating:
    """The translator for one process, with the store's memory and the retry schedule."""

    def __init__(
        self, settings: Settings, store: Store, detector: LanguageDetector, engines: EngineSet | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.target = settings.translate.target_language
        self.engines = engines or build_engines(settings.translate, settings.data_dir / "models")
        self._detector = detector
        self._translator: Translator | None = None
        self._warned: set[str] = set()
        # language -> (whether the memory has human translations from it, when that was asked)
        self._human: dict[str, tuple[bool, float]] = {}

    @property
    def translator(self) -> Translator:
        if self._translator is None:
            glossary = load_glossary(self.settings.translate, self.settings.data_dir)
            self._translator = Translator(
                self.engines, SqlMemory(self.store.db), glossary, self._detector, self.target
            )
        return self._translator

    def can_translate(self, language: str) -> bool:
        """Whether a real engine (not ``none``) is there for ``language`` → target."""
        if not language or language in (self.target, UNDETERMINED):
            return False  # nothing to translate, or no language to translate from
        if any(e.name != NONE_ENGINE for e in self.engines.order_for(language, self.target)):
            return True
        if self._has_human(language):
            return True  # human translations from the memory, the rest left in the original
        if language not in self._warned:
            self._warned.add(language)
            skipped = self.engines.unavailable()
            reasons = "; ".join(
                f"{name}: {skipped.get(name, 'no model for this pair')}"
                for name in self.engines.names_for(language, self.target)
                if name != NONE_ENGINE
            )
            logger.warning(
                "no translation engine for %s→%s (%s); install one with `osiwire models install %s %s`",
                language,
                self.target,
                reasons,
                language,
                self.target,
            )
        return False

    def _wants_engine(self, language: str) -> bool:
        """Whether releases in ``language`` would be translated if an engine were installed."""
        return language not in ("", UNDETERMINED, self.target)

    def _has_human(self, language: str) -> bool:
        """Whether the memory holds human translations from ``language`` (asked again after a while)."""
        answer, at = self._human.get(language, (False, -math.inf))
        if time.monotonic() - at > HUMAN_RECHECK_S:
            answer = SqlMemory(self.store.db).has_human(language, self.target)
            self._human[language] = (answer, time.monotonic())
        return answer

    def translate(
        self,
        article: Article,
        release_id: int,
        version_no: int,
        *,
        names: Mapping[str, str] | None = None,
        now: datetime | None = None,
    ) -> Translation:
        """Translate one stored version and store the result (with a retry time when it is not complete).

        ``names``: people's names found by the enrich stage (source → English), kept exactly in the output.
        """
        now = now or datetime.now(UTC)
        glossary = None
        if names:
            glossary = self.translator.glossary.with_terms(names, "people", article.language, self.target)
        translation = self.translator.translate_article(article, glossary)
        if not any(p.translated for p in translation.sentences) and not any(
            e.name != NONE_ENGINE for e in self.engines.order_for(article.language, self.target)
        ):
            # Only the memory's human translations could have served it, and none did: nothing to store (the
            # view keeps saying which engine to install).
            return translation
        retry_at = None
        if translation.status != "complete":
            attempts = self.store.translations.attempts(release_id, version_no, self.target)
            delay = timedelta(seconds=self.settings.translate.retry_after_s) * (2**attempts)
            retry_at = now + min(delay, MAX_RETRY_DELAY)
        self.store.translations.save(release_id, version_no, translation, now, retry_at=retry_at)
        return translation

    def translate_due(
        self,
        *,
        since: datetime | None = None,
        everything: bool = False,
        progress: Progress | None = None,
    ) -> TranslateReport:
        """Translate stored releases that need it (all of them with ``everything``), newest first."""
        from osiwire.failing import FailureLog

        progress = progress or NoProgress()
        report = TranslateReport()
        failures = FailureLog(self.store)
        now = datetime.now(UTC)
        stored = self.store.translations.stored_languages()
        able = [language for language in stored if self.can_translate(language)]
        unable = [language for language in stored if language not in able and self._wants_engine(language)]
        if unable:  # releases no engine can translate: counted, not loaded
            report.skipped_no_engine = self.store.translations.count_due(
                self.target, now, since=since, everything=everything, languages=unable
            )
        due = self.store.translations.due(
            self.target, now, since=since, everything=everything, languages=able
        )
        progress.add_total(len(due))
        for release_id, version_no in due:
            release = self.store.releases.get(release_id)
            version = release.versions[version_no - 1]
            if self.can_translate(version.language):
                article = article_from_version(release, version)
                try:
                    names = self.names(release_id, version_no)
                    report.count(self.translate(article, release_id, version_no, names=names))
                    failures.succeeded(("translate",), [article.url])
                except Exception as exc:  # this release fails alone: recorded, retried by --failed
                    report.errors.append(
                        failures.failed(
                            "translate",
                            article.url,
                            exc,
                            release_id=release_id,
                            version_no=version_no,
                            source_id=article.source_id,
                        )
                    )
            else:  # its language changed since the list was read
                report.skipped_no_engine += self._wants_engine(version.language)
            progress.advance()
        return report

    def names(self, release_id: int, version_no: int) -> dict[str, str]:
        """The names the enrich stage found in a stored version, for the glossary."""
        if not self.settings.enrich.names_in_glossary:
            return {}
        from osiwire.enriching import glossary_names

        enrichment = self.store.enrichments.get(release_id, version_no)
        return glossary_names(enrichment.people) if enrichment else {}

    def close(self) -> None:
        self.engines.close()
