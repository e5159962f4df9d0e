"""The person page: a person's names in every script, positions over time, releases and co-participants."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from osiwire.publish.spikes import spike_rule
from osiwire.web.api_people import co_participants, load_person
from osiwire.web.charts import volume_chart
from osiwire.web.deps import MAX_FILTER_CHARS, Listing
from osiwire.web.pages import WebDep, html_page
from osiwire.web.results import fetch_results

PERSON_PAGE_RELEASES = 20  # newest releases shown; the rest are a click away in the search listing
QUOTES_SHOWN = 20  # newest quotes on the page; /api/v1/people/{id}/quotes pages through the rest
CO_PARTICIPANTS_SHOWN = 30  # the most frequent; the long tail is in the search's person facet

router = APIRouter(include_in_schema=False)


def script_of(text: str) -> str:
    """The script of the first letter of ``text`` ("Cyrillic", "Latin", ...; "Other" without letters)."""
    for char in text:
        if char.isalpha():
            return unicodedata.name(char, "OTHER").split()[0].title()
    return "Other"


def variants_by_script(variants: tuple[str, ...]) -> dict[str, list[str]]:
    """Spellings grouped by script, each group sorted, scripts in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for variant in variants:
        groups.setdefault(script_of(variant), []).append(variant)
    return {script: sorted(set(names)) for script, names in groups.items()}


@router.get("/people/{person}")
def person_page(
    request: Request,
    web: WebDep,
    person: Annotated[str, Path(max_length=MAX_FILTER_CHARS)],
) -> HTMLResponse:
    """One person (by id or key): names, positions over time, releases and the people they appeared with."""
    found = load_person(web.store, person)
    # Filtering by id keeps the "all releases" link short and stable.
    listing = Listing(person=str(found.id), sort="date")
    view = fetch_results(web.store, request, listing, limit=PERSON_PAGE_RELEASES, path="/search", sort="date")
    return html_page(
        web,
        request,
        "person.html",
        section="latest",
        person=found,
        variants=variants_by_script(found.name.variants),
        view=view,
        co_participants=co_participants(web.store, found, CO_PARTICIPANTS_SHOWN),
        quotes=web.store.enrichments.quotes_of(found.id, limit=QUOTES_SHOWN),
        chart=volume_chart(web.store, "person", str(found.id), spike_rule(web.settings)),
    )
