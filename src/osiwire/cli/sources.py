"""osiwire sources …: the source registry."""

from __future__ import annotations

import sys
from dataclasses import asdict, replace
from pathlib import Path

import click

from osiwire.cli.base import (
    EXIT_PARTIAL,
    Context,
    cli,
    errors_as_lines,
    fail,
    to_json,
)
from osiwire.model import Source, SourceKind

# -- sources --------------------------------------------------------------------------------------------------


@cli.group()
def sources() -> None:
    """The source registry."""


@sources.command("add")
@click.argument("url")
@click.option("--kind", type=click.Choice([k.value for k in SourceKind]), required=True)
@click.option("--name", required=True)
@click.option("--region", default="", help='e.g. "Russian Federation", "International".')
@click.option("--country", default="", help="ISO 3166-1 alpha-2 code.")
@click.option("--lang", "language", default="", help="ISO 639-1 code of the source's main language.")
@click.option("--org", "organisation", default="", help="Publishing organisation.")
@click.option("--selector", default="", help="html: CSS selector of article links.")
@click.option("--url-pattern", default="", help="html/sitemap: regex an article URL must match.")
@click.option("--interval", "interval_s", type=int, default=None, help="Seconds between checks.")
@click.pass_obj
def sources_add(
    obj: Context,
    /,
    url: str,
    kind: str,
    name: str,
    region: str,
    country: str,
    language: str,
    organisation: str,
    selector: str,
    url_pattern: str,
    interval_s: int | None,
) -> None:
    """Register a source."""
    from osiwire.collect.registry import validate_source

    with errors_as_lines(), obj.store() as store:
        source = validate_source(
            Source(
                name=name,
                url=url,
                kind=SourceKind(kind),
                region=region,
                country=country,
                language=language,
                organisation=organisation,
                selector=selector,
                url_pattern=url_pattern,
                interval_s=interval_s or obj.settings.default_interval_s,
            )
        )
        added = store.sources.add(source)
    click.echo(f"added source #{added.id}: {added.name}")


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON array with health fields.")
@click.pass_obj
def sources_list(obj: Context, as_json: bool) -> None:
    """List sources and their fetch health."""
    with errors_as_lines(), obj.store() as store:
        rows = store.sources.list_all()
        health = store.sources.all_health()
    if as_json:
        out = []
        for s in rows:
            h = health.get(s.id or 0)
            out.append(
                {**asdict(s), **({k: v for k, v in asdict(h).items() if k != "source_id"} if h else {})}
            )
        click.echo(to_json(out))
        return
    for s in rows:
        h = health.get(s.id or 0)
        state = f"errors={h.error_count}" if h and h.error_count else "ok"
        click.echo(f"{s.id:>4}  {s.kind:<8} {s.name:<40} {s.region:<24} {s.language:<3} {state}  {s.url}")


@sources.command("check")
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="A JSON array, one object per source.")
@click.pass_obj
def sources_check(obj: Context, names: tuple[str, ...], as_json: bool) -> None:
    """Dry-run sources (all, or those named or numbered): listing, entries, one page; nothing is stored."""
    from osiwire.collect.check import check_line, check_sources

    with errors_as_lines(), obj.store() as store:
        todo = [store.sources.get(name) for name in names] if names else store.sources.list_all()
        if not todo:
            fail("no sources to check: add some with `osiwire sources add` or `osiwire sources add-defaults`")
        results = check_sources(obj.settings, store, todo)
    if as_json:
        click.echo(to_json([{**asdict(r), "ok": r.ok} for r in results]))
    else:
        for result in results:
            click.echo(check_line(result))
    failed = sum(not r.ok for r in results)
    click.echo(f"{len(results) - failed} of {len(results)} source(s) ok", err=True)
    sys.exit(EXIT_PARTIAL if failed else 0)


@sources.command("remove")
@click.argument("source_id")
@click.pass_obj
def sources_remove(obj: Context, source_id: str) -> None:
    """Remove a source (its releases stay)."""
    with errors_as_lines(), obj.store() as store:
        removed = store.sources.remove(source_id)
    click.echo(f"removed source #{removed.id}: {removed.name}")


def _import_sources(obj: Context, found: list[Source]) -> None:
    with obj.store() as store:
        for source in found:
            store.sources.add(replace(source, interval_s=source.interval_s), update_existing=True)
    click.echo(f"imported {len(found)} source(s)")


@sources.command("import-opml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def sources_import_opml(obj: Context, file: Path) -> None:
    """Import sources from an OPML file (existing ones with the same URL or name are updated)."""
    from osiwire.collect.registry import sources_from_opml

    with errors_as_lines():
        _import_sources(obj, sources_from_opml(file.read_bytes()))


@sources.command("export-opml")
@click.pass_obj
def sources_export_opml(obj: Context) -> None:
    """Print the registry as OPML."""
    from osiwire.collect.registry import sources_to_opml

    with errors_as_lines(), obj.store() as store:
        click.echo(sources_to_opml(store.sources.list_all()))


@sources.command("import-toml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def sources_import_toml(obj: Context, file: Path) -> None:
    """Import sources from a TOML file ([[source]] tables)."""
    from osiwire.collect.registry import sources_from_toml

    with errors_as_lines():
        _import_sources(obj, sources_from_toml(file.read_text(encoding="utf-8")))


@sources.command("export-toml")
@click.pass_obj
def sources_export_toml(obj: Context) -> None:
    """Print the registry as TOML."""
    from osiwire.collect.registry import sources_to_toml

    with errors_as_lines(), obj.store() as store:
        click.echo(sources_to_toml(store.sources.list_all()))


@sources.command("add-defaults")
@click.pass_obj
def sources_add_defaults(obj: Context) -> None:
    """Register the bundled list of official sources (Kremlin, MFA, Security Council, CSTO, CIS, SCO, ...)."""
    from osiwire.collect.registry import load_default_sources

    with errors_as_lines():
        _import_sources(obj, load_default_sources())
