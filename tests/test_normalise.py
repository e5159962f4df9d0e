"""Text normalisation shared by content hashes and the store."""

from __future__ import annotations

import pytest

from osiwire.extract.normalise import normalise_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("  Путин \n\t ПРОВЁЛ\u00a0встречу  ", "путин провел встречу"),
        ("Ёлка", "елка"),
        ("е\u0308лка", "елка"),  # decomposed ё
        ("ﬁnance Straße", "finance strasse"),  # NFKC ligature, case folding
        ("line\u2028break\u3000wide", "line break wide"),
    ],
)
def test_normalise_text(text: str, expected: str) -> None:
    assert normalise_text(text) == expected
