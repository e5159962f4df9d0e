"""The pipeline's stages as procrastinate tasks, one queue per kind of work.

A new version flows: ``fetch`` (list, fetch, extract, store a source's new pages) → ``enrich`` → ``stories`` and
``translate`` (when an engine can) → ``alerts``; each task defers the next, keyed by release and version, so a
task run twice (a retry, a worker killed mid-task) does its work once: the store keeps one release per URL and
one version per content, enrichment and translation replace their own, a story reads a release once, an alert
fires once per rule. A task that raises is recorded as a stage failure (``osiwire status``), still hands the
release on to the later stages (as ``osiwire run`` does), and is retried by procrastinate with backoff.

Periodic tasks (deferred once across all workers, whatever their number): due sources every 10 s, alert
webhooks every minute, and the jobs of workers that died (no heartbeat) put back in their queue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, UniqueViolation
from procrastinate.jobs import Status

from osiwire.config import Settings
from osiwire.extract.language import get_detector
from osiwire.model import Article
from osiwire.pipeline import Pipeline
from osiwire.store import Store
from osiwire.translating import Translating

logger = logging.getLogger(__name__)

# The real connector is set by workers.app.connected(); this one is never opened.
app = App(connector=PsycopgConnector())
# Waits of 4, 8, 16 ... 256 s between tries: a database restart or a flaky engine is ridden out.
RETRY = RetryStrategy(max_attempts=8, exponential_wait=2)
EVERY_MINUTE = "* * * * *"
EVERY_10_S = "* * * * * */10"  # cron with procrastinate's sixth column, seconds: a cheap query of due sources


@dataclass
class Runtime:
    """What the tasks of one worker process share: its settings and store; a pipeline per thread."""

    settings: Settings
    store: Store
    stalled_after_s: float = 30.0  # a worker silent this long is dead: its running jobs are queued again
    _local: threading.local = field(default_factory=threading.local)

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _translating: Translating | None = None
    _pipelines: list[DeferringPipeline] = field(default_factory=list)

    def pipeline(self) -> DeferringPipeline:
        found: DeferringPipeline | None = getattr(self._local, "pipeline", None)
        if found is None:
            found = self._local.pipeline = DeferringPipeline(
                self.settings, self.store, translating=self.translating()
            )
            with self._lock:
                self._pipelines.append(found)
        return found

    def translating(self) -> Translating:
        """One per process, whatever the threads: a translation model is loaded once (GPU memory)."""
        with self._lock:
            if self._translating is None:
                self._translating = Translating(self.settings, self.store, get_detector())
            return self._translating

    def close(self) -> None:
        """Close every thread's pipeline (fetchers, translation engines), then the store."""
        for pipeline in self._pipelines:
            pipeline.close()  # each closes the shared translation engines: closing twice is harmless
        if self._translating is not None:
            self._translating.close()
        self.store.close()


_runtime: Runtime | None = None


def start_runtime(settings: Settings, stalled_after_s: float = 30.0) -> Runtime:
    """Set up this process's runtime (the worker command does, before it takes jobs)."""
    global _runtime
    if _runtime is not None:
        _runtime.close()
    # The stages run in this process: CPU scaling comes from more worker processes, not a pool inside each.
    settings = settings.model_copy(update={"pipeline": settings.pipeline.model_copy(update={"workers": 1})})
    _runtime = Runtime(settings, Store(settings.database), stalled_after_s)
    return _runtime


def stop_runtime() -> None:
    global _runtime
    if _runtime is not None:
        _runtime.close()
        _runtime = None


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("osiwire worker tasks run inside `osiwire worker` (no runtime started)")
    return _runtime


def defer(task: str, key: str, *, lock: str | None = None, **kwargs: Any) -> bool:
    """Queue ``task`` unless a job with the same ``key`` waits already (``lock``: no two jobs holding it run at
    once); whether it was queued."""
    try:
        app.configure_task(f"osiwire.{task}", allow_unknown=False, queueing_lock=key, lock=lock).defer(
            **kwargs
        )
    except AlreadyEnqueued:
        return False
    return True


class DeferringPipeline(Pipeline):
    """The pipeline whose stages after ``store`` are queued as tasks instead of run here."""

    def process(
        self, article: Article, release_id: int, version_no: int, *args: Any, **kwargs: Any
    ) -> list[str]:
        defer("enrich", f"enrich:{release_id}:{version_no}", release_id=release_id, version_no=version_no)
        return []


def _stage(name: str, article: Article, release_id: int, version_no: int, work: Callable[[], object]) -> None:
    """Run one stage on a release: recorded as failed (and raised, for procrastinate's retry) or succeeded."""
    failures = runtime().pipeline().failures
    try:
        work()
    except Exception as exc:
        failures.failed(
            name, article.url, exc, release_id=release_id, version_no=version_no, source_id=article.source_id
        )
        raise
    failures.succeeded((name,), [article.url])


