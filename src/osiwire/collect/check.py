"""A dry run of sources: does each one work, and if not, why? Nothing is stored.

For each source the checker does what a pass of the pipeline does, once and without remembering anything: fetch
the listing (feed, listing page or sitemap; unconditionally, so the answer is about the source now), parse it,
count the entries and how many of them are not stored yet, fetch the newest entry's page and extract it. A
``file`` source is read from disk the same way. The outcome is one of ``STATUSES``, with what was found and the
time each step took. The store is only read (which entries are known).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from osiwire.collect.feeds import parse_feed
from osiwire.collect.fetcher import Fetcher
from osiwire.collect.listing import parse_listing
from osiwire.collect.local import entry_document, read_local
from osiwire.collect.sitemaps import parse_sitemap
from osiwire.config import ExtractConfig, Settings
from osiwire.errors import ExtractError, FetchError, ParseError, RobotsRefusal, SourceError
from osiwire.extract.article import extract_article
from osiwire.extract.language import LanguageDetector
from osiwire.extract.urls import canonical_url
from osiwire.model import Article, Entry, Fetched, RawDocument, Source, SourceKind
from osiwire.pipeline import FEED_ACCEPT, MAX_CHILD_SITEMAPS, page_document

if TYPE_CHECKING:
    from osiwire.store import Store

OK = "ok"
STATUSES = {
    OK: "the listing parses and a page extracts",
    "http_error": "the listing or the page answered an HTTP error status",
    "robots_refused": "robots.txt disallows the listing or the page",
    "fetch_error": "the network failed (DNS, connection, timeout, size, redirects)",
    "parse_error": "the listing is not a feed, listing page or sitemap that can be read",
    "nothing_matched": "the listing gave no entries (the selector or url_pattern matched nothing)",
    "extraction_empty": "the page gave no text",
    "source_error": "the source definition is wrong (an invalid selector or url_pattern)",
}
# An extracted page with fewer letters than this is a cookie wall, a login form or an empty shell, not a release.
MIN_TEXT_LETTERS = 100

KnownUrls = Callable[[Sequence[str]], set[str]]


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """What the dry run of one source found."""

    source: str
    kind: str
    url: str
    status: str  # a key of STATUSES
    detail: str = ""  # the one-line reason, or a note on an "ok" (the feed's own text stood in for the page)
    http_status: int | None = None
    entries: int = 0
    new: int = 0  # entries whose page is not stored yet
    page_url: str = ""
    page_title: str = ""
    page_paragraphs: int = 0
    page_letters: int = 0
    listing_s: float = 0.0
    page_s: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass
class _Run:
    """A check being made: what is known so far."""

    source: Source
    started: float = field(default_factory=time.monotonic)
    entries: list[Entry] = field(default_factory=list)
    new: int = 0
    listing_s: float = 0.0
    page_s: float = 0.0

    def result(self, status: str, detail: str = "", **found: object) -> SourceCheck:
        return SourceCheck(
            source=self.source.name,
            kind=self.source.kind.value,
            url=self.source.url,
            status=status,
            detail=" ".join(detail.split()),
            entries=len(self.entries),
            new=self.new,
            listing_s=round(self.listing_s, 3),
            page_s=round(self.page_s, 3),
            seconds=round(time.monotonic() - self.started, 3),
            **found,  # type: ignore[arg-type]
        )


class _Refused(Exception):
    """A step failed: the status and its reason."""

    def __init__(self, status: str, detail: str, http_status: int | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.http_status = status, detail, http_status


class SourceChecker:
    """Dry runs of sources through one polite fetcher (thread-safe: sources are checked in parallel)."""

    def __init__(
        self,
        fetcher: Fetcher,
        extract: ExtractConfig,
        detector: LanguageDetector,
        known_urls: KnownUrls,
        *,
        concurrency: int = 4,
    ) -> None:
        self._fetcher = fetcher
        self._extract = extract
        self._detector = detector
        self._known = known_urls
        self._concurrency = max(1, concurrency)

    def check_all(self, sources: Iterable[Source]) -> list[SourceCheck]:
        """Check every source, in the order given."""
        todo = list(sources)
        with ThreadPoolExecutor(max_workers=min(self._concurrency, max(1, len(todo)))) as pool:
            return list(pool.map(self.check, todo))

    def check(self, source: Source) -> SourceCheck:
        """The dry run of one source."""
        run = _Run(source)
        try:
            if source.kind is SourceKind.FILE:
                return self._check_file(run)
            return self._check_network(run)
        except _Refused as refused:
            return run.result(refused.status, refused.detail, http_status=refused.http_status)

    # -- network sources --------------------------------------------------------------------------------------

    def _check_network(self, run: _Run) -> SourceCheck:
        source = run.source
        start = time.monotonic()
        try:
            run.entries = self._entries(source)
        finally:
            run.listing_s = time.monotonic() - start
        if not run.entries:
            raise _Refused("nothing_matched", _nothing_reason(source))
        unique = {canonical_url(e.url): e for e in run.entries}
        known = self._known([*unique, *(e.url for e in run.entries)])
        run.new = sum(1 for url, e in unique.items() if url not in known and e.url not in known)
        entry = max(run.entries, key=lambda e: e.published or datetime.min.replace(tzinfo=UTC))
        start = time.monotonic()
        try:
            article, note = self._page(entry, source)
        finally:
            run.page_s = time.monotonic() - start
        return _extracted(run, article, note)

    def _fetch(self, url: str, what: str, accept: str | None = None) -> Fetched:
        try:
            page = self._fetcher.fetch(url, accept=accept)
        except RobotsRefusal as exc:
            raise _Refused("robots_refused", f"{what}: {exc}") from exc
        except FetchError as exc:
            raise _Refused("fetch_error", f"{what}: {exc}") from exc
        if not page.ok:
            raise _Refused("http_error", f"{what}: {url}: HTTP {page.status}", page.status)
        return page

    def _entries(self, source: Source) -> list[Entry]:
        try:
            if source.kind is SourceKind.HTML:
                page = self._fetch(source.url, "listing", "text/html")
                return list(parse_listing(page.text, page.final_url, source.selector, source.url_pattern))
            if source.kind is SourceKind.SITEMAP:
                return self._sitemap_entries(source)
            page = self._fetch(source.url, "listing", FEED_ACCEPT)
            return list(parse_feed(page.body, page.final_url, page.headers.get("content-type")).entries)
        except ParseError as exc:
            raise _Refused("parse_error", f"listing: {exc}") from exc
        except SourceError as exc:
            raise _Refused("source_error", str(exc)) from exc

    def _sitemap_entries(self, source: Source) -> list[Entry]:
        page = self._fetch(source.url, "listing", "application/xml")
        sitemap = parse_sitemap(page.body, page.final_url)
        entries = list(sitemap.entries)
        for child_url in sitemap.sitemaps[:MAX_CHILD_SITEMAPS]:
            if entries:
                break  # one child with entries is enough to tell that the sitemap works
            child = self._fetch(child_url, "child sitemap", "application/xml")
            entries.extend(parse_sitemap(child.body, child.final_url).entries)
        if source.url_pattern:
            try:
                pattern = re.compile(source.url_pattern)
            except re.error as exc:
                raise SourceError(
                    f"url_pattern {source.url_pattern!r}: invalid regular expression: {exc}"
                ) from exc
            entries = [e for e in entries if pattern.search(e.url)]
        return entries

    def _page(self, entry: Entry, source: Source) -> tuple[Article, str]:
        """The newest entry's page, extracted; the feed's own text stands in as the pipeline lets it."""
        now = datetime.now(UTC)
        try:
            page = self._fetch(entry.url, "page")
            return self._extract_page(page_document(page, entry, source)), ""
        except _Refused as refused:
            fallback = entry_document(entry, source, now)
            if fallback is None:
                raise
            try:
                article = extract_article(fallback, self._extract, self._detector)
            except ExtractError:
                raise refused from None
            return article, f"{refused.detail}; the feed's own text of the entry is used instead"

    def _extract_page(self, doc: RawDocument) -> Article:
        try:
            return extract_article(doc, self._extract, self._detector)
        except ExtractError as exc:
            raise _Refused("extraction_empty", f"page: {exc}") from exc

    # -- local files --------------------------------------------------------------------------------------------

    def _check_file(self, run: _Run) -> SourceCheck:
        start = time.monotonic()
        try:
            items = list(read_local(run.source))
        except ParseError as exc:
            raise _Refused("parse_error", str(exc)) from exc
        finally:
            run.listing_s = time.monotonic() - start
        documents = [i.document for i in items if i.document is not None]
        errors = [str(i.error) for i in items if i.error is not None]
        run.entries = [Entry(d.url, d.title, d.published) for d in documents]
        known = self._known([canonical_url(d.url) for d in documents] + [d.url for d in documents])
        run.new = sum(1 for d in documents if canonical_url(d.url) not in known and d.url not in known)
        if not documents:
            if errors:
                raise _Refused("parse_error", f"{len(errors)} item(s) unreadable, first: {errors[0]}")
            raise _Refused("nothing_matched", f"{run.source.url}: no documents")
        start = time.monotonic()
        try:
            article = self._extract_page(documents[0])
        finally:
            run.page_s = time.monotonic() - start
        note = f"{len(errors)} item(s) unreadable, first: {errors[0]}" if errors else ""
        return _extracted(run, article, note)


def _extracted(run: _Run, article: Article, note: str) -> SourceCheck:
    paragraphs = [s for s in article.segments if s.kind != "title"]
    letters = sum(ch.isalpha() for s in paragraphs for ch in s.text)
    found = {
        "page_url": article.url,
        "page_title": article.title,
        "page_paragraphs": len(paragraphs),
        "page_letters": letters,
    }
    if letters < MIN_TEXT_LETTERS:
        return run.result(
            "extraction_empty",
            f"page: {article.url}: {letters} letters of text (under {MIN_TEXT_LETTERS})",
            **found,
        )
    return run.result(OK, note, **found)


def _nothing_reason(source: Source) -> str:
    if source.kind is SourceKind.HTML:
        if source.selector:
            return f"listing: selector {source.selector!r} matched no article links" + (
                f" (with url_pattern {source.url_pattern!r})" if source.url_pattern else ""
            )
        if source.url_pattern:
            return f"listing: url_pattern {source.url_pattern!r} matched no links"
        return "listing: no links that look like articles"
    if source.kind is SourceKind.SITEMAP and source.url_pattern:
        return f"listing: url_pattern {source.url_pattern!r} matched no sitemap URL"
    return "listing: no entries"


def check_sources(settings: Settings, store: Store, sources: Sequence[Source]) -> list[SourceCheck]:
    """Check ``sources`` with a fetcher of their own (closed afterwards); the store is only read."""
    from osiwire.extract.language import get_detector

    with Fetcher(settings.fetch) as fetcher:
        checker = SourceChecker(
            fetcher,
            settings.extract,
            get_detector(),
            store.releases.known_urls,
            concurrency=settings.fetch.concurrency,
        )
        return checker.check_all(sources)


def check_line(check: SourceCheck) -> str:
    """One source's outcome in one line, as the CLI prints it."""
    counts = f"{check.entries} entries, {check.new} new" if check.entries else "no entries"
    page = (
        f"; page {check.page_paragraphs} paragraph(s), {check.page_letters} letters" if check.page_url else ""
    )
    why = f": {check.detail}" if check.detail else ""
    return f"{check.status:<16} {check.source} ({check.kind}): {counts}{page}; {check.seconds:.2f} s{why}"
