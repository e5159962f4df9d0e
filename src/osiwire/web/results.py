"""Result listings (latest releases, a search): one query to the store, one view every format renders."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from osiwire.model import SearchHit, Source
from osiwire.store import SearchPage, Store
from osiwire.web.deps import Listing


@dataclass(frozen=True, slots=True)
class ResultsView:
    """One page of a result listing, with what every format needs to render it."""

    listing: Listing
    page: SearchPage
    page_size: int
    path: str  # the listing's own path (pagination links point here)
    root: str  # the app's mount path
    base_url: str  # scheme://host[:port] + root, for absolute links in feeds
    offset: int = 0
    error: str = ""
    sources: tuple[Source, ...] = ()
    feed_title: str = ""  # a feed's own title (a saved search's), else made from the query
    feed_self: str = ""  # a feed's own path below the root (a saved search's), else the search feed's

    @property
    def hits(self) -> tuple[SearchHit, ...]:
        return self.page.hits

    @property
    def page_no(self) -> int:
        return self.offset // self.page_size + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.page.total // self.page_size))

    def page_url(self, page: int) -> str:
        """The stable URL of another page of the same listing."""
        return self.listing.url(self.root + self.path, page)

    def feed_url(self) -> str:
        """The Atom feed of the same listing."""
        return self.listing.url(self.root + "/feeds/search.atom")


def request_root(request: Request) -> str:
    """The path the app is mounted at ("" at the site root)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def fetch_results(
    store: Store,
    request: Request,
    listing: Listing,
    *,
    limit: int,
    offset: int = 0,
    path: str = "/",
    sort: str = "relevance",
) -> ResultsView:
    """Run ``listing`` against the store (QueryError for a bad query) and wrap the page for rendering."""
    page = store.search(listing.q, listing.filters(), limit=limit, offset=offset, sort=sort)
    return ResultsView(
        listing=listing,
        page=page,
        page_size=limit,
        path=path,
        root=request_root(request),
        base_url=str(request.base_url).rstrip("/"),
        offset=offset,
    )
