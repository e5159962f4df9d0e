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
import re
import tomllib
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import resources

from osiwire.enrich import entity_shapes as shapes
from osiwire.enrich.countries import _load as load_countries
from osiwire.enrich.lexicon import Hit, Lemmas, PhraseIndex, Words, fold, longest_per_group
from osiwire.enrich.people_rules import recover_people
from osiwire.model import Mention

ENTITIES_FILE = "entities.toml"
_NAME_TOKEN = re.compile(r"[^\W\d_]+(?:[.-][^\W\d_]+)*\.?")  # "Э.Рахмон", "Абдель-Азизу", "В."
# What a surname's oblique case adds to its nominative ("Борисов" -> "Борисовым", "Ельцин" -> "Ельцину"); a
# longer difference is another word ("Иван", "Иванов", "Иванович").
_CASE_ENDINGS = frozenset(("а", "у", "е", "ом", "ым", "ой", "ою", "ем", "ы", "и"))
_PROPER = frozenset({"Abbr", "Orgn", "Geox", "Name", "Surn", "Patr", "Trad"})
_PARTICLES = frozenset(
    ("аль", "эль", "бен", "бин", "ибн", "де", "ван", "фон", "ле", "ла", "дер", "дос", "да", "ди")
)
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
        "boilerplate": list(data["boilerplate"]["words"]),
        "not_org": list(data["not_org"]["words"]),
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
        self._boilerplate = frozenset(fold(w) for w in data["boilerplate"])
        self._not_org = frozenset(data["not_org"])
        self._morph = shapes.Morphology(lemmas)
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
        split = [piece for m in mentions for piece in shapes.split_at_brackets(text, m, normalise)]
        for mention in self._people_apart(text, split, normalise):
            if mention.type != "PER" and self._capitalised_heading(mention.text):
                continue
            if mention.type == "ORG" and mention.text in self._not_org:
                continue
            kind = known.get((mention.start, mention.end))
            if kind == "ORG" and mention.type != "ORG":
                mention = replace(mention, type="ORG")
            elif kind == "LOC" and mention.type != "LOC":  # "Эль Сальвадор" read as a person, "МКС" as a body
                mention = replace(mention, type="LOC", normal=normalise(mention.text, "LOC"))
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
        morph = self._morph
        out = shapes.drop_kind_beside_name(text, out, morph)
        out = shapes.drop_named_things(text, out, morph)
        out = shapes.quoted_names_with_places(segment, text, out, morph, normalise)
        out = shapes.facilities_are_places(text, out, morph)
        out = shapes.authorities_of_places(segment, text, out, morph, normalise)
        out = shapes.link_abbreviations(segment, text, out, normalise)
        out = recover_people(segment, text, out, morph, normalise)
        out.sort(key=lambda m: m.start)
        return out

    def _capitalised_heading(self, surface: str) -> bool:
        """A common word in capitals ("ПРЕАМБУЛА", "СТАТЬЯ 5" headings), not an abbreviation or a name."""
        if not (surface.isupper() and len(surface) > 3 and " " not in surface and surface.isalpha()):
            return False
        folded = fold(surface)
        analyser = self.lemmas.analyser
        if not analyser.word_is_known(folded):
            return False  # "ОДКБ", "БРИКС": abbreviations morphology does not know
        return not any(p.tag.grammemes & _PROPER for p in analyser.parse(folded))

    def _people_apart(self, text: str, mentions: Sequence[Mention], normalise: Normalise) -> list[Mention]:
        """PER mentions that run several names together cut into one per name, words that are no name trimmed.

        kremlin.ru pages glue a tooltip's full name to the name shown ("Андрей Белоусов Белоусов Андрей
        Рэмович"), list people run together ("Котюков Михаил Михайлович Цыбульский Александр Витальевич") and
        end with boilerplate ("Лица Баканов Дмитрий Владимирович Статус материала"): natasha reads each run
        as one person.
        """
        out: list[Mention] = []
        for mention in mentions:
            if mention.type != "PER" or mention.text.count(" ") < 2:
                out.append(mention)
                continue
            tokens = [m.span() for m in _NAME_TOKEN.finditer(mention.text)]
            names = self._names_in(mention.text, tokens)
            if names == [(0, len(tokens) - 1)]:
                out.append(mention)  # one name, as natasha found it
                continue
            for first, last in names:
                start, end = mention.start + tokens[first][0], mention.start + tokens[last][1]
                if (start, end) == (mention.start, mention.end):
                    out.append(mention)
                else:
                    out.append(
                        replace(
                            mention,
                            start=start,
                            end=end,
                            text=text[start:end],
                            normal=normalise(text[start:end], "PER"),
                        )
                    )
        return out

    def _names_in(self, text: str, tokens: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """(first, last) token ranges of the names in one PER mention's tokens."""
        words = [text[a:b] for a, b in tokens]
        kinds = [self._name_kind(w) for w in words]
        cuts = [0]
        for k in range(1, len(words)):
            if (
                kinds[k] == "patronymic"
                and k - 2 > cuts[-1]
                and kinds[k - 1] == "name"
                and kinds[k - 2] in ("name", "other")  # "Новак" reads as an organisation's abbreviation
                and words[k - 2][:1].isupper()
            ):
                # "… Котюков Михаил Михайлович": a surname and a first name before a patronymic open a name
                # (a lone first name before it, "Борис Николаевич Ельцин", opens nothing)
                cuts.append(k - 2)
                continue
            if kinds[k] == "initials":
                cuts.append(k)  # "Умару Сиссоку Эмбало В.Путин": initials open a name
                continue
            own = _surname_part(words[k])
            earlier = [
                j
                for j in range(cuts[-1], k)
                if _same_word(_surname_part(words[j]), own) and kinds[j] != "particle"
            ]
            if earlier and kinds[k] != "particle":
                j, cut = earlier[0], k
                while (
                    cut - 1 > cuts[-1]
                    and j > cuts[-1]
                    and kinds[cut - 1] == "particle"
                    and fold(words[cut - 1]) == fold(words[j - 1])
                ):
                    cut, j = cut - 1, j - 1  # "Аль Нахайян Аль Нахайян": the particle goes with its name
                if cut > cuts[-1]:
                    cuts.append(cut)  # the same surname again: the page's tooltip repeats the name
        ranges = []
        for a, b in zip(cuts, [*cuts[1:], len(words)], strict=True):
            while a < b and kinds[a] == "other":
                a += 1
            while b > a and kinds[b - 1] in ("other", "particle"):
                b -= 1
            if a < b:
                ranges.append((a, b - 1))
        return ranges or [(0, len(words) - 1)]

    def _name_kind(self, word: str) -> str:
        """patronymic | particle | initials | other (a title, the page's boilerplate, a place) | name."""
        folded = fold(word)
        if folded in _PARTICLES:
            return "particle"
        if "." in word:
            return "initials"
        if folded in self._boilerplate or self._is_title(word):
            return "other"  # "Лица", "Статус", "Президент" glued to a name
        parses = self.lemmas.analyser.parse(folded)
        if not parses:
            return "name"
        top = parses[0].tag.grammemes
        if "Patr" in top:
            return "patronymic"
        if top & {"Geox", "Orgn"} and not any(p.tag.grammemes & {"Name", "Surn"} for p in parses):
            return "other"  # "Гвинея-Бисау Умару Сиссоку Эмбало", "Аль-Кайды Усамы бин Ладена" ("Сальману": a name)
        return "name"  # any other word natasha put in a person's span: kept (foreign names are unknown words)

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


def _surname_part(word: str) -> str:
    """A word without its initials, folded: "Э.Рахмон" and "Рахмон" are one surname."""
    return fold(word.rsplit(".", 1)[-1])


def _same_word(a: str, b: str) -> bool:
    """One word, maybe in two cases ("Борисовым", "Борисов")."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.startswith(short) and long_[len(short) :] in _CASE_ENDINGS
