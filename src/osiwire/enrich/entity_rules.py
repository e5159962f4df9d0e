"""Rules over natasha's Russian mentions: what its news model gets wrong the same way every time.

- **Blocs and international bodies are organisations** ("ЕС", "Евросоюза", "ОДКБ"): natasha reads many as
  places or misses them; a mention of one becomes ORG, and one it missed is added.
- **A title is never an organisation**: "Председатель Правительства" tagged ORG keeps "Правительства" (the
  body the title names); a span that is a title alone is dropped.
- **Places natasha missed**: country names (``countries.toml``) and parts of the world ("Европы" in "чемпионат
  Европы") not covered by any mention are added as LOC, written with a capital letter and not inside a word.
- **A span inside an organisation's name is not a place**: a LOC mention that sits inside a longer ORG mention
  is dropped ("Российская Федерация" inside "Министерство Российской Федерации по делам гражданской обороны").

Measured on factRuEval-2016 dev in tests/test_ner_quality.py, beside natasha alone.
"""

from __future__ import annotations

import functools
import tomllib
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import resources

from osiwire.enrich.countries import _load as load_countries
from osiwire.enrich.lexicon import Hit, Lemmas, PhraseIndex, Words, fold, longest_per_group
from osiwire.model import Mention

ENTITIES_FILE = "entities.toml"
HEAD = 3  # letters a word form shares with its lemma, as lexicon.HEAD_CHARS
Normalise = Callable[[str, str], str]  # (span text, type) -> its nominative


@dataclass(frozen=True, slots=True)
class _Entry:
    type: str  # ORG | LOC
    mid_sentence: bool = False  # counts only when not opening a sentence ("Того же мнения")


@functools.cache
def _data() -> dict[str, list[str]]:
    text = resources.files("osiwire").joinpath("data").joinpath(ENTITIES_FILE).read_text("utf-8")
    data = tomllib.loads(text)
    return {
        "org": list(data["org"]["names"]),
        "loc": list(data["loc"]["names"]),
        "title": list(data["title"]["words"]),
        "descriptor": list(data["descriptor"]["words"]),
    }


