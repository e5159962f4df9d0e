"""The HTML pages: latest releases and search, a release, the sources, the API index. No JavaScript needed."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from osiwire.model import Release, Version
from osiwire.store import SearchPage
from osiwire.store.query import QueryError
from osiwire.web.bilingual import LOW_CONFIDENCE, bilingual_rows
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
from osiwire.web.render import HTML_MEDIA_TYPE, render_html
from osiwire.web.results import ResultsView, fetch_results, request_root

MAX_PAGE = 100_000  # keeps OFFSET inside what the database accepts
HASH_PREFIX = 12  # enough hex digits to tell versions apart at a glance
SOURCE_PAGE_RELEASES = 20  # latest releases shown on a source's page

router = APIRouter(include_in_schema=False)
WebDep = Annotated[WebState, Depends(web_state)]


def html_page(
    web: WebState, request: Request, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """Render ``template`` into a response."""
    body = render_html(web.env, template, request_root(request), **context)
    return HTMLResponse(body, status_code=status, media_type=HTML_MEDIA_TYPE)


@router.get("/")
@router.get("/search")
def listing_page(
    request: Request,
    web: WebDep,
    listing: Annotated[Listing, Depends(filter_params)],
    q: QueryParam = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    """The latest releases, or the matches of a search, with filters and pages."""
    listing = replace(listing, q=q.strip())
    size = web.settings.web.page_size
    # ASGI servers differ on whether the path includes root_path; links add the root back themselves.
    path = request.url.path.removeprefix(request_root(request)) or "/"
    sources = tuple(web.store.sources.list_all())
    try:
        view = fetch_results(
            web.store, request, listing, limit=size, offset=(page - 1) * size, path=path, sort=listing.sort
        )
    except QueryError as exc:
        empty = ResultsView(
            listing=listing,
            page=SearchPage((), 0, listing.q),
            page_size=size,
            path=path,
            root=request_root(request),
            base_url=str(request.base_url).rstrip("/"),
            error=str(exc),
        )
        view = empty
    view = replace(view, sources=sources)
    renderer = web.renderers.get("html")
    return HTMLResponse(
        renderer.render(view), status_code=400 if view.error else 200, media_type=renderer.media_type
    )


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
        target_language=target,
        low_confidence=LOW_CONFIDENCE,
        enrichment=enrichment,
    )


@router.get("/sources")
def sources_page(request: Request, web: WebDep) -> HTMLResponse:
    """Every source with its fetch health."""
    sources = web.store.sources.list_all()
    health = web.store.sources.all_health()
    return html_page(web, request, "sources.html", section="sources", sources=sources, health=health)


@router.get("/sources/{source_id:int}")
def source_page(request: Request, web: WebDep, source_id: int) -> HTMLResponse:
    """One source: its settings, health and latest releases."""
    source, health = load_source(web.store, source_id)
    listing = Listing(source=str(source_id))
    view = fetch_results(web.store, request, listing, limit=SOURCE_PAGE_RELEASES, path="/")
    view = replace(view, listing=Listing(source=source.name), sources=(source,))
    return html_page(web, request, "source.html", section="sources", source=source, health=health, view=view)


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
