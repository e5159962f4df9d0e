"""Top stories and one story's page: stories across sources, who published first, each source's delay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from osiwire.errors import StoreError
from osiwire.publish.spikes import breaking_rule
from osiwire.publish.stories import resolve_story, story_list, story_record
from osiwire.web.firsts import delay_text
from osiwire.web.pages import WebDep, html_page
from osiwire.web.results import request_root

TOP_STORIES = 50  # stories on the Top stories page, largest and newest first

router = APIRouter(include_in_schema=False)


@router.get("/stories")
def top_stories(request: Request, web: WebDep) -> HTMLResponse:
    """Stories across sources, largest and newest first, each with its first publisher."""
    return html_page(
        web,
        request,
        "stories.html",
        section="stories",
        stories=story_list(web.store, None, TOP_STORIES, breaking_rule(web.settings)),
    )


@router.get("/stories/{story_id}", response_model=None)
def story_page(
    request: Request, web: WebDep, story_id: Annotated[int, Path(ge=1)]
) -> HTMLResponse | Response:
    """One story: its releases by time, the first publisher marked, each other source's delay."""
    try:
        resolved = resolve_story(web.store, story_id)
    except StoreError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    if resolved != story_id:  # merged into an older story: its address keeps working
        return RedirectResponse(f"{request_root(request)}/stories/{resolved}", status_code=301)
    story = story_record(web.store, resolved)
    delays = {d["release_id"]: delay_text(d["delay_s"]) for d in story["delays"]}
    return html_page(web, request, "story.html", section="stories", story=story, delays=delays)
