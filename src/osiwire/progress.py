"""Progress of long runs: a bar on a terminal, counts in the log otherwise."""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType
from typing import Protocol

logger = logging.getLogger(__name__)

LOG_EVERY_S = 10.0  # without a terminal, one progress line this often


class Progress(Protocol):
    """What the pipeline reports to while it works."""

    def add_total(self, n: int) -> None: ...
    def advance(self, n: int = 1) -> None: ...


class NoProgress:
    """Reports nothing (library use, tests)."""

    def add_total(self, n: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


class LogProgress:
    """Counts in the log every ``LOG_EVERY_S`` seconds and at the end."""

    def __init__(self, label: str) -> None:
        self.label, self.done, self.total = label, 0, 0
        self._last = time.monotonic()

    def add_total(self, n: int) -> None:
        self.total += n

    def advance(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self._last >= LOG_EVERY_S:
            self._last = time.monotonic()
            logger.info("%s: %d/%d", self.label, self.done, self.total)

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        logger.info("%s: %d/%d done", self.label, self.done, self.total)


class BarProgress:
    """A rich progress bar on stderr."""

    def __init__(self, label: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task(label, total=0)

    def add_total(self, n: int) -> None:
        task = self._progress.tasks[0]
        self._progress.update(self._task, total=(task.total or 0) + n)

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._task, n)

    def __enter__(self) -> BarProgress:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()


class ByteCounter:
    """Adapts a ``(bytes so far, total or None)`` callback, as downloads report, to a Progress."""

    def __init__(self, progress: Progress) -> None:
        self._progress, self._done, self._sized = progress, 0, False

    def __call__(self, done: int, total: int | None) -> None:
        if not self._sized and total:
            self._progress.add_total(total)
            self._sized = True
        self._progress.advance(done - self._done)
        self._done = done


def progress_for(label: str) -> BarProgress | LogProgress:
    """A bar when stderr is a terminal, log lines otherwise."""
    return BarProgress(label) if sys.stderr.isatty() else LogProgress(label)
