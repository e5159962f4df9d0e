"""osiwire worker / osiwire jobs: the pipeline's stages as procrastinate tasks on PostgreSQL."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import Any

import click

from osiwire.cli.base import Context, cli, errors_as_lines, fail, to_json
from osiwire.workers import JOB_STATUSES


@cli.command("worker")
@click.option(
    "--queues",
    default="fetch,enrich,stories,translate,alerts",
    show_default=True,
    help="Comma-separated queues this worker takes (a GPU machine: translate).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Jobs run at once in this process (threads: for fetching; start more workers for CPU).",
)
@click.option(
    "--once",
    is_flag=True,
    help="Queue the due sources, then stop when the queues are empty instead of waiting.",
)
@click.option(
    "--stalled-after",
    type=click.FloatRange(2, 3600),
    default=30,
    show_default=True,
    help="Seconds without a heartbeat after which a worker counts as dead and its running jobs are queued again.",
)
@click.pass_obj
def worker(obj: Context, queues: str, concurrency: int, once: bool, stalled_after: float) -> None:
    """Take jobs from the PostgreSQL job queue and run them, until stopped (Ctrl-C, SIGTERM)."""
    from osiwire.workers.app import connected, parse_queues, run_worker
    from osiwire.workers.tasks import defer, start_runtime, stop_runtime

    with errors_as_lines():
        wanted = parse_queues(queues)
        with connected(obj.settings.database) as app:
            start_runtime(obj.settings, stalled_after)
            try:
                if (
                    once
                ):  # periodic tasks run once a minute across workers: look at sources and dead workers now
                    now = int(datetime.now(UTC).timestamp())
                    defer("schedule", "schedule", timestamp=now)
                    defer("retry_stalled", "retry_stalled", timestamp=now)
                run_worker(
                    app,
                    wanted,
                    concurrency=concurrency,
                    once=once,
                    name=f"osiwire@{socket.gethostname()}:{os.getpid()}",
                    stalled_after=stalled_after,
                )
            finally:
                stop_runtime()


@cli.group("jobs", invoke_without_command=True)
@click.option("--status", type=click.Choice(JOB_STATUSES), default="failed", show_default=True)
@click.option("--queue", default=None, help="Only this queue.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON array.")
@click.pass_context
def jobs(ctx: click.Context, status: str, queue: str | None, limit: int, as_json: bool) -> None:
    """Jobs of the queue in one status (failed ones by default), newest first; `jobs retry ID` runs one again."""
    if ctx.invoked_subcommand is not None:
        return
    from osiwire.workers.app import connected

    obj: Context = ctx.obj
    with errors_as_lines(), connected(obj.settings.database) as app:
        found = app.job_manager.list_jobs(status=status, queue=queue)
    rows = [_job_row(job) for job in sorted(found, key=lambda j: j.id or 0, reverse=True)[:limit]]
    if as_json:
        click.echo(to_json(rows))
        return
    if not rows:
        click.echo(f"no {status} jobs")
    for row in rows:
        args = " ".join(f"{k}={v}" for k, v in row["args"].items())
        click.echo(
            f"#{row['id']} {row['status']} {row['queue']}/{row['task']} {args} (tries: {row['attempts']})"
        )


@jobs.command("retry")
@click.argument("job_ids", nargs=-1, type=int, required=True)
@click.pass_obj
def jobs_retry(obj: Context, job_ids: tuple[int, ...]) -> None:
    """Queue failed jobs again, to run now."""
    from osiwire.workers.app import connected

    with errors_as_lines(), connected(obj.settings.database) as app:
        for job_id in job_ids:
            found = app.job_manager.list_jobs(id=job_id)
            if not found:
                fail(f"job {job_id}: no such job")
            if found[0].status not in ("failed", "doing"):
                fail(f"job {job_id}: {found[0].status}, not failed: nothing to retry")
            app.job_manager.retry_job_by_id(job_id, retry_at=datetime.now(UTC))
            click.echo(f"job {job_id}: queued again")


def _job_row(job: Any) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "queue": job.queue,
        "task": job.task_name,
        "args": job.task_kwargs,
        "attempts": job.attempts,
        "scheduled_at": job.scheduled_at,
    }
