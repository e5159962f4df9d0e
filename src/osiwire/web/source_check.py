"""The sources page's check button: ``POST /sources/check`` dry-runs sources and shows what each one gives.

It writes nothing, but it makes the server fetch from every source, so it is a write-protected action like the
others: a signed-in browser with the form's CSRF token (see ``session``). Every value shown (reasons, titles,
URLs) comes from outside and is escaped by the template.
"""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from osiwire.collect.check import STATUSES, check_sources
from osiwire.errors import SourceError
from osiwire.store.schema import as_id
from osiwire.web.deps import WebState, web_state
from osiwire.web.pages import html_page
from osiwire.web.session import read_form, write_refusal, writer

router = APIRouter(include_in_schema=False)
WebDep = Annotated[WebState, Depends(web_state)]


@router.post("/sources/check")
async def check_sources_page(request: Request, web: WebDep) -> HTMLResponse:
    """Dry-run every source, or the one whose id the form's ``source`` field gives; nothing is stored."""
    form = await read_form(request)
    access = writer(web, request)
    if refusal := write_refusal(web, request, form):
        status, message = refusal
        return html_page(
            web,
            request,
            "sources_check.html",
            status,
            section="sources",
            access=access,
            message=message,
            checks=[],
        )
    wanted = form.get("source", "").strip()
    try:
        if wanted:
            source_id = as_id(wanted)
            if source_id is None:
                raise SourceError(f"source {wanted[:40]!r}: not a source id")
            todo = [web.store.sources.get(source_id)]
        else:
            todo = web.store.sources.list_all()
    except SourceError as exc:
        return html_page(
            web,
            request,
            "sources_check.html",
            404,
            section="sources",
            access=access,
            message=str(exc),
            checks=[],
        )
    # The checks fetch over the network: off the event loop.
    checks = await to_thread.run_sync(check_sources, web.settings, web.store, todo)
    return html_page(
        web,
        request,
        "sources_check.html",
        section="sources",
        access=access,
        message="",
        checks=checks,
        statuses=STATUSES,
        failed=sum(not c.ok for c in checks),
    )
