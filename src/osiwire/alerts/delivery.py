"""Webhooks: each fired alert POSTed as signed JSON, retried with backoff, delivered once.

Within one run an event is tried ``TRIES_PER_RUN`` times (network errors, 5xx and 429 are retried; 429 and 503
wait as long as ``Retry-After`` asks). Still failing, it keeps its error and waits for a later run, longer each
time, until ``MAX_ATTEMPTS`` are spent. A run keeps to ``RUN_BUDGET_S`` and stops trying a rule whose receiver
failed, so a receiver that is down never stalls the fetch pass that calls it. Delivery is at least once: a crash between the receiver's answer and
the bookkeeping sends that event again, so receivers dedupe on ``X-Osiwire-Delivery``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from osiwire.alerts.events import AlertEvent
from osiwire.alerts.facts import english_title
from osiwire.alerts.rules import AlertError, Rule
from osiwire.collect import addresses
from osiwire.collect.pinning import PinnedTransport, proxy_mounts
from osiwire.config import Settings
from osiwire.errors import FetchError
from osiwire.retry import retry_after_seconds
from osiwire.store import Store

logger = logging.getLogger(__name__)

EVENT = "alert.fired"  # X-Osiwire-Event: the one kind of event sent today
WEBHOOK_TIMEOUT_S = 10.0  # a receiver should answer at once; a slow one is retried, not waited for
TRIES_PER_RUN = 4  # 1 + 3 retries, 1 s, 2 s, 4 s apart: a restarting receiver is usually back within that
FIRST_BACKOFF_S = 1.0
RETRY_LATER_S = 60  # a later run tries again after this, doubling per failed run ...
MAX_RETRY_LATER_S = 6 * 3600  # ... up to this
MAX_ATTEMPTS = 10 * TRIES_PER_RUN  # then the event is given up (its error stays visible in `alerts events`)
CLAIM_LEASE = timedelta(
    minutes=10
)  # outlasts one batch's tries, so a concurrent deliverer skips claimed events
BATCH = 100  # events claimed at a time
# The URL is left out of errors: webhook URLs often carry tokens, and errors are shown in the API.
REBOUND = "refused: the webhook's host resolved to a loopback or private address when connecting"
RUN_BUDGET_S = (
    120.0  # one run (the end of a fetch pass) spends at most this long; the rest waits for the next
)


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    delivered: int = 0
    failed: int = 0  # will be retried by a later run
    given_up: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Outcome:
    ok: bool
    tries: int
    error: str = ""
    wait_s: float = 0.0  # how long the receiver asked us to wait before the next try


def signature(body: bytes, secret: str) -> str:
    """The ``X-Osiwire-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _stamp(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def payload(event: AlertEvent, title_en: str) -> dict[str, Any]:
    """The JSON a webhook receives."""
    return {
        "rule": event.rule,
        "release": {
            "id": event.release_id,
            "url": event.url,
            "title": event.title,
            "title_en": title_en,
            "published": _stamp(event.published),
            "source": event.source,
            "region": event.region,
        },
        "reason": event.reason,
        "fired_at": _stamp(event.fired_at),
    }


def check_target(url: str, allow_private: bool) -> None:
    """Refuse, when a rule is added, a webhook whose host is a loopback or private IP (or localhost).

    Names are resolved only when posting (DNS may change, and adding a rule must work offline).
    """
    if allow_private:
        return
    try:
        host = httpx.URL(url).host
    except httpx.InvalidURL as exc:
        raise AlertError(f"webhook {url[:80]!r}: {exc}") from None
    if host.casefold() == "localhost" or host.casefold().endswith(".localhost"):
        raise AlertError(f"webhook host {host!r}: loopback refused (set fetch.allow_private_addresses)")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if addresses.is_forbidden_address(address):
        raise AlertError(
            f"webhook host {host!r}: not a public address, refused (set fetch.allow_private_addresses)"
        )


def _refusal(url: str, allow_private: bool) -> str:
    """Why ``url`` must not be posted to ("" when it may): the SSRF check of the fetcher, for webhooks."""
    if allow_private:
        return ""
    try:
        parsed = httpx.URL(url)
        found = addresses.resolve(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))
    except (OSError, UnicodeError, ValueError, httpx.InvalidURL) as exc:
        return f"cannot resolve the webhook's host: {exc}"
    if any(addresses.is_forbidden_address(a) for a in found):
        # The URL itself is left out: webhook URLs often carry tokens, and errors are shown in the API.
        return "refused: the webhook's host is a loopback or private address (fetch.allow_private_addresses)"
    return ""


