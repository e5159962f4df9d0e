"""The JSON API's stories: ``/api/v1/stories``, ``/api/v1/stories/firsts`` and ``/api/v1/stories/{id}``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from osiwire.errors import StoreError
from osiwire.publish.spikes import breaking_rule
from osiwire.publish.stories import resolve_story, source_table, story_list, story_record
from osiwire.web.api import ERRORS_404, WebDep, router

MAX_STORIES = 500  # stories one request lists
MAX_FIRSTS_STORIES = 20_000  # stories the per-source table reads


class StoryPersonOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    releases: int = Field(description="Its releases that name them.")


class StoryOut(BaseModel):
    """A story as listed."""

    model_config = ConfigDict(frozen=True)

    id: int
    title: str = Field(description="The title of the release that started it.")
    size: int = Field(description="Releases in it, copies included.")
    first_at: datetime
    last_at: datetime
    sources: int = Field(description="Distinct sources.")
    first_source: str | None = Field(description="The source that published it first.")
    languages: list[str]
    countries: list[str] = Field(description="Countries of its sources (ISO 3166-1 alpha-2).")
    people: list[StoryPersonOut] = Field(description="The people its releases name most (three at most).")
    breaking_at: datetime | None = Field(
        description="When it became breaking (`stories.breaking_sources` sources within "
        "`stories.breaking_minutes`); null if it never did."
    )


class FirstPublicationOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    release_id: int
    source: str
    at: datetime
    clamped_to_first_seen: bool = Field(
        description="Its published time was in the future: `at` is when it was first seen."
    )


class DelayOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str
    release_id: int = Field(description="The source's first release in the story.")
    at: datetime
    delay_s: float = Field(description="Seconds after the first publication (0 for the first publisher).")


class StoryReleaseOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    url: str
    title: str
    language: str
    source: str
    published: datetime | None
    first_seen_at: datetime
    at: datetime = Field(
        description="Its time in the story: published (clamped to first seen), else first seen."
    )
    clamped: bool
    duplicate_of: int | None = Field(description="The release it copies, if it is a copy.")
    score: float = Field(description="Its same-story score against the story when it joined (1 for a copy).")


class StoryDetailOut(BaseModel):
    """One story: its releases by time, each source's delay after the first publication."""

    model_config = ConfigDict(frozen=True)

    id: int
    requested_id: int = Field(
        description="The id asked for: a merged story's id answers with the story that took it."
    )
    title: str
    first_at: datetime
    last_at: datetime
    size: int
    sources: int
    first_publication: FirstPublicationOut | None
    languages: list[str]
    countries: list[str]
    delays: list[DelayOut]
    releases: list[StoryReleaseOut]


class SourceFirstsOut(BaseModel):
    """A source across the stories with two releases or more."""

    model_config = ConfigDict(frozen=True)

    source: str
    stories: int
    first: int = Field(description="Stories it published first.")
    share_first: float
    median_delay_s: float = Field(
        description="Median delay behind the first publisher, when it was not first."
    )
    p90_delay_s: float


def _since(value: date | None) -> datetime | None:
    return None if value is None else datetime.combine(value, time(), tzinfo=UTC)


SinceParam = Annotated[
    date | None, Query(description="Stories with a release on or after this day (YYYY-MM-DD).")
]


@router.get(
    "/stories",
    response_model=list[StoryOut],
    summary="Stories across sources",
    description="Stories told by most sources first, then the largest and newest, each with its first publisher, sources, languages, countries, the people most named and when it became breaking.",
)
def list_stories(
    web: WebDep,
    since: SinceParam = None,
    limit: Annotated[int, Query(ge=1, le=MAX_STORIES, description="Stories to list.")] = 50,
) -> list[dict[str, Any]]:
    return story_list(web.store, _since(since), limit, breaking_rule(web.settings))


@router.get(
    "/stories/firsts",
    response_model=list[SourceFirstsOut],
    summary="Who publishes first",
    description=(
        "Per source, over the stories with two releases or more: stories it took part in, how many it published "
        "first, and its median and 90th-percentile delay behind the first publisher."
    ),
)
def story_firsts(web: WebDep, since: SinceParam = None) -> list[SourceFirstsOut]:
    return [
        SourceFirstsOut(
            source=r.source,
            stories=r.stories,
            first=r.first,
            share_first=r.share_first,
            median_delay_s=r.median_delay_s,
            p90_delay_s=r.p90_delay_s,
        )
        for r in source_table(web.store, _since(since), MAX_FIRSTS_STORIES)
    ]


@router.get(
    "/stories/{story_id}",
    response_model=StoryDetailOut,
    responses=ERRORS_404,
    summary="One story",
    description="A story's releases by time with each source's delay; a merged story's id answers with its successor.",
)
def get_story(web: WebDep, story_id: Annotated[int, Path(description="Story id.")]) -> dict[str, Any]:
    try:
        resolved = resolve_story(web.store, story_id)
        return story_record(web.store, resolved) | {"requested_id": story_id}
    except StoreError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
