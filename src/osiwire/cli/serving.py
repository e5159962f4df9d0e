"""osiwire serve, demo."""

from __future__ import annotations

import os

import click

from osiwire.cli.base import (
    Context,
    cli,
    errors_as_lines,
)
from osiwire.cli.ingest import _report
from osiwire.config import Settings
from osiwire.pipeline import Pipeline
from osiwire.progress import progress_for
from osiwire.store import Store

# -- serving --------------------------------------------------------------------------------------------------


def _serve(settings: Settings, host: str | None, port: int | None, workers: int | None = None) -> None:
    import uvicorn

    from osiwire.web.app import SETTINGS_ENV, create_app

    host, port = host or settings.web.host, port or settings.web.port
    count = workers if workers is not None else settings.web.workers
    count = count or os.cpu_count() or 1
    plural = "es" if count > 1 else ""
    click.echo(f"serving on http://{host}:{port}/ with {count} process{plural}  (Ctrl-C stops)", err=True)
    if count == 1:
        uvicorn.run(create_app(settings, server=True), host=host, port=port, log_level="warning")
        return
    # Each worker process builds its app from the same settings, handed over in the environment.
    os.environ[SETTINGS_ENV] = settings.model_dump_json()
    uvicorn.run(
        "osiwire.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=count,
        log_level="warning",
    )


@cli.command("serve")
@click.option("--host", default=None, help="Default from settings: 127.0.0.1.")
@click.option("--port", type=int, default=None, help="Default from settings: 8000.")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Server processes (0: one per CPU). Default from settings: 1.",
)
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web UI and the JSON API."""
    with errors_as_lines():
        Store(obj.settings.database).close()  # create/migrate before the first request
        _serve(obj.settings, host, port, workers)


@cli.command("demo")
@click.option("--serve/--no-serve", "do_serve", default=True, help="Serve the web UI afterwards.")
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.pass_obj
def demo(obj: Context, do_serve: bool, host: str | None, port: int | None) -> None:
    """Ingest the bundled demo corpus (offline), then serve it."""
    from osiwire.demo import demo_memory, demo_sources
    from osiwire.store.memory import SqlMemory
    from osiwire.translate.tmx_import import import_tmx

    with errors_as_lines(), obj.store() as store:
        tmx, origin = demo_memory()  # first, so the UN release is translated as it arrives
        click.echo(import_tmx(tmx, SqlMemory(store.db), origin).describe(), err=True)
        pipeline = Pipeline(obj.settings, store)
        reports = []
        try:
            with progress_for("demo") as progress:
                for source in demo_sources():
                    registered = store.sources.add(source, update_existing=True)
                    reports.append(pipeline.run_source(registered, progress))
        finally:
            pipeline.close()  # its worker processes end before the server starts
        _report(reports)
        click.echo(f"{store.releases.count()} releases in {obj.settings.data_dir}", err=True)
    if do_serve:
        with errors_as_lines():
            _serve(obj.settings, host, port)
