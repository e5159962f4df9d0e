"""Feeds of stories: Atom 1.0, RSS 2.0 and JSON Feed 1.1 of the top stories (one entry a story) and of one story
(one entry a release, newest first). Built as element trees and ``json``, as ``feeds`` builds a listing's."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, Response
from fastapi.responses import RedirectResponse

from osiwire.errors import StoreError
from osiwire.publish.stories import resolve_story, story_list, story_record
from osiwire.web.feeds import (
    ATOM_MEDIA_TYPE,
    ATOM_NS,
    JSON_FEED_MEDIA_TYPE,
    JSON_FEED_VERSION,
    RSS_MEDIA_TYPE,
    TAG_DATE,
    XML_LANG,
    _add,
    _stamp,
)
from osiwire.web.firsts import delay_text
from osiwire.web.pages import WebDep
from osiwire.web.render import lang_tag, safe_href
from osiwire.web.results import request_root

FEED_STORIES = 50  # stories in the top stories feed, as on the page
STORY_FEEDS = {"atom": "/feeds/stories.atom", "rss": "/feeds/stories.rss", "jsonfeed": "/feeds/stories.json"}
EXTENSIONS = {"atom": "atom", "rss": "rss", "jsonfeed": "json"}

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a story feed, whatever the format."""

    id: str
    title: str
    link: str  # osiwire's page of it
    updated: datetime
    published: datetime | None
    author: str
    summary: str
    language: str = ""
    related: str = ""  # the source's own URL of a release


@dataclass(frozen=True, slots=True)
class StoryFeed:
    title: str
    self_url: str
    html_url: str
    description: str
    entries: tuple[Entry, ...]

    @property
    def updated(self) -> datetime:
        return max((e.updated for e in self.entries), default=datetime(1970, 1, 1, tzinfo=UTC))


def _host(base_url: str) -> str:
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return "".join(c for c in host if c.isalnum() or c in ".-") or "localhost"


def render_atom(feed: StoryFeed) -> str:
    root = ET.Element("feed", xmlns=ATOM_NS)
    _add(root, "id", feed.self_url)
    _add(root, "title", feed.title)
    _add(root, "updated", _stamp(feed.updated))
    _add(root, "link", rel="self", type=ATOM_MEDIA_TYPE.split(";")[0], href=feed.self_url)
    _add(root, "link", rel="alternate", type="text/html", href=feed.html_url)
    _add(_add(root, "author"), "name", "osiwire")
    _add(root, "generator", "osiwire")
    for e in feed.entries:
        entry = _add(root, "entry")
        _add(entry, "id", e.id)
        _add(entry, "title", e.title or "(untitled)", type="text")
        _add(entry, "updated", _stamp(e.updated))
        if e.published:
            _add(entry, "published", _stamp(e.published))
        _add(_add(entry, "author"), "name", e.author or "osiwire")
        _add(entry, "link", rel="alternate", type="text/html", href=e.link)
        if e.related:
            _add(entry, "link", rel="related", type="text/html", href=e.related)
        summary = _add(entry, "summary", e.summary, type="text")
        if lang_tag(e.language):
            summary.set(XML_LANG, e.language)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def render_rss(feed: StoryFeed) -> str:
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = _add(rss, "channel")
    _add(channel, "title", feed.title)
    _add(channel, "link", feed.html_url)
    _add(channel, "description", feed.description)
    _add(channel, "atom:link", rel="self", type=RSS_MEDIA_TYPE.split(";")[0], href=feed.self_url)
    _add(channel, "generator", "osiwire")
    _add(channel, "lastBuildDate", format_datetime(feed.updated.astimezone(UTC), usegmt=True))
    for e in feed.entries:
        item = _add(channel, "item")
        _add(item, "title", e.title or "(untitled)")
        _add(item, "link", e.link)
        _add(item, "guid", e.id, isPermaLink="false")
        if e.published:
            _add(item, "pubDate", format_datetime(e.published.astimezone(UTC), usegmt=True))
        _add(item, "description", html.escape(e.summary))  # readers render it as HTML: keep it text
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(rss, encoding="unicode")


def render_json_feed(feed: StoryFeed) -> str:
    items: list[dict[str, Any]] = []
    for e in feed.entries:
        item: dict[str, Any] = {
            "id": e.id,
            "url": e.link,
            "title": e.title or "(untitled)",
            "content_text": e.summary,
            "date_published": _stamp(e.published or e.updated),
            "date_modified": _stamp(e.updated),
            "authors": [{"name": e.author or "osiwire"}],
        }
        if e.related:
            item["external_url"] = e.related
        if lang_tag(e.language):
            item["language"] = e.language
        items.append(item)
    return json.dumps(
        {
            "version": JSON_FEED_VERSION,
            "title": feed.title,
            "home_page_url": feed.html_url,
            "feed_url": feed.self_url,
            "description": feed.description,
            "authors": [{"name": "osiwire"}],
            "items": items,
        },
        ensure_ascii=False,
    )


