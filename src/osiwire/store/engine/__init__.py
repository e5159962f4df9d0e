"""Search on a real search engine (tantivy, embedded): an index derived from the store, under the data
directory, following the store's writes through its change log (``fts_changes``).

``index.py`` keeps the index (build, resumable rebuild, near-real-time follow, one slot per process);
``queries.py`` turns osiwire's query language into tantivy queries. ``store.search_cache`` asks it for a
query's matches in place of FTS5; filters, orders, facets and snippets stay where they were.
"""

from osiwire.store.engine.index import EXACT_MAX, Matches, Sample, SearchIndex, SearchRebuilding

__all__ = ["EXACT_MAX", "Matches", "Sample", "SearchIndex", "SearchRebuilding"]
