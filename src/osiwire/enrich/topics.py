"""Topics of a release from a user-editable multilingual taxonomy (``data/topics.toml``), EMM-category style.

Each topic has terms per language, matched on lemmas (Russian, pymorphy3) or stems (English, snowball), so
one dictionary form in the taxonomy finds every inflection. A topic fires when its terms occur at least
``min_hits`` times, at least one ``require`` term occurs (when any are given) and no ``exclude`` term does.
Rules of every language apply to every text: releases mix languages, and a term only fires where its words
occur. ``explain_topics`` says which rules fired and why (``osiwire topics test "text"``).
"""

from __future__ import annotations

import functools
import logging
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from osiwire.enrich.lexicon import Lemmas, PhraseIndex, Words, longest_per_group
from osiwire.errors import ConfigError
from osiwire.model import TopicMatch

logger = logging.getLogger(__name__)

TOPICS_FILE = "topics.toml"
ROLES = ("terms", "require", "exclude")
# Distinct words shown as evidence: enough to see why a topic fired, short enough for a wire header.
MAX_EVIDENCE = 8


@dataclass(frozen=True, slots=True)
class Topic:
    """One category of the taxonomy: its terms by role ("terms", "require", "exclude") and language."""

    id: str
    label: str
    min_hits: int
    rules: dict[str, dict[str, tuple[str, ...]]]  # role -> language -> terms as written


@dataclass(frozen=True, slots=True)
class TopicExplanation:
    """Why a topic fired or not: the terms found per role, with the words of the text that matched."""

    id: str
    label: str
    fired: bool
    reason: str
    hits: int
    min_hits: int
    found: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # role -> term -> words


def _topic(raw: dict[str, Any], where: str) -> Topic:
    unknown = set(raw) - {"id", "label", "min_hits"} - {k for k in raw if isinstance(raw[k], dict)}
    if unknown or not isinstance(raw.get("id"), str) or not raw["id"]:
        raise ConfigError(f"{where}: a topic needs an id (unknown keys: {sorted(unknown)})")
    min_hits = raw.get("min_hits", 1)
    if not isinstance(min_hits, int) or min_hits < 1:
        raise ConfigError(f"{where}: topic {raw['id']}: min_hits must be a positive integer")
    rules: dict[str, dict[str, tuple[str, ...]]] = {role: {} for role in ROLES}
    for lang, table in raw.items():
        if not isinstance(table, dict):
            continue
        for role, terms in table.items():
            if role not in ROLES or not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
                raise ConfigError(f"{where}: topic {raw['id']}.{lang}.{role}: expected a list of terms")
            rules[role][lang] = tuple(t for t in terms if t.strip())
    if not any(rules["terms"].values()):
        raise ConfigError(f"{where}: topic {raw['id']} has no terms")
    return Topic(raw["id"], str(raw.get("label", raw["id"])), min_hits, rules)


def load_taxonomy(path: Path | None = None) -> tuple[Topic, ...]:
    """Read a taxonomy file (default: the bundled ``topics.toml``); ConfigError when it is malformed."""
    where = str(path) if path else f"osiwire/data/{TOPICS_FILE}"
    try:
        if path is None:
            text = (
                resources.files("osiwire").joinpath("data").joinpath(TOPICS_FILE).read_text(encoding="utf-8")
            )
        else:
            text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    raw_topics = data.get("topic", [])
    if not isinstance(raw_topics, list):
        raise ConfigError(f"{where}: expected [[topic]] tables")
    topics = tuple(_topic(raw, where) for raw in raw_topics)
    ids = Counter(t.id for t in topics)
    if duplicated := [i for i, n in ids.items() if n > 1]:
        raise ConfigError(f"{where}: duplicate topic ids {duplicated}")
    return topics


@dataclass(frozen=True, slots=True)
class _Rule:
    topic: str
    role: str
    term: str
    lang: str


