"""The web app: HTML pages, Atom feeds and the JSON API over one store, with strict security headers."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from osiwire import __version__
from osiwire.config import Settings
from osiwire.store import Store
from osiwire.store.engine import SearchRebuilding
from osiwire.store.query import QueryError
from osiwire.web import (
    alerts,
    api,
    api_people,
    api_saved,
    api_sources,
    api_spikes,
    api_stories,
    feeds,
    jobs_page,
    ops,
    pages,
    pages_entities,
    pages_people,
    pages_saved,
    pages_stories,
    pages_topics,
    saved_searches,
    session,
    source_check,
    story_feeds,
    wire,
)
from osiwire.web.auth import FailedAttempts
from osiwire.web.deps import WebState, web_state
from osiwire.web.feeds import atom_renderer, json_feed_renderer, rss_renderer
from osiwire.web.ops import RequestMetrics, RequestTiming
from osiwire.web.render import STATIC_DIR, Renderers, html_renderer, make_environment
from osiwire.web.schemas import json_renderer

SECURITY_HEADERS = {
    # No inline script or style anywhere, so the policy can be strict; nothing is loaded from elsewhere.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Following a link to a source must not tell it what the analyst was reading or searching.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
OPENAPI_URL = api.API_PREFIX + "/openapi.json"
# `osiwire serve --workers N` hands its settings to the worker processes here (not OSIWIRE_*: not a setting).
SETTINGS_ENV = "_OSIWIRE_SERVE_SETTINGS"
_API_MODULES = (
    api_people,
    api_sources,
    api_saved,
    api_stories,
    api_spikes,
)  # importing them adds their routes to api.router


class SecurityHeaders:
    """ASGI middleware setting ``SECURITY_HEADERS`` on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class OsiwireAPI(FastAPI):
    """FastAPI whose schema documents the errors osiwire really returns (400 ``{"detail"}``, not 422)."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            schema = super().openapi()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
            schemas = schema.get("components", {}).get("schemas", {})
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
        assert self.openapi_schema is not None
        return self.openapi_schema


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(api.API_PREFIX)


def _error(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status, headers=dict(headers or {}))
    page = pages.error_page(web_state(request), request, status, message)
    page.headers.update(headers or {})  # e.g. Allow on a 405
    return page


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return _error(request, exc.status_code, str(exc.detail), exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
    return _error(request, 400, f"{where}: {first.get('msg', 'invalid')}")


async def _query_error(request: Request, exc: Exception) -> Response:
    return _error(request, 400, str(exc))


async def _search_rebuilding(request: Request, exc: Exception) -> Response:
    return _error(request, 503, str(exc), {"Retry-After": "30"})


def build_renderers(env: jinja2.Environment) -> Renderers:
    """The output formats of result listings."""
    renderers = Renderers()
    renderers.register(html_renderer(env))
    renderers.register(atom_renderer())
    renderers.register(rss_renderer())
    renderers.register(json_feed_renderer())
    renderers.register(json_renderer())
    return renderers


def create_app(settings: Settings, store: Store | None = None, *, server: bool = False) -> FastAPI:
    """The osiwire web app over ``store`` (else the database of ``settings``, opened now, closed on shutdown).
    ``server``: the app is the whole process (``osiwire serve``): it may tune the process's garbage collector."""
    owned = store is None
    db = Store(settings.database) if store is None else store
    if settings.web.search_cache and isinstance(db, Store):
        db.enable_search_cache(
            settings.web.search_cache, settings.web.search_max_stale_s, settings.search_index_dir
        )
    if isinstance(db, Store) and db.db.dialect != "sqlite" and settings.search_index_dir is not None:
        db.enable_search_engine(settings.search_index_dir)  # PostgreSQL: the engine without the search cache

    env = make_environment()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Requests run in threads: SQLite lets go of the GIL, Python code does not, so many more threads than
        # cores only fight over it (measured: 40 threads cost 20 % more CPU per request than 4).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web.threads
        cache = getattr(db, "search_cache", None)
        if cache is not None:  # read the facet index and row sizes before the first search, not during it
            cache.warm()
        for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
            env.get_template(name)  # compiled now, not at the first request that shows it
        if server:
            # What startup made lives as long as the process: left out of every garbage collection (a full
            # one went over ~140,000 such objects, a pause of ~70 ms in the middle of requests). Full
            # collections less often was measured too: worse (p95 72-140 ms against 25-26 under bench/web.py).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if owned:  # a store handed in belongs to the caller
                db.close()

    app = OsiwireAPI(
        title="osiwire",
        version=__version__,
        description="Official releases collected from their sources: latest, search, releases and sources.",
        openapi_url=OPENAPI_URL,
        docs_url=None,  # FastAPI's viewers load scripts from a CDN; /api is a server-rendered index instead
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = WebState(settings=settings, store=db, env=env, renderers=build_renderers(env))
    app.add_middleware(SecurityHeaders)
    app.state.metrics = RequestMetrics()
    app.state.failed_attempts = FailedAttempts()
    app.add_middleware(RequestTiming, metrics=app.state.metrics)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(QueryError, _query_error)
    app.add_exception_handler(SearchRebuilding, _search_rebuilding)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages.router)
    app.include_router(pages_people.router)
    app.include_router(pages_topics.router)
    app.include_router(pages_entities.router)
    app.include_router(pages_stories.router)
    app.include_router(story_feeds.router)
    app.include_router(feeds.router)
    app.include_router(wire.router)
    app.include_router(ops.router)
    app.include_router(api.router)
    app.include_router(alerts.router)
    app.include_router(session.router)
    app.include_router(pages_saved.router)
    app.include_router(source_check.router)
    app.include_router(jobs_page.router)
    app.include_router(saved_searches.router)
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``osiwire serve --workers N`` (settings from ``SETTINGS_ENV``)."""
    return create_app(Settings.model_validate_json(os.environ[SETTINGS_ENV]), server=True)
