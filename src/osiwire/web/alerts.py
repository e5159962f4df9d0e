"""Alerts on the web: Atom feeds of fired alerts, the JSON API of rules and events, and (with the bearer
token) adding and removing rules.

Rules are shown without their secrets and webhook URLs (those often carry a token of the receiver).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from osiwire.alerts.delivery import check_target
from osiwire.alerts.events import AlertEvent
from osiwire.alerts.rules import (
    MAX_SECRET_CHARS,
    MAX_TEXT_CHARS,
    AlertError,
    Rule,
    SearchRule,
    definition_dict,
    describe,
    rule_from_mapping,
)
from osiwire.store.alerts import MAX_EVENTS
from osiwire.web.auth import WRITE_ERRORS, require_token
from osiwire.web.deps import WebState, web_state
from osiwire.web.feeds import ATOM_MEDIA_TYPE, ATOM_NS, TAG_DATE, XML_INVALID_RE
from osiwire.web.render import safe_href
from osiwire.web.results import request_root
from osiwire.web.schemas import ErrorOut

API_PREFIX = "/api/v1"
FEED_ENTRIES = 50  # a feed reader polls often; the newest alerts are what it needs

router = APIRouter()
WebDep = Annotated[WebState, Depends(web_state)]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class AlertRuleOut(_Out):
    """An alert rule (a saved search is a rule of kind `search`)."""

    name: str = Field(description="The rule's name (also in its feed URL).")
    kind: str = Field(description="`search`, `person`, `role`, `topic`, `spike` or `breaking`.")
    definition: dict[str, str] = Field(description="The rule's keys, as in a rule file.")
    description: str = Field(description="What the rule fires on, in words.")
    webhook: bool = Field(description="Whether alerts are also POSTed to a webhook (its URL is not shown).")
    enabled: bool
    created_at: datetime | None
    events: int = Field(description="How many releases it fired on.")
    feed: str = Field(description="The Atom feed of its alerts.")


class AlertReleaseOut(_Out):
    """The release an alert fired on."""

    id: int
    url: str
    title: str
    published: datetime | None
    source: str
    region: str


class AlertEventOut(_Out):
    """An alert: a rule fired on a release (once per rule and release)."""

    id: int
    rule: str
    release: AlertReleaseOut
    version: int | None = Field(description="The version of the release it fired on.")
    reason: str = Field(description="Why it fired, in words.")
    fired_at: datetime
    status: str = Field(
        description="`delivered`, `pending` (webhook), `failed` (given up) or `feed` (no webhook)."
    )
    delivered_at: datetime | None
    attempts: int = Field(description="Webhook attempts so far.")
    last_error: str = Field(description="Why the last webhook attempt failed, if it did.")


def _rule_out(rule: Rule, counts: dict[str, int], root: str) -> AlertRuleOut:
    return AlertRuleOut(
        name=rule.name,
        kind=rule.kind,
        definition=definition_dict(rule.definition),
        description=describe(rule.definition),
        webhook=bool(rule.webhook_url),
        enabled=rule.enabled,
        created_at=rule.created_at,
        events=counts.get(rule.name, 0),
        feed=f"{root}/feeds/alerts/{quote(rule.name)}.atom",
    )


def _event_out(e: AlertEvent) -> AlertEventOut:
    release = AlertReleaseOut(
        id=e.release_id, url=e.url, title=e.title, published=e.published, source=e.source, region=e.region
    )
    return AlertEventOut(
        id=e.id,
        rule=e.rule,
        release=release,
        version=e.version_no,
        reason=e.reason,
        fired_at=e.fired_at,
        status=e.status,
        delivered_at=e.delivered_at,
        attempts=e.attempts,
        last_error=e.last_error,
    )


def _known_rule(web: WebState, name: str) -> Rule:
    try:
        return web.store.alerts.get(name)
    except AlertError:
        raise HTTPException(404, detail=f"alert rule {name[:100]!r}: not found") from None


# -- Atom -------------------------------------------------------------------------------------------------------


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: XML_INVALID_RE.sub("", v) for k, v in attrs.items()})
    if text is not None:
        element.text = XML_INVALID_RE.sub("", text)
    return element


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def render_alerts_atom(events: list[AlertEvent], title: str, self_url: str, base_url: str) -> str:
    """Fired alerts as an Atom 1.0 feed, newest first."""
    host = re.sub(r"[^A-Za-z0-9.-]", "", base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0])
    feed = ET.Element("feed", xmlns=ATOM_NS)
    _add(feed, "id", self_url)
    _add(feed, "title", title)
    _add(feed, "updated", _stamp(max((e.fired_at for e in events), default=datetime.now(UTC))))
    _add(feed, "link", rel="self", type=ATOM_MEDIA_TYPE.split(";")[0], href=self_url)
    _add(_add(feed, "author"), "name", "osiwire")
    _add(feed, "generator", "osiwire")
    for e in events:
        entry = _add(feed, "entry")
        # One entry per event: the same release fired by two rules is two alerts.
        _add(entry, "id", f"tag:{host or 'localhost'},{TAG_DATE}:osiwire/alert/{e.id}")
        _add(entry, "title", f"{e.rule}: {e.title or '(untitled)'}", type="text")
        _add(entry, "updated", _stamp(e.fired_at))
        if e.published:
            _add(entry, "published", _stamp(e.published))
        _add(_add(entry, "author"), "name", e.source or "osiwire")
        _add(entry, "link", rel="alternate", type="text/html", href=f"{base_url}/releases/{e.release_id}")
        if original := safe_href(e.url):
            _add(entry, "link", rel="related", type="text/html", href=original)
        _add(entry, "category", term=e.rule)
        _add(entry, "summary", e.reason, type="text")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")


def _feed(request: Request, web: WebState, rule: str | None) -> Response:
    events = web.store.alerts.events(rule, limit=FEED_ENTRIES)
    base_url = str(request.base_url).rstrip("/")
    self_url = base_url + request.url.path.removeprefix(request_root(request))
    title = f"osiwire alerts: {rule}" if rule else "osiwire alerts"
    return Response(render_alerts_atom(events, title, self_url, base_url), media_type=ATOM_MEDIA_TYPE)


@router.get("/feeds/alerts.atom", include_in_schema=False)
def alerts_feed(request: Request, web: WebDep) -> Response:
    """An Atom feed of every fired alert, newest first."""
    return _feed(request, web, None)


@router.get("/feeds/alerts/{rule}.atom", include_in_schema=False)
def rule_feed(request: Request, web: WebDep, rule: str) -> Response:
    """An Atom feed of one rule's alerts."""
    return _feed(request, web, _known_rule(web, rule).name)


