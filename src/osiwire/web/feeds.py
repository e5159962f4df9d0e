"""Atom 1.0 feeds of result listings, built as an element tree (never by string concatenation)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from osiwire.model import SearchHit
from osiwire.store.query import QueryError
from osiwire.web.deps import Listing, QueryParam, WebState, filter_params, web_state
from osiwire.web.render import Renderer, safe_href
from osiwire.web.results import ResultsView, fetch_results

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
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
    title = f"osiwire: {view.listing.q}" if view.listing.q else "osiwire: latest releases"
    self_url = view.base_url + view.feed_url().removeprefix(view.root)
    _add(feed, "id", self_url)
    _add(feed, "title", title)
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


def atom_renderer() -> Renderer:
    """Result listings as Atom."""
    return Renderer("atom", ATOM_MEDIA_TYPE, render_atom)


@router.get("/feeds/search.atom", include_in_schema=False)
def search_feed(
    request: Request,
    web: Annotated[WebState, Depends(web_state)],
    listing: Annotated[Listing, Depends(filter_params)],
    q: QueryParam = "",
) -> Response:
    """An Atom feed of a search (or of the latest releases), newest first."""
    listing = replace(listing, q=q.strip())
    size = web.settings.web.page_size
    try:
        # A feed reader wants the newest matches, not the best ones.
        view = fetch_results(web.store, request, listing, limit=size, sort="date")
    except QueryError as exc:
        raise HTTPException(400, detail=str(exc)) from exc
    renderer = web.renderers.get("atom")
    return Response(renderer.render(view), media_type=renderer.media_type)
