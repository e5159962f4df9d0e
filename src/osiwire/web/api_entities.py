"""The JSON API's organisations and places: ``/api/v1/organisations/{name}`` and ``/api/v1/places/{name}``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from osiwire.store import Store
from osiwire.store.entities import Entities, NamedEntity
from osiwire.store.search import MAX_LIMIT
from osiwire.web.api import ERRORS_404, MAX_OFFSET, WebDep, router
from osiwire.web.deps import MAX_FILTER_CHARS
from osiwire.web.schemas import HitPageOut, hit_out
from osiwire.web.schemas_enrichment import CoParticipantOut

MAX_PEOPLE_BESIDE = 100  # a page shows the most frequent; the long tail is in the search's person facet
# What each kind of page is called in URLs and words, and the entity type of the enrich stage behind it.
KINDS = {"organisation": "ORG", "place": "LOC"}


class SpellingOut(BaseModel):
    """A surface form as written in the releases, and how often."""

    model_config = ConfigDict(frozen=True)

    text: str
    mentions: int


class NamedEntityOut(BaseModel):
    """An organisation or a place across releases."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(description="`organisation` or `place`.")
    name: str = Field(
        description="Canonical normal form: the most mentioned of those that differ only in case."
    )
    normal_forms: list[str] = Field(
        description="Every normal form gathered under this name, most mentioned first."
    )
    spellings: list[SpellingOut] = Field(
        description="Surface forms found in the releases, most frequent first."
    )
    releases: int = Field(description="Releases (current versions) mentioning it.")
    first_seen: datetime | None = Field(
        description="The earliest of those releases (published, else first seen)."
    )
    last_seen: datetime | None = Field(description="The latest of those releases.")
    latest_releases: HitPageOut = Field(description="Its releases, newest first (a page of them).")
    people: list[CoParticipantOut] = Field(description="People named in the same releases, most first.")


def load_entity(store: Store, kind: str, name: str) -> NamedEntity:
    """The organisation or place named ``name`` (any case), or a 404 (shared by the API and the pages)."""
    found = Entities(store.db).find(KINDS[kind], name.strip())
    if found is None:
        raise HTTPException(404, detail=f"{kind} {name[:60]!r}: not found")
    return found


def named_entity_out(
    store: Store, kind: str, entity: NamedEntity, limit: int, offset: int, people_limit: int
) -> NamedEntityOut:
    entities = Entities(store.db)
    page = entities.releases(entity, limit=limit, offset=offset)
    return NamedEntityOut(
        kind=kind,
        name=entity.name,
        normal_forms=list(entity.normals),
        spellings=[SpellingOut(text=t, mentions=n) for t, n in entity.variants],
        releases=entity.releases,
        first_seen=entity.first_seen,
        last_seen=entity.last_seen,
        latest_releases=HitPageOut(
            query="", total=page.total, limit=limit, offset=offset, hits=[hit_out(h) for h in page.hits]
        ),
        people=[
            CoParticipantOut(id=int(p.value), name=p.label, releases=p.count)
            for p in entities.people(entity, people_limit)
        ],
    )


NameParam = Annotated[
    str, Path(max_length=MAX_FILTER_CHARS, description="Its normal form, any case (`ОДКБ`, `Москва`).")
]
LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Releases to list.")]
OffsetParam = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Releases to skip.")]
PeopleParam = Annotated[int, Query(ge=1, le=MAX_PEOPLE_BESIDE, description="People to list.")]
DESCRIPTION = (
    "{what} found by the enrich stage, by its normal form in any case: the spellings found, first and last "
    "seen, its releases (newest first, paged with `limit` and `offset`) and the people named in the same "
    "releases with the number of releases they share."
)


@router.get(
    "/organisations/{name}",
    response_model=NamedEntityOut,
    responses=ERRORS_404,
    summary="One organisation",
    description=DESCRIPTION.format(what="An organisation"),
)
def get_organisation(
    web: WebDep, name: NameParam, limit: LimitParam = 20, offset: OffsetParam = 0, people: PeopleParam = 20
) -> NamedEntityOut:
    found = load_entity(web.store, "organisation", name)
    return named_entity_out(web.store, "organisation", found, limit, offset, people)


@router.get(
    "/places/{name}",
    response_model=NamedEntityOut,
    responses=ERRORS_404,
    summary="One place",
    description=DESCRIPTION.format(what="A place"),
)
def get_place(
    web: WebDep, name: NameParam, limit: LimitParam = 20, offset: OffsetParam = 0, people: PeopleParam = 20
) -> NamedEntityOut:
    found = load_entity(web.store, "place", name)
    return named_entity_out(web.store, "place", found, limit, offset, people)
