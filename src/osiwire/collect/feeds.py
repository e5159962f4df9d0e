"""Feeds: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed parsed directly.

Pure functions over the bytes a fetcher (or a local file) gave: nothing here touches the network or the disk.
"""

from __future__ import annotations

import html
import io
import json
import logging
import re
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXException

import feedparser

from osiwire.collect.sitemaps import GZIP_MAGIC, gunzip
from osiwire.errors import ParseError
from osiwire.model import Entry, SourceKind

__all__ = ["Feed", "detect_feed_kind", "parse_feed"]

logger = logging.getLogger(__name__)

# feedparser's fallback (loose, sgmllib) parser is linear but slow on markup-dense junk: about 1 s per MB of
# "<<<<" on a 2024 laptop. Official feeds are a few hundred KB, podcast-sized ones a few MB; this bounds the
# worst case to seconds for direct callers (local files) whatever the fetcher's own cap.
MAX_FEED_BYTES = 16 * 1024 * 1024
# Documents past this size must show a feed root element early, so a huge HTML page or binary body is turned
# away before the slow parser sees it.
LARGE_FEED_BYTES = 1024 * 1024
# How much of a document is looked at to guess its kind: roots sit after a prolog, comments and a doctype.
SNIFF_BYTES = 64 * 1024
# Article URLs are fetched next: anything but web URLs (javascript:, mailto:, tag:, file:) is not followed.
WEB_SCHEMES = frozenset({"http", "https"})
# Titles and authors are a line of text; anything longer is junk that html.parser need not wade through.
MAX_TEXT_CHARS = 10_000
_NAME = re.compile(r"[\w:.-]+")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed feed: its own metadata and its entries in document order."""

    title: str
    link: str
    language: str
    entries: tuple[Entry, ...]


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> Feed:
    """Parse an RSS, Atom or JSON Feed document; raise ParseError when it is not a feed."""
    if body.startswith(GZIP_MAGIC):  # a local feed.xml.gz, or a server that gzips without saying so
        body = gunzip(body, url, MAX_FEED_BYTES)
    if len(body) > MAX_FEED_BYTES:
        raise ParseError(f"{url}: not a feed: larger than {MAX_FEED_BYTES} bytes")
    head = _strip_bom(body).lstrip()
    if not head:
        raise ParseError(f"{url}: not a feed: empty document")
    # Decided by content, not by Content-Type: servers label feeds wrongly both ways.
    if head.startswith((b"{", b"[")):
        return _parse_json_feed(body, url)
    if len(body) > LARGE_FEED_BYTES and detect_feed_kind(body) is None:
        raise ParseError(
            f"{url}: not a feed: no RSS, RDF or Atom root element in the first {SNIFF_BYTES} bytes"
        )
    return _parse_xml_feed(body, url, content_type)


def detect_feed_kind(body: bytes) -> SourceKind | None:
    """Guess whether a document is an RSS, Atom or JSON feed from its first bytes (None: not a feed)."""
    head = _strip_bom(body[:SNIFF_BYTES]).lstrip()
    # UTF-16 documents interleave NULs; dropping them is enough to find an ASCII root element.
    text = head.replace(b"\x00", b"").decode("utf-8", "ignore").lower()
    if text.startswith("{"):
        return SourceKind.JSON if "jsonfeed.org" in text else None
    name = _root_name(text)
    if name == "feed":
        return SourceKind.ATOM
    if name in {"rss", "rdf", "channel"}:
        return SourceKind.RSS
    return None


def _parse_xml_feed(body: bytes, url: str, content_type: str | None) -> Feed:
    headers: dict[str, str] = {}
    # feedparser resolves links itself (xml:base aware) against an http(s) base; it mangles file: URLs
    # ("file:///d/f.xml" + "a" gives "file://d/a"), so local feeds keep relative links for urljoin below.
    if urlsplit(url).scheme.lower() in WEB_SCHEMES:
        headers["content-location"] = url
    if content_type:
        headers["content-type"] = content_type
    started = time.monotonic()
    # The library warns (deprecated key aliases, parser hints) and, being third-party code over untrusted
    # bytes, may raise anything: both are contained here so callers only ever see ParseError.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # A BytesIO, never bytes or str: feedparser opens strings that look like paths or URLs.
            parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
            version = str(parsed.get("version") or "")
            raw_entries = list(parsed.get("entries") or [])
            if not version and not raw_entries:
                error = parsed.get("bozo_exception")
                # Only XML errors say something; feedparser's other bozo notes ("no Content-type") mislead.
                reason = str(error) if isinstance(error, SAXException) else "no RSS, RDF or Atom root element"
                raise ParseError(f"{url}: not a feed: {_one_line(reason)}")
            meta = parsed.get("feed") or {}
            feed = Feed(
                title=_plain_text(_text(meta, "title")),
                link=_absolute(url, _text(meta, "link")) or "",
                language=_text(meta, "language").strip(),
                entries=tuple(e for raw in raw_entries if (e := _xml_entry(raw, url)) is not None),
            )
        except ParseError:
            raise
        except Exception as exc:  # see the comment above
            logger.debug("feedparser failed on %s", url, exc_info=True)
            raise ParseError(f"{url}: not a feed: {type(exc).__name__}: {_one_line(str(exc))}") from exc
    logger.debug(
        "parsed feed %s: %s, %d entries in %.3fs", url, version, len(feed.entries), time.monotonic() - started
    )
    return feed


def _xml_entry(raw: Mapping[str, Any], feed_url: str) -> Entry | None:
    guid = _text(raw, "id").strip()
    link = _absolute(feed_url, _text(raw, "link")) or _absolute_url_only(guid)
    if link is None:
        logger.debug("%s: entry without a URL skipped (guid %r)", feed_url, guid)
        return None
    contents = raw.get("content") or []
    content_html = next((str(c.get("value") or "") for c in contents if "html" in str(c.get("type", ""))), "")
    if not content_html and contents:
        content_html = str(contents[0].get("value") or "")
    return Entry(
        url=link,
        title=_plain_text(_text(raw, "title")),
        published=_utc(raw.get("published_parsed") or raw.get("updated_parsed") or raw.get("created_parsed")),
        author=_plain_text(_text(raw, "author")),
        summary=_text(raw, "summary"),
        content_html=content_html,
        guid=guid,
    )


def _parse_json_feed(body: bytes, url: str) -> Feed:
    try:
        doc = json.loads(_strip_bom(body))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise ParseError(f"{url}: not a feed: bad JSON: {_one_line(str(exc))}") from exc
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise ParseError(f"{url}: not a feed: JSON without a jsonfeed.org version")
    items = doc.get("items")
    entries: list[Entry] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and (entry := _json_entry(item, url)) is not None:
            entries.append(entry)
    return Feed(
        title=_plain_text(_str(doc.get("title"))),
        link=_absolute(url, _str(doc.get("home_page_url"))) or "",
        language=_str(doc.get("language")).strip(),
        entries=tuple(entries),
    )


def _json_entry(item: dict[str, Any], feed_url: str) -> Entry | None:
    guid = _str(item.get("id")).strip()
    link = (
        _absolute(feed_url, _str(item.get("url")))
        or _absolute(feed_url, _str(item.get("external_url")))
        or _absolute_url_only(guid)
    )
    if link is None:
        logger.debug("%s: JSON Feed item without a URL skipped (id %r)", feed_url, guid)
        return None
    html = _str(item.get("content_html"))
    text = _str(item.get("content_text"))
    return Entry(
        url=link,
        title=_plain_text(_str(item.get("title"))),
        published=_iso_utc(_str(item.get("date_published")) or _str(item.get("date_modified"))),
        author=_json_author(item),
        summary=_str(item.get("summary")),
        content_html=html or text,
        guid=guid,
    )


def _json_author(item: dict[str, Any]) -> str:
    # Version 1.1 has an "authors" list; 1.0 a single "author" object.
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else [item.get("author")]
    names = [_str(a.get("name")).strip() for a in candidates if isinstance(a, dict)]
    return ", ".join(n for n in names if n)


def _absolute(base: str, link: str) -> str | None:
    """``link`` resolved against ``base``, without fragment, if it is a web URL."""
    link = link.strip()
    if not link:
        return None
    try:
        resolved = urljoin(base, link)
        parts = urlsplit(resolved)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    # A local feed (file: URL) may point at files beside it; a feed from the web may not point at local files.
    local = parts.scheme.lower() == "file" and base.lower().startswith("file:")
    if not local and (parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc):
        return None
    return parts._replace(fragment="").geturl()


def _absolute_url_only(guid: str) -> str | None:
    """A guid or id used as the URL only when it is already an absolute web URL."""
    return _absolute("", guid) if guid.lower().startswith(("http://", "https://")) else None


def _utc(parsed: Any) -> datetime | None:
    if not isinstance(parsed, time.struct_time):
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)  # feedparser normalises to UTC already
    except ValueError:  # a leap second or year 0 a feed made up
        return None


def _iso_utc(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class _TextCollector(HTMLParser):
    """Collects the character data of an HTML fragment, skipping scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in {"script", "style"}

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _plain_text(value: str) -> str:
    """Tags stripped, entities decoded, whitespace collapsed: titles are shown and searched as text."""
    value = value[:MAX_TEXT_CHARS]
    if "<" in value or "&" in value:
        collector = _TextCollector()
        try:
            collector.feed(value)
            collector.close()
            value = "".join(collector.parts)
        except AssertionError:  # html.parser's answer to some malformed declarations ("<![x[")
            value = html.unescape(re.sub(r"<[^>]*>", " ", value))
    return " ".join(value.split())


def _text(mapping: Mapping[str, Any], key: str) -> str:
    return _str(mapping.get(key))


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


def _strip_bom(data: bytes) -> bytes:
    for bom in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :]
    return data


def _root_name(text: str) -> str:
    """Local name of the first element, past the prolog, comments and doctype ("" if none)."""
    # A scan rather than a regex over comments: "<!--" repeated without an end would make that quadratic.
    pos = text.find("<")
    while pos != -1:
        if text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            pos = -1 if end == -1 else text.find("<", end + 3)
        elif text.startswith(("<?", "<!"), pos):
            end = text.find(">", pos)
            pos = -1 if end == -1 else text.find("<", end + 1)
        else:
            match = _NAME.match(text, pos + 1)
            return match.group(0).rpartition(":")[2] if match else ""
    return ""
