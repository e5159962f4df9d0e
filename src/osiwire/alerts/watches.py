"""Spike and breaking-story rules: matchers over what the store knows of a key's volume and a story's sources.

Each fires once per spike or story: not again while the rule has an event on a release of the same spike's
window, or of the same story.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from osiwire.alerts.facts import ReleaseFacts
from osiwire.alerts.rules import BreakingWatch, SpikeWatch
from osiwire.config import Settings
from osiwire.publish.spikes import breaking_rule, find_spikes, lookback, spike_rule
from osiwire.store import Store
from osiwire.stories.breaking import Breaking, BreakingRule, breaking
from osiwire.stories.spikes import HOUR, Assessment, SpikeRule, assess, hour_of

MAX_TEST_STORIES = 2000  # `alerts test` of a breaking rule reads this many stories at most, newest first


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The configured spike and breaking rules (``stories.*`` settings), which a rule may override."""

    spike: SpikeRule = field(default_factory=SpikeRule)
    breaking: BreakingRule = field(default_factory=BreakingRule)


def thresholds(settings: Settings) -> Thresholds:
    """The configured spike and breaking rules."""
    return Thresholds(spike_rule(settings), breaking_rule(settings))


def spike_rule_of(watch: SpikeWatch, base: SpikeRule) -> SpikeRule:
    """The configured spike rule with the watch's overrides."""
    return SpikeRule(
        window_hours=watch.window_hours or base.window_hours,
        baseline_hours=base.baseline_hours,
        factor=watch.factor or base.factor,
        min_count=watch.min_count or base.min_count,
        min_sources=watch.min_sources or base.min_sources,
    )


def breaking_rule_of(watch: BreakingWatch, base: BreakingRule) -> BreakingRule:
    return BreakingRule(watch.sources or base.min_sources, watch.minutes or base.minutes)


def _wanted(watch: SpikeWatch, key: str, label: str) -> bool:
    if not watch.key:
        return True
    wanted = watch.key.casefold()
    return wanted in (key.casefold(), label.casefold())


class SpikeMatcher:
    """A key of the watched kind that the release names spikes at the release's hour."""

    def __init__(self, watch: SpikeWatch, store: Store, base: SpikeRule, rule_id: int | None) -> None:
        self.watch, self.store, self.rule, self.rule_id = watch, store, spike_rule_of(watch, base), rule_id

    def assessment(self, facts: ReleaseFacts) -> Assessment | None:
        """The first spiking key of the release not reported by this rule yet; None when there is none."""
        kind = self.watch.of
        for key, label in self.store.volumes.keys_of(kind, facts.release_id):
            if not _wanted(self.watch, key, label):
                continue
            start, end = hour_of(facts.sort_at) - lookback(self.rule), hour_of(facts.sort_at) + HOUR
            found = self.store.volumes.mentions(kind, start, end, (key,))
            if not found:
                continue
            # What was stored when this release arrived (ids grow with arrival), so that `alerts check` later
            # fires where arrival did.
            arrived = [m for m in found[0].mentions if m.release_id <= facts.release_id]
            result = assess(kind, key, label, arrived, facts.sort_at, self.rule)
            if not result.spike:
                continue
            if self.rule_id is not None and self.store.alerts.fired_on_any(
                self.rule_id, result.window_releases
            ):
                continue  # this spike was reported on an earlier release of its window
            return result
        return None

    def reason(self, facts: ReleaseFacts) -> str | None:
        found = self.assessment(facts)
        return None if found is None else found.why()


class BreakingMatcher:
    """The release's story has gained sources fast."""

    def __init__(self, watch: BreakingWatch, store: Store, base: BreakingRule, rule_id: int | None) -> None:
        self.store, self.rule, self.rule_id = store, breaking_rule_of(watch, base), rule_id

    def reason(self, facts: ReleaseFacts) -> str | None:
        placed = self.store.stories.of_release(facts.release_id)
        if placed is None:
            return None
        # The story as it stood when this release arrived (ids grow with arrival): evaluated later, as `alerts
        # check` does, a release still sees what it saw on arrival.
        members = [m for m in self.store.stories.members(placed[0]) if m.release_id <= facts.release_id]
        found = breaking(members, self.rule)
        if found is None:
            return None
        if self.rule_id is not None and self.store.alerts.fired_on_any(
            self.rule_id, [m.release_id for m in members]
        ):
            return None  # this story was reported already
        return found.why(self.rule)


def spikes_in_store(store: Store, watch: SpikeWatch, base: SpikeRule) -> list[Assessment]:
    """Every spike of the watched keys over the stored releases, newest first (``alerts test``)."""
    span = store.volumes.span()
    if span is None:
        return []
    rule = spike_rule_of(watch, base)
    found = find_spikes(store, (watch.of,), span[0], span[1] + HOUR, rule)
    return [s for s in found if _wanted(watch, s.key, s.label)]


def breaking_in_store(store: Store, watch: BreakingWatch, base: BreakingRule) -> list[Breaking]:
    """The stored stories that were breaking, newest first (``alerts test``)."""
    rule = breaking_rule_of(watch, base)
    rows = store.stories.listing(None, MAX_TEST_STORIES, min_size=rule.min_sources)
    members = store.stories.members_of([r.id for r in rows])
    found = [b for b in (breaking(m, rule) for m in members.values()) if b is not None]
    return sorted(found, key=lambda b: b.at, reverse=True)
