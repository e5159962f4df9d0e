"""The job queue as the web's admin page reads it: jobs by status, and a failed job queued again.

Read straight from procrastinate's table through the store's own connections (no job-queue connector in the web
server); a retry goes through procrastinate's own SQL function, as ``osiwire jobs retry`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text

from osiwire.store.database import Database


@dataclass(frozen=True, slots=True)
class JobRow:
    """One job of the queue."""

    id: int
    status: str
    queue: str
    task: str
    args: dict[str, Any]
    attempts: int
    scheduled_at: datetime | None


def has_queue(db: Database) -> bool:
    """Whether the store is on PostgreSQL and its job tables exist (a worker created them)."""
    if db.dialect != "postgresql":
        return False
    with db.reading() as conn:
        return bool(conn.execute(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar())


def count_jobs(db: Database) -> dict[tuple[str, str], int]:
    """(queue, status) → how many jobs."""
    stmt = text("SELECT queue_name, status::text, count(*) FROM procrastinate_jobs GROUP BY 1, 2")
    with db.reading() as conn:
        return {(str(q), str(s)): int(n) for q, s, n in conn.execute(stmt)}


def list_jobs(db: Database, status: str, limit: int = 100) -> list[JobRow]:
    """Jobs in ``status``, newest first."""
    stmt = text(
        "SELECT id, status::text, queue_name, task_name, args, attempts, scheduled_at FROM procrastinate_jobs "
        "WHERE status = CAST(:status AS procrastinate_job_status) ORDER BY id DESC LIMIT :limit"
    )
    with db.reading() as conn:
        rows = conn.execute(stmt, {"status": status, "limit": limit})
        return [JobRow(int(r[0]), r[1], r[2], r[3], dict(r[4] or {}), int(r[5]), r[6]) for r in rows]


def retry_job(db: Database, job_id: int, now: datetime) -> bool:
    """Queue a failed job again, to run at ``now``; whether it was failed."""
    with db.writing() as conn:
        found = conn.execute(
            text("SELECT status::text FROM procrastinate_jobs WHERE id = :id FOR UPDATE"), {"id": job_id}
        ).scalar()
        if found != "failed":
            return False
        conn.execute(
            text("SELECT procrastinate_retry_job_v2(:id, :at, NULL, NULL, NULL)"), {"id": job_id, "at": now}
        )
    return True
