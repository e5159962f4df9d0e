"""Evaluating rules: against one release as it arrives (recording what fires), or over stored releases."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from osiwire.alerts.events import NewEvent
from osiwire.alerts.facts import ReleaseFacts, load_facts
from osiwire.alerts.patterns import PatternError, PatternTimeout, compile_position
from osiwire.alerts.rules import (
    AlertError,
    BreakingWatch,
    Definition,
    PersonRule,
    RoleRule,
    Rule,
    SearchRule,
    SpikeWatch,
    TopicRule,
    describe,
)
from osiwire.alerts.watches import (
    BreakingMatcher,
    SpikeMatcher,
    Thresholds,
    breaking_in_store,
    breaking_rule_of,
    spikes_in_store,
)
from osiwire.enrich.names import parse_name, person_key, same_person
from osiwire.enrich.transliteration import fold_latin
from osiwire.errors import OsiwireError
from osiwire.model import Participant, PersonName, SearchFilters
from osiwire.store import Store
from osiwire.store.enrichments import fold_name
from osiwire.store.search import MAX_LIMIT

logger = logging.getLogger(__name__)

CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
MAX_NAMED = 3  # "with A (BY), B (BY), C (BY) and 4 more": a reason stays one readable line
MAX_EVIDENCE = 3  # the words that made a topic fire; the first few say enough
# Positions are source text and rule patterns are user regexes: bound the text a pattern runs over (the
# longest official title seen is ~250 characters). RE2 matches in linear time; the fallback engine of the few
# patterns RE2 cannot run has a time limit per match (alerts/patterns.py).
MAX_POSITION_CHARS = 400
INSTANT = timedelta(microseconds=1)  # the smallest step of a stored time: [t, t + INSTANT) holds only t
MAX_TEST_CANDIDATES = 20_000  # `alerts test` looks at this many candidate releases at most, newest first


@dataclass(frozen=True, slots=True)
class Match:
    """A release a rule fires on, and why."""

    release_id: int
    version_no: int
    title: str
    url: str
    published: datetime | None
    reason: str


@dataclass(frozen=True, slots=True)
class Fired:
    """A recorded alert: the rule fired on a release (once per rule and release)."""

    event_id: int
    rule: str
    release_id: int
    version_no: int
    reason: str
    fired_at: datetime


class Matcher(Protocol):
    def reason(self, facts: ReleaseFacts) -> str | None:
        """Why the rule fires on the release; None when it does not."""


class SearchMatcher:
    """A saved search: the query on this one release, then the filters exactly as search() applies them."""

    def __init__(self, rule: SearchRule, store: Store) -> None:
        self.rule, self.store, self.filters = rule, store, rule.filters()

    def _filtered(self, facts: ReleaseFacts) -> bool:
        if self.filters == SearchFilters():
            return True
        # The filters through search() itself (no query: no full-text work), narrowed to the instant the
        # release is listed at, so that every filter search() knows means the same here.
        window = replace(
            self.filters,
            since=max(self.filters.since or facts.sort_at, facts.sort_at),
            until=min(self.filters.until or facts.sort_at + INSTANT, facts.sort_at + INSTANT),
        )
        if window.since is not None and window.until is not None and window.since >= window.until:
            return False
        offset = 0
        while True:
            page = self.store.search("", window, limit=MAX_LIMIT, offset=offset)
            if any(hit.id == facts.release_id for hit in page.hits):
                return True
            offset += MAX_LIMIT
            if offset >= page.total:
                return False

    def reason(self, facts: ReleaseFacts) -> str | None:
        if self.rule.query and not self.store.alerts.matches_query(self.rule.query, facts.release_id):
            return None
        return describe(self.rule) if self._filtered(facts) else None


class PersonMatcher:
    """A person by key or by any spelling; a name parsed from the rule also matches other spellings of it."""

    def __init__(self, rule: PersonRule) -> None:
        self.text = rule.person
        self.folded = fold_name(rule.person)
        self.name = parse_name(rule.person, "ru" if CYRILLIC_RE.search(rule.person) else "en")

    def matches(self, name: PersonName) -> bool:
        if self.folded == person_key(name):
            return True
        if self.folded in {fold_name(v) for v in (name.display, name.name_en, *name.variants) if v}:
            return True
        wanted = self.name
        if wanted is None or not wanted.last or not name.last:
            return False
        if not (wanted.first or wanted.initials):  # a bare surname: everyone of that name
            return fold_latin(wanted.last) == fold_latin(name.last)
        return same_person(wanted, name)

    def reason(self, facts: ReleaseFacts) -> str | None:
        for p in facts.participants:
            if self.matches(p.name):
                return f'{_who(p, facts)}: person "{self.text}"'
        for name in facts.people:
            if self.matches(name):
                english = f" ({name.name_en})" if name.name_en and name.name_en != name.display else ""
                return f'{name.display}{english}: person "{self.text}"'
        return None


def _country(p: Participant, facts: ReleaseFacts) -> tuple[str, bool]:
    """A participant's country, else the source's (officials of the host country are listed without one)."""
    return (p.country, False) if p.country else (facts.source_country, True)


def _who(p: Participant, facts: ReleaseFacts, *, position: bool = True) -> str:
    name = p.name.display or p.name.name_en
    text = f"{p.position} {name}" if position and p.position else name
    country, assumed = _country(p, facts)
    if not country:
        return text
    return f"{text} ({country}, from the source)" if assumed else f"{text} ({country})"


class RoleMatcher:
    """A participant whose position matches (of country X), with anyone from country Y."""

    def __init__(self, rule: RoleRule) -> None:
        self.rule = rule
        # Matches start at a word: "министр" is in "Министр обороны", not in "Администрации".
        try:
            self.pattern = compile_position(rule.position)
        except PatternError as exc:  # a rule stored before patterns were checked as they are now
            raise AlertError(f"position {rule.position[:100]!r} cannot be compiled: {exc}") from None

    def reason(self, facts: ReleaseFacts) -> str | None:
        rule = self.rule
        for p in facts.participants:
            try:
                if not self.pattern.search(p.position[:MAX_POSITION_CHARS]):
                    continue
            except PatternTimeout as exc:
                raise AlertError(str(exc)) from None
            if rule.country and _country(p, facts)[0] != rule.country:
                continue
            if not rule.with_country:
                return _who(p, facts)
            others = [
                q
                for q in facts.participants
                if _country(q, facts)[0] == rule.with_country
                and fold_name(q.name.display) != fold_name(p.name.display)
            ]
            if others:
                named = ", ".join(_who(q, facts, position=False) for q in others[:MAX_NAMED])
                more = f" and {len(others) - MAX_NAMED} more" if len(others) > MAX_NAMED else ""
                return f"{_who(p, facts)} with {named}{more}"
        return None


class TopicMatcher:
    """A topic (id or label), optionally in a region or about a country."""

    def __init__(self, rule: TopicRule) -> None:
        self.rule = rule

    def reason(self, facts: ReleaseFacts) -> str | None:
        rule, wanted = self.rule, self.rule.topic.casefold()
        topic = next((t for t in facts.topics if wanted in (t.id.casefold(), t.label.casefold())), None)
        if topic is None:
            return None
        if rule.region and facts.region.casefold() != rule.region.casefold():
            return None
        if rule.country and rule.country != facts.source_country and rule.country not in facts.countries:
            return None
        text = f"topic {topic.label} ({topic.id})"
        text += f" in region {facts.region}" if rule.region else ""
        text += f" about {rule.country}" if rule.country else ""
        if topic.evidence:
            text += f"; evidence: {', '.join(topic.evidence[:MAX_EVIDENCE])}"
        return text


def compile_rule(
    definition: Definition, store: Store, thresholds: Thresholds | None = None, rule_id: int | None = None
) -> Matcher:
    """A matcher for a definition (patterns compiled and names parsed once); ``thresholds``: the configured
    spike and breaking rules; ``rule_id``: the stored rule (a spike or story it reported is not reported again)."""
    thresholds = thresholds or Thresholds()
    if isinstance(definition, SpikeWatch):
        return SpikeMatcher(definition, store, thresholds.spike, rule_id)
    if isinstance(definition, BreakingWatch):
        return BreakingMatcher(definition, store, thresholds.breaking, rule_id)
    if isinstance(definition, SearchRule):
        return SearchMatcher(definition, store)
    if isinstance(definition, PersonRule):
        return PersonMatcher(definition)
    if isinstance(definition, RoleRule):
        return RoleMatcher(definition)
    return TopicMatcher(definition)


def evaluate_new(
    store: Store, release_id: int, *, now: datetime | None = None, thresholds: Thresholds | None = None
) -> list[Fired]:
    """Evaluate the enabled rules on a release's current version and record what fires (once per rule)."""
    rules = store.alerts.rules(enabled_only=True)
    if not rules:
        return []
    facts = load_facts(store, release_id)
    if facts is None:
        return []
    return _record(store, _matchers(store, rules, thresholds), facts, now or datetime.now(UTC))