RENDERERS: dict[str, tuple[str, Callable[[StoryFeed], str]]] = {
    "atom": (ATOM_MEDIA_TYPE, render_atom),
    "rss": (RSS_MEDIA_TYPE, render_rss),
    "jsonfeed": (JSON_FEED_MEDIA_TYPE, render_json_feed),
}


def top_stories_feed(web: WebDep, request: Request, kind: str) -> StoryFeed:
    base = str(request.base_url).rstrip("/")
    host = _host(base)
    entries = []
    for s in story_list(web.store, None, FEED_STORIES):
        parts = [f"{s['size']} release{'s' if s['size'] != 1 else ''} from {s['sources']} source(s)"]
        if s["first_source"]:
            parts.append(f"first: {s['first_source']}")
        if s["languages"]:
            parts.append("languages: " + ", ".join(s["languages"]))
        if s["countries"]:
            parts.append("countries: " + ", ".join(s["countries"]))
        entries.append(
            Entry(f"tag:{host},{TAG_DATE}:osiwire/story/{s['id']}", s["title"], f"{base}/stories/{s['id']}",
                  s["last_at"], s["first_at"], s["first_source"] or "", "; ".join(parts))
        )  # fmt: skip
    return StoryFeed(
        "osiwire: top stories",
        base + STORY_FEEDS[kind],
        base + "/stories",
        "Stories across sources, largest and newest first.",
        tuple(entries),
    )


def story_feed(web: WebDep, request: Request, story_id: int, kind: str) -> StoryFeed:
    base = str(request.base_url).rstrip("/")
    host = _host(base)
    story = story_record(web.store, story_id)
    delays = {d["release_id"]: d["delay_s"] for d in story["delays"]}
    first = story["first_publication"]
    entries = []
    for r in sorted(story["releases"], key=lambda r: (r["at"], r["id"]), reverse=True):
        if first and r["id"] == first["release_id"]:
            when = "first publication"
        elif r["id"] in delays:
            when = f"{delay_text(delays[r['id']])} after the first publication"
        else:
            when = "a further release of its source"
        copy = f"; a copy of release {r['duplicate_of']}" if r["duplicate_of"] else ""
        entries.append(
            Entry(f"tag:{host},{TAG_DATE}:osiwire/release/{r['id']}", r["title"], f"{base}/releases/{r['id']}",
                  r["at"], r["published"], r["source"], f"{r['source'] or 'unknown source'}: {when}{copy}",
                  r["language"], safe_href(r["url"]))
        )  # fmt: skip
    path = f"/feeds/stories/{story_id}.{EXTENSIONS[kind]}"
    return StoryFeed(
        f"osiwire story: {story['title']}",
        base + path,
        f"{base}/stories/{story_id}",
        f"The releases of one story across {story['sources']} source(s), newest first.",
        tuple(entries),
    )


def _respond(feed: StoryFeed, kind: str) -> Response:
    media_type, render = RENDERERS[kind]
    return Response(render(feed), media_type=media_type)


def _one(request: Request, web: WebDep, story_id: int, kind: str) -> Response:
    try:
        resolved = resolve_story(web.store, story_id)
    except StoreError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    if resolved != story_id:  # merged into an older story: its feed lives on there
        return RedirectResponse(
            f"{request_root(request)}/feeds/stories/{resolved}.{EXTENSIONS[kind]}", status_code=301
        )
    return _respond(story_feed(web, request, resolved, kind), kind)


StoryId = Annotated[int, Path(ge=1)]


@router.get(STORY_FEEDS["atom"])
def top_stories_atom(request: Request, web: WebDep) -> Response:
    """The top stories as an Atom feed."""
    return _respond(top_stories_feed(web, request, "atom"), "atom")


@router.get(STORY_FEEDS["rss"])
def top_stories_rss(request: Request, web: WebDep) -> Response:
    """The top stories as RSS 2.0."""
    return _respond(top_stories_feed(web, request, "rss"), "rss")


@router.get(STORY_FEEDS["jsonfeed"])
def top_stories_json(request: Request, web: WebDep) -> Response:
    """The top stories as a JSON Feed."""
    return _respond(top_stories_feed(web, request, "jsonfeed"), "jsonfeed")


@router.get("/feeds/stories/{story_id}.atom", response_model=None)
def story_atom(request: Request, web: WebDep, story_id: StoryId) -> Response:
    """One story's releases as an Atom feed."""
    return _one(request, web, story_id, "atom")


@router.get("/feeds/stories/{story_id}.rss", response_model=None)
def story_rss(request: Request, web: WebDep, story_id: StoryId) -> Response:
    """One story's releases as RSS 2.0."""
    return _one(request, web, story_id, "rss")


@router.get("/feeds/stories/{story_id}.json", response_model=None)
def story_json(request: Request, web: WebDep, story_id: StoryId) -> Response:
    """One story's releases as a JSON Feed."""
    return _one(request, web, story_id, "jsonfeed")
