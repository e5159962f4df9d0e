"""What the store holds, counted (for ``/metrics``): a few COUNT queries in one snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select

from osiwire.store.database import Database
from osiwire.store.schema import enrichments, releases, sources, translations, versions


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
