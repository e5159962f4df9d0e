"""htmx (vendored in ``static/``) as progressive enhancement: which requests want a fragment, not a page.

Every page works without JavaScript; with it, htmx asks for one region (``HX-Target``: its id) and the server
answers that region alone. A history restore (``HX-History-Restore-Request``) always gets the whole page.
"""

from __future__ import annotations

from fastapi import Request

LISTING_TARGET = "listing"  # the main column of a result listing
SAVE_TARGET = "save-search"  # the "Save this search" box under it
VARY = "HX-Request, HX-Target"  # a cache must not hand a fragment to a full-page request


def is_htmx(request: Request) -> bool:
    """Whether htmx made ``request`` (and wants a fragment rather than a whole page)."""
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"


def wants_fragment(request: Request, target: str) -> bool:
    """Whether htmx asked for the region whose id is ``target`` alone."""
    return is_htmx(request) and request.headers.get("hx-target") == target
