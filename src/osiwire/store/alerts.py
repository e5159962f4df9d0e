"""Stored alert rules (saved searches are rules of kind "search") and the events they fired."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from osiwire.alerts.events import AlertEvent, NewEvent
from osiwire.alerts.rules import AlertError, Rule, definition_json, parse_definition
from osiwire.store.backends import insert_ignore
from osiwire.store.database import Database
from osiwire.store.enrichments import fold_name
from osiwire.store.query import parse_query, to_fts5
from osiwire.store.schema import (
    alert_events,
    alert_rules,
    participants,
    people,
    person_variants,
    release_people,
    release_topics,
    releases,
    sources,
    versions,
)
from osiwire.store.textindex import Lemmatiser

MAX_EVENTS = 500  # one page of events
MAX_ERROR_CHARS = 300  # last_error is one line a person reads, not a log
# One release in the original or its translation, restricted by rowid so FTS5 looks at one document.
FTS_ONE = """
SELECT 1 FROM release_fts WHERE release_fts MATCH :q AND rowid = :id
UNION ALL
SELECT 1 FROM translation_fts WHERE translation_fts MATCH :q AND rowid = :id
LIMIT 1
"""


def _rule(row: Row[Any]) -> Rule:
    return Rule(
        name=row.name,
        # A stored pattern that no longer compiles fails its own rule at evaluation, not every rule read here.
        definition=parse_definition(row.kind, json.loads(row.definition), compile_patterns=False),
        webhook_url=row.webhook_url,
        secret=row.secret,
        enabled=row.enabled,
        id=row.id,
        created_at=row.created_at,
    )


def _event(row: Row[Any]) -> AlertEvent:
    return AlertEvent(**{f.name: getattr(row, f.name) for f in fields(AlertEvent)})


def _events_select() -> Any:
    return (
        select(
            alert_events,
            alert_rules.c.name.label("rule"),
            releases.c.title,
            releases.c.url,
            releases.c.published,
            func.coalesce(sources.c.name, "").label("source"),
            func.coalesce(sources.c.region, "").label("region"),
        )
        .join(alert_rules, alert_rules.c.id == alert_events.c.rule_id)
        .join(releases, releases.c.id == alert_events.c.release_id)
        .outerjoin(sources, sources.c.id == releases.c.source_id)
    )


def _insert_once(conn: Connection, values: dict[str, Any]) -> int | None:
    """Insert an event unless the rule fired on that release before; its id, or None."""
    stmt = insert_ignore(conn, alert_events, ["rule_id", "release_id"]).values(**values)
    result = conn.execute(stmt)
    if not result.rowcount or result.inserted_primary_key is None:
        return None
    return int(result.inserted_primary_key[0])


def _current(stmt: Any) -> Any:
    """Restrict a select over ``versions`` to each release's current version."""
    return stmt.join(
        releases,
        and_(releases.c.id == versions.c.release_id, releases.c.version_count == versions.c.version_no),
    )


