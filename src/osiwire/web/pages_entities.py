"""Organisation and place pages: the names found, the releases mentioning them and the people beside them."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from osiwire.store.entities import Entities
from osiwire.web.api_entities import load_entity
from osiwire.web.deps import MAX_FILTER_CHARS, Listing
from osiwire.web.pages import MAX_PAGE, WebDep, html_page
from osiwire.web.results import ResultsView, request_root

ENTITY_PAGE_RELEASES = 20  # releases per page, newest first
PEOPLE_SHOWN = 30  # the most frequent; the long tail is in the search's person facet

router = APIRouter(include_in_schema=False)
NameParam = Annotated[str, Path(max_length=MAX_FILTER_CHARS)]
PageParam = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def _entity_page(
    request: Request, web: WebDep, kind: str, section: str, name: str, page: int
) -> HTMLResponse:
    found = load_entity(web.store, kind, name)
    entities = Entities(web.store.db)
    offset = (page - 1) * ENTITY_PAGE_RELEASES
    root = request_root(request)
    view = ResultsView(
        listing=Listing(),
        page=entities.releases(found, limit=ENTITY_PAGE_RELEASES, offset=offset),
        page_size=ENTITY_PAGE_RELEASES,
        path=f"/{section}/{quote(name, safe='')}",
        root=root,
        base_url=str(request.base_url).rstrip("/"),
        offset=offset,
    )
    return html_page(
        web,
        request,
        "entity.html",
        section="latest",
        kind=kind,
        entity_section=section,
        entity=found,
        view=view,
        people=entities.people(found, PEOPLE_SHOWN),
    )


@router.get("/organisations/{name}")
def organisation_page(request: Request, web: WebDep, name: NameParam, page: PageParam = 1) -> HTMLResponse:
    """An organisation (its normal form, any case): spellings, releases newest first, people beside it."""
    return _entity_page(request, web, "organisation", "organisations", name, page)


@router.get("/places/{name}")
def place_page(request: Request, web: WebDep, name: NameParam, page: PageParam = 1) -> HTMLResponse:
    """A place (its normal form, any case): spellings, releases newest first, people beside it."""
    return _entity_page(request, web, "place", "places", name, page)
