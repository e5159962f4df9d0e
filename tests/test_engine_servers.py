"""Two running web servers (two processes) on one store, each with its own search index following the change
log: a release stored is searchable on both within 5 s; two writers racing lose no release and make no 500."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from enriched_store import seed
from factories import make_article
from osiwire.config import load_settings
from osiwire.store import Store

FRESH_S = 5.0  # the goal: a release stored is searchable within this
START_S = 60.0  # a server's start on a busy machine, at most


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSIWIRE_")}
    command = [sys.executable, "-m", "osiwire", "--data-dir", str(directory), "serve"]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return server, f"http://127.0.0.1:{port}"


def _wait_healthy(server: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        assert server.poll() is None, "osiwire serve exited"
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{base}: no answer in {START_S:.0f} s")


def _total(base: str, query: str) -> int:
    response = httpx.get(base + "/api/v1/search", params={"q": query}, timeout=10)
    assert response.status_code == 200, (base, query, response.status_code, response.text[:200])
    total: int = response.json()["total"]
    return total


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    directory = tmp_path_factory.mktemp("servers")
    with Store(load_settings(directory, environ={}).database) as store:
        seed(store)
    started = [_serve(directory) for _ in range(2)]
    try:
        for server, base in started:
            _wait_healthy(server, base)
            assert _total(base, "Москва") > 0  # its index built (a small store: before the first answer)
        yield directory, [base for _, base in started]
    finally:
        for server, _ in started:
            server.terminate()
        for server, _ in started:
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_each_server_keeps_its_own_index(servers: tuple[Path, list[str]]) -> None:
    directory, _ = servers
    slots = sorted(p.name for p in (directory / "search").glob("slot-*") if (p / "meta.json").exists())
    assert slots == ["slot-0", "slot-1"]


def test_a_release_stored_is_searchable_on_both_servers_within_5_s(servers: tuple[Path, list[str]]) -> None:
    directory, bases = servers
    with Store(load_settings(directory, environ={}).database) as store:
        assert all(_total(base, "кулебяка") == 0 for base in bases)
        store.releases.save(make_article("https://example.org/fresh", "Кулебяка", ["Кулебяки в Москве."]))
    stored = time.monotonic()
    for base in bases:
        while _total(base, "кулебяки") != 1:
            assert time.monotonic() - stored < FRESH_S, (
                f"{base}: not searchable {FRESH_S:.0f} s after it was stored"
            )
            time.sleep(0.05)


def _write(directory: Path, writer: int, count: int) -> int:
    with Store(load_settings(directory, environ={}).database) as store:
        for n in range(count):
            article = make_article(
                f"https://example.org/race/{writer}/{n}",
                f"Расстегай {writer}-{n}",
                [f"Расстегаи, партия {n}."],
            )
            store.releases.save(article)
    return count


def test_two_writers_racing_lose_nothing_and_the_servers_never_answer_500(
    servers: tuple[Path, list[str]],
) -> None:
    directory, bases = servers
    per_writer = 40
    statuses: list[int] = []
    with ThreadPoolExecutor(3) as pool:
        # Two writer processes (as two pipelines would be), while both servers are searched.
        writers = [
            pool.submit(
                subprocess.run,
                [
                    sys.executable,
                    "-c",
                    f"import sys; sys.path[:0] = {sys.path!r}; "
                    f"from test_engine_servers import _write; _write({str(directory)!r}, {w}, {per_writer})",
                ],
                check=True,
                capture_output=True,
            )
            for w in range(2)
        ]
        while not all(w.done() for w in writers):
            for base in bases:
                for path in ("/search?q=расстегай", "/api/v1/search?q=расстегай&sort=date", "/releases/1"):
                    statuses.append(httpx.get(base + path, timeout=10).status_code)
        for w in writers:
            w.result()
    assert statuses and set(statuses) <= {200}, sorted(set(statuses))
    with Store(load_settings(directory, environ={}).database) as store:
        stored = {h.url for h in store.search("расстегай", limit=500).hits}
    assert len(stored) == 2 * per_writer
    deadline = time.monotonic() + FRESH_S
    for base in bases:
        while _total(base, "расстегай") != 2 * per_writer:
            assert time.monotonic() < deadline, (
                f"{base}: {_total(base, 'расстегай')} of {2 * per_writer} found"
            )
            time.sleep(0.05)
