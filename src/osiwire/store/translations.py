"""Stored translations: one per (version, target language), sentence by sentence, plus their search index."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, func, insert, or_, select

from osiwire.model import SentencePair, Translation
from osiwire.store.backends import delete_text, write_text
from osiwire.store.database import Database
from osiwire.store.schema import log_fts_change, releases, translation_sentences, translations, versions
from osiwire.store.textindex import Lemmatiser

TITLE_POSITION = 0


def _version_id(conn: Connection, release_id: int, version_no: int | None) -> int | None:
    stmt = select(versions.c.id).where(versions.c.release_id == release_id)
    if version_no is None:
        stmt = stmt.join(releases, releases.c.id == versions.c.release_id).where(
            versions.c.version_no == releases.c.version_count
        )
    else:
        stmt = stmt.where(versions.c.version_no == version_no)
    found = conn.execute(stmt).scalar()
    return None if found is None else int(found)


def _write_index(conn: Connection, release_id: int, title: str, body: str) -> None:
    if title or body:
        write_text(conn, "translation_fts", release_id, title, body)
    else:
        delete_text(conn, "translation_fts", release_id)
    log_fts_change(conn, "translation_fts", release_id)


class Translations:
    """Saving, reading and scheduling translations."""

    def __init__(self, db: Database, lemmatiser: Lemmatiser) -> None:
        self._db = db
        self._lemmatiser = lemmatiser

    def save(
        self,
        release_id: int,
        version_no: int,
        translation: Translation,
        now: datetime,
        *,
        retry_at: datetime | None = None,
    ) -> None:
        """Store ``translation`` of one version, replacing an earlier one; index it when the version is current."""
        translated = [p for p in translation.sentences if p.translated]
        title = " ".join(p.target for p in translated if p.segment == TITLE_POSITION)
        body = " ".join(p.target for p in translated if p.segment != TITLE_POSITION)
        title_index, body_index = self._lemmatiser.index_text(title), self._lemmatiser.index_text(body)
        with self._db.writing() as conn:
            version_id = _version_id(conn, release_id, version_no)
            if version_id is None:
                return  # the release was removed meanwhile
            attempts = conn.execute(
                select(translations.c.attempts).where(
                    translations.c.version_id == version_id,
                    translations.c.target_language == translation.target_language,
                )
            ).scalar()
            conn.execute(
                delete(translations).where(
                    translations.c.version_id == version_id,
                    translations.c.target_language == translation.target_language,
                )
            )
            translation_id = conn.execute(
                insert(translations).values(
                    version_id=version_id,
                    target_language=translation.target_language,
                    status=translation.status,
                    error=translation.error,
                    translated_at=now,
                    attempts=(attempts or 0) + 1,
                    retry_at=retry_at,
                )
            ).inserted_primary_key
            assert translation_id is not None
            if translation.sentences:
                conn.execute(
                    insert(translation_sentences),
                    [
                        {
                            "translation_id": translation_id[0],
                            "segment": p.segment,
                            "idx": p.index,
                            "source": p.source,
                            "target": p.target,
                            "source_language": p.source_language,
                            "engine": p.engine,
                            "model": p.model,
                            "confidence": p.confidence,
                            "from_memory": p.from_memory,
                            "translated": p.translated,
                        }
                        for p in translation.sentences
                    ],
                )
            if _version_id(conn, release_id, None) == version_id:
                _write_index(conn, release_id, title_index, body_index)

    def attempts(self, release_id: int, version_no: int, target_language: str) -> int:
        """How often this version has been translated into ``target_language`` so far."""
        with self._db.reading() as conn:
            version_id = _version_id(conn, release_id, version_no)
            found = conn.execute(
                select(translations.c.attempts).where(
                    translations.c.version_id == version_id, translations.c.target_language == target_language
                )
            ).scalar()
        return int(found or 0)

    def get(self, release_id: int, target_language: str, version_no: int | None = None) -> Translation | None:
        """The stored translation of a version (the current one by default)."""
        with self._db.reading() as conn:
            version_id = _version_id(conn, release_id, version_no)
            row = conn.execute(
                select(translations).where(
                    translations.c.version_id == version_id, translations.c.target_language == target_language
                )
            ).first()
            if row is None:
                return None
            rows = conn.execute(
                select(translation_sentences)
                .where(translation_sentences.c.translation_id == row.id)
                .order_by(translation_sentences.c.segment, translation_sentences.c.idx)
            ).all()
        return Translation(
            target_language=row.target_language,
            status=row.status,
            error=row.error,
            sentences=tuple(
                SentencePair(
                    segment=r.segment,
                    index=r.idx,
                    source=r.source,
                    target=r.target,
                    source_language=r.source_language,
                    engine=r.engine,
                    model=r.model,
                    confidence=r.confidence,
                    from_memory=r.from_memory,
                    translated=r.translated,
                )
                for r in rows
            ),
        )

    def stored_languages(self) -> list[str]:
        """The languages of stored releases (their current versions), read from the language index."""
        stmt = select(releases.c.language).distinct()
        with self._db.reading() as conn:
            return [str(r[0]) for r in conn.execute(stmt)]

    def due(
        self,
        target_language: str,
        now: datetime,
        *,
        since: datetime | None = None,
        everything: bool = False,
        languages: Collection[str] | None = None,
        limit: int = 10_000,
    ) -> list[tuple[int, int]]:
        """(release id, version number) of current versions that need translating.

        Those never translated, and failed or partial ones whose retry time has come; with ``everything``,
        all of them (after a better engine is installed). Newest first. ``languages`` keeps only releases in
        those languages (the ones an engine can translate), so releases nothing can translate (the target's
        own, undetermined ones, those without a model) never fill the ``limit`` ahead of older ones that can.
        """
        stmt = _due(
            select(releases.c.id, versions.c.version_no), target_language, now, since, everything, languages
        )
        stmt = stmt.order_by(releases.c.sort_at.desc(), releases.c.id.desc()).limit(limit)
        with self._db.reading() as conn:
            return [(int(r.id), int(r.version_no)) for r in conn.execute(stmt)]

    def count_due(
        self,
        target_language: str,
        now: datetime,
        *,
        since: datetime | None = None,
        everything: bool = False,
        languages: Collection[str] | None = None,
    ) -> int:
        """How many current versions :meth:`due` would list without its limit."""
        stmt = _due(select(func.count()), target_language, now, since, everything, languages)
        with self._db.reading() as conn:
            return int(conn.execute(stmt).scalar() or 0)


def _due(
    stmt: Select[Any],
    target_language: str,
    now: datetime,
    since: datetime | None,
    everything: bool,
    languages: Collection[str] | None,
) -> Select[Any]:
    """``stmt`` over the current versions that need translating into ``target_language`` (see ``due``)."""
    joined = versions.join(
        releases,
        and_(releases.c.id == versions.c.release_id, releases.c.version_count == versions.c.version_no),
    ).outerjoin(
        translations,
        and_(translations.c.version_id == versions.c.id, translations.c.target_language == target_language),
    )
    stmt = stmt.select_from(joined)
    if languages is not None:
        stmt = stmt.where(releases.c.language.in_(sorted(languages)))
    if not everything:
        stmt = stmt.where(
            or_(
                translations.c.id.is_(None),
                and_(translations.c.retry_at.is_not(None), translations.c.retry_at <= now),
            )
        )
    if since is not None:
        stmt = stmt.where(releases.c.sort_at >= since)
    return stmt
