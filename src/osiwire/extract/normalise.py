"""Text normalisation for comparing and hashing texts: edits of case, spacing or ё alone are not changes."""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def normalise_text(s: str) -> str:
    """Return ``s`` in NFKC, case-folded, with ё as е and every run of whitespace as one space."""
    # NFKC first so that a decomposed "е + combining diaeresis" becomes ё before it is folded to е.
    folded = unicodedata.normalize("NFKC", s).casefold().replace("ё", "е")
    return _WHITESPACE.sub(" ", folded).strip()
