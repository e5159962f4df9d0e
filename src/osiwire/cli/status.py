"""osiwire status: what the store holds, what waits, and what failed (per stage, with the last error)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from osiwire.cli.base import Context, cli, errors_as_lines, to_json
from osiwire.progress import Progress

if TYPE_CHECKING:
    from osiwire.retrying import RetryReport
    from osiwire.store import Store
    from osiwire.translating import Translating


def retry_stage(
    obj: Context, store: Store, stage: str, progress: Progress, translating: Translating | None = None
) -> RetryReport:
    """Run ``stage`` again over every release it failed on (``enrich --failed``, ``translate --failed``)."""
    from osiwire.pipeline import Pipeline

    pipeline = Pipeline(obj.settings, store, translating=translating)
    try:
        return pipeline.retry_failed((stage,), due_only=False, limit=1_000_000, progress=progress)
    finally:
        if translating is None:
            pipeline.close()


@cli.command("status")
@click.option(
    "--failures",
    "show",
    type=click.IntRange(0, 1000),
    default=5,
    show_default=True,
    help="Failed items listed per stage.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
def status(obj: Context, show: int, as_json: bool) -> None:
    """What the store holds, what waits for each stage, and the items each stage failed on."""
    from osiwire.store.stats import queue_depths, store_counts

    with errors_as_lines(), obj.store() as store:
        counts = store_counts(store.db)
        depths = queue_depths(store.db, obj.settings.translate.target_language, datetime.now(UTC))
        summary = store.failures.summary()
        failed = {s.stage: store.failures.find(s.stage, limit=show) for s in summary}
    if as_json:
        click.echo(
            to_json(
                {
                    "releases": counts.releases,
                    "versions": counts.versions,
                    "sources": {"ok": counts.sources_ok, "failing": counts.sources_failing},
                    "translations": counts.translations,
                    "enriched_releases": counts.enriched_releases,
                    "waiting": {
                        "enrich": depths.not_enriched,
                        "translate": depths.not_translated,
                        "translate_retry": depths.translation_retries,
                        "deliver": depths.alerts_undelivered,
                        "fetch": depths.sources_due,
                    },
                    "failed": {
                        s.stage: {
                            "count": s.count,
                            "last_error": s.last_error,
                            "last_failed_at": s.last_failed_at,
                            "items": [
                                {
                                    "item": f.item,
                                    "release_id": f.release_id,
                                    "error": f.error,
                                    "attempts": f.attempts,
                                    "failed_at": f.failed_at,
                                }
                                for f in failed[s.stage]
                            ],
                        }
                        for s in summary
                    },
                }
            )
        )
        return
    click.echo(
        f"{counts.releases} release(s), {counts.versions} version(s), {counts.enriched_releases} enriched; "
        f"sources: {counts.sources_ok} ok, {counts.sources_failing} failing"
    )
    click.echo(
        f"waiting: enrich {depths.not_enriched}, translate {depths.not_translated} "
        f"(+{depths.translation_retries} to retry), webhooks {depths.alerts_undelivered}, "
        f"sources due {depths.sources_due}"
    )
    if not summary:
        click.echo("failed: nothing")
        return
    for s in summary:
        click.echo(
            click.style(f"failed {s.stage}: {s.count}", fg="red", bold=True)
            + f" · last {s.last_failed_at:%Y-%m-%d %H:%M} UTC: {s.last_error}"
        )
        for f in failed[s.stage]:
            click.echo(f"    {f.item}  ×{f.attempts}  {f.error}")
    retry = sorted({s.stage for s in summary} & {"enrich", "translate"})
    if retry:
        click.echo("retry with: " + "; ".join(f"osiwire {stage} --failed" for stage in retry), err=True)
