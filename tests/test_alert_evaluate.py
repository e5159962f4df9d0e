"""Evaluating rules on stored releases: roles with countries, people by any spelling, topics, saved searches."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from alert_corpus import BELOUSOV, build
from factories import NOW, make_article
from osiwire.alerts.evaluate import compile_rule, evaluate_new, evaluate_stored, would_fire
from osiwire.alerts.facts import load_facts
from osiwire.alerts.rules import Definition, PersonRule, RoleRule, Rule, SearchRule, TopicRule
from osiwire.model import Enrichment
from osiwire.store import Store
from osiwire.store.migrations import MIGRATIONS, _alerts
from pg import searchable


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    with Store(store_url) as s:
        searchable(s, tmp_path)
        yield s


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    return build(store)


def _fired_on(store: Store, ids: dict[str, int], definition: Definition) -> list[str]:
    names = {v: k for k, v in ids.items()}
    return sorted(names[m.release_id] for m in would_fire(store, definition))


def test_issue_example_defence_minister_of_ru_with_anyone_from_by(store: Store, ids: dict[str, int]) -> None:
    rule = RoleRule("министр обороны|defen[cs]e minister", country="RU", with_country="BY")
    matches = would_fire(store, rule)
    assert [m.release_id for m in matches] == [ids["apposition"], ids["joint"]]  # newest first
    joint = matches[1]
    assert joint.reason == (
        "Министр обороны Российской Федерации Андрей Рэмович Белоусов (RU) with Виктор Геннадьевич Хренин (BY)"
    )
    assert matches[0].reason == (
        "Министр обороны Андрей Рэмович Белоусов (RU, from the source) "
        "with Александр Григорьевич Лукашенко (BY)"
    )
    assert joint.url == "https://example.org/joint" and joint.title.startswith("Совещание министров")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (RoleRule("министр обороны", country="RU"), ["apposition", "joint", "kazakh"]),
        (RoleRule("министр обороны", country="BY"), ["joint", "minsk"]),
        (RoleRule("МИНИСТР ОБОРОНЫ", country="BY", with_country="RU"), ["joint"]),
        (RoleRule("министр обороны", with_country="KZ"), ["kazakh"]),
        (RoleRule("министр", country="RU"), ["apposition", "joint", "kazakh"]),  # not "Администрации"
        (RoleRule("руководитель администрации"), ["administration"]),
        (RoleRule("президент"), ["administration", "apposition", "bank"]),  # "Администрации Президента"
        (RoleRule("министр обороны", country="BY", with_country="BY"), []),  # anyone else, not himself
        (RoleRule("defen[cs]e minister"), []),  # positions are stored as written (Russian here)
    ],
)
def test_role_rules(store: Store, ids: dict[str, int], rule: RoleRule, expected: list[str]) -> None:
    assert _fired_on(store, ids, rule) == expected


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("Andrei Belousov", ["apposition", "joint", "kazakh"]),  # a Latin variant of a Cyrillic name
        ("Andrey Belousov", ["apposition", "joint", "kazakh"]),
        ("Андрей Белоусов", ["apposition", "joint", "kazakh"]),
        ("БЕЛОУСОВ Андрей Рэмович", ["apposition", "joint", "kazakh"]),
        ("А.Р. Белоусов", ["apposition", "joint", "kazakh"]),
        ("belousov:ar", ["apposition", "joint", "kazakh"]),  # the person key
        ("Belousov", ["apposition", "joint", "kazakh"]),  # a bare surname: everyone of that name
        ("Viktor Khrenin", ["administration", "joint", "minsk"]),
        ("Nikolai Patrushev", []),  # the father; the son (Dmitry) is in "administration"
        ("Dmitry Patrushev", ["administration"]),
        ("Sergei Belousov", []),
    ],
)
def test_person_rules(store: Store, ids: dict[str, int], person: str, expected: list[str]) -> None:
    assert _fired_on(store, ids, PersonRule(person)) == expected


def test_person_reason_names_the_position(store: Store, ids: dict[str, int]) -> None:
    (first, *_) = would_fire(store, PersonRule("Andrei Belousov"), limit=1)
    assert (
        first.reason
        == 'Министр обороны Андрей Рэмович Белоусов (RU, from the source): person "Andrei Belousov"'
    )


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (TopicRule("military-cooperation", region="Russian Federation"), ["joint", "kazakh"]),
        (TopicRule("Military cooperation and exercises"), ["joint", "kazakh", "minsk"]),
        (TopicRule("military-cooperation", region="belarus"), ["minsk"]),
        (TopicRule("military-cooperation", country="KZ"), ["kazakh"]),  # about KZ: mentioned
        (TopicRule("military-cooperation", country="BY"), ["joint", "minsk"]),
        (TopicRule("energy", region="Belarus"), []),
    ],
)
def test_topic_rules(store: Store, ids: dict[str, int], rule: TopicRule, expected: list[str]) -> None:
    assert _fired_on(store, ids, rule) == expected


def test_topic_reason(store: Store, ids: dict[str, int]) -> None:
    (match,) = would_fire(store, TopicRule("military-cooperation", region="Russian Federation"), limit=1)
    assert match.reason == (
        "topic Military cooperation and exercises (military-cooperation) in region Russian Federation; "
        "evidence: учения, военное сотрудничество"
    )


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (SearchRule("газ"), ["administration"]),  # "газа" in the text: inflections match
        (SearchRule("учения"), ["joint", "minsk"]),
        (SearchRule("учения", region="Belarus"), ["minsk"]),
        (SearchRule("учения", country="RU"), ["joint"]),
        (SearchRule("учения", source="President of Belarus"), ["minsk"]),
        (SearchRule("exercises"), ["joint"]),  # in the English translation only
        (SearchRule('"defence ministers" -Kazakhstan'), ["joint"]),
        (SearchRule("учения", since=(NOW + timedelta(days=1)).date()), ["minsk"]),
        (SearchRule("учения", until=NOW.date()), ["joint"]),  # inclusive of its day
        (SearchRule("учения", language="en"), []),
        (SearchRule(region="Belarus"), ["minsk"]),  # filters only
        (SearchRule("учения", topic="military-cooperation"), ["joint", "minsk"]),
        (SearchRule(mentions_country="KZ"), ["kazakh"]),
        (SearchRule("учения", person="belousov:ar"), ["joint"]),
        (SearchRule(person="hrenin:vg", topic="energy"), ["administration"]),
    ],
)
def test_search_rules(store: Store, ids: dict[str, int], rule: SearchRule, expected: list[str]) -> None:
    assert _fired_on(store, ids, rule) == expected
    # The path a new release takes (filters in Python, FTS on one rowid) agrees with search().
    matcher = compile_rule(rule, store)
    one_by_one = sorted(nick for nick, i in ids.items() if matcher.reason(load_facts(store, i)))  # type: ignore[arg-type]
    assert one_by_one == expected


def _add(store: Store, name: str, definition: Definition, **kw: object) -> Rule:
    return store.alerts.add(Rule(name, definition, **kw), NOW)  # type: ignore[arg-type]


def test_evaluate_new_records_once_per_rule_and_release(store: Store, ids: dict[str, int]) -> None:
    _add(
        store,
        "defence",
        RoleRule("министр обороны", country="RU", with_country="BY"),
        webhook_url="https://x.org/h",
    )
    _add(store, "belousov", PersonRule("Andrei Belousov"))
    _add(store, "off", PersonRule("Andrei Belousov"), enabled=False)
    _add(store, "search", SearchRule("exercises"))
    fired = evaluate_new(store, ids["joint"], now=NOW)
    assert sorted(f.rule for f in fired) == ["belousov", "defence", "search"]
    assert {f.release_id for f in fired} == {ids["joint"]} and all(f.version_no == 1 for f in fired)
    assert evaluate_new(store, ids["joint"], now=NOW) == []  # a rerun after a crash fires nothing twice
    events = {e.rule: e for e in store.alerts.events()}
    assert set(events) == {"belousov", "defence", "search"}
    assert events["defence"].status == "pending" and events["belousov"].status == "feed"
    assert events["search"].reason == 'search "exercises"'
    # A new version of the release does not fire again.
    changed = make_article(
        "https://example.org/joint", "Совещание (обновлено)", ["Белоусов и Хренин."], published=NOW
    )
    saved = store.releases.save(changed)
    assert saved.version_no == 2
    store.enrichments.save(saved.release_id, 2, Enrichment(people=(BELOUSOV,)), NOW)
    assert evaluate_new(store, ids["joint"], now=NOW) == []
    assert len(store.alerts.events()) == 3


def test_evaluate_new_without_rules_or_release(store: Store, ids: dict[str, int]) -> None:
    assert evaluate_new(store, ids["joint"]) == []
    _add(store, "belousov", PersonRule("Andrei Belousov"))
    assert evaluate_new(store, 999_999) == []


def test_a_broken_rule_does_not_stop_the_others(store: Store, ids: dict[str, int]) -> None:
    _add(store, "broken", SearchRule("-only -exclusions"))  # stored directly, past the CLI's check
    _add(store, "belousov", PersonRule("Andrei Belousov"))
    assert [f.rule for f in evaluate_new(store, ids["kazakh"], now=NOW)] == ["belousov"]


def test_would_fire_records_nothing_and_respects_limit(store: Store, ids: dict[str, int]) -> None:
    _add(store, "belousov", PersonRule("Andrei Belousov"))
    assert len(would_fire(store, PersonRule("Andrei Belousov"), limit=2)) == 2
    assert store.alerts.events() == []


def test_evaluate_stored_backfills_idempotently(store: Store, ids: dict[str, int]) -> None:
    _add(store, "military", TopicRule("military-cooperation"))
    first = evaluate_stored(store, None, now=NOW)
    assert sorted(f.release_id for f in first) == sorted([ids["joint"], ids["kazakh"], ids["minsk"]])
    assert evaluate_stored(store, None, now=NOW) == []
    assert evaluate_stored(store, NOW + timedelta(days=2)) == []


def test_facts_of_the_current_version(store: Store, ids: dict[str, int]) -> None:
    facts = load_facts(store, ids["joint"])
    assert facts is not None
    assert facts.title_en == "Meeting of the defence ministers of Russia and Belarus"
    assert (facts.source, facts.region, facts.source_country) == ("Kremlin", "Russian Federation", "RU")
    assert facts.enriched and [p.country for p in facts.participants] == ["RU", "BY"]
    bare = load_facts(store, ids["bank"])
    assert bare is not None and bare.title_en == ""


def test_migration_4_upgrades_a_version_3_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    with Store(url) as old:
        build(old)
        with old.db.writing() as conn:  # as a database of the previous release looked
            conn.exec_driver_sql("DROP TABLE alert_events")
            conn.exec_driver_sql("DROP TABLE alert_rules")
            conn.exec_driver_sql("UPDATE schema_version SET version = 3")
    with Store(url) as upgraded:
        _add(upgraded, "belousov", PersonRule("Andrei Belousov"))
        assert len(evaluate_stored(upgraded, None, now=NOW)) == 3
        with upgraded.db.reading() as conn:
            assert conn.exec_driver_sql("SELECT version FROM schema_version").scalar() == len(MIGRATIONS)
    assert MIGRATIONS.index(_alerts) == 3  # migration number 4
