"""Synthetic copies of real releases, as syndication, mirrors and rewrites make them (tests and bench/stories.py).

A variant of a release: its site boilerplate swapped for another site's, its paragraphs (here: runs of
sentences, kremlin.ru texts are flat) reordered, 5-15 % of its words replaced, dropped or doubled, its title
rewritten. Seeded: the same seed gives the same variant.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[А-ЯЁA-Z0-9«\"])")
KREMLIN_TRAILER_RE = re.compile(r"\s+(?:География|Темы|Лица|Статус материала)\s.*$", re.DOTALL)
OTHER_HEADERS = ("Новости дня", "Главное", "Источник: пресс-служба", "Политика |", "")
OTHER_TRAILERS = (
    "Подписывайтесь на наш канал в Telegram.",
    "Фото: пресс-служба. Читайте также: главные новости дня.",
    "Если вы нашли ошибку, выделите её и нажмите Ctrl+Enter.",
    "",
)
TITLE_PREFIXES = ("Кремль: ", "Срочно: ", "", "Официально: ")


@dataclass(frozen=True, slots=True)
class Release:
    title: str
    text: str
    url: str = ""
    date: str = ""


def load_kremlin(shared_data: Path) -> list[Release]:
    path = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.append(Release(row["title"], row["text"], row["url"], row["date"]))
    return out


def variant(
    release: Release, vocabulary: list[str], seed: int, *, change: tuple[float, float] = (0.05, 0.15)
) -> Release:
    """A rewritten copy of ``release`` (see the module docstring)."""
    rng = random.Random(seed)
    body = KREMLIN_TRAILER_RE.sub("", release.text)
    body = body.removeprefix("События ").strip()
    sentences = SENTENCE_RE.split(body)
    size = max(1, len(sentences) // rng.randint(2, 4))
    paragraphs = [" ".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]
    rng.shuffle(paragraphs)
    tokens = " ".join(paragraphs).split()
    share = rng.uniform(*change)
    for _ in range(round(share * len(tokens))):
        i = rng.randrange(len(tokens))
        action = rng.random()
        if action < 0.5:
            tokens[i] = rng.choice(vocabulary)
        elif action < 0.75 and len(tokens) > 1:
            del tokens[i]
        else:
            tokens.insert(i, rng.choice(vocabulary))
    text = f"{rng.choice(OTHER_HEADERS)} {' '.join(tokens)} {rng.choice(OTHER_TRAILERS)}".strip()
    title_words = release.title.split()
    if len(title_words) > 3 and rng.random() < 0.5:
        title_words[rng.randrange(len(title_words))] = rng.choice(vocabulary)
    title = rng.choice(TITLE_PREFIXES) + " ".join(title_words)
    return Release(title, text, f"{release.url}#copy{seed}", release.date)


def vocabulary(releases: list[Release]) -> list[str]:
    """Words of the corpus to swap in (a rewrite uses the same language's words)."""
    return sorted({w for r in releases for w in r.text.split() if w.isalpha() and len(w) > 3})
