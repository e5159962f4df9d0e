"""Write access: routes that change anything need ``Authorization: Bearer <web.api_token>``.

With no token configured osiwire is read-only: every write route answers 403, whoever asks. A wrong or
missing token is a 401. Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, HTTPException
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
}


def require_token(
    web: Annotated[WebState, Depends(web_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """A FastAPI dependency: pass with the configured token, else 403 (none configured) or 401."""
    token = web.settings.web.api_token
    if not token:
        raise HTTPException(403, detail=READ_ONLY)
    given = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(
            401, detail="a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
