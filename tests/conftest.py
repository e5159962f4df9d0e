"""Shared fixtures."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from pg import Cluster, postgres_bin

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "tests" / "data"
SHARED_ENV = "OSIWIRE_SHARED_DATA"

# Property tests (tests/test_fuzz_*.py): "ci", the default, keeps the suite's time reasonable; "fuzz" (make fuzz,
# HYPOTHESIS_PROFILE=fuzz) draws thousands of texts per test. No deadline: a 100k-character text through NER
# takes most of a second, and timings on a shared CI machine vary. Examples are not stored between runs in CI
# (derandomize keeps "ci" runs repeatable); a failing example is printed with its seed either way.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _find_shared_data() -> Path:
    """Real material lives beside the checkout (CI lays a copy of shared/ next to the clone); a clone of a local
    checkout made elsewhere (a temporary directory) finds it beside the checkout it was cloned from; or
    $OSIWIRE_SHARED_DATA names it."""
    beside = ROOT.parent / "shared" / "data"
    if os.environ.get(SHARED_ENV):
        return Path(os.environ[SHARED_ENV])
    if beside.is_dir():
        return beside
    try:
        origin = subprocess.run(
            ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        origin = ""
    cloned_from = Path(origin.removeprefix("file://")) if origin else None
    if (
        cloned_from is not None
        and cloned_from.is_absolute()
        and (cloned_from.parent / "shared" / "data").is_dir()
    ):
        return cloned_from.parent / "shared" / "data"
    return beside


SHARED_DATA = _find_shared_data()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(
            f"{SHARED_DATA}: shared data folder missing (it sits beside the checkout, or set {SHARED_ENV})"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for the session (tests/pg.py). Skipped where PostgreSQL is not installed,
    except in CI (``CI=true``), where a backend skipped must not look like one that passed."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        message = "PostgreSQL server programs not found (Debian: apt-get install postgresql)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    cluster = Cluster(bin_dir)
    try:
        cluster.prepare_template()
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh store on each backend: an SQLite file, and a database of its own on the session's
    PostgreSQL cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'osiwire.db'}"
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database()
    try:
        yield url
    finally:
        cluster.drop(url)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def module_store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """As ``store_url``, one store for a whole module (a module that seeds a corpus once)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'osiwire.db'}"
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database()
    try:
        yield url
    finally:
        cluster.drop(url)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the quality figures tests recorded with ``record_property("quality", ...)``."""
    lines = [
        f"{report.nodeid}: {value}"
        for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        if report.when == "call"
        for name, value in report.user_properties
        if name == "quality"
    ]
    if lines:
        terminalreporter.section("quality gates")
        for line in lines:
            terminalreporter.write_line(line)
