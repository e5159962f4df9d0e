"""A server process leaves what its start made out of garbage collection; an app inside another program (tests,
an embedding application) leaves the collector alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from osiwire.config import load_settings
from osiwire.web.app import create_app


@pytest.fixture
def collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_a_server_freezes_its_start_once_it_has_started(tmp_path: Path, collector: None) -> None:
    gc.unfreeze()
    app = create_app(load_settings(tmp_path), server=True)
    assert gc.get_freeze_count() == 0  # not before its start
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 0


def test_an_app_in_another_program_leaves_the_collector_alone(tmp_path: Path, collector: None) -> None:
    gc.unfreeze()
    before = gc.get_threshold()
    with TestClient(create_app(load_settings(tmp_path))) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == before
