"""Listing pages: the article links of a news index page, by CSS selector, URL pattern or a cautious heuristic."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.html
from cssselect import HTMLTranslator, SelectorError
from lxml import etree

from osiwire.errors import SourceError
from osiwire.model import Entry

__all__ = ["compile_selector", "looks_like_article", "parse_listing"]

logger = logging.getLogger(__name__)

WEB_SCHEMES = frozenset({"http", "https"})
# Path segments of navigation rather than articles (checked in lower case, in any position of the path).
NAV_SEGMENTS = frozenset(
    {
        "tag", "tags", "category", "categories", "rubric", "rubrics", "topic", "topics", "section", "sections",
        "author", "authors", "login", "logout", "signin", "signup", "register", "account", "search", "page",
        "pages", "archive", "archives", "feed", "rss", "subscribe", "contacts", "contact", "about", "sitemap",
        "print", "share", "calendar", "photo", "photos", "video", "videos", "gallery", "multimedia", "auth",
    }
)  # fmt: skip
# Files that are never articles.
NON_ARTICLE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".css", ".js", ".xml", ".rss",
                        ".pdf", ".doc", ".docx", ".zip", ".mp3", ".mp4")  # fmt: skip
# Query keys of pagination (Bitrix sites say PAGEN_1) and of sorting or filtering views.
_PAGINATION_KEY = re.compile(r"page|pagen|offset|sort|filter|start", re.IGNORECASE)
# Article-looking last segments: a number of 3+ digits (kremlin.ru/.../news/73345) that is not a year (archive
# pages), or a slug of 4+ words (3-word slugs are as often menu pages: "press-service-contacts").
_NUMERIC = re.compile(r"\d{3,}")
_YEAR = re.compile(r"(?:19|20)\d\d")
_SLUG = re.compile(r"[^\W_]+(?:[-_][^\W_]+){3,}")
# Query ids of CMS article pages (news.php?id=1234, ?ELEMENT_ID=1234).
_ID_KEY = re.compile(r"(?:^|_)id$", re.IGNORECASE)


def compile_selector(selector: str) -> etree.XPath:
    """Compile a CSS selector, raising SourceError naming it when it is not valid CSS."""
    try:
        return etree.XPath(HTMLTranslator().css_to_xpath(selector))
    except (SelectorError, etree.XPathError) as exc:
        reason = " ".join(str(exc).split())
        raise SourceError(f"selector {selector!r}: not a valid CSS selector: {reason}") from exc


def parse_listing(html: str, base_url: str, selector: str = "", url_pattern: str = "") -> tuple[Entry, ...]:
    """Article links of a listing page, de-duplicated in page order."""
    select = compile_selector(selector) if selector else None
    try:
        pattern = re.compile(url_pattern) if url_pattern else None
    except re.error as exc:
        raise SourceError(f"url_pattern {url_pattern!r}: invalid regular expression: {exc}") from exc
    root = _parse_html(html)
    if root is None:
        return ()
    base = _page_base(root, base_url)
    links = _selected_links(root, select) if select is not None else _all_links(root)
    found: dict[str, str] = {}
    for href, title in links:
        url = _absolute(base, href)
        if url is None or (pattern is not None and not pattern.search(url)):
            continue
        if select is None and pattern is None and not looks_like_article(url, base_url):
            continue
        if not found.get(url):  # first occurrence keeps its place; a later one may give the missing title
            found[url] = title
    logger.debug("listing %s: %d article links", base_url, len(found))
    return tuple(Entry(url=url, title=title) for url, title in found.items())


def looks_like_article(url: str, listing_url: str) -> bool:
    """Whether a link of a listing page is, conservatively, an article of the same site."""
    link, listing = urlsplit(url), urlsplit(listing_url)
    if _host(link.netloc) != _host(listing.netloc):
        return False
    segments = [s for s in link.path.lower().split("/") if s]
    listing_segments = [s for s in listing.path.lower().split("/") if s]
    if not segments or segments == listing_segments or link.path.lower().endswith(NON_ARTICLE_SUFFIXES):
        return False
    under_listing = segments[: len(listing_segments)] == listing_segments
    # The listing's own path may hold a navigation word ("/ru/category/news"); only what follows it counts.
    if any(s in NAV_SEGMENTS for s in (segments[len(listing_segments) :] if under_listing else segments)):
        return False
    query = parse_qsl(link.query)
    if any(_PAGINATION_KEY.search(key) for key, _ in query):
        return False
    if any(_ID_KEY.search(key) and value.isdigit() for key, value in query):
        return True
    last = segments[-1].rsplit(".", 1)[0]  # drop .html, .php
    deeper = len(segments) > len(listing_segments)
    numeric = bool(_NUMERIC.search(last)) and not _YEAR.fullmatch(last)
    return deeper and (numeric or bool(_SLUG.fullmatch(last)))


def _parse_html(html: str) -> etree._Element | None:
    if not html.strip():
        return None
    try:
        # Bytes, not str: lxml refuses str documents that carry an XML encoding declaration.
        parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True)
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.LxmlError, ValueError):
        logger.debug("listing page could not be parsed as HTML")
        return None


def _page_base(root: etree._Element, base_url: str) -> str:
    base = root.find(".//base[@href]")
    return urljoin(base_url, base.get("href", "").strip()) if base is not None else base_url


def _selected_links(root: etree._Element, select: etree.XPath) -> Iterator[tuple[str, str]]:
    for node in select(root):
        if not isinstance(node, etree._Element):
            continue
        link = (
            node if node.tag == "a" and node.get("href") else next(iter(node.iterfind(".//a[@href]")), None)
        )
        if link is None:
            continue
        title = _link_title(link) or (_text(node) if node is not link else "")
        yield link.get("href", ""), title


def _all_links(root: etree._Element) -> Iterable[tuple[str, str]]:
    return ((a.get("href", ""), _link_title(a)) for a in root.iterfind(".//a[@href]"))


def _link_title(link: etree._Element) -> str:
    return _text(link) or " ".join(link.get("title", "").split())


def _text(node: etree._Element) -> str:
    return " ".join(node.text_content().split())


def _absolute(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        parts = urlsplit(urljoin(base, href))
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return None
    return parts._replace(fragment="").geturl()


def _host(netloc: str) -> str:
    host = netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]
    return host.removeprefix("www.")
