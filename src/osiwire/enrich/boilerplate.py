"""Site furniture learned per source: word sequences that open or close most of a source's releases.

A page's menus, "Статус материала Опубликован в разделах: …", "Дата публикации", "Ссылка на материал" end up
in the scraped text; natasha reads their capitalised words into names ("Баканов Дмитрий Владимирович Статус"
became "Dmitriy Vladimirovich Status"). The word-list in entities.toml knows one site's words; this learns any
site's: the word trigrams near the start or the end of a release that recur in at least ``MIN_SHARE`` of a
source's releases, once ``MIN_RELEASES`` of them were read by this process. Mentions inside such text are
dropped, and a mention running into it is cut where it starts. Learned as releases are enriched (each worker
process learns on its own); the first releases of a source are read before anything is known.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from osiwire.model import Mention, Segment

# A source's releases needed before any trigram counts as furniture; a trigram in 80 % of them is furniture
# ("Владимир Путин" is in about half of kremlin.ru's releases, its footer in all of them).
MIN_RELEASES = 20
MIN_SHARE = 0.8
GRAM = 3
# Furniture opens or closes a page: only the first and last EDGE_WORDS words of a release are counted, which
# also bounds the counter (at most 2 x EDGE_WORDS trigrams a release).
EDGE_WORDS = 80
# Releases after which a source's furniture is settled and its counts are let go: learning holds at most
# ~2 x EDGE_WORDS x LEARN_RELEASES trigrams a source (~2 MB), and a settled source only its furniture.
LEARN_RELEASES = 100
_WORD = re.compile(r"\S+")


@dataclass
class _Source:
    releases: int = 0
    counts: Counter[tuple[str, ...]] = field(default_factory=Counter)
    known: frozenset[tuple[str, ...]] = frozenset()


def _words(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(text))


def _key(word: str) -> str:
    return word.strip(".,:;!?«»\"'()").casefold()


class SourceBoilerplate:
    """Per source, the furniture learned so far; ``observe`` each release, ``strip`` its mentions."""

    def __init__(self, min_releases: int = MIN_RELEASES, min_share: float = MIN_SHARE) -> None:
        self.min_releases = min_releases
        self.min_share = min_share
        self._sources: dict[object, _Source] = {}
        self._lock = threading.Lock()

    def observe(self, source: object, segments: Sequence[Segment]) -> None:
        """Count one release of ``source`` (its segments' edge trigrams)."""
        if source is None:
            return
        words = [_key(m.group()) for s in segments for m in _words(s.text)]
        edges = words if len(words) <= 2 * EDGE_WORDS else words[:EDGE_WORDS] + words[-EDGE_WORDS:]
        grams = {tuple(edges[i : i + GRAM]) for i in range(len(edges) - GRAM + 1)}
        with self._lock:
            state = self._sources.setdefault(source, _Source())
            if state.releases >= LEARN_RELEASES:
                return
            state.releases += 1
            state.counts.update(grams)
            if state.releases >= self.min_releases:
                floor = self.min_share * state.releases
                state.known = frozenset(g for g, n in state.counts.items() if n >= floor)
            if state.releases >= LEARN_RELEASES:
                state.counts = Counter()  # settled: what it knows stays

    def known(self, source: object) -> frozenset[tuple[str, ...]]:
        """The furniture trigrams of ``source`` learned so far."""
        with self._lock:
            state = self._sources.get(source)
            return state.known if state else frozenset()

    def ranges(self, source: object, text: str) -> list[tuple[int, int]]:
        """Character ranges of ``text`` covered by ``source``'s furniture trigrams."""
        known = self.known(source)
        if not known:
            return []
        words = _words(text)
        keys = [_key(m.group()) for m in words]
        out: list[tuple[int, int]] = []
        for i in range(len(words) - GRAM + 1):
            if tuple(keys[i : i + GRAM]) in known:
                start, end = words[i].start(), words[i + GRAM - 1].end()
                if out and start <= out[-1][1] + 1:
                    out[-1] = (out[-1][0], end)
                else:
                    out.append((start, end))
        return out

    def strip(
        self, source: object, segments: Sequence[Segment], mentions: Sequence[Mention]
    ) -> list[Mention]:
        """``mentions`` without those inside ``source``'s furniture, cut where one runs into it."""
        if not self.known(source):
            return list(mentions)
        by_segment = {s.position: self.ranges(source, s.text) for s in segments}
        out = []
        for mention in mentions:
            ranges = by_segment.get(mention.segment) or []
            inside = [(a, b) for a, b in ranges if a < mention.end and mention.start < b]
            if not inside:
                out.append(mention)
                continue
            cut = _outside(mention, inside)
            if cut is not None:
                out.append(cut)
        return out


def _outside(mention: Mention, ranges: list[tuple[int, int]]) -> Mention | None:
    """The words of ``mention`` before the furniture (or after it, when it opens the span); None if none."""
    words = [(mention.start + m.start(), mention.start + m.end()) for m in _words(mention.text)]
    keep = [w for w in words if not any(a < w[1] and w[0] < b for a, b in ranges)]
    if not keep:
        return None
    # The longest run of kept words next to each other: furniture in the middle ends a name.
    runs: list[list[tuple[int, int]]] = []
    for w in keep:
        if runs and words.index(w) == words.index(runs[-1][-1]) + 1:
            runs[-1].append(w)
        else:
            runs.append([w])
    run = max(runs, key=len)
    start, end = run[0][0], run[-1][1]
    if (start, end) == (mention.start, mention.end):
        return mention
    text = mention.text[start - mention.start : end - mention.start]
    normal_words = mention.normal.split()
    if len(normal_words) == len(words):  # the nominative keeps the words' order: cut it the same way
        first, last = words.index(run[0]), words.index(run[-1])
        normal = " ".join(normal_words[first : last + 1])
    else:
        normal = text
    return replace(mention, start=start, end=end, text=text, normal=normal)
