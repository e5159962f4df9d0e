"""Role-rule position patterns: the same answers as Python's re, in linear time, refused when saved if broken.

The reference is the old evaluation: ``re.compile(rf"(?<!\\w)(?:{pattern})", re.IGNORECASE)`` over the text with
ё folded to е. Positions are the 421 distinct real ones of tests/data's participant gold (kremlin.ru lists in
Russian and English) and made-up variants (line breaks, no-break spaces, underscores, digits, hyphens).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import unicodedata
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from alert_corpus import BELOUSOV, build
from factories import NOW, make_article
from osiwire.alerts.evaluate import evaluate_new, evaluate_stored, would_fire
from osiwire.alerts.patterns import (
    DIGIT,
    NOT_WORD_CHAR,
    SPACE,
    WORD,
    WORD_CHAR,
    PatternError,
    PatternTimeout,
    compile_position,
    to_re2,
)
from osiwire.alerts.rules import AlertError, PersonRule, RoleRule, Rule, parse_definition, rule_from_mapping
from osiwire.cli import cli
from osiwire.config import load_settings
from osiwire.model import Enrichment, Participant
from osiwire.store import Store
from osiwire.web.app import create_app

DATA = Path(__file__).parent / "data"
VARIANTS = [
    "Администрации Президента", "премьер-министр", "ПРЕМЬЕР-МИНИСТР", "Министр_обороны", "2министр", "министр2",
    "министр\n", "Министр обороны\n", "министр\n\n", "министр\nобороны", "Министр\u00a0обороны",
    "министр\u2028обороны", "Заместитель\tМинистра", "Вице-премьер", "Посол ( чрезвычайный )", "Глава МИД",
    "Defence Minister of Belarus", "Minister of Defense", "Министр иностранных дел", "Секретарь Совета Безопасности",
    "Генеральный секретарь ОДКБ", "Министр обороны Республики Казахстан", "министр, ё-моё", "",
]  # fmt: skip


def _positions() -> list[str]:
    found = set()
    for name in ("participants-gold.jsonl", "participants-dev-gold.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if position := json.loads(line).get("position"):
                found.add(position)
    return sorted(found)


TEXTS = _positions() + VARIANTS


def _old(pattern: str) -> re.Pattern[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return re.compile(rf"(?<!\w)(?:{pattern.replace('ё', 'е')})", re.IGNORECASE)


@pytest.mark.parametrize(
    ("pattern", "engine"),
    [
        ("министр обороны|defen[cs]e minister", "re2"),  # the README's example
        ("министр", "re2"),
        ("МИНИСТР ОБОРОНЫ", "re2"),
        ("секр[её]тарь", "re2"),
        (r"зам(еститель)?\s+министра", "re2"),
        (r"\w+ министр", "re2"),
        (r"министр\s\w+", "re2"),
        (r"[\w-]+министр", "re2"),
        (r"[^\w]министр", "re2"),
        (r"[\s\d]", "re2"),
        (r"\S+\s\S+", "re2"),
        (r"\W", "re2"),
        (r"\d", "re2"),
        (r"\D", "re2"),
        ("-министр", "re2"),
        ("^министр", "re2"),
        ("министр$", "re2"),
        (r"обороны\n?$", "re2"),
        (r"министр\Z", "re2"),
        ("^Министр обороны$", "re2"),
        ("министр.{,3}обороны", "re2"),
        ("министр{,2}", "re2"),
        ("a{,}", "re2"),
        ("министр.{0,40}иностранных дел", "re2"),
        ("(?:вице-)?премьер", "re2"),
        ("(?P<a>мин)истр", "re2"),
        ("(?-i:Министр)", "re2"),
        ("[]a]", "re2"),
        ("[^]a]", "re2"),
        (r"\u043c\u0438\u043d", "re2"),
        (r"\.", "re2"),
        ("x*", "re2"),
        (r"министр\b", "regex"),  # RE2's \b is ASCII: the fallback engine keeps Python's meaning
        (r"\bминистр", "regex"),
        ("(?<!премьер-)министр", "regex"),
        ("министр(?! иностранных)", "regex"),
        (r"(министр)\s+\1", "regex"),
        ("(?#note)министр", "regex"),
    ],
)
def test_same_answers_as_pythons_re(pattern: str, engine: str) -> None:
    compiled = compile_position(pattern)
    assert compiled.engine == engine
    old = _old(pattern)
    differ = [t for t in TEXTS if (old.search(t.replace("ё", "е")) is not None) != compiled.search(t)]
    assert differ == []


ASSIGNED = [
    chr(c)
    for c in range(sys.maxunicode + 1)
    if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn"  # in Python's Unicode version
]


@pytest.mark.parametrize(
    ("python", "spelled", "unlike"),
    [
        (r"\w", WORD_CHAR, ""),
        (r"\W", NOT_WORD_CHAR, ""),
        (r"\d", DIGIT, ""),
        (r"\D", r"\P{Nd}", ""),
        (r"\s", f"[{SPACE}]", ""),
        (r"\S", f"[^{SPACE}]", ""),
        # Inside [...] the class cannot be made case-sensitive: U+0345 (it folds to Greek iota) is the one
        # character case-insensitive RE2 adds.
        (r"[\w]", f"[{WORD}]", "\u0345"),
    ],
)
def test_classes_mean_pythons_on_every_assigned_character(python: str, spelled: str, unlike: str) -> None:
    assert to_re2(python) == spelled
    compiled = compile_position(python)
    old = re.compile(python, re.IGNORECASE)  # as the old evaluation compiled it
    differ = "".join(c for c in ASSIGNED if (old.fullmatch(c) is not None) != compiled.search(c))
    assert differ == unlike


@pytest.mark.timeout(30)  # re would backtrack for longer than the age of the universe on these
@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)+\d", r"(a|aa)+$", r"((министр|обороны)\s?)+\.$"])
def test_catastrophic_patterns_run_in_linear_time(pattern: str) -> None:
    compiled = compile_position(pattern)
    assert compiled.engine == "re2"
    assert compiled.search("a" * 399 + "!") is False
    assert compiled.search("Министр обороны " * 25 + "Российской Федерации") is False


def test_the_fallback_engine_gives_up_on_a_catastrophic_pattern() -> None:
    compiled = compile_position(r"(?=a)(a|aa)+$")  # a look-ahead: RE2 cannot run it
    assert compiled.engine == "regex"
    assert compiled.search("aaa") is True
    with pytest.raises(PatternTimeout, match="took over"):
        compiled.search("a" * 399 + "!")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("министр (", "missing ), unterminated subpattern"),
        ("(?<=a+)b", "look-behind requires fixed-width pattern"),
        ("[[:alpha:]]", "Possible nested set"),  # re reads it one way, the fallback another: refused
        ("министр**", "multiple repeat"),
        (r"\p{L}", "bad escape"),  # RE2 and regex syntax that Python's re does not have
        ("a{2,1}", "min repeat greater than max repeat"),
    ],
)
def test_a_pattern_that_cannot_compile_is_refused_in_one_line(pattern: str, reason: str) -> None:
    with pytest.raises(PatternError) as excinfo:
        compile_position(pattern)
    assert reason in str(excinfo.value) and "\n" not in str(excinfo.value)
    with pytest.raises(AlertError) as rule_error:
        rule_from_mapping({"kind": "role", "position": pattern}, name="ministers", where="ministers.toml")
    message = str(rule_error.value)
    assert message.startswith("ministers.toml: role rule: position ") and reason in message
    assert "\n" not in message


def test_the_cli_refuses_a_broken_pattern_naming_the_rule_and_the_field(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "alerts", "add", "ministers", "--kind", "role", "--position", "(a"]
    )
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("osiwire: error: rule 'ministers': role rule: position '(a'")
    assert "missing )" in result.stderr and result.stderr.count("\n") == 1
    listed = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "alerts", "list", "--json"])
    assert json.loads(listed.stdout) == []


def test_the_api_refuses_a_broken_pattern(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={}, web={"api_token": "t0ken"})
    with TestClient(create_app(settings), headers={"Authorization": "Bearer t0ken"}) as client:
        response = client.post(
            "/api/v1/alerts",
            json={"name": "ministers", "kind": "role", "definition": {"position": "[[:alpha:]]"}},
        )
        assert response.status_code == 400
        assert response.json()["detail"].startswith("definition: role rule: position '[[:alpha:]]'")
        assert client.get("/api/v1/alerts").json() == []


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as s:
        yield s


def test_a_stored_broken_pattern_skips_its_rule_with_one_log_line(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    ids = build(store)
    # Stored past the checks (as by an older osiwire): reading the rules must still work.
    store.alerts.add(Rule("broken", RoleRule("министр (")), NOW)
    store.alerts.add(Rule("belousov", PersonRule("Andrei Belousov")), NOW)
    assert [r.name for r in store.alerts.rules()] == ["broken", "belousov"]
    with caplog.at_level(logging.WARNING, logger="osiwire.alerts.evaluate"):
        assert [f.rule for f in evaluate_stored(store, None, now=NOW)] == ["belousov"] * 3
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith("alert rule broken skipped: position 'министр ('")
    with pytest.raises(AlertError, match="cannot be compiled"):
        would_fire(store, RoleRule("министр ("))
    assert evaluate_new(store, ids["joint"], now=NOW) == []  # fired before; the broken rule still no crash


@pytest.mark.timeout(60)
def test_a_pattern_that_times_out_is_skipped_for_the_rest_of_the_run(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    build(store)
    source = store.sources.list_all()[0]
    for n in range(3):  # positions on which the fallback engine backtracks without end
        saved = store.releases.save(
            make_article(f"https://example.org/odd{n}", "Странный список", ["Список."], source_id=source.id,
                         published=NOW + timedelta(days=10 + n))
        )  # fmt: skip
        odd = Participant(BELOUSOV, "a" * 399 + "!", "", "RU", "", "list")
        store.enrichments.save(saved.release_id, saved.version_no, Enrichment(participants=(odd,)), NOW)
    store.alerts.add(Rule("slow", RoleRule(r"(?=a)(a|aa)+$")), NOW)
    store.alerts.add(Rule("defence", RoleRule("министр обороны", "RU")), NOW)
    with caplog.at_level(logging.WARNING, logger="osiwire.alerts.evaluate"):
        fired = evaluate_stored(store, None, now=NOW)
    assert {f.rule for f in fired} == {"defence"}
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith(
        "alert rule slow skipped: pattern '(?=a)(a|aa)+$' took over"
    )


def test_patterns_stored_compile_when_read_and_bad_ones_do_not_fail_reading() -> None:
    assert parse_definition("role", {"position": "министр ("}, compile_patterns=False) == RoleRule(
        "министр ("
    )
    with pytest.raises(AlertError, match="not a valid regex"):
        parse_definition("role", {"position": "министр ("})


@pytest.mark.timeout(60)  # a backtracking engine takes hours over these positions (2^30 ways to split them)
def test_a_catastrophic_rule_does_not_stall_evaluation(store: Store) -> None:
    ids = build(store)
    store.alerts.add(Rule("catastrophic", RoleRule(r"(\w+\s?)+\d")), NOW)
    store.alerts.add(Rule("defence", RoleRule("министр обороны", "BY")), NOW)
    fired = evaluate_stored(store, None, now=NOW)
    assert sorted((f.rule, f.release_id) for f in fired) == [
        ("defence", ids["joint"]),
        ("defence", ids["minsk"]),
    ]
