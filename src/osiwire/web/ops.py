"""Operations: ``/healthz`` and Prometheus ``/metrics`` (store counts, queue depths, pipeline stage times,
HTTP requests per route).

The exposition format is written by hand: a dozen lines of text do not justify prometheus_client. Request
counts live in this process (each worker of a multi-process server counts its own requests); store counts,
queue depths and stage times are read from the database on every scrape (cheap queries on indexes): the
pipeline runs in other processes and writes its stage times there once per pass.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from osiwire.store.stages import PipelineStats
from osiwire.store.stats import queue_depths, store_counts
from osiwire.web.deps import WebState, web_state

logger = logging.getLogger(__name__)

METRICS_MEDIA_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Prometheus' default buckets: from a cached page (5 ms) to a cold full-text search over a large store.
LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "(unmatched)"  # the route label of 404s: raw paths would make one series per typo

router = APIRouter(include_in_schema=False)
WebDep = Annotated[WebState, Depends(web_state)]


@dataclass
class _Latency:
    buckets: list[int]
    total_s: float = 0.0
    count: int = 0


@dataclass
class RequestMetrics:
    """Request counts and latency per (method, route template); one per app, shared with its middleware."""

    requests: dict[tuple[str, str, int], int] = field(default_factory=dict)
    latency: dict[tuple[str, str], _Latency] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self.lock:
            key = (method, route, status)
            self.requests[key] = self.requests.get(key, 0) + 1
            found = self.latency.setdefault((method, route), _Latency([0] * len(LATENCY_BUCKETS_S)))
            index = bisect.bisect_left(LATENCY_BUCKETS_S, seconds)
            if index < len(LATENCY_BUCKETS_S):
                found.buckets[index] += 1
            found.total_s += seconds
            found.count += 1

    def exposition(self) -> list[str]:
        """The request metrics in the Prometheus text format."""
        with self.lock:
            requests = sorted(self.requests.items())
            latency = sorted(
                (k, _Latency(list(v.buckets), v.total_s, v.count)) for k, v in self.latency.items()
            )
        lines = [
            "# HELP osiwire_http_requests_total HTTP requests answered, by method, route and status.",
            "# TYPE osiwire_http_requests_total counter",
        ]
        for (method, route, status), n in requests:
            lines.append(
                f"osiwire_http_requests_total{_labels(method=method, route=route, status=str(status))} {n}"
            )
        lines += [
            "# HELP osiwire_http_request_duration_seconds Time to answer HTTP requests, by method and route.",
            "# TYPE osiwire_http_request_duration_seconds histogram",
        ]
        name = "osiwire_http_request_duration_seconds"
        for (method, route), found in latency:
            cumulative = 0
            for bound, n in zip(LATENCY_BUCKETS_S, found.buckets, strict=True):
                cumulative += n
                lines.append(
                    f"{name}_bucket{_labels(method=method, route=route, le=str(bound))} {cumulative}"
                )
            lines.append(f"{name}_bucket{_labels(method=method, route=route, le='+Inf')} {found.count}")
            lines.append(f"{name}_sum{_labels(method=method, route=route)} {found.total_s:.6f}")
            lines.append(f"{name}_count{_labels(method=method, route=route)} {found.count}")
        return lines


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _template(scope: Scope, root: str) -> str:
    """The route a request matched, as its template: few label values, whatever the ids in paths."""
    route = scope.get("route")  # the router leaves the matched route in the scope
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if template:
        return str(template)
    if "endpoint" in scope:  # a mounted app (the static files) extends root_path by its mount path
        return str(scope.get("root_path", "")).removeprefix(root) or UNMATCHED
    return UNMATCHED


class RequestTiming:
    """ASGI middleware counting and timing each HTTP request under its route template."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        root = str(scope.get("root_path", ""))
        status = 500  # what the server answers when the app fails before starting a response

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            self.metrics.observe(scope["method"], _template(scope, root), status, time.perf_counter() - start)


def store_metrics(web: WebState) -> list[str]:
    """What the store holds, in the Prometheus text format."""
    counts = store_counts(web.store.db)
    health = [({"health": "ok"}, counts.sources_ok), ({"health": "failing"}, counts.sources_failing)]
    statuses = [({"status": k}, v) for k, v in sorted(counts.translations.items())]
    return [
        *_gauge("osiwire_releases", "Releases stored.", [({}, counts.releases)]),
        *_gauge(
            "osiwire_versions",
            "Versions stored (each distinct content of a release).",
            [({}, counts.versions)],
        ),
        *_gauge("osiwire_sources", "Registered sources by fetch health.", health),
        *_gauge(
            "osiwire_fetch_errors",
            "Consecutive failed checks, summed over sources.",
            [({}, counts.fetch_errors)],
        ),
        *_gauge("osiwire_translations", "Stored translations by status.", statuses),
        *_gauge(
            "osiwire_enriched_releases",
            "Releases whose current version is enriched.",
            [({}, counts.enriched_releases)],
        ),
        *_gauge(
            "osiwire_stage_failures",
            "Items a pipeline stage failed on and has not yet succeeded on (retried by the next passes).",
            [({"stage": s.stage}, s.count) for s in web.store.failures.summary()],
        ),
    ]


