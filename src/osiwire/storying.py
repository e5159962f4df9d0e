"""The stories stage as the pipeline runs it: duplicates found through the store, stories kept in it.

One ``Storying`` per process holds the open stories (``stories.clusters.Clusterer``), loaded from the store on
first use, so a restart carries on where the last process stopped and ``osiwire stories rebuild`` (every stored
release again, in the order they arrived) gives the stories the releases got on arrival.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from osiwire.model import Article
from osiwire.progress import NoProgress, Progress
from osiwire.store import Store
from osiwire.stories import minhash
from osiwire.stories.clusters import WINDOW, Clusterer, Story
from osiwire.stories.duplicates import fingerprint
from osiwire.stories.index import Copy, find_original, original_id
from osiwire.stories.similarity import story_features, story_text
from osiwire.stories.text import text_features

logger = logging.getLogger(__name__)

REBUILD_BATCH = 500  # release ids read from the store at once by a rebuild


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
    """The stories stage of one process."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._clusterer: Clusterer | None = None

    @property
    def clusterer(self) -> Clusterer:
        if self._clusterer is None:
            latest = self.store.stories.latest_at()
            open_ = self.store.stories.open_stories(latest - WINDOW) if latest is not None else []
            self._clusterer = Clusterer(open_, self.store.stories.next_id())
        return self._clusterer

    def place(
        self,
        article: Article,
        release_id: int,
        first_seen: datetime,
        translation: str = "",
    ) -> Placed | None:
        """Read one stored release into its story (None when it was read before: a new version keeps its place).

        Its entities are read from the store (people as the store knows them across releases), so a rebuild
        reads what arrival read, unless a person's stored name grew fuller in between."""
        if self.store.stories.of_release(release_id) is not None:
            return None
        lemmatiser = self.store.lemmatiser
        at, clamped = story_time(article, first_seen)
        if clamped:
            logger.info(
                "stories: %s is published in the future: its time is when it was first seen", article.url
            )
        body = text_features(article.body, lemmatiser)
        fp = fingerprint(body)
        keys = minhash.band_keys(fp.signature) if not fp.empty else []
        found = find_original(fp, self.store.stories, keys)
        duplicate_of = original_id(found) if found is not None else None
        enrichment = self.store.enrichments.get(release_id)
        features = replace(
            story_features(story_text(article, enrichment, translation), lemmatiser, body=body), published=at
        )
        story_of_original = None
        if duplicate_of is not None and (place := self.store.stories.of_release(duplicate_of)) is not None:
            story_of_original = self.store.stories.resolve(place[0])
        clusterer = self.clusterer
        # Another process (a second `osiwire fetch`) may have made stories since: never reuse their ids. The
        # stage assumes one pipeline process at a time; a second one sees the other's new stories after restart.
        clusterer.next_id = max(clusterer.next_id, self.store.stories.next_id())
        clusterer.expire(at)
        grown: int | None = None
        changed: list[Story] = []
        merged: tuple[int, ...] = ()
        if story_of_original is not None and story_of_original not in clusterer.open:
            # The original's story has closed: the copy joins it all the same (a repost is no new story).
            story_id, score, created, grown = story_of_original, 1.0, False, story_of_original
        else:
            assignment, changed = clusterer.assign(
                release_id, article.title, features, at, duplicate_story=story_of_original
            )
            story_id, score, created, merged = (
                assignment.story_id, assignment.score, assignment.created, assignment.merged
            )  # fmt: skip
        copy = Copy(release_id, fp, at, duplicate_of)
        self.store.stories.record(copy, keys, story_id, score, clamped, changed, merged, grown=grown)
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
            for release_id in batch:
                self.place_stored(release_id)
                done += 1
                progress.advance()
            after = batch[-1]
        return done
