"""The ``osiwire`` command.

Exit codes: 0 success; 1 an error (one line on stderr naming the input and the reason); 2 bad usage;
3 partial success (some sources or items failed; the rest was stored).
"""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import click

from osiwire.config import Settings, load_settings
from osiwire.errors import OsiwireError
from osiwire.logs import setup_logging
from osiwire.model import Release, SearchFilters, Source, SourceKind, Translation
from osiwire.pipeline import PassReport, Pipeline
from osiwire.progress import ByteCounter, progress_for
from osiwire.store import Store

EXIT_ERROR, EXIT_PARTIAL = 1, 3
SCHEDULER_TICK_S = 30.0  # how often `osiwire run` looks for due sources


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings

    def store(self) -> Store:
        return Store(self.settings.database)


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


def _json(value: Any) -> str:
    return json.dumps(
        value,
        ensure_ascii=False,
        indent=2,
        default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o),
    )


def _parse_since(value: str | None) -> datetime | None:
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
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="osiwire")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, verbose: int) -> None:
    """osiwire: a self-hosted newswire of official releases, in their languages and in English."""
    setup_logging(verbose)
    with errors_as_lines():
        ctx.obj = Context(load_settings(data_dir))


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
        click.echo(_json(out))
        return
    for s in rows:
        h = health.get(s.id or 0)
        state = f"errors={h.error_count}" if h and h.error_count else "ok"
        click.echo(f"{s.id:>4}  {s.kind:<8} {s.name:<40} {s.region:<24} {s.language:<3} {state}  {s.url}")


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
                for source in store.sources.due(datetime.now(UTC)):
                    if stop.requested:
                        break
                    _report([pipeline.run_source(source)])
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
        with progress_for(f"import {file.name}") as progress:
            report = pipeline.import_archive(file, source, progress)
    sys.exit(_report([report]))


# -- translation ------------------------------------------------------------------------------------------------


@cli.command("translate")
@click.option("--since", default=None, help="Only releases published on or after YYYY-MM-DD.")
@click.option(
    "--retranslate", is_flag=True, help="Translate again what is translated already (after a better model)."
)
@click.option("--engine", default=None, help="Use only this engine (ctranslate2, libretranslate, openai).")
@click.pass_obj
def translate(obj: Context, since: str | None, retranslate: bool, engine: str | None) -> None:
    """(Re)translate stored releases: those never translated, failed ones due for a retry, or all."""
    from osiwire.extract.language import get_detector
    from osiwire.translate.registry import build_engines
    from osiwire.translating import Translating

    settings = obj.settings
    with errors_as_lines(), obj.store() as store:
        engines = build_engines(settings.translate, settings.data_dir / "models")
        if engine is not None:
            engines = engines.only(engine)
        translating = Translating(settings, store, get_detector(), engines)
        try:
            with progress_for("translate") as progress:
                report = translating.translate_due(
                    since=_parse_since(since), everything=retranslate, progress=progress
                )
        finally:
            translating.close()
    click.echo(
        f"{report.releases} release(s) translated: {report.complete} complete, {report.partial} partial, "
        f"{report.untranslated} untranslated; {report.sentences} sentences, {report.from_memory} from memory"
    )
    for error in report.errors[:10]:
        click.echo(f"  {error}", err=True)
    if report.skipped_no_engine:
        language_hint = "osiwire models install ru en"
        click.echo(
            f"{report.skipped_no_engine} release(s) skipped: no translation engine ({language_hint})",
            err=True,
        )
    sys.exit(EXIT_PARTIAL if report.errors or report.skipped_no_engine else 0)


@cli.group()
def models() -> None:
    """Local translation models (Argos Translate packages, CTranslate2 folders)."""


def _models_dir(obj: Context) -> Path:
    return obj.settings.data_dir / "models"


@models.command("install")
@click.argument("what", nargs=-1, required=True)
@click.option("--from", "source_lang", default=None, help="For a plain CTranslate2 folder: source language.")
@click.option("--to", "target_lang", default=None, help="For a plain CTranslate2 folder: target language.")
@click.option("--index-url", default=None, help="Argos package index to download from.")
@click.pass_obj
def models_install(
    obj: Context,
    /,
    what: tuple[str, ...],
    source_lang: str | None,
    target_lang: str | None,
    index_url: str | None,
) -> None:
    """Install a model: `ru en` (download from the Argos index), FILE.argosmodel or DIR (offline)."""
    import httpx

    from osiwire.translate import models as m

    with errors_as_lines():
        if len(what) == 2 and not Path(what[0]).exists():
            click.echo(f"downloading the newest {what[0]}→{what[1]} package from the Argos index…", err=True)
            headers = {"User-Agent": obj.settings.fetch.user_agent}
            with (
                httpx.Client(follow_redirects=True, timeout=60.0, headers=headers) as client,
                progress_for("download") as bar,
            ):
                installed = m.install_from_index(
                    what[0],
                    what[1],
                    _models_dir(obj),
                    client=client,
                    progress=ByteCounter(bar),
                    index_url=index_url or m.ARGOS_INDEX_URL,
                )
        elif len(what) == 1 and Path(what[0]).is_dir():
            installed = m.install_from_dir(
                Path(what[0]), _models_dir(obj), source_lang=source_lang, target_lang=target_lang
            )
        elif len(what) == 1 and Path(what[0]).is_file():
            installed = m.install_from_file(Path(what[0]), _models_dir(obj))
        else:
            fail(f"{' '.join(what)}: expected SOURCE TARGET languages, a .argosmodel file or a model folder")
    click.echo(
        f"installed {installed.id}: {','.join(installed.source_langs)}→{','.join(installed.target_langs)}"
    )