def _matchers(store: Store, rules: list[Rule], thresholds: Thresholds | None) -> list[tuple[Rule, Matcher]]:
    """The rules' matchers; a rule that cannot be compiled is skipped with one log line."""
    out: list[tuple[Rule, Matcher]] = []
    for rule in rules:
        try:
            out.append((rule, compile_rule(rule.definition, store, thresholds, rule.id)))
        except (OsiwireError, re.error) as exc:  # one broken rule must not stop the others
            logger.warning("alert rule %s skipped: %s", rule.name, exc)
    return out


def _record(
    store: Store, matchers: list[tuple[Rule, Matcher]], facts: ReleaseFacts, now: datetime
) -> list[Fired]:
    """Record what fires; a matcher that fails is logged once and dropped from ``matchers``."""
    found: list[tuple[Rule, str]] = []
    for rule, matcher in list(matchers):
        try:
            reason = matcher.reason(facts)
        except (OsiwireError, re.error) as exc:  # one broken rule must not stop the others
            logger.warning("alert rule %s skipped: %s", rule.name, exc)
            matchers.remove((rule, matcher))
            continue
        if reason:
            found.append((rule, reason))
    if not found:
        return []
    events = [
        NewEvent(rule.id or 0, facts.release_id, facts.version_no, reason, bool(rule.webhook_url))
        for rule, reason in found
    ]
    ids = store.alerts.record(events, now)
    return [
        Fired(event_id, rule.name, facts.release_id, facts.version_no, reason, now)
        for (rule, reason), event_id in zip(found, ids, strict=True)
        if event_id is not None
    ]


