"""Browser tests: a real ``osiwire serve`` process over a small real corpus, driven in Debian's Chromium.

The session builds a data dir (30 kremlin.ru releases imported, the hand-written hostile corpus fetched as a
``file`` source, a few stored translations, the demo's Universal Declaration with its official English from the
bundled TMX), starts the server on a free loopback port and launches Chromium
through playwright with ``executable_path`` (never a downloaded browser). Tests skip, saying why, only when
/usr/bin/chromium or playwright is missing; CI installs both.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_site import API_TOKEN, ROOT, SCREENSHOTS_ENV, VIEWPORT, Site, Watched

from osiwire.demo import demo_memory, demo_sources
from osiwire.extract.segments import split_sentences
from osiwire.model import SentencePair, Translation
from osiwire.store import Store

HOSTILE_DIR = ROOT / "tests" / "data" / "hostile"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
KREMLIN_LINES = 30
COPIED = 3  # kremlin releases a second source carries word for word
WIRE_SOURCE = "Wire copies"
UDHR_SOURCE = "United Nations (demo)"
HOSTILE_SOURCE = "Hostile <script>window.__pwned=1</script>"
HOSTILE_REGION = '"><svg onload=alert(1)>'
# A translation that carries payloads too: the bilingual view must escape what engines return.
HOSTILE_TARGET = (
    '<script>window.__pwned=1</script><img src=x onerror="alert(1)"> <a href="javascript:alert(1)">x</a>'
)
SERVER_START_S = 60
STORED = "stored.json"  # what _build stored (ids), written last: the data dir is complete


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the web UI in a real Chromium (skipped without one)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _env() -> dict[str, str]:
    """The environment of osiwire processes: OSIWIRE_SCREENSHOTS is this suite's switch, not a setting."""
    return {k: v for k, v in os.environ.items() if k != SCREENSHOTS_ENV} | {"PYTHONUNBUFFERED": "1"}


def _osiwire(data_dir: Path, *args: str) -> None:
    cmd = [sys.executable, "-m", "osiwire", "--data-dir", str(data_dir), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240, check=False, env=_env())
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args)}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")


def _pairs(store: Store, release_id: int, target: str | None) -> Translation:
    """A translation of the first segments: made-up English, or ``target`` (hostile) for every sentence."""
    version = store.releases.get(release_id).current
    pairs: list[SentencePair] = []
    for segment in version.segments[:4]:
        for index, sentence in enumerate(split_sentences(segment.text, segment.language or "ru")[:3]):
            english = target or f"English sentence {index + 1} of paragraph {segment.position}."
            confidence = 0.3 if len(pairs) == 1 else 0.9  # the second pair is marked low
            pairs.append(
                SentencePair(
                    segment.position, index, sentence, english, "ru", "ctranslate2", "test@1", confidence
                )
            )
    return Translation("en", tuple(pairs), "complete")


def _release_ids(data_dir: Path, source_id: int) -> list[int]:
    with closing(sqlite3.connect(data_dir / "osiwire.db")) as conn:
        rows = conn.execute("SELECT id FROM releases WHERE source_id = ? ORDER BY id", (source_id,))
        return [int(row[0]) for row in rows]


