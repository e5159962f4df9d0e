"""Who published first: per story, the first publication and every other source's delay; per source, how often
it was first and how far behind the first it usually is."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class Member(Protocol):
    """A story's release as these functions read it (``store.stories.StoryMember`` is one)."""

    @property
    def release_id(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def source_country(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def clamped(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class SourceDelay:
    """A source's first release in a story and how long after the story's first publication it came."""

    source: str
    release_id: int
    at: datetime
    delay_s: float  # 0 for the first publisher


@dataclass(frozen=True, slots=True)
class FirstPublication:
    """A story's first publication, the other sources' delays, and where the story was published."""

    release_id: int
    source: str
    at: datetime
    clamped: bool  # its published time was in the future: the time shown is when it was first seen
    delays: tuple[SourceDelay, ...]  # one per source, earliest first (the first publisher first)
    languages: tuple[str, ...]
    countries: tuple[str, ...]


def first_publication(members: Sequence[Member]) -> FirstPublication | None:
    """The first publication of a story's members (earliest time, then earliest read); None for no members."""
    if not members:
        return None
    ordered = sorted(members, key=lambda m: (m.at, m.release_id))
    first = ordered[0]
    seen: dict[str, SourceDelay] = {}
    for m in ordered:
        key = m.source or f"release {m.release_id}"
        if key not in seen:
            seen[key] = SourceDelay(key, m.release_id, m.at, (m.at - first.at).total_seconds())
    return FirstPublication(
        release_id=first.release_id,
        source=first.source,
        at=first.at,
        clamped=first.clamped,
        delays=tuple(seen.values()),
        languages=tuple(sorted({m.language for m in members if m.language})),
        countries=tuple(sorted({m.source_country for m in members if m.source_country})),
    )


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A source across stories with two or more sources."""

    source: str
    stories: int  # stories it took part in
    first: int  # of which it published first
    median_delay_s: float  # behind the first publisher, over the stories it did not open (0 if none)
    p90_delay_s: float

    @property
    def share_first(self) -> float:
        return self.first / self.stories if self.stories else 0.0


def _quantile(values: list[float], q: float) -> float:
    """The q-quantile by linear interpolation (numpy's default), 0 for no values."""
    if not values:
        return 0.0
    values = sorted(values)
    pos = q * (len(values) - 1)
    low = int(pos)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (pos - low)


def source_records(firsts: Iterable[FirstPublication]) -> list[SourceRecord]:
    """Per source: share of stories it had first, median and 90th-percentile delay; most stories first."""
    stories: dict[str, int] = defaultdict(int)
    first: dict[str, int] = defaultdict(int)
    delays: dict[str, list[float]] = defaultdict(list)
    for story in firsts:
        if len(story.delays) < 2:
            continue  # a story one source told alone says nothing about who is first
        for d in story.delays:
            stories[d.source] += 1
            if d.delay_s == 0 and d.release_id == story.release_id:
                first[d.source] += 1
            else:
                delays[d.source].append(d.delay_s)
    out = [
        SourceRecord(s, n, first[s], _quantile(delays[s], 0.5), _quantile(delays[s], 0.9))
        for s, n in stories.items()
    ]
    return sorted(out, key=lambda r: (-r.stories, r.source))
