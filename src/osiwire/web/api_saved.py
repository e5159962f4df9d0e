"""The JSON API of saved searches, ``/api/v1/saved-searches``: list, get, create, update, delete.

A saved search is an alert rule of kind ``search`` (see ``/api/v1/alerts`` for every kind); writes need the
bearer token.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from osiwire.alerts.rules import MAX_TEXT_CHARS, AlertError, SearchRule, definition_dict
from osiwire.web.api import ERRORS_400, ERRORS_404, WebDep, router
from osiwire.web.auth import WRITE_ERRORS, require_token
from osiwire.web.results import request_root
from osiwire.web.saved_searches import (
    FILTER_KEYS,
    SAVED_FEEDS,
    SavedSearch,
    alerts_feed_path,
    check_query,
    feed_paths,
    load_saved,
    saved_searches,
    search_rule,
)
from osiwire.web.schemas import ErrorOut

WRITE = [Depends(require_token)]
NameParam = Annotated[str, Path(max_length=100, description="The saved search's name.")]
ERRORS_409: dict[int | str, dict[str, str | type[BaseModel]]] = {
    409: {"model": ErrorOut, "description": "Name taken (by a saved search or another alert rule)."}
}
FILTERS_DESCRIPTION = (
    f"Search filters by their rule-file keys: {', '.join(f'`{k}`' for k in FILTER_KEYS)} "
    "(`since`/`until` as YYYY-MM-DD)."
)


class SavedSearchOut(BaseModel):
    """A saved search: a named query with filters, its search URL and feeds, and the alerts it fired."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Its name (also in its feed URLs).")
    query: str = Field(description="The query, as `/api/v1/search` takes `q`.")
    filters: dict[str, str] = Field(description=FILTERS_DESCRIPTION)
    search_url: str = Field(description="The same search on the web (`/search?...`).")
    feeds: dict[str, str] = Field(description="Its current results as `rss`, `atom` and `json` (JSON Feed).")
    alerts_feed: str = Field(description="The Atom feed of the alerts it fired.")
    alerts: int = Field(description="How many releases it fired on.")
    last_fired: datetime | None = Field(description="When it last fired.")
    created_at: datetime | None


class SavedSearchIn(BaseModel):
    """A search to save."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(max_length=100, description="Unique name: letters, digits, `.`, `-`, `_`.")
    query: str = Field("", max_length=MAX_TEXT_CHARS, description="The query (`q` of `/api/v1/search`).")
    filters: dict[str, str] = Field(
        default_factory=dict, max_length=len(FILTER_KEYS), description=FILTERS_DESCRIPTION
    )


class SavedSearchPatch(BaseModel):
    """What to change in a saved search; fields left out stay (``filters``, when given, replaces them all)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, max_length=100, description="A new name.")
    query: str | None = Field(None, max_length=MAX_TEXT_CHARS, description="A new query.")
    filters: dict[str, str] | None = Field(None, max_length=len(FILTER_KEYS), description=FILTERS_DESCRIPTION)


def _out(saved: SavedSearch, root: str) -> SavedSearchOut:
    keys = definition_dict(saved.rule.definition)
    return SavedSearchOut(
        name=saved.name,
        query=keys.pop("query", ""),
        filters=keys,
        search_url=saved.listing.url(root + "/search"),
        feeds={SAVED_FEEDS[kind]: root + path for kind, path in feed_paths(saved.name).items()},
        alerts_feed=root + alerts_feed_path(saved.name),
        alerts=saved.alerts,
        last_fired=saved.last_fired,
        created_at=saved.rule.created_at,
    )


@router.get(
    "/saved-searches",
    response_model=list[SavedSearchOut],
    summary="Saved searches",
    description="Every saved search (alert rules of kind `search`), oldest first, with its feeds and alerts.",
)
def list_saved(request: Request, web: WebDep) -> list[SavedSearchOut]:
    return [_out(s, request_root(request)) for s in saved_searches(web)]


@router.get(
    "/saved-searches/{name}",
    response_model=SavedSearchOut,
    responses=ERRORS_404,
    summary="One saved search",
    description="A saved search by name.",
)
def get_saved(request: Request, web: WebDep, name: NameParam) -> SavedSearchOut:
    return _out(load_saved(web, name), request_root(request))


@router.post(
    "/saved-searches",
    response_model=SavedSearchOut,
    status_code=201,
    dependencies=WRITE,
    responses={**ERRORS_400, **WRITE_ERRORS, **ERRORS_409},
    summary="Save a search",
    description="Save a query and filters under a name (at least one of the two). Needs the bearer token.",
)
def create_saved(request: Request, web: WebDep, body: SavedSearchIn) -> SavedSearchOut:
    try:
        rule = search_rule(body.name, body.query, body.filters)
    except AlertError as exc:
        raise HTTPException(400, detail=str(exc)) from exc
    check_query(web, rule)  # a malformed query is a 400 now, not a broken saved search later
    try:
        web.store.alerts.add(rule, datetime.now(UTC))
    except AlertError as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    return _out(load_saved(web, rule.name), request_root(request))


@router.patch(
    "/saved-searches/{name}",
    response_model=SavedSearchOut,
    dependencies=WRITE,
    responses={**ERRORS_400, **ERRORS_404, **WRITE_ERRORS, **ERRORS_409},
    summary="Edit a saved search",
    description=(
        "Rename a saved search, change its query or replace its filters; its alerts, webhook and secret stay. "
        "Needs the bearer token."
    ),
)
def edit_saved(request: Request, web: WebDep, name: NameParam, body: SavedSearchPatch) -> SavedSearchOut:
    saved = load_saved(web, name)
    assert isinstance(saved.rule.definition, SearchRule)
    keys = definition_dict(saved.rule.definition)
    query = keys.pop("query", "")
    try:
        rule = search_rule(
            saved.name if body.name is None else body.name,
            query if body.query is None else body.query,
            keys if body.filters is None else body.filters,
        )
    except AlertError as exc:
        raise HTTPException(400, detail=str(exc)) from exc
    check_query(web, rule)
    try:
        web.store.alerts.replace(saved.name, rule)
    except AlertError as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    return _out(load_saved(web, rule.name), request_root(request))


@router.delete(
    "/saved-searches/{name}",
    status_code=204,
    response_class=Response,
    dependencies=WRITE,
    responses={**ERRORS_404, **WRITE_ERRORS},
    summary="Delete a saved search",
    description="Delete a saved search and its alerts. Needs the bearer token.",
)
def delete_saved(web: WebDep, name: NameParam) -> Response:
    web.store.alerts.remove(load_saved(web, name).name)
    return Response(status_code=204)
