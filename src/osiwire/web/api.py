"""The JSON API, ``/api/v1``: latest releases, search, facets, releases, participants, topics and sources.

Errors are ``{"detail": ...}``. People are in ``api_people``, the write routes in ``api_sources``: they add
their routes to this module's ``router``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from osiwire.errors import ConfigError
from osiwire.store.facets import MAX_PER_FACET
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
from osiwire.web.schemas import (
    ErrorOut,
    HitPageOut,
    ReleaseOut,
    ReleaseRefOut,
    SourceOut,
    enrichment_out,
    release_out,
    source_out,
)
from osiwire.web.schemas_enrichment import FacetsOut, ReleaseParticipantsOut, TopicCountOut, facets_out

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
FACET_LIMIT = 100  # values per facet one request may ask for


def _listing(request: Request, web: WebState, listing: Listing, limit: int | None, offset: int) -> Response:
    try:
        size = limit or web.settings.web.page_size
        view = fetch_results(
            web.store, request, listing, limit=size, offset=offset, path="/", sort=listing.sort
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
    description=(
        "Releases newest first (by publication time, else first seen), filtered. The enrichment filters "
        "(`topic`, `person`, `organisation`, `mentions_country`) look at each release's current version."
    ),
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
        "Each hit has a snippet and the offsets of the matched words in it. `sort=date` orders newest first."
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
    out = release_out(release, shown, health, translation, enrichment)
    place = web.store.stories.of_release(release.id)
    if place is None:
        return out
    original = place[1]
    original_url = web.store.stories.release_url(original) if original is not None else None
    return out.model_copy(
        update={
            "story_id": web.store.stories.resolve(place[0]),
            "duplicate_of": ReleaseRefOut(id=original, url=original_url or "")
            if original is not None
            else None,
            "duplicates": [ReleaseRefOut(id=i, url=u) for i, u in web.store.stories.copies(release.id)],
        }
    )


@router.get(
    "/releases/{release_id}/participants",
    response_model=ReleaseParticipantsOut,
    responses=ERRORS_404,
    summary="Participants of a release",
    description=(
        "The participant list of a release's current version: each person with position, organisation, "
        "country and group, as the official list gives them (or appositions in the text)."
    ),
)
def release_participants(
    web: WebDep, release_id: Annotated[int, Path(description="Release id.")]
) -> ReleaseParticipantsOut:
    release = load_release(web.store, release_id)
    found = enrichment_out(web.store.enrichments.get(release.id))
    return ReleaseParticipantsOut(
        release_id=release.id,
        version_no=release.current.version_no,
        enriched=found is not None,
        participants=found.participants if found is not None else [],
    )


@router.get(
    "/facets",
    response_model=FacetsOut,
    responses=ERRORS_400,
    summary="Facet counts of a search",
    description=(
        "How many releases a search (or the latest list, without `q`) matches per region, source country, "
        "source, language, topic, person, organisation and month. Same parameters as `/api/v1/search`; "
        "each count is the total the search shows with that value added as a filter."
    ),
)
def search_facets(
    web: WebDep,
    listing: Annotated[Listing, Depends(filter_params)],
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="The search query (optional).")] = "",
    limit: Annotated[
        int, Query(ge=1, le=FACET_LIMIT, description="Values per facet, most frequent first (months: all).")
    ] = 10,
) -> FacetsOut:
    try:
        found = web.store.facets(q.strip(), listing.filters(), limit_per_facet=limit)
    except QueryError as exc:
        raise HTTPException(400, detail=str(exc)) from exc
    return facets_out(q.strip(), found)


@router.get(
    "/topics",
    response_model=list[TopicCountOut],
    summary="Topics",
    description=(
        "Every topic of the taxonomy with the number of releases it fired on, then topics stored with "
        "releases but since removed from the taxonomy. Filter releases by one with `topic=ID`."
    ),
)
def list_topics(web: WebDep) -> list[TopicCountOut]:
    from osiwire.enrich.topics import load_taxonomy  # the enrich package is not needed for anything else here

    enrich = web.settings.enrich
    try:
        taxonomy = load_taxonomy(web.settings.data_dir / enrich.topics_file if enrich.topics_file else None)
    except ConfigError as exc:
        raise HTTPException(500, detail=str(exc)) from exc
    counts = {v.value: v for v in web.store.facets(only=("topic",), limit_per_facet=MAX_PER_FACET).topic}
    listed = [
        TopicCountOut(
            id=t.id, label=t.label, releases=counts[t.id].count if t.id in counts else 0, in_taxonomy=True
        )
        for t in taxonomy
    ]
    known = {t.id for t in taxonomy}
    return listed + [
        TopicCountOut(id=v.value, label=v.label, releases=v.count, in_taxonomy=False)
        for v in counts.values()
        if v.value not in known
    ]


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
