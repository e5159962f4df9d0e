"""osiwire fetch, run, import: the pipeline over sources and archives."""

from __future__ import annotations

import logging
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import click

from osiwire.cli.base import (
    EXIT_PARTIAL,
    SCHEDULER_TICK_S,
    Context,
    cli,
    errors_as_lines,
)
from osiwire.errors import OsiwireError
from osiwire.failing import describe
from osiwire.model import Source, SourceKind
from osiwire.pipeline import PassReport, Pipeline
from osiwire.progress import progress_for

logger = logging.getLogger(__name__)
# -- ingest ---------------------------------------------------------------------------------------------------


def _report(reports: list[PassReport]) -> int:
    """Print one line per source; the exit code the run deserves."""
    partial = False
    for r in reports:
        if r.error:
            click.echo(f"{r.source}: FAILED: {r.error}", err=True)
            partial = True
            continue
        if r.not_modified:
            click.echo(f"{r.source}: not modified")
            continue
        click.echo(
            f"{r.source}: {r.entries} entries, {r.new} new, {r.updated} updated, {r.unchanged} unchanged, "
            f"{r.known} already stored, {r.failed} failed"
        )
        partial = partial or r.failed > 0
    return EXIT_PARTIAL if partial else 0


@cli.command("fetch")
@click.option("--source", "source_key", default=None, help="Only this source (id or name), due or not.")
@click.pass_obj
def fetch(obj: Context, source_key: str | None) -> None:
    """One pass over the due sources through the whole pipeline."""
    with errors_as_lines(), obj.store() as store:
        pipeline = Pipeline(obj.settings, store)
        try:
            with progress_for("fetch") as progress:
                reports = pipeline.fetch(source_key, progress)
        finally:
            pipeline.close()
    if not reports:
        click.echo("no source is due")
    sys.exit(_report(reports))


class _Stop:
    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        click.echo("stopping after the current source…", err=True)


@cli.command("run")
@click.option(
    "--tick", type=float, default=SCHEDULER_TICK_S, show_default=True, help="Seconds between looks."
)
@click.pass_obj
def run(obj: Context, tick: float) -> None:
    """The scheduler loop: fetch sources as they fall due, until Ctrl-C."""
    stop = _Stop()
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    with errors_as_lines(), obj.store() as store:
        pipeline = Pipeline(obj.settings, store)
        try:
            while not stop.requested:
                try:
                    for source in store.sources.due(datetime.now(UTC)):
                        if stop.requested:
                            break
                        _report([pipeline.run_source(source)])
                    if not stop.requested:
                        pipeline.retry_failed()
                        pipeline.deliver_alerts()
                except Exception as exc:  # the service keeps going; the next tick tries again
                    logger.error("run: pass failed: %s", describe(exc))
                deadline = time.monotonic() + tick
                while not stop.requested and time.monotonic() < deadline:
                    time.sleep(min(0.5, tick))
        finally:
            pipeline.close()
    click.echo("stopped")


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", "source_name", required=True, help="Source name (created as a file source if new).")
@click.option("--region", default="")
@click.option("--lang", "language", default="")
@click.option("--country", default="")
@click.pass_obj
def import_(obj: Context, file: Path, source_name: str, region: str, language: str, country: str) -> None:
    """Import a JSON Lines archive (url, title, text, optional date per line)."""
    with errors_as_lines(), obj.store() as store:
        try:
            source = store.sources.get(source_name)
        except OsiwireError:
            source = store.sources.add(
                Source(
                    name=source_name,
                    url=file.resolve().as_uri(),
                    kind=SourceKind.FILE,
                    region=region,
                    country=country.upper(),
                    language=language.lower(),
                    enabled=False,  # an archive is imported, not polled
                )
            )
        pipeline = Pipeline(obj.settings, store)
        try:
            with progress_for(f"import {file.name}") as progress:
                report = pipeline.import_archive(file, source, progress)
        finally:
            pipeline.close()  # its worker processes
    sys.exit(_report([report]))
