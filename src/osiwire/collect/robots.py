"""robots.txt: fetched once per origin, kept for a while, asked before every request."""

from __future__ import annotations

import logging
import threading
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from osiwire.errors import FetchError

__all__ = ["MAX_CRAWL_DELAY_S", "ROBOTS_MAX_BYTES", "RobotsCache", "RobotsRules", "robots_url"]

logger = logging.getLogger(__name__)

ROBOTS_TTL_S = 3600.0  # how long a robots.txt is trusted; sites rarely change it more often
ROBOTS_RETRY_TTL_S = 300.0  # after a failure to read it: ask again sooner than the normal TTL
ROBOTS_MAX_BYTES = 512_000  # Google reads the first 500 KiB; a larger file is a mistake or an attack
# A larger Crawl-delay would park a worker thread for minutes per page; such sites are polled rarely anyway.
MAX_CRAWL_DELAY_S = 60.0

# Fetches a robots.txt URL: (status, body), FetchError when the network fails.
RobotsFetch = Callable[[str], tuple[int, bytes]]


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one origin's robots.txt says to our user agent."""

    parser: urllib.robotparser.RobotFileParser
    user_agent: str
    expires_at: float

    def allows(self, url: str) -> bool:
        """True if ``url`` may be fetched."""
        return self.parser.can_fetch(self.user_agent, url)

    @property
    def crawl_delay(self) -> float:
        """Seconds the site asks between requests (capped at MAX_CRAWL_DELAY_S); 0 when it asks nothing."""
        delay = self.parser.crawl_delay(self.user_agent)
        return min(float(delay), MAX_CRAWL_DELAY_S) if delay else 0.0


def robots_url(url: str) -> str:
    """The robots.txt URL for the origin of ``url``."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower()  # credentials are not part of the origin
    return f"{parts.scheme.lower()}://{host}/robots.txt"


class RobotsCache:
    """robots.txt rules per origin, fetched with ``fetch`` at most once per TTL (thread-safe)."""

    def __init__(
        self,
        user_agent: str,
        fetch: RobotsFetch,
        clock: Callable[[], float],
        ttl_s: float = ROBOTS_TTL_S,
    ) -> None:
        self._user_agent = user_agent
        self._fetch = fetch
        self._clock = clock
        self._ttl_s = ttl_s
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def rules(self, url: str) -> RobotsRules:
        """The rules that apply to ``url`` (fetching its origin's robots.txt when not cached)."""
        key = robots_url(url)
        with self._locks_lock:
            lock = self._locks.setdefault(key, threading.Lock())
        # One thread per origin fetches; the others wait for its result instead of fetching too.
        with lock:
            cached = self._rules.get(key)
            if cached is not None and cached.expires_at > self._clock():
                return cached
            rules = self._load(key)
            self._rules[key] = rules
            return rules

    def _load(self, url: str) -> RobotsRules:
        parser = urllib.robotparser.RobotFileParser(url)
        ttl = self._ttl_s
        try:
            status, body = self._fetch(url)
        except FetchError as exc:
            # Unreachable robots.txt: allow (the page fetch will fail on its own if the host is down).
            logger.debug("robots.txt unavailable, allowing all: %s", exc)
            status, body, ttl = 0, b"", ROBOTS_RETRY_TTL_S
        if 200 <= status < 300:
            text = body.decode("utf-8", errors="replace").removeprefix("\ufeff")
            parser.parse(text.splitlines())
        elif status in (401, 403):
            parser.parse(["User-agent: *", "Disallow: /"])  # convention: a protected robots.txt protects all
        else:
            # 404/410 and other 4xx: no rules. 5xx and 429: allow too, but ask again soon.
            parser.parse([])
            if status == 429 or status >= 500:
                ttl = ROBOTS_RETRY_TTL_S
        logger.debug("robots.txt %s: status %s", url, status)
        return RobotsRules(parser, self._user_agent, self._clock() + ttl)
