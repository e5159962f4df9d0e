"""Story clusters: single pass, each release against each open story's representative.

A release joins the open story it scores best with (``similarity.same_story_score`` against the story's
representative: the centroid of its members' term vectors, its founder's title and lead, the entities, names,
dates and figures most of its members share, its latest time) or starts a new one. Never single-link: a
release that resembles one member of a story but not the story does not join it, and one release that
resembles two stories merges them only when the two representatives are themselves one story (the older id
stays; the younger redirects). A story stops taking releases past MAX_STORY_SIZE or when its window closes, so
nothing swallows unrelated releases over time; the open stories are the only state, bounded by the window.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from osiwire.stories.similarity import MAX_TERMS, StoryFeatures, same_story_score, threshold

# A story takes new releases while its latest one is at most WINDOW old, and for at most MAX_STORY_AGE after
# its first: a running story (a summit over three days) stays one; last year's template is another event.
WINDOW = timedelta(days=3)
MAX_STORY_AGE = timedelta(days=14)
MAX_STORY_SIZE = 500  # members of one story; the next matching release starts a new one
INDEX_TERMS = 25  # strongest terms (and all shared entities) of a representative that find it as a candidate
QUERY_TERMS = 25  # strongest terms of a release looked up
MAX_SCORED = 30  # candidate stories fully scored per release, those sharing most looked-up keys first
SHARED_SHARE = (
    0.3  # an entity, name, date or figure belongs to the representative when this share of members has it
)
MAX_SHARED = 40  # of each kind, the most frequent first


@dataclass
class Story:
    """An open story and its representative, as the clusterer keeps it (and the store persists it)."""

    id: int
    first_at: datetime
    last_at: datetime
    founder: int  # the release that started it
    title: str
    centroid: dict[str, float]  # sum of the scored members' unit vectors (their strongest terms)
    title_vector: Mapping[str, float]
    lead_vector: Mapping[str, float]
    title_dates: frozenset[tuple[int, int]] = frozenset()  # its founder's
    entities: Counter[str] = field(default_factory=Counter)
    names: Counter[str] = field(default_factory=Counter)
    dates: Counter[tuple[int, int]] = field(default_factory=Counter)
    numbers: Counter[str] = field(default_factory=Counter)
    scored: int = 1  # members that shaped the representative (duplicates do not)
    size: int = 1  # every member, duplicates included
    _features: StoryFeatures | None = field(default=None, repr=False, compare=False)

    def representative(self) -> StoryFeatures:
        """The story as one release, for ``same_story_score``."""
        if self._features is None:
            norm = math.sqrt(sum(w * w for w in self.centroid.values())) or 1.0
            self._features = StoryFeatures(
                vector={t: w / norm for t, w in self.centroid.items()},
                title_vector=self.title_vector,
                lead_vector=self.lead_vector,
                entities=_shared(self.entities, self.scored),
                names=_shared(self.names, self.scored),
                numbers=_shared(self.numbers, self.scored),
                dates=_shared(self.dates, self.scored),
                title_dates=self.title_dates,
                published=self.last_at,
            )
        return self._features

    def keys(self) -> list[str]:
        """What finds this story as a candidate: its strongest terms and its shared entities."""
        top = sorted(self.centroid.items(), key=lambda kv: -kv[1])[:INDEX_TERMS]
        return [f"t:{t}" for t, _ in top] + [f"e:{e}" for e in self.representative().entities]

    def add(self, features: StoryFeatures, at: datetime, *, shapes: bool = True) -> None:
        """Take a member; a duplicate (``shapes=False``) counts but leaves the representative as it is."""
        self.size += 1
        self.last_at = max(self.last_at, at)
        if not shapes:
            return
        self.scored += 1
        for term, weight in features.vector.items():
            self.centroid[term] = self.centroid.get(term, 0.0) + weight
        if len(self.centroid) > 2 * MAX_TERMS:
            self.centroid = dict(sorted(self.centroid.items(), key=lambda kv: -kv[1])[:MAX_TERMS])
        self.entities.update(features.entities)
        self.names.update(features.names)
        self.dates.update(features.dates)
        self.numbers.update(features.numbers)
        self._features = None

    def absorb(self, other: Story) -> None:
        """Take over a merged story's members and representative."""
        for term, weight in other.centroid.items():
            self.centroid[term] = self.centroid.get(term, 0.0) + weight
        for mine, theirs in ((self.entities, other.entities), (self.names, other.names)):
            mine.update(theirs)
        self.dates.update(other.dates)
        self.numbers.update(other.numbers)
        self.scored += other.scored
        self.size += other.size
        self.first_at = min(self.first_at, other.first_at)
        self.last_at = max(self.last_at, other.last_at)
        self._features = None