class EntityRules:
    """The rules above, compiled once per lemmatiser."""

    def __init__(self, lemmas: Lemmas) -> None:
        self.lemmas = lemmas
        data = _data()
        self._index: PhraseIndex[_Entry] = PhraseIndex(lemmas)
        for name in data["org"]:
            self._index.add(name, _Entry("ORG"))
        names, rules = load_countries(None)
        mid_sentence = set(rules["mid_sentence"])
        exact = set(rules["exact_case"])
        for country_names in names.values():
            for name in country_names:
                # Nouns only: adjectives ("российский") are written in lower case in the file; abbreviations
                # written in one exact case ("РФ") natasha finds itself.
                if name[:1].isupper() and name not in exact and any("а" <= c <= "я" for c in fold(name)):
                    self._index.add(name, _Entry("LOC", name in mid_sentence))
        for name in data["loc"]:
            self._index.add(name, _Entry("LOC"))
        for phrase in rules["ignore"]:  # "Индийский океан" is not India: consumed, counts for none
            self._index.add(phrase, _Entry(""))
        self._titles = frozenset(fold(w) for w in data["title"])
        self._descriptors = frozenset(fold(w) for w in data["descriptor"])
        # A word form shares its first letters with its lemma: forms starting otherwise are not parsed (most
        # words of a text; parsing each cost as much as the NER model itself).
        self._title_heads = frozenset(w[:HEAD] for w in self._titles)
        self._descriptor_heads = frozenset(w[:HEAD] for w in self._descriptors)

    def _is_title(self, word: str) -> bool:
        return fold(word[:HEAD]) in self._title_heads and self.lemmas.of(word)[0] in self._titles

    def _strip_title(self, mention: Mention, words: Words, spans: list[tuple[int, int]]) -> int | None:
        """Where an ORG mention starts once the title words opening it are cut; None when it is a title only."""
        first = bisect_left(spans, (mention.start, -1))
        inside = []
        for i in range(first, len(spans)):
            if spans[i][1] > mention.end:
                break
            inside.append(i)
        k = 0
        while k < len(inside) and self._is_title(words.forms[inside[k]]):
            k += 1
        if k == 0:
            return mention.start
        if k == len(inside) or not words.forms[inside[k]][:1].isupper():
            return None  # "Председатель", "министр иностранных дел": a title, not a body
        return spans[inside[k]][0]

    def apply(
        self, segment: int, text: str, mentions: Sequence[Mention], normalise: Normalise
    ) -> list[Mention]:
        """The ``mentions`` of one segment's ``text`` with the rules applied, in text order."""
        words = Words(text)
        spans = [words.span(i) for i in range(len(words))]
        hits = [h for h in longest_per_group(self._index.find(words), lambda _: 0) if self._allowed(h, words)]
        known = {(spans[h.first][0], spans[h.last][1]): h.value.type for h in hits}
        out: list[Mention] = []
        for mention in mentions:
            kind = known.get((mention.start, mention.end))
            if kind == "ORG" and mention.type != "ORG":
                mention = replace(mention, type="ORG")
            elif mention.type == "ORG" and kind != "ORG":
                start = self._strip_title(mention, words, spans)
                if start is None:
                    continue
                if start != mention.start:
                    surface = text[start : mention.end]
                    mention = replace(mention, start=start, text=surface, normal=normalise(surface, "ORG"))
            out.append(mention)
        orgs = [(m.start, m.end) for m in out if m.type == "ORG"]
        if orgs:
            out = [
                m
                for m in out
                if m.type != "LOC"
                or not any(a <= m.start and m.end <= b and (a, b) != (m.start, m.end) for a, b in orgs)
            ]
        for hit in hits:
            start, end = spans[hit.first][0], spans[hit.last][1]
            if not hit.value.type or any(m.start < end and start < m.end for m in out):
                continue
            if end < len(text) and text[end] == "-":  # "Россия-2", "Европа-Плюс": part of a longer name
                continue
            surface = text[start:end]
            out.append(
                Mention(segment, start, end, hit.value.type, surface, normalise(surface, hit.value.type))
            )
        out += self._descriptor_mentions(segment, text, words, spans, out, normalise)
        out.sort(key=lambda m: m.start)
        return out

    def _descriptor_mentions(
        self,
        segment: int,
        text: str,
        words: Words,
        spans: list[tuple[int, int]],
        found: Sequence[Mention],
        normalise: Normalise,
    ) -> list[Mention]:
        """A body named by a noun alone ("правительства", "пресс-служба"), where no mention covers it."""
        out = []
        heads = self._descriptor_heads
        for i, form in enumerate(words.forms):
            if fold(form[:HEAD]) not in heads:
                continue
            start, end = spans[i]
            if start > 0 and text[start - 1] == "-":
                continue  # the second half of a hyphenated word: read with its first half
            if end < len(text) and text[end] == "-" and i + 1 < len(spans) and spans[i + 1][0] == end + 1:
                end = spans[i + 1][1]  # "пресс-служба" is one word here
                form = text[start:end]
            if self.lemmas.of(form)[0] not in self._descriptors or not self._singular(form):
                continue
            if any(m.start < end and start < m.end for m in found):
                continue
            out.append(
                Mention(segment, start, end, "ORG", text[start:end], normalise(text[start:end], "ORG"))
            )
        return out

    def _singular(self, form: str) -> bool:
        parses = self.lemmas.analyser.parse(fold(form))
        return bool(parses) and str(parses[0].tag.number) != "plur"

    def _allowed(self, hit: Hit[_Entry], words: Words) -> bool:
        first = words.forms[hit.first]
        if not first[:1].isupper():
            return False  # "союз", "европа" in lower case are not these names
        return not (hit.value.mid_sentence and words.opens_sentence(hit.first))
