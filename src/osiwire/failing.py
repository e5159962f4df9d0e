"""Failures contained to their item: one log line, one stored record, and the run goes on.

Any stage may meet a text it cannot handle. The pipeline, ``osiwire enrich`` / ``translate`` and ``analyze``
catch what a stage raises on one item (``Exception``, not ``KeyboardInterrupt`` or ``SystemExit``), record it
here and carry on with the next item; the record is cleared when the stage next succeeds on the item.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime

from osiwire.store import Store
from osiwire.store.failures import one_line

logger = logging.getLogger(__name__)

# The stages whose failures are recorded on a stored release, and retried by the passes and ``--failed``.
RELEASE_STAGES = ("enrich", "stories", "translate", "alerts")


def log_failure(stage: str, item: object, error: str) -> None:
    """The one log line of a stage failing on one item."""
    logger.warning("stage failed: stage=%s item=%s error=%s", stage, item, error)


def describe(exc: BaseException) -> str:
    """An exception as one line: its class and message."""
    message = str(exc)
    return one_line(f"{exc.__class__.__name__}: {message}" if message else exc.__class__.__name__)


class FailureLog:
    """Where a process records the items its stages failed on. Recording never raises."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.count = 0  # failures recorded by this process

    def failed(
        self,
        stage: str,
        item: str,
        error: BaseException | str,
        *,
        release_id: int | None = None,
        version_no: int | None = None,
        source_id: int | None = None,
    ) -> str:
        """Log and store a failure of ``stage`` on ``item``; the one-line error."""
        text = describe(error) if isinstance(error, BaseException) else one_line(error)
        if isinstance(error, BaseException):  # a message passed in was logged where it was made
            log_failure(stage, item, text)
            logger.debug("stage %s on %s", stage, item, exc_info=error)
        self.count += 1
        try:
            self.store.failures.record(
                stage,
                item,
                text,
                datetime.now(UTC),
                release_id=release_id,
                version_no=version_no,
                source_id=source_id,
            )
        except Exception as exc:  # the database itself failing: the log line above is all we can keep
            logger.error("failure of %s on %s not recorded: %s", stage, item, describe(exc))
        return text

    def succeeded(self, stages: Collection[str], items: Collection[str]) -> None:
        """These stages succeeded on these items: forget their earlier failures."""
        if not items:
            return
        try:
            if self.store.failures.any():  # one indexed read; most batches have nothing to clear
                self.store.failures.clear_stages(stages, items)
        except Exception as exc:
            logger.error("failures of %s not cleared: %s", ",".join(stages), describe(exc))
