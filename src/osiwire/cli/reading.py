"""osiwire search, show, export."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict
from typing import Any

import click

from osiwire.cli.base import (
    Context,
    cli,
    errors_as_lines,
    fail,
    parse_day,
    to_json,
)
from osiwire.model import Enrichment, Release, SearchFilters, Translation
from osiwire.progress import Progress, progress_for
from osiwire.publish.records import participant_rows, person_record, quote_record, topic_record
from osiwire.store import Store
from osiwire.store.database import sqlite_path
from osiwire.store.engine import SearchIndex
from osiwire.store.engine.index import SYNC_REBUILD_MAX
from osiwire.store.filters import find_person_key

# -- reading --------------------------------------------------------------------------------------------------


@cli.command("search")
@click.argument("query", default="")
@click.option("--lang", "language", default=None)
@click.option("--region", default=None)
@click.option("--source", default=None, help="Source name or id.")
@click.option("--country", default=None, help="Country of the source (ISO2).")
@click.option("--topic", default=None, help="Topic id (osiwire topics test shows them).")
@click.option("--person", default=None, help="Person id or key (see osiwire people).")
@click.option("--org", "organisation", default=None, help="Organisation named in the release (base form).")
@click.option("--mentions", "mentions_country", default=None, help="Country mentioned in the release (ISO2).")
@click.option("--said-by", "said_by", default=None, help="Person quoted in the release: id, key or name.")
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
    topic: str | None,
    person: str | None,
    organisation: str | None,
    mentions_country: str | None,
    said_by: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    offset: int,
    sort: str,
    as_json: bool,
) -> None:
    """Full-text search: words (any inflection), "phrases", OR, -exclusions, prefix*."""
    with errors_as_lines(), obj.store() as store:
        if said_by is not None:
            said_by = _said_by(store, said_by)
        _search_engine(obj, store)
        page = store.search(
            query,
            SearchFilters(
                language=language,
                region=region,
                source=source,
                country=country,
                topic=topic,
                person=person,
                organisation=organisation,
                mentions_country=mentions_country,
                said_by=said_by,
                since=parse_day(since),
                until=parse_day(until),
            ),
            limit=limit,
            offset=offset,
            sort=sort,
        )
    if as_json:
        click.echo(to_json([{k: v for k, v in asdict(h).items()} for h in page.hits]))
        return
    click.echo(f"{page.total} match(es)", err=True)
    for hit in page.hits:
        when = hit.published.date().isoformat() if hit.published else "undated"
        click.echo(click.style(f"#{hit.id} {when} [{hit.language}] {hit.source}: {hit.title}", bold=True))
        click.echo(f"    {hit.snippet.replace(chr(10), ' ')}")
        click.echo(f"    {hit.url}")


def _said_by(store: Store, person: str) -> str:
    """The person ``--said-by`` names, as the filter's id or key: an id, a key, or a name one person has."""
    if not person.strip():
        fail("--said-by: empty: give a person's id, key or name (see osiwire people)")
    if find_person_key(store.db, person) is not None:
        return person
    found = store.enrichments.people(person, limit=3)
    if len(found) == 1:
        return str(found[0].id)
    if not found:
        fail(f"--said-by {person!r}: no such person (see osiwire people)")
    named = ", ".join(f"{p.id} {p.name.display}" for p in found)
    fail(f"--said-by {person!r}: names several people ({named}): give an id")


def _search_engine(obj: Context, store: Store) -> None:
    """Answer ``store``'s searches from the search engine, as the web does (its index brought up to date
    first, built with a progress bar where there is none)."""
    directory = obj.settings.search_index_dir
    busy = directory is not None and not SearchIndex.ready_without_building(directory)
    if busy and store.releases.count() > SYNC_REBUILD_MAX:  # not worth a whole index for one search
        click.echo(
            f"osiwire: every search index in {directory} is held by a running server: answering through SQL "
            "(osiwire reindex --copies N+1 leaves one for the command line)",
            err=True,
        )
        return
    if directory is None:
        return  # fts5: the SQL path
    if store.enable_search_cache(1, 0.0, directory):
        assert store.search_cache is not None and store.search_cache.engine is not None
        engine = store.search_cache.engine
    else:  # PostgreSQL: the engine without the cache
        store.enable_search_engine(directory)
        assert store.search_index is not None
        engine = store.search_index
    with progress_for("search index") as progress:
        engine.open(block=True, progress=_reporter(progress))