# -- JSON API ---------------------------------------------------------------------------------------------------

ERRORS_404: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "No such rule."}}


@router.get(
    API_PREFIX + "/alerts",
    response_model=list[AlertRuleOut],
    tags=["api"],
    summary="Alert rules and saved searches",
    description="Every alert rule (saved searches are rules of kind `search`), without secrets or webhook URLs.",
)
def list_rules(request: Request, web: WebDep) -> list[AlertRuleOut]:
    counts = web.store.alerts.counts()
    return [_rule_out(r, counts, request_root(request)) for r in web.store.alerts.rules()]


@router.get(
    API_PREFIX + "/alerts/events",
    response_model=list[AlertEventOut],
    responses=ERRORS_404,
    tags=["api"],
    summary="Fired alerts",
    description="Alerts newest first: the rule, the release, why it fired, and the webhook delivery state.",
)
def list_events(
    web: WebDep,
    rule: Annotated[str | None, Query(max_length=100, description="Only this rule's alerts.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_EVENTS, description="Alerts per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Alerts to skip.")] = 0,
) -> list[AlertEventOut]:
    if rule is not None:
        _known_rule(web, rule)
    return [_event_out(e) for e in web.store.alerts.events(rule, limit=limit, offset=offset)]


@router.get(
    API_PREFIX + "/alerts/{rule}",
    response_model=AlertRuleOut,
    responses=ERRORS_404,
    tags=["api"],
    summary="One alert rule",
    description="An alert rule by name, without its secret or webhook URL.",
)
def get_rule(
    request: Request, web: WebDep, rule: Annotated[str, Path(max_length=100, description="Rule name.")]
) -> AlertRuleOut:
    return _rule_out(_known_rule(web, rule), web.store.alerts.counts(), request_root(request))


# -- write routes (bearer token) --------------------------------------------------------------------------------


class AlertRuleIn(BaseModel):
    """A rule to add: as a rule file, with the kind's keys under `definition`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(max_length=100, description="Unique name: letters, digits, `.`, `-`, `_`.")
    kind: str = Field(
        max_length=16, description="`search`, `person`, `role`, `topic`, `spike` or `breaking`."
    )
    definition: dict[str, str] = Field(
        max_length=10,
        description='The kind\'s keys, e.g. `{"position": "министр обороны", "country": "RU"}`.',
    )
    webhook: str = Field("", max_length=MAX_TEXT_CHARS, description="POST each alert here (http or https).")
    secret: str = Field(
        "", max_length=MAX_SECRET_CHARS, description="HMAC key of the signature; required with a webhook."
    )
    enabled: bool = True


@router.post(
    API_PREFIX + "/alerts",
    response_model=AlertRuleOut,
    status_code=201,
    dependencies=[Depends(require_token)],
    responses={
        400: {"model": ErrorOut, "description": "Bad rule."},
        **WRITE_ERRORS,
        409: {"model": ErrorOut, "description": "Name taken."},
    },
    tags=["api"],
    summary="Add an alert rule",
    description="Add a rule (or a saved search: kind `search`), validated as `osiwire alerts add` does. Needs the bearer token.",
)
def add_rule(request: Request, web: WebDep, body: AlertRuleIn) -> AlertRuleOut:
    data = {
        **body.definition,
        "kind": body.kind,
        "webhook": body.webhook,
        "secret": body.secret,
        "enabled": body.enabled,
    }
    try:
        rule = rule_from_mapping(data, name=body.name, where="definition")
        if rule.webhook_url and not rule.secret:
            raise AlertError("secret: required with a webhook (receivers verify X-Osiwire-Signature with it)")
        check_target(rule.webhook_url, web.settings.fetch.allow_private_addresses)
    except AlertError as exc:
        raise HTTPException(400, detail=str(exc)) from exc
    if isinstance(rule.definition, SearchRule):  # a malformed query is a 400 now, not a broken rule later
        web.store.search(rule.definition.query, rule.definition.filters(), limit=1)
    if body.name in {r.name for r in web.store.alerts.rules()}:
        raise HTTPException(409, detail=f"alert rule {body.name!r}: exists (remove it first)")
    added = web.store.alerts.add(rule, datetime.now(UTC))
    return _rule_out(added, {}, request_root(request))


@router.delete(
    API_PREFIX + "/alerts/{rule}",
    status_code=204,
    response_class=Response,
    dependencies=[Depends(require_token)],
    responses={**ERRORS_404, **WRITE_ERRORS},
    tags=["api"],
    summary="Remove an alert rule",
    description="Remove a rule and its alerts. Needs the bearer token.",
)
def remove_rule(
    web: WebDep, rule: Annotated[str, Path(max_length=100, description="Rule name.")]
) -> Response:
    web.store.alerts.remove(_known_rule(web, rule).name)
    return Response(status_code=204)
