"""Stages that failed on stored releases, run again: at the end of each pass, and by ``--failed``.

Pages that could not be fetched or extracted are not stored: a source's next pass fetches them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from osiwire.alerts.evaluate import evaluate_new
from osiwire.alerts.watches import thresholds
from osiwire.errors import OsiwireError
from osiwire.failing import RELEASE_STAGES
from osiwire.model import Article
from osiwire.progress import NoProgress, Progress

if TYPE_CHECKING:
    from osiwire.pipeline import Pipeline

RETRY_PER_PASS = 50  # failed releases retried per stage at the end of a pass: a pass must stay short


@dataclass
class RetryReport:
    """What a retry of failed stages did."""

    succeeded: int = 0
    failed: int = 0


def retry_failed(
    pipeline: Pipeline,
    stages: Sequence[str] = RELEASE_STAGES,
    *,
    due_only: bool = True,
    limit: int = RETRY_PER_PASS,
    progress: Progress | None = None,
) -> RetryReport:
    """Run again, on each release's current version, the ``stages`` that failed on it (those whose retry time
    has come, or all of them)."""
    from osiwire.translating import article_from_version

    store = pipeline.store
    progress = progress or NoProgress()
    report = RetryReport()
    now = datetime.now(UTC)
    todo = [
        failure
        for stage in stages
        for failure in store.failures.find(stage, due_at=now if due_only else None, limit=limit)
        if failure.release_id is not None
    ]
    progress.add_total(len(todo))
    for failure in todo:
        assert failure.release_id is not None
        try:
            release = store.releases.get(failure.release_id)
        except OsiwireError:  # deleted since
            store.failures.clear(failure.stage, [failure.item])
            continue
        version = release.versions[-1]  # the current version: an older one failing matters no more
        article = article_from_version(release, version)
        if _retry(pipeline, failure.stage, article, release.id, version.version_no):
            pipeline.failures.succeeded((failure.stage,), [failure.item])
            report.succeeded += 1
        else:
            report.failed += 1
        progress.advance()
    return report


def _retry(pipeline: Pipeline, stage: str, article: Article, release_id: int, version_no: int) -> bool:
    try:
        if stage == "enrich":
            pipeline.enriching.enrich(article, release_id, version_no)
        elif stage == "stories":
            pipeline.storying.place(article, release_id, article.fetched_at)
        elif stage == "translate":
            if pipeline.translating.can_translate(article.language):
                names = pipeline.translating.names(release_id, version_no)
                pipeline.translating.translate(article, release_id, version_no, names=names)
        elif stage == "alerts":
            evaluate_new(pipeline.store, release_id, thresholds=thresholds(pipeline.settings))
        else:
            raise ValueError(f"no retry for stage {stage!r}")
        return True
    except Exception as exc:  # failed again: counted on its record, retried later
        pipeline.failures.failed(
            stage,
            article.url,
            exc,
            release_id=release_id,
            version_no=version_no,
            source_id=article.source_id,
        )
        return False
