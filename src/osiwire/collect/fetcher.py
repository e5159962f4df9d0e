"""The polite fetcher: one GET with robots.txt, per-host pacing, retries, size and time caps.

Redirects are followed here rather than by httpx so that every hop is checked (scheme, public address,
robots.txt) and counted. 4xx and 5xx responses come back as ``Fetched``; only refusals and network failures
raise ``FetchError``. Thread-safe: one Fetcher serves a whole thread pool.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

import httpx

from osiwire.collect import addresses
from osiwire.collect.body import ACCEPT_ENCODING, BodyReader
from osiwire.collect.charset import detect_charset
from osiwire.collect.pinning import PinnedTransport, proxy_mounts
from osiwire.collect.robots import ROBOTS_MAX_BYTES, RobotsCache
from osiwire.config import FetchConfig
from osiwire.errors import FetchError, RobotsRefusal
from osiwire.model import Fetched
from osiwire.retry import retry_after_seconds

__all__ = ["Fetcher"]

logger = logging.getLogger(__name__)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_TEXT_MARKERS = ("text/", "xml", "json", "html", "javascript", "rss", "atom")


class _Transient(Exception):
    """A failure worth retrying: network error or timeout."""


@dataclass(frozen=True, slots=True)
class _Reply:
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes


class _HostGate:
    """When the next request to one host may start."""

    __slots__ = ("last_start", "lock", "not_before")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_start: float | None = None
        self.not_before = 0.0  # set by Retry-After: holds back every thread, not only the one that was told


class _Deadline:
    """The time budget of one attempt; waiting our turn for a host does not spend it."""

    def __init__(self, clock: Callable[[], float], seconds: float) -> None:
        self._clock = clock
        self._at = clock() + seconds

    def remaining(self) -> float:
        return self._at - self._clock()

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        start = self._clock()
        try:
            yield
        finally:
            self._at += self._clock() - start


class Fetcher:
    """GET pages politely; see the module docstring."""

    def __init__(
        self,
        cfg: FetchConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cfg = cfg
        self._sleep = sleep
        self._clock = clock
        mounts: dict[str, httpx.BaseTransport | None] | None = None
        if transport is None:
            # Each connection goes to the addresses checked for it (DNS rebinding); proxies work as before.
            transport = PinnedTransport(allow_private=cfg.allow_private_addresses)
            mounts = proxy_mounts()
        self._client = httpx.Client(
            transport=transport,
            mounts=mounts,
            follow_redirects=False,
            timeout=self._timeout(),
            headers={"User-Agent": cfg.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )
        self._gates: dict[str, _HostGate] = {}
        self._gates_lock = threading.Lock()
        self._robots = RobotsCache(cfg.user_agent, self._fetch_robots, clock) if cfg.respect_robots else None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> Fetched:
        """GET ``url`` (conditionally when ``etag``/``last_modified`` are given); FetchError on refusals."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        reply = self._fetch_with_retries(url, headers)
        content_type = reply.headers.get("content-type")
        text_like = not content_type or any(marker in content_type.lower() for marker in _TEXT_MARKERS)
        not_modified = reply.status == 304
        return Fetched(
            url=url,
            final_url=reply.final_url,
            status=reply.status,
            headers=reply.headers,
            body=reply.body,
            fetched_at=datetime.now(UTC),
            encoding=detect_charset(reply.body, content_type) if reply.body and text_like else None,
            # A 304 need not repeat the validators: keep the ones we sent.
            etag=reply.headers.get("etag") or (etag if not_modified else None),
            last_modified=reply.headers.get("last-modified") or (last_modified if not_modified else None),
        )

    def _fetch_with_retries(self, url: str, headers: dict[str, str]) -> _Reply:
        attempt = 0
        while True:
            last = attempt >= self._cfg.retries
            try:
                reply = self._attempt(url, headers, self._cfg.max_body_bytes, check_robots=True)
            except _Transient as exc:
                if last:
                    raise _error(url, f"{exc} (gave up after {attempt + 1} attempts)") from exc
                delay = self._backoff(attempt)
                logger.debug("%s: %s; retry in %.2fs", url, exc, delay)
            else:
                retry_after = (
                    _retry_after(reply.headers.get("retry-after")) if _retryable(reply.status) else None
                )
                if retry_after is not None and retry_after > self._cfg.max_retry_after_s:
                    logger.debug("%s: Retry-After %.0fs exceeds the cap, not retrying", url, retry_after)
                    return reply
                if retry_after is not None:
                    # Every thread asking this host waits, not only this one (and later fetches too).
                    self._defer(httpx.URL(reply.final_url).host, retry_after)
                if last or not _retryable(reply.status):
                    return reply
                delay = self._backoff(attempt) if retry_after is None else retry_after
                logger.debug("%s: status %s; retry in %.2fs", url, reply.status, delay)
            self._sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return float(self._cfg.backoff_s * 2**attempt)

    def _attempt(self, url: str, headers: dict[str, str], max_bytes: int, *, check_robots: bool) -> _Reply:
        """One pass: follow redirects to a final response and read its body."""
        deadline = _Deadline(self._clock, self._cfg.total_timeout_s)
        current = url
        seen = {url}
        while True:
            response = self._send(current, headers, deadline, check_robots=check_robots)
            try:
                location = response.headers.get("location")
                if response.status_code not in _REDIRECT_STATUSES or not location:
                    body = self._read(response, current, deadline, max_bytes)
                    lower = {name.lower(): value for name, value in response.headers.items()}
                    return _Reply(current, response.status_code, lower, body)
                try:
                    target = str(response.url.join(location).copy_with(fragment=None))
                except httpx.InvalidURL as exc:
                    raise _error(current, f"bad redirect Location {location!r}") from exc
            finally:
                response.close()
            if target in seen:
                raise _error(url, f"redirect loop at {target}")
            if len(seen) > self._cfg.max_redirects:
                raise _error(url, f"too many redirects (more than {self._cfg.max_redirects})")
            logger.debug("%s: %s redirects to %s", url, current, target)
            seen.add(target)
            current = target

    def _send(
        self, url: str, headers: dict[str, str], deadline: _Deadline, *, check_robots: bool
    ) -> httpx.Response:
        """Check ``url``, wait for the host's turn, send the GET; the body is left to stream."""
        parsed = _parse(url)
        if not self._cfg.allow_private_addresses:
            # Before connecting: the address must never be reached, not merely its answer ignored.
            addresses.check_public_host(
                url, parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80)
            )
        with deadline.paused():
            interval = self._cfg.per_host_interval_s
            if check_robots and self._robots is not None:
                rules = self._robots.rules(url)
                if not rules.allows(url):
                    raise RobotsRefusal(_error(url, "disallowed by robots.txt").args[0])
                interval = max(interval, rules.crawl_delay)
            self._wait_turn(parsed.host, interval)
        remaining = deadline.remaining()
        if remaining <= 0:
            raise _Transient(f"timed out after {self._cfg.total_timeout_s}s")
        request = self._client.build_request("GET", parsed, headers=headers, timeout=self._timeout(remaining))
        logger.debug("GET %s", url)
        try:
            return self._client.send(request, stream=True)
        except FetchError as exc:  # the pinned transport refused the addresses the name now resolves to
            raise _error(url, str(exc)) from exc
        except httpx.TimeoutException as exc:
            raise _Transient(f"timed out: {_describe(exc)}") from exc
        except httpx.TransportError as exc:
            raise _Transient(f"network error: {_describe(exc)}") from exc

    def _read(self, response: httpx.Response, url: str, deadline: _Deadline, max_bytes: int) -> bytes:
        length = response.headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > max_bytes:
            raise _error(url, f"body larger than {max_bytes} bytes (Content-Length {length})")
        if response.is_stream_consumed:
            # An in-memory transport (httpx.MockTransport) read and decoded the body already.
            reader = BodyReader(url, "identity", max_bytes)
            reader.feed(response.content)
            return reader.finish()
        reader = BodyReader(url, response.headers.get("content-encoding", ""), max_bytes)
        try:
            for chunk in response.iter_raw():
                reader.feed(chunk)
                # Read timeouts bound each chunk; this bounds a server that drips bytes forever.
                if deadline.remaining() <= 0:
                    raise _Transient(f"body not received within {self._cfg.total_timeout_s}s")
        except httpx.TimeoutException as exc:
            raise _Transient(f"timed out reading the body: {_describe(exc)}") from exc
        except httpx.TransportError as exc:
            raise _Transient(f"network error reading the body: {_describe(exc)}") from exc
        return reader.finish()

    def _timeout(self, remaining: float = math.inf) -> httpx.Timeout:
        """The configured timeouts, none longer than ``remaining`` seconds."""
        cfg = self._cfg
        connect = min(cfg.connect_timeout_s, remaining)
        read = min(cfg.read_timeout_s, remaining)
        return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)

    def _gate(self, host: str) -> _HostGate:
        with self._gates_lock:
            return self._gates.setdefault(host.lower(), _HostGate())

    def _wait_turn(self, host: str, interval: float) -> None:
        """Sleep until ``interval`` has passed since the last request to ``host`` started."""
        gate = self._gate(host)
        # Holding the host's lock while asleep makes the other threads for that host queue behind us.
        with gate.lock:
            now = self._clock()
            start = gate.not_before
            if gate.last_start is not None:
                start = max(start, gate.last_start + interval)
            if start > now:
                logger.debug("waiting %.2fs for %s", start - now, host)
                self._sleep(start - now)
            gate.last_start = self._clock()

    def _defer(self, host: str, seconds: float) -> None:
        gate = self._gate(host)
        with self._gates_lock:
            gate.not_before = max(gate.not_before, self._clock() + seconds)

    def _fetch_robots(self, url: str) -> tuple[int, bytes]:
        """One try at a robots.txt (no retries: a failure means "allow" and is asked again soon)."""
        try:
            reply = self._attempt(url, {}, ROBOTS_MAX_BYTES, check_robots=False)
        except _Transient as exc:
            raise _error(url, str(exc)) from exc
        return reply.status, reply.body


def _parse(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise _error(url, f"invalid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise _error(url, "only http and https URLs can be fetched")
    if not parsed.host:
        raise _error(url, "no host in URL")
    return parsed


def _retryable(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def _retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for; None when absent or unreadable."""
    return retry_after_seconds(value)


def _describe(exc: Exception) -> str:
    return str(exc) or type(exc).__name__  # httpx timeouts often carry no message


def _error(url: str, reason: str) -> FetchError:
    """A FetchError whose message is one line: the URL, then the reason."""
    return FetchError(" ".join(f"{url}: {reason}".split()))
