"""The rule language: TOML/JSON files and option sets in, validated frozen rules out, hostile input refused."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from osiwire.alerts.rules import (
    AlertError,
    PersonRule,
    RoleRule,
    SearchRule,
    TopicRule,
    check_name,
    check_webhook,
    definition_dict,
    definition_json,
    describe,
    load_rule_file,
    parse_definition,
)

DEFENCE_TOML = """
kind = "role"
position = "министр обороны|defen[cs]e minister"
country = "ru"
with_country = "BY"
webhook = "https://hooks.example.org/osiwire"
secret = "s3cret"
"""


def test_role_rule_file(tmp_path: Path) -> None:
    path = tmp_path / "defence.toml"
    path.write_text(DEFENCE_TOML, encoding="utf-8")
    rule = load_rule_file(path)
    assert rule.name == "defence"  # the file's stem when it names none
    assert rule.kind == "role"
    assert rule.definition == RoleRule("министр обороны|defen[cs]e minister", "RU", "BY")
    assert (rule.webhook_url, rule.secret, rule.enabled) == (
        "https://hooks.example.org/osiwire",
        "s3cret",
        True,
    )
    assert describe(rule.definition) == (
        "a participant whose position matches /министр обороны|defen[cs]e minister/ of RU appears "
        "with anyone from BY"
    )
    assert load_rule_file(path, name="other").name == "other"


def test_json_rule_file_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "arctic.json"
    data = {"name": "arctic", "kind": "search", "query": "Арктика", "language": "RU", "since": "2025-03-01"}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    rule = load_rule_file(path)
    assert rule.definition == SearchRule(query="Арктика", language="ru", since=date(2025, 3, 1))
    stored = json.loads(definition_json(rule.definition))
    assert stored == {"query": "Арктика", "language": "ru", "since": "2025-03-01"}
    assert parse_definition("search", stored) == rule.definition


def test_toml_dates_and_inclusive_until() -> None:
    rule = parse_definition("search", {"query": "газ", "since": date(2025, 3, 1), "until": "2025-03-31"})
    assert isinstance(rule, SearchRule)
    filters = rule.filters()
    assert filters.since == datetime(2025, 3, 1, tzinfo=UTC)
    assert filters.until == datetime(2025, 4, 1, tzinfo=UTC)  # the whole last day
    assert parse_definition("search", {"until": date.max}).filters().until is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("kind", "data", "expected"),
    [
        ("person", {"person": "  Andrei Belousov "}, PersonRule("Andrei Belousov")),
        ("topic", {"topic": "terrorism", "region": "International"}, TopicRule("terrorism", "International")),
        ("topic", {"topic": "energy", "country": "kz"}, TopicRule("energy", country="KZ")),
        ("role", {"position": "министр"}, RoleRule("министр")),
        ("search", {"region": "Belarus"}, SearchRule(region="Belarus")),
    ],
)
def test_kinds(kind: str, data: dict[str, str], expected: object) -> None:
    definition = parse_definition(kind, data)
    assert definition == expected
    assert parse_definition(kind, definition_dict(definition)) == expected


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("weather", {}, "rule kind 'weather': expected one of search, person, role, topic"),
        ("role", {"position": "министр ("}, "not a valid regex"),
        ("role", {"position": ""}, "position is empty"),
        ("role", {"position": "министр", "country": "RUS"}, "not an ISO 3166-1 alpha-2 code"),
        ("role", {"position": "министр", "person": "x"}, "unknown key(s) person"),
        ("person", {"person": ""}, "person is empty"),
        ("person", {"person": 42}, "person must be a string"),
        ("person", {"person": "x" * 501}, "longer than 500"),
        ("topic", {"region": "Belarus"}, "topic is empty"),
        ("search", {}, "give a query or at least one filter"),
        ("search", {"query": "газ", "since": "yesterday"}, "is not a date"),
        ("search", {"query": "газ", "since": 20250301}, "since must be a string"),
    ],
)
def test_bad_definitions(kind: str, data: dict[str, object], message: str) -> None:
    with pytest.raises(AlertError, match=None) as caught:
        parse_definition(kind, data)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "name", ["", "two words", "a/b", "../etc", "-dash-first", "x" * 101, "<script>", "events", "EVENTS"]
)
def test_bad_names(name: str) -> None:
    with pytest.raises(AlertError):
        check_name(name)


@pytest.mark.parametrize("name", ["defence", "министры-обороны", "sco.security_2025", "A1"])
def test_good_names(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/hook", "https://", "//example.org/x", "http://a b/"]
)
def test_bad_webhooks(url: str) -> None:
    with pytest.raises(AlertError, match="expected an http"):
        check_webhook(url)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('kind = "role"\nposition = "министр"\nenabled = "yes"', "enabled must be true or false"),
        ('position = "министр"', "no kind"),
        ('kind = "role"\nposition = "министр"\nwebhook = "file:///etc/passwd"', "expected an http"),
        ('kind = "role"\nposition = "министр"\nsecret = "' + "s" * 201 + '"', "secret longer than 200"),
        ("kind = ", "cannot read rule"),
        ('kind = "role"\nposition = "министр"\nname = "bad name"', "use letters, digits"),
    ],
)
def test_bad_rule_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rule.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AlertError) as caught:
        load_rule_file(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_json_rule_must_be_an_object(tmp_path: Path) -> None:
    path = tmp_path / "rule.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(AlertError, match="one table/object"):
        load_rule_file(path)


def test_rules_are_frozen() -> None:
    rule = RoleRule("министр")
    with pytest.raises(AttributeError):
        rule.position = "x"  # type: ignore[misc]
