"""The job queue's admin page: ``GET /jobs`` (counts per queue and status, failed jobs) and ``POST
/jobs/{id}/retry`` (queue a failed job again; signed-in token holders with the form's CSRF token only).

Only PostgreSQL installs with workers have a job queue; elsewhere the page says so. Job arguments and errors are
shown escaped by the template.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from osiwire.web.deps import WebState, web_state
from osiwire.web.pages import html_page
from osiwire.web.session import read_form, write_refusal, writer
from osiwire.workers import JOB_STATUSES
from osiwire.workers.jobs import count_jobs, has_queue, list_jobs, retry_job

router = APIRouter(include_in_schema=False)
WebDep = Annotated[WebState, Depends(web_state)]
FAILED_SHOWN = 100


def _page(web: WebState, request: Request, status: int = 200, message: str = "") -> HTMLResponse:
    access = writer(web, request)
    if not has_queue(web.store.db):
        return html_page(web, request, "jobs.html", status, section="jobs", access=access, queue=False,
                         message=message, counts={}, queues=[], statuses=JOB_STATUSES, failed=[])  # fmt: skip
    counts = count_jobs(web.store.db)
    return html_page(
        web,
        request,
        "jobs.html",
        status,
        section="jobs",
        access=access,
        queue=True,
        message=message,
        counts=counts,
        queues=sorted({queue for queue, _ in counts}),
        statuses=JOB_STATUSES,
        failed=list_jobs(web.store.db, "failed", FAILED_SHOWN),
    )


@router.get("/jobs")
async def jobs_page(request: Request, web: WebDep) -> HTMLResponse:
    """Jobs per queue and status, and the failed ones with a retry button."""
    return await to_thread.run_sync(lambda: _page(web, request))


@router.post("/jobs/{job_id:int}/retry")
async def retry_job_page(request: Request, web: WebDep, job_id: int) -> Response:
    """Queue a failed job again (then back to the page)."""
    form = await read_form(request)
    if refusal := write_refusal(web, request, form):
        status, message = refusal
        return await to_thread.run_sync(lambda: _page(web, request, status, message))
    if not has_queue(web.store.db):
        return _page(web, request, 404, "no job queue: workers run on PostgreSQL only")
    done = await to_thread.run_sync(retry_job, web.store.db, job_id, datetime.now(UTC))
    if not done:
        return await to_thread.run_sync(
            lambda: _page(web, request, 404, f"job {job_id}: no failed job by that id")
        )
    root = str(request.scope.get("root_path", ""))
    return RedirectResponse(f"{root}/jobs", status_code=303)
