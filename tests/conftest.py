"""Shared fixtures."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "tests" / "data"
SHARED_ENV = "OSIWIRE_SHARED_DATA"


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