def _shared(counts: Counter[Any], members: int) -> frozenset[Any]:
    need = max(1, math.ceil(SHARED_SHARE * members))
    return frozenset(k for k, c in counts.most_common(MAX_SHARED) if c >= need)


def new_story(story_id: int, release_id: int, title: str, features: StoryFeatures, at: datetime) -> Story:
    return Story(
        id=story_id,
        first_at=at,
        last_at=at,
        founder=release_id,
        title=title,
        centroid=dict(features.vector),
        title_vector=features.title_vector,
        lead_vector=features.lead_vector,
        title_dates=features.title_dates,
        entities=Counter(features.entities),
        names=Counter(features.names),
        dates=Counter(features.dates),
        numbers=Counter(features.numbers),
    )


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one release went."""

    story_id: int
    score: float  # its score against the story it joined (1.0 for a duplicate, 0.0 for a new story)
    created: bool
    merged: tuple[int, ...] = ()  # stories merged into ``story_id`` by this release (they now redirect)


class Clusterer:
    """The open stories and the inverted index that finds candidates among them."""

    def __init__(self, stories: Iterable[Story] = (), next_id: int = 1) -> None:
        self.open: dict[int, Story] = {}
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._keys: dict[int, list[str]] = {}
        self.next_id = next_id
        for story in stories:
            self._open(story)
            self.next_id = max(self.next_id, story.id + 1)

    def _open(self, story: Story) -> None:
        self.open[story.id] = story
        self._index(story)

    def _index(self, story: Story) -> None:
        self._unindex(story.id)
        keys = story.keys()
        self._keys[story.id] = keys
        for key in keys:
            self._postings[key].add(story.id)

    def _unindex(self, story_id: int) -> None:
        for key in self._keys.pop(story_id, []):
            ids = self._postings.get(key)
            if ids is not None:
                ids.discard(story_id)
                if not ids:
                    del self._postings[key]

    def _close(self, story_id: int) -> None:
        self._unindex(story_id)
        self.open.pop(story_id, None)

    def expire(self, now: datetime) -> None:
        """Close the stories whose window has passed."""
        for story in list(self.open.values()):
            if story.last_at < now - WINDOW or story.first_at < now - MAX_STORY_AGE:
                self._close(story.id)

    def candidates(self, features: StoryFeatures) -> list[Story]:
        """Open stories sharing looked-up keys with a release, most shared first."""
        top = sorted(features.vector.items(), key=lambda kv: -kv[1])[:QUERY_TERMS]
        keys = [f"t:{t}" for t, _ in top] + [f"e:{e}" for e in features.entities]
        shared: Counter[int] = Counter()
        for key in keys:
            for story_id in self._postings.get(key, ()):
                shared[story_id] += 1
        return [self.open[i] for i, _ in shared.most_common(MAX_SCORED)]

    def assign(
        self,
        release_id: int,
        title: str,
        features: StoryFeatures,
        at: datetime,
        duplicate_story: int | None = None,
    ) -> tuple[Assignment, list[Story]]:
        """Put one release in a story; returns where it went and the stories changed (to be stored)."""
        self.expire(at)
        if duplicate_story is not None and duplicate_story in self.open:
            story = self.open[duplicate_story]
            if story.size < MAX_STORY_SIZE:
                story.add(features, at, shapes=False)
                return Assignment(story.id, 1.0, False), [story]
        scored = []
        for story in self.candidates(features):
            if story.size >= MAX_STORY_SIZE:
                continue
            rep = story.representative()
            score = same_story_score(features, rep)
            if score >= threshold(features, rep):
                scored.append((score, -story.id, story))
        if not scored:
            story = new_story(self.next_id, release_id, title, features, at)
            self.next_id += 1
            self._open(story)
            return Assignment(story.id, 0.0, True), [story]
        scored.sort(reverse=True)
        best_score, _, best = scored[0]
        best.add(features, at)
        changed = [best]
        merged = []
        for _, _, other in scored[1:]:
            # The bridge merges two stories only when their representatives are one story themselves.
            keep, gone = (best, other) if best.id < other.id else (other, best)
            if keep.size + gone.size > MAX_STORY_SIZE:
                continue
            a, b = keep.representative(), gone.representative()
            if same_story_score(a, b) >= threshold(a, b):
                keep.absorb(gone)
                self._close(gone.id)
                merged.append(gone.id)
                changed = [keep] + [s for s in changed if s.id not in (keep.id, gone.id)]
                best = keep
        self._index(best)
        return Assignment(best.id, best_score, False, tuple(merged)), changed
