"""The polite fetcher against a real HTTP server on 127.0.0.1 (and httpx.MockTransport where hosts must differ)."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from fetch_server import MB, RUSSIAN, FetchServer, add_test_site, gzip_bomb
from osiwire.collect import addresses
from osiwire.collect.body import BodyReader
from osiwire.collect.fetcher import Fetcher, _retry_after
from osiwire.config import FetchConfig
from osiwire.errors import FetchError

pytestmark = pytest.mark.timeout(30)


class LoopbackOnly(httpx.HTTPTransport):
    """The real transport, but it refuses to open anything but 127.0.0.1: a test must never leave the host."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "127.0.0.1", f"test tried to connect to {request.url.host}"
        return super().handle_request(request)


class FakeTime:
    """A clock that only moves when slept on; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def config(**overrides: Any) -> FetchConfig:
    values: dict[str, Any] = {
        "backoff_s": 0.01,
        "per_host_interval_s": 0,
        "allow_private_addresses": True,
        "connect_timeout_s": 2,
        "read_timeout_s": 2,
        "total_timeout_s": 5,
        "retries": 2,
        "max_retry_after_s": 10,
        "user_agent": "osiwire-test/1.0 (+https://example.org/osiwire)",
    }
    values.update(overrides)
    return FetchConfig(**values)


@pytest.fixture
def server() -> Iterator[FetchServer]:
    srv = FetchServer()
    add_test_site(srv)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def make_fetcher() -> Iterator[Callable[..., Fetcher]]:
    made: list[Fetcher] = []

    def make(cfg: FetchConfig | None = None, *, fake: FakeTime | None = None) -> Fetcher:
        timing: dict[str, Any] = {"sleep": fake.sleep, "clock": fake.clock} if fake else {}
        fetcher = Fetcher(cfg or config(), transport=LoopbackOnly(), **timing)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def one_line_error(excinfo: pytest.ExceptionInfo[FetchError], url: str, reason: str) -> None:
    message = str(excinfo.value)
    assert "\n" not in message
    assert url in message
    assert reason in message


def test_200_returns_body_headers_and_metadata(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    fetched = make_fetcher().fetch(server.url("/ok"))
    assert fetched.ok
    assert fetched.status == 200
    assert fetched.body == b"<p>hello</p>"
    assert fetched.url == fetched.final_url == server.url("/ok")
    assert fetched.headers["x-thing"] == "yes"
    assert all(name == name.lower() for name in fetched.headers)
    assert fetched.encoding == "utf-8"
    assert fetched.fetched_at.tzinfo is not None
    assert fetched.fetched_at.utcoffset() == timedelta(0)


def test_user_agent_and_accept_encoding_on_every_request(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    make_fetcher().fetch(server.url("/ok"), accept="application/rss+xml")
    assert [s.path for s in server.seen] == ["/robots.txt", "/ok"]
    for seen in server.seen:
        assert seen.headers["user-agent"] == "osiwire-test/1.0 (+https://example.org/osiwire)"
        assert seen.headers["accept-encoding"] == "gzip, deflate"
    assert server.seen[1].headers["accept"] == "application/rss+xml"


def test_conditional_get_etag_and_last_modified(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    fetcher = make_fetcher()
    first = fetcher.fetch(server.url("/etag"))
    assert (first.status, first.etag, first.last_modified) == (200, '"v1"', "Wed, 21 Oct 2015 07:28:00 GMT")

    again = fetcher.fetch(server.url("/etag"), etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified
    assert again.body == b""
    assert again.encoding is None
    # The 304 did not repeat the validators: the ones sent are kept for next time.
    assert (again.etag, again.last_modified) == (first.etag, first.last_modified)
    sent = server.seen[-1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 21 Oct 2015 07:28:00 GMT"

    by_date = fetcher.fetch(server.url("/etag"), last_modified=first.last_modified)
    assert by_date.status == 304


def test_404_is_returned_not_raised(server: FetchServer, make_fetcher: Callable[..., Fetcher]) -> None:
    fetched = make_fetcher().fetch(server.url("/missing"))
    assert fetched.status == 404
    assert not fetched.ok
    assert fetched.body == b"gone"
    assert server.hits["/missing"] == 1  # 4xx other than 429 is not retried


def test_429_waits_retry_after_then_succeeds(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    fake = FakeTime()
    fetched = make_fetcher(fake=fake).fetch(server.url("/ratelimit"))
    assert fetched.status == 200
    assert fetched.body == b"finally"
    assert fake.sleeps == [2.0]
    assert server.hits["/ratelimit"] == 2


def test_retry_after_beyond_cap_returns_the_response(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    fake = FakeTime()
    fetched = make_fetcher(config(max_retry_after_s=60), fake=fake).fetch(server.url("/ratelimit-long"))
    assert fetched.status == 429
    assert fake.sleeps == []
    assert server.hits["/ratelimit-long"] == 1


def test_503_then_success_backs_off(server: FetchServer, make_fetcher: Callable[..., Fetcher]) -> None:
    fake = FakeTime()
    fetched = make_fetcher(fake=fake).fetch(server.url("/flaky"))
    assert fetched.status == 200
    assert fetched.body == b"recovered"
    assert fake.sleeps == [0.01]


def test_500_after_all_retries_is_returned(server: FetchServer, make_fetcher: Callable[..., Fetcher]) -> None:
    fake = FakeTime()
    fetched = make_fetcher(config(retries=3), fake=fake).fetch(server.url("/broken"))
    assert fetched.status == 500
    assert fetched.body == b"oops"
    assert server.hits["/broken"] == 4
    assert fake.sleeps == [0.01, 0.02, 0.04]  # backoff doubles


def test_network_error_raises_after_retries(make_fetcher: Callable[..., Fetcher]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"
    fake = FakeTime()
    with pytest.raises(FetchError) as excinfo:
        make_fetcher(config(respect_robots=False), fake=fake).fetch(url)
    one_line_error(excinfo, url, "gave up after 3 attempts")
    assert fake.sleeps == [0.01, 0.02]


def test_slow_drip_body_hits_the_total_timeout(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    fetcher = make_fetcher(config(total_timeout_s=0.3, retries=0))
    started = time.monotonic()
    with pytest.raises(FetchError) as excinfo:
        fetcher.fetch(server.url("/drip"))
    assert time.monotonic() - started < 2
    one_line_error(excinfo, server.url("/drip"), "not received within 0.3s")


def test_stalled_body_hits_the_read_timeout(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    fetcher = make_fetcher(config(read_timeout_s=0.2, retries=1))
    started = time.monotonic()
    with pytest.raises(FetchError) as excinfo:
        fetcher.fetch(server.url("/stall"))
    assert time.monotonic() - started < 2
    one_line_error(excinfo, server.url("/stall"), "timed out")
    assert server.hits["/stall"] == 2  # timeouts are retried


def test_redirect_chain_is_followed(server: FetchServer, make_fetcher: Callable[..., Fetcher]) -> None:
    fetched = make_fetcher().fetch(server.url("/redirect/3"))
    assert fetched.status == 200
    assert fetched.url == server.url("/redirect/3")
    assert fetched.final_url == server.url("/ok")
    assert fetched.body == b"<p>hello</p>"


def test_redirect_loop_is_refused(server: FetchServer, make_fetcher: Callable[..., Fetcher]) -> None:
    with pytest.raises(FetchError) as excinfo:
        make_fetcher().fetch(server.url("/loop-a"))
    one_line_error(excinfo, server.url("/loop-a"), "redirect loop")
    assert server.hits["/loop-a"] == 1  # not retried either


def test_too_many_redirects(server: FetchServer, make_fetcher: Callable[..., Fetcher]) -> None:
    fetcher = make_fetcher(config(max_redirects=2))
    assert fetcher.fetch(server.url("/redirect/2")).status == 200
    with pytest.raises(FetchError) as excinfo:
        fetcher.fetch(server.url("/redirect/5"))
    one_line_error(excinfo, server.url("/redirect/5"), "too many redirects")


@pytest.mark.parametrize("path", ["/big-declared", "/big-chunked"])
def test_oversized_body_is_refused(
    server: FetchServer, make_fetcher: Callable[..., Fetcher], path: str
) -> None:
    with pytest.raises(FetchError) as excinfo:
        make_fetcher(config(max_body_bytes=1000)).fetch(server.url(path))
    one_line_error(excinfo, server.url(path), "body larger than 1000 bytes")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/gzip", RUSSIAN.encode()),
        ("/gzip-2members", b"first second"),
        ("/deflate-zlib", b"zlib body"),
        ("/deflate-raw", b"raw deflate body"),
    ],
)
def test_compressed_bodies_are_inflated(
    server: FetchServer, make_fetcher: Callable[..., Fetcher], path: str, body: bytes
) -> None:
    assert make_fetcher().fetch(server.url(path)).body == body


def test_gzip_bomb_is_refused_without_inflating_it(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    fetcher = make_fetcher(config(max_body_bytes=MB))
    gzip_bomb()  # built before measuring
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as excinfo:
            fetcher.fetch(server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    one_line_error(excinfo, server.url("/bomb"), f"body larger than {MB} bytes")
    assert peak < 8 * MB  # 50 MB inflated would be far above


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/brotli", "unsupported Content-Encoding"),
        ("/corrupt-gzip", "corrupt gzip body"),
        ("/truncated-gzip", "truncated gzip body"),
    ],
)
def test_undecodable_bodies_are_refused(
    server: FetchServer, make_fetcher: Callable[..., Fetcher], path: str, reason: str
) -> None:
    with pytest.raises(FetchError) as excinfo:
        make_fetcher().fetch(server.url(path))
    one_line_error(excinfo, server.url(path), reason)


def _split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("chunk_size", [1, 3, 1000])
@pytest.mark.parametrize(
    ("encoding", "raw", "body"),
    [
        pytest.param("gzip", gzip.compress(b"one ") + gzip.compress(b"two"), b"one two", id="gzip-2-members"),
        pytest.param("x-gzip", gzip.compress(b"padded") + bytes(8), b"padded", id="gzip-zero-padding"),
        pytest.param("deflate", zlib.compress(b"wrapped"), b"wrapped", id="deflate-zlib"),
        pytest.param("deflate", zlib.compress(b"raw", wbits=-zlib.MAX_WBITS), b"raw", id="deflate-raw"),
        pytest.param("identity", b"plain", b"plain", id="identity"),
        pytest.param("", b"", b"", id="empty"),
        pytest.param("gzip", b"", b"", id="gzip-empty"),
    ],
)
def test_body_reader_any_chunking(encoding: str, raw: bytes, body: bytes, chunk_size: int) -> None:
    reader = BodyReader("http://example.org/", encoding, 100)
    for chunk in _split(raw, chunk_size):
        reader.feed(chunk)
    assert reader.finish() == body


def test_body_reader_caps_each_inflate_step() -> None:
    reader = BodyReader("http://example.org/", "gzip", 1000)
    with pytest.raises(FetchError, match="body larger than 1000 bytes"):
        reader.feed(gzip.compress(bytes(10 * MB)))


def test_in_memory_transport_bodies_are_read_too() -> None:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=gzip.compress(b"mocked"), headers={"Content-Encoding": "gzip"}
        )
    )
    with Fetcher(config(respect_robots=False), transport=transport) as fetcher:
        assert fetcher.fetch("https://a.example/").body == b"mocked"
    capped = Fetcher(config(respect_robots=False, max_body_bytes=3), transport=transport)
    with capped, pytest.raises(FetchError, match="body larger than 3 bytes"):
        capped.fetch("https://a.example/")


def test_robots_disallow_is_refused_and_robots_fetched_once(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    server.robots = "User-agent: *\nDisallow: /private\n"
    fetcher = make_fetcher()
    with pytest.raises(FetchError) as excinfo:
        fetcher.fetch(server.url("/private/page"))
    one_line_error(excinfo, server.url("/private/page"), "disallowed by robots.txt")
    assert fetcher.fetch(server.url("/ok")).status == 200
    with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
        fetcher.fetch(server.url("/to-disallowed"))  # every redirect hop is asked too
    assert server.hits["/robots.txt"] == 1
    assert server.hits["/private/page"] == 0


@pytest.mark.parametrize(
    ("robots", "status", "allowed"),
    [
        (None, 404, True),
        ("User-agent: *\nDisallow: /\n", 410, True),
        ("User-agent: *\nDisallow: /\n", 500, True),
        ("User-agent: *\nDisallow: /\n", 401, False),
        ("User-agent: *\nDisallow: /\n", 403, False),
        ("User-agent: osiwire-test\nDisallow: /\n", 200, False),
        ("User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nAllow: /\n", 200, True),
        ("\ufeffUser-agent: *\nDisallow: /ok\n", 200, False),
    ],
)
def test_robots_statuses_and_agents(
    server: FetchServer, make_fetcher: Callable[..., Fetcher], robots: str | None, status: int, allowed: bool
) -> None:
    server.robots, server.robots_status = robots, status
    fetcher = make_fetcher()
    if allowed:
        assert fetcher.fetch(server.url("/ok")).status == 200
    else:
        with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
            fetcher.fetch(server.url("/ok"))


def test_robots_ignored_when_not_respected(server: FetchServer, make_fetcher: Callable[..., Fetcher]) -> None:
    server.robots = "User-agent: *\nDisallow: /\n"
    assert make_fetcher(config(respect_robots=False)).fetch(server.url("/ok")).status == 200
    assert server.hits["/robots.txt"] == 0


def test_crawl_delay_is_a_floor_on_the_host_interval(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    server.robots = "User-agent: *\nCrawl-delay: 3\n"
    fake = FakeTime()
    fetcher = make_fetcher(config(per_host_interval_s=1), fake=fake)
    fetcher.fetch(server.url("/ok"))
    fetcher.fetch(server.url("/ok"))
    assert fake.sleeps == [3.0, 3.0]  # after robots.txt, then between the pages


def test_wrong_charset_header_is_corrected(server: FetchServer, make_fetcher: Callable[..., Fetcher]) -> None:
    fetched = make_fetcher().fetch(server.url("/cp1251"))
    assert fetched.encoding == "cp1251"
    assert RUSSIAN in fetched.text


def test_per_host_interval_with_fake_clock(server: FetchServer, make_fetcher: Callable[..., Fetcher]) -> None:
    fake = FakeTime()
    fetcher = make_fetcher(config(per_host_interval_s=5, respect_robots=False), fake=fake)
    fetcher.fetch(server.url("/ok"))
    fake.now += 1  # a second passes between the two requests
    fetcher.fetch(server.url("/ok"))
    assert fake.sleeps == [4.0]


def test_per_host_interval_queues_concurrent_threads(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    fetcher = make_fetcher(config(per_host_interval_s=0.15, respect_robots=False))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _: fetcher.fetch(server.url("/ok")).status, range(4)))
    assert statuses == [200] * 4
    # Four requests started at least 0.15 s apart: three waits. (Server-side arrival times are too noisy on a
    # loaded machine to compare one by one; the lower bound on the whole run is not.)
    assert time.monotonic() - started >= 3 * 0.15 * 0.95


def test_hosts_are_paced_independently() -> None:
    fake = FakeTime()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text=request.url.host))
    cfg = config(per_host_interval_s=10, respect_robots=False)
    with Fetcher(cfg, transport=transport, sleep=fake.sleep, clock=fake.clock) as fetcher:
        assert fetcher.fetch("https://a.example/").text == "a.example"
        assert fetcher.fetch("https://b.example/").text == "b.example"
        assert fake.sleeps == []
        fetcher.fetch("https://a.example/other")
        assert fake.sleeps == [10.0]


def test_concurrent_fetches_share_one_robots_fetch(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    fetcher = make_fetcher()
    paths = ["/ok", "/gzip", "/deflate-zlib", "/missing", "/redirect/2", "/etag"] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda p: fetcher.fetch(server.url(p)).status, paths))
    assert results.count(404) == 3
    assert server.hits["/robots.txt"] == 1


def test_loopback_refused_unless_private_addresses_allowed(
    server: FetchServer, make_fetcher: Callable[..., Fetcher]
) -> None:
    with pytest.raises(FetchError) as excinfo:
        make_fetcher(config(allow_private_addresses=False)).fetch(server.url("/ok"))
    one_line_error(excinfo, server.url("/ok"), "non-public address 127.0.0.1")
    assert server.seen == []  # refused before connecting


def test_redirect_to_private_address_is_refused_before_connecting(
    server: FetchServer, make_fetcher: Callable[..., Fetcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Let the test server's loopback pass as "public"; 10.0.0.1 stays private. LoopbackOnly would fail the
    # test if the fetcher ever tried to connect to 10.0.0.1.
    real = addresses.is_forbidden_address
    monkeypatch.setattr(addresses, "is_forbidden_address", lambda ip: not ip.is_loopback and real(ip))
    fetcher = make_fetcher(config(allow_private_addresses=False))
    assert fetcher.fetch(server.url("/ok")).status == 200
    with pytest.raises(FetchError) as excinfo:
        fetcher.fetch(server.url("/to-private"))
    one_line_error(excinfo, "http://10.0.0.1/admin", "non-public address 10.0.0.1")


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),  # cloud metadata
        ("100.64.0.1", True),  # carrier-grade NAT
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("ff02::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:10.0.0.1", True),
        ("2002:7f00:1::", True),  # 6to4 around 127.0.0.1
        ("8.8.8.8", False),
        ("93.184.216.34", False),
        ("2606:4700:4700::1111", False),
    ],
)
def test_address_classification(address: str, forbidden: bool) -> None:
    assert addresses.is_forbidden_address(ipaddress.ip_address(address)) is forbidden


def test_check_public_host_refuses_if_any_address_is_private(monkeypatch: pytest.MonkeyPatch) -> None:
    addresses.check_public_host("http://8.8.8.8/", "8.8.8.8", 80)  # an IP literal needs no DNS
    answers = {
        "public.test": ["93.184.216.34", "2606:2800:220:1::1"],
        "rebind.test": ["93.184.216.34", "127.0.0.1"],
        "scoped.test": ["fe80::1%eth0"],
    }

    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        # Tests never ask real DNS.
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    addresses.check_public_host("http://public.test/", "public.test", 80)
    with pytest.raises(FetchError, match=r"non-public address 127\.0\.0\.1"):
        addresses.check_public_host("http://rebind.test/", "rebind.test", 80)
    with pytest.raises(FetchError, match="non-public address fe80::1"):
        addresses.check_public_host("http://scoped.test/", "scoped.test", 80)
    with pytest.raises(FetchError, match="cannot resolve"):
        addresses.check_public_host("http://nowhere.test/", "nowhere.test", 80)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/file", "file:///etc/passwd", "javascript:alert(1)", "http://", "not a url\nat all"],
)
def test_only_http_urls(make_fetcher: Callable[..., Fetcher], url: str) -> None:
    with pytest.raises(FetchError) as excinfo:
        make_fetcher().fetch(url)
    assert "\n" not in str(excinfo.value)


def test_retry_after_forms() -> None:
    assert _retry_after("7") == 7.0
    assert _retry_after(None) is None
    assert _retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (_retry_after(later) or 0) <= 30
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait


def test_retry_after_holds_back_later_requests_to_the_host() -> None:
    fake = FakeTime()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/busy":
            return httpx.Response(503, headers={"Retry-After": "4"})
        return httpx.Response(200)

    cfg = config(respect_robots=False, retries=0)
    with Fetcher(cfg, transport=httpx.MockTransport(handler), sleep=fake.sleep, clock=fake.clock) as fetcher:
        assert fetcher.fetch("https://a.example/busy").status == 503  # no retries left: returned
        assert fake.sleeps == []
        assert fetcher.fetch("https://b.example/").status == 200  # another host is not held back
        assert fetcher.fetch("https://a.example/other").status == 200
        assert fake.sleeps == [4.0]
