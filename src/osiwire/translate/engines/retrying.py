"""Bounded retries of one HTTP request, shared by the LibreTranslate and OpenAI-compatible engines."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx

from osiwire.translate.base import EngineUnavailable

logger = logging.getLogger(__name__)

# A few tries ride out a restart or a burst limit; more would only delay the fallback engine.
MAX_ATTEMPTS = 4
BACKOFF_BASE_S = 1.0  # first wait; doubles each retry (1, 2, 4 s)
# The longest we wait between tries, Retry-After included: a server asking for longer is treated as down
# now, and the pipeline retries the release later with its own (hour-scale) backoff.
MAX_WAIT_S = 30.0
CONNECT_TIMEOUT_S = 10.0  # a local or LAN server answers a connect at once; don't wait the read timeout


def send_with_retries(
    send: Callable[[], httpx.Response],
    *,
    where: str,
    what: str,
    timeout_s: float,
    retry_reason: Callable[[httpx.Response], str | None],
    wait_for: Callable[[httpx.Response], float | None],
    sleep: Callable[[float], None],
    attempts: int = MAX_ATTEMPTS,
) -> httpx.Response:
    """Send until an answer ``retry_reason`` accepts (None), retrying timeouts and what it names a reason.

    ``retry_reason`` may raise for answers that no retry can fix; ``wait_for`` reads the server's Retry-After.
    Connection refused fails at once (nothing listening is not a blip: the next engine takes over).
    """
    reason = ""
    for attempt in range(1, attempts + 1):
        wait: float | None = None
        try:
            response = send()
        except httpx.TimeoutException:
            reason = f"{what}timed out after {timeout_s:g} s"
        except httpx.TransportError as exc:
            raise EngineUnavailable(f"{where}: cannot connect: {exc}") from exc
        else:
            found = retry_reason(response)
            if found is None:
                return response
            reason = found
            wait = wait_for(response)
        if attempt == attempts:
            break
        if wait is not None and wait > MAX_WAIT_S:
            raise EngineUnavailable(f"{where}: {reason}; server asks to wait {wait:g} s")
        delay = min(MAX_WAIT_S, wait if wait is not None else BACKOFF_BASE_S * 2 ** (attempt - 1))
        logger.warning("%s: %s; retry %d of %d in %.1f s", where, reason, attempt, attempts - 1, delay)
        sleep(delay)
    raise EngineUnavailable(f"{where}: {reason} (gave up after {attempts} attempts)")
