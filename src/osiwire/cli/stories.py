"""osiwire compare, stories (rebuild, firsts), story."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from typing import TextIO

import click

from osiwire.cli.base import EXIT_PARTIAL, Context, cli, errors_as_lines, parse_day, to_json
from osiwire.errors import OsiwireError
from osiwire.progress import progress_for
from osiwire.publish.stories import resolve_story, source_table, story_list, story_record


@cli.command("compare")
@click.option(
    "--jsonl", "jsonl", type=click.File("r", encoding="utf-8"), required=True, help="Pairs: FILE or -."
)
@click.pass_obj
def compare(obj: Context, jsonl: TextIO) -> None:
    """Same story? Copies? One pair a line {"id", "a": {"title", "text", "published"?, "lang"?}, "b": {...}}
    gives {"id", "score", "same_story", "duplicate"}: the clusterer's own score and threshold."""
    from osiwire.compare import Comparer, parse_pair
    from osiwire.failing import describe, log_failure

    comparer = Comparer(obj.settings)
    done = failed = 0
    started = time.perf_counter()
    for n, line in enumerate(jsonl, start=1):
        if not line.strip():
            continue
        pair_id: object = n
        try:
            pair_id, a, b = parse_pair(line, n)
            click.echo(json.dumps(comparer.compare(pair_id, a, b), ensure_ascii=False))
            done += 1
        except Exception as exc:  # one bad pair never stops a batch
            failed += 1
            error = str(exc) if isinstance(exc, OsiwireError) else describe(exc)
            if not isinstance(exc, OsiwireError):
                log_failure("compare", pair_id, error)
            click.echo(json.dumps({"id": pair_id, "error": error}, ensure_ascii=False))
    elapsed = time.perf_counter() - started
    click.echo(f"compared {done} pair(s), {failed} failed, in {elapsed:.1f} s", err=True)
    sys.exit(EXIT_PARTIAL if failed else 0)


@cli.group("stories", invoke_without_command=True)
@click.option("--since", default=None, help="YYYY-MM-DD: stories with a release on or after it.")
@click.option("--limit", type=click.IntRange(1, 1000), default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON array of stories.")
@click.pass_context
def stories(ctx: click.Context, since: str | None, limit: int, as_json: bool) -> None:
    """Stories across sources, those told by most sources first, then the largest and newest, with their first publisher."""
    if ctx.invoked_subcommand is not None:
        return
    obj: Context = ctx.obj
    with errors_as_lines(), obj.store() as store:
        out = story_list(store, parse_day(since), limit)
    if as_json:
        click.echo(to_json(out))
        return
    for s in out:
        click.echo(
            f"#{s['id']:<6} {s['size']:>4} release(s) {s['sources']:>3} source(s)  first: {s['first_source'] or '-'}"
            f"  {s['last_at']:%Y-%m-%d %H:%M}  {s['title']}"
        )


@stories.command("rebuild")
@click.option("--resume", is_flag=True, help="Carry on an interrupted rebuild (only releases not read yet).")
@click.pass_obj
def rebuild(obj: Context, resume: bool) -> None:
    """Read every stored release into stories again, in the order they arrived (the result of arrival)."""
    from osiwire.storying import Storying

    with errors_as_lines(), obj.store() as store, progress_for("stories") as progress:
        done = Storying(store).rebuild(resume=resume, progress=progress)
    click.echo(f"read {done} release(s) into stories", err=True)


@stories.command("firsts")
@click.option("--since", default=None, help="YYYY-MM-DD: stories with a release on or after it.")
@click.option(
    "--limit", type=click.IntRange(1, 100_000), default=5000, show_default=True, help="Stories read."
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def firsts(obj: Context, since: str | None, limit: int, as_json: bool) -> None:
    """Per source: share of stories it published first, median and 90th-percentile delay behind the first."""
    with errors_as_lines(), obj.store() as store:
        records = source_table(store, parse_day(since), limit)
    if as_json:
        click.echo(to_json([asdict(r) | {"share_first": r.share_first} for r in records]))
        return
    click.echo(f"{'source':30s} {'stories':>7} {'first':>6} {'share':>6} {'median':>9} {'p90':>9}")
    for r in records:
        click.echo(
            f"{r.source[:30]:30s} {r.stories:>7} {r.first:>6} {r.share_first:>6.0%} "
            f"{_duration(r.median_delay_s):>9} {_duration(r.p90_delay_s):>9}"
        )


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@cli.command("story")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def story(obj: Context, key: str, as_json: bool) -> None:
    """One story: its releases by time with each source's delay, the first publisher marked."""
    with errors_as_lines(), obj.store() as store:
        data = story_record(store, resolve_story(store, key))
    if as_json:
        click.echo(to_json(data))
        return
    click.echo(click.style(f"#{data['id']} {data['title']}", bold=True))
    click.echo(f"{data['size']} release(s) from {data['sources']} source(s); languages {', '.join(data['languages']) or '-'}; "
               f"countries {', '.join(data['countries']) or '-'}")  # fmt: skip
    first = data["first_publication"]
    delay = {d["release_id"]: d["delay_s"] for d in data["delays"]}
    for r in data["releases"]:
        mark = "first" if first and r["id"] == first["release_id"] else (
            f"+{_duration(delay[r['id']])}" if r["id"] in delay else "")  # fmt: skip
        copy = f" (copy of #{r['duplicate_of']})" if r["duplicate_of"] else ""
        click.echo(
            f"  {r['at']:%Y-%m-%d %H:%M} {mark:>9} {r['source'] or '-'}: #{r['id']} {r['title']}{copy}"
        )
    if first and first["clamped_to_first_seen"]:
        click.echo(
            "  (the first release's published time was in the future: shown is when it was first seen)"
        )
