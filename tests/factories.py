"""Small builders for values the tests store."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from osiwire.model import Article, Segment, Source, SourceKind

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def make_source(name: str = "Kremlin", **kw: object) -> Source:
    fields: dict[str, object] = {
        "url": f"https://example.org/{name.lower().replace(' ', '-')}/feed",
        "kind": SourceKind.RSS,
        "region": "Russian Federation",
        "country": "RU",
        "language": "ru",
    }
    fields.update(kw)
    return Source(name=name, **fields)  # type: ignore[arg-type]


def make_article(
    url: str,
    title: str,
    paragraphs: list[str],
    *,
    language: str = "ru",
    source_id: int | None = None,
    published: datetime | None = None,
    fetched_at: datetime = NOW,
) -> Article:
    segments = (
        Segment(0, "title", title, language),
        *tuple(Segment(i + 1, "paragraph", p, language) for i, p in enumerate(paragraphs)),
    )
    digest = hashlib.sha256("\n".join([title, *paragraphs]).encode()).hexdigest()
    return Article(
        url=url,
        title=title,
        language=language,
        segments=segments,
        content_hash=digest,
        fetched_at=fetched_at,
        published=published,
        source_id=source_id,
    )
