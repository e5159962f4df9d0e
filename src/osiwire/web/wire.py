"""Wire text over HTTP: one release, or the daily digest of a region (every release of the day, newest first)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import PlainTextResponse

from osiwire.model import Release, SearchFilters
from osiwire.publish.export import ExportItem, render_wire
from osiwire.store.search import MAX_LIMIT
from osiwire.web.deps import MAX_FILTER_CHARS, WebState, load_release, web_state

TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"
MAX_DIGEST = 2000  # releases in one day's digest: more than any region publishes in a day
DIGEST_RULE = "=" * 72  # between releases in a digest

router = APIRouter(include_in_schema=False)
WebDep = Annotated[WebState, Depends(web_state)]


def wire_text(web: WebState, release: Release) -> str:
    """One release in the wire format, with its stored translation and participants."""
    translation = web.store.translations.get(release.id, web.settings.translate.target_language)
    enrichment = web.store.enrichments.get(release.id)
    participants = (
        tuple(p for p in enrichment.participants if p.kind != "mentioned") if enrichment is not None else ()
    )
    return render_wire(ExportItem(release, translation, participants))


@router.get("/releases/{release_id:int}.txt")
def release_wire(web: WebDep, release_id: int) -> PlainTextResponse:
    """A release as wire text."""
    return PlainTextResponse(wire_text(web, load_release(web.store, release_id)), media_type=TEXT_MEDIA_TYPE)


def _day(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise HTTPException(404, detail=f"digest {value[:40]!r}: not a day (YYYY-MM-DD)") from None


@router.get("/digest/{region:str}/{day:str}.txt")
def region_digest(web: WebDep, region: str, day: str) -> PlainTextResponse:
    """Every release of a region published on one day (UTC), newest first, as wire text."""
    start = _day(day)
    known = {s.region.casefold(): s.region for s in web.store.sources.list_all() if s.region}
    if len(region) > MAX_FILTER_CHARS or region.casefold() not in known:
        raise HTTPException(404, detail=f"region {region[:60]!r}: no source has it")
    name = known[region.casefold()]
    # A day that ends past the last representable one bounds nothing at its end.
    end = start + timedelta(days=1) if start.date() < datetime.max.date() else None
    filters = SearchFilters(region=name, since=start, until=end)
    ids: list[int] = []
    while len(ids) < MAX_DIGEST:
        page = web.store.search("", filters, limit=MAX_LIMIT, offset=len(ids), sort="date")
        ids += [h.id for h in page.hits]
        if len(ids) >= page.total or not page.hits:
            break
    header = f"{name} – {start.date().isoformat()}: {len(ids)} release{'' if len(ids) == 1 else 's'}\n"
    parts = [header] + [wire_text(web, web.store.releases.get(i)) for i in ids[:MAX_DIGEST]]
    return PlainTextResponse(f"\n{DIGEST_RULE}\n\n".join(parts), media_type=TEXT_MEDIA_TYPE)
