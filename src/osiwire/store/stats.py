"""What the store holds and what waits for the pipeline, counted (for ``/metrics``): COUNT queries that use
indexes (tests/test_ops.py checks their query plans), each in one snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select

from osiwire.extract.language import UNDETERMINED
from osiwire.store.database import Database
from osiwire.store.schema import (
    alert_events,
    enrichments,
    releases,
    sources,
    translations,
    versions,
)


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """Counts of what is stored."""

    releases: int
    versions: int
    sources_ok: int  # no error since the last successful check
    sources_failing: int  # one or more errors in a row
    fetch_errors: int  # consecutive failed checks, summed over sources
    enriched_releases: int  # releases whose current version is enriched
    translations: dict[str, int] = field(default_factory=dict)  # by status


def _count(conn: Connection, stmt: Select[Any]) -> int:
    return int(conn.execute(stmt).scalar_one())


def store_counts(db: Database) -> StoreCounts:
    """Count releases, versions, sources by health, fetch errors, translations by status, enriched releases."""
    current = and_(versions.c.release_id == releases.c.id, versions.c.version_no == releases.c.version_count)
    failing = sources.c.error_count > 0
    with db.reading() as conn:
        by_status = {
            str(status): int(n)
            for status, n in conn.execute(
                select(translations.c.status, func.count()).group_by(translations.c.status)
            )
        }
        return StoreCounts(
            releases=_count(conn, select(func.count()).select_from(releases)),
            versions=_count(conn, select(func.count()).select_from(versions)),
            sources_ok=_count(conn, select(func.count()).select_from(sources).where(~failing)),
            sources_failing=_count(conn, select(func.count()).select_from(sources).where(failing)),
            fetch_errors=_count(conn, select(func.coalesce(func.sum(sources.c.error_count), 0))),
            enriched_releases=_count(
                conn,
                select(func.count())
                .select_from(enrichments.join(versions, versions.c.id == enrichments.c.version_id))
                .join(releases, current),
            ),
            translations=by_status,
        )


@dataclass(frozen=True, slots=True)
class QueueDepths:
    """What waits for a stage of the pipeline."""

    not_enriched: int  # current versions with no enrichment
    not_translated: int  # current versions in another language than the target, never translated
    translation_retries: int  # failed or partial translations waiting for their retry time
    alerts_undelivered: int  # fired alerts whose webhook is still to be sent (first try or a retry)
    alerts_retrying: int  # of those, the ones that failed at least once
    sources_due: int  # enabled sources whose next check time has come


def _current_versions() -> Any:
    return versions.join(
        releases,
        and_(releases.c.id == versions.c.release_id, releases.c.version_count == versions.c.version_no),
    )


def queue_statements(target_language: str, now: datetime) -> dict[str, Select[Any]]:
    """The COUNT query of each queue (exposed for the query-plan test)."""
    # Undetermined releases ("und") have no language to translate from: they wait for nothing.
    wanted = releases.c.language.not_in([target_language, "", UNDETERMINED])
    translated = _current_versions().outerjoin(
        translations,
        and_(translations.c.version_id == versions.c.id, translations.c.target_language == target_language),
    )
    # Delivered and given-up alerts have no next attempt (store/alerts.py): the index alone answers.
    undelivered = alert_events.c.next_attempt_at.is_not(None)
    return {
        "not_enriched": select(func.count())
        .select_from(_current_versions().outerjoin(enrichments, enrichments.c.version_id == versions.c.id))
        .where(enrichments.c.version_id.is_(None)),
        "not_translated": select(func.count())
        .select_from(translated)
        .where(wanted, translations.c.id.is_(None)),
        "translation_retries": select(func.count())
        .select_from(translations)
        .where(
            translations.c.status.in_(["failed", "partial"]),
            translations.c.retry_at.is_not(None),
            translations.c.target_language == target_language,
        ),
        "alerts_undelivered": select(func.count()).select_from(alert_events).where(undelivered),
        "alerts_retrying": select(func.count())
        .select_from(alert_events)
        .where(undelivered, alert_events.c.attempts > 0),
        "sources_due": select(func.count())
        .select_from(sources)
        .where(
            sources.c.enabled.is_(True),
            or_(sources.c.next_check_at.is_(None), sources.c.next_check_at <= now),
        ),
    }


def queue_depths(db: Database, target_language: str, now: datetime) -> QueueDepths:
    """Count what waits for each stage: enrichment, translation into ``target_language``, alert delivery, fetch."""
    statements = queue_statements(target_language, now)
    with db.reading() as conn:
        return QueueDepths(**{name: _count(conn, stmt) for name, stmt in statements.items()})
