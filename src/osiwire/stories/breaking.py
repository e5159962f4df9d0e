"""Breaking stories: a story that gains sources fast (``min_sources`` distinct sources within ``minutes``).

Only each source's first release counts, so a source repeating itself (a flood of copies) never makes a story
breaking on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from osiwire.stories.firsts import Member


@dataclass(frozen=True, slots=True)
class BreakingRule:
    """The breaking-story rule (``stories.breaking_*`` settings; an alert rule may override them)."""

    min_sources: int = 3
    minutes: int = 60

    def __post_init__(self) -> None:
        if self.min_sources < 2 or self.minutes < 1:
            raise ValueError("a breaking story needs at least 2 sources within at least 1 minute")


@dataclass(frozen=True, slots=True)
class Breaking:
    """When a story became breaking: the release that brought the ``min_sources``-th source in time."""

    release_id: int  # that release
    at: datetime
    since: datetime  # the first of the sources counted
    sources: tuple[str, ...]  # the sources counted, earliest first

    def why(self, rule: BreakingRule) -> str:
        span = (self.at - self.since).total_seconds() / 60
        return (
            f"breaking: {len(self.sources)} sources within {span:.0f} min ({', '.join(self.sources)}); "
            f"rule: >= {rule.min_sources} sources within {rule.minutes} min"
        )


def breaking(members: Iterable[Member], rule: BreakingRule) -> Breaking | None:
    """The earliest moment the story had ``min_sources`` sources within ``minutes``; None if it never did."""
    firsts: dict[str, Member] = {}
    for m in sorted(members, key=lambda m: (m.at, m.release_id)):
        firsts.setdefault(m.source or f"release {m.release_id}", m)
    ordered = list(firsts.items())
    need, span = rule.min_sources, timedelta(minutes=rule.minutes)
    for end in range(need - 1, len(ordered)):
        start = end - need + 1
        if ordered[end][1].at - ordered[start][1].at <= span:
            last = ordered[end][1]
            return Breaking(
                last.release_id,
                last.at,
                ordered[start][1].at,
                tuple(name for name, _ in ordered[start : end + 1]),
            )
    return None
