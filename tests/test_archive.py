"""JSONL archives: every real line reads; bad lines are reported one by one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from osiwire.collect.archive import count_lines, parse_date, read_archive
from osiwire.errors import ParseError


def test_real_kremlin_archive_reads_as_is(shared_data: Path) -> None:
    path = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    lines = list(read_archive(path, language="ru", source_id=7))
    assert len(lines) == count_lines(path) == 125
    assert all(line.error is None for line in lines)
    doc = lines[0].document
    assert doc is not None
    assert doc.url.startswith("http://kremlin.ru/events/president/news/")
    assert doc.published == datetime(2025, 3, 31, tzinfo=UTC)
    assert doc.language_hint == "ru" and doc.source_id == 7
    assert doc.text and "аккредитац" in doc.text


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({"url": "https://a/1", "title": "t"}), "missing or empty field(s): text"),
        (json.dumps({"url": "https://a/1", "title": " ", "text": "x"}), "title"),
        (json.dumps({"url": "javascript:alert(1)", "title": "t", "text": "x"}), "not an http(s) URL"),
        (json.dumps({"url": "https://a/1", "title": "t", "text": "x", "date": "31 марта"}), "not a date"),
        (json.dumps({"url": "https://a/1", "title": "t", "text": "x", "date": 5}), "not a date"),
        ("[" * 5000, "not JSON: nested too deeply"),  # RecursionError in json.loads ended the import
        ('{"url": ' * 5000, "not JSON: nested too deeply"),
    ],
)
def test_bad_lines_are_reported_and_the_rest_goes_on(tmp_path: Path, line: str, reason: str) -> None:
    good = json.dumps(
        {"url": "https://a/2", "title": "t", "text": "body", "date": "2025-03-01T10:00:00+03:00"}
    )
    path = tmp_path / "a.jsonl"
    path.write_text(f"{line}\n\n{good}\n", encoding="utf-8")
    first, second = read_archive(path)
    assert first.document is None and first.error is not None
    assert str(first.error).startswith(f"{path}:1: ") and reason in str(first.error)
    assert second.line_no == 3 and second.document is not None
    assert second.document.published == datetime(2025, 3, 1, 7, 0, tzinfo=UTC)


def test_invalid_utf8_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    good = json.dumps({"url": "https://a/1", "title": "t", "text": "x"}).encode()
    path.write_bytes(good + b"\n\xff\xfe bad\n" + good.replace(b"/1", b"/2") + b"\n")
    first, bad, last = read_archive(path)
    assert first.document is not None and last.document is not None
    assert bad.error is not None and str(bad.error).startswith(f"{path}:2: not UTF-8")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot open"):
        list(read_archive(tmp_path / "nope.jsonl"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-31", datetime(2025, 3, 31, tzinfo=UTC)),
        ("2025-03-31T17:00:00Z", datetime(2025, 3, 31, 17, tzinfo=UTC)),
        ("2025-03-31 17:00", datetime(2025, 3, 31, 17, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value: str | None, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_an_official_list_without_a_body_is_a_release(tmp_path: Path) -> None:
    """kremlin.ru publishes some lists on a page of their own (kremlin.ru/supplement/...): no body, a list."""
    from osiwire.config import ExtractConfig
    from osiwire.extract.article import extract_article
    from osiwire.extract.language import get_detector

    listing = "Участники совещания: ИВАНОВ Иван Иванович – министр финансов Российской Федерации"
    lines = [
        {
            "url": "http://kremlin.ru/supplement/1",
            "title": "Участники совещания",
            "text": "",
            "participants_text": listing,
        },
        {"url": "http://kremlin.ru/supplement/2", "title": "Участники", "participants_text": listing},
        {"url": "http://kremlin.ru/supplement/3", "title": "Нет ни текста, ни списка", "text": ""},
    ]
    path = tmp_path / "lists.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    first, second, third = read_archive(path, language="ru")
    assert first.document is not None and first.document.supplement == listing
    assert second.document is not None and second.document.text == ""
    assert third.document is None and "text" in str(third.error)
    article = extract_article(first.document, ExtractConfig(), get_detector())
    assert [s.kind for s in article.segments] == ["title", "participants"]
    assert article.segments[-1].text == listing