def _reporter(progress: Progress) -> Callable[[int, int], None]:
    """A ``(done, total)`` callback feeding ``progress``."""
    state = {"done": 0, "sized": False}

    def report(done: int, total: int) -> None:
        if not state["sized"]:
            progress.add_total(total)
            state["sized"] = True
        progress.advance(done - int(state["done"]))
        state["done"] = done

    return report


@cli.command("reindex")
@click.option(
    "--copies",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="Indexes to leave ready: one per server process of `osiwire serve --workers N`.",
)
@click.pass_obj
def reindex(obj: Context, /, copies: int) -> None:
    """Build the search index from the store again (an interrupted build resumes where it stopped)."""
    directory = obj.settings.search_index_dir
    if directory is None:
        fail("search.engine is fts5: there is no search index to build")
    path = sqlite_path(obj.settings.database)
    started = time.perf_counter()
    with errors_as_lines(), closing(SearchIndex(path or obj.settings.database, directory)) as index:
        with progress_for("reindex") as progress:
            done = index.rebuild(_reporter(progress))
        spent = time.perf_counter() - started
        rate = done / spent if spent else 0.0
        click.echo(f"{done} releases indexed in {spent:.1f} s ({rate:,.0f}/s) into {index.slot}", err=True)
        for path in index.copy_to_free_slots(copies - 1):
            click.echo(f"copied to {path}", err=True)


def _enrichment_json(enrichment: Enrichment | None) -> dict[str, Any]:
    if enrichment is None:
        return {
            "people": [],
            "participants": [],
            "mentioned": [],
            "topics": [],
            "countries": [],
            "quotes": [],
            "enriched": False,
        }
    return {
        "enriched": True,
        "people": [person_record(n) for n in enrichment.people],
        # participants of the meeting (list rows, people named with meeting language) apart from people named
        # in passing; each row says where it came from (source) and which of the two it is (kind)
        **participant_rows(enrichment.participants),
        "topics": [topic_record(t) for t in enrichment.topics],
        "countries": list(enrichment.countries),
        # offsets into the text of segment ``segment`` (as "segments" gives it)
        "quotes": [{"segment": q.segment} | quote_record(q) for q in enrichment.quotes],
    }


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


def _story_place(store: Store, release_id: int) -> dict[str, Any]:
    """The release's story and the original it copies (``{id, url}``), both null before the stories stage."""
    found = store.stories.of_release(release_id)
    if found is None:
        return {"story_id": None, "duplicate_of": None}
    story_id, original = found
    duplicate_of = None if original is None else {"id": original, "url": store.stories.release_url(original)}
    return {"story_id": store.stories.resolve(story_id), "duplicate_of": duplicate_of}


@cli.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show(obj: Context, key: str, as_json: bool) -> None:
    """One release by id or URL: every segment with its language, and its versions."""
    with errors_as_lines(), obj.store() as store:
        release = store.releases.get(key)
        translation = store.translations.get(release.id, obj.settings.translate.target_language)
        enrichment = store.enrichments.get(release.id)
        place = _story_place(store, release.id)
    if as_json:
        click.echo(to_json(_release_json(release, translation) | _enrichment_json(enrichment) | place))
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
            enrichment = store.enrichments.get(release.id)
            participants = (
                tuple(p for p in enrichment.participants if p.kind != "mentioned") if enrichment else ()
            )
            item = ExportItem(release, store.translations.get(release.id, target), participants)
            click.echo(render(item, fmt), nl=False)
