"""Stored enrichment: mentions, people (one row per person across releases), participants, topics, countries."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, delete, func, insert, or_, select, update

from osiwire.model import Enrichment, Mention, Participant, PersonName, Quote, TopicMatch
from osiwire.store.database import Database
from osiwire.store.filters import like_prefix
from osiwire.store.schema import (
    enrichments,
    entities,
    mentions,
    participants,
    people,
    person_variants,
    quotes,
    release_countries,
    release_people,
    release_topics,
    releases,
    versions,
)

SamePerson = Callable[[PersonName, PersonName], bool]  # enrich.names.same_person

APOSTROPHES_RE = re.compile(r"['’ʼ`]")
MAX_PEOPLE = 500  # one page of `osiwire people`


def fold_name(text: str) -> str:
    """How names are compared: lower case, ё→е, apostrophes dropped, spaces single."""
    return " ".join(APOSTROPHES_RE.sub("", text).casefold().replace("ё", "е").split())


@dataclass(frozen=True, slots=True)
class PositionHeld:
    """A position a person was listed with, and when."""

    position: str
    organisation: str
    country: str
    first_seen: datetime
    last_seen: datetime
    releases: int


@dataclass(frozen=True, slots=True)
class SaidQuote:
    """A quote of one person, with the release it is in (the release's current version)."""

    release_id: int
    url: str
    title: str
    at: datetime  # the release's time (published, else first seen)
    text: str
    kind: str  # "quote" | "turn"
    segment: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Person:
    """One person across releases."""

    id: int
    key: str
    name: PersonName
    first_seen: datetime
    last_seen: datetime
    releases: int
    positions: tuple[PositionHeld, ...] = ()


def _fuller(old: PersonName, new: PersonName) -> bool:
    """Whether ``new`` tells more of the name than ``old`` (full first name and patronymic beat initials)."""

    def score(n: PersonName) -> int:
        return 2 * bool(n.first) + 2 * bool(n.patronymic) + bool(n.last) + bool(n.initials)

    return score(new) > score(old)


def _stored_name(row: Any) -> PersonName:
    return PersonName(row.first, row.patronymic, row.last, row.initials, row.name_en)


def _compatible(conn: Connection, key: str, name: PersonName, same: SamePerson | None) -> Any:
    """The one stored person ``name`` can only be ("Михаил Котюков" and "Михаил Михайлович Котюков"), or None
    where there is none, or more than one (then the name stays a person of its own)."""
    surname, _, initials = key.partition(":")
    if same is None or not surname or surname.startswith("~") or not initials:
        return None
    rows = conn.execute(_same_surname(conn.dialect.name, surname))
    found = [row for row in rows if same(_stored_name(row), name)]
    return found[0] if len(found) == 1 else None


def _same_surname(dialect: str, surname: str) -> Select[Any]:
    """The people whose key starts with ``surname:``. SQLite's LIKE is case-insensitive, so its key index
    cannot answer it: every new name scanned every person. Keys are lower-case, so a range of the key (which
    the index answers; ':' sorts right before ';' in SQLite's byte order) finds the same rows. PostgreSQL keeps
    LIKE: a locale's collation may not order a key's ':' by its byte."""
    like = people.c.key.like(like_prefix(surname + ":"), escape="\\")
    if dialect == "sqlite":
        return select(people).where(people.c.key >= surname + ":", people.c.key < surname + ";", like)
    return select(people).where(like)


def _upsert_person(
    conn: Connection, key: str, name: PersonName, seen: datetime, same: SamePerson | None = None
) -> int:
    row = conn.execute(select(people).where(people.c.key == key)).first()
    if row is None:
        row = _compatible(conn, key, name, same)
    fields = {
        "display": name.display,
        "name_en": name.name_en,
        "first": name.first,
        "patronymic": name.patronymic,
        "last": name.last,
        "initials": name.initials,
    }
    if row is None:
        new = conn.execute(insert(people).values(key=key, first_seen_at=seen, last_seen_at=seen, **fields))
        assert new.inserted_primary_key is not None
        person_id = int(new.inserted_primary_key[0])
    else:
        person_id = int(row.id)
        old = _stored_name(row)
        values: dict[str, object] = {
            "first_seen_at": min(row.first_seen_at, seen),
            "last_seen_at": max(row.last_seen_at, seen),
        }
        if _fuller(old, name):
            values.update(fields)
            if len(key) > len(row.key):  # the person is known by its most specific key ("kotyukov:mm")
                values["key"] = key
        conn.execute(update(people).where(people.c.id == person_id).values(**values))
    known = set(
        conn.execute(
            select(person_variants.c.variant).where(person_variants.c.person_id == person_id)
        ).scalars()
    )
    fresh = {}
    for shown in (name.display, name.name_en, *name.variants):
        folded = fold_name(shown)
        if folded and folded not in known:
            fresh[folded] = shown
    if fresh:
        conn.execute(
            insert(person_variants),
            [{"person_id": person_id, "variant": v, "shown": s} for v, s in fresh.items()],
        )
    return person_id


def _entity_ids(conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The canonical entity of each (type, normal form), created where new."""
    found: dict[tuple[str, str], int] = {}
    for type_, normal in keys:
        row = conn.execute(
            select(entities.c.id).where(entities.c.type == type_, entities.c.normal == normal)
        ).first()
        if row is None:
            new = conn.execute(insert(entities).values(type=type_, normal=normal)).inserted_primary_key
            assert new is not None
            found[(type_, normal)] = int(new[0])
        else:
            found[(type_, normal)] = int(row.id)
    return found


def _version(conn: Connection, release_id: int, version_no: int | None) -> tuple[int, datetime] | None:
    stmt = select(versions.c.id, releases.c.sort_at).join(releases, releases.c.id == versions.c.release_id)
    stmt = stmt.where(versions.c.release_id == release_id)
    stmt = stmt.where(
        versions.c.version_no == (releases.c.version_count if version_no is None else version_no)
    )
    row = conn.execute(stmt).first()
    return None if row is None else (int(row.id), row.sort_at)


_ONE_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")  # "правительство", "пресс-служба"


def _descriptor(mention: Mention) -> bool:
    """Is this a body named by one common noun ("правительства"), not by its name?"""
    return (
        mention.type == "ORG" and mention.normal.islower() and _ONE_WORD.fullmatch(mention.normal) is not None
    )


class Enrichments:
    """Saving and reading what the enrich stage found, and the people it found across releases."""

    def __init__(
        self, db: Database, person_key: Callable[[PersonName], str], same_person: SamePerson | None = None
    ) -> None:
        self._db = db
        # enrich.names.person_key and same_person, injected: the store has no NLP of its own
        self._person_key = person_key
        self._same_person = same_person

    def save(self, release_id: int, version_no: int, enrichment: Enrichment, now: datetime) -> None:
        """Store one version's enrichment, replacing an earlier one."""
        key_of = self._person_key
        with self._db.writing() as conn:
            found = _version(conn, release_id, version_no)
            if found is None:
                return
            version_id, seen = found
            for table in (
                enrichments,
                mentions,
                participants,
                quotes,
                release_people,
                release_topics,
                release_countries,
            ):
                conn.execute(delete(table).where(table.c.version_id == version_id))
            conn.execute(insert(enrichments).values(version_id=version_id, enriched_at=now))
            ids: dict[str, int] = {}
            for name in enrichment.people:
                key = key_of(name)
                if key and key not in ids:
                    ids[key] = _upsert_person(conn, key, name, seen, self._same_person)
            rows = []
            for order, p in enumerate(enrichment.participants):
                key = key_of(p.name)
                if key and key not in ids:
                    ids[key] = _upsert_person(conn, key, p.name, seen, self._same_person)
                rows.append(
                    {
                        "version_id": version_id,
                        "ord": order,
                        "person_id": ids.get(key),
                        "name": p.name.display,
                        "name_en": p.name.name_en,
                        "position": p.position,
                        "organisation": p.organisation,
                        "country": p.country,
                        "grp": p.group,
                        "source": p.source,
                        "kind": p.kind,
                    }
                )
            if rows:
                conn.execute(insert(participants), rows)
            said = []
            for order, q in enumerate(enrichment.quotes):
                key = key_of(q.speaker)
                if key and key not in ids:
                    ids[key] = _upsert_person(conn, key, q.speaker, seen, self._same_person)
                said.append(
                    {"version_id": version_id, "ord": order, "segment": q.segment, "start": q.start, "end": q.end,
                     "text": q.text, "kind": q.kind, "person_id": ids.get(key), "speaker": q.speaker.display,
                     "speaker_en": q.speaker.name_en}
                )  # fmt: skip
            if said:
                conn.execute(insert(quotes), said)
            if ids:
                conn.execute(
                    insert(release_people),
                    [{"version_id": version_id, "person_id": i} for i in set(ids.values())],
                )
            # A body named by a common noun alone ("правительства", "газета": enrich/entity_rules.py) is a span
            # in analyze's output, but no organisation to list, count or filter by: not stored.
            named = [m for m in enrichment.mentions if not _descriptor(m)]
            if named:
                entity_ids = _entity_ids(conn, {(m.type, m.normal) for m in named})
                conn.execute(
                    insert(mentions),
                    [
                        {"version_id": version_id, "entity_id": entity_ids[(m.type, m.normal)], "segment": m.segment,
                         "start": m.start, "end": m.end, "type": m.type, "text": m.text, "normal": m.normal}
                        for m in named
                    ],
                )  # fmt: skip
            if enrichment.topics:
                conn.execute(
                    insert(release_topics),
                    [
                        {"version_id": version_id, "topic": t.id, "label": t.label,
                         "evidence": json.dumps(list(t.evidence), ensure_ascii=False)}
                        for t in enrichment.topics
                    ],
                )  # fmt: skip
            if enrichment.countries:
                conn.execute(
                    insert(release_countries),
                    [
                        {"version_id": version_id, "country": c, "rank": i}
                        for i, c in enumerate(enrichment.countries)
                    ],
                )

    def get(self, release_id: int, version_no: int | None = None) -> Enrichment | None:
        """What was found in a version (the current one by default); None when it was not enriched."""
        with self._db.reading() as conn:
            found = _version(conn, release_id, version_no)
            if found is None:
                return None
            version_id = found[0]
            if (
                conn.execute(select(enrichments).where(enrichments.c.version_id == version_id)).first()
                is None
            ):
                return None
            person_rows = conn.execute(
                select(people)
                .join(release_people, release_people.c.person_id == people.c.id)
                .where(release_people.c.version_id == version_id)
            ).all()
            variants = self._variants(conn, [r.id for r in person_rows])
            names = {r.id: self._name(r, variants.get(r.id, ())) for r in person_rows}
            rows = conn.execute(
                select(participants)
                .where(participants.c.version_id == version_id)
                .order_by(participants.c.ord)
            ).all()
            found_mentions = conn.execute(
                select(mentions)
                .where(mentions.c.version_id == version_id)
                .order_by(mentions.c.segment, mentions.c.start)
            ).all()
            topic_rows = conn.execute(
                select(release_topics).where(release_topics.c.version_id == version_id)
            ).all()
            country_rows = conn.execute(
                select(release_countries)
                .where(release_countries.c.version_id == version_id)
                .order_by(release_countries.c.rank)
            ).all()
            quote_rows = conn.execute(
                select(quotes).where(quotes.c.version_id == version_id).order_by(quotes.c.ord)
            ).all()
        return Enrichment(
            mentions=tuple(
                Mention(m.segment, m.start, m.end, m.type, m.text, m.normal) for m in found_mentions
            ),
            people=tuple(sorted(names.values(), key=lambda n: n.last)),
            participants=tuple(
                Participant(
                    names.get(r.person_id) or PersonName(name_en=r.name_en, first=r.name),
                    r.position,
                    r.organisation,
                    r.country,
                    r.grp,
                    r.source,
                    r.kind,
                    r.name,
                )
                for r in rows
            ),
            topics=tuple(TopicMatch(t.topic, t.label, tuple(json.loads(t.evidence))) for t in topic_rows),
            countries=tuple(c.country for c in country_rows),
            quotes=tuple(
                Quote(
                    q.segment,
                    q.start,
                    q.end,
                    q.text,
                    names.get(q.person_id) or PersonName(first=q.speaker, name_en=q.speaker_en),
                    q.kind,
                )
                for q in quote_rows
            ),
        )

    def quotes_of(self, person_id: int, *, limit: int = 50, offset: int = 0) -> list[SaidQuote]:
        """What a person said, in the current version of each release, newest release first."""
        stmt = (
            select(
                releases.c.id,
                releases.c.url,
                versions.c.title,
                releases.c.sort_at,
                quotes.c.text,
                quotes.c.kind,
                quotes.c.segment,
                quotes.c.start,
                quotes.c.end,
            )
            .join(versions, versions.c.id == quotes.c.version_id)
            .join(
                releases,
                and_(
                    releases.c.id == versions.c.release_id, releases.c.version_count == versions.c.version_no
                ),
            )
            .where(quotes.c.person_id == person_id)
            .order_by(releases.c.sort_at.desc(), releases.c.id.desc(), quotes.c.ord)
            .limit(max(1, min(limit, MAX_PEOPLE)))
            .offset(max(0, offset))
        )
        with self._db.reading() as conn:
            rows = conn.execute(stmt).all()
        return [
            SaidQuote(r.id, r.url, r.title, _utc(r.sort_at), r.text, r.kind, r.segment, r.start, r.end)
            for r in rows
        ]

    @staticmethod
    def _variants(conn: Connection, person_ids: list[int]) -> dict[int, tuple[str, ...]]:
        out: dict[int, list[str]] = {}
        if person_ids:
            rows = conn.execute(select(person_variants).where(person_variants.c.person_id.in_(person_ids)))
            # In key order, as SQLite reads them (code points; PostgreSQL would return them as stored)
            for r in sorted(rows, key=lambda r: (r.person_id, r.variant)):
                out.setdefault(r.person_id, []).append(r.shown)
        return {k: tuple(v) for k, v in out.items()}

    @staticmethod
    def _name(row: Row[Any], variants: tuple[str, ...]) -> PersonName:
        return PersonName(
            first=row.first,
            patronymic=row.patronymic,
            last=row.last,
            initials=row.initials,
            name_en=row.name_en,
            variants=variants,
        )

    def due(self, *, everything: bool = False, limit: int = 100_000) -> list[tuple[int, int]]:
        """(release id, version number) of current versions not enriched yet (all with ``everything``)."""
        joined = versions.join(
            releases,
            and_(releases.c.id == versions.c.release_id, releases.c.version_count == versions.c.version_no),
        ).outerjoin(enrichments, enrichments.c.version_id == versions.c.id)
        stmt = select(releases.c.id, versions.c.version_no).select_from(joined)
        if not everything:
            stmt = stmt.where(enrichments.c.version_id.is_(None))
        stmt = stmt.order_by(releases.c.sort_at.desc(), releases.c.id.desc()).limit(limit)
        with self._db.reading() as conn:
            return [(int(r.id), int(r.version_no)) for r in conn.execute(stmt)]

    def people(self, query: str = "", *, limit: int = 50) -> list[Person]:
        """People whose name in any script or spelling contains ``query`` (all when empty), most seen first."""
        limit = max(1, min(limit, MAX_PEOPLE))
        counts = (
            select(release_people.c.person_id, func.count().label("n"))
            .group_by(release_people.c.person_id)
            .subquery()
        )
        stmt = select(people, func.coalesce(counts.c.n, 0).label("n")).outerjoin(
            counts, counts.c.person_id == people.c.id
        )
        folded = fold_name(query)
        if folded:
            like = f"%{folded.replace('%', '').replace('_', '')}%"
            stmt = stmt.where(
                or_(
                    people.c.id.in_(
                        select(person_variants.c.person_id).where(person_variants.c.variant.like(like))
                    ),
                    people.c.key == query,
                )
            )
        stmt = stmt.order_by(func.coalesce(counts.c.n, 0).desc(), people.c.last_seen_at.desc()).limit(limit)
        with self._db.reading() as conn:
            rows = conn.execute(stmt).all()
            ids = [r.id for r in rows]
            variants = self._variants(conn, ids)
            held = self._positions(conn, ids)
        return [
            Person(
                id=r.id,
                key=r.key,
                name=self._name(r, variants.get(r.id, ())),
                first_seen=r.first_seen_at,
                last_seen=r.last_seen_at,
                releases=int(r.n),
                positions=held.get(r.id, ()),
            )
            for r in rows
        ]

    @staticmethod
    def _positions(conn: Connection, person_ids: list[int]) -> dict[int, tuple[PositionHeld, ...]]:
        if not person_ids:
            return {}
        rows = conn.execute(
            select(
                participants.c.person_id,
                participants.c.position,
                participants.c.organisation,
                participants.c.country,
                func.min(releases.c.sort_at).label("first"),
                func.max(releases.c.sort_at).label("last"),
                func.count(func.distinct(releases.c.id)).label("n"),
            )
            .join(versions, versions.c.id == participants.c.version_id)
            .join(releases, releases.c.id == versions.c.release_id)
            .where(participants.c.person_id.in_(person_ids), participants.c.position != "")
            .group_by(
                participants.c.person_id,
                participants.c.position,
                participants.c.organisation,
                participants.c.country,
            )
            .order_by(func.max(releases.c.sort_at).desc())
        )
        out: dict[int, list[PositionHeld]] = {}
        for r in rows:
            first, last = r.first, r.last
            out.setdefault(r.person_id, []).append(
                PositionHeld(r.position, r.organisation, r.country, _utc(first), _utc(last), int(r.n))
            )
        return {k: tuple(v) for k, v in out.items()}


def _utc(value: object) -> datetime:
    # Aggregates bypass the UTCDateTime type: SQLite hands back text, naive and in UTC.
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
