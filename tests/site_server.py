"""A small website on 127.0.0.1 built from real releases: article pages, an RSS feed, a listing, a sitemap.

Used by the pipeline tests and by bench/ingest.py. Pages honour If-None-Match so conditional GETs can be seen.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import razdel


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class Site:
    pages: dict[str, Page] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    not_modified: Counter[str] = field(default_factory=Counter)
    base: str = ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        site = self.server.site
        path = self.path.split("#", 1)[0]
        site.hits[path] += 1
        page = site.pages.get(path)
        if page is None:
            page = Page(b"not found", "text/plain", 404)
        if page.status == 200 and self.headers.get("If-None-Match") == page.etag:
            site.not_modified[path] += 1
            self.send_response(304)
            self.send_header("ETag", page.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.send_header("ETag", page.etag)
        self.end_headers()
        self.wfile.write(page.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site


class SiteServer:
    """Serve ``site`` on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, site: Site) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = site
        site.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.site = site
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Site:
        self._thread.start()
        return self.site

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def load_releases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def paragraphs(text: str, size: int = 400) -> list[str]:
    """Re-create paragraphs from the archive's flattened text (sentences grouped)."""
    out: list[str] = []
    current = ""
    for sentence in razdel.sentenize(text):
        current = f"{current} {sentence.text}".strip()
        if len(current) >= size:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


def article_page(record: dict[str, Any], url: str) -> bytes:
    """A release as a typical government site serves it: navigation, the article, a footer."""
    esc = html.escape
    body = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs(record["text"]))
    return f"""<!doctype html>
<html lang="ru"><head><meta charset="utf-8">
<title>{esc(record["title"])} • Президент России</title>
<link rel="canonical" href="{esc(url)}">
<meta property="article:published_time" content="{record["date"]}T17:00:00+03:00">
<meta name="author" content="Пресс-служба Президента">
</head><body>
<header><nav><a href="/">Главная</a> <a href="/events">События</a> <a href="/structure">Структура</a>
<a href="/supplement">Документы</a></nav></header>
<main><article>
<h1 class="entry-title">{esc(record["title"])}</h1>
<time datetime="{record["date"]}T17:00:00+03:00">{esc(record.get("raw_date", ""))}</time>
<div class="entry-content">
{body}
</div></article></main>
<footer><p>Все материалы сайта доступны по лицензии Creative Commons Attribution 4.0 International.</p>
<ul><li><a href="/about">О портале</a></li><li><a href="/contacts">Контакты</a></li></ul></footer>
</body></html>""".encode()


def rss_feed(items: list[tuple[str, dict[str, Any]]], base: str) -> bytes:
    """An RSS 2.0 feed of (url, record) items, as kremlin.ru serves it (title, link, date, short description)."""
    from datetime import UTC, datetime

    entries = []
    for url, record in items:
        when = datetime.fromisoformat(record["date"]).replace(hour=14, tzinfo=UTC)
        entries.append(
            f"<item><title>{html.escape(record['title'])}</title><link>{html.escape(url)}</link>"
            f"<guid>{html.escape(url)}</guid><pubDate>{format_datetime(when)}</pubDate>"
            f"<description>{html.escape(record['text'][:200])}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Новости</title>'
        f"<link>{base}/</link><language>ru</language>{''.join(entries)}</channel></rss>"
    ).encode()
