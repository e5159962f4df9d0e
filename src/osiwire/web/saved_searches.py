"""Saved searches on the web: alert rules of kind ``search`` seen as search URLs, and their RSS, Atom and JSON
feeds (``/feeds/saved/NAME.atom|rss|json``: the current results, newest first, as ``/feeds/search.*`` gives).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response

from osiwire.alerts.rules import AlertError, Rule, SearchRule, check_name, definition_dict, parse_definition
from osiwire.store.query import QueryError
from osiwire.web.deps import Listing, WebState, web_state
from osiwire.web.feeds import JSON_FEED
from osiwire.web.results import fetch_results

SEARCH_KIND = "search"
# feed format (the renderer's key) → extension of /feeds/saved/NAME.EXT
SAVED_FEEDS = {"rss": "rss", "atom": "atom", JSON_FEED: "json"}
# Listing field → SearchRule field (the rule file's keys); sort is not part of a saved search
LISTING_TO_RULE = {
    "q": "query",
    "lang": "language",
    "region": "region",
    "source": "source",
    "country": "country",
    "since": "since",
    "until": "until",
    "topic": "topic",
    "person": "person",
    "organisation": "organisation",
    "mentions_country": "mentions_country",
}
FILTER_KEYS = tuple(v for v in LISTING_TO_RULE.values() if v != "query")

router = APIRouter(include_in_schema=False)
WebDep = Annotated[WebState, Depends(web_state)]
NameParam = Annotated[str, Path(max_length=100, description="The saved search's name.")]


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A saved search with what pages and the API show of it."""

    rule: Rule
    listing: Listing
    alerts: int = 0  # alerts it fired
    last_fired: datetime | None = None

    @property
    def name(self) -> str:
        return self.rule.name


def listing_of(rule: Rule) -> Listing:
    """The search a rule of kind search runs, as a listing (so it has the stable URL of ``/search``)."""
    keys = definition_dict(rule.definition)
    return Listing(**{field: keys.get(key, "") for field, key in LISTING_TO_RULE.items()})


def search_rule(name: str, query: str, filters: dict[str, str]) -> Rule:
    """A saved search from its parts, validated as a rule file is; AlertError when wrong."""
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise AlertError(f"unknown filter(s) {', '.join(unknown)} (known: {', '.join(FILTER_KEYS)})")
    values = {k: v for k, v in {"query": query, **filters}.items() if v.strip()}
    return Rule(name=check_name(name.strip()), definition=parse_definition(SEARCH_KIND, values))


def rule_from_listing(name: str, listing: Listing) -> Rule:
    """The saved search of a listing (its query and filters; the sort order is not kept)."""
    filters = {key: str(getattr(listing, field)) for field, key in LISTING_TO_RULE.items() if key != "query"}
    return search_rule(name, listing.q, filters)


def check_query(web: WebState, rule: Rule) -> None:
    """Raise QueryError now for a query the store cannot run, rather than keep a broken saved search."""
    assert isinstance(rule.definition, SearchRule)
    web.store.search(rule.definition.query, rule.definition.filters(), limit=1)


def saved_searches(web: WebState) -> list[SavedSearch]:
    """Every saved search, oldest first, with how often and when it last fired."""
    fired = web.store.alerts.fired()
    return [
        SavedSearch(r, listing_of(r), *fired.get(r.name, (0, None)))
        for r in web.store.alerts.rules(kind=SEARCH_KIND)
    ]


def load_saved(web: WebState, name: str) -> SavedSearch:
    """A saved search by name, or a 404 (rules of other kinds are not saved searches)."""
    try:
        rule = web.store.alerts.get(name)
    except AlertError:
        rule = None
    if rule is None or rule.kind != SEARCH_KIND:
        raise HTTPException(404, detail=f"saved search {name[:100]!r}: not found")
    return SavedSearch(rule, listing_of(rule), *web.store.alerts.fired().get(rule.name, (0, None)))


def feed_paths(name: str) -> dict[str, str]:
    """The feeds of a saved search, by renderer key, below the app's root."""
    return {kind: f"/feeds/saved/{quote(name, safe='')}.{ext}" for kind, ext in SAVED_FEEDS.items()}


def alerts_feed_path(name: str) -> str:
    """The Atom feed of the alerts a saved search fired, below the app's root."""
    return f"/feeds/alerts/{quote(name, safe='')}.atom"


def _feed(request: Request, web: WebState, name: str, renderer_key: str) -> Response:
    saved = load_saved(web, name)
    try:
        # A feed reader wants the newest matches, not the best ones.
        view = fetch_results(
            web.store, request, saved.listing, limit=web.settings.web.page_size, path="/search", sort="date"
        )
    except QueryError as exc:
        raise HTTPException(400, detail=str(exc)) from exc
    paths = feed_paths(saved.name)
    view = replace(view, feed_title=f"osiwire: saved search {saved.name}", feed_self=paths[renderer_key])
    renderer = web.renderers.get(renderer_key)
    return Response(renderer.render(view), media_type=renderer.media_type)


@router.get("/feeds/saved/{name}.atom")
def saved_atom(request: Request, web: WebDep, name: NameParam) -> Response:
    """An Atom feed of a saved search's current results, newest first."""
    return _feed(request, web, name, "atom")


@router.get("/feeds/saved/{name}.rss")
def saved_rss(request: Request, web: WebDep, name: NameParam) -> Response:
    """An RSS 2.0 feed of a saved search's current results, newest first."""
    return _feed(request, web, name, "rss")


@router.get("/feeds/saved/{name}.json")
def saved_json_feed(request: Request, web: WebDep, name: NameParam) -> Response:
    """A JSON Feed of a saved search's current results, newest first."""
    return _feed(request, web, name, JSON_FEED)
