"""Reading a server's ``Retry-After``: shared by the fetcher and the HTTP translation engines."""

from __future__ import annotations

import email.utils
import time
from datetime import UTC


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After value asks for (delay-seconds or an HTTP date); None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive; HTTP dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
