"""Local files and folders as a source: feeds, HTML pages and JSONL archives on disk."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from osiwire.collect.archive import read_archive
from osiwire.collect.charset import decode
from osiwire.collect.feeds import detect_feed_kind, parse_feed
from osiwire.errors import CollectError, ParseError
from osiwire.extract.fragment import fragment_text
from osiwire.model import Entry, RawDocument, Source

logger = logging.getLogger(__name__)

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf", ".json", ".feed"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
ARCHIVE_SUFFIXES = frozenset({".jsonl", ".ndjson"})
MAX_FILE_BYTES = 50_000_000  # a local file larger than this is not a press release or a feed


@dataclass(frozen=True, slots=True)
class LocalItem:
    """A document read from disk, or why one could not be."""

    where: str
    document: RawDocument | None = None
    error: CollectError | None = None


def source_path(source: Source) -> Path:
    """The path a ``file`` source points at (a plain path or a file:// URL)."""
    url = source.url
    if url.startswith("file://"):
        return Path(unquote(urlparse(url).path))
    return Path(url).expanduser()


def entry_document(entry: Entry, source: Source, now: datetime) -> RawDocument | None:
    """A document from what a feed entry itself carries (no page fetch); None when it carries no text."""
    text = fragment_text(entry.content_html or entry.summary)
    if not text:
        return None
    return RawDocument(
        url=entry.url,
        fetched_at=now,
        text=text,
        title=entry.title,
        published=entry.published,
        author=entry.author,
        language_hint=source.language,
        source_id=source.id,
        source_country=source.country,
    )


def _read(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ParseError(f"{path}: {size} bytes, larger than {MAX_FILE_BYTES}")
    return path.read_bytes()


def _file_items(path: Path, source: Source, now: datetime) -> Iterator[LocalItem]:
    suffix = path.suffix.lower()
    if suffix in ARCHIVE_SUFFIXES:
        for line in read_archive(
            path, language=source.language, source_id=source.id, now=now, country=source.country
        ):
            yield LocalItem(f"{path}:{line.line_no}", line.document, line.error)
        return
    body = _read(path)
    if suffix in HTML_SUFFIXES or (suffix not in FEED_SUFFIXES and detect_feed_kind(body) is None):
        yield LocalItem(
            str(path),
            RawDocument(
                url=path.resolve().as_uri(),
                fetched_at=now,
                html=decode(body, None),
                language_hint=source.language,
                source_id=source.id,
                source_country=source.country,
            ),
        )
        return
    feed = parse_feed(body, path.resolve().as_uri())
    for entry in feed.entries:
        doc = entry_document(entry, source, now)
        if doc is None:
            yield LocalItem(
                entry.url, error=ParseError(f"{path}: entry {entry.url}: no text in the feed entry")
            )
        else:
            yield LocalItem(entry.url, doc)


def read_local(source: Source, now: datetime | None = None) -> Iterator[LocalItem]:
    """Every document under a ``file`` source's path (a file, or a folder read recursively in name order)."""
    now = now or datetime.now(UTC)
    root = source_path(source)
    if not root.exists():
        raise ParseError(f"{root}: no such file or folder")
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    for path in files:
        if path.name.startswith(".") or path.name in {"SOURCE.txt", "LICENSE", "README.md"}:
            continue
        try:
            yield from _file_items(path, source, now)
        except (ParseError, OSError) as exc:
            error = exc if isinstance(exc, ParseError) else ParseError(f"{path}: cannot read: {exc}")
            yield LocalItem(str(path), error=error)
