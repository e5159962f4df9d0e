"""Webhook delivery against a real server on 127.0.0.1: signed, retried with backoff, delivered once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from alert_corpus import build
from factories import NOW
from osiwire.alerts.delivery import (
    MAX_ATTEMPTS,
    RETRY_LATER_S,
    RUN_BUDGET_S,
    TRIES_PER_RUN,
    check_target,
    deliver_pending,
)
from osiwire.alerts.evaluate import evaluate_new, evaluate_stored
from osiwire.alerts.events import AlertEvent
from osiwire.alerts.rules import AlertError, RoleRule, Rule, SearchRule
from osiwire.config import Settings, load_settings
from osiwire.store import Store

SECRET = "s3cret-key"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Hook:
    """The receiving end: scripted answers (status, headers) per request, then 200."""

    url: str = ""
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def do_POST(self) -> None:
        hook: Hook = self.server.hook
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        hook.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        status, headers = hook.answers.pop(0) if hook.answers else (200, {})
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.hook = Hook(url=f"http://127.0.0.1:{server.server_address[1]}/hooks/osiwire?token=t0k3n")  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.hook  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as s:
        yield s


@pytest.fixture
def allowed(tmp_path: Path) -> Settings:
    return load_settings(tmp_path, environ={}, fetch={"allow_private_addresses": True})


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _fire(store: Store, url: str, secret: str = SECRET) -> dict[str, int]:
    ids = build(store)
    store.alerts.add(Rule("defence", RoleRule("министр обороны", "RU", "BY"), url, secret), NOW)
    assert len(evaluate_new(store, ids["joint"], now=NOW)) == 1
    return ids


def _event(store: Store) -> AlertEvent:
    (event,) = store.alerts.events()
    return event


def test_signed_payload(store: Store, hook: Hook, allowed: Settings) -> None:
    ids = _fire(store, hook.url)
    report = deliver_pending(store, allowed, now=NOW)
    assert (report.delivered, report.failed, report.errors) == (1, 0, [])
    (got,) = hook.received
    assert got.path == "/hooks/osiwire?token=t0k3n"
    expected = "sha256=" + hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(got.headers["x-osiwire-signature"], expected)
    assert got.headers["x-osiwire-event"] == "alert.fired"
    assert got.headers["x-osiwire-delivery"] == str(_event(store).id)
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"] == allowed.fetch.user_agent
    body = json.loads(got.body)
    assert body == {
        "rule": "defence",
        "release": {
            "id": ids["joint"],
            "url": "https://example.org/joint",
            "title": "Совещание министров обороны России и Белоруссии",
            "title_en": "Meeting of the defence ministers of Russia and Belarus",
            "published": "2025-03-01T12:00:00Z",
            "source": "Kremlin",
            "region": "Russian Federation",
        },
        "reason": "Министр обороны Российской Федерации Андрей Рэмович Белоусов (RU) "
        "with Виктор Геннадьевич Хренин (BY)",
        "fired_at": "2025-03-01T12:00:00Z",
    }
    event = _event(store)
    assert event.status == "delivered" and event.attempts == 1 and event.delivered_at == NOW
    # Delivered once only: later runs send nothing.
    assert deliver_pending(store, allowed, now=NOW + timedelta(days=1)).delivered == 0
    assert len(hook.received) == 1


def test_tampered_body_fails_verification(store: Store, hook: Hook, allowed: Settings) -> None:
    _fire(store, hook.url)
    deliver_pending(store, allowed, now=NOW)
    (got,) = hook.received
    forged = "sha256=" + hmac.new(b"wrong secret", got.body, hashlib.sha256).hexdigest()
    assert not hmac.compare_digest(got.headers["x-osiwire-signature"], forged)


def test_no_secret_no_signature(store: Store, hook: Hook, allowed: Settings) -> None:
    _fire(store, hook.url, secret="")
    deliver_pending(store, allowed, now=NOW)
    assert "x-osiwire-signature" not in hook.received[0].headers


def test_500_then_200_is_retried(store: Store, hook: Hook, allowed: Settings) -> None:
    _fire(store, hook.url)
    hook.answers = [(500, {}), (502, {})]
    sleeps = Sleeps()
    report = deliver_pending(store, allowed, sleep=sleeps, now=NOW)
    assert report.delivered == 1 and len(hook.received) == 3
    assert sleeps == [1.0, 2.0]  # exponential backoff
    assert _event(store).attempts == 3 and _event(store).last_error == ""
    assert len({r.headers["x-osiwire-delivery"] for r in hook.received}) == 1  # the same delivery id


def test_429_retry_after_is_honoured(store: Store, hook: Hook, allowed: Settings) -> None:
    _fire(store, hook.url)
    hook.answers = [(429, {"Retry-After": "7"})]
    sleeps = Sleeps()
    assert deliver_pending(store, allowed, sleep=sleeps, now=NOW).delivered == 1
    assert sleeps == [7.0]


def test_long_retry_after_waits_for_a_later_run(store: Store, hook: Hook, allowed: Settings) -> None:
    _fire(store, hook.url)
    hook.answers = [(503, {"Retry-After": "3600"})]
    sleeps = Sleeps()
    report = deliver_pending(store, allowed, sleep=sleeps, now=NOW)
    assert report.failed == 1 and sleeps == []
    event = _event(store)
    assert event.next_attempt_at == NOW + timedelta(seconds=3600)
    assert event.last_error == "HTTP 503, Retry-After 3600s"


def test_failure_is_recorded_and_retried_on_the_next_run(store: Store, hook: Hook, allowed: Settings) -> None:
    _fire(store, hook.url)
    hook.answers = [(500, {})] * TRIES_PER_RUN
    sleeps = Sleeps()
    report = deliver_pending(store, allowed, sleep=sleeps, now=NOW)
    assert (report.delivered, report.failed) == (0, 1)
    assert report.errors == ["rule defence, release 1: HTTP 500"]
    assert sleeps == [1.0, 2.0, 4.0]
    event = _event(store)
    assert (event.status, event.attempts, event.last_error) == ("pending", TRIES_PER_RUN, "HTTP 500")
    assert event.next_attempt_at == NOW + timedelta(seconds=RETRY_LATER_S)
    # Not due yet: a run now sends nothing.
    assert deliver_pending(store, allowed, sleep=sleeps, now=NOW + timedelta(seconds=10)).delivered == 0
    assert len(hook.received) == TRIES_PER_RUN
    later = NOW + timedelta(seconds=RETRY_LATER_S)
    assert deliver_pending(store, allowed, sleep=sleeps, now=later).delivered == 1
    event = _event(store)
    assert event.status == "delivered" and event.attempts == TRIES_PER_RUN + 1 and event.last_error == ""
    assert len(hook.received) == TRIES_PER_RUN + 1


def test_backoff_between_runs_doubles_and_gives_up(store: Store, hook: Hook, allowed: Settings) -> None:
    _fire(store, hook.url)
    event = _event(store)
    store.alerts.failed(event.id, TRIES_PER_RUN, "HTTP 500", NOW)  # one failed run already
    hook.answers = [(500, {})] * TRIES_PER_RUN
    deliver_pending(store, allowed, sleep=Sleeps(), now=NOW)
    assert _event(store).next_attempt_at == NOW + timedelta(seconds=2 * RETRY_LATER_S)
    store.alerts.failed(event.id, MAX_ATTEMPTS - 1, "HTTP 500", NOW)
    hook.answers = [(500, {})] * TRIES_PER_RUN
    report = deliver_pending(store, allowed, sleep=Sleeps(), now=NOW)
    assert report.given_up == 1
    event = _event(store)
    assert event.status == "failed" and event.next_attempt_at is None
    assert deliver_pending(store, allowed, now=NOW + timedelta(days=30)).delivered == 0


def test_4xx_is_not_retried(store: Store, hook: Hook, allowed: Settings) -> None:
    _fire(store, hook.url)
    hook.answers = [(404, {})]
    sleeps = Sleeps()
    assert deliver_pending(store, allowed, sleep=sleeps, now=NOW).failed == 1
    assert sleeps == [] and len(hook.received) == 1
    assert _event(store).last_error.startswith("HTTP 404 (not retried")


def test_network_errors_through_an_injected_transport(store: Store, allowed: Settings) -> None:
    _fire(store, "https://hooks.example.org/osiwire")
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) < 3:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(204)

    sleeps = Sleeps()
    with httpx.Client(transport=httpx.MockTransport(refuse)) as client:
        report = deliver_pending(store, allowed, client, sleep=sleeps, now=NOW)
    assert report.delivered == 1 and len(calls) == 3 and sleeps == [1.0, 2.0]
    assert calls[0].headers["x-osiwire-signature"].startswith("sha256=")


def test_private_address_refused_when_not_allowed(store: Store, hook: Hook, tmp_path: Path) -> None:
    _fire(store, hook.url)
    strict = load_settings(tmp_path, environ={})
    report = deliver_pending(store, strict, sleep=Sleeps(), now=NOW)
    assert report.failed == 1 and hook.received == []
    event = _event(store)
    assert "loopback or private address" in event.last_error
    assert "t0k3n" not in event.last_error and "127.0.0.1" not in event.last_error  # URLs may carry tokens


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://127.0.0.1:8080/hook", True),
        ("http://[::1]/hook", True),
        ("http://10.0.0.5/hook", True),
        ("http://192.168.1.1/hook", True),
        ("http://169.254.169.254/latest/meta-data", True),
        ("http://localhost/hook", True),
        ("http://api.localhost/hook", True),
        ("http://[::ffff:127.0.0.1]/hook", True),
        ("https://8.8.8.8/hook", False),
        ("https://hooks.example.org/hook", False),  # names are checked when posting
    ],
)
def test_check_target(url: str, refused: bool) -> None:
    if refused:
        with pytest.raises(AlertError, match="refused"):
            check_target(url, allow_private=False)
    else:
        check_target(url, allow_private=False)
    check_target(url, allow_private=True)


def test_a_claimed_event_is_not_claimed_twice(store: Store, hook: Hook) -> None:
    _fire(store, hook.url)
    assert len(store.alerts.claim(NOW, timedelta(minutes=10), 10)) == 1
    assert store.alerts.claim(NOW, timedelta(minutes=10), 10) == []  # a concurrent deliverer skips it
    assert len(store.alerts.claim(NOW + timedelta(minutes=11), timedelta(minutes=10), 10)) == 1


def test_rules_without_webhook_have_nothing_to_deliver(store: Store, allowed: Settings) -> None:
    _fire(store, "")
    assert _event(store).status == "feed"
    assert deliver_pending(store, allowed, now=NOW).delivered == 0


class Clock:
    """A monotonic clock that the injected sleep advances."""

    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def _fire_twice(store: Store, url: str) -> None:
    ids = build(store)
    store.alerts.add(Rule("defence", RoleRule("министр обороны", "RU"), url, SECRET), NOW)
    for nick in ("joint", "kazakh"):
        assert len(evaluate_new(store, ids[nick], now=NOW)) == 1


def test_a_failing_receiver_is_tried_once_per_run(store: Store, hook: Hook, allowed: Settings) -> None:
    _fire_twice(store, hook.url)
    hook.answers = [(500, {})] * TRIES_PER_RUN
    report = deliver_pending(store, allowed, sleep=Sleeps(), now=NOW)
    assert report.failed == 2 and len(hook.received) == TRIES_PER_RUN  # the second event was not sent
    untried = [e for e in store.alerts.events() if e.attempts == 0]
    assert len(untried) == 1 and untried[0].next_attempt_at == NOW + timedelta(seconds=RETRY_LATER_S)
    assert deliver_pending(store, allowed, now=NOW + timedelta(seconds=RETRY_LATER_S)).delivered == 2


def test_retries_keep_to_the_run_budget(store: Store, hook: Hook, allowed: Settings) -> None:
    _fire(store, hook.url)
    hook.answers = [(429, {"Retry-After": "110"}), (429, {"Retry-After": "60"})]
    clock = Clock()
    report = deliver_pending(store, allowed, sleep=clock.sleep, clock=clock, now=NOW)
    # Waited once (110 s); a second wait would pass the budget: the event waits for a later run.
    assert clock.slept == [110.0] and len(hook.received) == 2 and report.failed == 1
    event = _event(store)
    assert event.attempts == 2 and event.next_attempt_at == NOW + timedelta(seconds=RETRY_LATER_S)


def test_events_left_when_the_budget_is_spent(store: Store, hook: Hook, allowed: Settings) -> None:
    ids = build(store)
    store.alerts.add(Rule("exercises", SearchRule("exercises"), hook.url, SECRET), NOW)
    store.alerts.add(Rule("gas", SearchRule("газ"), hook.url, SECRET), NOW)
    evaluate_stored(store, None, now=NOW)
    half = str(RUN_BUDGET_S / 2)
    hook.answers = [(429, {"Retry-After": half}), (429, {"Retry-After": half})]
    clock = Clock()
    report = deliver_pending(store, allowed, sleep=clock.sleep, clock=clock, now=NOW)
    assert report.delivered == 1 and clock.t == RUN_BUDGET_S and len(hook.received) == 3
    (left,) = store.alerts.events(status="pending")
    assert left.release_id == ids["joint"] and left.attempts == 0 and left.next_attempt_at == NOW
    assert deliver_pending(store, allowed, now=NOW).delivered == 1
