"""DNS rebinding: every connection goes to the address that was checked, for pages, redirects and webhooks.

The resolver here is ``socket.getaddrinfo`` replaced by a script of answers: the first lookup of a name answers
a public address (the check passes) and later ones another address (what a rebinding server does). Servers run
on 127.0.0.1; the guard on ``socket.create_connection`` fails a test that would connect anywhere else.
"""

from __future__ import annotations

import http.server
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpcore
import pytest
import trustme

from alert_corpus import build
from factories import NOW
from fetch_server import FetchServer, add_test_site
from osiwire.alerts.delivery import REBOUND, deliver_pending
from osiwire.alerts.evaluate import evaluate_new
from osiwire.alerts.rules import RoleRule, Rule
from osiwire.collect import addresses
from osiwire.collect.fetcher import Fetcher
from osiwire.collect.pinning import PinnedBackend
from osiwire.config import FetchConfig, load_settings
from osiwire.errors import FetchError
from osiwire.store import Store

pytestmark = pytest.mark.timeout(30)

PUBLIC = "93.184.216.34"  # only ever answered to a check: nothing connects to it


class Resolver:
    """``socket.getaddrinfo`` for test names: a list of answers per name, the last one repeated."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host in ("127.0.0.1", "::1"):  # IP literals resolve to themselves
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (host, port))]
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")  # tests never ask real DNS
        self.asked.append(host)
        script = self.answers[host]
        address = script.pop(0) if len(script) > 1 else script[0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]


@pytest.fixture
def connected(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every host a socket was opened to; anything but loopback is refused before it leaves the machine."""
    hosts: list[str] = []
    real = socket.create_connection

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        hosts.append(address[0])
        resolved = {str(info[4][0]) for info in socket.getaddrinfo(address[0], address[1])}
        if resolved != {"127.0.0.1"}:
            raise OSError(f"test tried to connect to {address[0]} ({', '.join(sorted(resolved))})")
        return real(("127.0.0.1", address[1]), *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return hosts


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, list[str]]], Resolver]:
    def install(answers: dict[str, list[str]]) -> Resolver:
        fake = Resolver(answers)
        monkeypatch.setattr(socket, "getaddrinfo", fake)
        return fake

    return install


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the test servers' 127.0.0.1 pass the check (as the fetcher tests do); every other private address
    stays refused."""
    real = addresses.is_forbidden_address
    monkeypatch.setattr(addresses, "is_forbidden_address", lambda ip: not ip.is_loopback and real(ip))


@pytest.fixture
def server() -> Iterator[FetchServer]:
    srv = FetchServer()
    add_test_site(srv)
    srv.start()
    yield srv
    srv.stop()


def config(**overrides: Any) -> FetchConfig:
    values: dict[str, Any] = {
        "allow_private_addresses": False,
        "respect_robots": False,
        "per_host_interval_s": 0,
        "retries": 0,
        "connect_timeout_s": 2,
        "read_timeout_s": 2,
        "total_timeout_s": 5,
    }
    return FetchConfig(**(values | overrides))


@pytest.mark.parametrize("rebound", ["127.0.0.1", "169.254.169.254", "10.0.0.1", "::1"])
def test_a_name_rebound_after_the_check_is_never_connected_to(
    server: FetchServer, resolver: Any, connected: list[str], rebound: str
) -> None:
    dns = resolver({"rebind.test": [PUBLIC, rebound]})
    url = f"http://rebind.test:{server.port}/ok"
    with Fetcher(config()) as fetcher, pytest.raises(FetchError) as excinfo:
        fetcher.fetch(url)
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith(url)
    assert f"non-public address {rebound}" in message
    assert dns.asked == ["rebind.test", "rebind.test"]  # the check, then the connection's own lookup
    assert connected == []
    assert server.seen == []


def test_the_connection_goes_to_the_checked_address_not_the_name(
    server: FetchServer, resolver: Any, connected: list[str], loopback_is_public: None
) -> None:
    resolver({"site.test": ["127.0.0.1"]})
    with Fetcher(config()) as fetcher:
        fetched = fetcher.fetch(f"http://site.test:{server.port}/ok")
    assert (fetched.status, fetched.body) == (200, b"<p>hello</p>")
    assert connected == ["127.0.0.1"]  # the checked address itself, not "site.test" resolved again
    assert server.seen[0].headers["host"] == f"site.test:{server.port}"


def test_each_redirect_hop_is_checked_and_pinned(
    server: FetchServer, resolver: Any, connected: list[str], loopback_is_public: None
) -> None:
    resolver({"site.test": ["127.0.0.1"], "rebind.test": [PUBLIC, "10.0.0.1"]})
    server.routes["/to-rebind"] = lambda h: h.reply(
        302, b"", {"Location": f"http://rebind.test:{server.port}/ok"}
    )
    with Fetcher(config()) as fetcher, pytest.raises(FetchError) as excinfo:
        fetcher.fetch(f"http://site.test:{server.port}/to-rebind")
    assert f"http://rebind.test:{server.port}/ok: host 'rebind.test'" in str(excinfo.value)
    assert "non-public address 10.0.0.1" in str(excinfo.value)
    assert [seen.path for seen in server.seen] == ["/to-rebind"]
    assert connected == ["127.0.0.1"]


def test_private_addresses_allowed_connect_as_before(server: FetchServer, connected: list[str]) -> None:
    with Fetcher(config(allow_private_addresses=True)) as fetcher:
        assert fetcher.fetch(server.url("/redirect/2")).body == b"<p>hello</p>"
    assert set(connected) == {"127.0.0.1"}


def test_the_next_address_is_tried_when_one_does_not_answer() -> None:
    class Backend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self.tried: list[str] = []

        def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
            self.tried.append(host)
            raise httpcore.ConnectError(f"{host} unreachable")

    inner = Backend()
    pinned = PinnedBackend(allow_private=False, inner=inner)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            addresses,
            "resolve",
            lambda host, port: [ipaddress.ip_address(a) for a in ("8.8.8.8", "8.8.4.4", "8.8.8.8")],
        )
        with pytest.raises(httpcore.ConnectError, match=r"8\.8\.4\.4 unreachable"):
            pinned.connect_tcp("dns.test", 443)
    assert inner.tried == ["8.8.8.8", "8.8.4.4"]  # each address once, in the resolver's order


def test_proxies_from_the_environment_still_apply(
    server: FetchServer, resolver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{server.port}")
    resolver({"far.test": [PUBLIC]})  # the check resolves the target; the proxy is what is connected to
    server.routes["http://far.test/news"] = lambda h: h.reply(200, b"via the proxy")
    with Fetcher(config()) as fetcher:
        assert fetcher.fetch("http://far.test/news").body == b"via the proxy"
    assert [seen.path for seen in server.seen] == ["http://far.test/news"]


# -- HTTPS: the certificate is verified against the name, which is also the SNI -------------------------------


class _TLSServer:
    """An HTTPS server on 127.0.0.1 with a certificate for ``names``; records the SNI of each handshake."""

    def __init__(self, ca: Any, names: list[str]) -> None:
        self.sni: list[str | None] = []
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*names).configure_cert(context)
        context.sni_callback = lambda sock, name, ctx: self.sni.append(name)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", "6")
                self.end_headers()
                self.wfile.write(b"secure")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def trusted_ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> trustme.CA:
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))  # httpx's context trusts it, as a deployment would
    return ca


@pytest.mark.parametrize(("cert_for", "verified"), [("site.test", True), ("other.test", False)])
def test_https_verifies_the_name_and_sends_it_as_sni(
    trusted_ca: Any,
    resolver: Any,
    connected: list[str],
    loopback_is_public: None,
    cert_for: str,
    verified: bool,
) -> None:
    tls = _TLSServer(trusted_ca, [cert_for])
    try:
        resolver({"site.test": ["127.0.0.1"]})
        with Fetcher(config()) as fetcher:
            if verified:
                assert fetcher.fetch(f"https://site.test:{tls.port}/").body == b"secure"
            else:
                with pytest.raises(FetchError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
                    fetcher.fetch(f"https://site.test:{tls.port}/")
    finally:
        tls.stop()
    assert tls.sni[:1] == ["site.test"]  # the name, though the socket went to 127.0.0.1
    assert connected[:1] == ["127.0.0.1"]


# -- webhooks --------------------------------------------------------------------------------------------------


class _Receiver:
    """A webhook receiver on 127.0.0.1 that counts the POSTs it gets."""

    def __init__(self) -> None:
        self.posts: list[str] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.posts.append(self.headers.get("Host", ""))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    hook = _Receiver()
    yield hook
    hook.stop()


def _fired_store(tmp_path: Path, webhook: str) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    ids = build(store)
    store.alerts.add(Rule("defence", RoleRule("министр обороны", "RU", "BY"), webhook, "s3cret"), NOW)
    assert len(evaluate_new(store, ids["joint"], now=NOW)) == 1
    return store


def test_a_webhook_host_rebound_after_the_check_is_never_posted_to(
    tmp_path: Path, receiver: _Receiver, resolver: Any, connected: list[str]
) -> None:
    dns = resolver({"hooks.test": [PUBLIC, "127.0.0.1"]})
    with _fired_store(tmp_path, f"http://hooks.test:{receiver.port}/in?token=t0k3n") as store:
        report = deliver_pending(store, load_settings(tmp_path, environ={}), sleep=lambda s: None, now=NOW)
        (event,) = store.alerts.events()
    assert (report.delivered, report.failed) == (0, 1)
    assert event.last_error == REBOUND  # no URL, no token, not retried within the run
    assert dns.asked == ["hooks.test", "hooks.test"]
    assert receiver.posts == [] and connected == []


def test_a_webhook_is_posted_to_the_checked_address(
    tmp_path: Path, receiver: _Receiver, resolver: Any, connected: list[str], loopback_is_public: None
) -> None:
    resolver({"hooks.test": ["127.0.0.1"]})
    with _fired_store(tmp_path, f"http://hooks.test:{receiver.port}/in") as store:
        report = deliver_pending(store, load_settings(tmp_path, environ={}), now=NOW)
    assert report.delivered == 1
    assert receiver.posts == [f"hooks.test:{receiver.port}"]
    assert connected == ["127.0.0.1"]
