"""The saved-searches page (``/saved``) and its write forms: save a listing's search, rename it or change its
query, delete it. Forms work without JavaScript (POST, then a redirect back); with htmx each answers only the
part of the page it changed. Writing needs a signed-in session and the form's CSRF token (see ``session``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from osiwire.alerts.rules import AlertError
from osiwire.store.query import QueryError
from osiwire.web.deps import Listing, WebState, web_state
from osiwire.web.htmx import SAVE_TARGET, VARY, is_htmx, wants_fragment
from osiwire.web.pages import html_page
from osiwire.web.results import request_root
from osiwire.web.saved_searches import (
    LISTING_TO_RULE,
    SavedSearch,
    alerts_feed_path,
    check_query,
    feed_paths,
    listing_of,
    load_saved,
    rule_from_listing,
    saved_searches,
)
from osiwire.web.session import read_form, write_refusal, writer

MAX_FIELD_CHARS = 500  # as long as a query may be; filters are shorter

router = APIRouter(include_in_schema=False)
WebDep = Annotated[WebState, Depends(web_state)]


@dataclass(frozen=True, slots=True)
class SavedRow:
    """A saved search as the page lists it, with every link and form action made (and escaped) here."""

    saved: SavedSearch
    search_href: str
    feeds: dict[str, str]
    alerts_feed: str
    action: str  # POST here to rename it or change its query
    error: str = ""


def _row(saved: SavedSearch, root: str, error: str = "") -> SavedRow:
    name = quote(saved.name, safe="")
    return SavedRow(
        saved=saved,
        search_href=saved.listing.url(root + "/search"),
        feeds={kind: root + path for kind, path in feed_paths(saved.name).items()},
        alerts_feed=root + alerts_feed_path(saved.name),
        action=f"{root}/saved/{name}",
        error=error,
    )


def _page(
    web: WebState, request: Request, status: int = 200, message: str = "", form: dict[str, str] | None = None
) -> HTMLResponse:
    root = request_root(request)
    return html_page(
        web,
        request,
        "saved.html",
        status,
        section="saved",
        rows=[_row(s, root) for s in saved_searches(web)],
        access=writer(web, request),
        message=message,
        form=form or {},
    )


def _listing_from(form: dict[str, str]) -> Listing:
    return Listing(**{field: form.get(field, "")[:MAX_FIELD_CHARS].strip() for field in LISTING_TO_RULE})


def _save_box(web: WebState, request: Request, listing: Listing, status: int, **context: Any) -> HTMLResponse:
    return html_page(
        web,
        request,
        "_save_search.html",
        status,
        listing=listing,
        access=writer(web, request),
        back=listing.url("/search"),
        **context,
    )


def _back(request: Request) -> RedirectResponse:
    return RedirectResponse(request_root(request) + "/saved", status_code=303)


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/saved")
def saved_page(request: Request, web: WebDep) -> HTMLResponse:
    """Every saved search: its search, its feeds, how often and when it fired; forms to change them."""
    response = _page(web, request)
    response.headers["Vary"] = VARY
    return response


@router.post("/saved")
async def save_search(request: Request, web: WebDep) -> Response:
    """Save a search (``name``, and ``q`` and the filters as ``/search`` takes them)."""
    form = await read_form(request)
    listing = _listing_from(form)
    status, error, saved_as = 201, "", ""
    if refusal := write_refusal(web, request, form):
        status, error = refusal
    else:
        try:
            rule = rule_from_listing(form.get("name", ""), listing)
            check_query(web, rule)
            saved_as = web.store.alerts.add(rule, _now()).name
        except (AlertError, QueryError) as exc:
            taken = isinstance(exc, AlertError) and "exists" in str(exc)
            status, error = (409 if taken else 400), str(exc)
    if wants_fragment(request, SAVE_TARGET):
        if error:
            return _save_box(web, request, listing, status, error=error)
        return _save_box(web, request, listing, 201, saved_as=saved_as)
    if error:
        return _page(web, request, status, error, form)
    return _back(request)


@router.post("/saved/{name}")
async def edit_search(request: Request, web: WebDep, name: str) -> Response:
    """Rename a saved search (``name``) and change its query (``q``); its filters, webhook and alerts stay."""
    form = await read_form(request)
    saved = load_saved(web, name)
    status, error = 200, ""
    if refusal := write_refusal(web, request, form):
        status, error = refusal
    else:
        listing = replace(saved.listing, q=form.get("q", saved.listing.q)[:MAX_FIELD_CHARS].strip())
        try:
            rule = rule_from_listing(form.get("name", saved.name), listing)
            check_query(web, rule)
            updated = web.store.alerts.replace(saved.name, rule)
            saved = replace(saved, rule=updated, listing=listing_of(updated))
        except (AlertError, QueryError) as exc:
            taken = isinstance(exc, AlertError) and "exists" in str(exc)
            status, error = (409 if taken else 400), str(exc)
    if is_htmx(request):
        row = _row(saved, request_root(request), error)
        return html_page(web, request, "_saved_row.html", status, row=row, access=writer(web, request))
    if error:
        return _page(web, request, status, f"{saved.name}: {error}")
    return _back(request)


@router.post("/saved/{name}/delete")
async def delete_search(request: Request, web: WebDep, name: str) -> Response:
    """Delete a saved search and its alerts."""
    form = await read_form(request)
    saved = load_saved(web, name)
    if refusal := write_refusal(web, request, form):
        status, error = refusal
        if is_htmx(request):
            row = _row(saved, request_root(request), error)
            return html_page(web, request, "_saved_row.html", status, row=row, access=writer(web, request))
        return _page(web, request, status, error)
    web.store.alerts.remove(saved.name)
    if is_htmx(request):
        return HTMLResponse("")  # the row's outerHTML becomes nothing: it is gone
    return _back(request)
