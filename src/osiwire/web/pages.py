"""The HTML pages: latest releases and search, a release, the sources, the API index. No JavaScript needed."""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from osiwire.model import Enrichment, PersonName, Release, SearchHit, Version
from osiwire.store import SearchPage
from osiwire.store.copies import CopyGroup, copy_groups
from osiwire.store.facets import Facets, FacetValue
from osiwire.store.query import QueryError
from osiwire.web.bilingual import LOW_CONFIDENCE, bilingual_rows, translation_sources
from osiwire.web.deps import (
    Listing,
    QueryParam,
    WebState,
    filter_params,
    load_release,
    load_source,
    web_state,
)
from osiwire.web.diff import diff_versions
from osiwire.web.feeds import FEED_PATHS
from osiwire.web.htmx import LISTING_TARGET, VARY, wants_fragment
from osiwire.web.quoted import quoted_pieces
from osiwire.web.render import HTML_MEDIA_TYPE, render_fragment, render_html
from osiwire.web.results import ResultsView, fetch_results, request_root
from osiwire.web.session import writer

MAX_PAGE = 100_000  # keeps OFFSET inside what the database accepts
HASH_PREFIX = 12  # enough hex digits to tell versions apart at a glance
SOURCE_PAGE_RELEASES = 20  # latest releases shown on a source's page

router = APIRouter(include_in_schema=False)
WebDep = Annotated[WebState, Depends(web_state)]


def _segment(value: str) -> str | None:
    """``value`` as one path segment, or None where no URL path can carry it (a slash, a dot segment)."""
    if not value or "/" in value or value in (".", ".."):
        return None
    return quote(value, safe=":~")


def person_path(person: str) -> str:
    """The page of a person (id or key), below the app's root."""
    segment = _segment(person)
    return f"/people/{segment}" if segment else "/search?" + urlencode({"person": person})


def topic_path(topic: str) -> str:
    """The page of a topic, below the app's root (its releases in the listing where the id fits no path)."""
    segment = _segment(topic)
    return f"/topics/{segment}" if segment else "/search?" + urlencode({"topic": topic})


def country_path(code: str) -> str:
    """The page of a country (ISO 3166-1 alpha-2), below the app's root."""
    segment = _segment(code)
    return f"/countries/{segment}" if segment else "/search?" + urlencode({"mentions_country": code})


LINKS = {"person_path": person_path, "topic_path": topic_path, "country_path": country_path}


