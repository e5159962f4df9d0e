"""Rendering: the registry of output formats for result listings, the HTML templates and their helpers.

Result listings (the latest releases, a search) are one ``ResultsView`` rendered by whichever format was
asked for: HTML, Atom or JSON. Each format is a ``Renderer`` registered by extension, as datasette does.
Everything from a source is hostile: templates autoescape, and the helpers below build markup only from
escaped pieces.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from osiwire.web.results import ResultsView

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
HTML_MEDIA_TYPE = "text/html; charset=utf-8"
# A link is only ever made from an absolute http(s) URL with nothing a browser would strip or reinterpret
# (whitespace and control characters can smuggle a "javascript:" scheme past naive checks).
SAFE_URL_RE = re.compile(r"https?://[^\s\x00-\x1f\x7f\"'<>\\]+", re.IGNORECASE)
LANG_TAG_RE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def safe_href(url: str) -> str:
    """``url`` if it may be an href (absolute http/https), else ""."""
    return url if SAFE_URL_RE.fullmatch(url) else ""


def lang_tag(code: str) -> str:
    """``code`` if it is a well-formed BCP 47 language tag (for ``lang`` attributes), else ""."""
    return code if LANG_TAG_RE.fullmatch(code) else ""


def highlight(snippet: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """The snippet, escaped piece by piece, with each (start, end) span wrapped in <mark>."""
    pieces: list[Markup] = []
    position = 0
    for start, end in sorted(spans):
        start, end = max(start, position), min(end, len(snippet))
        if start >= end:  # overlapping or out-of-range spans: mark each character once at most
            continue
        pieces.append(escape(snippet[position:start]))
        pieces.append(Markup("<mark>%s</mark>") % snippet[start:end])
        position = end
    pieces.append(escape(snippet[position:]))
    return Markup("").join(pieces)


def inline_code(text: str) -> Markup:
    """Escaped text with `backticked` runs (as in OpenAPI descriptions) set in <code>."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show it as typed
        return escape(text)
    return Markup("").join(Markup("<code>%s</code>") % p if i % 2 else escape(p) for i, p in enumerate(parts))


def show_time(value: datetime | None) -> str:
    """A date for people: the day alone when the source gave no time of day, else day and UTC time."""
    if value is None:
        return "undated"
    value = value.astimezone(UTC)
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M UTC")


def iso_time(value: datetime | None) -> str:
    """A machine-readable time for <time datetime>."""
    return value.astimezone(UTC).isoformat() if value else ""


def make_environment() -> jinja2.Environment:
    """The Jinja2 environment: package templates, autoescape on for everything, undefined names fail."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() of each one on every render
    )
    env.globals.update(
        highlight=highlight,
        safe_href=safe_href,
        lang_tag=lang_tag,
        show_time=show_time,
        iso_time=iso_time,
        inline_code=inline_code,
    )
    return env


@functools.lru_cache(maxsize=1024)
def render_fragment(
    env: jinja2.Environment, template: str, root: str, context: tuple[tuple[str, Hashable], ...]
) -> Markup:
    """``template`` rendered with ``context``, once per distinct context: for the parts many requests share
    (a popular search's page of hits, its facet sidebar). The template must read nothing but its context and
    the environment's globals."""
    return Markup(env.get_template(template).render(root=root, **dict(context)))  # autoescaped: safe as is


def render_html(env: jinja2.Environment, template: str, root: str, **context: Any) -> str:
    """Render a page template; ``root`` is the app's mount path, prefixed to every link."""
    return env.get_template(template).render(root=root, **context)


@dataclass(frozen=True, slots=True)
class Renderer:
    """One output format of result listings."""

    extension: str
    media_type: str
    render: Callable[[ResultsView], str]


class Renderers:
    """The registry of output formats, keyed by extension."""

    def __init__(self) -> None:
        self._by_extension: dict[str, Renderer] = {}

    def register(self, renderer: Renderer) -> None:
        """Add ``renderer`` (a later one with the same extension replaces it)."""
        self._by_extension[renderer.extension] = renderer

    def get(self, extension: str) -> Renderer:
        """The renderer for ``extension``; KeyError if none."""
        return self._by_extension[extension]

    def extensions(self) -> list[str]:
        return sorted(self._by_extension)


def html_renderer(env: jinja2.Environment) -> Renderer:
    """Result listings as the HTML page with the search form."""

    def render(view: ResultsView) -> str:
        return render_html(env, "listing.html", view.root, view=view, section="latest")

    return Renderer("html", HTML_MEDIA_TYPE, render)
