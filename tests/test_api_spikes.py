"""/api/v1/spikes and the store's mentions behind it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from osiwire.config import load_settings
from osiwire.publish.spikes import find_spikes, spike_rule, volume
from osiwire.store import Store
from osiwire.stories.spikes import HOUR, SpikeRule
from osiwire.web.app import create_app
from spike_store import BURST, seed_spikes

RULE = SpikeRule(window_hours=3, baseline_hours=168, factor=3.0, min_count=5, min_sources=2)


def test_mentions_leave_copies_out_and_bound_the_time_range(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    with Store(settings.database) as store:
        seeded = seed_spikes(store)
        found = {
            m.key: m for m in store.volumes.mentions("topic", BURST - timedelta(days=30), BURST + 3 * HOUR)
        }
        assert len(found["energy"].mentions) == 7 + 7  # the copy left out
        assert seeded.burst[-1] not in {m.release_id for m in found["energy"].mentions}
        assert found["flood"].label == "<b>flood</b>" and {m.source for m in found["flood"].mentions} == {
            "Spammy"
        }
        narrow = store.volumes.mentions("topic", BURST, BURST + HOUR, ("energy",))
        assert [len(k.mentions) for k in narrow] == [4]
        people = store.volumes.mentions("person", BURST, BURST + 3 * HOUR)
        assert [k.label for k in people] == ["Alexander Novak"]
        sources = {
            k.label: len(k.mentions) for k in store.volumes.mentions("source", BURST, BURST + 3 * HOUR)
        }
        assert sources == {"Kremlin": 3, "TASS": 2, "RIA": 2, "Spammy": 8}
        assert store.volumes.keys_of("topic", seeded.burst[0]) == [("energy", "Energy")]


def test_find_spikes_one_episode_per_key_at_its_peak(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    with Store(settings.database) as store:
        seed_spikes(store)
        found = find_spikes(store, ("topic", "person", "source"), BURST - HOUR, BURST + 6 * HOUR, RULE)
        by_key = {(s.kind, s.label): s for s in found}
        # energy and Novak spike (7 from 3 sources against one a day); the one-source flood topic does not,
        # but that source's own volume does
        assert set(by_key) == {("topic", "Energy"), ("person", "Alexander Novak"), ("source", "Spammy")}
        energy = by_key[("topic", "Energy")]
        assert (
            energy.window_count == 7 and energy.window_sources == 3 and energy.baseline_count == 6
        )  # the first quiet day is 8 days back
        assert "7 release(s) from 3 source(s)" in energy.why()
        assert find_spikes(store, ("topic",), BURST + 6 * HOUR, BURST + 9 * HOUR, RULE) == []


def test_volume_by_day_marks_the_spike_day(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    with Store(settings.database) as store:
        seed_spikes(store)
        chart = volume(store, "topic", "energy", 10, RULE)
        assert chart is not None and len(chart.days) == 10
        assert [d.count for d in chart.days][-8:] == [1, 1, 1, 1, 1, 1, 1, 7]
        assert [d.spike is not None for d in chart.days] == [False] * 9 + [True]
        assert volume(store, "topic", "nothing-here", 10, RULE) is None


def test_spikes_api(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    with Store(settings.database) as store, TestClient(create_app(settings, store=store)) as client:
        seed_spikes(store)
        assert spike_rule(settings) == SpikeRule()  # the documented defaults
        listed = client.get("/api/v1/spikes", params={"since": "2025-03-08"}).json()
        assert {(s["kind"], s["label"]) for s in listed} == {
            ("topic", "Energy"),
            ("person", "Alexander Novak"),
            ("source", "Spammy"),
        }
        topics = client.get("/api/v1/spikes", params={"since": "2025-03-08", "kind": "topic"}).json()
        assert [(t["key"], t["window_count"], t["baseline_count"]) for t in topics] == [("energy", 7, 6)]
        assert topics[0]["ratio"] == round(7 / (6 * 3 / 168), 2) and topics[0]["factor"] == 3.0
        assert client.get("/api/v1/spikes", params={"since": "2025-03-10"}).json() == []
        assert client.get("/api/v1/spikes").json() == []  # the last 24 hours: nothing
        assert client.get("/api/v1/spikes", params={"kind": "weather"}).status_code == 400
        assert client.get("/api/v1/spikes", params={"since": "soon"}).status_code == 400
        schema = client.get("/api/v1/openapi.json").json()
        assert "/api/v1/spikes" in schema["paths"]
