"""Where the CPU-bound stages run: in this process, or in a pool of worker processes (``pipeline.workers``).

Extraction and enrichment take most of a release's CPU time and share nothing but their models, so they run in
worker processes, each loading its models once (the language detector at start, natasha on first use), with the
stories stage's store-free part (lemmas, fingerprint, story features: ``stories.prepared``); the main process
fetches (threads), stores (the single writer), and runs the stages that need the store (stories' lookups and
writes, translation, alerts). A worker returns values (``Worked``), never writes, so crash safety stays the store's:
a killed run loses at most its uncommitted batch and a rerun adds nothing twice.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from osiwire.config import Settings
from osiwire.errors import ExtractError
from osiwire.model import Article, Enrichment, RawDocument
from osiwire.store.releases import IndexText, index_texts
from osiwire.store.textindex import Lemmatiser

if TYPE_CHECKING:  # the stories package loads numpy and the IDF background: imported where used
    from osiwire.stories.prepared import PreparedStory

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Documents in flight per worker: enough that a worker never waits for the next, few enough that a large
# archive is not read into memory at once.
IN_FLIGHT_PER_WORKER = 4
PARENT_CHECK_S = 1.0  # how often a worker looks whether the process that started it is still there


@dataclass(frozen=True, slots=True)
class Worked:
    """What the CPU-bound stages made of one document."""

    url: str  # the document's
    article: Article | None = None
    error: str = ""  # extraction failed: why (one line)
    unexpected: bool = False  # the extractor raised something other than ExtractError (a bug to record)
    enrichment: Enrichment | None = None  # None: not enriched here (enrichment off, or it failed)
    enrich_error: str = ""  # the enricher raised on this article (one line)
    story: PreparedStory | None = None  # the stories stage's store-free part (None: off, or it failed here)
    lemmas: IndexText | None = None  # its title and body as the search index keeps them (the store's work)


class _Stages:
    """The stage objects of one process (a worker's, or the main one's when there is no pool)."""

    def __init__(self, settings: Settings) -> None:
        from osiwire.enriching import build_enricher
        from osiwire.extract.language import get_detector

        self.settings = settings
        self.detector = get_detector()
        self.enricher = build_enricher(settings) if settings.enrich.enabled else None
        self.lemmatiser = Lemmatiser()
        self.stories = settings.stories.enabled

    def work(self, doc: RawDocument) -> Worked:
        worked = self._extract_enrich(doc)
        article = worked.article
        if article is None:
            return worked
        from osiwire.stories.prepared import prepare_story

        try:  # the lemmas the store and the stories stage would compute in the main process
            worked = replace(worked, lemmas=index_texts(article, self.lemmatiser))
            if self.stories:
                worked = replace(worked, story=prepare_story(article, self.lemmatiser))
        except Exception as exc:  # the main process computes them again, and records the failure if it recurs
            logger.debug("lemmas %s", doc.url, exc_info=exc)
        return worked

    def _extract_enrich(self, doc: RawDocument) -> Worked:
        from osiwire.extract.article import extract_article
        from osiwire.failing import describe

        try:
            article = extract_article(doc, self.settings.extract, self.detector)
        except ExtractError as exc:
            return Worked(doc.url, error=str(exc))
        except Exception as exc:  # any page the extractor cannot handle fails alone
            logger.debug("extract %s", doc.url, exc_info=exc)
            return Worked(doc.url, error=describe(exc), unexpected=True)
        if self.enricher is None:
            return Worked(doc.url, article=article)
        try:
            return Worked(doc.url, article=article, enrichment=self.enricher.enrich(article))
        except Exception as exc:  # recorded on the release once it is stored; the main process retries it
            logger.debug("enrich %s", doc.url, exc_info=exc)
            return Worked(doc.url, article=article, enrich_error=describe(exc))


# A worker process's stages, set once by the pool's initializer: the only state a worker keeps.
_worker_stages: _Stages | None = None


def _start_worker(settings: Settings, parent: int) -> None:
    global _worker_stages
    threading.Thread(
        target=_exit_with_parent, args=(parent,), name="osiwire-parent-watch", daemon=True
    ).start()
    _worker_stages = _Stages(settings)


def _exit_with_parent(parent: int) -> None:
    """End this worker when the process that started it is gone (killed with -9, it cannot end its pool)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)


def _work_in_worker(doc: RawDocument) -> Worked:
    assert _worker_stages is not None, "worker not started"
    return _worker_stages.work(doc)


def worker_count(settings: Settings) -> int:
    """The processes ``pipeline.workers`` asks for (0: one per core)."""
    wanted = settings.pipeline.workers
    if wanted == 0:
        cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
        wanted = len(cores)
    return max(1, wanted)


class StagePool:
    """Extract-and-enrich in worker processes (spawned: no state forked from a process with threads)."""

    def __init__(self, settings: Settings, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(settings, os.getpid()),
        )
        logger.info("pipeline: %d worker processes for extract and enrich", workers)

    def submit(self, doc: RawDocument) -> Future[Worked]:
        return self._pool.submit(_work_in_worker, doc)

    def work(self, doc: RawDocument) -> Worked:
        """One document, waiting for it (from a fetch thread: the threads keep the workers busy)."""
        return self.submit(doc).result()

    def map(self, fn: Callable[[T], RawDocument | R], items: Iterable[T]) -> Iterator[Worked | R]:
        """``fn`` over ``items`` here, then each document it gives through the workers, in order, a bounded
        number in flight; what ``fn`` gives that is not a document passes through as it is."""
        window: deque[Future[Worked] | R] = deque()
        limit = self.workers * IN_FLIGHT_PER_WORKER
        for item in items:
            value = fn(item)
            window.append(self.submit(value) if isinstance(value, RawDocument) else value)
            while len(window) > limit:
                yield _resolved(window.popleft())
        while window:
            yield _resolved(window.popleft())

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _resolved(value: Future[Worked] | R) -> Worked | R:
    return value.result() if isinstance(value, Future) else value
