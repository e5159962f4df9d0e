"""JSON Lines archives: one release a line with at least ``url``, ``title`` and ``text`` (``date`` optional)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from osiwire.errors import ParseError
from osiwire.model import RawDocument

REQUIRED_FIELDS = ("url", "title", "text")
SUPPLEMENT_FIELDS = (
    "participants_text",
    "participants",
)  # an official participant list, kept as its own segment
DATE_FIELDS = ("published", "date", "datetime", "pubDate")


@dataclass(frozen=True, slots=True)
class ArchiveLine:
    """One line of an archive: a document, or the reason it could not be read."""

    line_no: int
    document: RawDocument | None = None
    error: ParseError | None = None


def parse_date(value: object) -> datetime | None:
    """An archive's date: ISO date or datetime (naive means UTC); None when absent."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"date must be a string, got {type(value).__name__}")
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _supplement(record: dict[str, object]) -> str:
    """The record's official participant list, if it has one."""
    return next(
        (v for f in SUPPLEMENT_FIELDS if isinstance(v := record.get(f), str) and v.strip()),
        "",
    )


def _document(raw: str, where: str, language: str, source_id: int | None, now: datetime) -> RawDocument:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{where}: not JSON: {exc.msg}") from exc
    except RecursionError as exc:  # "[[[[..." thousands deep: the decoder recurses once per level
        raise ParseError(f"{where}: not JSON: nested too deeply") from exc
    if not isinstance(record, dict):
        raise ParseError(f"{where}: expected a JSON object, got {type(record).__name__}")
    missing = [f for f in REQUIRED_FIELDS if not isinstance(record.get(f), str) or not record[f].strip()]
    if missing == ["text"] and isinstance(record.get("text", ""), str) and _supplement(record):
        missing = []  # an official list published on its own page, without a body: its list is its text
    if missing:
        raise ParseError(f"{where}: missing or empty field(s): {', '.join(missing)}")
    url = record["url"].strip()
    if not url.startswith(("http://", "https://")):
        raise ParseError(f"{where}: url {url[:80]!r} is not an http(s) URL")
    published = None
    for name in DATE_FIELDS:
        if record.get(name):
            try:
                published = parse_date(record[name])
            except ValueError as exc:
                raise ParseError(f"{where}: field {name!r}: not a date: {record[name]!r:.40}") from exc
            break
    author = record.get("author")
    supplement = _supplement(record)
    return RawDocument(
        url=url,
        fetched_at=now,
        text=record.get("text") or "",
        title=record["title"].strip(),
        published=published,
        author=author if isinstance(author, str) else "",
        language_hint=language,
        source_id=source_id,
        supplement=supplement,
    )


def read_archive(
    path: Path,
    *,
    language: str = "",
    source_id: int | None = None,
    now: datetime | None = None,
    country: str = "",
) -> Iterator[ArchiveLine]:
    """Each non-blank line of ``path`` as a document or an error; a bad line never stops the rest.

    ``country``: the source's configured country, carried on each document for the enrich stage.
    """
    now = now or datetime.now(UTC)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ParseError(f"{path}: cannot open: {exc.strerror}") from exc
    with handle:
        for line_no, raw_bytes in enumerate(handle, start=1):
            if line_no == 1 and raw_bytes.startswith(b"\xef\xbb\xbf"):
                raw_bytes = raw_bytes[3:]  # a UTF-8 BOM
            if not raw_bytes.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                raw = raw_bytes.decode("utf-8")
                document = _document(raw, where, language, source_id, now)
                if country:
                    document = replace(document, source_country=country)
                yield ArchiveLine(line_no, document=document)
            except UnicodeDecodeError as exc:
                yield ArchiveLine(
                    line_no, error=ParseError(f"{where}: not UTF-8 ({exc.reason} at byte {exc.start})")
                )
            except ParseError as exc:
                yield ArchiveLine(line_no, error=exc)


def count_lines(path: Path) -> int:
    """Non-blank lines, for a progress total."""
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())
