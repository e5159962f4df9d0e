"""Volume charts: a key's releases per day as a server-rendered SVG bar chart, spike days marked, with a table
beside it for screen readers and anyone without images. Geometry is computed here; ``_volume.html`` draws it
(autoescaped: labels come from sources)."""

from __future__ import annotations

from dataclasses import dataclass

from osiwire.publish.spikes import Volume, volume
from osiwire.store import Store
from osiwire.stories.spikes import SpikeRule

CHART_DAYS = 30  # a month of days: enough to see a spike against its weeks
WIDTH, HEIGHT = 720, 160  # the SVG's user units; CSS scales it to the column
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 36, 22, 10
TICKS = 4  # horizontal lines on the count axis


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: str  # YYYY-MM-DD
    count: int
    spike: bool
    title: str  # the bar's tooltip and accessible name
    label: str  # the day's label under the axis ("" for most days)
    label_x: float  # where the label is anchored (the last one ends at its bar, inside the picture)
    anchor: str  # its text-anchor


@dataclass(frozen=True, slots=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True, slots=True)
class Chart:
    """A volume chart ready to draw."""

    volume: Volume
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    summary: str  # the chart's aria-label: what it shows, in one sentence
    rule_text: str  # the spike rule in words
    width: int = WIDTH
    height: int = HEIGHT
    baseline_y: float = HEIGHT - PAD_BOTTOM
    left: int = PAD_LEFT


def _nice_top(peak: int) -> int:
    """The axis's top: the peak rounded up to a multiple of TICKS (at least TICKS)."""
    return max(TICKS, -(-peak // TICKS) * TICKS)


def chart_of(found: Volume) -> Chart:
    """Bars, ticks and words for ``found``."""
    days = found.days
    top = _nice_top(found.peak)
    plot_w, plot_h = WIDTH - PAD_LEFT - 4, HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / max(len(days), 1)
    bars = []
    for i, d in enumerate(days):
        h = plot_h * d.count / top
        day = d.day.strftime("%Y-%m-%d")
        title = f"{day}: {d.count} release{'s' if d.count != 1 else ''}"
        if d.spike is not None:
            title += f"; spike: {d.spike.window_count} in {d.spike.rule.window_hours} h"
            title += f" against {d.spike.expected:.2f} expected"
        label = d.day.strftime("%d %b") if (len(days) - 1 - i) % 7 == 0 else ""  # weekly, back from the last
        x, final = PAD_LEFT + i * slot + slot * 0.1, i == len(days) - 1
        bars.append(
            Bar(x, HEIGHT - PAD_BOTTOM - h, slot * 0.8, h, day, d.count, d.spike is not None, title, label,
                x + slot * 0.8 if final else x + slot * 0.4, "end" if final else "middle")
        )  # fmt: skip
    ticks = tuple(Tick(HEIGHT - PAD_BOTTOM - plot_h * k / TICKS, top * k // TICKS) for k in range(TICKS + 1))
    spikes = sum(1 for d in days if d.spike is not None)
    first, last = days[0].day.strftime("%Y-%m-%d"), days[-1].day.strftime("%Y-%m-%d")
    summary = (
        f"Releases per day about {found.label}, {first} to {last}: {found.total} in all, at most {found.peak} "
        f"a day; {spikes} day{'s' if spikes != 1 else ''} with a spike"
    )
    rule = found.rule
    rule_text = (
        f"{rule.window_hours} hours with at least {rule.min_count} releases and {rule.factor:g} times the rate of "
        f"the {rule.baseline_hours} hours before"
    )
    return Chart(found, tuple(bars), ticks, summary, rule_text)


def volume_chart(store: Store, kind: str, key: str, rule: SpikeRule, days: int = CHART_DAYS) -> Chart | None:
    """The chart of a key's last ``days`` days with releases; None when nothing names it."""
    found = volume(store, kind, key, days, rule)
    return None if found is None else chart_of(found)
