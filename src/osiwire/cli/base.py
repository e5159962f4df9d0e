"""The ``osiwire`` command group and what its commands share.

Exit codes: 0 success; 1 an error (one line on stderr naming the input and the reason); 2 bad usage;
3 partial success (some sources or items failed; the rest was stored).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from osiwire.config import Settings, load_settings
from osiwire.errors import OsiwireError
from osiwire.logs import setup_logging
from osiwire.store import Store

EXIT_ERROR, EXIT_PARTIAL = 1, 3
SCHEDULER_TICK_S = 30.0  # how often `osiwire run` looks for due sources


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings

    def store(self) -> Store:
        store = Store(self.settings.database)
        directory = self.settings.search_index_dir
        if store.db.dialect != "sqlite" and directory is not None:  # PostgreSQL searches through the engine
            store.enable_search_engine(directory)
        return store


def fail(message: str) -> NoReturn:
    click.echo(f"osiwire: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@contextmanager
def errors_as_lines() -> Iterator[None]:
    """Turn osiwire's own errors into one line on stderr and exit 1."""
    try:
        yield
    except OsiwireError as exc:
        fail(str(exc))


def to_json(value: Any) -> str:
    return json.dumps(
        value,
        ensure_ascii=False,
        indent=2,
        default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o),
    )


def parse_day(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)", param_hint="--since") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="OSIWIRE_DATA_DIR",
    default=None,
    help="Database and osiwire.toml live here [env OSIWIRE_DATA_DIR; default ./osiwire-data].",
)
@click.option(
    "--database-url",
    default=None,
    metavar="URL",
    help="The store: sqlite:///path or postgresql://user@host/db [setting database_url; env OSIWIRE_DATABASE_URL; "
    "default SQLite in the data directory].",
)
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="osiwire")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, database_url: str | None, verbose: int) -> None:
    """osiwire: a self-hosted newswire of official releases, in their languages and in English."""
    setup_logging(verbose)
    overrides: dict[str, Any] = {"database_url": database_url} if database_url else {}
    with errors_as_lines():
        ctx.obj = Context(load_settings(data_dir, **overrides))