def html_page(
    web: WebState, request: Request, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """Render ``template`` into a response."""
    body = render_html(web.env, template, request_root(request), **LINKS, **context)
    response = HTMLResponse(body, status_code=status, media_type=HTML_MEDIA_TYPE)
    access = context.get("access")
    if getattr(access, "csrf", ""):  # a page with this session's CSRF token: never kept by any cache
        response.headers["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True, slots=True)
class FacetLink:
    """One value of a facet: following ``href`` adds its filter (or, when ``chosen``, takes it away)."""

    label: str
    count: int
    href: str
    chosen: bool = False


@dataclass(frozen=True, slots=True)
class HitRange:
    """A page of hits as the hit list shows them (hashable: the rendered list is kept per distinct page)."""

    hits: tuple[SearchHit, ...]
    offset: int
    copies: tuple[tuple[int, CopyGroup], ...] = ()  # the copy group of each hit that has copies


@dataclass(frozen=True, slots=True)
class FacetGroup:
    name: str
    title: str
    links: tuple[FacetLink, ...]


@dataclass(frozen=True, slots=True)
class Chip:
    """A filter in force, shown with a link to the same listing without it."""

    title: str
    label: str
    remove_href: str


# facet of the store → (the Listing field its value filters, its heading)
FACET_FIELDS = {
    "region": ("region", "Region"),
    "country": ("country", "Country"),
    "source": ("source", "Source"),
    "language": ("lang", "Language"),
    "topic": ("topic", "Topic"),
    "person": ("person", "Person"),
    "organisation": ("organisation", "Organisation"),
    "month": ("since", "Month"),
}
CHIP_TITLES = {
    "lang": "Language",
    "region": "Region",
    "source": "Source",
    "country": "Country",
    "since": "Since",
    "until": "Until",
    "topic": "Topic",
    "person": "Person",
    "organisation": "Organisation",
    "mentions_country": "Mentions",
}
FACET_VALUES = 10  # values per facet in the sidebar; the API gives more


def _month_range(month: str) -> tuple[str, str]:
    """The first and last day of ``YYYY-MM``."""
    year, number = (int(part) for part in month.split("-"))
    return f"{month}-01", f"{month}-{calendar.monthrange(year, number)[1]:02d}"


def _chosen(listing: Listing, facet: str, value: FacetValue) -> bool:
    field = FACET_FIELDS[facet][0]
    current = str(getattr(listing, field))
    if facet == "month":
        return (listing.since, listing.until) == _month_range(value.value)
    if facet == "source":
        return current in (value.value, value.label)
    if facet == "organisation":
        return current.casefold() == value.label.casefold()
    return current.casefold() == value.value.casefold()


def _with(listing: Listing, facet: str, value: FacetValue) -> Listing:
    if facet == "month":
        since, until = _month_range(value.value)
        return replace(listing, since=since, until=until)
    # An organisation's filter compares folded names: the readable form makes the nicer URL.
    shown = value.label if facet == "organisation" else value.value
    return replace(listing, **{FACET_FIELDS[facet][0]: shown})


def _without(listing: Listing, facet: str) -> Listing:
    if facet == "month":
        return replace(listing, since="", until="")
    return replace(listing, **{FACET_FIELDS[facet][0]: ""})


def facet_groups(facets: Facets, listing: Listing, base: str) -> tuple[FacetGroup, ...]:
    """The sidebar: each facet's values as links to ``base`` with that filter added (or removed)."""
    groups = []
    for name, (_, title) in FACET_FIELDS.items():
        links = []
        for value in getattr(facets, name):
            chosen = _chosen(listing, name, value)
            target = _without(listing, name) if chosen else _with(listing, name, value)
            links.append(FacetLink(value.label, value.count, target.url(base), chosen))
        if links:
            groups.append(FacetGroup(name, title, tuple(links)))
    return tuple(groups)


@functools.lru_cache(maxsize=256)  # as many as the search cache keeps searches (and their facets)
def sidebar_html(env: jinja2.Environment, root: str, facets: Facets, listing: Listing, base: str) -> Markup:
    """The facet sidebar rendered, once per distinct facets, listing and base: a popular search's sidebar is
    built once. Its HTML is kept, not its links: a page's hundred-odd link objects, kept for a thousand
    searches, were most of what each full garbage collection went over."""
    groups = facet_groups(facets, listing, base)
    if not groups:
        return Markup("")
    # autoescaped: safe as is; approximate: counted over a sample of a broad search's matches (store.facets)
    html = render_html(env, "_facets.html", root, facet_groups=groups, approximate=facets.approximate)
    return Markup(html)


def filter_chips(listing: Listing, facets: Facets | None, base: str) -> tuple[Chip, ...]:
    """The filters in force, each with a link to the listing without it; ids shown by their labels."""
    labels: dict[str, dict[str, str]] = {}
    if facets is not None:
        for facet in ("source", "topic", "person"):
            labels[facet] = {v.value: v.label for v in getattr(facets, facet)}
    chips = []
    for field, title in CHIP_TITLES.items():
        value = str(getattr(listing, field))
        if value:
            label = labels.get(field, {}).get(value, value)
            chips.append(Chip(title, label, replace(listing, **{field: ""}).url(base)))
    return tuple(chips)


def listing_response(
    web: WebState,
    request: Request,
    listing: Listing,
    *,
    page: int = 1,
    path: str,
    heading: str = "",
    section: str = "latest",
    extra: dict[str, Any] | None = None,
) -> HTMLResponse:
    """A result listing as HTML: hits, the facet sidebar, filter chips and links to the same search's feeds;
    ``extra``: more for the template (a topic's volume chart)."""
    size = web.settings.web.page_size
    root = request_root(request)
    sources = tuple(web.store.sources.list_all())
    facets: Facets | None = None
    try:
        view = fetch_results(
            web.store, request, listing, limit=size, offset=(page - 1) * size, path=path, sort=listing.sort
        )
        facets = web.store.facets(listing.q, listing.filters(), limit_per_facet=FACET_VALUES)
    except QueryError as exc:
        view = ResultsView(
            listing=listing,
            page=SearchPage((), 0, listing.q),
            page_size=size,
            path=path,
            root=root,
            base_url=str(request.base_url).rstrip("/"),
            error=str(exc),
        )
    view = replace(view, sources=sources)
    base = root + path
    fragment = wants_fragment(request, LISTING_TARGET)  # htmx swapping the results region alone
    shared: dict[str, Any] = {}  # rendered once for every request showing the same hits or sidebar
    if view.hits:
        groups = copy_groups(web.store.db, [h.id for h in view.hits])  # one query for the page
        hits = HitRange(view.hits, view.offset, tuple(sorted(groups.items())))
        shared["hits_html"] = render_fragment(web.env, "_hits.html", root, (("view", hits),))
    if facets:
        shared["facets_html"] = sidebar_html(web.env, root, facets, listing, base)
    response = html_page(
        web,
        request,
        "_listing.html" if fragment else "listing.html",
        400 if view.error else 200,
        section=section,
        view=view,
        heading=heading,
        chips=filter_chips(listing, facets, base),
        feeds={kind: listing.url(root + feed_path) for kind, feed_path in FEED_PATHS.items()},
        fragment=fragment,
        access=writer(web, request),
        **shared,
        **(extra or {}),
    )
    response.headers["Vary"] = VARY
    return response


@router.get("/")
@router.get("/search")
def listing_page(
    request: Request,
    web: WebDep,
    listing: Annotated[Listing, Depends(filter_params)],
    q: QueryParam = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    """The latest releases, or the matches of a search, with filters, facets and pages."""
    listing = replace(listing, q=q.strip())
    # ASGI servers differ on whether the path includes root_path; links add the root back themselves.
    path = request.url.path.removeprefix(request_root(request)) or "/"
    return listing_response(web, request, listing, page=page, path=path)


def _version(release: Release, number: int | None) -> Version:
    if number is None:
        return release.current
    if not 1 <= number <= len(release.versions):
        raise HTTPException(404, detail=f"release {release.id} has no version {number}")
    return release.versions[number - 1]


@router.get("/releases/{release_id:int}")
def release_page(
    request: Request,
    web: WebDep,
    release_id: int,
    version: Annotated[int | None, Query(ge=1, le=MAX_PAGE)] = None,
    diff: Annotated[int | None, Query(ge=2, le=MAX_PAGE)] = None,
) -> HTMLResponse:
    """One release: its text segment by segment, its versions and what changed between them."""
    release = load_release(web.store, release_id)
    shown = _version(release, version)
    compare = diff if diff is not None else (len(release.versions) if len(release.versions) > 1 else None)
    changes = None
    if compare is not None:
        after = _version(release, compare)
        changes = diff_versions(release.versions[compare - 2], after)
    title_segment = next((s for s in shown.segments if s.kind == "title"), None)
    target = web.settings.translate.target_language
    translation = web.store.translations.get(release.id, target, version_no=shown.version_no)
    enrichment = web.store.enrichments.get(release.id, shown.version_no)
    return html_page(
        web,
        request,
        "release.html",
        section="latest",
        release=release,
        version=shown,
        title_language=title_segment.language if title_segment else shown.language,
        paragraphs=[s for s in shown.segments if s.kind != "title"],
        compare=compare,
        changes=changes,
        hash_prefix=HASH_PREFIX,
        translation=translation,
        bilingual=bilingual_rows(shown, translation),
        made_by=translation_sources(translation),
        target_language=target,
        low_confidence=LOW_CONFIDENCE,
        enrichment=enrichment,
        named_path=_named_paths(enrichment),
        quoted=quoted_pieces(shown.segments, enrichment),
    )


def _named_paths(enrichment: Enrichment | None) -> Callable[[PersonName], str]:
    """For a release's names: the page of the stored person each is, "" for a name no person was kept for."""
    from osiwire.enrich.names import person_key  # as the store keys people (no NLP model is loaded)

    stored = {person_key(name) for name in enrichment.people} if enrichment else set()

    def path(name: PersonName) -> str:
        key = person_key(name)
        return person_path(key) if key in stored else ""

    return path


@router.get("/sources")
def sources_page(request: Request, web: WebDep) -> HTMLResponse:
    """Every source with its fetch health."""
    from osiwire.web.firsts import BAR_WIDTH, firsts_rows  # the stories' modules import this one

    sources = web.store.sources.list_all()
    health = web.store.sources.all_health()
    return html_page(
        web,
        request,
        "sources.html",
        section="sources",
        sources=sources,
        health=health,
        access=writer(web, request),
        firsts=firsts_rows(web.store),
        bar_width=BAR_WIDTH,
    )


@router.get("/sources/{source_id:int}")
def source_page(request: Request, web: WebDep, source_id: int) -> HTMLResponse:
    """One source: its settings, health and latest releases."""
    source, health = load_source(web.store, source_id)
    listing = Listing(source=str(source_id))
    view = fetch_results(web.store, request, listing, limit=SOURCE_PAGE_RELEASES, path="/")
    view = replace(view, listing=Listing(source=source.name), sources=(source,))
    failed = web.store.failures.summary(source_id)
    return html_page(
        web,
        request,
        "source.html",
        section="sources",
        source=source,
        health=health,
        view=view,
        failed=failed,
        failed_items={
            s.stage: web.store.failures.find(s.stage, source_id=source_id, limit=5) for s in failed
        },
    )


@router.get("/api")
def api_page(request: Request, web: WebDep) -> HTMLResponse:
    """A readable index of the JSON API, made from its OpenAPI schema (no CDN-hosted viewer)."""
    schema = request.app.openapi()
    return html_page(
        web, request, "api.html", section="api", schema=schema, schema_url=request.app.openapi_url
    )


def error_page(web: WebState, request: Request, status: int, message: str) -> HTMLResponse:
    """The page shown for 400 and 404."""
    titles = {400: "Bad request", 404: "Not found"}
    return html_page(
        web,
        request,
        "error.html",
        status,
        section="",
        code=status,
        title=titles.get(status, "Error"),
        message=message,
    )
