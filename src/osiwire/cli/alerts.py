"""osiwire alerts (rules, test, events, delivery) and osiwire searches (saved searches: rules of kind search)."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from osiwire.alerts.delivery import check_target, deliver_pending
from osiwire.alerts.evaluate import evaluate_stored, would_fire
from osiwire.alerts.events import AlertEvent
from osiwire.alerts.rules import (
    KINDS,
    AlertError,
    Rule,
    SearchRule,
    check_name,
    check_webhook,
    definition_dict,
    describe,
    load_rule_file,
    parse_definition,
)
from osiwire.alerts.watches import thresholds
from osiwire.cli.base import EXIT_PARTIAL, Context, cli, errors_as_lines, parse_day, to_json
from osiwire.store import Store

SECRET_BYTES = 32  # a generated webhook secret: 256 bits, as long as the HMAC-SHA256 key needs
CHECK_DAYS = 1  # `alerts check` looks this far back unless told otherwise

FILTER_OPTIONS: list[Callable[[Any], Any]] = [
    click.option("--lang", "language", default=None, help="search: language of the release."),
    click.option("--region", default=None, help="search, topic: region of the source."),
    click.option("--source", default=None, help="search: source name or id."),
    click.option("--since", default=None, help="search: published on or after (YYYY-MM-DD)."),
    click.option("--until", default=None, help="search: published on or before (YYYY-MM-DD)."),
    click.option("--organisation", default=None, help="search: an organisation the release names."),
    click.option(
        "--mentions-country", "mentions_country", default=None, help="search: a country it mentions."
    ),
]
DELIVERY_OPTIONS: list[Callable[[Any], Any]] = [
    click.option("--webhook", default="", help="POST each alert here (http/https)."),
    click.option("--secret", default="", help="HMAC key of X-Osiwire-Signature (generated when omitted)."),
]


def _options(options: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    def decorate(f: Any) -> Any:
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


def _store_rule(obj: Context, store: Store, rule: Rule) -> Rule:
    """Check the webhook, generate a secret for it when none was given, store the rule and say so."""
    check_webhook(rule.webhook_url)
    if rule.webhook_url:
        check_target(rule.webhook_url, obj.settings.fetch.allow_private_addresses)
    generated = bool(rule.webhook_url and not rule.secret)
    if generated:
        rule = replace(rule, secret=secrets.token_hex(SECRET_BYTES))
    if isinstance(rule.definition, SearchRule):
        store.search(rule.definition.query, rule.definition.filters(), limit=1)  # a bad query fails now
    stored = store.alerts.add(rule, datetime.now(UTC))
    click.echo(f"added {stored.kind} rule {stored.name}: {describe(stored.definition)}")
    if generated:
        click.echo(f"webhook secret (shown once; verify X-Osiwire-Signature with it): {stored.secret}")
    return stored


def _rule_json(rule: Rule, events: int) -> dict[str, Any]:
    return {
        "name": rule.name,
        "kind": rule.kind,
        "definition": definition_dict(rule.definition),
        "description": describe(rule.definition),
        "webhook": bool(rule.webhook_url),  # never the URL: it often carries a token
        "enabled": rule.enabled,
        "created_at": rule.created_at,
        "events": events,
    }


def _event_json(e: AlertEvent) -> dict[str, Any]:
    return {
        "id": e.id, "rule": e.rule, "release_id": e.release_id, "version": e.version_no, "title": e.title,
        "url": e.url, "published": e.published, "source": e.source, "region": e.region, "reason": e.reason,
        "fired_at": e.fired_at, "status": e.status, "delivered_at": e.delivered_at, "attempts": e.attempts,
        "last_error": e.last_error, "next_attempt_at": e.next_attempt_at,
    }  # fmt: skip


@cli.group()
def alerts() -> None:
    """Alert rules: saved searches, people, roles and topics; fired once per release, by webhook and Atom."""


@alerts.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(list(KINDS)), default=None, help="What the rule fires on.")
@click.option("--rule", "rule_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Read the rule from a TOML or JSON file instead of options.")  # fmt: skip
@click.option("--query", default=None, help="search: the query (search syntax).")
@click.option(
    "--person",
    default=None,
    help="person: a name in any script, or a person key; search: a person filter (id or key).",
)
@click.option("--position", default=None, help="role: regex over the participant's position.")
@click.option(
    "--country", default=None, help="search: source country; role: the participant's; topic: about."
)
@click.option("--with-country", "with_country", default=None, help="role: someone from this country too.")
@click.option("--of", default=None, help="spike: topic, person, organisation, country or source.")
@click.option(
    "--key", default=None, help="spike: one topic, person, organisation, country or source (default: any)."
)
@click.option("--factor", default=None, help="spike: times the baseline (default: stories.spike_factor).")
@click.option("--min-count", "min_count", default=None, help="spike: releases in the window at least.")
@click.option(
    "--sources", default=None, help="breaking: distinct sources (default: stories.breaking_sources)."
)
@click.option("--minutes", default=None, help="breaking: within minutes (default: stories.breaking_minutes).")
@click.option("--topic", default=None, help="topic: topic id or label; search: a topic filter (id).")
@_options(FILTER_OPTIONS)
@_options(DELIVERY_OPTIONS)
@click.option("--disabled", is_flag=True, help="Store the rule switched off.")
@click.pass_obj
def add(obj: Context, /, name: str, kind: str | None, rule_file: Path | None, webhook: str, secret: str,
        disabled: bool, **given: str | None) -> None:  # fmt: skip
    """Add a rule NAME (options, or --rule FILE)."""
    keys = {k: v for k, v in given.items() if v is not None}
    with errors_as_lines(), obj.store() as store:
        if rule_file is not None:
            if keys:
                raise AlertError(f"--rule {rule_file}: give the rule in the file or as options, not both")
            rule = load_rule_file(rule_file, name=check_name(name))
            if kind and kind != rule.kind:
                raise AlertError(f"--rule {rule_file}: kind {rule.kind!r} in the file, --kind {kind!r}")
            rule = replace(rule, webhook_url=webhook or rule.webhook_url, secret=secret or rule.secret)
        else:
            if kind is None:
                raise AlertError(f"rule {name!r}: give --kind ({'|'.join(KINDS)}) or --rule FILE")
            try:
                definition = parse_definition(kind, keys)
            except AlertError as exc:
                raise AlertError(f"rule {name!r}: {exc}") from None
            rule = Rule(check_name(name), definition, webhook, secret)
        _store_rule(obj, store, replace(rule, enabled=rule.enabled and not disabled))


@alerts.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON array (secrets and webhook URLs left out).")
@click.pass_obj
def list_(obj: Context, as_json: bool) -> None:
    """Rules, what they fire on, and how often they fired."""
    with errors_as_lines(), obj.store() as store:
        rules, counts = store.alerts.rules(), store.alerts.counts()
    _print_rules(rules, counts, as_json)


def _print_rules(rules: list[Rule], counts: dict[str, int], as_json: bool) -> None:
    if as_json:
        click.echo(to_json([_rule_json(r, counts.get(r.name, 0)) for r in rules]))
        return
    if not rules:
        click.echo("no rules (add one with `osiwire alerts add`)", err=True)
    for r in rules:
        flags = ("  [webhook]" if r.webhook_url else "") + ("" if r.enabled else "  [disabled]")
        click.echo(click.style(f"{r.name} ({r.kind})", bold=True) + f"  {counts.get(r.name, 0)} fired{flags}")
        click.echo(f"    {describe(r.definition)}")


@alerts.command("remove")
@click.argument("name")
@click.pass_obj
def remove(obj: Context, name: str) -> None:
    """Remove a rule and its events."""
    with errors_as_lines(), obj.store() as store:
        rule = store.alerts.remove(name)
    click.echo(f"removed rule {rule.name}")


@alerts.command("test")
@click.argument("rule_name_or_file")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON array of {id, url, title, published, reason}.")
@click.pass_obj
def test(obj: Context, rule_name_or_file: str, limit: int, as_json: bool) -> None:
    """Which stored releases a rule (stored, or a rule file) would have fired on, and why; records nothing."""
    path = Path(rule_name_or_file)
    with errors_as_lines(), obj.store() as store:
        if path.suffix.lower() in (".toml", ".json") and path.is_file():
            rule = load_rule_file(path)
        else:
            rule = store.alerts.get(rule_name_or_file)
        matches = would_fire(store, rule.definition, limit=limit, thresholds=thresholds(obj.settings))
    if as_json:
        click.echo(to_json([
            {"id": m.release_id, "version": m.version_no, "url": m.url, "title": m.title,
             "published": m.published, "reason": m.reason}
            for m in matches
        ]))  # fmt: skip
        return
    click.echo(f"{len(matches)} release(s) would have fired: {describe(rule.definition)}", err=True)
    for m in matches:
        when = m.published.date().isoformat() if m.published else "undated"
        click.echo(click.style(f"#{m.release_id} {when} {m.title}", bold=True))
        click.echo(f"    {m.reason}")
        click.echo(f"    {m.url}")


@alerts.command("events")
@click.option("--rule", default=None, help="Only this rule's events.")
@click.option("--pending", is_flag=True, help="Only events waiting for webhook delivery.")
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON array of events with their delivery state.")
@click.pass_obj
def events(obj: Context, rule: str | None, pending: bool, limit: int, as_json: bool) -> None:
    """Fired alerts, newest first, with their delivery state."""
    with errors_as_lines(), obj.store() as store:
        if rule is not None:
            store.alerts.get(rule)  # an unknown rule is an error, not an empty list
        found = store.alerts.events(rule, limit=limit, status="pending" if pending else None)
    if as_json:
        click.echo(to_json([_event_json(e) for e in found]))
        return
    for e in found:
        error = f" ({e.attempts} attempt(s): {e.last_error})" if e.last_error else ""
        click.echo(f"{e.fired_at:%Y-%m-%d %H:%M} {e.rule} #{e.release_id} [{e.status}{error}] {e.title}")
        click.echo(f"    {e.reason}")


@alerts.command("deliver")
@click.pass_obj
def deliver(obj: Context) -> None:
    """Send the webhooks that are due now (a fetch pass does this too)."""
    with errors_as_lines(), obj.store() as store:
        report = deliver_pending(store, obj.settings)
    click.echo(
        f"{report.delivered} delivered, {report.failed} failed (retried later), {report.given_up} given up"
    )
    for error in report.errors:
        click.echo(f"  {error}", err=True)
    sys.exit(EXIT_PARTIAL if report.errors else 0)


@alerts.command("check")
@click.option("--since", default=None, help=f"YYYY-MM-DD (default: the last {CHECK_DAYS} day).")
@click.pass_obj
def check(obj: Context, since: str | None) -> None:
    """Evaluate the enabled rules on stored releases and record what fires (each rule once per release)."""
    start = parse_day(since) or datetime.now(UTC) - timedelta(days=CHECK_DAYS)
    with errors_as_lines(), obj.store() as store:
        fired = evaluate_stored(store, start, thresholds=thresholds(obj.settings))
    click.echo(f"{len(fired)} alert(s) fired")
    for f in fired:
        click.echo(f"  {f.rule} #{f.release_id}: {f.reason}")


# -- saved searches: rules of kind "search" --------------------------------------------------------------------


@cli.group()
def searches() -> None:
    """Saved searches (alert rules of kind search: same events, feeds and webhooks)."""


@searches.command("save")
@click.argument("name")
@click.argument("query", default="")
@click.option("--country", default=None, help="Country of the source (ISO 3166-1 alpha-2).")
@click.option("--topic", default=None, help="A topic id the release has.")
@click.option("--person", default=None, help="A person (id or key) the release names.")
@_options(FILTER_OPTIONS)
@_options(DELIVERY_OPTIONS)
@click.pass_obj
def save(obj: Context, /, name: str, query: str, webhook: str, secret: str, **given: str | None) -> None:
    """Save QUERY (and filters) as NAME."""
    keys = {k: v for k, v in {"query": query, **given}.items() if v}
    with errors_as_lines(), obj.store() as store:
        _store_rule(obj, store, Rule(check_name(name), parse_definition("search", keys), webhook, secret))


@searches.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON array (secrets and webhook URLs left out).")
@click.pass_obj
def list_searches(obj: Context, as_json: bool) -> None:
    """Saved searches."""
    with errors_as_lines(), obj.store() as store:
        rules, counts = store.alerts.rules(kind="search"), store.alerts.counts()
    _print_rules(rules, counts, as_json)