@models.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def models_list(obj: Context, as_json: bool) -> None:
    """Installed models."""
    from osiwire.translate.models import list_models

    with errors_as_lines():
        found = list_models(_models_dir(obj))
    if as_json:
        click.echo(
            _json(
                [
                    {
                        "id": m.id,
                        "kind": m.kind,
                        "version": m.version,
                        "from": m.source_langs,
                        "to": m.target_langs,
                    }
                    for m in found
                ]
            )
        )
        return
    if not found:
        click.echo("no models installed (osiwire models install ru en)", err=True)
    for m in found:
        click.echo(
            f"{m.id:<40} {m.kind:<12} {','.join(m.source_langs)}→{','.join(m.target_langs)}  {m.version}"
        )


@models.command("remove")
@click.argument("model_id")
@click.pass_obj
def models_remove(obj: Context, model_id: str) -> None:
    """Remove an installed model."""
    from osiwire.translate.models import remove_model

    with errors_as_lines():
        remove_model(_models_dir(obj), model_id)
    click.echo(f"removed {model_id}")


@cli.group("eval")
def eval_() -> None:
    """Quality harnesses."""


@eval_.command("translation")
@click.option("--src", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option(
    "--ref",
    "refs",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    required=True,
)
@click.option("--lang", "source_lang", default="ru", show_default=True, help="Language of --src.")
@click.option("--engine", default=None, help="Use only this engine.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N lines.")
@click.pass_obj
def eval_translation(
    obj: Context,
    /,
    src: Path,
    refs: tuple[Path, ...],
    source_lang: str,
    engine: str | None,
    limit: int | None,
) -> None:
    """sacreBLEU BLEU and chrF of an installed engine on a test set (e.g. WMT21 ru-en)."""
    from osiwire.extract.language import get_detector
    from osiwire.store.memory import SqlMemory
    from osiwire.translate.evaluate import evaluate_files
    from osiwire.translate.glossary import load_glossary
    from osiwire.translate.registry import build_engines
    from osiwire.translate.translator import Translator

    settings = obj.settings
    with errors_as_lines(), obj.store() as store:
        engines = build_engines(settings.translate, settings.data_dir / "models")
        if engine is not None:
            engines = engines.only(engine)
        target = settings.translate.target_language
        if not any(e.name != "none" for e in engines.order_for(source_lang, target)):
            fail(
                f"no translation engine for {source_lang}→{target}: osiwire models install {source_lang} {target}"
            )
        translator = Translator(
            engines,
            SqlMemory(store.db),
            load_glossary(settings.translate, settings.data_dir),
            get_detector(),
            target,
        )
        try:
            scores = evaluate_files(
                src,
                list(refs),
                lambda lines: [p.target for p in translator.translate_sentences(lines, source_lang)],
                limit,
            )
        finally:
            engines.close()
    click.echo(str(scores))


# -- reading --------------------------------------------------------------------------------------------------


@cli.command("search")
@click.argument("query", default="")
@click.option("--lang", "language", default=None)
@click.option("--region", default=None)
@click.option("--source", default=None, help="Source name or id.")
@click.option("--country", default=None)
@click.option("--since", default=None, help="YYYY-MM-DD (published on or after).")
@click.option("--until", default=None, help="YYYY-MM-DD (published before).")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON array of hits.")
@click.pass_obj
def search(
    obj: Context,
    /,
    query: str,
    language: str | None,
    region: str | None,
    source: str | None,
    country: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    offset: int,
    sort: str,
    as_json: bool,
) -> None:
    """Full-text search: words (any inflection), "phrases", OR, -exclusions, prefix*."""
    with errors_as_lines(), obj.store() as store:
        page = store.search(
            query,
            SearchFilters(
                language=language,
                region=region,
                source=source,
                country=country,
                since=_parse_since(since),
                until=_parse_since(until),
            ),
            limit=limit,
            offset=offset,
            sort=sort,
        )
    if as_json:
        click.echo(_json([{k: v for k, v in asdict(h).items()} for h in page.hits]))
        return
    click.echo(f"{page.total} match(es)", err=True)
    for hit in page.hits:
        when = hit.published.date().isoformat() if hit.published else "undated"
        click.echo(click.style(f"#{hit.id} {when} [{hit.language}] {hit.source}: {hit.title}", bold=True))
        click.echo(f"    {hit.snippet.replace(chr(10), ' ')}")
        click.echo(f"    {hit.url}")


def _release_json(release: Release, translation: Translation | None) -> dict[str, Any]:
    current = release.current
    return {
        "id": release.id,
        "url": release.url,
        "source": release.source.name if release.source else None,
        "region": release.source.region if release.source else None,
        "first_seen_at": release.first_seen_at,
        "title": current.title,
        "published": current.published,
        "author": current.author,
        "language": current.language,
        "segments": [asdict(s) for s in current.segments],
        "versions": [
            {k: v for k, v in asdict(v).items() if k != "segments"} | {"segments": len(v.segments)}
            for v in release.versions
        ],
        "translation": asdict(translation) if translation else None,
    }


@cli.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show(obj: Context, key: str, as_json: bool) -> None:
    """One release by id or URL: every segment with its language, and its versions."""
    with errors_as_lines(), obj.store() as store:
        release = store.releases.get(key)
        translation = store.translations.get(release.id, obj.settings.translate.target_language)
    if as_json:
        click.echo(_json(_release_json(release, translation)))
        return
    current = release.current
    click.echo(click.style(current.title, bold=True))
    source = release.source.name if release.source else "(source removed)"
    when = current.published.isoformat() if current.published else "undated"
    click.echo(f"{source} · {when} · {current.language} · {release.url}")
    for seg in current.segments[1:]:
        click.echo(f"\n[{seg.language}] {seg.text}")
        if translation is not None and any(
            p.translated for p in translation.sentences if p.segment == seg.position
        ):
            click.echo(f"[{translation.target_language}] {translation.segment_text(seg.position)}")
    if translation is None:
        click.echo(f"\n(not translated into {obj.settings.translate.target_language})")
    elif translation.status != "complete":
        click.echo(f"\n(translation {translation.status}: {translation.error})")
    click.echo(f"\n{len(release.versions)} version(s):")
    for v in release.versions:
        click.echo(f"  v{v.version_no} {v.fetched_at.isoformat()} {v.content_hash[:12]}")


@cli.command("export")
@click.argument("keys", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["wire", "md", "jsonl"]), default="wire", show_default=True
)
@click.pass_obj
def export(obj: Context, keys: tuple[str, ...], fmt: str) -> None:
    """Export releases (by id or URL) as wire text, Markdown or JSON Lines, translated where they are."""
    from osiwire.publish.export import ExportItem, render

    target = obj.settings.translate.target_language
    with errors_as_lines(), obj.store() as store:
        for key in keys:
            release = store.releases.get(key)
            item = ExportItem(release, store.translations.get(release.id, target))
            click.echo(render(item, fmt), nl=False)


