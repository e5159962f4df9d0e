"""The pipeline: the one place that knows the order of the stages.

collect (registry → entries → pages) → extract (text, language) → store. Stages are plain functions; this
module wires them, runs page fetches in a thread pool and writes in batches, so that a crash loses at most one
uncommitted batch and a rerun adds nothing twice (releases are keyed by URL and content hash). The time each
stage takes is counted in memory and written once per pass (store/stages.py), for ``/metrics``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from osiwire.alerts.delivery import deliver_pending
from osiwire.alerts.evaluate import evaluate_new
from osiwire.alerts.watches import thresholds
from osiwire.collect.archive import ArchiveLine, count_lines, read_archive
from osiwire.collect.feeds import parse_feed
from osiwire.collect.fetcher import Fetcher
from osiwire.collect.listing import parse_listing
from osiwire.collect.local import entry_document, read_local
from osiwire.collect.sitemaps import parse_sitemap
from osiwire.config import Settings
from osiwire.enriching import Enriching, glossary_names
from osiwire.errors import CollectError, ExtractError, FetchError, OsiwireError
from osiwire.extract.article import extract_article
from osiwire.extract.language import LanguageDetector, get_detector
from osiwire.extract.urls import canonical_url
from osiwire.failing import RELEASE_STAGES, FailureLog, describe, log_failure
from osiwire.model import Article, Enrichment, Entry, Fetched, RawDocument, SaveResult, Source, SourceKind
from osiwire.progress import NoProgress, Progress
from osiwire.retrying import RETRY_PER_PASS, RetryReport, retry_failed
from osiwire.runner import StagePool, Worked, worker_count
from osiwire.store import Store
from osiwire.store.releases import IndexText
from osiwire.store.stages import PipelineStats
from osiwire.stories.prepared import PreparedStory
from osiwire.storying import StoriesNotWritten, Storying
from osiwire.timing import StageTimer
from osiwire.translating import Translating

logger = logging.getLogger(__name__)

T = TypeVar("T")

SAVE_BATCH = 50  # articles per write transaction: fewer fsyncs, at most this many redone after a crash
MAX_NEW_PER_PASS = 200  # new pages fetched from one source per pass, newest first; the rest wait a pass
MAX_CHILD_SITEMAPS = 20  # sitemap index children read per pass
# A pass with fewer documents runs them in this process even where worker processes are asked for: starting
# one (and loading its models) costs seconds.
POOL_MIN_DOCUMENTS = 16
# A long pass (an archive import) writes its stage times this often, not only at its end.
RECORD_EVERY_S = 60.0
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"
)


@dataclass
class PassReport:
    """What one pass over one source (or one archive import) did."""

    source: str
    entries: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    known: int = 0  # entries skipped because their page is stored already
    translated: int = 0  # new versions fully translated
    alerts: int = 0  # alert rules that fired
    failed: int = 0
    not_modified: bool = False
    error: str = ""  # the source itself failed
    item_errors: list[str] = field(default_factory=list)

    def count(self, result: SaveResult) -> None:
        if result.created:
            self.new += 1
        elif result.new_version:
            self.updated += 1
        else:
            self.unchanged += 1

    def fail(self, message: str, stage: str = "", item: str = "") -> None:
        """Count an item that failed, with one log line."""
        self.failed += 1
        self.item_errors.append(message)
        if stage:
            log_failure(stage, item, message)
        else:
            logger.warning("%s", message)


@dataclass(frozen=True, slots=True)
class _Outcome:
    article: Article | None = None
    error: str = ""
    stage: str = "extract"  # the stage that failed, when one did
    item: str = ""  # what it was fetched or read as (the entry's URL): its failure, or the failures it clears
    enrichment: Enrichment | None = None  # enriched already (by a worker process)
    enrich_error: str = ""  # the enricher raised on it (in a worker process)
    story: PreparedStory | None = None  # the stories stage's store-free part (by a worker process)
    lemmas: IndexText | None = None  # title and body as the search index keeps them (by a worker process)


def _from_worked(worked: Worked | _Outcome) -> _Outcome:
    if isinstance(worked, _Outcome):
        return worked
    if worked.article is None:
        if worked.unexpected:
            logger.debug("extract %s failed in a worker process", worked.url)
        return _Outcome(error=worked.error, item=worked.url)
    return _Outcome(
        article=worked.article,
        item=worked.url,
        enrichment=worked.enrichment,
        enrich_error=worked.enrich_error,
        story=worked.story,
        lemmas=worked.lemmas,
    )


def _unexpected(stage: str, item: str, exc: Exception) -> str:
    """An exception a stage raised on one item as one line (its traceback logged at debug level)."""
    logger.debug("stage %s on %s", stage, item, exc_info=exc)
    return describe(exc)


def page_document(page: Fetched, entry: Entry, source: Source) -> RawDocument:
    """The document to extract from a page a source's entry points at."""
    return RawDocument(
        url=page.final_url,
        fetched_at=page.fetched_at,
        html=page.text,
        title=entry.title,
        published=entry.published,
        author=entry.author,
        language_hint=source.language,
        source_id=source.id,
        source_country=source.country,
    )


