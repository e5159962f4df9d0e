"""The JSON API's people: ``/api/v1/people`` and one person with their releases and co-participants."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Path, Query

from osiwire.model import SearchFilters
from osiwire.store import Store
from osiwire.store.enrichments import MAX_PEOPLE, Person
from osiwire.store.facets import FacetValue
from osiwire.store.filters import find_person_key
from osiwire.store.search import MAX_LIMIT
from osiwire.web.api import ERRORS_404, MAX_OFFSET, WebDep, router
from osiwire.web.deps import MAX_FILTER_CHARS
from osiwire.web.schemas import hit_out
from osiwire.web.schemas_enrichment import (
    KnownPersonOut,
    PersonDetailOut,
    SaidQuoteOut,
    known_person_out,
    person_detail_out,
    said_quote_out,
)

MAX_CO_PARTICIPANTS = 100  # a person page shows the most frequent; the long tail is in the facets


@router.get(
    "/people",
    response_model=list[KnownPersonOut],
    summary="People",
    description=(
        "People found in the releases, most often named first: canonical name, English form, every "
        "spelling found (in any script), first and last seen, number of releases, positions over time. "
        "`q` matches any spelling in any script (`Патрушев` = `Patrushev`) or a person's key."
    ),
)
def list_people(
    web: WebDep,
    q: Annotated[str, Query(max_length=MAX_FILTER_CHARS, description="Part of a name, any script.")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PEOPLE, description="People to list.")] = 50,
) -> list[KnownPersonOut]:
    return [known_person_out(p) for p in web.store.enrichments.people(q.strip(), limit=limit)]


def load_person(store: Store, key: str) -> Person:
    """A person by id or key, or a 404 (shared by the API and the person page)."""
    found = find_person_key(store.db, key)
    if found is not None:
        # Keys hold a colon, which no spelling does: the search by key finds that person alone.
        for person in store.enrichments.people(found, limit=MAX_PEOPLE):
            if person.key == found:
                return person
    raise HTTPException(404, detail=f"person {key[:60]!r}: not found")


def co_participants(store: Store, person: Person, limit: int) -> tuple[FacetValue, ...]:
    """The people named in ``person``'s releases, with the number of releases shared, most first."""
    # The person facet of this person's releases, the person left out.
    filters = SearchFilters(person=person.key)
    return store.facets(
        "", filters, limit_per_facet=limit, only=("person",), exclude_people=(person.id,)
    ).person


@router.get(
    "/people/{person}",
    response_model=PersonDetailOut,
    responses=ERRORS_404,
    summary="One person",
    description=(
        "A person by id or key, with their releases (newest first, paged with `limit` and `offset`) and "
        "the people named in the same releases (co-participants) with the number of releases they share."
    ),
)
def get_person(
    web: WebDep,
    person: Annotated[
        str, Path(max_length=MAX_FILTER_CHARS, description='Person id or key ("patrushev:np").')
    ],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Releases to list.")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Releases to skip.")] = 0,
    co_limit: Annotated[
        int, Query(ge=1, le=MAX_CO_PARTICIPANTS, description="Co-participants to list.")
    ] = 20,
) -> PersonDetailOut:
    found = load_person(web.store, person)
    page = web.store.search("", SearchFilters(person=found.key), limit=limit, offset=offset, sort="date")
    co = co_participants(web.store, found, co_limit)
    return person_detail_out(found, [hit_out(h) for h in page.hits], co)


@router.get(
    "/people/{person}/quotes",
    response_model=list[SaidQuoteOut],
    responses=ERRORS_404,
    summary="What a person said",
    description=(
        "Quotations of a person (by id or key) and their turns in transcripts, newest release first, each with "
        "its release; offsets into the segment's text of the release's current version."
    ),
)
def person_quotes(
    web: WebDep,
    person: Annotated[
        str, Path(max_length=MAX_FILTER_CHARS, description='Person id or key ("patrushev:np").')
    ],
    limit: Annotated[int, Query(ge=1, le=MAX_PEOPLE, description="Quotes to list.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Quotes to skip.")] = 0,
) -> list[SaidQuoteOut]:
    found = load_person(web.store, person)
    return [said_quote_out(q) for q in web.store.enrichments.quotes_of(found.id, limit=limit, offset=offset)]
