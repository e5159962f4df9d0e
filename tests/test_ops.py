"""Operations: /healthz and Prometheus /metrics (store counts, requests and latency per route)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from enriched_store import NOW, Seeded, seed
from osiwire.config import load_settings
from osiwire.model import Translation
from osiwire.store import Store
from osiwire.web.app import create_app
from osiwire.web.ops import LATENCY_BUCKETS_S, RequestMetrics

SAMPLE_RE = re.compile(r'^([a-z_]+)(\{(?:[a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+)$')


@pytest.fixture()
def seeded(tmp_path: Path) -> Iterator[tuple[TestClient, Store, Seeded]]:
    store = Store("sqlite:///" + str(tmp_path / "db.sqlite"))
    ids = seed(store)
    with TestClient(create_app(load_settings(tmp_path, environ={}), store=store)) as client:
        yield client, store, ids
    store.close()


def _samples(text: str) -> dict[str, float]:
    """Every sample line of an exposition, keyed by name and labels; fails on a malformed line."""
    samples: dict[str, float] = {}
    typed: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in {"counter", "gauge", "histogram"}
            typed.add(name)
            continue
        if line.startswith("# HELP "):
            continue
        match = SAMPLE_RE.match(line)
        assert match, line
        name = match.group(1)
        assert any(name == t or name.startswith(t + "_") for t in typed), f"{name} has no # TYPE"
        samples[name + (match.group(2) or "")] = float(match.group(3))
    return samples


def test_healthz(seeded: tuple[TestClient, Store, Seeded]) -> None:
    client = seeded[0]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "releases": 6}


def test_healthz_when_the_database_is_gone(
    seeded: tuple[TestClient, Store, Seeded], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, store, _ = seeded

    def unreachable() -> int:
        raise OperationalError("SELECT count(*) FROM releases", {}, Exception("unable to open database file"))

    monkeypatch.setattr(store.releases, "count", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_store_metrics(seeded: tuple[TestClient, Store, Seeded]) -> None:
    client, store, ids = seeded
    failing = store.sources.get(ids.akorda)
    store.sources.record_error(failing, NOW, "HTTP 503")
    store.sources.record_error(failing, NOW, "HTTP 503")
    store.translations.save(ids.council, 1, Translation("en", (), "untranslated", "no engine"), NOW)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = _samples(response.text)
    assert samples["osiwire_releases"] == 6
    assert samples["osiwire_versions"] == 7  # "edited" has two
    assert samples['osiwire_sources{health="ok"}'] == 2
    assert samples['osiwire_sources{health="failing"}'] == 1
    assert samples["osiwire_fetch_errors"] == 2
    assert samples['osiwire_translations{status="complete"}'] == 1
    assert samples['osiwire_translations{status="untranslated"}'] == 1
    assert samples["osiwire_enriched_releases"] == 4  # council, talks, astana, hostile; not "edited" v2


def test_request_metrics_per_route(seeded: tuple[TestClient, Store, Seeded]) -> None:
    client, _, ids = seeded
    for _ in range(3):
        client.get(f"/releases/{ids.talks}")
    client.get(f"/releases/{ids.council}")
    client.get("/api/v1/search", params={"q": "-x"})
    client.get("/no/such/page/" + "x" * 50)
    client.get("/static/style.css")
    samples = _samples(client.get("/metrics").text)
    requests = "osiwire_http_requests_total"
    # One series per route template, whatever the id: raw paths would grow without bound.
    assert samples[f'{requests}{{method="GET",route="/releases/{{release_id}}",status="200"}}'] == 4
    assert samples[f'{requests}{{method="GET",route="/api/v1/search",status="400"}}'] == 1
    assert samples[f'{requests}{{method="GET",route="(unmatched)",status="404"}}'] == 1
    assert samples[f'{requests}{{method="GET",route="/static",status="200"}}'] == 1
    assert not any("no/such" in key for key in samples)
    histogram = "osiwire_http_request_duration_seconds"
    labels = 'method="GET",route="/releases/{release_id}"'
    buckets = [samples[f'{histogram}_bucket{{{labels},le="{bound}"}}'] for bound in LATENCY_BUCKETS_S]
    assert buckets == sorted(buckets)  # cumulative
    assert (
        samples[f'{histogram}_bucket{{{labels},le="+Inf"}}'] == samples[f"{histogram}_count{{{labels}}}"] == 4
    )
    assert samples[f"{histogram}_sum{{{labels}}}"] > 0


@pytest.mark.parametrize(
    ("seconds", "bucket"),
    [(0.0, 0.005), (0.005, 0.005), (0.0051, 0.01), (0.3, 0.5), (10.0, 10.0)],
)
def test_histogram_buckets_are_upper_bounds(seconds: float, bucket: float) -> None:
    metrics = RequestMetrics()
    metrics.observe("GET", "/x", 200, seconds)
    samples = _samples("\n".join(metrics.exposition()))
    counts = {
        bound: samples[
            f'osiwire_http_request_duration_seconds_bucket{{method="GET",route="/x",le="{bound}"}}'
        ]
        for bound in LATENCY_BUCKETS_S
    }
    assert next(b for b, n in counts.items() if n == 1) == bucket
    assert all(n == (1 if b >= bucket else 0) for b, n in counts.items())


def test_slow_request_counts_only_in_inf() -> None:
    metrics = RequestMetrics()
    metrics.observe("GET", "/x", 200, 60.0)
    text = "\n".join(metrics.exposition())
    assert 'le="10.0"} 0' in text and 'le="+Inf"} 1' in text


def test_label_values_are_escaped() -> None:
    metrics = RequestMetrics()
    metrics.observe("GET", 'a"b\\c\nd', 200, 0.1)
    text = "\n".join(metrics.exposition())
    assert 'route="a\\"b\\\\c\\nd"' in text
    _samples(text)


def test_ops_routes_are_not_in_the_api_schema(seeded: tuple[TestClient, Store, Seeded]) -> None:
    paths = seeded[0].get("/api/v1/openapi.json").json()["paths"]
    assert not {"/healthz", "/metrics"} & set(paths)


def test_search_cache_metrics(seeded: tuple[TestClient, Store, Seeded]) -> None:
    client = seeded[0]
    for _ in range(3):
        assert client.get("/search", params={"q": "Москва"}).status_code == 200
    samples = _samples(client.get("/metrics").text)
    # Each page asks for its hits and its facets: one evaluation, then answers from the cache.
    assert samples['osiwire_search_cache_lookups_total{result="miss"}'] == 1
    assert samples['osiwire_search_cache_lookups_total{result="hit"}'] == 5
    assert samples['osiwire_search_cache_entries{kind="searches"}'] == 1
    assert samples['osiwire_search_cache_entries{kind="matches"}'] == 3
    assert samples['osiwire_search_index_refresh_seconds_total{kind="count"}'] >= 1
