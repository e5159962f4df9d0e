"""What every route needs: the app's state and the search/filter parameters shared by pages, feeds and API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode

from fastapi import HTTPException, Query, Request

from osiwire.config import Settings
from osiwire.errors import SourceError, StoreError
from osiwire.model import Release, SearchFilters, Source, SourceHealth
from osiwire.store import Store

if TYPE_CHECKING:
    import jinja2

    from osiwire.web.render import Renderers

MAX_FILTER_CHARS = 200  # longer than any source name or region; stops pasted junk early
MAX_QUERY_CHARS = 500  # the query parser caps terms too; this caps the bytes it has to look at
MAX_ID = 2**63 - 1  # the largest integer the databases store; a larger id cannot exist (and would overflow)
MAX_TOPIC_CHARS = 100  # the longest topic id the store keeps
DEFAULT_SORT = "relevance"  # best first; without a query it is newest first anyway


@dataclass(frozen=True, slots=True)
class WebState:
    """Everything the routes share, kept on ``app.state.web``."""

    settings: Settings
    store: Store
    env: jinja2.Environment
    renderers: Renderers


def web_state(request: Request) -> WebState:
    """The app's shared state (a FastAPI dependency)."""
    state = request.app.state.web
    assert isinstance(state, WebState)
    return state


@dataclass(frozen=True, slots=True)
class Listing:
    """A search or latest-releases request as the user typed it (strings, kept to rebuild stable URLs)."""

    q: str = ""
    lang: str = ""
    region: str = ""
    source: str = ""
    country: str = ""
    since: str = ""
    until: str = ""
    topic: str = ""
    person: str = ""
    organisation: str = ""
    mentions_country: str = ""
    said_by: str = ""
    sort: str = DEFAULT_SORT

    def filters(self) -> SearchFilters:
        """The store's filters; ``until`` is inclusive of its whole day."""
        since = _parse_day("since", self.since)
        until = _parse_day("until", self.until)
        return SearchFilters(
            language=self.lang or None,
            region=self.region or None,
            source=self.source or None,
            country=self.country or None,
            since=since,
            # The last representable day has no "next day": it bounds nothing.
            until=until + timedelta(days=1) if until and until.date() < date.max else None,
            topic=self.topic or None,
            person=self.person or None,
            organisation=self.organisation or None,
            mentions_country=self.mentions_country or None,
            said_by=self.said_by or None,
        )

    def items(self) -> list[tuple[str, str]]:
        """The non-empty parameters in a fixed order, so the same search always has the same URL."""
        return [
            (name, value)
            for name, value in (
                ("q", self.q),
                ("lang", self.lang),
                ("region", self.region),
                ("source", self.source),
                ("country", self.country),
                ("since", self.since),
                ("until", self.until),
                ("topic", self.topic),
                ("person", self.person),
                ("organisation", self.organisation),
                ("mentions_country", self.mentions_country),
                ("said_by", self.said_by),
                ("sort", "" if self.sort == DEFAULT_SORT else self.sort),
            )
            if value
        ]

    def url(self, path: str, page: int = 1) -> str:
        """``path`` with this listing's query string (and ``page`` beyond the first)."""
        items = self.items() + ([("page", str(page))] if page > 1 else [])
        return path + ("?" + urlencode(items) if items else "")

    @property
    def filtered(self) -> bool:
        return any(name not in ("q", "sort") for name, _ in self.items())


def _parse_day(name: str, value: str) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise HTTPException(400, detail=f"{name}: {value[:40]!r} is not a date (YYYY-MM-DD)") from None
    return day.replace(tzinfo=UTC)


def filter_params(
    lang: Annotated[
        str, Query(max_length=16, description="Language of the release (ISO 639-1, e.g. `ru`).")
    ] = "",
    region: Annotated[str, Query(max_length=MAX_FILTER_CHARS, description="Region of the source.")] = "",
    source: Annotated[str, Query(max_length=MAX_FILTER_CHARS, description="Source name or id.")] = "",
    country: Annotated[
        str, Query(max_length=2, description="Country of the source (ISO 3166-1 alpha-2, e.g. `RU`).")
    ] = "",
    since: Annotated[
        str, Query(max_length=10, description="Published on or after this day (YYYY-MM-DD).")
    ] = "",
    until: Annotated[
        str, Query(max_length=10, description="Published on or before this day (YYYY-MM-DD).")
    ] = "",
    topic: Annotated[
        str, Query(max_length=MAX_TOPIC_CHARS, description="Topic id of the taxonomy (see `/api/v1/topics`).")
    ] = "",
    person: Annotated[
        str,
        Query(
            max_length=MAX_FILTER_CHARS,
            description="A person named in the release: id or key (e.g. `patrushev:np`, see `/api/v1/people`).",
        ),
    ] = "",
    organisation: Annotated[
        str,
        Query(
            max_length=MAX_FILTER_CHARS,
            description="An organisation named in the release (its base form, any case).",
        ),
    ] = "",
    mentions_country: Annotated[
        str,
        Query(max_length=2, description="A country the release mentions (ISO 3166-1 alpha-2, e.g. `KZ`)."),
    ] = "",
    said_by: Annotated[
        str,
        Query(
            max_length=MAX_FILTER_CHARS,
            description="A person quoted in the release: id or key (see `/api/v1/people/{id}/quotes`).",
        ),
    ] = "",
    sort: Annotated[
        str,
        Query(
            pattern="^(relevance|date)$",
            description="`relevance` (best first) or `date` (newest first); without a query always newest first.",
        ),
    ] = DEFAULT_SORT,
) -> Listing:
    """The filters shared by pages, feeds and the API; bad dates are a 400."""
    listing = Listing(
        lang=lang.strip().lower(),
        region=region.strip(),
        source=source.strip(),
        country=country.strip().upper(),
        since=since.strip(),
        until=until.strip(),
        topic=topic.strip(),
        person=person.strip(),
        organisation=organisation.strip(),
        mentions_country=mentions_country.strip().upper(),
        said_by=said_by.strip(),
        sort=sort,
    )
    listing.filters()  # validate the dates now, before any work
    # The store reads an all-digit source as an id: keep it to ids a database can hold.
    if listing.source.isdigit() and (not listing.source.isascii() or int(listing.source) > MAX_ID):
        raise HTTPException(400, detail=f"source: {listing.source[:40]!r} is no source id or name")
    return listing


def load_release(store: Store, release_id: int) -> Release:
    """A release by id, or a 404."""
    try:
        if release_id <= MAX_ID:
            return store.releases.get(release_id)
    except StoreError:
        pass
    raise HTTPException(404, detail=f"release {release_id}: not found")


def load_source(store: Store, source_id: int) -> tuple[Source, SourceHealth]:
    """A source and its health by id, or a 404."""
    try:
        if source_id <= MAX_ID:
            return store.sources.get(source_id), store.sources.health(source_id)
    except SourceError:
        pass
    raise HTTPException(404, detail=f"source {source_id}: not found")


QueryParam = Annotated[
    str,
    Query(
        max_length=MAX_QUERY_CHARS,
        description='Words (ANDed, inflections match), `"a phrase"`, `a OR b`, `-excluded`, `prefix*`.',
    ),
]
