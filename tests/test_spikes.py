"""Spikes (the EMM rule over hourly buckets) and breaking stories, on synthetic series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from osiwire.stories.breaking import BreakingRule, breaking
from osiwire.stories.spikes import (
    HOUR,
    Mention,
    SpikeRule,
    assess,
    episodes,
    hour_of,
    hourly_counts,
    spikes_over,
)

NOW = datetime(2025, 3, 10, 14, 35, tzinfo=UTC)
RULE = SpikeRule(window_hours=3, baseline_hours=24, factor=3.0, min_count=5, min_sources=2)
SOURCES = ("Kremlin", "TASS", "MID", "Tanjug", "Akorda")


def _series(per_hour: dict[int, int], sources: tuple[str, ...] = SOURCES) -> list[Mention]:
    """Mentions ``hours_ago -> count``, spread over the sources in turn, within each hour."""
    out: list[Mention] = []
    for ago, count in per_hour.items():
        for i in range(count):
            at = hour_of(NOW) - ago * HOUR + timedelta(minutes=(i * 7) % 60)
            out.append(Mention(at, sources[len(out) % len(sources)], len(out) + 1))
    return out


def test_hourly_counts_bucket_by_utc_hour_and_drop_what_is_outside() -> None:
    start = hour_of(NOW) - 2 * HOUR
    mentions = _series({0: 2, 1: 1, 2: 3, 5: 4})
    assert hourly_counts(mentions, start, 3) == [3, 1, 2]
    assert hourly_counts([], start, 3) == [0, 0, 0]
    assert hourly_counts(mentions, start, 0) == []


@pytest.mark.parametrize(
    ("per_hour", "spike", "ratio"),
    [
        # the EMM rule: the window (3 h) against the 24 h before it, scaled to 3 h
        ({0: 4, 1: 3, 2: 3, **{h: 1 for h in range(3, 27)}}, True, 10 / 3),
        ({0: 4, 1: 3, 2: 3, **{h: 2 for h in range(3, 27)}}, False, 10 / 6),  # twice the baseline: not 3x
        ({0: 6}, True, None),  # an empty baseline expects nothing: count and sources decide
        ({0: 4}, False, None),  # minimum count not met, even with nothing before
        ({h: 1 for h in range(27)}, False, 1.0),  # steady: no spike
        ({}, False, None),  # nothing at all
    ],
)
def test_the_window_against_its_baseline(per_hour: dict[int, int], spike: bool, ratio: float | None) -> None:
    found = assess("topic", "energy", "Energy", _series(per_hour), NOW, RULE)
    assert found.spike is spike
    assert found.ratio == (pytest.approx(ratio) if ratio is not None else None)
    assert found.why().startswith("spike" if spike else "no spike")


def test_why_names_the_window_count_baseline_and_factor() -> None:
    found = assess("topic", "energy", "Energy", _series({0: 6, 10: 3}), NOW, RULE)
    assert (
        found.window_count == 6 and found.baseline_count == 3 and found.expected == pytest.approx(3 * 3 / 24)
    )
    line = found.why()
    assert "6 release(s) from 5 source(s) in the 3 h" in line and "3 in the 24 h before" in line
    assert ">= 3x" in line and ">= 5 releases" in line and "16.0x" in line


def test_a_flood_from_one_source_is_no_spike_but_a_sources_own_spike_is() -> None:
    flood = _series({0: 40}, sources=("Spammy",))
    assert not assess("topic", "energy", "Energy", flood, NOW, RULE).spike
    assert assess("source", "7", "Spammy", flood, NOW, RULE).spike


def test_a_zero_baseline_over_a_long_quiet_time_is_not_divided_by() -> None:
    rule = SpikeRule(window_hours=1, baseline_hours=24 * 30, factor=5, min_count=3, min_sources=1)
    found = assess("person", "1", "Belousov", _series({0: 3}), NOW, rule)
    assert found.spike and found.ratio is None and found.expected == 0


def test_spikes_over_a_series_match_assessing_each_hour() -> None:
    quiet = {h: 1 for h in range(5, 60, 4)}
    mentions = _series({**quiet, 0: 5, 1: 4, 30: 7})
    found = spikes_over("topic", "energy", "Energy", mentions, RULE)
    for s in found:
        again = assess("topic", "energy", "Energy", mentions, s.hour, RULE)
        assert (again.window_count, again.baseline_count, again.spike) == (
            s.window_count,
            s.baseline_count,
            True,
        )
    hours = {hour_of(m.at) for m in mentions}
    expected = {h for h in hours if assess("topic", "energy", "Energy", mentions, h, RULE).spike}
    assert {s.hour for s in found} == expected
    peaks = episodes(found)
    # two episodes, each at its peak (the hour after the burst of 7 adds a quiet one: 8)
    assert [(p.hour, p.window_count) for p in peaks] == [(hour_of(NOW) - 29 * HOUR, 8), (hour_of(NOW), 9)]


def test_spike_rule_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="at least one hour"):
        SpikeRule(window_hours=0)
    with pytest.raises(ValueError, match="factor"):
        SpikeRule(factor=0)


@dataclass(frozen=True)
class _Member:
    release_id: int
    source: str
    at: datetime
    source_country: str = ""
    language: str = "ru"
    clamped: bool = False


def _members(*spec: tuple[str, int]) -> list[_Member]:
    return [_Member(i + 1, source, NOW + timedelta(minutes=m)) for i, (source, m) in enumerate(spec)]


def test_a_story_gaining_sources_fast_is_breaking_at_the_release_that_made_it() -> None:
    rule = BreakingRule(min_sources=3, minutes=60)
    found = breaking(_members(("Kremlin", 0), ("TASS", 20), ("RIA", 50), ("MID", 55)), rule)
    assert found is not None and found.release_id == 3 and found.sources == ("Kremlin", "TASS", "RIA")
    assert "3 sources within 50 min" in found.why(rule)
    # slow: each source an hour and more apart, until three come within the hour
    slow = _members(("Kremlin", 0), ("TASS", 70), ("RIA", 140), ("MID", 150), ("BelTA", 160))
    late = breaking(slow, rule)
    assert late is not None and late.release_id == 5 and late.sources == ("RIA", "MID", "BelTA")


def test_one_source_repeating_itself_never_makes_a_story_breaking() -> None:
    rule = BreakingRule(min_sources=3, minutes=60)
    assert breaking(_members(*[("Spammy", m) for m in range(50)]), rule) is None
    assert breaking(_members(("Spammy", 0), ("Spammy", 1), ("TASS", 2), ("Spammy", 3)), rule) is None
    assert breaking([], rule) is None
    with pytest.raises(ValueError):
        BreakingRule(min_sources=1)
