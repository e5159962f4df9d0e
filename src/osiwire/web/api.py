"""The JSON API, ``/api/v1``: latest releases, search, releases and sources. Errors are ``{"detail": ...}``."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from osiwire.store.query import QueryError
from osiwire.store.search import MAX_LIMIT
from osiwire.web.deps import (
    MAX_QUERY_CHARS,
    Listing,
    WebState,
    filter_params,
    load_release,
    load_source,
    web_state,
)
from osiwire.web.results import fetch_results
from osiwire.web.schemas import ErrorOut, HitPageOut, ReleaseOut, SourceOut, release_out, source_out

API_PREFIX = "/api/v1"
MAX_OFFSET = 10_000_000  # keeps OFFSET inside what the database accepts

router = APIRouter(prefix=API_PREFIX, tags=["api"])
WebDep = Annotated[WebState, Depends(web_state)]
Limit = Annotated[
    int | None, Query(ge=1, le=MAX_LIMIT, description="Results per page (default: the UI's page size).")
]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Results to skip.")]
ERRORS_400: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad parameter or query."}
}
ERRORS_404: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "No such item."}}


def _listing(request: Request, web: WebState, listing: Listing, limit: int | None, offset: int) -> Response:
    try:
        view = fetch_results(
            web.store, request, listing, limit=limit or web.settings.web.page_size, offset=offset, path="/"
        )
    except QueryError as exc:
        raise HTTPException(400, detail=str(exc)) from exc
    # Through the renderer registry, so JSON listings are produced in one place.
    renderer = web.renderers.get("json")
    return Response(renderer.render(view), media_type=renderer.media_type)


@router.get(
    "/releases",
    response_model=HitPageOut,
    responses=ERRORS_400,
    summary="Latest releases",
    description="Releases newest first (by publication time, else first seen), filtered.",
)
def latest_releases(
    request: Request,
    web: WebDep,
    listing: Annotated[Listing, Depends(filter_params)],
    limit: Limit = None,
    offset: Offset = 0,
) -> Response:
    return _listing(request, web, listing, limit, offset)


@router.get(
    "/search",
    response_model=HitPageOut,
    responses=ERRORS_400,
    summary="Search releases",
    description=(
        "Full-text search, best matches first. Words are ANDed and match their inflections "
        '(`Москва` finds `в Москве`); `"a phrase"`, `a OR b`, `-excluded`, `prefix*`. '
        "Each hit has a snippet and the offsets of the matched words in it."
    ),
)
def search_releases(
    request: Request,
    web: WebDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="The search query.")],
    listing: Annotated[Listing, Depends(filter_params)],
    limit: Limit = None,
    offset: Offset = 0,
) -> Response:
    if not q.strip():
        raise HTTPException(400, detail="q: empty query (the latest releases are at /api/v1/releases)")
    return _listing(request, web, replace(listing, q=q.strip()), limit, offset)


@router.get(
    "/releases/{release_id}",
    response_model=ReleaseOut,
    responses=ERRORS_404,
    summary="One release",
    description=(
        "A release with every segment (title and paragraphs, each with its language) of the newest version, "
        "or of `version`, and the list of its versions."
    ),
)
def get_release(
    web: WebDep,
    release_id: Annotated[int, Path(description="Release id.")],
    version: Annotated[int | None, Query(ge=1, description="Version number (default: the newest).")] = None,
) -> ReleaseOut:
    release = load_release(web.store, release_id)
    if version is not None and version > len(release.versions):
        raise HTTPException(404, detail=f"release {release_id}: no version {version}")
    shown = release.versions[version - 1] if version else release.current
    source_id = release.source.id if release.source else None
    health = web.store.sources.health(source_id) if source_id is not None else None
    translation = web.store.translations.get(
        release.id, web.settings.translate.target_language, version_no=shown.version_no
    )
    enrichment = web.store.enrichments.get(release.id, shown.version_no)
    return release_out(release, shown, health, translation, enrichment)


@router.get(
    "/sources",
    response_model=list[SourceOut],
    summary="All sources",
    description="Every registered source with its fetch health (last success, errors, next check).",
)
def list_sources(web: WebDep) -> list[SourceOut]:
    health = web.store.sources.all_health()
    return [
        source_out(s, health.get(s.id) if s.id is not None else None) for s in web.store.sources.list_all()
    ]


@router.get(
    "/sources/{source_id}",
    response_model=SourceOut,
    responses=ERRORS_404,
    summary="One source",
    description="A registered source and its fetch health.",
)
def get_source(web: WebDep, source_id: Annotated[int, Path(description="Source id.")]) -> SourceOut:
    source, health = load_source(web.store, source_id)
    return source_out(source, health)
