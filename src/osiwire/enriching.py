"""Enrichment as the pipeline runs it: the enricher loaded once, results stored, names handed to translation."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from osiwire.config import Settings
from osiwire.enrich.enricher import Enricher
from osiwire.errors import OsiwireError
from osiwire.model import Article, Enrichment, PersonName
from osiwire.progress import NoProgress, Progress
from osiwire.store import Store

if TYPE_CHECKING:
    from osiwire.failing import FailureLog

logger = logging.getLogger(__name__)


def _path(data_dir: Path, value: str) -> Path | None:
    return (data_dir / value) if value else None


def glossary_names(people: tuple[PersonName, ...]) -> dict[str, str]:
    """Source → English spellings of people's names, for the translation glossary (full, short and surname)."""
    from osiwire.enrich.transliteration import transliterate

    terms: dict[str, str] = {}
    for name in people:
        if not name.last or not name.first:
            continue  # a surname alone is too ambiguous to force ("Иванов")
        first, last = transliterate(name.first), transliterate(name.last)
        if name.patronymic:
            terms[f"{name.first} {name.patronymic} {name.last}"] = (
                f"{first} {transliterate(name.patronymic)} {last}"
            )
        terms[f"{name.first} {name.last}"] = f"{first} {last}"
    return terms


def build_enricher(settings: Settings) -> Enricher:
    """The enricher the settings describe (models load on first use)."""
    cfg, data_dir = settings.enrich, settings.data_dir
    return Enricher(
        topics_file=_path(data_dir, cfg.topics_file),
        countries_file=_path(data_dir, cfg.countries_file),
        max_chars=cfg.max_chars,
    )


class Enriching:
    """The enricher for one process, and where its results go."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._enricher: Enricher | None = None
        self._countries: dict[int, str] = {}  # source id -> its configured country

    @property
    def enricher(self) -> Enricher:
        if self._enricher is None:
            self._enricher = build_enricher(self.settings)
        return self._enricher

    def enrich(self, article: Article, release_id: int, version_no: int) -> Enrichment:
        """Enrich one stored version and store what was found."""
        enrichment = self.enricher.enrich(article, self._source_country(article))
        self.save(release_id, version_no, enrichment)
        return enrichment

    def _source_country(self, article: Article) -> str:
        """The configured country of the article's source (a stored release carries its source's id only)."""
        if article.source_country or article.source_id is None:
            return article.source_country
        if article.source_id not in self._countries:
            try:
                self._countries[article.source_id] = self.store.sources.get(article.source_id).country
            except OsiwireError:  # the source was removed: its releases stay
                self._countries[article.source_id] = ""
        return self._countries[article.source_id]

    def save(self, release_id: int, version_no: int, enrichment: Enrichment) -> None:
        """Store what was found in one stored version (by this process, or by a worker process)."""
        self.store.enrichments.save(release_id, version_no, enrichment, datetime.now(UTC))

    def enrich_due(
        self,
        *,
        everything: bool = False,
        progress: Progress | None = None,
        failures: FailureLog | None = None,
    ) -> int:
        """Enrich stored releases not enriched yet (all with ``everything``); how many were (those the stage
        failed on are recorded as failed and left for ``retry``)."""
        from osiwire.failing import FailureLog
        from osiwire.translating import article_from_version

        progress = progress or NoProgress()
        failures = failures or FailureLog(self.store)
        due = self.store.enrichments.due(everything=everything)
        progress.add_total(len(due))
        done: list[str] = []
        for release_id, version_no in due:
            release = self.store.releases.get(release_id)
            article = article_from_version(release, release.versions[version_no - 1])
            try:
                self.enrich(article, release_id, version_no)
                done.append(article.url)
            except Exception as exc:  # this release fails alone: recorded, retried by `enrich --failed`
                failures.failed(
                    "enrich",
                    article.url,
                    exc,
                    release_id=release_id,
                    version_no=version_no,
                    source_id=article.source_id,
                )
            progress.advance()
        failures.succeeded(("enrich",), done)
        return len(done)
