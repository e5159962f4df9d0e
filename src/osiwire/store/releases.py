"""Releases and their versions: idempotent saves keyed by canonical URL and content hash."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from osiwire.errors import StoreError
from osiwire.model import Article, Release, SaveResult, Segment, Version
from osiwire.store.backends import write_text
from osiwire.store.database import Database
from osiwire.store.schema import as_id, log_fts_change, releases, segments, versions
from osiwire.store.sources import Sources
from osiwire.store.textindex import Lemmatiser


@dataclass(frozen=True, slots=True)
class _Indexed:
    article: Article
    title: str
    body: str


IndexText = tuple[str, str]  # an article's title and body as the search index keeps them (lemmas)


def index_texts(article: Article, lemmatiser: Lemmatiser) -> IndexText:
    """An article's title and body as the search index keeps them: one lemma per token, space separated."""
    return lemmatiser.index_text(article.title), lemmatiser.index_text(article.body)


def _write_index(conn: Connection, release_id: int, item: _Indexed) -> None:
    write_text(conn, "release_fts", release_id, item.title, item.body)
    log_fts_change(conn, "release_fts", release_id)


def _insert_version(conn: Connection, release_id: int, number: int, article: Article) -> None:
    version_id = conn.execute(
        insert(versions).values(
            release_id=release_id,
            version_no=number,
            content_hash=article.content_hash,
            title=article.title,
            author=article.author,
            published=article.published,
            language=article.language,
            fetched_at=article.fetched_at,
            original_url=article.original_url,
        )
    ).inserted_primary_key
    assert version_id is not None
    if article.segments:
        conn.execute(
            insert(segments),
            [
                {
                    "version_id": version_id[0],
                    "position": s.position,
                    "kind": s.kind,
                    "text": s.text,
                    "language": s.language,
                }
                for s in article.segments
            ],
        )


def _current_fields(article: Article, first_seen: datetime) -> dict[str, Any]:
    return {
        "title": article.title,
        "published": article.published,
        "sort_at": article.published or first_seen,
        "language": article.language,
        "author": article.author,
        "content_hash": article.content_hash,
    }


def _save_one(conn: Connection, item: _Indexed) -> SaveResult:
    article = item.article
    row = conn.execute(
        select(
            releases.c.id, releases.c.version_count, releases.c.first_seen_at, releases.c.last_seen_at
        ).where(releases.c.url == article.url)
    ).first()
    if row is None:
        fields = _current_fields(article, article.fetched_at)
        release_id = conn.execute(
            insert(releases).values(
                url=article.url,
                source_id=article.source_id,
                first_seen_at=article.fetched_at,
                last_seen_at=article.fetched_at,
                version_count=1,
                **fields,
            )
        ).inserted_primary_key
        assert release_id is not None
        _insert_version(conn, release_id[0], 1, article)
        _write_index(conn, release_id[0], item)
        return SaveResult(release_id=release_id[0], version_no=1, created=True, new_version=True)
    known = conn.execute(
        select(versions.c.version_no).where(
            versions.c.release_id == row.id, versions.c.content_hash == article.content_hash
        )
    ).scalar()
    if known is not None:
        conn.execute(
            update(releases)
            .where(releases.c.id == row.id)
            .values(last_seen_at=max(row.last_seen_at, article.fetched_at))
        )
        return SaveResult(release_id=row.id, version_no=known, created=False, new_version=False)
    number = row.version_count + 1
    _insert_version(conn, row.id, number, article)
    conn.execute(
        update(releases)
        .where(releases.c.id == row.id)
        .values(
            last_seen_at=article.fetched_at,
            version_count=number,
            **_current_fields(article, row.first_seen_at),
        )
    )
    _write_index(conn, row.id, item)
    return SaveResult(release_id=row.id, version_no=number, created=False, new_version=True)


class Releases:
    """Saving and reading releases."""

    def __init__(self, db: Database, lemmatiser: Lemmatiser, sources: Sources) -> None:
        self._db = db
        self._lemmatiser = lemmatiser
        self._sources = sources

    def _indexed(self, article: Article, lemmas: IndexText | None = None) -> _Indexed:
        # Lemmatise outside the write lock: it is the slow part (or a worker process did: ``lemmas``).
        title, body = lemmas if lemmas is not None else index_texts(article, self._lemmatiser)
        return _Indexed(article, title, body)

    def save(self, article: Article) -> SaveResult:
        """Store ``article``: a new release, a new version of one, or nothing new. Safe to repeat."""
        return self.save_many([article])[0]

    def save_many(
        self, articles: Sequence[Article], lemmas: Sequence[IndexText | None] = ()
    ) -> list[SaveResult]:
        """Store several articles in one transaction (all or none); ``lemmas``: each one's ``index_texts`` where
        they were computed already (by a worker process), None where not."""
        items = [self._indexed(a, lemmas[n] if n < len(lemmas) else None) for n, a in enumerate(articles)]
        with self._db.writing() as conn:
            return [_save_one(conn, item) for item in items]

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """Which of ``urls`` are stored already."""
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        with self._db.reading() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found.update(conn.execute(select(releases.c.url).where(releases.c.url.in_(chunk))).scalars())
                # A page fetched under one URL may be stored under its canonical URL.
                found.update(
                    conn.execute(
                        select(versions.c.original_url).where(versions.c.original_url.in_(chunk))
                    ).scalars()
                )
        return found

    def count(self) -> int:
        with self._db.reading() as conn:
            return int(conn.execute(select(func.count()).select_from(releases)).scalar_one())

    def get(self, key: int | str) -> Release:
        """A release by id or URL, with all its versions; StoreError if none."""
        where = releases.c.url == str(key)
        if (row_id := as_id(key)) is not None:
            where = releases.c.id == row_id
        with self._db.reading() as conn:
            row = conn.execute(select(releases).where(where)).first()
            if row is None:
                raise StoreError(f"release {key!r}: not found")
            version_rows = conn.execute(
                select(versions).where(versions.c.release_id == row.id).order_by(versions.c.version_no)
            ).all()
            segment_rows = conn.execute(
                select(segments)
                .where(segments.c.version_id.in_([v.id for v in version_rows]))
                .order_by(segments.c.version_id, segments.c.position)
            ).all()
        by_version: dict[int, list[Segment]] = {}
        for s in segment_rows:
            by_version.setdefault(s.version_id, []).append(Segment(s.position, s.kind, s.text, s.language))
        source = self._sources.get(row.source_id) if row.source_id is not None else None
        return Release(
            id=row.id,
            url=row.url,
            source=source,
            first_seen_at=row.first_seen_at,
            versions=tuple(
                Version(
                    version_no=v.version_no,
                    content_hash=v.content_hash,
                    fetched_at=v.fetched_at,
                    title=v.title,
                    published=v.published,
                    author=v.author,
                    language=v.language,
                    segments=tuple(by_version.get(v.id, [])),
                    original_url=v.original_url,
                )
                for v in version_rows
            ),
        )
