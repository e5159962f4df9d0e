"""Alert rules: what a rule says, and the small language (TOML or JSON) rules are written in.

A rule file is one table: ``kind`` and that kind's keys, plus optional ``name``, ``webhook``, ``secret`` and
``enabled``::

    kind = "role"                                   # search | person | role | topic | spike | breaking
    position = "министр обороны|defen[cs]e minister"  # regex over the participant's position
    country = "RU"                                  # optional: the matched participant's country
    with_country = "BY"                             # optional: someone from this country is listed too

A saved search is a rule of kind ``search`` (``query`` and the search filters).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from osiwire.alerts.patterns import PatternError, compile_position
from osiwire.errors import OsiwireError
from osiwire.model import SearchFilters

NAME_RE = re.compile(r"[^\W_][\w.-]{0,99}")  # appears in feed URLs: no spaces or slashes
RESERVED_NAMES = frozenset({"events"})  # /api/v1/alerts/events is the events list, not a rule
COUNTRY_RE = re.compile(r"[A-Z]{2}")
MAX_TEXT_CHARS = 500  # longer than any query, name or position pattern anyone types
MAX_SECRET_CHARS = 200
RULE_KEYS = ("name", "kind", "webhook", "secret", "enabled")


class AlertError(OsiwireError):
    """A rule that cannot be understood, stored or found."""


@dataclass(frozen=True, slots=True)
class SearchRule:
    """A saved search: fires on releases the query and filters find."""

    query: str = ""
    language: str = ""
    region: str = ""  # of the source
    source: str = ""  # name or id
    country: str = ""  # of the source
    since: date | None = None
    until: date | None = None  # inclusive
    topic: str = ""  # a topic id
    person: str = ""  # a person's id or key ("belousov:ar")
    organisation: str = ""  # an organisation's base form
    mentions_country: str = ""  # a country the release mentions

    def filters(self) -> SearchFilters:
        """The store's search filters (``until`` covers its whole day)."""

        def day(d: date | None, shift: int = 0) -> datetime | None:
            return None if d is None else datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(days=shift)

        return SearchFilters(
            language=self.language or None,
            region=self.region or None,
            source=self.source or None,
            country=self.country or None,
            since=day(self.since),
            until=day(self.until, 1) if self.until and self.until < date.max else None,
            topic=self.topic or None,
            person=self.person or None,
            organisation=self.organisation or None,
            mentions_country=self.mentions_country or None,
        )


@dataclass(frozen=True, slots=True)
class PersonRule:
    """Fires when a person appears: by person key (``belousov:ar``) or any spelling in any script."""

    person: str = ""


@dataclass(frozen=True, slots=True)
class RoleRule:
    """Fires when a participant whose position matches ``position`` (of ``country``) appears (with anyone from
    ``with_country``)."""

    position: str = ""  # a regular expression, case-insensitive, ё = е (alerts/patterns.py runs it)
    country: str = ""
    with_country: str = ""


@dataclass(frozen=True, slots=True)
class TopicRule:
    """Fires on releases about a topic (id or label), optionally from a region or about a country."""

    topic: str = ""
    region: str = ""  # of the source
    country: str = ""  # the source's country, or one the release mentions


@dataclass(frozen=True, slots=True)
class SpikeWatch:
    """Fires when a key of kind ``of`` (one ``key``, or any) spikes: the settings' spike rule unless overridden."""

    of: str = ""  # topic | person | organisation | country | source
    key: str = ""  # a topic id or label, a person's or organisation's id or name, a country code, a source
    factor: float | None = None
    min_count: int | None = None
    min_sources: int | None = None
    window_hours: int | None = None


@dataclass(frozen=True, slots=True)
class BreakingWatch:
    """Fires when a story gains sources fast: the settings' breaking rule unless overridden."""

    sources: int | None = None
    minutes: int | None = None


Definition = SearchRule | PersonRule | RoleRule | TopicRule | SpikeWatch | BreakingWatch
KINDS: dict[str, type[Definition]] = {
    "search": SearchRule,
    "person": PersonRule,
    "role": RoleRule,
    "topic": TopicRule,
    "spike": SpikeWatch,
    "breaking": BreakingWatch,
}
SPIKE_OF = ("topic", "person", "organisation", "country", "source")  # stories.spikes.KINDS
# The numeric keys of spike and breaking rules: (type, smallest value).
NUMBERS: dict[str, tuple[type[int] | type[float], float]] = {
    "factor": (float, 0.01),
    "min_count": (int, 1),
    "min_sources": (int, 1),
    "window_hours": (int, 1),
    "sources": (int, 2),
    "minutes": (int, 1),
}