def evaluate_stored(
    store: Store, since: datetime | None, *, now: datetime | None = None, thresholds: Thresholds | None = None
) -> list[Fired]:
    """Evaluate the enabled rules on stored releases (since ``since``) and record what fires; safe to repeat."""
    rules = store.alerts.rules(enabled_only=True)
    matchers = _matchers(store, rules, thresholds)  # compiled once for every release
    fired: list[Fired] = []
    for release_id in store.alerts.releases_since(since) if matchers else []:
        facts = load_facts(store, release_id)
        if facts is not None:
            fired += _record(store, matchers, facts, now or datetime.now(UTC))
    return fired


def _candidates(store: Store, definition: Definition) -> list[int]:
    """Releases that may match, newest first (the matcher decides)."""
    if isinstance(definition, SearchRule):
        ids: list[int] = []
        while len(ids) < MAX_TEST_CANDIDATES:
            page = store.search(
                definition.query, definition.filters(), limit=MAX_LIMIT, offset=len(ids), sort="date"
            )
            ids += [h.id for h in page.hits]
            if len(page.hits) < MAX_LIMIT:
                break
        return ids
    if isinstance(definition, PersonRule):
        parsed = PersonMatcher(definition).name
        surnames = {fold_latin(parsed.last)} if parsed and parsed.last else set()
        return store.alerts.releases_with_people(
            {fold_name(definition.person)}, surnames, {definition.person}
        )
    if isinstance(definition, RoleRule):
        return store.alerts.releases_with_participants()
    if isinstance(definition, TopicRule):
        return store.alerts.releases_with_topic(definition.topic)
    return []  # spike and breaking rules: would_fire reads the store's volumes and stories instead


def _match(store: Store, release_id: int, reason: str) -> Match | None:
    facts = load_facts(store, release_id)
    if facts is None:
        return None
    return Match(release_id, facts.version_no, facts.title, facts.url, facts.published, reason)


def would_fire(
    store: Store, definition: Definition, *, limit: int = 100, thresholds: Thresholds | None = None
) -> list[Match]:
    """Stored releases the rule would have fired on, newest first, with reasons; nothing is recorded. A spike
    rule fires on the newest release of each spike's window, a breaking rule on the release that made the story
    breaking; the reason says why (the window's count, the baseline, the factor)."""
    thresholds = thresholds or Thresholds()
    found: list[Match | None] = []
    if isinstance(definition, SpikeWatch):
        spikes = spikes_in_store(store, definition, thresholds.spike)[:limit]
        found = [_match(store, s.window_releases[-1], s.why()) for s in spikes if s.window_releases]
        return [m for m in found if m is not None]
    if isinstance(definition, BreakingWatch):
        rule = breaking_rule_of(definition, thresholds.breaking)
        stories = breaking_in_store(store, definition, thresholds.breaking)[:limit]
        found = [_match(store, b.release_id, b.why(rule)) for b in stories]
        return [m for m in found if m is not None]
    matcher = compile_rule(definition, store)
    out: list[Match] = []
    for release_id in _candidates(store, definition)[:MAX_TEST_CANDIDATES]:
        facts = load_facts(store, release_id)
        reason = matcher.reason(facts) if facts is not None else None
        if facts is not None and reason:
            out.append(Match(release_id, facts.version_no, facts.title, facts.url, facts.published, reason))
            if len(out) >= limit:
                break
    return out
