"""``osiwire compare``: are two documents the same story, or copies? The clusterer's own score and threshold.

Each input line is ``{"id", "a": {"title", "text", "published"?, "lang"?}, "b": {...}}``; each output line is
``{"id", "score", "same_story", "duplicate"}``. Both sides go through the pipeline's extract and enrich stages
(entities), then ``stories.similarity`` and ``stories.duplicates``, exactly as a stored release does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from osiwire.config import Settings
from osiwire.contract_models import ContractModels
from osiwire.enrich.enricher import enrich_article
from osiwire.errors import ExtractError, OsiwireError
from osiwire.extract.article import extract_article
from osiwire.extract.language import LanguageDetector
from osiwire.model import Article, RawDocument, Segment
from osiwire.store.textindex import Lemmatiser
from osiwire.stories.duplicates import Fingerprint, fingerprint, is_duplicate
from osiwire.stories.similarity import StoryFeatures, same_story_score, story_features, story_text, threshold
from osiwire.stories.text import text_features


class CompareError(OsiwireError):
    """A line of ``compare --jsonl`` that cannot be read (named with its reason)."""


@dataclass(frozen=True, slots=True)
class Side:
    """One document of a pair."""

    title: str
    text: str
    published: datetime | None = None
    language: str = ""


def _side(record: Any, name: str, line_no: int) -> Side:
    if not isinstance(record, dict):
        raise CompareError(f"line {line_no}: '{name}' must be an object with 'title' and 'text'")
    title, text = record.get("title") or "", record.get("text") or ""
    if not isinstance(title, str) or not isinstance(text, str):
        raise CompareError(f"line {line_no}: '{name}.title' and '{name}.text' must be strings")
    if not title.strip() and not text.strip():
        raise CompareError(f"line {line_no}: '{name}' has neither title nor text")
    published = None
    raw = record.get("published")
    if raw:
        try:
            published = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        except ValueError as exc:
            raise CompareError(f"line {line_no}: '{name}.published' {raw!r} is not an ISO 8601 time") from exc
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
    lang = record.get("lang") or record.get("language") or ""
    return Side(title, text, published, str(lang))


def parse_pair(line: str, line_no: int) -> tuple[Any, Side, Side]:
    """One input line as (id, a, b)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CompareError(f"line {line_no}: not JSON: {exc.msg}") from exc
    except RecursionError as exc:  # "[[[[..." thousands deep: the decoder recurses once per level
        raise CompareError(f"line {line_no}: not JSON: nested too deeply") from exc
    if not isinstance(record, dict):
        raise CompareError(f"line {line_no}: expected a JSON object with 'id', 'a' and 'b'")
    return (
        record.get("id", line_no),
        _side(record.get("a"), "a", line_no),
        _side(record.get("b"), "b", line_no),
    )


class Comparer(ContractModels):
    """Models loaded once (language detection, NER); ``compare`` scores one pair."""

    def __init__(self, settings: Settings, detector: LanguageDetector | None = None) -> None:
        super().__init__(settings, detector)
        self.lemmatiser = Lemmatiser()

    def article(self, side: Side, key: str) -> Article:
        """The side as the extract stage makes it (a title-only side: its title alone)."""
        now = datetime.now(UTC)
        doc = RawDocument(url=f"urn:osiwire:compare:{key}", fetched_at=now, text=side.text, title=side.title,
                          published=side.published, language_hint=side.language)  # fmt: skip
        try:
            article = extract_article(doc, self.settings.extract, self.detector)
        except ExtractError:
            lang = side.language or self.detector.detect(side.title).lang
            title = Segment(0, "title", side.title, lang)
            return Article(doc.url, side.title, lang, (title,), "", now, side.published)
        if side.published is not None and article.published != side.published:
            article = Article(article.url, article.title, article.language, article.segments,
                              article.content_hash, now, side.published)  # fmt: skip
        return article

    def read(self, side: Side, key: str) -> tuple[StoryFeatures, Fingerprint]:
        article = self.article(side, key)
        enrichment = enrich_article(article, self.enricher)
        features = story_features(story_text(article, enrichment), self.lemmatiser)
        return features, fingerprint(text_features(article.body, self.lemmatiser))

    def compare(self, pair_id: Any, a: Side, b: Side) -> dict[str, Any]:
        """The contract object for one pair."""
        fa, pa = self.read(a, f"{pair_id}:a")
        fb, pb = self.read(b, f"{pair_id}:b")
        score = same_story_score(fa, fb)
        duplicate = is_duplicate(pa, pb)
        return {
            "id": pair_id,
            "score": round(score, 4),
            "same_story": duplicate or score >= threshold(fa, fb),
            "duplicate": duplicate,
        }
