"""The JSON API's spikes: ``/api/v1/spikes``, keys told far more often than their recent baseline."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from osiwire.publish.spikes import find_spikes, spike_record, spike_rule
from osiwire.stories.spikes import KINDS
from osiwire.web.api import ERRORS_400, WebDep, router

MAX_SPAN_DAYS = 31  # spikes one request looks for: a month of hours
MAX_SPIKES = 500
DEFAULT_SPAN = timedelta(days=1)


class SpikeOut(BaseModel):
    """A spike episode at its peak hour: the window's count against its baseline."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(description="topic, person, organisation, country or source.")
    key: str = Field(description="A topic id, a person's or organisation's id, a country code, a source id.")
    label: str
    window_start: datetime
    window_end: datetime
    window_count: int = Field(description="Releases naming the key in the window (copies counted once).")
    window_sources: int = Field(description="Distinct sources of those releases.")
    baseline_count: int = Field(description="Releases in the baseline before the window.")
    baseline_hours: int
    expected: float = Field(description="The baseline's count scaled to the window's length.")
    ratio: float | None = Field(description="window_count / expected; null when nothing was expected.")
    factor: float
    min_count: int
    why: str = Field(description="The rule's verdict in one line.")


KindParam = Literal["topic", "person", "organisation", "country", "source"]


@router.get(
    "/spikes",
    response_model=list[SpikeOut],
    responses=ERRORS_400,
    summary="Spikes",
    description=(
        "Topics, people, organisations, countries and sources told far more often than lately: the window "
        "(`stories.spike_window_hours`) holds at least `stories.spike_factor` times the baseline's rate and "
        "`stories.spike_min_count` releases from `stories.spike_min_sources` sources. One entry per spike "
        "episode, at its peak hour, newest first."
    ),
)
def list_spikes(
    web: WebDep,
    kind: Annotated[KindParam | None, Query(description="Only this kind (default: all).")] = None,
    since: Annotated[
        date | None,
        Query(
            description="Spikes on or after this day (YYYY-MM-DD; default: the last 24 hours); a month from it at most."
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_SPIKES, description="Spikes to list.")] = 100,
) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    start = now - DEFAULT_SPAN if since is None else datetime.combine(since, time(), tzinfo=UTC)
    end = min(now, start + timedelta(days=MAX_SPAN_DAYS))  # a request reads a month of mentions at most
    if end <= start:
        return []
    kinds = (kind,) if kind else KINDS
    found = find_spikes(web.store, kinds, start, end, spike_rule(web.settings))
    return [spike_record(s) for s in found[:limit]]
