"""Feeds of result listings: Atom 1.0, RSS 2.0 and JSON Feed 1.1, one renderer each.

XML is built as an element tree (never by string concatenation), JSON Feed with ``json``.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from osiwire.model import SearchHit
from osiwire.store.query import QueryError
from osiwire.web.deps import Listing, QueryParam, WebState, filter_params, web_state
from osiwire.web.render import Renderer, lang_tag, safe_href
from osiwire.web.results import ResultsView, fetch_results

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
RSS_MEDIA_TYPE = "application/rss+xml; charset=utf-8"
JSON_FEED_MEDIA_TYPE = "application/feed+json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
JSON_FEED = "jsonfeed"  # its key in the renderer registry ("json" is the API's listing)
FEED_PATHS = {"atom": "/feeds/search.atom", "rss": "/feeds/search.rss", JSON_FEED: "/feeds/search.json"}
# Characters XML 1.0 forbids even when escaped; source text does carry them now and then.
XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
TAG_DATE = "2025"  # tag URIs need a date at which the tagging authority held its name

router = APIRouter()


def _clean(text: str) -> str:
    return XML_INVALID_RE.sub("", text)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _entry_id(hit: SearchHit, view: ResultsView) -> str:
    # The canonical URL identifies a release across installations; a tag URI stands in when it is unusable.
    if safe_href(hit.url):
        return hit.url
    host = re.sub(r"[^A-Za-z0-9.-]", "", view.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0])
    return f"tag:{host or 'localhost'},{TAG_DATE}:osiwire/release/{hit.id}"


def _updated(hit: SearchHit, view: ResultsView) -> datetime:
    return hit.published or hit.first_seen_at or datetime(1970, 1, 1, tzinfo=UTC)


def render_atom(view: ResultsView) -> str:
    """A listing as an Atom 1.0 feed document."""
    # Unqualified names under a default namespace declared on the root: every element is Atom's.
    feed = ET.Element("feed", xmlns=ATOM_NS)
    self_url = _self_url(view, "atom")
    _add(feed, "id", self_url)
    _add(feed, "title", _title(view))
    hits = view.hits
    updated = max((_updated(h, view) for h in hits), default=datetime.now(UTC))
    _add(feed, "updated", _stamp(updated))
    _add(feed, "link", rel="self", type=ATOM_MEDIA_TYPE.split(";")[0], href=self_url)
    html_url = view.base_url + view.page_url(1).removeprefix(view.root)
    _add(feed, "link", rel="alternate", type="text/html", href=html_url)
    _add(_add(feed, "author"), "name", "osiwire")
    _add(feed, "generator", "osiwire")
    for hit in hits:
        entry = _add(feed, "entry")
        _add(entry, "id", _entry_id(hit, view))
        _add(entry, "title", hit.title or "(untitled)", type="text")
        _add(entry, "updated", _stamp(_updated(hit, view)))
        if hit.published:
            _add(entry, "published", _stamp(hit.published))
        _add(_add(entry, "author"), "name", hit.source or "osiwire")
        _add(entry, "link", rel="alternate", type="text/html", href=f"{view.base_url}/releases/{hit.id}")
        if original := safe_href(hit.url):
            _add(entry, "link", rel="related", type="text/html", href=original)
        if hit.region:
            _add(entry, "category", term=hit.region)
        summary = _add(entry, "summary", hit.snippet, type="text")
        if hit.language:
            summary.set(XML_LANG, _clean(hit.language))
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body


def _title(view: ResultsView) -> str:
    if view.feed_title:
        return view.feed_title
    return f"osiwire: {view.listing.q}" if view.listing.q else "osiwire: latest releases"


def _self_url(view: ResultsView, renderer: str) -> str:
    if view.feed_self:
        return view.base_url + view.feed_self
    return view.base_url + view.listing.url(FEED_PATHS[renderer])


def _html_url(view: ResultsView) -> str:
    return view.base_url + view.page_url(1).removeprefix(view.root)


def render_rss(view: ResultsView) -> str:
    """A listing as an RSS 2.0 document."""
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = _add(rss, "channel")
    _add(channel, "title", _title(view))
    _add(channel, "link", _html_url(view))
    _add(channel, "description", "Official releases collected by osiwire, newest first.")
    _add(channel, "atom:link", rel="self", type=RSS_MEDIA_TYPE.split(";")[0], href=_self_url(view, "rss"))
    _add(channel, "generator", "osiwire")
    updated = max((_updated(h, view) for h in view.hits), default=datetime.now(UTC))
    _add(channel, "lastBuildDate", format_datetime(updated.astimezone(UTC), usegmt=True))
    for hit in view.hits:
        item = _add(channel, "item")
        _add(item, "title", hit.title or "(untitled)")
        _add(item, "link", f"{view.base_url}/releases/{hit.id}")
        original = safe_href(hit.url)
        _add(item, "guid", _entry_id(hit, view), isPermaLink="true" if original else "false")
        if hit.published:
            _add(item, "pubDate", format_datetime(hit.published.astimezone(UTC), usegmt=True))
        if hit.region:
            _add(item, "category", hit.region)
        # Readers render an RSS description as HTML: escape the plain-text snippet so it stays text.
        _add(item, "description", html.escape(hit.snippet))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(rss, encoding="unicode")


def render_json_feed(view: ResultsView) -> str:
    """A listing as a JSON Feed 1.1 document."""
    items: list[dict[str, Any]] = []
    for hit in view.hits:
        item: dict[str, Any] = {
            "id": _entry_id(hit, view),
            "url": f"{view.base_url}/releases/{hit.id}",
            "title": hit.title or "(untitled)",
            "content_text": hit.snippet,
            "date_published": _stamp(_updated(hit, view)),
            "authors": [{"name": hit.source or "osiwire"}],
        }
        if original := safe_href(hit.url):
            item["external_url"] = original
        if hit.region:
            item["tags"] = [hit.region]
        if language := lang_tag(hit.language):
            item["language"] = language
        items.append(item)
    feed = {
        "version": JSON_FEED_VERSION,
        "title": _title(view),
        "home_page_url": _html_url(view),
        "feed_url": _self_url(view, JSON_FEED),
        "description": "Official releases collected by osiwire, newest first.",
        "authors": [{"name": "osiwire"}],
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False)


def atom_renderer() -> Renderer:
    """Result listings as Atom."""
    return Renderer("atom", ATOM_MEDIA_TYPE, render_atom)


def rss_renderer() -> Renderer:
    """Result listings as RSS 2.0."""
    return Renderer("rss", RSS_MEDIA_TYPE, render_rss)


def json_feed_renderer() -> Renderer:
    """Result listings as JSON Feed 1.1."""
    return Renderer(JSON_FEED, JSON_FEED_MEDIA_TYPE, render_json_feed)


def _feed(request: Request, web: WebState, listing: Listing, q: str, renderer_key: str) -> Response:
    listing = replace(listing, q=q.strip())
    try:
        # A feed reader wants the newest matches, not the best ones.
        view = fetch_results(web.store, request, listing, limit=web.settings.web.page_size, sort="date")
    except QueryError as exc:
        raise HTTPException(400, detail=str(exc)) from exc
    renderer = web.renderers.get(renderer_key)
    return Response(renderer.render(view), media_type=renderer.media_type)


WebDep = Annotated[WebState, Depends(web_state)]
ListingDep = Annotated[Listing, Depends(filter_params)]


@router.get(FEED_PATHS["atom"], include_in_schema=False)
def search_feed(request: Request, web: WebDep, listing: ListingDep, q: QueryParam = "") -> Response:
    """An Atom feed of a search (or of the latest releases), newest first."""
    return _feed(request, web, listing, q, "atom")


@router.get(FEED_PATHS["rss"], include_in_schema=False)
def search_rss(request: Request, web: WebDep, listing: ListingDep, q: QueryParam = "") -> Response:
    """An RSS 2.0 feed of a search (or of the latest releases), newest first."""
    return _feed(request, web, listing, q, "rss")


@router.get(FEED_PATHS[JSON_FEED], include_in_schema=False)
def search_json_feed(request: Request, web: WebDep, listing: ListingDep, q: QueryParam = "") -> Response:
    """A JSON Feed of a search (or of the latest releases), newest first."""
    return _feed(request, web, listing, q, JSON_FEED)