def queue_metrics(web: WebState) -> list[str]:
    """What waits for each stage of the pipeline, in the Prometheus text format."""
    target = web.settings.translate.target_language
    depths = queue_depths(web.store.db, target, datetime.now(UTC))
    return _gauge(
        "osiwire_queue_depth",
        "Work waiting for a pipeline stage: current versions not enriched, not translated (another language "
        "than the target), translations awaiting a retry, alert webhooks undelivered, those being retried, "
        "sources due for a fetch.",
        [
            ({"queue": "enrich"}, depths.not_enriched),
            ({"queue": "translate"}, depths.not_translated),
            ({"queue": "translate_retry"}, depths.translation_retries),
            ({"queue": "deliver"}, depths.alerts_undelivered),
            ({"queue": "deliver_retry"}, depths.alerts_retrying),
            ({"queue": "fetch"}, depths.sources_due),
        ],
    )


def search_cache_metrics(web: WebState) -> list[str]:
    """The search cache of this process (each worker of a multi-process server has its own)."""
    cache = web.store.search_cache
    if cache is None:
        return []
    stats = cache.stats()
    return (
        _sample_lines(
            "osiwire_search_cache_lookups_total",
            "counter",
            "Searches answered by this process, from its cache (hit) or evaluated (miss).",
            [({"result": "hit"}, str(stats.hits)), ({"result": "miss"}, str(stats.misses))],
        )
        + _gauge(
            "osiwire_search_cache_entries",
            "Searches kept evaluated by this process, and the matches they hold.",
            [({"kind": "searches"}, stats.entries), ({"kind": "matches"}, stats.matches)],
        )
        + _sample_lines(
            "osiwire_search_index_refresh_seconds_total",
            "counter",
            "Time this process spent reading changes into its facet index, and how many times it did.",
            [({"kind": "seconds"}, f"{stats.refresh_s:.6f}"), ({"kind": "count"}, str(stats.refreshes))],
        )
    )


def pipeline_metrics(web: WebState) -> list[str]:
    """The pipeline's stage times (written by the pipeline's processes), in the Prometheus text format."""
    stats = PipelineStats(web.store.db)
    totals = stats.totals()
    last = stats.last_finished()
    return [
        *_sample_lines(
            "osiwire_pipeline_stage_seconds_total",
            "counter",
            "Seconds spent in each pipeline stage (worker seconds: fetch and extract run in parallel).",
            [({"stage": t.stage}, f"{t.seconds:.6f}") for t in totals],
        ),
        *_sample_lines(
            "osiwire_pipeline_stage_items_total",
            "counter",
            "Items each pipeline stage handled (entries listed, pages fetched, documents extracted, articles "
            "stored, versions enriched and translated, releases checked against alert rules, webhooks sent).",
            [({"stage": t.stage}, str(t.items)) for t in totals],
        ),
        *_sample_lines(
            "osiwire_pipeline_stage_passes_total",
            "counter",
            "Pipeline passes (over a source, an archive, the alert deliveries) in which each stage ran.",
            [({"stage": t.stage}, str(t.passes)) for t in totals],
        ),
        *_sample_lines(
            "osiwire_pipeline_last_run_timestamp_seconds",
            "gauge",
            "When the last pipeline pass of each kind finished (Unix time).",
            [({"kind": kind}, f"{at.timestamp():.3f}") for kind, at in sorted(last.items())],
        ),
    ]


def _gauge(name: str, help_text: str, samples: Iterable[tuple[dict[str, str], int]]) -> list[str]:
    return _sample_lines(name, "gauge", help_text, [(labels, str(value)) for labels, value in samples])


def _sample_lines(
    name: str, kind: str, help_text: str, samples: Iterable[tuple[dict[str, str], str]]
) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{_labels(**labels) if labels else ''} {value}" for labels, value in samples]
    return lines


@router.get("/healthz")
def healthz(web: WebDep) -> JSONResponse:
    """200 when the database answers, else 503."""
    try:
        count = web.store.releases.count()
    except Exception as exc:  # whatever the driver raises, the answer is "unhealthy", not a 500
        logger.warning("healthz: database unreachable: %s: %s", exc.__class__.__name__, exc)
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "releases": count})


@router.get("/metrics")
def metrics(request: Request, web: WebDep) -> PlainTextResponse:
    """Prometheus metrics: store counts, queue depths, pipeline stage times and HTTP requests per route."""
    requests: RequestMetrics = request.app.state.metrics
    lines = store_metrics(web) + queue_metrics(web) + pipeline_metrics(web) + search_cache_metrics(web)
    lines += requests.exposition()
    body = "\n".join(lines) + "\n"
    return PlainTextResponse(body, media_type=METRICS_MEDIA_TYPE)
