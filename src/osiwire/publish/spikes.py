"""Spikes and volumes as the API, the alerts and the charts give them: the store's mentions read through the pure
rules of ``stories.spikes`` and ``stories.breaking``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from osiwire.config import Settings
from osiwire.store import Store
from osiwire.stories.breaking import BreakingRule
from osiwire.stories.spikes import HOUR, Assessment, SpikeRule, episodes, hour_of, spikes_over

DAY = timedelta(days=1)


def spike_rule(settings: Settings) -> SpikeRule:
    """The configured spike rule (``stories.spike_*``)."""
    s = settings.stories
    return SpikeRule(
        s.spike_window_hours, s.spike_baseline_hours, s.spike_factor, s.spike_min_count, s.spike_min_sources
    )


def breaking_rule(settings: Settings) -> BreakingRule:
    """The configured breaking-story rule (``stories.breaking_*``)."""
    return BreakingRule(settings.stories.breaking_sources, settings.stories.breaking_minutes)


def lookback(rule: SpikeRule) -> timedelta:
    """How far before an hour its window and baseline reach."""
    return (rule.window_hours - 1 + rule.baseline_hours) * HOUR


def find_spikes(
    store: Store,
    kinds: Sequence[str],
    since: datetime,
    until: datetime,
    rule: SpikeRule,
    keys: tuple[str, ...] = (),
) -> list[Assessment]:
    """Spike episodes (each at its peak hour) of the keys of ``kinds`` whose peak is in [since, until), newest first."""
    out: list[Assessment] = []
    for kind in kinds:
        for found in store.volumes.mentions(kind, hour_of(since) - lookback(rule), until, keys):
            hours = spikes_over(
                kind, found.key, found.label, found.mentions, rule, since - rule.window_hours * HOUR
            )
            out += [s for s in episodes(hours) if since <= s.hour + HOUR and s.hour < until]
    return sorted(out, key=lambda s: (s.hour, s.window_count), reverse=True)


def spike_record(s: Assessment) -> dict[str, Any]:
    """A spike as the API and `alerts test --json` give it."""
    return {
        "kind": s.kind,
        "key": s.key,
        "label": s.label,
        "window_start": s.window_start,
        "window_end": s.hour + HOUR,
        "window_count": s.window_count,
        "window_sources": s.window_sources,
        "baseline_count": s.baseline_count,
        "baseline_hours": s.rule.baseline_hours,
        "expected": round(s.expected, 3),
        "ratio": None if s.ratio is None else round(s.ratio, 2),
        "factor": s.rule.factor,
        "min_count": s.rule.min_count,
        "why": s.why(),
    }


@dataclass(frozen=True, slots=True)
class VolumeDay:
    """One day of a key's volume chart."""

    day: datetime
    count: int
    spike: Assessment | None  # the day's strongest spike hour, if it had one


@dataclass(frozen=True, slots=True)
class Volume:
    """A key's releases per day over the chart's days, ending with its latest release's day."""

    kind: str
    key: str
    label: str
    days: tuple[VolumeDay, ...]
    rule: SpikeRule

    @property
    def peak(self) -> int:
        return max((d.count for d in self.days), default=0)

    @property
    def total(self) -> int:
        return sum(d.count for d in self.days)


def volume(
    store: Store, kind: str, key: str, days: int, rule: SpikeRule, end: datetime | None = None
) -> Volume | None:
    """The key's daily volume over ``days`` days up to ``end`` (default: its latest release), spikes marked;
    None when the key has no release in the store."""
    last = end or store.volumes.latest(kind, key)
    if last is None:
        return None
    first_day = (hour_of(last) - (days - 1) * DAY).replace(hour=0)
    found = store.volumes.mentions(kind, first_day - lookback(rule), last + HOUR, (key,))
    if not found:
        return None
    mine = found[0]
    counts = [0] * days
    for m in mine.mentions:
        index = (hour_of(m.at).replace(hour=0) - first_day) // DAY
        if 0 <= index < days:
            counts[index] += 1
    strongest: dict[int, Assessment] = {}
    for s in spikes_over(kind, mine.key, mine.label, mine.mentions, rule):
        index = (s.hour.replace(hour=0) - first_day) // DAY
        if 0 <= index < days and (index not in strongest or s.window_count > strongest[index].window_count):
            strongest[index] = s
    return Volume(
        kind,
        mine.key,
        mine.label,
        tuple(VolumeDay(first_day + i * DAY, counts[i], strongest.get(i)) for i in range(days)),
        rule,
    )
