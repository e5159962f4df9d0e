"""Who publishes first, as the sources page shows it: each source's share of stories it had first (a bar), its
median and 90th-percentile delay behind the first publisher, in words."""

from __future__ import annotations

from dataclasses import dataclass

from osiwire.publish.stories import source_table
from osiwire.store import Store

FIRSTS_STORIES = 5000  # the newest stories of two releases or more the table reads
BAR_WIDTH = 120  # the share bar's full width, in SVG units


def delay_text(seconds: float) -> str:
    """A delay as a reader says it: "+20 min", "+3.5 h", "+2 d"."""
    if seconds < 60:
        return f"+{seconds:.0f} s"
    if seconds < 3600:
        return f"+{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"+{seconds / 3600:.1f} h"
    return f"+{seconds / 86_400:.0f} d"


@dataclass(frozen=True, slots=True)
class FirstsRow:
    source: str
    stories: int
    first: int
    share: float  # 0..1
    share_text: str  # "42 %"
    bar: float  # the share bar's width
    median: str  # "+20 min", or "—" when it was always first
    p90: str
    median_s: float
    p90_s: float


def firsts_rows(store: Store, limit: int = FIRSTS_STORIES) -> list[FirstsRow]:
    """The per-source first-publisher table, the sources that were first most often on top."""
    rows = []
    for r in source_table(store, None, limit):
        followed = r.stories - r.first  # stories it did not open: its delays
        rows.append(
            FirstsRow(
                r.source, r.stories, r.first, r.share_first, f"{r.share_first * 100:.0f} %",
                round(BAR_WIDTH * r.share_first, 1),
                delay_text(r.median_delay_s) if followed else "—",
                delay_text(r.p90_delay_s) if followed else "—",
                r.median_delay_s, r.p90_delay_s,
            )
        )  # fmt: skip
    return sorted(rows, key=lambda r: (-r.share, r.median_s, -r.stories, r.source))
