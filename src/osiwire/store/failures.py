"""Items a pipeline stage failed on: recorded per (stage, item), cleared when the stage next succeeds."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, true, update

from osiwire.store.database import Database
from osiwire.store.schema import stage_failures

MAX_ERROR_CHARS = 500  # one line of a log or a table cell, not a traceback
# A failed item is retried by the passes after this long, doubled per attempt (1, 2, 4 ... minutes, capped):
# a stage that fails on one text fails on it again until the code changes, so retries must stay cheap.
RETRY_AFTER = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class StageFailure:
    """The last failure of one stage on one item."""

    stage: str
    item: str
    error: str
    attempts: int
    first_failed_at: datetime
    failed_at: datetime
    release_id: int | None = None
    version_no: int | None = None
    source_id: int | None = None

    @property
    def retry_at(self) -> datetime:
        delay: timedelta = min(RETRY_AFTER * 2 ** min(self.attempts - 1, 20), MAX_RETRY_DELAY)
        return self.failed_at + delay


@dataclass(frozen=True, slots=True)
class StageSummary:
    """How many items a stage has failed on (for one source, or all), and its newest error."""

    stage: str
    count: int
    last_error: str
    last_failed_at: datetime


def one_line(error: str) -> str:
    """An error message as one line of at most ``MAX_ERROR_CHARS`` characters."""
    line = " ".join(error.split())
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"


def _row(row: Row[Any]) -> StageFailure:
    return StageFailure(
        stage=row.stage,
        item=row.item,
        error=row.error,
        attempts=row.attempts,
        first_failed_at=row.first_failed_at,
        failed_at=row.failed_at,
        release_id=row.release_id,
        version_no=row.version_no,
        source_id=row.source_id,
    )


class Failures:
    """The ``stage_failures`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        stage: str,
        item: str,
        error: str,
        now: datetime,
        *,
        release_id: int | None = None,
        version_no: int | None = None,
        source_id: int | None = None,
    ) -> None:
        """Record (or count again) a failure of ``stage`` on ``item``."""
        values = {
            "error": one_line(error) or "unknown error",
            "failed_at": now,
            "release_id": release_id,
            "version_no": version_no,
            "source_id": source_id,
        }
        where = (stage_failures.c.stage == stage) & (stage_failures.c.item == item)
        with self._db.writing() as conn:
            done = conn.execute(
                update(stage_failures).where(where).values(attempts=stage_failures.c.attempts + 1, **values)
            )
            if not done.rowcount:
                conn.execute(
                    insert(stage_failures).values(
                        stage=stage, item=item, attempts=1, first_failed_at=now, **values
                    )
                )

    def clear(self, stage: str, items: Collection[str]) -> int:
        """The stage succeeded on these items: forget their failures; how many there were."""
        if not items:
            return 0
        with self._db.writing() as conn:
            return conn.execute(
                delete(stage_failures).where(
                    (stage_failures.c.stage == stage) & stage_failures.c.item.in_(list(items))
                )
            ).rowcount

    def clear_stages(self, stages: Iterable[str], items: Collection[str]) -> int:
        return sum(self.clear(stage, items) for stage in stages)

    def any(self) -> bool:
        with self._db.reading() as conn:
            return conn.execute(select(stage_failures.c.id).limit(1)).first() is not None

    def find(
        self,
        stage: str | None = None,
        *,
        source_id: int | None = None,
        due_at: datetime | None = None,
        limit: int = 1000,
    ) -> list[StageFailure]:
        """Failures, newest first; with ``due_at``, only those whose retry time has come."""
        stmt = select(stage_failures).order_by(stage_failures.c.failed_at.desc(), stage_failures.c.id.desc())
        if stage is not None:
            stmt = stmt.where(stage_failures.c.stage == stage)
        if source_id is not None:
            stmt = stmt.where(stage_failures.c.source_id == source_id)
        with self._db.reading() as conn:
            found = [_row(r) for r in conn.execute(stmt.limit(limit if due_at is None else limit * 10))]
        if due_at is not None:
            found = [f for f in found if f.retry_at <= due_at][:limit]
        return found

    def summary(self, source_id: int | None = None) -> list[StageSummary]:
        """Per stage: how many items failed and the newest error (of one source, or of all)."""
        newest = func.max(stage_failures.c.failed_at)
        stmt = select(stage_failures.c.stage, func.count(), newest).group_by(stage_failures.c.stage)
        if source_id is not None:
            stmt = stmt.where(stage_failures.c.source_id == source_id)
        out = []
        with self._db.reading() as conn:
            for stage, count, last_at in conn.execute(stmt.order_by(stage_failures.c.stage)).all():
                last = conn.execute(
                    select(stage_failures.c.error, stage_failures.c.failed_at)
                    .where(stage_failures.c.stage == stage)
                    .where(true() if source_id is None else stage_failures.c.source_id == source_id)
                    .order_by(stage_failures.c.failed_at.desc(), stage_failures.c.id.desc())
                    .limit(1)
                ).one()
                out.append(StageSummary(stage, int(count), last.error, last.failed_at or last_at))
        return out
