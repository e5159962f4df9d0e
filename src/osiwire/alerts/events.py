"""Alert events as values: a match to record, and a stored event with the release it fired on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class NewEvent:
    """A match to record: the rule fired on a release."""

    rule_id: int
    release_id: int
    version_no: int | None
    reason: str
    deliver: bool  # the rule has a webhook: the event waits for delivery


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """A stored event, with the release it fired on."""

    id: int
    rule: str
    release_id: int
    version_no: int | None
    reason: str
    fired_at: datetime
    delivered_at: datetime | None
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    title: str
    url: str
    published: datetime | None
    source: str
    region: str

    @property
    def status(self) -> str:
        """delivered, pending (a webhook waits for it), failed (given up), or feed (no webhook)."""
        if self.delivered_at is not None:
            return "delivered"
        if self.next_attempt_at is not None:
            return "pending"
        return "failed" if self.attempts else "feed"