class Alerts:
    """Rules, events and the questions evaluating rules asks of the store."""

    def __init__(self, db: Database, lemmatiser: Lemmatiser) -> None:
        self._db = db
        self._lemmatiser = lemmatiser

    # -- rules ----------------------------------------------------------------------------------------------

    def add(self, rule: Rule, now: datetime) -> Rule:
        """Store a new rule; AlertError when its name is taken."""
        values = {
            "name": rule.name,
            "kind": rule.kind,
            "definition": definition_json(rule.definition),
            "webhook_url": rule.webhook_url,
            "secret": rule.secret,
            "enabled": rule.enabled,
            "created_at": now,
        }
        try:
            with self._db.writing() as conn:
                conn.execute(insert(alert_rules).values(**values))
        except IntegrityError:
            raise AlertError(f"rule {rule.name!r}: a rule of that name exists (remove it first)") from None
        return self.get(rule.name)

    def get(self, name: str) -> Rule:
        """A rule by name; AlertError if none."""
        with self._db.reading() as conn:
            row = conn.execute(select(alert_rules).where(alert_rules.c.name == name)).first()
        if row is None:
            raise AlertError(f"rule {name!r}: no such rule (see `osiwire alerts list`)")
        return _rule(row)

    def rules(self, *, enabled_only: bool = False, kind: str | None = None) -> list[Rule]:
        """Rules in the order they were added."""
        stmt = select(alert_rules).order_by(alert_rules.c.id)
        if enabled_only:
            stmt = stmt.where(alert_rules.c.enabled.is_(True))
        if kind:
            stmt = stmt.where(alert_rules.c.kind == kind)
        with self._db.reading() as conn:
            return [_rule(r) for r in conn.execute(stmt)]

    def remove(self, name: str) -> Rule:
        """Remove a rule and its events."""
        rule = self.get(name)
        with self._db.writing() as conn:
            conn.execute(delete(alert_events).where(alert_events.c.rule_id == rule.id))
            conn.execute(delete(alert_rules).where(alert_rules.c.id == rule.id))
        return rule

    def replace(self, name: str, rule: Rule) -> Rule:
        """Give rule ``name`` a new name and definition, keeping its webhook, secret and alerts; AlertError
        when there is no such rule or the new name is taken."""
        current = self.get(name)
        values = {"name": rule.name, "kind": rule.kind, "definition": definition_json(rule.definition)}
        try:
            with self._db.writing() as conn:
                conn.execute(update(alert_rules).where(alert_rules.c.id == current.id).values(**values))
        except IntegrityError:
            raise AlertError(f"rule {rule.name!r}: a rule of that name exists") from None
        return self.get(rule.name)

    def fired(self) -> dict[str, tuple[int, datetime | None]]:
        """Per rule name: how many alerts it fired, and when it last fired (None: never)."""
        stmt = (
            select(alert_rules.c.name, func.count(alert_events.c.id), func.max(alert_events.c.fired_at))
            .outerjoin(alert_events, alert_events.c.rule_id == alert_rules.c.id)
            .group_by(alert_rules.c.name)
        )
        with self._db.reading() as conn:
            return {str(name): (int(n), at) for name, n, at in conn.execute(stmt)}

    def counts(self) -> dict[str, int]:
        """Events fired per rule name."""
        return {name: n for name, (n, _) in self.fired().items()}

    # -- events ---------------------------------------------------------------------------------------------

    def record(self, events: Iterable[NewEvent], now: datetime) -> list[int | None]:
        """Record matches in one transaction; per match the new event's id, or None when it fired before."""
        with self._db.writing() as conn:
            return [
                _insert_once(
                    conn,
                    {
                        "rule_id": e.rule_id,
                        "release_id": e.release_id,
                        "version_no": e.version_no,
                        "reason": e.reason,
                        "fired_at": now,
                        "attempts": 0,
                        "last_error": "",
                        "next_attempt_at": now if e.deliver else None,
                    },
                )
                for e in events
            ]

    def events(
        self, rule: str | None = None, *, limit: int = 50, offset: int = 0, status: str | None = None
    ) -> list[AlertEvent]:
        """Events newest first, of one rule or all; ``status="pending"`` for those awaiting delivery."""
        stmt = _events_select()
        if rule is not None:
            stmt = stmt.where(alert_rules.c.name == rule)
        if status == "pending":
            stmt = stmt.where(
                alert_events.c.delivered_at.is_(None), alert_events.c.next_attempt_at.is_not(None)
            )
        stmt = stmt.order_by(alert_events.c.fired_at.desc(), alert_events.c.id.desc())
        stmt = stmt.limit(max(1, min(limit, MAX_EVENTS))).offset(max(0, offset))
        with self._db.reading() as conn:
            return [_event(r) for r in conn.execute(stmt)]

    def claim(self, now: datetime, lease: timedelta, limit: int) -> list[tuple[AlertEvent, Rule]]:
        """Events due for delivery, each held for ``lease`` so that a second deliverer skips them."""
        with self._db.writing() as conn:
            ids = list(
                conn.execute(
                    select(alert_events.c.id)
                    .where(alert_events.c.delivered_at.is_(None), alert_events.c.next_attempt_at <= now)
                    .order_by(alert_events.c.next_attempt_at, alert_events.c.id)
                    .limit(limit)
                ).scalars()
            )
            if not ids:
                return []
            conn.execute(
                update(alert_events).where(alert_events.c.id.in_(ids)).values(next_attempt_at=now + lease)
            )
            rows = conn.execute(_events_select().where(alert_events.c.id.in_(ids))).all()
            rule_rows = conn.execute(
                select(alert_rules).where(alert_rules.c.id.in_({r.rule_id for r in rows}))
            ).all()
        by_id = {r.id: _rule(r) for r in rule_rows}
        order = {event_id: i for i, event_id in enumerate(ids)}
        return sorted(((_event(r), by_id[r.rule_id]) for r in rows), key=lambda pair: order[pair[0].id])

    def delivered(self, event_id: int, attempts: int, now: datetime) -> None:
        with self._db.writing() as conn:
            conn.execute(
                update(alert_events)
                .where(alert_events.c.id == event_id)
                .values(delivered_at=now, attempts=attempts, last_error="", next_attempt_at=None)
            )

    def postpone(self, event_id: int, at: datetime) -> None:
        """Hand a claimed event back untried, due again at ``at``."""
        with self._db.writing() as conn:
            conn.execute(update(alert_events).where(alert_events.c.id == event_id).values(next_attempt_at=at))

    def failed(self, event_id: int, attempts: int, error: str, retry_at: datetime | None) -> None:
        """A delivery failed: keep why, and when to try again (None: never)."""
        line = " ".join(error.split())[:MAX_ERROR_CHARS] or "unknown error"
        with self._db.writing() as conn:
            conn.execute(
                update(alert_events)
                .where(alert_events.c.id == event_id)
                .values(attempts=attempts, last_error=line, next_attempt_at=retry_at)
            )

    # -- what evaluation asks -------------------------------------------------------------------------------

    def fired_on_any(self, rule_id: int, release_ids: Iterable[int]) -> bool:
        """Whether the rule fired on any of the releases (a spike or a story it reported already)."""
        ids = list(release_ids)
        with self._db.reading() as conn:
            for start in range(0, len(ids), 500):
                found = conn.execute(
                    select(alert_events.c.id)
                    .where(
                        alert_events.c.rule_id == rule_id,
                        alert_events.c.release_id.in_(ids[start : start + 500]),
                    )
                    .limit(1)
                ).first()
                if found is not None:
                    return True
        return False

    def matches_query(self, query_text: str, release_id: int) -> bool:
        """Whether the search query finds the release (original or translation); QueryError when malformed."""
        query = parse_query(query_text, self._lemmatiser)
        if query.empty:
            return True
        if self._db.dialect != "sqlite":  # no FTS5: the search engine, over this release alone
            from osiwire.store.indexed import release_matches

            return release_matches(self._db, query, release_id)
        with self._db.reading() as conn:
            return conn.execute(text(FTS_ONE), {"q": to_fts5(query), "id": release_id}).first() is not None

    def releases_with_people(self, keys: set[str], surnames: set[str], variants: set[str]) -> list[int]:
        """Releases whose current version names a person by key, surname key part or folded variant."""
        wanted = [people.c.key.in_(keys)] if keys else []
        wanted += [people.c.key.like(f"{s.replace('%', '').replace('_', '')}:%") for s in surnames if s]
        if variants:
            folded = [fold_name(v) for v in variants]
            wanted.append(
                people.c.id.in_(
                    select(person_variants.c.person_id).where(person_variants.c.variant.in_(folded))
                )
            )
        if not wanted:
            return []
        stmt = _current(
            select(releases.c.id, releases.c.sort_at)
            .select_from(versions)
            .join(release_people, release_people.c.version_id == versions.c.id)
            .join(people, people.c.id == release_people.c.person_id)
        ).where(or_(*wanted))
        return self._newest_first(stmt)

    def releases_with_participants(self) -> list[int]:
        """Releases whose current version lists participants."""
        stmt = _current(
            select(releases.c.id, releases.c.sort_at)
            .select_from(versions)
            .join(participants, participants.c.version_id == versions.c.id)
        )
        return self._newest_first(stmt)

    def releases_with_topic(self, topic: str) -> list[int]:
        """Releases whose current version has the topic (by id or label, any case)."""
        folded = topic.casefold()
        stmt = _current(
            select(releases.c.id, releases.c.sort_at)
            .select_from(versions)
            .join(release_topics, release_topics.c.version_id == versions.c.id)
        ).where(
            or_(func.lower(release_topics.c.topic) == folded, func.lower(release_topics.c.label) == folded)
        )
        return self._newest_first(stmt)

    def releases_since(self, since: datetime | None) -> list[int]:
        """Every release (published or first seen on or after ``since``), newest first."""
        stmt = select(releases.c.id, releases.c.sort_at)
        if since is not None:
            stmt = stmt.where(releases.c.sort_at >= since)
        return self._newest_first(stmt)

    def _newest_first(self, stmt: Any) -> list[int]:
        ordered = stmt.distinct().order_by(releases.c.sort_at.desc(), releases.c.id.desc())
        with self._db.reading() as conn:
            return [int(r.id) for r in conn.execute(ordered)]