def _verdict(topic: Topic, hits: list[tuple[_Rule, str]]) -> tuple[bool, str, int]:
    """(fired, reason, term hits counted): a language's hits count only when its ``require`` is met."""
    if excluded := sorted({rule.term for rule, _ in hits if rule.role == "exclude"}):
        return False, f"excluded by {', '.join(excluded)}", 0
    counted, unmet = 0, []
    for lang, required in ((lang, topic.rules["require"].get(lang)) for lang in topic.rules["terms"]):
        n = sum(1 for rule, _ in hits if rule.role == "terms" and rule.lang == lang)
        if n and required and not any(r.role == "require" and r.lang == lang for r, _ in hits):
            unmet.append(lang)
        else:
            counted += n
    if counted >= topic.min_hits:
        return True, f"{counted} term hit(s)", counted
    if unmet:
        return False, f"no required co-occurring term ({', '.join(unmet)})", counted
    return False, f"{counted} term hit(s), needs {topic.min_hits}", counted


class TopicMatcher:
    """A taxonomy compiled for matching; holds the lemmatiser it was compiled with."""

    def __init__(self, topics: tuple[Topic, ...] | None = None, lemmas: Lemmas | None = None) -> None:
        self.lemmas = lemmas or Lemmas()
        self.topics = load_taxonomy() if topics is None else topics
        self._index: PhraseIndex[_Rule] = PhraseIndex(self.lemmas)
        for topic in self.topics:
            for role, by_lang in topic.rules.items():
                for lang, terms in by_lang.items():
                    for term in terms:
                        self._index.add(term, _Rule(topic.id, role, term, lang))

    @classmethod
    def from_file(cls, path: Path, lemmas: Lemmas | None = None) -> TopicMatcher:
        return cls(load_taxonomy(path), lemmas)

    def _found(self, words: Words) -> dict[str, list[tuple[_Rule, str]]]:
        """topic -> (rule, the words of the text that matched it), in text order."""
        hits = longest_per_group(self._index.find(words), lambda rule: (rule.topic, rule.role))
        found: dict[str, list[tuple[_Rule, str]]] = {}
        for hit in hits:
            matched = words.text[words.span(hit.first)[0] : words.span(hit.last)[1]]
            found.setdefault(hit.value.topic, []).append((hit.value, matched))
        return found

    def explain(self, text: str | Words, lang: str) -> list[TopicExplanation]:
        """Every topic with what was found for it and whether it fired (for ``osiwire topics test``)."""
        found = self._found(text if isinstance(text, Words) else Words(text))
        out = []
        for topic in self.topics:
            hits = found.get(topic.id, [])
            fired, reason, counted = _verdict(topic, hits)
            summary: dict[str, dict[str, tuple[str, ...]]] = {}
            for rule, matched in hits:
                terms = summary.setdefault(rule.role, {})
                terms[rule.term] = tuple(dict.fromkeys((*terms.get(rule.term, ()), matched)))
            out.append(
                TopicExplanation(topic.id, topic.label, fired, reason, counted, topic.min_hits, summary)
            )
        return out

    def match(self, text: str | Words, lang: str) -> list[TopicMatch]:
        """The topics that fire on ``text``, most hits first, each with the words that made it fire."""
        fired = [e for e in self.explain(text, lang) if e.fired]
        fired.sort(key=lambda e: -e.hits)
        out = []
        for e in fired:
            words = (w for term_words in e.found.get("terms", {}).values() for w in term_words)
            evidence = tuple(dict.fromkeys(w.casefold() for w in words))[:MAX_EVIDENCE]
            out.append(TopicMatch(e.id, e.label, evidence))
        return out


@functools.cache
def default_matcher() -> TopicMatcher:
    """This process's matcher over the bundled taxonomy (built on first use: lemmatiser and rules)."""
    return TopicMatcher()


def match_topics(text: str, lang: str, matcher: TopicMatcher | None = None) -> list[TopicMatch]:
    """The taxonomy topics ``text`` is about, with evidence (the bundled taxonomy unless ``matcher``)."""
    return (matcher or default_matcher()).match(text, lang)


def explain_topics(text: str, lang: str, matcher: TopicMatcher | None = None) -> list[TopicExplanation]:
    """Which rules fire on ``text`` and why, for every topic."""
    return (matcher or default_matcher()).explain(text, lang)
