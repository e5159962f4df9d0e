"""A throwaway PostgreSQL cluster for tests: initdb in a temporary directory, listening on a Unix socket there
only (no TCP port to collide with), stopped and deleted at the end of the session.

PostgreSQL refuses to run as root: as root, the server programs run as the ``postgres`` user (``runuser``).
Each test gets a database of its own, copied from a migrated template (``CREATE DATABASE ... TEMPLATE``: a
file copy, much faster than migrating again).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from sqlalchemy import make_url

if TYPE_CHECKING:
    from osiwire.store import Store

SERVER_SETTINGS = (
    # A test cluster holds nothing worth an fsync; a crash loses the session, nothing else.
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=300",  # tests open many stores at once (pools of a few connections each)
    "shared_buffers=32MB",  # one cluster per test process (pytest -n auto): keep each small
    # No parallel query: its dynamic shared memory lives in /dev/shm, which containers keep tiny (64 MB).
    "max_parallel_workers_per_gather=0",
)
START_TIMEOUT_S = 60
TEMPLATE = "osiwire_template"
PREFIX = "osiwire-pg-"  # the temporary directories of the clusters
OWNER = "owner.pid"  # in each: the test process that started it


def postgres_bin() -> Path | None:
    """The directory of PostgreSQL's server programs (the newest Debian one, else those on PATH)."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if debian:
        return debian[-1].parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


class Cluster:
    """One running PostgreSQL server in a temporary directory."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self._as_postgres = os.geteuid() == 0
        self._stop_orphans()
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX))
        (self.root / OWNER).write_text(str(os.getpid()), encoding="ascii")
        self.data = self.root / "data"
        self.socket_dir = self.root
        if self._as_postgres:
            shutil.chown(self.root, user="postgres", group="postgres")
        self._names = itertools.count(1)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()

    def _stop_orphans(self) -> None:
        """Stop and delete the clusters of test processes that died without stopping theirs (killed: the server
        outlives them, as pg_ctl detaches it)."""
        for owner in Path(tempfile.gettempdir()).glob(f"{PREFIX}*/{OWNER}"):
            try:
                os.kill(int(owner.read_text(encoding="ascii")), 0)
                continue  # its test process is alive
            except ProcessLookupError:
                pass
            except (OSError, ValueError):
                continue
            data = owner.parent / "data"
            if (data / "postmaster.pid").exists():
                try:
                    self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
                except RuntimeError:
                    continue
            shutil.rmtree(owner.parent, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip() or done.stdout}")

    def start(self) -> None:
        options = " ".join(
            [f"-c {s}" for s in SERVER_SETTINGS]
            + ["-c listen_addresses=''", f"-c unix_socket_directories={self.socket_dir}"]
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database``."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(
            dbname="postgres", user="postgres", host=str(self.socket_dir), autocommit=True
        ) as c:
            c.execute(sql)

    def prepare_template(self) -> None:
        """A migrated database new test databases are copied from."""
        from osiwire.store import Store

        self._admin(f"CREATE DATABASE {TEMPLATE}")
        Store(self.url(TEMPLATE)).close()

    def new_database(self) -> str:
        """A fresh, migrated database of its own; returns its URL."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def empty_database(self) -> str:
        """A fresh database without osiwire's schema; returns its URL."""
        name = f"empty_{os.getpid()}_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def searchable(store: Store, directory: Path) -> Store:
    """``store`` with its searches answered by the search engine (index in ``directory``) where it is not an
    SQLite store (on SQLite, tests search through SQL: the reference)."""
    if store.db.dialect != "sqlite":
        store.enable_search_engine(directory / "search")
    return store
