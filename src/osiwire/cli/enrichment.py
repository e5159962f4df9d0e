"""osiwire people, topics test, enrich, analyze."""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

import click

from osiwire.cli.base import EXIT_PARTIAL, Context, cli, errors_as_lines, to_json
from osiwire.errors import OsiwireError
from osiwire.failing import describe, log_failure
from osiwire.progress import progress_for

logger = logging.getLogger(__name__)


@cli.command("people")
@click.argument("query", default="")
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON array: names, variants, positions over time.")
@click.pass_obj
def people(obj: Context, query: str, limit: int, as_json: bool) -> None:
    """People found in the releases, by any spelling of their name in any script."""
    with errors_as_lines(), obj.store() as store:
        found = store.enrichments.people(query, limit=limit)
    if as_json:
        click.echo(
            to_json(
                [
                    {
                        "id": p.id,
                        "key": p.key,
                        "name": p.name.display,
                        "name_en": p.name.name_en,
                        "first": p.name.first,
                        "patronymic": p.name.patronymic,
                        "last": p.name.last,
                        "variants": list(p.name.variants),
                        "first_seen": p.first_seen,
                        "last_seen": p.last_seen,
                        "releases": p.releases,
                        "positions": [asdict(h) for h in p.positions],
                    }
                    for p in found
                ]
            )
        )
        return
    if not found:
        click.echo("nobody found", err=True)
    for p in found:
        click.echo(
            click.style(f"{p.name.name_en or p.name.display} ({p.name.display})", bold=True)
            + f" · {p.releases} release(s)"
        )
        for held in p.positions[:5]:
            span = f"{held.first_seen.date()}…{held.last_seen.date()}"
            click.echo(f"    {held.position}{' (' + held.country + ')' if held.country else ''}  {span}")


@cli.group()
def topics() -> None:
    """The topic taxonomy."""


@topics.command("test")
@click.argument("text")
@click.option("--lang", "language", default="ru", show_default=True)
@click.pass_obj
def topics_test(obj: Context, text: str, language: str) -> None:
    """Show which topic rules fire on TEXT, and why."""
    from osiwire.enrich.topics import explain_topics

    with errors_as_lines():
        explanations = explain_topics(text, language)
    for e in explanations:
        mark = click.style("FIRES", fg="green", bold=True) if e.fired else "     "
        click.echo(f"{mark} {e.id:<28} {e.label}: {e.reason}")


@cli.command("enrich")
@click.option(
    "--all", "everything", is_flag=True, help="Enrich every release again (after a taxonomy change)."
)
@click.option("--failed", is_flag=True, help="Only the releases the enrich stage failed on (see `status`).")
@click.pass_obj
def enrich(obj: Context, everything: bool, failed: bool) -> None:
    """Enrich stored releases not enriched yet: entities, people, participants, topics, countries."""
    from osiwire.cli.status import retry_stage
    from osiwire.enriching import Enriching
    from osiwire.failing import FailureLog

    with errors_as_lines(), obj.store() as store, progress_for("enrich") as progress:
        if failed:
            retried = retry_stage(obj, store, "enrich", progress)
            click.echo(f"{retried.succeeded} release(s) enriched, {retried.failed} failed again")
            sys.exit(EXIT_PARTIAL if retried.failed else 0)
        log = FailureLog(store)
        enriching = Enriching(obj.settings, store)
        count = enriching.enrich_due(everything=everything, progress=progress, failures=log)
    click.echo(
        f"{count} release(s) enriched" + (f", {log.count} failed (see `osiwire status`)" if log.count else "")
    )
    sys.exit(EXIT_PARTIAL if log.count else 0)


@cli.command("analyze")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--html", "force", flag_value="html", help="Read every FILE as HTML.")
@click.option("--text", "force", flag_value="text", help="Read every FILE as plain text.")
@click.option("--lang", "language", default="", help="Language hint, used when detection cannot decide.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, one per line.")
@click.option(
    "--jsonl", "jsonl", type=click.File("r", encoding="utf-8"), default=None, help="Batch mode: FILE or -."
)
@click.pass_obj
def analyze(
    obj: Context,
    /,
    files: tuple[Path, ...],
    force: str | None,
    language: str,
    as_json: bool,
    jsonl: TextIO | None,
) -> None:
    """What osiwire makes of documents (text, languages, people, participants, topics), without storing them."""
    from osiwire.analyze import Analyzer, parse_line, read_input

    analyzer = Analyzer(obj.settings)
    failed = done = 0
    started = time.perf_counter()

    def emit(result: dict[str, object]) -> None:
        if as_json or jsonl is not None:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            _report(result)

    inputs = (
        ((n, line) for n, line in enumerate(jsonl, start=1) if line.strip())
        if jsonl is not None
        else ((n, path) for n, path in enumerate(files, start=1))
    )
    if jsonl is None and not files:
        raise click.UsageError("give FILE... or --jsonl FILE|-")
    for n, raw in inputs:
        doc_id: object = n if isinstance(raw, str) else str(raw)
        try:
            item = (
                parse_line(raw, n)
                if isinstance(raw, str)
                else read_input(raw, force=force, language=language)
            )
            doc_id = item.id
            emit(analyzer.analyze(item))
            done += 1
        except Exception as exc:  # one bad input, or one the stages cannot handle, never stops a batch
            failed += 1
            doc_id = getattr(exc, "doc_id", None) or doc_id
            if isinstance(exc, OsiwireError):
                error = str(exc)
            else:  # a stage failed on this document: the class says which kind of failure it was
                error = describe(exc)
                log_failure("analyze", doc_id, error)
                logger.debug("analyze %s", doc_id, exc_info=exc)
            if as_json or jsonl is not None:
                click.echo(json.dumps({"id": doc_id, "error": error}, ensure_ascii=False))
            else:
                click.echo(f"osiwire: error: {error}", err=True)
    elapsed = time.perf_counter() - started
    if jsonl is not None:
        rate = (done + failed) / elapsed if elapsed > 0 else 0.0
        click.echo(
            f"analyzed {done} document(s), {failed} failed, in {elapsed:.1f} s: {rate:.1f} documents/s",
            err=True,
        )
    sys.exit(EXIT_PARTIAL if failed else 0)


def _report(result: dict[str, object]) -> None:
    """A readable report of one analysis."""
    click.echo(click.style(f"{result['id']}: {result['title'] or '(untitled)'}", bold=True))
    click.echo(
        f"language {result['language']} · published {result['published'] or 'unknown'} · author {result['author'] or 'unknown'}"
    )
    paragraphs = result["paragraphs"]
    assert isinstance(paragraphs, list)
    languages = sorted({p["language"] for p in paragraphs})
    click.echo(f"{len(paragraphs)} paragraph(s) in {', '.join(languages) or '-'}")
    for key in ("people", "participants", "topics"):
        rows = result[key]
        assert isinstance(rows, list)
        if rows:
            click.echo(f"{key}:")
            for row in rows[:30]:
                if key == "people":
                    click.echo(f"  {row['name']} ({row['name_en']})")
                elif key == "participants":
                    click.echo(
                        f"  {row['name']} — {row['position']}{' [' + row['country'] + ']' if row['country'] else ''}"
                    )
                else:
                    click.echo(f"  {row['label']}: {', '.join(row['evidence'][:5])}")
    countries = result["countries"]
    assert isinstance(countries, list)
    click.echo(f"countries: {', '.join(countries) or '-'}\n")