def _build(data_dir: Path, shared_data: Path) -> dict[str, Any]:
    archive = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    lines = archive.read_text(encoding="utf-8").splitlines(keepends=True)[:KREMLIN_LINES]
    small = data_dir / "kremlin-30.jsonl"
    small.write_text("".join(lines), encoding="utf-8")
    _osiwire(
        data_dir,
        "import",
        str(small),
        "--source",
        "kremlin.ru",
        "--region",
        "Russian Federation",
        "--lang",
        "ru",
        "--country",
        "RU",
    )
    # A wire syndicating three of those releases word for word: copies ("+N sources") and stories of two sources.
    copies = data_dir / "wire-copies.jsonl"
    copied = [
        json.loads(line) | {"url": f"https://wire.example/copy/{n}"} for n, line in enumerate(lines[:COPIED])
    ]
    copies.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in copied), encoding="utf-8")
    _osiwire(
        data_dir, "import", str(copies), "--source", WIRE_SOURCE, "--region", "Russian Federation", "--lang", "ru",
        "--country", "RU",
    )  # fmt: skip
    _osiwire(
        data_dir,
        "sources",
        "add",
        str(HOSTILE_DIR),
        "--kind",
        "file",
        "--name",
        HOSTILE_SOURCE,
        "--region",
        HOSTILE_REGION,
        "--lang",
        "ru",
    )
    _osiwire(data_dir, "fetch", "--source", HOSTILE_SOURCE)
    # The demo's Universal Declaration with its official English (a TMX memory): a real human translation.
    tmx, origin = demo_memory()
    _osiwire(data_dir, "memory", "import", str(tmx), "--origin", origin)
    (udhr,) = [s for s in demo_sources() if s.name == UDHR_SOURCE]
    _osiwire(
        data_dir, "sources", "add", udhr.url, "--kind", "file", "--name", UDHR_SOURCE, "--lang", "ru",
        "--region", "International", "--org", "United Nations",
    )  # fmt: skip
    _osiwire(data_dir, "fetch", "--source", UDHR_SOURCE)
    now = datetime.now(UTC)
    with Store(f"sqlite:///{data_dir / 'osiwire.db'}") as store:
        kremlin = store.sources.get("kremlin.ru")
        hostile = store.sources.get(HOSTILE_SOURCE)
        un = store.sources.get(UDHR_SOURCE)
        assert kremlin.id is not None and hostile.id is not None and un.id is not None
        (udhr_id,) = _release_ids(data_dir, un.id)
        kremlin_ids = _release_ids(data_dir, kremlin.id)
        hostile_ids = _release_ids(data_dir, hostile.id)
        assert len(kremlin_ids) == KREMLIN_LINES, kremlin_ids
        assert len(hostile_ids) >= 8, hostile_ids  # every page and the feed entries with a web link
        # the releases with the most sentences make the best bilingual page
        richest = sorted(kremlin_ids, key=lambda rid: -len(_pairs(store, rid, None).sentences))[:2]
        for release_id in richest:
            store.translations.save(release_id, 1, _pairs(store, release_id, None), now)
        store.translations.save(hostile_ids[0], 1, _pairs(store, hostile_ids[0], HOSTILE_TARGET), now)
    return {
        "kremlin_source_id": kremlin.id,
        "hostile_source_id": hostile.id,
        "translated_id": richest[0],
        "hostile_translated_id": hostile_ids[0],
        "hostile_ids": hostile_ids,
        "udhr_id": udhr_id,
        "copied_ids": kremlin_ids[:COPIED],
    }


def _built_once(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """The data dir, built by whichever pytest-xdist worker comes first; the others wait, then reuse it."""
    root = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        root = root.parent  # shared by the workers of one run
    data_dir = root / "browser-site"
    with (root / "browser-site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (data_dir / STORED).exists():
            data_dir.mkdir(exist_ok=True)
            stored = _build(data_dir, shared_data)
            (data_dir / STORED).write_text(json.dumps(stored), encoding="utf-8")
    return data_dir


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[Site]:
    data_dir = _built_once(tmp_path_factory, shared_data)
    stored = json.loads((data_dir / STORED).read_text(encoding="utf-8"))
    port = _free_port()
    log = (data_dir / f"serve-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log").open("wb")
    cmd = [sys.executable, "-m", "osiwire", "--data-dir", str(data_dir), "serve"]
    proc = subprocess.Popen(
        [*cmd, "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_env() | {"OSIWIRE_WEB__API_TOKEN": API_TOKEN},
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"osiwire serve exited {proc.returncode}: {Path(log.name).read_text()}")
            try:
                if httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"osiwire serve did not answer /healthz in {SERVER_START_S} s")
            time.sleep(0.1)
        yield Site(base_url=base_url, data_dir=data_dir, **stored)
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` (CI's .ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is missing: `pip install -e '.[dev]'` installs it")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def watched(browser: Any, site: Site) -> Iterator[Watched]:
    context = browser.new_context(viewport=VIEWPORT, base_url=site.base_url, java_script_enabled=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = Watched(page)

    def on_dialog(dialog: Any) -> None:
        found.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda msg: found.console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda exc: found.errors.append(str(exc)))
    try:
        yield found
    finally:
        context.close()


@pytest.fixture
def page(watched: Watched) -> Any:
    return watched.page