class Pipeline:
    """Runs sources and archives through collect → extract → store."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        fetcher: Fetcher | None = None,
        detector: LanguageDetector | None = None,
        translating: Translating | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._fetcher = fetcher
        self.detector = detector or get_detector()
        self._translating: Translating | None = translating
        self._enriching: Enriching | None = None
        self._storying: Storying | None = None
        self.timer = StageTimer()
        self._stats = PipelineStats(store.db)
        self._pass: tuple[str, int | None] | None = None  # (kind, source id) of the pass being timed
        self._pass_since = datetime.now(UTC)
        self._written_at = time.monotonic()
        self.failures = FailureLog(store)
        self._stage_pool: StagePool | None = None  # worker processes, started by the first large pass
        self._pool: StagePool | None = None  # set while a pass uses them
        self._listed: list[str] = []  # the listings (feeds, sitemaps, pages) read conditionally in this pass

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher(self.settings.fetch)
        return self._fetcher

    @property
    def storying(self) -> Storying:
        if self._storying is None:
            self._storying = Storying(self.store)
        return self._storying

    @property
    def enriching(self) -> Enriching:
        if self._enriching is None:
            self._enriching = Enriching(self.settings, self.store)
        return self._enriching

    @property
    def translating(self) -> Translating:
        if self._translating is None:
            self._translating = Translating(self.settings, self.store, self.detector)
        return self._translating

    def close(self) -> None:
        if self._stage_pool is not None:
            self._stage_pool.close()
            self._stage_pool = None
        if self._fetcher is not None:
            self._fetcher.close()
        if self._translating is not None:
            self._translating.close()

    # -- stages -------------------------------------------------------------------------------------------

    def extract(self, doc: RawDocument) -> Article:
        """Extract one document (main text, metadata, languages)."""
        return extract_article(doc, self.settings.extract, self.detector)

    def _extract_outcome(self, doc: RawDocument) -> _Outcome:
        if self._pool is not None:  # extracted and enriched by a worker process while this thread waits
            with self.timer.measure("extract"):
                return _from_worked(self._pool.work(doc))
        try:
            with self.timer.measure("extract"):
                return _Outcome(article=self.extract(doc))
        except ExtractError as exc:
            return _Outcome(error=str(exc), item=doc.url)
        except Exception as exc:  # any text the extractor cannot handle: this page fails, the pass goes on
            return _Outcome(error=_unexpected("extract", doc.url, exc), item=doc.url)

    def _page_outcome(self, entry: Entry, source: Source, now: datetime) -> _Outcome:
        """Fetch the page an entry points at and extract it; fall back to the entry's own content."""
        try:
            return self._fetched_outcome(entry, source, now)
        except Exception as exc:  # a fetch or parse bug on one page never ends the pass
            return _Outcome(error=_unexpected("fetch", entry.url, exc), item=entry.url, stage="fetch")

    def _fetched_outcome(self, entry: Entry, source: Source, now: datetime) -> _Outcome:
        error, stage = "", "fetch"
        try:
            with self.timer.measure("fetch"):
                page = self.fetcher.fetch(entry.url)
            if page.ok:
                outcome = self._extract_outcome(page_document(page, entry, source))
                if outcome.article is not None:
                    return replace(outcome, item=entry.url)
                error, stage = outcome.error, outcome.stage
            else:
                error = f"{entry.url}: HTTP {page.status}"
        except FetchError as exc:
            error = str(exc)
        fallback = entry_document(entry, source, now)
        if fallback is not None:
            logger.info("%s: using the feed's own text (%s)", entry.url, error)
            return replace(self._extract_outcome(fallback), item=entry.url)
        return _Outcome(error=error, stage=stage, item=entry.url)

    @contextmanager
    def _pooled(self, documents: int) -> Iterator[StagePool | None]:
        """Worker processes for a pass of ``documents`` (None: this process does the work)."""
        workers = worker_count(self.settings)
        if workers < 2 or documents < POOL_MIN_DOCUMENTS:
            yield None
            return
        if self._stage_pool is None:
            self._stage_pool = StagePool(self.settings, workers)
        self._pool = self._stage_pool
        try:
            yield self._pool
        finally:
            self._pool = None

    def _outcomes(
        self, items: Iterable[T], document: Callable[[T], RawDocument | _Outcome]
    ) -> Iterator[_Outcome]:
        """Each item's document extracted (and enriched, by worker processes while a pass has them), in order;
        what ``document`` gives that is no document (an unreadable line) passes through."""
        if self._pool is not None:
            for worked in self._pool.map(document, items):
                yield _from_worked(worked)
            return
        for item in items:
            value = document(item)
            yield self._extract_outcome(value) if isinstance(value, RawDocument) else value

    # -- writing --------------------------------------------------------------------------------------------

    def _store(
        self, outcomes: Iterable[_Outcome], report: PassReport, progress: Progress, source_id: int | None
    ) -> None:
        batch: list[_Outcome] = []
        for outcome in outcomes:
            if outcome.article is not None:
                batch.append(outcome)
            else:
                report.fail(outcome.error, outcome.stage, outcome.item)
                if outcome.stage:  # "": the input's own fault (a bad archive line), reported only
                    self.failures.failed(outcome.stage, outcome.item, outcome.error, source_id=source_id)
            progress.advance()
            if len(batch) >= SAVE_BATCH:
                self._flush(batch, report)
        self._flush(batch, report)

    def _save(
        self, batch: list[Article], report: PassReport, lemmas: Sequence[IndexText | None] = ()
    ) -> list[tuple[int, SaveResult]]:
        """Store a batch in one transaction; when that fails, each article alone, so that one article the
        store cannot take fails alone. (Position in ``batch``, result) of each article stored."""
        with self.timer.measure("store", len(batch)):
            try:
                return list(enumerate(self.store.releases.save_many(batch, lemmas)))
            except Exception as exc:
                if len(batch) == 1:
                    article = batch[0]
                    report.failed += 1
                    report.item_errors.append(
                        self.failures.failed("store", article.url, exc, source_id=article.source_id)
                    )
                    return []
        return [(n, result) for n, article in enumerate(batch) for _, result in self._save([article], report)]

    def _flush(self, batch: list[_Outcome], report: PassReport) -> None:
        """Store a batch of extracted articles, then run the later stages over what is new in it."""
        if not batch:
            return
        succeeded: dict[str, list[str]] = {}
        articles = [o.article for o in batch if o.article is not None]
        placed: list[tuple[Article, int, int]] = []  # placed in stories, written when the batch ends
        try:
            with self.storying.batched() if self.settings.stories.enabled else nullcontext():
                lemmas = [o.lemmas for o in batch if o.article is not None]
                for n, result in self._save(articles, report, lemmas):
                    outcome, article = batch[n], articles[n]
                    report.count(result)
                    succeeded.setdefault("store", []).append(article.url)
                    if outcome.item and outcome.item != article.url:
                        succeeded["store"].append(outcome.item)
                    if result.new_version:
                        stages = self.process(
                            article,
                            result.release_id,
                            result.version_no,
                            report,
                            enrichment=outcome.enrichment,
                            enrich_error=outcome.enrich_error,
                            story=outcome.story,
                        )
                        for stage in stages:
                            succeeded.setdefault(stage, []).append(article.url)
                        if "stories" in stages:
                            placed.append((article, result.release_id, result.version_no))
        except StoriesNotWritten as exc:  # left unread: `osiwire stories rebuild --resume` reads them
            succeeded.pop("stories", None)
            for article, release_id, version_no in placed:
                self._failed("stories", article, release_id, version_no, exc, report)
        for stage, urls in succeeded.items():
            self.failures.succeeded(("fetch", "extract", "store") if stage == "store" else (stage,), urls)
        batch.clear()
        if self._pass is not None and time.monotonic() - self._written_at >= RECORD_EVERY_S:
            self._write_times(*self._pass)

    def process(
        self,
        article: Article,
        release_id: int,
        version_no: int,
        report: PassReport | None = None,
        *,
        enrichment: Enrichment | None = None,
        enrich_error: str = "",
        story: PreparedStory | None = None,
    ) -> list[str]:
        """The stages after store, in order, over one stored version; the stages that succeeded.

        Stored first, so a failing later stage loses nothing; enriched before translation, so the names of the
        people found are kept exactly in the translation (the glossary hook). A stage that raises is recorded
        as failed on the release (and retried later); the next stages still run. ``enrichment``: found by a
        worker process already (stored here); ``enrich_error``: the worker's enricher raised; ``story``: the
        stories stage's store-free part, prepared by a worker process.
        """
        report = report or PassReport("")
        done: list[str] = []
        names: dict[str, str] = {}
        if enrich_error:  # the worker's enricher raised: recorded here, on the stored release
            log_failure("enrich", article.url, enrich_error)
            self._failed("enrich", article, release_id, version_no, enrich_error, report)
        elif self.settings.enrich.enabled:
            try:
                with self.timer.measure("enrich"):
                    if enrichment is None:
                        enrichment = self.enriching.enrich(article, release_id, version_no)
                    else:
                        self.enriching.save(release_id, version_no, enrichment)
                if self.settings.enrich.names_in_glossary:
                    names = glossary_names(enrichment.people)
                done.append("enrich")
            except Exception as exc:
                self._failed("enrich", article, release_id, version_no, exc, report)
        if self.settings.stories.enabled:
            try:
                with self.timer.measure("stories"):
                    self.storying.place(article, release_id, article.fetched_at, prepared=story)
                done.append("stories")
            except Exception as exc:  # left unread: `osiwire stories rebuild --resume` reads it
                self._failed("stories", article, release_id, version_no, exc, report)
        try:
            if self.translating.can_translate(article.language):
                with self.timer.measure("translate"):
                    translation = self.translating.translate(article, release_id, version_no, names=names)
                report.translated += translation.status == "complete"
            done.append("translate")
        except Exception as exc:
            self._failed("translate", article, release_id, version_no, exc, report)
        try:
            with self.timer.measure("alerts"):
                report.alerts += len(
                    evaluate_new(self.store, release_id, thresholds=thresholds(self.settings))
                )
            done.append("alerts")
        except Exception as exc:
            self._failed("alerts", article, release_id, version_no, exc, report)
        return done

    def _failed(
        self,
        stage: str,
        article: Article,
        release_id: int,
        version_no: int,
        exc: Exception | str,
        report: PassReport,
    ) -> None:
        report.failed += 1
        report.item_errors.append(
            self.failures.failed(
                stage,
                article.url,
                exc,
                release_id=release_id,
                version_no=version_no,
                source_id=article.source_id,
            )
        )

    # -- stage times ----------------------------------------------------------------------------------------

    @contextmanager
    def _timed_pass(self, kind: str, source_id: int | None = None) -> Iterator[None]:
        """Write the stage times of the pass in the block once it ends (and every ``RECORD_EVERY_S``)."""
        self.timer.take()  # whatever was counted outside a pass belongs to none
        self._pass = (kind, source_id)
        self._pass_since, self._written_at = datetime.now(UTC), time.monotonic()
        try:
            yield
        finally:
            self._pass = None
            self._write_times(kind, source_id)

    def _write_times(self, kind: str, source_id: int | None) -> None:
        now = datetime.now(UTC)
        times = self.timer.take()
        try:
            self._stats.record(kind, self._pass_since, now, times, source_id=source_id)
        except Exception as exc:  # whatever the driver raises: timings are never worth failing a pass for
            logger.warning("stage times not recorded: %s: %s", exc.__class__.__name__, exc)
        self._pass_since, self._written_at = now, time.monotonic()

    # -- sources ------------------------------------------------------------------------------------------

    def _fetch_listing(self, url: str, accept: str | None = None) -> Fetched | None:
        """A source's own document, conditionally; None when it has not changed."""
        etag, modified = self.store.sources.validators(url)
        page = self.fetcher.fetch(url, etag=etag, last_modified=modified, accept=accept)
        if page.not_modified:
            return None
        if not page.ok:
            raise FetchError(f"{url}: HTTP {page.status}")
        self.store.sources.remember_validators(url, page.etag, page.last_modified, page.fetched_at)
        self._listed.append(url)
        return page

    def _entries(self, source: Source) -> list[Entry] | None:
        """The entries a network source lists now; None when unchanged since the last pass."""
        if source.kind is SourceKind.HTML:
            page = self._fetch_listing(source.url, "text/html")
            return (
                None
                if page is None
                else list(parse_listing(page.text, page.final_url, source.selector, source.url_pattern))
            )
        if source.kind is SourceKind.SITEMAP:
            return self._sitemap_entries(source)
        page = self._fetch_listing(source.url, FEED_ACCEPT)
        if page is None:
            return None
        return list(parse_feed(page.body, page.final_url, page.headers.get("content-type")).entries)

    def _sitemap_entries(self, source: Source) -> list[Entry] | None:
        page = self._fetch_listing(source.url, "application/xml")
        if page is None:
            return None
        sitemap = parse_sitemap(page.body, page.final_url)
        entries = list(sitemap.entries)
        for child_url in sitemap.sitemaps[:MAX_CHILD_SITEMAPS]:
            try:
                child = self._fetch_listing(child_url, "application/xml")
                if child is not None:
                    entries.extend(parse_sitemap(child.body, child.final_url).entries)
            except CollectError as exc:
                logger.warning("%s", exc)
        if source.url_pattern:
            pattern = re.compile(source.url_pattern)
            entries = [e for e in entries if pattern.search(e.url)]
        return entries

    def run_source(self, source: Source, progress: Progress | None = None) -> PassReport:
        """One pass over one source: list, fetch what is new, extract, store, record health."""
        progress = progress or NoProgress()
        report = PassReport(source.name)
        now = datetime.now(UTC)
        try:
            with self._timed_pass("source", source.id):
                if source.kind is SourceKind.FILE:
                    self._run_local(source, report, progress, now)
                else:
                    self._run_network(source, report, progress, now)
        except Exception as exc:  # a source that fails (or that a bug fails on) never ends the run
            report.error = str(exc) if isinstance(exc, OsiwireError) else describe(exc)
            logger.warning("source %s: %s", source.name, report.error)
            self.store.sources.record_error(source, now, report.error)
            return report
        self.store.sources.record_success(source, now)
        return report

    def _run_local(self, source: Source, report: PassReport, progress: Progress, now: datetime) -> None:
        with self.timer.measure("collect", 0):
            items = list(read_local(source, now))
        self.timer.add("collect", len(items), 0.0)
        report.entries = len(items)
        progress.add_total(len(items))
        with self._pooled(len(items)):
            outcomes = self._outcomes(
                items, lambda i: i.document or _Outcome(error=str(i.error), stage="", item=i.where)
            )
            self._store(outcomes, report, progress, source.id)

    def _run_network(self, source: Source, report: PassReport, progress: Progress, now: datetime) -> None:
        self._listed.clear()
        with self.timer.measure("collect", 0):
            entries = self._entries(source)
        if entries is None:
            report.not_modified = True
            return
        report.entries = len(entries)
        self.timer.add("collect", len(entries), 0.0)
        unique = {canonical_url(e.url): e for e in entries}
        known = self.store.releases.known_urls(list(unique) + [e.url for e in entries])
        new = [e for url, e in unique.items() if url not in known and e.url not in known]
        report.known = len(unique) - len(new)
        new.sort(key=lambda e: e.published or datetime.min.replace(tzinfo=UTC), reverse=True)
        new = new[:MAX_NEW_PER_PASS]
        progress.add_total(len(new))
        failed_before = report.failed
        with self._pooled(len(new)), ThreadPoolExecutor(max_workers=self.settings.fetch.concurrency) as pool:
            outcomes = pool.map(lambda e: self._page_outcome(e, source, now), new)
            self._store(outcomes, report, progress, source.id)
        if report.failed > failed_before or len(unique) - report.known > len(new):
            # Pages failed or were left for later: the next pass must read the listing whole again, not be
            # told "304 Not Modified" and never see those entries again.
            for url in self._listed:
                self.store.sources.remember_validators(url, None, None, now)

    def fetch(
        self, source_key: int | str | None = None, progress: Progress | None = None
    ) -> list[PassReport]:
        """One pass over every due source (or one named source, due or not)."""
        if source_key is not None:
            todo = [self.store.sources.get(source_key)]
        else:
            todo = self.store.sources.due(datetime.now(UTC))
        reports = [self.run_source(source, progress) for source in todo]
        self.retry_failed()
        self.deliver_alerts()
        return reports

    def deliver_alerts(self) -> None:
        """Send the webhooks of alerts that fired (and retry those that failed before)."""
        try:
            with self._timed_pass("alerts"), self.timer.measure("deliver", 0):
                report = deliver_pending(self.store, self.settings)
                self.timer.add("deliver", report.delivered + report.failed + report.given_up, 0.0)
        except Exception as exc:  # deliveries are retried on the next pass; the run goes on
            logger.warning("alert delivery failed: %s", describe(exc))
            return
        logger.info("alerts delivered: %s", report)

    # -- failed items ---------------------------------------------------------------------------------------

    def retry_failed(
        self,
        stages: Sequence[str] = RELEASE_STAGES,
        *,
        due_only: bool = True,
        limit: int = RETRY_PER_PASS,
        progress: Progress | None = None,
    ) -> RetryReport:
        """Run again the stages that failed on stored releases (those whose retry time has come, or all)."""
        return retry_failed(self, stages, due_only=due_only, limit=limit, progress=progress)

    # -- archives -------------------------------------------------------------------------------------------

    def import_archive(self, path: Path, source: Source, progress: Progress | None = None) -> PassReport:
        """Import a JSONL archive through extract → store; safe to rerun after a crash."""
        progress = progress or NoProgress()
        report = PassReport(source.name)
        total = count_lines(path)
        progress.add_total(total)
        lines = self.timer.timed(
            "collect",
            read_archive(path, language=source.language, source_id=source.id, country=source.country),
        )

        def document(line: ArchiveLine) -> RawDocument | _Outcome:
            report.entries += 1
            if line.document is None:  # the archive's own fault: reported, not recorded as a stage failure
                return _Outcome(error=str(line.error), stage="", item=f"{path.name}:{line.line_no}")
            return line.document

        with self._timed_pass("import", source.id), self._pooled(total):
            self._store(self._outcomes(lines, document), report, progress, source.id)
        return report
