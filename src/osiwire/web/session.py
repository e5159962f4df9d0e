"""Write access from the browser: sign in with ``web.api_token`` once, then every write form carries a CSRF token.

The session cookie holds ``issued.nonce.mac``, where ``mac`` is an HMAC (keyed with the API token) of the issue
time and a random nonce: never the token itself. It is HttpOnly, SameSite=Strict, Secure over https, and
expires after ``SESSION_MAX_AGE_S``; changing the token ends every session. The CSRF token of a form is an HMAC
of the session cookie, so only a page that was served to that session can carry it (a cross-site form cannot
read the cookie nor the pages). With no token configured osiwire is read-only and nobody can sign in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from osiwire.web.auth import READ_ONLY, check_attempts, token_matches
from osiwire.web.deps import WebState, web_state
from osiwire.web.results import request_root

SESSION_COOKIE = "osiwire_session"
SESSION_MAX_AGE_S = 12 * 3600  # a working day: a cookie left on a shared machine does not last for weeks
CLOCK_SKEW_S = 60  # a cookie issued "in the future" by this much is still a clock, not a forgery
MAX_FORM_BYTES = 16_384  # a write form is a name, a query and a few filters
CSRF_FIELD = "csrf"
SIGNED_OUT = "sign in with the API token first (your session may have expired)"
BAD_CSRF = "this form is stale or did not come from osiwire: reload the page and try again"

router = APIRouter(include_in_schema=False)
WebDep = Annotated[WebState, Depends(web_state)]


@dataclass(frozen=True, slots=True)
class Writer:
    """What the current browser may write: ``configured`` (a token is set), ``signed_in``, and the CSRF token
    its forms carry."""

    configured: bool
    signed_in: bool
    csrf: str = ""
    session: str = ""


def _mac(token: str, message: str) -> str:
    return hmac.new(token.encode(), message.encode(), hashlib.sha256).hexdigest()


def new_session(token: str, now: float | None = None) -> str:
    """A fresh session cookie value for ``token``."""
    issued = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(16)
    return f"{issued}.{nonce}.{_mac(token, f'session|{issued}|{nonce}')}"


def valid_session(token: str, value: str, now: float | None = None) -> bool:
    """Whether ``value`` is an unexpired session cookie made with ``token``."""
    issued, _, rest = value.partition(".")
    nonce, _, mac = rest.partition(".")
    if not (token and issued.isdigit() and nonce and mac and len(value) < 200):
        return False
    age = (time.time() if now is None else now) - int(issued)
    expected = _mac(token, f"session|{issued}|{nonce}")
    return hmac.compare_digest(mac, expected) and -CLOCK_SKEW_S <= age <= SESSION_MAX_AGE_S


def csrf_token(token: str, session: str) -> str:
    """The CSRF token of forms served to ``session``."""
    return _mac(token, f"csrf|{session}")


def writer(web: WebState, request: Request) -> Writer:
    """The write access of the browser making ``request``."""
    token = web.settings.web.api_token
    session = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return Writer(configured=False, signed_in=False)
    if not valid_session(token, session):
        return Writer(configured=True, signed_in=False)
    return Writer(configured=True, signed_in=True, csrf=csrf_token(token, session), session=session)


def write_refusal(web: WebState, request: Request, form: dict[str, str]) -> tuple[int, str] | None:
    """Why a write form may not be acted on (an HTTP status and a message), or None when it may."""
    if not web.settings.web.api_token:
        return 403, READ_ONLY
    access = writer(web, request)
    if not access.signed_in:
        return 401, SIGNED_OUT
    if not hmac.compare_digest(form.get(CSRF_FIELD, "").encode(), access.csrf.encode()):
        return 403, BAD_CSRF
    return None


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form body (the last value of each field); 400 when too large or not a form."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(400, detail="expected a form (application/x-www-form-urlencoded)")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(400, detail=f"form larger than {MAX_FORM_BYTES} bytes")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, detail="the form could not be read") from None
    return {name: values[-1] for name, values in fields.items()}


def local_path(target: str, root: str) -> str:
    """``target`` if it is a path on this site (never another host: ``//x``, ``/\\x``), else the saved searches."""
    if target.startswith("/") and not target.startswith(("//", "/\\")) and target.isprintable():
        return root + target
    return root + "/saved"


def _signin_page(web: WebState, request: Request, status: int, message: str, target: str) -> HTMLResponse:
    from osiwire.web.pages import html_page  # pages imports this module

    return html_page(
        web,
        request,
        "signin.html",
        status,
        section="saved",
        access=writer(web, request),
        message=message,
        next=target,
    )


@router.get("/signin")
def signin_page(request: Request, web: WebDep, next: str = "/saved") -> HTMLResponse:
    """The sign-in form (or, in read-only mode, why there is none)."""
    return _signin_page(web, request, 200, "", next[:500])


@router.post("/signin")
async def signin(request: Request, web: WebDep) -> Response:
    """Check the API token (in constant time) and start a session; back to the sign-in form when wrong."""
    form = await read_form(request)
    token = web.settings.web.api_token
    target = form.get("next", "/saved")[:500]
    if not token:
        return _signin_page(web, request, 403, READ_ONLY, target)
    check_attempts(request)
    if not token_matches(request, form.get("token", ""), token):
        return _signin_page(web, request, 401, "that is not the API token", target)
    response = RedirectResponse(local_path(target, request_root(request)), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        new_session(token),
        max_age=SESSION_MAX_AGE_S,
        path=request_root(request) or "/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/signout")
async def signout(request: Request, web: WebDep) -> Response:
    """End the session (the form carries the CSRF token, so another site cannot sign you out)."""
    refusal = write_refusal(web, request, await read_form(request))
    if refusal is not None and refusal[1] == BAD_CSRF:
        raise HTTPException(403, detail=BAD_CSRF)
    response = RedirectResponse(request_root(request) + "/saved", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path=request_root(request) or "/", httponly=True, samesite="strict"
    )
    return response
