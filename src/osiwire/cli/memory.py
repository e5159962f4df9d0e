"""osiwire memory import / export: the translation memory as TMX."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from osiwire.cli.base import Context, cli, errors_as_lines, fail, to_json


@cli.group()
def memory() -> None:
    """The translation memory: import human translations from TMX, export it as TMX."""


@memory.command("import")
@click.argument("tmx_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--origin", default="", help="Where the translations come from, as the reader sees it [file, tool]."
)
@click.option("--json", "as_json", is_flag=True, help="The counts as JSON.")
@click.pass_obj
def memory_import(obj: Context, tmx_file: Path, origin: str, as_json: bool) -> None:
    """Import the human translations of a TMX file (1.4; OmegaT, Trados, memoQ, Okapi), all or nothing."""
    from osiwire.store.memory import SqlMemory
    from osiwire.translate.tmx_import import import_tmx

    with errors_as_lines(), obj.store() as store:
        done = import_tmx(tmx_file, SqlMemory(store.db), " ".join(origin.split()))
    click.echo(to_json(done.report()) if as_json else done.describe())


@memory.command("export")
@click.option("--pair", default="", help="Only this language pair, e.g. ru-en.")
@click.option("--human", "human_only", is_flag=True, help="Only human translations, not engines' output.")
@click.pass_obj
def memory_export(obj: Context, pair: str, human_only: bool) -> None:
    """Write the translation memory as TMX 1.4 to stdout (entries whose source sentence is kept)."""
    from osiwire import __version__
    from osiwire.store.memory import SqlMemory
    from osiwire.translate.memory import HUMAN_ENGINE
    from osiwire.translate.tmx import map_language, write_tmx

    source_lang = target_lang = ""
    if pair:
        parts = pair.split("-")
        if len(parts) != 2 or not all(map_language(p) == p for p in parts):
            fail(f"--pair {pair!r}: expected two language codes joined by '-', e.g. ru-en")
        source_lang, target_lang = parts
    with errors_as_lines(), obj.store() as store:
        entries = (
            stored.entry
            for stored in SqlMemory(store.db).entries(source_lang, target_lang)
            if not human_only or stored.entry.key.engine == HUMAN_ENGINE
        )
        written = write_tmx(entries, sys.stdout.buffer, tool_version=__version__, created=datetime.now(UTC))
        sys.stdout.buffer.flush()
    click.echo(f"{written} unit(s) exported", err=True)
