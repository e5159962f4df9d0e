"""osiwire translate, models …, eval translation."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from osiwire.cli.base import (
    EXIT_PARTIAL,
    Context,
    cli,
    errors_as_lines,
    fail,
    parse_day,
    to_json,
)
from osiwire.progress import ByteCounter, progress_for

# -- translation ------------------------------------------------------------------------------------------------


@cli.command("translate")
@click.option("--since", default=None, help="Only releases published on or after YYYY-MM-DD.")
@click.option(
    "--retranslate", is_flag=True, help="Translate again what is translated already (after a better model)."
)
@click.option("--engine", default=None, help="Use only this engine (ctranslate2, libretranslate, openai).")
@click.option(
    "--failed", is_flag=True, help="Only the releases the translate stage failed on (see `status`)."
)
@click.pass_obj
def translate(obj: Context, since: str | None, retranslate: bool, engine: str | None, failed: bool) -> None:
    """(Re)translate stored releases: those never translated, failed ones due for a retry, or all."""
    from osiwire.cli.status import retry_stage
    from osiwire.extract.language import get_detector
    from osiwire.translate.registry import build_engines
    from osiwire.translating import Translating

    settings = obj.settings
    with errors_as_lines(), obj.store() as store:
        engines = build_engines(settings.translate, settings.data_dir / "models")
        if engine is not None:
            engines = engines.only(engine)
        translating = Translating(settings, store, get_detector(), engines)
        if failed:
            try:
                with progress_for("translate") as progress:
                    retried = retry_stage(obj, store, "translate", progress, translating)
            finally:
                translating.close()
            click.echo(f"{retried.succeeded} release(s) translated again, {retried.failed} failed again")
            sys.exit(EXIT_PARTIAL if retried.failed else 0)
        try:
            with progress_for("translate") as progress:
                report = translating.translate_due(
                    since=parse_day(since), everything=retranslate, progress=progress
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
            to_json(
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
            human=False,  # the engine's own output: never references someone imported as a TMX
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
