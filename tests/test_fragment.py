"""Plain text of HTML fragments (feed entries' content): blocks one a line, scripts and styles dropped."""

from __future__ import annotations

import pytest

from osiwire.extract.fragment import fragment_text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # A control character in the text after a dropped script or style: lxml refused it (ValueError) when the
        # drop moved that text onto the parent, and the feed entry ended the pass. Found by test_fuzz_extract.
        ("<script></script>\x08", ""),
        (
            "<p>Встреча</p><script>track()</script>\x01Президент провёл встречу.",
            "Встреча\nПрезидент провёл встречу.",
        ),
        ("<div>Code<style>p{}</style>\x1fx = 1;\x00</div>", "Code x = 1;"),
        ("<p>a\x0bb\x0cc</p><iframe></iframe>\x07", "a b c"),
        ("<p>Line one</p>\n\n<p>Line two</p>", "Line one\nLine two"),
    ],
)
def test_control_characters_are_spaces(html: str, expected: str) -> None:
    assert fragment_text(html) == expected


def test_plain_text_is_kept_as_written() -> None:
    assert fragment_text("  one\n\ntwo  ") == "one\n\ntwo"