# -- serving --------------------------------------------------------------------------------------------------


def _serve(settings: Settings, host: str | None, port: int | None) -> None:
    import uvicorn

    from osiwire.web.app import create_app

    host, port = host or settings.web.host, port or settings.web.port
    click.echo(f"serving on http://{host}:{port}/  (Ctrl-C stops)", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@cli.command("serve")
@click.option("--host", default=None, help="Default from settings: 127.0.0.1.")
@click.option("--port", type=int, default=None, help="Default from settings: 8000.")
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None) -> None:
    """Serve the web UI and the JSON API."""
    with errors_as_lines():
        Store(obj.settings.database).close()  # create/migrate before the first request
        _serve(obj.settings, host, port)


@cli.command("demo")
@click.option("--serve/--no-serve", "do_serve", default=True, help="Serve the web UI afterwards.")
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.pass_obj
def demo(obj: Context, do_serve: bool, host: str | None, port: int | None) -> None:
    """Ingest the bundled demo corpus (offline), then serve it."""
    from osiwire.demo import demo_sources

    with errors_as_lines(), obj.store() as store:
        pipeline = Pipeline(obj.settings, store)
        reports = []
        with progress_for("demo") as progress:
            for source in demo_sources():
                registered = store.sources.add(source, update_existing=True)
                reports.append(pipeline.run_source(registered, progress))
        _report(reports)
        click.echo(f"{store.releases.count()} releases in {obj.settings.data_dir}", err=True)
    if do_serve:
        with errors_as_lines():
            _serve(obj.settings, host, port)


def main() -> None:
    cli(prog_name="osiwire")
