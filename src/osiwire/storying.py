"""The stories stage as the pipeline runs it: duplicates found through the store, stories kept in it.

One ``Storying`` per process holds the open stories (``stories.clusters.Clusterer``), loaded from the store on
first use, so a restart carries on where the last process stopped and ``osiwire stories rebuild`` (every stored
release again, in the order they arrived) gives the stories the releases got on arrival.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from osiwire.errors import StoreError
from osiwire.failing import describe
from osiwire.model import Article
from osiwire.progress import NoProgress, Progress
from osiwire.store import Store
from osiwire.store.stories import MAX_REDIRECTS, PlacedRelease
from osiwire.stories.clusters import WINDOW, Clusterer, Story
from osiwire.stories.index import Copy, LayeredIndex, MemoryDuplicateIndex, find_original, original_id
from osiwire.stories.prepared import PreparedStory, prepare_story
from osiwire.stories.similarity import entity_keys

logger = logging.getLogger(__name__)

REBUILD_BATCH = 500  # release ids read from the store at once by a rebuild
FLUSH_AT = (
    500  # places kept in memory at most before they are written (a batch longer than this writes early)
)


class StoriesNotWritten(StoreError):
    """A batch of places could not be written (its releases stay unread: ``stories rebuild --resume``)."""


@dataclass(frozen=True, slots=True)
class Placed:
    """Where the stage put one release."""

    story_id: int
    duplicate_of: int | None
    created: bool
    merged: tuple[int, ...] = ()


def story_time(article: Article, first_seen: datetime) -> tuple[datetime, bool]:
    """A release's time for stories: published, else first seen; a published time in the future is clamped to
    when it was first seen (and says so: the second value)."""
    if article.published is None:
        return first_seen, False
    if article.published > first_seen:
        return first_seen, True
    return article.published, False


class Storying:
    """The stories stage of one process.

    Places are written in batches: inside ``batched()`` (the pipeline's store batches, a rebuild's batches) they
    are kept in memory, found there by the next releases' lookups, and written in one transaction when the batch
    ends or FLUSH_AT are waiting; outside it each place is written at once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._clusterer: Clusterer | None = None
        self._batching = 0
        self._pending_copies = MemoryDuplicateIndex()
        self._index = LayeredIndex(self._pending_copies, store.stories)
        self._placed: dict[int, PlacedRelease] = {}  # release id -> its place, not written yet
        self._changed: dict[int, Story] = {}  # stories changed since the last write
        self._merges: list[tuple[int, int]] = []  # (gone, kept) since the last write
        self._grown: list[tuple[int, datetime]] = []

    @property
    def clusterer(self) -> Clusterer:
        if self._clusterer is None:
            latest = self.store.stories.latest_at()
            open_ = self.store.stories.open_stories(latest - WINDOW) if latest is not None else []
            self._clusterer = Clusterer(open_, self.store.stories.next_id())
        return self._clusterer

    @contextmanager
    def batched(self) -> Iterator[Storying]:
        """Write the places made in the block together, when it ends (also when it raises: each place is whole)."""
        self._batching += 1
        try:
            yield self
        finally:
            self._batching -= 1
            if not self._batching:
                self.flush()

    def flush(self) -> None:
        """Write the places not written yet, in one transaction."""
        if not self._placed and not self._changed:
            return
        placed, changed = list(self._placed.values()), list(self._changed.values())
        merges, grown = list(self._merges), list(self._grown)
        self._placed.clear()
        self._changed.clear()
        self._merges.clear()
        self._grown.clear()
        self._pending_copies = MemoryDuplicateIndex()
        self._index = LayeredIndex(self._pending_copies, self.store.stories)
        try:
            self.store.stories.write(placed, changed, merges, grown)
        except Exception as exc:
            self._clusterer = None  # it holds what was not written: read the open stories again
            raise StoriesNotWritten(f"stories: {len(placed)} places not written: {describe(exc)}") from exc
        if self._clusterer is not None:
            # Another process (a second `osiwire fetch`) may have made stories since: never reuse their ids. The
            # stage assumes one pipeline process at a time; a second one sees the other's new stories after
            # restart.
            self._clusterer.next_id = max(self._clusterer.next_id, self.store.stories.next_id())

    def _story_of(self, release_id: int) -> int | None:
        """The story a release is in now (following merges), or None when it was not placed."""
        pending = self._placed.get(release_id)
        if pending is not None:
            return self._resolve(pending.story_id)
        place = self.store.stories.of_release(release_id)
        return None if place is None else self._resolve(place[0])

    def _resolve(self, story_id: int) -> int | None:
        """A story id, following the merges not written yet and those stored."""
        redirects = dict(self._merges)
        for _ in range(MAX_REDIRECTS):
            if story_id in redirects:
                story_id = redirects[story_id]
                continue
            open_ = self._clusterer.open if self._clusterer is not None else {}
            if story_id in open_ or story_id in self._changed:
                return story_id
            stored = self.store.stories.resolve(story_id)
            if stored is None or stored == story_id:
                return stored
            story_id = stored
        return story_id

    def place(
        self,
        article: Article,
        release_id: int,
        first_seen: datetime,
        translation: str = "",
        prepared: PreparedStory | None = None,
    ) -> Placed | None:
        """Read one stored release into its story (None when it was read before: a new version keeps its place).

        ``prepared``: its store-free part computed already (by a worker process, ``prepare_story``; then
        ``translation`` is what it was prepared with). Its entities are read from the store (people as the store
        knows them across releases), so a rebuild reads what arrival read, unless a person's stored name grew
        fuller in between."""
        if release_id in self._placed or self.store.stories.of_release(release_id) is not None:
            return None
        at, clamped = story_time(article, first_seen)
        if clamped:
            logger.info(
                "stories: %s is published in the future: its time is when it was first seen", article.url
            )
        if prepared is None:
            prepared = prepare_story(article, self.store.lemmatiser, translation)
        fp, keys = prepared.fingerprint, prepared.keys
        found = find_original(fp, self._index, keys)
        duplicate_of = original_id(found) if found is not None else None
        entities = entity_keys(self.store.stories.entities(release_id))
        features = replace(prepared.features, entities=entities, published=at)
        story_of_original = None
        if found is not None:
            if found.original is None and found.story_id is not None:
                story_of_original = self._resolve(found.story_id)
            else:
                story_of_original = self._story_of(original_id(found))
        clusterer = self.clusterer
        clusterer.expire(at)
        merged: tuple[int, ...] = ()
        if story_of_original is not None and story_of_original not in clusterer.open:
            # The original's story has closed: the copy joins it all the same (a repost is no new story).
            story_id, score, created = story_of_original, 1.0, False
            self._grown.append((story_of_original, at))
        else:
            assignment, changed = clusterer.assign(
                release_id, article.title, features, at, duplicate_story=story_of_original
            )
            story_id, score, created, merged = (
                assignment.story_id, assignment.score, assignment.created, assignment.merged
            )  # fmt: skip
            for story in changed:
                self._changed[story.id] = story
            self._merges.extend((gone, story_id) for gone in merged)
        copy = Copy(release_id, fp, at, duplicate_of, story_id)
        if found is not None and found.fingerprint.text_hash == fp.text_hash:
            # An exact copy's band keys are its original's: the text hash finds both, the keys would only add
            # rows to the band index (a flood of reposts would add 64 a copy).
            keys = ()
        self._placed[release_id] = PlacedRelease(copy, keys, story_id, score, clamped)
        self._pending_copies.add(copy, keys)
        if not self._batching or len(self._placed) >= FLUSH_AT:
            self.flush()
        return Placed(story_id, duplicate_of, created, merged)

    def place_stored(self, release_id: int) -> Placed | None:
        """Read one stored release (its current version and enrichment) into its story."""
        from osiwire.translating import article_from_version

        release = self.store.releases.get(release_id)
        article = article_from_version(release, release.current)
        return self.place(article, release_id, release.first_seen_at)

    def rebuild(self, *, resume: bool = False, progress: Progress | None = None) -> int:
        """Read every stored release again, in the order they arrived (``resume``: only those not read yet, after
        an interrupted rebuild); how many were read."""
        progress = progress or NoProgress()
        if not resume:
            self.store.stories.clear()
            self._clusterer = None
        progress.add_total(self.store.stories.count_pending())
        done, after = 0, 0
        while batch := self.store.stories.pending(after, REBUILD_BATCH):
            with self.batched():
                for release_id in batch:
                    self.place_stored(release_id)
                    done += 1
                    progress.advance()
            after = batch[-1]
        return done
