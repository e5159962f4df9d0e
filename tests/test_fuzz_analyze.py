"""Property tests of `osiwire analyze` per document (Analyzer.analyze, what `--jsonl` runs on each line).

Any text or page, language hint, URL and participant list gives the contract object or an OsiwireError (the
line's {"id", "error"}), never another exception; in the object every offset lies inside ``text`` and matches it.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fuzz_strategies import documents, html_pages, short_texts
from osiwire.analyze import Analyzer, Input
from osiwire.config import load_settings
from osiwire.errors import OsiwireError

CONTRACT = {
    "id", "url", "title", "author", "published", "text", "language",
    "paragraphs", "entities", "people", "participants", "topics", "countries",
}  # fmt: skip
PARTICIPANT_LISTS = st.one_of(
    st.just(""),
    documents(long=False, max_lines=4),
    st.lists(
        st.builds(lambda name, pos: f"{name} – {pos}", short_texts(), short_texts()), min_size=1, max_size=5
    ).map(lambda rows: "С российской стороны:\n" + "\n".join(rows)),
)


@functools.cache
def _analyzer() -> Analyzer:
    folder = tempfile.mkdtemp(prefix="osiwire-fuzz-")  # an empty data directory: default settings
    return Analyzer(load_settings(Path(folder), environ={}))


def check_contract(obj: dict[str, Any]) -> None:
    assert obj.keys() >= CONTRACT
    text = obj["text"]
    for p in obj["paragraphs"]:
        assert 0 <= p["start"] <= p["end"] <= len(text) and isinstance(p["language"], str)
    assert "\n".join(text[p["start"] : p["end"]] for p in obj["paragraphs"]) == text
    for e in obj["entities"]:
        assert 0 <= e["start"] < e["end"] <= len(text)
        assert text[e["start"] : e["end"]] == e["text"], e
        assert e["type"] in {"PER", "ORG", "LOC"} and e["normal"]
    for person in obj["people"]:
        assert {"name", "name_en", "first", "patronymic", "last", "variants"} <= person.keys()
    for row in obj["participants"]:
        assert {"name", "name_en", "position", "organisation", "country", "group"} <= row.keys()
    assert all(len(c) == 2 and c.isupper() for c in obj["countries"])


def _analyze(item: Input) -> None:
    try:
        obj = _analyzer().analyze(item)
    except OsiwireError:
        return  # a bad input: `analyze --jsonl` writes its {"id", "error"} line and goes on
    assert obj["id"] == item.id
    check_contract(obj)


@given(documents(), st.sampled_from(["", "ru", "en", "hy", "xx"]), short_texts(), PARTICIPANT_LISTS)
def test_analyze_text(text: str, language: str, title: str, participants: str) -> None:
    _analyze(Input("t", text=text, title=title, language=language, participants_text=participants))


@given(html_pages(), st.sampled_from(["", "https://example.org/news/1", "http://[::1", "not a url"]))
def test_analyze_html(html: str, url: str) -> None:
    _analyze(Input(7, html=html, url=url))
