"""Topic and country pages: the releases of a topic, or mentioning a country, in the listing with its facets."""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse

from osiwire.errors import ConfigError
from osiwire.publish.spikes import spike_rule
from osiwire.web.charts import volume_chart
from osiwire.web.deps import MAX_TOPIC_CHARS, Listing, WebState
from osiwire.web.pages import MAX_PAGE, WebDep, listing_response

COUNTRY_CODE_RE = re.compile(r"[A-Za-z]{2}")
# The enrich stage's country names (only the code and first English name are read here).
COUNTRIES_FILE = FilePath(__file__).resolve().parent.parent / "data" / "countries.toml"
LISTING_PATH = "/search"  # facets, chips and pages of a topic or country page lead into the search listing

router = APIRouter(include_in_schema=False)
PageParam = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@functools.cache
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → English name, from the bundled country table (read once)."""
    table = tomllib.loads(COUNTRIES_FILE.read_text(encoding="utf-8"))
    return {c["code"]: (c.get("en") or [c["code"]])[0] for c in table.get("country", [])}


def _taxonomy_label(web: WebState, topic_id: str) -> str | None:
    from osiwire.enrich.topics import load_taxonomy  # the enrich package is needed only for unknown ids

    enrich = web.settings.enrich
    try:
        taxonomy = load_taxonomy(web.settings.data_dir / enrich.topics_file if enrich.topics_file else None)
    except ConfigError:
        return None
    return next((t.label for t in taxonomy if t.id == topic_id), None)


@router.get("/topics/{topic_id}")
def topic_page(
    request: Request,
    web: WebDep,
    topic_id: Annotated[str, Path(max_length=MAX_TOPIC_CHARS)],
    page: PageParam = 1,
) -> HTMLResponse:
    """A topic: its label and its releases, newest first, with the listing's facets (by region and more)."""
    stored = web.store.facets("", Listing(topic=topic_id).filters(), only=("topic",), limit_per_facet=1000)
    label = next((v.label for v in stored.topic if v.value == topic_id), None)
    if label is None:
        label = _taxonomy_label(web, topic_id)  # a topic of the taxonomy that fired on nothing yet
    if label is None:
        raise HTTPException(404, detail=f"topic {topic_id[:60]!r}: not found")
    listing = Listing(topic=topic_id, sort="date")
    heading = f"Topic: {label}"
    chart = volume_chart(web.store, "topic", topic_id, spike_rule(web.settings)) if page == 1 else None
    return listing_response(
        web, request, listing, page=page, path=LISTING_PATH, heading=heading, extra={"chart": chart}
    )


@router.get("/countries/{code}")
def country_page(
    request: Request,
    web: WebDep,
    code: Annotated[str, Path(max_length=MAX_TOPIC_CHARS)],
    page: PageParam = 1,
) -> HTMLResponse:
    """A country (ISO 3166-1 alpha-2): the releases that mention it, newest first, with the listing's facets."""
    if not COUNTRY_CODE_RE.fullmatch(code):
        raise HTTPException(404, detail=f"country {code[:60]!r}: not an ISO 3166-1 alpha-2 code")
    code = code.upper()
    listing = Listing(mentions_country=code, sort="date")
    name = country_names().get(code)
    if name is None and web.store.search("", listing.filters(), limit=1).total == 0:
        raise HTTPException(404, detail=f"country {code}: not found")
    heading = f"Releases mentioning {name or code} ({code})"
    return listing_response(web, request, listing, page=page, path=LISTING_PATH, heading=heading)
