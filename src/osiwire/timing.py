"""Time spent per pipeline stage, counted in memory while the pipeline works and written out once per pass.

Page fetches and extraction run in a thread pool, so a stage's seconds are worker seconds: summed over the
threads, they can exceed the wall time of the pass.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# The stages in pipeline order: listing sources (feeds, sitemaps, listing pages, files, archive lines), fetching
# pages, extracting, storing, enriching, translating, evaluating alert rules, delivering webhooks.
STAGES = ("collect", "fetch", "extract", "store", "enrich", "stories", "translate", "alerts", "deliver")


@dataclass(frozen=True, slots=True)
class StageTime:
    """Items a stage handled and the seconds it took over them."""

    items: int = 0
    seconds: float = 0.0

    def __add__(self, other: StageTime) -> StageTime:
        return StageTime(self.items + other.items, self.seconds + other.seconds)


class StageTimer:
    """Thread-safe running totals per stage; ``take`` hands them over and starts again from zero."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: dict[str, StageTime] = {}

    def add(self, stage: str, items: int, seconds: float) -> None:
        """Count ``items`` handled in ``seconds`` by ``stage``."""
        with self._lock:
            self._times[stage] = self._times.get(stage, StageTime()) + StageTime(items, seconds)

    @contextmanager
    def measure(self, stage: str, items: int = 1) -> Iterator[None]:
        """Time the block as ``items`` of ``stage`` (counted even when the block raises)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, items, time.perf_counter() - start)

    def timed(self, stage: str, items: Iterable[T]) -> Iterator[T]:
        """``items`` one by one, the time taken to produce each counted to ``stage`` (a lazy reader's)."""
        iterator = iter(items)
        while True:
            start = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self.add(stage, 0, time.perf_counter() - start)
                return
            self.add(stage, 1, time.perf_counter() - start)
            yield item

    def take(self) -> dict[str, StageTime]:
        """The totals since the last ``take``, in stage order; the timer starts again from zero."""
        with self._lock:
            times, self._times = self._times, {}
        order = {stage: i for i, stage in enumerate(STAGES)}
        return dict(sorted(times.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
