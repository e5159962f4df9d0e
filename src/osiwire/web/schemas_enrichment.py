"""The JSON API's models of what enrichment found across releases: people, participants, topics, facet counts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from osiwire.store.enrichments import Person, SaidQuote
from osiwire.store.facets import FACETS, Facets, FacetValue
from osiwire.web.schemas import HitOut, ParticipantOut


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class PositionHeldOut(_Out):
    """A position a person was listed with, and when."""

    position: str = Field(description="As written in the releases.")
    organisation: str
    country: str = Field(description="ISO 3166-1 alpha-2, or empty.")
    first_seen: datetime
    last_seen: datetime
    releases: int = Field(description="Releases that list the person in this position.")


class KnownPersonOut(_Out):
    """One person across releases, under every spelling found."""

    id: int
    key: str = Field(description='Matching key: folded surname and initials, e.g. "patrushev:np".')
    name: str = Field(description="Canonical name in the original script.")
    name_en: str = Field(description="English (BGN/PCGN) form.")
    first: str
    patronymic: str
    last: str
    variants: list[str] = Field(description="Spellings in every script the person is found under.")
    first_seen: datetime
    last_seen: datetime
    releases: int = Field(description="Releases naming the person.")
    positions: list[PositionHeldOut] = Field(description="Positions over time, most recent first.")


class CoParticipantOut(_Out):
    """Someone named in the same releases as the person, and in how many."""

    id: int
    name: str = Field(description="English form (else the original).")
    releases: int = Field(description="Releases naming both.")


class PersonDetailOut(KnownPersonOut):
    """A person, their latest releases and the people they appeared with."""

    latest_releases: list[HitOut] = Field(description="Their releases, newest first (a page of them).")
    co_participants: list[CoParticipantOut] = Field(
        description="People named in the same releases, most first."
    )


class ReleaseParticipantsOut(_Out):
    """The participant list of a release's current version."""

    release_id: int
    version_no: int
    enriched: bool = Field(
        description="False when the release was not enriched yet (the list is then empty)."
    )
    participants: list[ParticipantOut]


class SaidQuoteOut(_Out):
    """Words a person said, with the release they are in."""

    release_id: int
    url: str
    title: str
    at: datetime = Field(description="The release's time: published, else first seen.")
    text: str
    kind: str = Field(description="quote (in quote marks) or turn (a transcript turn).")
    segment: int
    start: int = Field(description="Offset of the words in the segment's text.")
    end: int


def said_quote_out(quote: SaidQuote) -> SaidQuoteOut:
    """A person's quote as the API shows it."""
    return SaidQuoteOut(
        release_id=quote.release_id, url=quote.url, title=quote.title, at=quote.at, text=quote.text,
        kind=quote.kind, segment=quote.segment, start=quote.start, end=quote.end,
    )  # fmt: skip


class TopicCountOut(_Out):
    """A topic and the number of releases it fired on."""

    id: str
    label: str
    releases: int = Field(description="Releases (current versions) with this topic.")
    in_taxonomy: bool = Field(
        description="False for topics stored earlier but since removed from the taxonomy."
    )


class FacetValueOut(_Out):
    """One value of a facet."""

    value: str = Field(description="What the matching filter parameter takes.")
    label: str = Field(description="What to show.")
    count: int = Field(description="Matching releases with this value.")


class FacetsOut(_Out):
    """Counts of the releases a search matches, per value of each facet."""

    query: str
    total: int = Field(description="Matching releases (the search's total).")
    region: list[FacetValueOut] = Field(description="Region of the source; filter `region`.")
    country: list[FacetValueOut] = Field(description="Country of the source; filter `country`.")
    source: list[FacetValueOut] = Field(description="Source (value: its id); filter `source`.")
    language: list[FacetValueOut] = Field(description="Language of the release; filter `lang`.")
    topic: list[FacetValueOut] = Field(description="Topic id; filter `topic`.")
    person: list[FacetValueOut] = Field(description="People named (value: person id); filter `person`.")
    organisation: list[FacetValueOut] = Field(description="Organisations named; filter `organisation`.")
    month: list[FacetValueOut] = Field(
        description="Month of publication (YYYY-MM, UTC), in time order and never cut; filter `since`/`until`."
    )
    approximate: bool = Field(
        False,
        description="The counts are estimates from a deterministic sample of the matches, scaled up (a search "
        "matching more than 20,000 releases); `total` is exact all the same.",
    )


def known_person_out(person: Person) -> KnownPersonOut:
    """A person across releases as the API shows them."""
    return KnownPersonOut(**_person_fields(person))


def _person_fields(person: Person) -> dict[str, object]:
    name = person.name
    return {
        "id": person.id,
        "key": person.key,
        "name": name.display,
        "name_en": name.name_en,
        "first": name.first,
        "patronymic": name.patronymic,
        "last": name.last,
        "variants": list(name.variants),
        "first_seen": person.first_seen,
        "last_seen": person.last_seen,
        "releases": person.releases,
        "positions": [
            PositionHeldOut(
                position=p.position,
                organisation=p.organisation,
                country=p.country,
                first_seen=p.first_seen,
                last_seen=p.last_seen,
                releases=p.releases,
            )
            for p in person.positions
        ],
    }


def person_detail_out(
    person: Person, releases: list[HitOut], co_participants: tuple[FacetValue, ...]
) -> PersonDetailOut:
    """A person with their releases and co-participants as the API shows them."""
    return PersonDetailOut(
        **_person_fields(person),
        latest_releases=releases,
        co_participants=[
            CoParticipantOut(id=int(v.value), name=v.label, releases=v.count) for v in co_participants
        ],
    )


def facets_out(query: str, facets: Facets) -> FacetsOut:
    """Facet counts as the API shows them."""

    def values(name: str) -> list[FacetValueOut]:
        found: tuple[FacetValue, ...] = getattr(facets, name)
        return [FacetValueOut(value=v.value, label=v.label, count=v.count) for v in found]

    return FacetsOut(
        query=query,
        total=facets.total,
        approximate=facets.approximate,
        **{name: values(name) for name in FACETS},
    )
