"""Top stories and one story's page: stories across sources, who published first, each source's delay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from osiwire.errors import StoreError
from osiwire.publish.spikes import breaking_rule, find_spikes, spike_rule
from osiwire.publish.stories import resolve_story, story_list, story_record
from osiwire.store import Store
from osiwire.store.story_people import top_people, top_places
from osiwire.stories.spikes import HOUR
from osiwire.web.deps import WebState
from osiwire.web.firsts import delay_text
from osiwire.web.pages import WebDep, country_path, html_page, person_path, topic_path
from osiwire.web.results import request_root

TOP_STORIES = 50  # stories on the Top stories page, largest and newest first
SPIKE_KINDS = ("topic", "person", "organisation", "country")  # a source's own spike is its business
SPIKE_SPAN = timedelta(days=1)  # the page lists the spikes of the last day
SPIKES_SHOWN = 12
TRANSLATED_TITLES = 200  # releases of a story whose translated title is looked up, earliest first
SHARED_SHOWN = 10  # people and places named by two releases of the story or more

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class SpikeLink:
    """A spike as the Top stories page lists it."""

    kind: str
    label: str
    href: str  # below the app's root
    why: str
    window_count: int
    ratio: str


def _href(kind: str, key: str) -> str:
    if kind == "topic":
        return topic_path(key)
    if kind == "person":
        return person_path(key)
    if kind == "country":
        return country_path(key)
    if kind == "source":
        return f"/sources/{key}"
    if (
        key and "/" not in key and key not in (".", "..")
    ):  # an organisation's page, as _entities.html links it
        return "/organisations/" + quote(key, safe="")
    return "/search?" + urlencode({"organisation": key})


def spiking(web: WebState) -> tuple[datetime | None, list[SpikeLink]]:
    """The spikes of the day to the newest stored release (an archive shows its own last day), strongest first."""
    span = web.store.volumes.span()
    if span is None:
        return None, []
    end = span[1] + HOUR
    found = find_spikes(web.store, SPIKE_KINDS, end - SPIKE_SPAN, end, spike_rule(web.settings))
    found.sort(key=lambda s: (-(s.ratio or s.window_count), -s.window_count))
    return span[1], [
        SpikeLink(
            s.kind,
            s.label,
            _href(s.kind, s.label if s.kind == "organisation" else s.key),
            s.why(),
            s.window_count,
            f"{s.ratio:.0f}x" if s.ratio is not None else "new",
        )
        for s in found[:SPIKES_SHOWN]
    ]


@router.get("/stories")
def top_stories(request: Request, web: WebDep) -> HTMLResponse:
    """Stories across sources, largest and newest first, each with its first publisher; what spikes."""
    newest, spikes = spiking(web)
    return html_page(
        web,
        request,
        "stories.html",
        section="stories",
        stories=story_list(web.store, None, TOP_STORIES, breaking_rule(web.settings)),
        spikes=spikes,
        newest=newest,
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
    target = web.settings.translate.target_language
    translated = {}  # each release's title in the target language, beside the original
    for r in story["releases"][:TRANSLATED_TITLES]:
        if r["language"] != target and (title := english_title(web.store, r["id"], target)):
            translated[r["id"]] = title
    shared = top_people(web.store.db, [resolved], per_story=SHARED_SHOWN).get(resolved, [])
    return html_page(
        web,
        request,
        "story.html",
        section="stories",
        story=story,
        delays=delays,
        translated=translated,
        target_language=target,
        people=[p for p in shared if p[2] >= 2 or story["size"] == 1],
        places=[
            p for p in top_places(web.store.db, resolved, SHARED_SHOWN) if p[1] >= 2 or story["size"] == 1
        ],
    )


def english_title(store: Store, release_id: int, target: str) -> str:
    """A release's title in ``target`` ("" when its title was not translated)."""
    translation = store.translations.get(release_id, target)
    if translation is None or not any(p.translated for p in translation.sentences if p.segment == 0):
        return ""
    return translation.segment_text(0)
