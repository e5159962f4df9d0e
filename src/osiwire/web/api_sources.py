"""The JSON API's write routes: add, edit and remove sources. Each needs the bearer token (see ``auth``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from osiwire.collect.registry import validate_source
from osiwire.errors import SourceError
from osiwire.model import Source, SourceKind
from osiwire.web.api import ERRORS_400, ERRORS_404, WebDep, router
from osiwire.web.auth import WRITE_ERRORS, require_token
from osiwire.web.deps import MAX_FILTER_CHARS, load_source
from osiwire.web.schemas import ErrorOut, SourceOut, source_out

MAX_URL_CHARS = 2000  # longer than any feed URL in the wild
# File sources read the server's own disk: they are added from the command line, never over HTTP.
WEB_KINDS = tuple(k for k in SourceKind if k != SourceKind.FILE)
WRITE = [Depends(require_token)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceIn(_In):
    """A source to add."""

    name: str = Field(max_length=MAX_FILTER_CHARS, description="Unique name.")
    url: str = Field(max_length=MAX_URL_CHARS, description="Feed, page or sitemap URL (http or https).")
    kind: SourceKind = Field(
        description="rss, atom, json, html or sitemap (file sources: command line only)."
    )
    region: str = Field("", max_length=MAX_FILTER_CHARS)
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2.")
    language: str = Field("", max_length=16, description="ISO 639-1 language it mostly publishes in.")
    organisation: str = Field("", max_length=MAX_FILTER_CHARS)
    selector: str = Field(
        "", max_length=MAX_FILTER_CHARS, description="HTML listing pages: CSS selector of links."
    )
    url_pattern: str = Field("", max_length=MAX_FILTER_CHARS, description="Regex an article URL must match.")
    interval_s: int | None = Field(
        None, description="Seconds between checks (default: `default_interval_s`)."
    )
    enabled: bool = True


class SourcePatch(_In):
    """Fields of a source to change (name and URL stay: remove the source and add it again instead)."""

    kind: SourceKind | None = None
    region: str | None = Field(None, max_length=MAX_FILTER_CHARS)
    country: str | None = Field(None, max_length=2)
    language: str | None = Field(None, max_length=16)
    organisation: str | None = Field(None, max_length=MAX_FILTER_CHARS)
    selector: str | None = Field(None, max_length=MAX_FILTER_CHARS)
    url_pattern: str | None = Field(None, max_length=MAX_FILTER_CHARS)
    interval_s: int | None = None
    enabled: bool | None = None


def _checked(source: Source, before: Source | None = None) -> Source:
    if source.kind not in WEB_KINDS and (before is None or before.kind != source.kind):
        raise HTTPException(400, detail="kind: file sources can only be added from the command line")
    try:
        return validate_source(source)
    except SourceError as exc:
        raise HTTPException(400, detail=str(exc)) from exc


@router.post(
    "/sources",
    response_model=SourceOut,
    status_code=201,
    dependencies=WRITE,
    responses={**ERRORS_400, **WRITE_ERRORS, 409: {"model": ErrorOut, "description": "Name or URL taken."}},
    summary="Add a source",
    description="Register a source (validated as `osiwire sources add` does). Needs the bearer token.",
)
def add_source(web: WebDep, body: SourceIn) -> SourceOut:
    fields = body.model_dump()
    fields["interval_s"] = body.interval_s or web.settings.default_interval_s
    source = _checked(Source(**fields))
    try:
        added = web.store.sources.add(source)
    except SourceError as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    assert added.id is not None
    return source_out(added, web.store.sources.health(added.id))


@router.patch(
    "/sources/{source_id}",
    response_model=SourceOut,
    dependencies=WRITE,
    responses={**ERRORS_400, **ERRORS_404, **WRITE_ERRORS},
    summary="Edit a source",
    description=(
        "Change a source's kind, region, country, language, organisation, selector, URL pattern, interval "
        "or whether it is enabled; fields left out stay. Needs the bearer token."
    ),
)
def edit_source(
    web: WebDep, source_id: Annotated[int, Path(description="Source id.")], body: SourcePatch
) -> SourceOut:
    source, _ = load_source(web.store, source_id)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    # Name and URL are unchanged, so the store updates this very source.
    updated = web.store.sources.add(_checked(replace(source, **changes), source), update_existing=True)
    assert updated.id is not None
    return source_out(updated, web.store.sources.health(updated.id))


@router.delete(
    "/sources/{source_id}",
    status_code=204,
    response_class=Response,
    dependencies=WRITE,
    responses={**ERRORS_404, **WRITE_ERRORS},
    summary="Remove a source",
    description="Remove a source from the registry; its releases stay. Needs the bearer token.",
)
def remove_source(web: WebDep, source_id: Annotated[int, Path(description="Source id.")]) -> Response:
    source, _ = load_source(web.store, source_id)
    assert source.id is not None
    web.store.sources.remove(source.id)
    return Response(status_code=204)
