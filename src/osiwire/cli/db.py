"""``osiwire db``: the database itself: migrate it, copy it to another backend."""

from __future__ import annotations

import time

import click

from osiwire.cli.base import Context, cli, errors_as_lines
from osiwire.progress import progress_for
from osiwire.store.copy import copy_store
from osiwire.store.database import Database, safe_url
from osiwire.store.migrations import MIGRATIONS, current_version


@cli.group("db")
def db() -> None:
    """The database: migrate it, copy it to another backend."""


@db.command("migrate")
@click.pass_obj
def migrate(obj: Context, /) -> None:
    """Bring the database's schema up to date (every command does this on opening it; this does nothing else)."""
    url = obj.settings.database
    with errors_as_lines():
        # Read the version before Database migrates it; a new database reads as 0.
        probe = Database(url, migrate_schema=False)
        try:
            with probe.writing() as conn:
                before = current_version(conn)
        finally:
            probe.close()
        Database(url).close()
    click.echo(f"{safe_url(url)}: schema version {len(MIGRATIONS)} (was {before})")


@db.command("copy")
@click.option("--from", "source", metavar="URL", help="The store to copy [default: this data directory's].")
@click.option("--to", "target", metavar="URL", required=True, help="The database to copy it into.")
@click.pass_obj
def copy(obj: Context, /, source: str | None, target: str) -> None:
    """Copy a whole store into another database (e.g. sqlite:///… to postgresql://…): batched, resumable (run
    it again after an interruption), verified by row counts and content hashes at the end."""
    source = source or obj.settings.database
    started = time.perf_counter()
    with errors_as_lines(), progress_for("copy") as progress:
        state = {"done": 0, "sized": False}

        def report(done: int, total: int) -> None:
            if not state["sized"]:
                progress.add_total(total)
                state["sized"] = True
            progress.advance(done - int(state["done"]))
            state["done"] = done

        checks = copy_store(source, target, report)
    rows = sum(c.target_rows for c in checks)
    spent = time.perf_counter() - started
    click.echo(
        f"copied {safe_url(source)} to {safe_url(target)}: {len(checks)} tables, {rows:,} rows, counts and "
        f"content hashes equal ({spent:.1f} s)"
    )
