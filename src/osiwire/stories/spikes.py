"""Spikes: a topic, person, organisation, country or source suddenly told far more often than it was lately.

The Europe Media Monitor "breaking news" rule, over hourly buckets: the **window** (the last ``window_hours``
buckets, the newest being the hour of the moment assessed) holds at least ``min_count`` releases, from at least
``min_sources`` sources, and at least ``factor`` times what the **baseline** (the ``baseline_hours`` buckets
before the window) leads one to expect in a window of that length. An empty or zero baseline expects nothing:
the minimum count and sources then decide. Copies of one text are counted once (the caller leaves duplicates
out), and a flood from one source is held back by ``min_sources``.

Pure functions over mentions (a release's time and source); the store finds the mentions (``store.volumes``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

HOUR = timedelta(hours=1)
KINDS = ("topic", "person", "organisation", "country", "source")
ONE_SOURCE_KINDS = frozenset({"source"})  # a source's own spike has one source by definition


@dataclass(frozen=True, slots=True)
class SpikeRule:
    """The spike rule's parameters (``stories.spike_*`` settings; an alert rule may override them)."""

    window_hours: int = 3
    baseline_hours: int = 168
    factor: float = 3.0
    min_count: int = 5
    min_sources: int = 2

    def __post_init__(self) -> None:
        if self.window_hours < 1 or self.baseline_hours < 1:
            raise ValueError("spike window and baseline are at least one hour each")
        if self.factor <= 0 or self.min_count < 1 or self.min_sources < 1:
            raise ValueError("spike factor must be above 0, the minimum count and sources at least 1")


@dataclass(frozen=True, slots=True)
class Mention:
    """A release that names a key (a topic, a person, ...): when it was published and by which source."""

    at: datetime
    source: str
    release_id: int


@dataclass(frozen=True, slots=True)
class Assessment:
    """A key's window against its baseline, at one hour; ``spike`` says whether the rule fires."""

    kind: str
    key: str
    label: str
    hour: datetime  # the start of the window's newest hour
    window_count: int
    window_sources: int
    baseline_count: int
    expected: float  # baseline_count scaled to the window's length
    rule: SpikeRule
    window_releases: tuple[int, ...] = ()  # the releases in the window, oldest first

    @property
    def ratio(self) -> float | None:
        """window_count / expected; None when nothing was expected (an empty or zero baseline)."""
        return self.window_count / self.expected if self.expected > 0 else None

    @property
    def spike(self) -> bool:
        rule = self.rule
        if self.window_count < rule.min_count:
            return False
        if self.kind not in ONE_SOURCE_KINDS and self.window_sources < rule.min_sources:
            return False
        return self.window_count >= rule.factor * self.expected

    @property
    def window_start(self) -> datetime:
        return self.hour - (self.rule.window_hours - 1) * HOUR

    def why(self) -> str:
        """One line: the window count, the baseline, the factor and the verdict."""
        rule = self.rule
        ratio = "no baseline" if self.ratio is None else f"{self.ratio:.1f}x"
        sources = "" if self.kind in ONE_SOURCE_KINDS else f" from {self.window_sources} source(s)"
        verdict = "spike" if self.spike else "no spike"
        return (
            f"{verdict}: {self.kind} {self.label}: {self.window_count} release(s){sources} in the "
            f"{rule.window_hours} h to {self.hour + HOUR:%Y-%m-%d %H:%M} UTC against {self.expected:.2f} expected "
            f"({self.baseline_count} in the {rule.baseline_hours} h before), {ratio}; rule: >= {rule.factor:g}x, "
            f">= {rule.min_count} releases"
            + ("" if self.kind in ONE_SOURCE_KINDS else f", >= {rule.min_sources} sources")
        )


def hour_of(at: datetime) -> datetime:
    """The start of the UTC hour ``at`` falls in."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hourly_counts(mentions: Iterable[Mention], start: datetime, hours: int) -> list[int]:
    """Mentions per hour over ``hours`` buckets from the hour of ``start``; mentions outside are left out."""
    first = hour_of(start)
    counts = [0] * max(hours, 0)
    for m in mentions:
        index = int((hour_of(m.at) - first) / HOUR)
        if 0 <= index < len(counts):
            counts[index] += 1
    return counts


def assess(
    kind: str, key: str, label: str, mentions: Sequence[Mention], at: datetime, rule: SpikeRule
) -> Assessment:
    """The key's window ending with the hour of ``at`` against the baseline before it (mentions in any order)."""
    hour = hour_of(at)
    window_start = hour - (rule.window_hours - 1) * HOUR
    baseline_start = window_start - rule.baseline_hours * HOUR
    window = sorted((m for m in mentions if window_start <= hour_of(m.at) <= hour), key=lambda m: m.at)
    baseline = sum(1 for m in mentions if baseline_start <= hour_of(m.at) < window_start)
    return Assessment(
        kind=kind,
        key=key,
        label=label,
        hour=hour,
        window_count=len(window),
        window_sources=len({m.source for m in window}),
        baseline_count=baseline,
        expected=baseline * rule.window_hours / rule.baseline_hours,
        rule=rule,
        window_releases=tuple(m.release_id for m in window),
    )


def spikes_over(
    kind: str,
    key: str,
    label: str,
    mentions: Sequence[Mention],
    rule: SpikeRule,
    start: datetime | None = None,
) -> list[Assessment]:
    """Every hour with a mention (from the hour of ``start``) at which the key spiked, oldest first (one pass
    with prefix sums; the mentions before ``start`` serve as baseline)."""
    ordered = sorted(mentions, key=lambda m: m.at)
    if not ordered:
        return []
    hours = [hour_of(m.at) for m in ordered]
    out: list[Assessment] = []
    first = hour_of(start) if start is not None else hours[0]
    for hour in sorted({h for h in hours if h >= first}):
        window_start = hour - (rule.window_hours - 1) * HOUR
        baseline_start = window_start - rule.baseline_hours * HOUR
        lo, mid, hi = (
            bisect_left(hours, baseline_start),
            bisect_left(hours, window_start),
            bisect_left(hours, hour + HOUR),
        )
        found = Assessment(
            kind=kind,
            key=key,
            label=label,
            hour=hour,
            window_count=hi - mid,
            window_sources=len({m.source for m in ordered[mid:hi]}),
            baseline_count=mid - lo,
            expected=(mid - lo) * rule.window_hours / rule.baseline_hours,
            rule=rule,
            window_releases=tuple(m.release_id for m in ordered[mid:hi]),
        )
        if found.spike:
            out.append(found)
    return out


def episodes(spikes: Sequence[Assessment]) -> list[Assessment]:
    """Spike hours of one key grouped into episodes (overlapping windows are one spike): the peak of each."""
    out: list[Assessment] = []
    last_hour: datetime | None = None
    for s in sorted(spikes, key=lambda s: s.hour):
        if last_hour is not None and out and s.window_start <= last_hour:
            if s.window_count > out[-1].window_count:
                out[-1] = s
        else:
            out.append(s)
        last_hour = s.hour
    return out