class _Run:
    """One delivery run: its client, clock, time budget and what it did."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        http: httpx.Client,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        now: datetime | None,
    ) -> None:
        self.store, self.settings, self.http, self.sleep, self.clock = store, settings, http, sleep, clock
        self.now = now
        self.deadline = clock() + RUN_BUDGET_S
        self.report = DeliveryReport()
        self.down: set[int] = set()  # rules whose webhook failed in this run

    def time(self) -> datetime:
        return self.now or datetime.now(UTC)

    def post(self, rule: Rule, body: bytes, headers: dict[str, str]) -> _Outcome:
        """Up to ``TRIES_PER_RUN`` POSTs of one event, within the run's time budget."""
        error, wait = "", 0.0
        for attempt in range(1, TRIES_PER_RUN + 1):
            refusal = _refusal(rule.webhook_url, self.settings.fetch.allow_private_addresses)
            if refusal:
                return _Outcome(False, attempt, refusal)
            wait = FIRST_BACKOFF_S * 2 ** (attempt - 1)
            try:
                response = self.http.post(rule.webhook_url, content=body, headers=headers)
            except FetchError:  # the pinned transport: the name now resolves to a private address
                return _Outcome(False, attempt, REBOUND)
            except httpx.TransportError as exc:  # timeouts included
                error = f"network error: {str(exc) or type(exc).__name__}"
            else:
                if response.is_success:
                    return _Outcome(True, attempt)
                error = f"HTTP {response.status_code}"
                if response.status_code != 429 and response.status_code < 500:
                    return _Outcome(False, attempt, error + " (not retried: the receiver refused it)")
                asked = retry_after_seconds(response.headers.get("retry-after"))
                if asked is not None:
                    wait = asked
                    if asked > self.settings.fetch.max_retry_after_s:  # too long for this run
                        return _Outcome(False, attempt, f"{error}, Retry-After {asked:.0f}s", asked)
            if attempt == TRIES_PER_RUN or self.clock() + wait > self.deadline:
                return _Outcome(False, attempt, error, wait)
            logger.info("webhook of rule %s: %s; retrying in %.1fs", rule.name, error, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def deliver(self, event: AlertEvent, rule: Rule) -> None:
        """Send one event and record the outcome."""
        if rule.id in self.down:  # its receiver failed a moment ago: wait for a later run, spend no attempt
            self.store.alerts.postpone(event.id, self._retry_at(event, 0, 0.0) or self.time())
            self.report.failed += 1
            return
        body = json.dumps(
            payload(event, english_title(self.store, event.release_id)), ensure_ascii=False
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": self.settings.fetch.user_agent,
            "X-Osiwire-Event": EVENT,
            "X-Osiwire-Delivery": str(event.id),
        }
        if rule.secret:
            headers["X-Osiwire-Signature"] = signature(body, rule.secret)
        outcome = self.post(rule, body, headers)
        attempts = event.attempts + outcome.tries
        if outcome.ok:
            self.store.alerts.delivered(event.id, attempts, self.time())
            self.report.delivered += 1
            return
        retry_at = self._retry_at(event, outcome.tries, outcome.wait_s)
        self.store.alerts.failed(event.id, attempts, outcome.error, retry_at)
        if rule.id is not None:
            self.down.add(rule.id)
        message = f"rule {rule.name}, release {event.release_id}: {outcome.error}"
        self.report.errors.append(message)
        if retry_at is None:
            self.report.given_up += 1
            logger.warning("webhook given up after %d attempts: %s", attempts, message)
        else:
            self.report.failed += 1
            logger.warning("webhook failed (retried after %s): %s", retry_at.isoformat(), message)

    def _retry_at(self, event: AlertEvent, tries: int, wait_s: float) -> datetime | None:
        if event.attempts + tries >= MAX_ATTEMPTS:
            return None
        later = min(RETRY_LATER_S * 2 ** min(event.attempts // TRIES_PER_RUN, 16), MAX_RETRY_LATER_S)
        return self.time() + timedelta(seconds=max(later, wait_s))


def deliver_pending(
    store: Store,
    settings: Settings,
    client: httpx.Client | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: datetime | None = None,
) -> DeliveryReport:
    """Send every alert whose webhook is due; failures are kept and retried by later runs."""
    http = client or httpx.Client(
        # Each connection goes to the addresses checked for it (DNS rebinding); proxies work as before.
        transport=PinnedTransport(allow_private=settings.fetch.allow_private_addresses),
        mounts=proxy_mounts(),
        timeout=WEBHOOK_TIMEOUT_S,
        follow_redirects=False,
    )
    run = _Run(store, settings, http, sleep, clock, now)
    try:
        done: set[int] = set()
        while clock() < run.deadline:
            claimed = [
                (e, r) for e, r in store.alerts.claim(run.time(), CLAIM_LEASE, BATCH) if e.id not in done
            ]
            if not claimed:
                break
            for event, rule in claimed:
                done.add(event.id)
                if clock() < run.deadline:
                    run.deliver(event, rule)
                else:  # out of time: hand the claim back for the next run
                    store.alerts.postpone(event.id, run.time())
    finally:
        if client is None:
            http.close()
    return run.report
