"""osiwire compare, stories, story."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import TextIO

import click

from osiwire.cli.base import EXIT_PARTIAL, Context, cli
from osiwire.errors import OsiwireError

logger = logging.getLogger(__name__)


@cli.command("compare")
@click.option(
    "--jsonl", "jsonl", type=click.File("r", encoding="utf-8"), required=True, help="Pairs: FILE or -."
)
@click.pass_obj
def compare(obj: Context, jsonl: TextIO) -> None:
    """Same story? Copies? One pair a line {"id", "a": {"title", "text", "published"?, "lang"?}, "b": {...}}
    gives {"id", "score", "same_story", "duplicate"}: the clusterer's own score and threshold."""
    from osiwire.compare import Comparer, parse_pair
    from osiwire.failing import describe

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
                logger.warning("stage failed: stage=compare item=%s error=%s", pair_id, error)
            click.echo(json.dumps({"id": pair_id, "error": error}, ensure_ascii=False))
    elapsed = time.perf_counter() - started
    click.echo(f"compared {done} pair(s), {failed} failed, in {elapsed:.1f} s", err=True)
    sys.exit(EXIT_PARTIAL if failed else 0)