@dataclass(frozen=True, slots=True)
class Rule:
    """A named rule with where to deliver it."""

    name: str
    definition: Definition
    webhook_url: str = ""
    secret: str = ""
    enabled: bool = True
    id: int | None = None
    created_at: datetime | None = None

    @property
    def kind(self) -> str:
        return kind_of(self.definition)


def kind_of(definition: Definition) -> str:
    """The kind name of a definition."""
    return next(k for k, cls in KINDS.items() if isinstance(definition, cls))


def _text(kind: str, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise AlertError(f"{kind} rule: {key} must be a string, not {type(value).__name__}")
    value = value.strip()
    if len(value) > MAX_TEXT_CHARS:
        raise AlertError(f"{kind} rule: {key} longer than {MAX_TEXT_CHARS} characters")
    return value


def _day(kind: str, key: str, value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):  # TOML's bare dates
        return value
    try:
        return date.fromisoformat(_text(kind, key, value))
    except ValueError:
        raise AlertError(f"{kind} rule: {key} {value!r} is not a date (YYYY-MM-DD)") from None


def _country(kind: str, key: str, value: object) -> str:
    code = _text(kind, key, value).upper()
    if code and not COUNTRY_RE.fullmatch(code):
        raise AlertError(f"{kind} rule: {key} {value!r} is not an ISO 3166-1 alpha-2 code (e.g. RU)")
    return code


def _number(kind: str, key: str, value: object) -> int | float | None:
    if value is None or value == "":
        return None
    wanted, least = NUMBERS[key]
    try:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError
        number = wanted(value) if wanted is float else int(str(value).strip())
    except ValueError:
        raise AlertError(
            f"{kind} rule: {key} {str(value)[:40]!r} is not {'a number' if wanted is float else 'a whole number'}"
        ) from None
    if not least <= number < 1e9:
        raise AlertError(f"{kind} rule: {key} {number} is out of range (at least {least:g})")
    return number


def parse_definition(kind: str, data: Mapping[str, Any], *, compile_patterns: bool = True) -> Definition:
    """A definition from its keys (as in a rule file or the stored JSON); AlertError when wrong.

    ``compile_patterns=False`` (reading stored rules) leaves a pattern that does not compile to evaluation,
    which skips that one rule, instead of failing every rule read with it.
    """
    cls = KINDS.get(kind)
    if cls is None:
        raise AlertError(f"rule kind {kind!r}: expected one of {', '.join(KINDS)}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise AlertError(
            f"{kind} rule: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in NUMBERS:
            values[key] = _number(kind, key, value)
        elif key in ("since", "until"):
            values[key] = _day(kind, key, value)
        elif key in ("country", "with_country", "mentions_country"):
            values[key] = _country(kind, key, value)
        elif key == "language":
            values[key] = _text(kind, key, value).lower()
        else:
            values[key] = _text(kind, key, value)
    return _validated(cls(**values), compile_patterns)


def _validated(definition: Definition, compile_patterns: bool = True) -> Definition:
    if isinstance(definition, SearchRule):
        if not any(definition_dict(definition).values()):
            raise AlertError("search rule: give a query or at least one filter")
    elif isinstance(definition, PersonRule) and not definition.person:
        raise AlertError("person rule: person is empty (a name in any script, or a person key)")
    elif isinstance(definition, TopicRule) and not definition.topic:
        raise AlertError("topic rule: topic is empty (a topic id or label)")
    elif isinstance(definition, SpikeWatch) and definition.of not in SPIKE_OF:
        raise AlertError(f"spike rule: of {definition.of[:40]!r}: expected one of {', '.join(SPIKE_OF)}")
    elif isinstance(definition, RoleRule):
        if not definition.position:
            raise AlertError("role rule: position is empty (a regular expression)")
        if compile_patterns:
            check_position(definition.position)
    return definition


def check_position(pattern: str) -> None:
    """AlertError (one line, naming the field) unless ``pattern`` compiles as a position pattern."""
    try:
        compile_position(pattern)
    except PatternError as exc:
        raise AlertError(f"role rule: position {pattern[:100]!r} is not a valid regex: {exc}") from None


def definition_dict(definition: Definition) -> dict[str, str]:
    """The definition's non-empty keys, as stored (JSON) and shown."""
    out: dict[str, str] = {}
    for f in fields(definition):
        value = getattr(definition, f.name)
        if value:
            out[f.name] = value.isoformat() if isinstance(value, date) else str(value)
    return out


def definition_json(definition: Definition) -> str:
    return json.dumps(definition_dict(definition), ensure_ascii=False, sort_keys=True)


def describe(definition: Definition) -> str:
    """One line a person reads: what the rule fires on."""
    if isinstance(definition, SearchRule):
        filters = [f"{k} {v}" for k, v in definition_dict(definition).items() if k != "query"]
        if not definition.query:  # validation guarantees a filter then
            return "releases with " + ", ".join(filters)
        return f'search "{definition.query}"' + (f" ({', '.join(filters)})" if filters else "")
    if isinstance(definition, PersonRule):
        return f'person "{definition.person}" appears'
    if isinstance(definition, RoleRule):
        of = f" of {definition.country}" if definition.country else ""
        with_ = f" with anyone from {definition.with_country}" if definition.with_country else ""
        return f"a participant whose position matches /{definition.position}/{of} appears{with_}"
    if isinstance(definition, SpikeWatch):
        what = f'{definition.of} "{definition.key}"' if definition.key else f"any {definition.of}"
        changed = [f"{k} {v}" for k, v in definition_dict(definition).items() if k not in ("of", "key")]
        return f"{what} spikes" + (f" ({', '.join(changed)})" if changed else "")
    if isinstance(definition, BreakingWatch):
        changed = [f"{k} {v}" for k, v in definition_dict(definition).items()]
        return "a story gains sources fast" + (f" ({', '.join(changed)})" if changed else "")
    where = f" in region {definition.region}" if definition.region else ""
    about = f" about {definition.country}" if definition.country else ""
    return f'topic "{definition.topic}"{where}{about}'


def check_name(name: str) -> str:
    """``name`` if it may name a rule (it appears in URLs); AlertError otherwise."""
    if name.casefold() in RESERVED_NAMES:
        raise AlertError(f"rule name {name!r} is reserved")
    if not NAME_RE.fullmatch(name):
        raise AlertError(
            f"rule name {name[:60]!r}: use letters, digits, '.', '-' and '_' (no spaces), at most 100"
        )
    return name


def check_webhook(url: str) -> str:
    """``url`` if it can receive webhooks (absolute http or https); AlertError otherwise."""
    if url and not re.fullmatch(r"https?://[^\s/?#@]+[^\s]*", url, re.IGNORECASE):
        raise AlertError(f"webhook {url[:80]!r}: expected an http:// or https:// URL")
    return url


def rule_from_mapping(
    data: Mapping[str, Any], *, name: str = "", where: str = "rule", default_name: str = ""
) -> Rule:
    """A rule from a parsed rule file; ``name`` wins over the file's own, which wins over ``default_name``."""
    try:
        return _rule_from_mapping(data, name, default_name)
    except AlertError as exc:
        raise AlertError(f"{where}: {exc}") from None


def _rule_from_mapping(data: Mapping[str, Any], name: str, default_name: str) -> Rule:
    kind = data.get("kind")
    if not isinstance(kind, str):
        raise AlertError(f"no kind (one of {', '.join(KINDS)})")
    definition = parse_definition(kind, {k: v for k, v in data.items() if k not in RULE_KEYS})
    secret = _text(kind, "secret", data.get("secret", ""))
    if len(secret) > MAX_SECRET_CHARS:
        raise AlertError(f"secret longer than {MAX_SECRET_CHARS} characters")
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise AlertError("enabled must be true or false")
    return Rule(
        name=check_name(name or _text(kind, "name", data.get("name", "")) or default_name),
        definition=definition,
        webhook_url=check_webhook(_text(kind, "webhook", data.get("webhook", ""))),
        secret=secret,
        enabled=enabled,
    )


def load_rule_file(path: Path, *, name: str = "") -> Rule:
    """A rule from a ``.toml`` or ``.json`` file."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # TOMLDecodeError and JSONDecodeError too
        raise AlertError(f"{path}: cannot read rule: {exc}") from None
    if not isinstance(data, dict):
        raise AlertError(f"{path}: a rule is one table/object")
    return rule_from_mapping(data, name=name, where=str(path), default_name=path.stem)
