"""A release's stories work that needs no store: lemmas, fingerprint, band keys and story features.

It is most of the stage's CPU time (lemmatising, shingling, MinHash, TF-IDF), so the pipeline computes it where
the CPU is cheap, in the worker processes that extract and enrich (``runner.py``), and hands it to the stage in
the main process with the release; the stage then only looks up the index, clusters and writes. What needs
the store (the release's time, the entities as the store knows them) is added there.
"""

from __future__ import annotations

from dataclasses import dataclass

from osiwire.model import Article
from osiwire.store.textindex import Lemmatiser
from osiwire.stories import minhash
from osiwire.stories.duplicates import Fingerprint, fingerprint
from osiwire.stories.similarity import StoryFeatures, story_features, story_text
from osiwire.stories.text import text_features


@dataclass(frozen=True, slots=True)
class PreparedStory:
    """What the stories stage computes of one release before it looks at the store."""

    fingerprint: Fingerprint
    keys: tuple[int, ...]  # LSH band keys of the signature (none for an empty text)
    features: StoryFeatures  # without entities: the stage reads them from the store


def prepare_story(article: Article, lemmatiser: Lemmatiser, translation: str = "") -> PreparedStory:
    """The store-free part of the stories stage for one release (its body lemmatised once for both)."""
    body = text_features(article.body, lemmatiser)
    fp = fingerprint(body)
    keys = tuple(minhash.band_keys(fp.signature)) if not fp.empty else ()
    features = story_features(story_text(article, None, translation), lemmatiser, body=body)
    return PreparedStory(fp, keys, features)
