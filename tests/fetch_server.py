"""A real HTTP server on 127.0.0.1 for fetcher tests: routes are plain functions of the request handler."""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[["Handler"], None]

RUSSIAN = "Министерство иностранных дел Российской Федерации сообщает о встрече министров."
MB = 1024 * 1024


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]  # lower-case names
    at: float  # time.monotonic()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked bodies, like real servers
    disable_nagle_algorithm = True  # headers and body are separate writes: don't stall on delayed ACKs
    server: _Server

    def do_GET(self) -> None:
        app = self.server.app
        app.record(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()))
        route = app.routes.get(self.path.split("?", 1)[0])
        try:
            if route is None:
                self.reply(404, b"not found")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up on purpose (size or time cap)

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        """Send a whole response with Content-Length."""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: FetchServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-body is what several tests do


class FetchServer:
    """Routes by path, a robots.txt, and a log of every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {"/robots.txt": self._robots_txt}
        self.robots: str | None = None  # None: /robots.txt is 404
        self.robots_status = 200
        self.seen: list[Seen] = []
        self.hits: Counter[str] = Counter()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.app = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str) -> Callable[[Route], Route]:
        """Decorator: serve ``path`` with the decorated function."""

        def register(func: Route) -> Route:
            self.routes[path] = func
            return func

        return register

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)
            self.hits[seen.path.split("?", 1)[0]] += 1

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _robots_txt(self, handler: Handler) -> None:
        if self.robots is None:
            handler.reply(404, b"no robots here")
        else:
            handler.reply(self.robots_status, self.robots.encode(), {"Content-Type": "text/plain"})


@cache
def gzip_bomb() -> bytes:
    """50 MB of zeros, gzipped (about 50 KB), built without holding 50 MB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MB)
    return b"".join(packer.compress(zeros) for _ in range(50)) + packer.flush()


def _chunked(handler: Handler, chunks: Iterator[bytes], headers: dict[str, str]) -> None:
    handler.send_response(200)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    for chunk in chunks:
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    handler.wfile.write(b"0\r\n\r\n")


def _redirect(location: str) -> Route:
    return lambda h: h.reply(302, b"", {"Location": location})


def add_test_site(srv: FetchServer) -> None:
    """The pages the fetcher tests ask for: one route per behaviour under test."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"

    srv.routes["/ok"] = lambda h: h.reply(200, b"<p>hello</p>", html | {"X-Thing": "yes"})
    srv.routes["/private/page"] = srv.routes["/ok"]
    srv.routes["/missing"] = lambda h: h.reply(404, b"gone")
    srv.routes["/broken"] = lambda h: h.reply(500, b"oops")

    @srv.route("/etag")
    def etag(h: Handler) -> None:
        if h.headers.get("If-None-Match") == '"v1"' or h.headers.get("If-Modified-Since") == stamp:
            h.reply(304)
        else:
            h.reply(200, b"versioned", {"ETag": '"v1"', "Last-Modified": stamp})

    @srv.route("/ratelimit")
    def ratelimit(h: Handler) -> None:
        if srv.hits["/ratelimit"] == 1:
            h.reply(429, b"slow down", {"Retry-After": "2"})
        else:
            h.reply(200, b"finally")

    srv.routes["/ratelimit-long"] = lambda h: h.reply(429, b"", {"Retry-After": "120"})

    @srv.route("/flaky")
    def flaky(h: Handler) -> None:
        if srv.hits["/flaky"] == 1:
            h.reply(503, b"busy")
        else:
            h.reply(200, b"recovered")

    @srv.route("/drip")
    def drip(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        for _ in range(1000):
            if srv.stopping.is_set():
                return
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.02)

    @srv.route("/stall")
    def stall(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "10")
        h.end_headers()
        h.wfile.write(b"12345")
        h.wfile.flush()
        srv.stopping.wait(3)

    for n in range(1, 8):
        srv.routes[f"/redirect/{n}"] = _redirect(f"/redirect/{n - 1}" if n > 1 else "/ok")
    srv.routes["/loop-a"] = lambda h: h.reply(301, b"", {"Location": "/loop-b"})
    srv.routes["/loop-b"] = lambda h: h.reply(307, b"", {"Location": srv.url("/loop-a")})
    srv.routes["/to-private"] = lambda h: h.reply(302, b"", {"Location": "http://10.0.0.1/admin"})
    srv.routes["/to-disallowed"] = lambda h: h.reply(302, b"", {"Location": "/private/page"})

    srv.routes["/big-declared"] = lambda h: h.reply(200, bytes(5000))

    @srv.route("/big-chunked")
    def big_chunked(h: Handler) -> None:
        _chunked(h, (bytes(64 * 1024) for _ in range(40)), {"Content-Type": "text/plain"})

    srv.routes["/gzip"] = lambda h: h.reply(
        200, gzip.compress(RUSSIAN.encode()), {"Content-Encoding": "gzip"}
    )
    srv.routes["/gzip-2members"] = lambda h: h.reply(
        200, gzip.compress(b"first ") + gzip.compress(b"second"), {"Content-Encoding": "gzip"}
    )
    srv.routes["/deflate-zlib"] = lambda h: h.reply(
        200, zlib.compress(b"zlib body"), {"Content-Encoding": "deflate"}
    )
    srv.routes["/deflate-raw"] = lambda h: h.reply(
        200, zlib.compress(b"raw deflate body", wbits=-zlib.MAX_WBITS), {"Content-Encoding": "deflate"}
    )
    srv.routes["/bomb"] = lambda h: h.reply(
        200, gzip_bomb(), {"Content-Encoding": "gzip", "Content-Type": "text/xml"}
    )
    srv.routes["/brotli"] = lambda h: h.reply(200, b"\x0b\x02\x80hello\x03", {"Content-Encoding": "br"})
    srv.routes["/corrupt-gzip"] = lambda h: h.reply(
        200, gzip.compress(b"hello")[:10] + b"\xff garbage", {"Content-Encoding": "gzip"}
    )
    srv.routes["/truncated-gzip"] = lambda h: h.reply(
        200, gzip.compress(RUSSIAN.encode())[:40], {"Content-Encoding": "gzip"}
    )
    srv.routes["/cp1251"] = lambda h: h.reply(
        200,
        f"<html><body><p>{RUSSIAN}</p></body></html>".encode("cp1251"),
        {"Content-Type": "text/html; charset=utf-8"},
    )
