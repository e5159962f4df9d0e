"""The procrastinate app on osiwire's PostgreSQL database: its connector, schema and queues."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import ConnectorException
from procrastinate.schema import SchemaManager
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from osiwire.errors import OsiwireError

# One queue per kind of work, so each machine takes what it is good at (a GPU machine: translate).
QUEUES = ("fetch", "enrich", "stories", "translate", "alerts")
SCHEMA_LOCK = 0x6F736977  # "osiw": the advisory lock workers starting at once take to create the job tables
CONNECT_TIMEOUT_S = 10
RECONNECT_WAITS_S = (1, 2, 5, 10, 30)  # after the database was lost, tries to start again this far apart
RECONNECT_RESET_S = 60  # a worker that ran this long before losing the database starts the waits anew

logger = logging.getLogger(
    __name__
)  # the database must answer this fast when a worker or `osiwire jobs` starts


class WorkerError(OsiwireError):
    """Workers cannot run here (not PostgreSQL, the database unreachable, an unknown queue)."""


def libpq_url(database_url: str) -> str:
    """The libpq connection string of a PostgreSQL SQLAlchemy URL (WorkerError for any other database)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise WorkerError(f"database url {database_url!r}: not a database URL") from None
    if url.get_backend_name() != "postgresql":
        raise WorkerError(
            f"database {url.render_as_string(hide_password=True)}: workers and jobs need PostgreSQL "
            "(set database_url to postgresql://...; SQLite installs run `osiwire run` instead)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def connected(database_url: str) -> Iterator[App]:
    """osiwire's app (its tasks in ``osiwire.workers.tasks``) connected to ``database_url`` and open, its
    tables created on first use."""
    from osiwire.workers.tasks import app

    conninfo = libpq_url(database_url)
    try:  # one quick try first: the connection pool would retry for half a minute, logging each failure
        ensure_schema(conninfo)
    except psycopg.Error as exc:
        where = make_url(database_url).render_as_string(hide_password=True)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WorkerError(f"database {where}: unreachable ({reason})") from None
    with app.replace_connector(PsycopgConnector(conninfo=conninfo)):
        try:
            app.open()
        except (ConnectorException, OSError) as exc:
            app.close()
            raise WorkerError(
                f"database: cannot reach it for the job queue ({exc.__cause__ or exc})"
            ) from None
        try:
            yield app
        finally:
            app.close()


def ensure_schema(conninfo: str) -> None:
    """Create procrastinate's tables (beside osiwire's own) once, whatever the number of workers starting."""
    with psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            found = conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()
            if not (found and found[0]):
                with conn.transaction():
                    conn.execute(SchemaManager.get_schema())
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


def parse_queues(value: str) -> list[str]:
    """``fetch,enrich`` → the queues, each one osiwire knows (WorkerError names the first it does not)."""
    queues = [q.strip() for q in value.split(",") if q.strip()]
    for queue in queues:
        if queue not in QUEUES:
            raise WorkerError(f"--queues: {queue!r} is no queue (known: {', '.join(QUEUES)})")
    return queues


def run_worker(
    app: App, queues: list[str], *, concurrency: int, once: bool, name: str, stalled_after: float
) -> None:
    """Run a worker until SIGINT/SIGTERM (``once``: until the queues are empty). A lost database (a restart, the
    network) stops procrastinate's worker: this one waits for it to come back and starts again."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: a command's own thread, SIGINT/SIGTERM stop the worker
        asyncio.run(_serve(app, queues, concurrency, once, name, stalled_after, signals=True))
        return
    # Called where an event loop runs already (a host program, a test): the worker gets a thread of its own.
    failed: list[BaseException] = []

    def serve() -> None:
        try:
            asyncio.run(_serve(app, queues, concurrency, once, name, stalled_after, signals=False))
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=serve, name="osiwire-worker")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


async def _serve(
    app: App,
    queues: list[str],
    concurrency: int,
    once: bool,
    name: str,
    stalled_after: float,
    *,
    signals: bool,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    lost = 0
    while not stop.is_set():
        started = time.monotonic()
        try:
            async with app.open_async():
                work = asyncio.create_task(
                    app.run_worker_async(
                        queues=queues,
                        concurrency=concurrency,
                        wait=not once,
                        name=name,
                        install_signal_handlers=False,
                        stalled_worker_timeout=stalled_after,
                        update_heartbeat_interval=stalled_after / 3,
                    )
                )
                halt = asyncio.create_task(stop.wait())
                done, _ = await asyncio.wait({work, halt}, return_when=asyncio.FIRST_COMPLETED)
                if halt in done:  # stopped: running jobs finish (procrastinate's graceful shutdown)
                    work.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await work
                    return
                halt.cancel()
                work.result()
            if once:
                return
            reason = "the worker stopped"  # procrastinate stops when its connection to the database breaks
        except (ConnectorException, psycopg.Error, OSError) as exc:
            if once:
                raise WorkerError(f"database: lost it while working ({exc.__cause__ or exc})") from None
            reason = (
                str(exc.__cause__ or exc).strip().splitlines()[0] if str(exc.__cause__ or exc).strip() else ""
            )
        lost = 0 if time.monotonic() - started > RECONNECT_RESET_S else lost + 1
        wait = RECONNECT_WAITS_S[min(lost, len(RECONNECT_WAITS_S) - 1)]
        logger.warning(
            "worker: database lost (%s): starting again in %s s", reason or "no reason given", wait
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
