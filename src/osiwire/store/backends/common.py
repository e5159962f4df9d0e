"""What both backend modules share."""

from __future__ import annotations

from osiwire.errors import StoreError

TEXT_TABLES = ("release_fts", "translation_fts")  # the lemma text of originals and of English translations


def text_table(name: str) -> str:
    """``name`` when it is one of the lemma-text tables (their names are put into SQL), else StoreError."""
    if name not in TEXT_TABLES:
        raise StoreError(f"{name!r}: not a text table (expected one of {', '.join(TEXT_TABLES)})")
    return name
