"""The source registry and each source's fetch health."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from osiwire.errors import SourceError
from osiwire.model import Source, SourceHealth, SourceKind
from osiwire.store.database import Database
from osiwire.store.schema import as_id, http_cache, sources

MAX_ERROR_LENGTH = 500  # last_error is shown in the UI; a traceback-sized message is no help there
MAX_BACKOFF_FACTOR = 24  # a failing source is retried at most this many intervals apart


def _row_to_source(row: Row[Any]) -> Source:
    return Source(
        id=row.id,
        name=row.name,
        url=row.url,
        kind=SourceKind(row.kind),
        region=row.region,
        country=row.country,
        language=row.language,
        organisation=row.organisation,
        selector=row.selector,
        url_pattern=row.url_pattern,
        interval_s=row.interval_s,
        enabled=row.enabled,
    )


def _row_to_health(row: Row[Any]) -> SourceHealth:
    return SourceHealth(
        source_id=row.id,
        next_check_at=row.next_check_at,
        last_checked_at=row.last_checked_at,
        last_success_at=row.last_success_at,
        error_count=row.error_count,
        last_error=row.last_error,
    )


class Sources:
    """CRUD over the registry plus the bookkeeping the scheduler needs."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, source: Source, *, update_existing: bool = False) -> Source:
        """Insert ``source``; with ``update_existing``, a source with the same URL or name is updated instead."""
        values = {k: v for k, v in asdict(source).items() if k != "id"}
        values["kind"] = str(source.kind)
        with self._db.writing() as conn:
            existing = conn.execute(
                select(sources.c.id).where(or_(sources.c.url == source.url, sources.c.name == source.name))
            ).first()
            if existing is not None:
                if not update_existing:
                    raise SourceError(
                        f"source {source.name!r} ({source.url}): already registered as #{existing.id}"
                    )
                conn.execute(update(sources).where(sources.c.id == existing.id).values(**values))
                return replace(source, id=existing.id)
            try:
                new_id = conn.execute(
                    insert(sources).values(
                        **values, created_at=datetime.now(UTC), error_count=0, last_error=""
                    )
                ).inserted_primary_key
            except IntegrityError as exc:
                raise SourceError(f"source {source.name!r}: already registered") from exc
            assert new_id is not None
            return replace(source, id=int(new_id[0]))

    def list_all(self) -> list[Source]:
        with self._db.reading() as conn:
            return [_row_to_source(r) for r in conn.execute(select(sources).order_by(sources.c.id))]

    def get(self, key: int | str) -> Source:
        """A source by id or name; SourceError if none."""
        row = self._find(key)
        return _row_to_source(row)

    def _find(self, key: int | str) -> Row[Any]:
        where = sources.c.name == str(key)
        if (row_id := as_id(key)) is not None:
            where = or_(where, sources.c.id == row_id)
        with self._db.reading() as conn:
            row = conn.execute(select(sources).where(where)).first()
        if row is None:
            raise SourceError(f"source {key!r}: no such source (see `osiwire sources list`)")
        return row

    def health(self, key: int | str) -> SourceHealth:
        return _row_to_health(self._find(key))

    def all_health(self) -> dict[int, SourceHealth]:
        with self._db.reading() as conn:
            return {r.id: _row_to_health(r) for r in conn.execute(select(sources))}

    def remove(self, key: int | str) -> Source:
        """Remove a source; its releases stay, detached."""
        source = self.get(key)
        with self._db.writing() as conn:
            conn.execute(delete(sources).where(sources.c.id == source.id))
        return source

    def due(self, now: datetime) -> list[Source]:
        """Enabled sources whose next check time has come."""
        with self._db.reading() as conn:
            rows = conn.execute(
                select(sources)
                .where(sources.c.enabled.is_(True))
                .where(or_(sources.c.next_check_at.is_(None), sources.c.next_check_at <= now))
                .order_by(sources.c.next_check_at.is_not(None), sources.c.next_check_at, sources.c.id)
            )
            return [_row_to_source(r) for r in rows]

    def record_success(self, source: Source, now: datetime) -> None:
        """A pass succeeded: clear the error counter, schedule the next check."""
        assert source.id is not None
        with self._db.writing() as conn:
            conn.execute(
                update(sources)
                .where(sources.c.id == source.id)
                .values(
                    last_checked_at=now,
                    last_success_at=now,
                    error_count=0,
                    last_error="",
                    next_check_at=now + timedelta(seconds=source.interval_s),
                )
            )

    def record_error(self, source: Source, now: datetime, error: str) -> None:
        """A pass failed: count it and back off (doubling the interval per consecutive error, capped)."""
        assert source.id is not None
        with self._db.writing() as conn:
            count = conn.execute(select(sources.c.error_count).where(sources.c.id == source.id)).scalar_one()
            factor = min(2**count, MAX_BACKOFF_FACTOR)
            conn.execute(
                update(sources)
                .where(sources.c.id == source.id)
                .values(
                    last_checked_at=now,
                    error_count=count + 1,
                    last_error=error.splitlines()[0][:MAX_ERROR_LENGTH] if error else "unknown error",
                    next_check_at=now + timedelta(seconds=source.interval_s * factor),
                )
            )

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified last seen for ``url``."""
        with self._db.reading() as conn:
            row = conn.execute(select(http_cache).where(http_cache.c.url == url)).first()
        return (row.etag, row.last_modified) if row else (None, None)

    def remember_validators(
        self, url: str, etag: str | None, last_modified: str | None, now: datetime
    ) -> None:
        with self._db.writing() as conn:
            conn.execute(delete(http_cache).where(http_cache.c.url == url))
            if etag or last_modified:
                conn.execute(
                    insert(http_cache).values(url=url, etag=etag, last_modified=last_modified, checked_at=now)
                )
