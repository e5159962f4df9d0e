"""Pipeline stage timings: totals per stage (counters for ``/metrics``) and a short log of passes.

The pipeline counts in memory (``timing.StageTimer``) and writes here once per pass, in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, type_coerce, update

from osiwire.store.database import Database
from osiwire.store.schema import UTCDateTime, pipeline_runs, pipeline_stages
from osiwire.timing import StageTime

RUN_LOG_KEPT = 10_000  # passes kept in the log: weeks of a busy registry, a few MB at most
RUN_KINDS = ("source", "import", "alerts")


@dataclass(frozen=True, slots=True)
class StageTotal:
    """What a stage did over every pass recorded."""

    stage: str
    passes: int
    items: int
    seconds: float


@dataclass(frozen=True, slots=True)
class PipelineRun:
    """One recorded pass."""

    id: int
    kind: str
    source_id: int | None
    started_at: datetime
    finished_at: datetime
    stages: dict[str, StageTime]


class PipelineStats:
    """Writing and reading the stage timings."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        kind: str,
        started: datetime,
        finished: datetime,
        times: Mapping[str, StageTime],
        *,
        source_id: int | None = None,
    ) -> None:
        """Add one pass's stage times to the totals and log the pass."""
        with self._db.writing() as conn:
            known = {
                str(r.stage): r
                for r in conn.execute(select(pipeline_stages).where(pipeline_stages.c.stage.in_(list(times))))
            }
            for stage, spent in times.items():
                row = known.get(stage)
                if row is None:
                    conn.execute(
                        insert(pipeline_stages).values(
                            stage=stage,
                            passes=1,
                            item_count=spent.items,
                            seconds=spent.seconds,
                            updated_at=finished,
                        )
                    )
                else:
                    conn.execute(
                        update(pipeline_stages)
                        .where(pipeline_stages.c.stage == stage)
                        .values(
                            passes=pipeline_stages.c.passes + 1,
                            item_count=pipeline_stages.c.item_count + spent.items,
                            seconds=pipeline_stages.c.seconds + spent.seconds,
                            updated_at=finished,
                        )
                    )
            logged = conn.execute(
                insert(pipeline_runs).values(
                    kind=kind,
                    source_id=source_id,
                    started_at=started,
                    finished_at=finished,
                    stages=json.dumps({k: [v.items, round(v.seconds, 6)] for k, v in times.items()}),
                )
            ).inserted_primary_key
            assert logged is not None
            conn.execute(delete(pipeline_runs).where(pipeline_runs.c.id <= int(logged[0]) - RUN_LOG_KEPT))

    def totals(self) -> list[StageTotal]:
        """Every stage's totals, by stage name."""
        with self._db.reading() as conn:
            rows = conn.execute(select(pipeline_stages).order_by(pipeline_stages.c.stage)).all()
        return [StageTotal(r.stage, int(r.passes), int(r.item_count), float(r.seconds)) for r in rows]

    def last_finished(self) -> dict[str, datetime]:
        """When the last pass of each kind finished."""
        last = type_coerce(func.max(pipeline_runs.c.finished_at), UTCDateTime)
        with self._db.reading() as conn:
            rows = conn.execute(
                select(pipeline_runs.c.kind, last.label("last")).group_by(pipeline_runs.c.kind)
            ).all()
        return {str(r.kind): r.last for r in rows}

    def runs(self, limit: int = 50) -> list[PipelineRun]:
        """The latest passes, newest first."""
        stmt = select(pipeline_runs).order_by(pipeline_runs.c.id.desc()).limit(max(1, limit))
        with self._db.reading() as conn:
            rows = conn.execute(stmt).all()
        return [
            PipelineRun(
                r.id,
                r.kind,
                r.source_id,
                r.started_at,
                r.finished_at,
                {k: StageTime(int(v[0]), float(v[1])) for k, v in json.loads(r.stages).items()},
            )
            for r in rows
        ]
