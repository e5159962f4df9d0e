"""Write access: routes that change anything need ``Authorization: Bearer <web.api_token>``.

With no token configured osiwire is read-only: every write route answers 403, whoever asks. A wrong or
missing token is a 401. Tokens are compared in constant time. A client address that gives a wrong token
MAX_FAILURES times within FAILURE_WINDOW_S is refused (429, Retry-After) until the window has passed, so a
token cannot be guessed at the speed of the server (the bearer API and /signin count together).
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from osiwire.web.deps import WebState, web_state
from osiwire.web.schemas import ErrorOut

READ_ONLY = "read-only mode: write actions are disabled (set web.api_token to enable them)"
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="The `web.api_token` setting. Without one, write actions are disabled (403).",
)
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong token."},
    403: {"model": ErrorOut, "description": "Read-only mode: no token is configured."},
    429: {"model": ErrorOut, "description": "Too many wrong tokens from this address: wait (Retry-After)."},
}
MAX_FAILURES = 10
FAILURE_WINDOW_S = 60.0
MAX_ADDRESSES = 10_000  # addresses remembered at once; the oldest are forgotten first


class FailedAttempts:
    """Wrong tokens per client address in a sliding window (one per server process); thread-safe."""

    def __init__(self, limit: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S) -> None:
        self.limit, self.window_s = limit, window_s
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._seen.get(address, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        return times

    def wait_s(self, address: str, now: float | None = None) -> float:
        """Seconds ``address`` must wait before its next try (0: it may try now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(address, now)
            return times[0] + self.window_s - now if len(times) >= self.limit else 0.0

    def fail(self, address: str, now: float | None = None) -> None:
        """Remember one wrong token from ``address``."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(address, now)
            times.append(now)
            self._seen.pop(address, None)
            self._seen[address] = times  # most recent last
            while len(self._seen) > MAX_ADDRESSES:
                del self._seen[next(iter(self._seen))]


def client_address(request: Request) -> str:
    return request.client.host if request.client is not None else ""


def check_attempts(request: Request) -> None:
    """429 when this client gave too many wrong tokens lately."""
    attempts: FailedAttempts = request.app.state.failed_attempts
    wait = attempts.wait_s(client_address(request))
    if wait > 0:
        raise HTTPException(
            429,
            detail=f"too many wrong tokens from this address: try again in {wait:.0f} s",
            headers={"Retry-After": str(max(1, round(wait)))},
        )


def token_matches(request: Request, given: str, token: str) -> bool:
    """Whether ``given`` is ``token`` (constant time); a wrong one counts against the client."""
    if hmac.compare_digest(given.encode(), token.encode()):
        return True
    request.app.state.failed_attempts.fail(client_address(request))
    return False


def require_token(
    request: Request,
    web: Annotated[WebState, Depends(web_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """A FastAPI dependency: pass with the configured token, else 403 (none configured), 429 or 401."""
    token = web.settings.web.api_token
    if not token:
        raise HTTPException(403, detail=READ_ONLY)
    check_attempts(request)
    given = credentials.credentials if credentials is not None else ""
    if not token_matches(request, given, token):
        raise HTTPException(
            401, detail="a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
