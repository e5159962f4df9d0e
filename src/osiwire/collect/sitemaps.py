"""Sitemaps: XML urlsets and indexes (Google News extension included), plain-text lists, gzipped bodies."""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree

from osiwire.errors import ParseError, SourceError
from osiwire.model import Entry

__all__ = ["MAX_SITEMAP_BYTES", "Sitemap", "gunzip", "parse_sitemap"]

logger = logging.getLogger(__name__)

# The sitemaps.org limit for one uncompressed sitemap; a gzip body inflating past it is a bomb or a mistake.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
# Article URLs are fetched next: only web URLs are followed.
WEB_SCHEMES = frozenset({"http", "https"})
# No DTDs, no entity expansion, no network, libxml2's default depth and size limits: sitemaps are untrusted.
_SAFE_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}


@dataclass(frozen=True, slots=True)
class Sitemap:
    """The article URLs of a urlset, or the child sitemaps of a sitemap index."""

    entries: tuple[Entry, ...] = ()
    sitemaps: tuple[str, ...] = ()


def parse_sitemap(body: bytes, url: str, url_pattern: str = "") -> Sitemap:
    """Parse an XML, plain-text or gzipped sitemap, keeping entries that match ``url_pattern`` if given."""
    if body.startswith(GZIP_MAGIC):
        body = gunzip(body, url)
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise ParseError(f"{url}: not a sitemap: empty document")
    sitemap = _parse_xml(stripped, url) if stripped.startswith(b"<") else _parse_text(stripped, url)
    if not url_pattern:
        return sitemap
    try:
        pattern = re.compile(url_pattern)
    except re.error as exc:
        raise SourceError(f"url_pattern {url_pattern!r}: invalid regular expression: {exc}") from exc
    return Sitemap(tuple(e for e in sitemap.entries if pattern.search(e.url)), sitemap.sitemaps)


def gunzip(data: bytes, url: str, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Decompress a gzip body, refusing (ParseError) to inflate past ``limit`` bytes."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16+: expect a gzip header and trailer
    try:
        out = inflater.decompress(data, limit)
    except zlib.error as exc:
        raise ParseError(f"{url}: bad gzip data: {exc}") from exc
    # Output stopped at the limit with input left (or pending inside zlib): refuse rather than truncate.
    if inflater.unconsumed_tail or (len(out) >= limit and not inflater.eof):
        raise ParseError(f"{url}: gzip body inflates past {limit} bytes")
    return out


def _parse_xml(body: bytes, url: str) -> Sitemap:
    parser = etree.XMLParser(**_SAFE_PARSER_OPTIONS)
    try:
        root = etree.fromstring(body, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"{url}: bad sitemap XML: {_one_line(str(exc))}") from exc
    kind = _local(root)
    if kind == "sitemapindex":
        children = (_child_text(node, "loc") for node in root if _local(node) == "sitemap")
        return Sitemap(sitemaps=_dedupe(u for loc in children if (u := _absolute(url, loc))))
    if kind != "urlset":
        raise ParseError(f"{url}: not a sitemap: root element <{kind}>")
    entries: dict[str, Entry] = {}
    for node in root:
        if _local(node) != "url":
            continue
        link = _absolute(url, _child_text(node, "loc"))
        if link is None or link in entries:
            continue
        news = next((child for child in node if _local(child) == "news"), None)
        title = _child_text(news, "title") if news is not None else ""
        news_date = _child_text(news, "publication_date") if news is not None else ""
        # A news publication date is the release's; lastmod may be a later edit, but it is all some give.
        published = _w3c_datetime(news_date) or _w3c_datetime(_child_text(node, "lastmod"))
        entries[link] = Entry(url=link, title=" ".join(title.split()), published=published)
    return Sitemap(entries=tuple(entries.values()))


def _parse_text(body: bytes, url: str) -> Sitemap:
    # sitemaps.org: UTF-8, one absolute URL per line; blank and junk lines are skipped.
    lines = body.decode("utf-8", "replace").splitlines()
    links = _dedupe(
        u for line in lines if line.strip().lower().startswith("http") and (u := _absolute(url, line))
    )
    if not links:
        raise ParseError(f"{url}: not a sitemap: no XML root and no URL lines")
    return Sitemap(entries=tuple(Entry(url=link) for link in links))


def _w3c_datetime(value: str) -> datetime | None:
    """A W3C datetime (a date, or a date and time with offset) in UTC; naive values are taken as UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _local(node: etree._Element) -> str:
    # Match on local names: sitemaps in the wild use the wrong namespace, or none.
    tag = node.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(node: etree._Element, name: str) -> str:
    child = next((c for c in node if _local(c) == name), None)
    return "".join(child.itertext()).strip() if child is not None else ""


def _absolute(base: str, link: str) -> str | None:
    link = link.strip()
    if not link:
        return None
    try:
        parts = urlsplit(urljoin(base, link))
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return None
    return parts._replace(fragment="").geturl()


def _dedupe(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(urls))


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]
