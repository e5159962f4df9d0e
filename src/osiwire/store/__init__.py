"""Storage: one ``Store`` per database, with the registry, releases and search behind it."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from osiwire.model import PersonName, SearchFilters
from osiwire.store.alerts import Alerts
from osiwire.store.database import Database, sqlite_path
from osiwire.store.enrichments import Enrichments
from osiwire.store.facets import FACETS, Facets, facets
from osiwire.store.failures import Failures
from osiwire.store.releases import Releases
from osiwire.store.search import SearchPage, search
from osiwire.store.sources import Sources
from osiwire.store.stories import Stories
from osiwire.store.textindex import Lemmatiser
from osiwire.store.translations import Translations
from osiwire.store.volumes import Volumes

if TYPE_CHECKING:
    from osiwire.store.engine import SearchIndex
    from osiwire.store.search_cache import SearchCache

__all__ = ["Facets", "SearchPage", "Store"]


def _person_key(name: PersonName) -> str:
    from osiwire.enrich.names import person_key  # the names module loads pymorphy3 only when used

    return person_key(name)


def _same_person(a: PersonName, b: PersonName) -> bool:
    from osiwire.enrich.names import same_person

    return same_person(a, b)


class Store:
    """The database as the rest of osiwire sees it."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)
        self.lemmatiser = Lemmatiser()
        self.sources = Sources(self.db)
        self.releases = Releases(self.db, self.lemmatiser, self.sources)
        self.translations = Translations(self.db, self.lemmatiser)
        self.enrichments = Enrichments(self.db, _person_key, _same_person)
        self.alerts = Alerts(self.db, self.lemmatiser)
        self.failures = Failures(self.db)
        self.stories = Stories(self.db)
        self.volumes = Volumes(self.db)
        self.search_cache: SearchCache | None = None
        self.search_index: SearchIndex | None = None

    def enable_search_cache(
        self, entries: int = 256, max_stale_s: float = 0.0, engine_dir: Path | None = None
    ) -> bool:
        """Answer searches and facets from ``SearchCache`` (a server's choice: it reads every release's facet
        values into memory once), its matches from the search engine's index in ``engine_dir`` when given (else
        FTS5's). False, and nothing changes, where the database is not an SQLite file."""
        from osiwire.store.search_cache import SearchCache  # numpy only where it is used

        if self.search_cache is None and sqlite_path(self.db.url) is not None:
            self.search_cache = SearchCache(self.db, self.lemmatiser, entries, max_stale_s, engine_dir)
        return self.search_cache is not None

    def enable_search_engine(self, engine_dir: Path) -> None:
        """Answer searches from the search engine's index in ``engine_dir`` without the search cache: how a
        PostgreSQL store searches (an SQLite file's server takes ``enable_search_cache``)."""
        from osiwire.store.engine import SearchIndex

        if self.search_index is None:
            self.search_index = SearchIndex(self.db.url, engine_dir)

    def search(
        self,
        query: str = "",
        filters: SearchFilters | None = None,
        *,
        limit: int = 20,
        offset: int = 0,
        sort: str = "relevance",
    ) -> SearchPage:
        """Full-text search, best or newest first (newest first when ``query`` is empty)."""
        if self.search_cache is not None:
            return self.search_cache.search(query, filters, limit=limit, offset=offset, sort=sort)
        if self.search_index is not None:
            from osiwire.store.indexed import search_indexed

            return search_indexed(
                self.db,
                self.lemmatiser,
                self.search_index,
                query,
                filters,
                limit=limit,
                offset=offset,
                sort=sort,
            )
        return search(self.db, self.lemmatiser, query, filters, limit=limit, offset=offset, sort=sort)

    def facets(
        self,
        query: str = "",
        filters: SearchFilters | None = None,
        *,
        limit_per_facet: int = 10,
        only: Collection[str] = FACETS,
        exclude_people: Collection[int] = (),
    ) -> Facets:
        """Counts of the releases a search matches, per region, country, source, language, topic, person,
        organisation and month."""
        if self.search_cache is not None:
            return self.search_cache.facets(
                query, filters, limit_per_facet=limit_per_facet, only=only, exclude_people=exclude_people
            )
        if self.search_index is not None:
            from osiwire.store.indexed import facets_indexed

            return facets_indexed(
                self.db,
                self.lemmatiser,
                self.search_index,
                query,
                filters,
                limit_per_facet=limit_per_facet,
                only=only,
                exclude_people=exclude_people,
            )
        return facets(
            self.db,
            self.lemmatiser,
            query,
            filters,
            limit_per_facet=limit_per_facet,
            only=only,
            exclude_people=exclude_people,
        )

    def close(self) -> None:
        if self.search_cache is not None:
            self.search_cache.close()
        if self.search_index is not None:
            self.search_index.close()
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