def _current(release_id: int, version_no: int | None = None) -> tuple[Article, int] | None:
    """The stored version as an article, and its number (``version_no`` None: the current one); None when a
    newer version replaced it (its own jobs follow)."""
    from osiwire.translating import article_from_version

    release = runtime().store.releases.get(release_id)
    if version_no is not None and release.current.version_no != version_no:
        return None
    return article_from_version(release, release.current), release.current.version_no


@app.periodic(cron=EVERY_10_S, periodic_id="due-sources")
@app.task(name="osiwire.schedule", queue="fetch", queueing_lock="schedule")
def schedule(timestamp: int) -> int:
    """Queue a fetch of every source that is due and not being fetched already; how many were queued."""
    from datetime import UTC, datetime

    running = app.job_manager.list_jobs(task="osiwire.fetch", status="doing")
    busy = {job.task_kwargs.get("source_id") for job in running}
    due = [s for s in runtime().store.sources.due(datetime.now(UTC)) if s.id is not None and s.id not in busy]
    return sum(defer("fetch", f"fetch:{s.id}", lock=f"source:{s.id}", source_id=s.id) for s in due)


@app.task(name="osiwire.fetch", queue="fetch", retry=RETRY)
def fetch(source_id: int) -> dict[str, int]:
    """One pass over one source: list, fetch what is new, extract and store it; enrichment is queued."""
    pipeline = runtime().pipeline()
    report = pipeline.run_source(runtime().store.sources.get(source_id))
    return {"new": report.new, "updated": report.updated, "failed": report.failed}


@app.task(name="osiwire.enrich", queue="enrich", retry=RETRY)
def enrich(release_id: int, version_no: int) -> None:
    """Enrich one stored version, then queue its stories, translation and alerts."""
    rt = runtime()
    found = _current(release_id, version_no)
    if found is None:
        return
    article = found[0]
    try:
        if rt.settings.enrich.enabled:
            _stage("enrich", article, release_id, version_no,
                   lambda: rt.pipeline().enriching.enrich(article, release_id, version_no))  # fmt: skip
    finally:  # the later stages run whatever enrichment did, as in `osiwire run`
        if rt.settings.stories.enabled:
            defer("stories", f"stories:{release_id}", release_id=release_id)
        if rt.pipeline().translating.can_translate(article.language):
            defer(
                "translate",
                f"translate:{release_id}:{version_no}",
                release_id=release_id,
                version_no=version_no,
            )
        else:
            defer("alerts", f"alerts:{release_id}", release_id=release_id)


@app.task(name="osiwire.stories", queue="stories", retry=RETRY, lock="stories")
def stories(release_id: int) -> None:
    """Read one release into its story (one at a time across workers: stories are placed in arrival order)."""
    rt = runtime()
    found = _current(release_id)
    assert found is not None
    article, version_no = found
    _stage("stories", article, release_id, version_no,
           lambda: rt.pipeline().storying.place_stored(release_id))  # fmt: skip


@app.task(name="osiwire.translate", queue="translate", retry=RETRY)
def translate(release_id: int, version_no: int) -> None:
    """Translate one stored version (the names enrichment found kept as found), then queue its alerts."""
    translating = runtime().pipeline().translating
    found = _current(release_id, version_no)
    if found is None:
        return
    article = found[0]
    try:
        _stage("translate", article, release_id, version_no,
               lambda: translating.translate(article, release_id, version_no,
                                             names=translating.names(release_id, version_no)))  # fmt: skip
    finally:
        defer("alerts", f"alerts:{release_id}", release_id=release_id)


@app.task(name="osiwire.alerts", queue="alerts", retry=RETRY)
def alerts(release_id: int) -> int:
    """Evaluate the alert rules on one release (each rule fires once per release); how many fired."""
    from osiwire.alerts.evaluate import evaluate_new
    from osiwire.alerts.watches import thresholds

    rt = runtime()
    found = _current(release_id)
    assert found is not None
    article, version_no = found
    fired: list[object] = []
    _stage("alerts", article, release_id, version_no,
           lambda: fired.extend(evaluate_new(rt.store, release_id, thresholds=thresholds(rt.settings))))  # fmt: skip
    return len(fired)


@app.periodic(cron=EVERY_MINUTE, periodic_id="deliver")
@app.task(name="osiwire.deliver", queue="alerts", queueing_lock="deliver")
def deliver(timestamp: int) -> None:
    """Send the webhooks of alerts that fired (and retry those that failed before)."""
    runtime().pipeline().deliver_alerts()


@app.periodic(cron=EVERY_MINUTE, periodic_id="stalled")
@app.task(name="osiwire.retry_stalled", queue="fetch", queueing_lock="retry_stalled")
async def retry_stalled(timestamp: int) -> int:
    """Put back in their queue the jobs of workers that stopped sending heartbeats (killed, or their machine
    gone); how many."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=runtime().stalled_after_s))
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
            logger.warning("job %s (%s) of a dead worker: queued again", job.id, job.task_name)
        except UniqueViolation:  # the same work waits in the queue already (the scheduler queued it again)
            await app.job_manager.finish_job(job, status=Status.ABORTED, delete_job=False)
            logger.warning(
                "job %s (%s) of a dead worker: dropped, the same job waits already", job.id, job.task_name
            )
    return len(stalled)
