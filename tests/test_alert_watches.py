"""Alert rules of kind spike and breaking: parsed, evaluated once per spike or story, delivered by webhook and
Atom, and explained by `osiwire alerts test`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from osiwire.alerts.delivery import deliver_pending
from osiwire.alerts.evaluate import evaluate_new, evaluate_stored, would_fire
from osiwire.alerts.rules import (
    AlertError,
    BreakingWatch,
    Rule,
    SpikeWatch,
    definition_dict,
    describe,
    load_rule_file,
    parse_definition,
)
from osiwire.alerts.watches import Thresholds, thresholds
from osiwire.cli import cli
from osiwire.config import load_settings
from osiwire.store import Store
from osiwire.stories.breaking import BreakingRule
from osiwire.stories.spikes import SpikeRule
from osiwire.web.app import create_app
from spike_store import BURST, seed_spikes
from test_alert_delivery import Hook, hook  # noqa: F401 - the loopback webhook receiver
from test_stories_cli import _fill

NOW = datetime(2025, 3, 9, tzinfo=UTC)


def test_spike_and_breaking_rules_parse_and_describe() -> None:
    spike = parse_definition("spike", {"of": "topic", "key": "energy", "factor": 4, "min_count": "6"})
    assert spike == SpikeWatch(of="topic", key="energy", factor=4.0, min_count=6)
    assert describe(spike) == 'topic "energy" spikes (factor 4.0, min_count 6)'
    assert parse_definition("spike", definition_dict(spike)) == spike  # stored and read back
    assert describe(parse_definition("spike", {"of": "person"})) == "any person spikes"
    breaking = parse_definition("breaking", {"sources": 4, "minutes": "30"})
    assert breaking == BreakingWatch(sources=4, minutes=30)
    assert describe(parse_definition("breaking", {})) == "a story gains sources fast"


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("spike", {}, "spike rule: of '': expected one of topic, person"),
        ("spike", {"of": "weather"}, "of 'weather'"),
        ("spike", {"of": "topic", "factor": "lots"}, "factor 'lots' is not a number"),
        ("spike", {"of": "topic", "min_count": 2.5}, "min_count '2.5' is not a whole number"),
        ("spike", {"of": "topic", "min_count": 0}, "min_count 0 is out of range"),
        ("spike", {"of": "topic", "factor": True}, "is not a number"),
        ("breaking", {"sources": 1}, "sources 1 is out of range (at least 2)"),
        ("breaking", {"minutes": "-5"}, "minutes -5 is out of range"),
        ("breaking", {"when": "now"}, "unknown key(s) when"),
    ],
)
def test_bad_spike_and_breaking_rules_say_why_in_one_line(
    kind: str, data: dict[str, object], message: str
) -> None:
    with pytest.raises(AlertError, match=None) as caught:
        parse_definition(kind, data)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_rule_file_with_toml_numbers(tmp_path: Path) -> None:
    path = tmp_path / "energy.toml"
    path.write_text(
        'kind = "spike"\nof = "topic"\nkey = "Energy"\nfactor = 2.5\nwindow_hours = 2\n', encoding="utf-8"
    )
    rule = load_rule_file(path)
    assert rule.name == "energy" and rule.definition == SpikeWatch("topic", "Energy", 2.5, window_hours=2)


def test_a_spike_rule_fires_once_per_spike_and_not_on_a_one_source_flood(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store:
        seeded = seed_spikes(store)
        now = NOW
        energy = store.alerts.add(Rule("energy", SpikeWatch(of="topic", key="energy")), now)
        any_topic = store.alerts.add(Rule("topics", SpikeWatch(of="topic")), now)
        spammy = store.alerts.add(Rule("sources", SpikeWatch(of="source")), now)
        fired = {
            release_id: {
                f.rule for f in evaluate_new(store, release_id, now=now, thresholds=thresholds(settings))
            }
            for release_id in seeded.quiet + seeded.burst + seeded.flood
        }
        # the 5th release of the burst is the 5th in the window (3 sources): energy fires there, once
        assert fired[seeded.burst[4]] == {"energy", "topics"}
        assert all(not fired[r] for r in seeded.quiet + seeded.burst[:4] + seeded.burst[5:])
        # the one-source flood: no topic spike, but that source's own spike, once
        assert [r for r in seeded.flood if fired[r]] == [seeded.flood[4]]
        assert fired[seeded.flood[4]] == {"sources"}
        events = store.alerts.events(None, limit=10)
        reason = next(e.reason for e in events if e.rule == "energy")
        assert reason.startswith("spike: topic Energy: 5 release(s) from 3 source(s) in the 3 h")
        assert "rule: >= 3x, >= 5 releases, >= 2 sources" in reason
        # again, as `alerts check` does it: nothing new
        assert evaluate_stored(store, None, now=now, thresholds=thresholds(settings)) == []
        assert {energy.id, any_topic.id, spammy.id} == {r.id for r in store.alerts.rules()}


def test_a_rule_may_ask_for_more_than_the_settings(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store:
        seeded = seed_spikes(store)
        store.alerts.add(Rule("strict", SpikeWatch(of="topic", min_count=8)), NOW)
        fired = [r for r in seeded.burst if evaluate_new(store, r, now=NOW)]
        assert fired == []  # 7 in the window (the copy counted once) never reach 8
        lenient = Thresholds(spike=SpikeRule(min_count=3), breaking=BreakingRule())
        store.alerts.add(Rule("lenient", SpikeWatch(of="person", key="Alexander Novak")), NOW)
        fired = [r for r in seeded.burst if evaluate_new(store, r, now=NOW, thresholds=lenient)]
        assert fired == [seeded.burst[2]]


def test_spike_alerts_reach_the_webhook_and_the_atom_feed(tmp_path: Path, hook: Hook) -> None:  # noqa: F811
    settings = load_settings(tmp_path, environ={}, fetch={"allow_private_addresses": True})
    with Store(settings.database) as store:
        seeded = seed_spikes(store)
        store.alerts.add(Rule("energy", SpikeWatch(of="topic", key="energy"), hook.url, "k3y"), NOW)
        for release_id in seeded.burst:
            evaluate_new(store, release_id, now=NOW, thresholds=thresholds(settings))
        report = deliver_pending(store, settings, now=NOW)
        assert report.delivered == 1 and len(hook.received) == 1
        body = json.loads(hook.received[0].body)
        assert body["rule"] == "energy" and body["release"]["id"] == seeded.burst[4]
        assert body["reason"].startswith("spike: topic Energy")
        with TestClient(create_app(settings, store=store)) as client:
            feed = client.get("/feeds/alerts/energy.atom")
            assert feed.status_code == 200 and "spike: topic Energy" in feed.text


def test_a_breaking_rule_fires_once_per_story(tmp_path: Path) -> None:
    ids = _fill(tmp_path)  # Kremlin, TASS 20 min later, Tanjug 2 h later (clamped): one story
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store:
        store.alerts.add(Rule("fast", BreakingWatch()), NOW)  # 3 sources within 60 min: never
        store.alerts.add(Rule("slower", BreakingWatch(minutes=180)), NOW)
        fired = {r: [f.rule for f in evaluate_new(store, r, now=NOW)] for r in ids}
        assert fired == {ids[0]: [], ids[1]: [], ids[2]: ["slower"], ids[3]: []}
        event = store.alerts.events("slower", limit=5)[0]
        assert event.reason.startswith("breaking: 3 sources within 120 min (Kremlin, TASS, Tanjug)")
        assert evaluate_stored(store, None, now=NOW) == []  # reported already
        two = Thresholds(breaking=BreakingRule(min_sources=2, minutes=30))
        matches = would_fire(store, BreakingWatch(), thresholds=two)
        assert [m.release_id for m in matches] == [ids[1]]
        assert "2 sources within 20 min (Kremlin, TASS)" in matches[0].reason


def test_alerts_test_shows_why_a_spike_rule_would_fire(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    with Store(settings.database) as store:
        seed_spikes(store)
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path), "alerts"]
    added = runner.invoke(
        cli, [*args, "add", "energy", "--kind", "spike", "--of", "topic", "--key", "energy"]
    )
    assert added.exit_code == 0, added.output
    assert 'added spike rule energy: topic "energy" spikes' in added.output
    shown = runner.invoke(cli, [*args, "test", "energy"])
    assert shown.exit_code == 0, shown.output
    assert "1 release(s) would have fired" in shown.output
    assert (
        "spike: topic Energy: 7 release(s) from 3 source(s) in the 3 h to 2025-03-08 14:00 UTC"
        in shown.output
    )
    assert "against 0.11 expected (6 in the 168 h before), 65.3x" in shown.output
    bad = runner.invoke(cli, [*args, "add", "x", "--kind", "spike", "--of", "weather"])
    assert bad.exit_code != 0 and "of 'weather'" in bad.output
    strict = runner.invoke(
        cli, [*args, "add", "strict", "--kind", "spike", "--of", "topic", "--min-count", "8"]
    )
    assert strict.exit_code == 0, strict.output
    assert "0 release(s) would have fired" in runner.invoke(cli, [*args, "test", "strict"]).output
    assert BURST  # the burst starts at 12:00; its peak window ends at 14:00
