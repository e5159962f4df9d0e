"""English people beside their titles, without a model: "Foreign Minister Sergey Lavrov", "Nikolai Patrushev,
Secretary of the Security Council of the Russian Federation, said", "the Prime Minister of Armenia, Nikol Pashinyan,".

A name is the tail of a run of capitalised words (initials, particles, hyphens and apostrophes allowed: "N.P.
Patrushev", "Mohammed bin Salman", "Al-Sisi", "O'Neil", "Zas'") once the words no name has are cut off its
front (titles, bodies, countries, function words, months): 2-4 words, checked by ``parse_name(..., "en")``.
A name counts only with a title phrase next to it, or in a bulleted list row: precision over recall. Lines in
headline case ("Foreign Minister Sergey Lavrov Holds Talks") are skipped: every word is capitalised there, so a
name has no edges.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from osiwire.enrich.english_words import (
    ARTICLES,
    CONNECTORS,
    HEADLINE_LOWER,
    LOCATIVES,
    NOT_NAMES,
    ORG_WORDS,
    PARTICLES,
    PREPOSITIONS,
    STOP_WORDS,
    SURNAME_TITLES,
)
from osiwire.enrich.lexicon import Lemmas
from osiwire.enrich.names import english_name, name_variants, parse_name
from osiwire.enrich.participant_lists import BULLET_ROW
from osiwire.enrich.positions import (
    COUNTRY_FORM_WORDS,
    RANKS_EN,
    country_of,
    is_country_word,
    is_modifier_en,
    is_title_en,
    organisation_of,
)
from osiwire.model import Mention, Participant, PersonName

logger = logging.getLogger(__name__)

# As in osiwire.enrich.participants: one hostile input must not hold a worker (releases are < ~110k chars).
MAX_TEXT_CHARS = 250_000
# Running text names a body shortly ("Secretary of the Security Council of the Russian Federation": 9 words).
APPOSITION_MAX_WORDS = 12
# A post-order title opens the phrase: "Nikolai Patrushev, Russian Security Council Secretary" (title 4th).
TITLE_WITHIN = 4
# A line with this many capitalised words and no lower-case word but function words is a headline.
HEADLINE_MIN_WORDS = 4
_TOKEN = re.compile(r"(?:[^\W\d_]\.)+(?=[\s,;:)]|$)|[^\W\d_]+(?:['’-][^\W\d_]+)*['’]?|\d[\d.,]*|[^\w\s]")
_PATRONYMIC = re.compile(r"(?:vich|vitch|vna|ichna|ovna|evna)$")
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_WORD = re.compile(r"[^\W\d_]+")
# Surname endings of CIS lists that given names end in too (Justin, Martin, Christina, Brian, Julian):
# a running-text name opening with one is in written order, first name first.
_GIVEN_NAME_ENDING = re.compile(r"(?:in|ina|ian)$")


@dataclass(frozen=True, slots=True)
class Found:
    """A person's name at ``start:end`` of a text, with the participant row it gives."""

    start: int
    end: int
    participant: Participant


def _bare(word: str) -> str:
    low = word.lower().replace("’", "'")
    return low[:-2] if low.endswith("'s") and len(low) > 2 else low


def _possessive(word: str) -> bool:
    return len(word) > 2 and word.replace("’", "'").endswith("'s")


def _dotted(word: str) -> bool:
    """Initials: "N.P.", "F.", or a capital letter on its own as Indian wires write them ("R K S Bhadauria")."""
    return (word.endswith(".") and len(word) > 1) or (len(word) == 1 and word.isupper())


def _name_word(word: str) -> bool:
    """A word a person's name may have ("Patrushev", "O'Neil", "al-Assad", "N.P."); not "Council", "CSTO"."""
    if _dotted(word):  # initials, but not "U.S.", "A" or "I"
        return (
            word.isupper() and len(word) <= 4 and word.lower() not in NOT_NAMES and not is_country_word(word)
        )
    head, _, tail = word.partition("-")
    if head in PARTICLES and tail[:1].isupper():
        return True  # al-Assad, el-Sisi
    if not word[:1].isupper() or word.isupper() or _CYRILLIC.search(word):
        return False  # lower case, acronyms, all-caps text; other scripts have their own extractors
    bare = _bare(word)
    return not (bare in NOT_NAMES or is_title_en(bare) or is_modifier_en(bare) or is_country_word(word))


def _phrase_word(word: str) -> bool:
    """A word a title phrase may hold: titles, modifiers, connectors, body words, capitalised names."""
    bare = _bare(word)
    if bare in STOP_WORDS:
        return False
    if bare in CONNECTORS or bare in ORG_WORDS or is_title_en(bare) or is_modifier_en(bare):
        return True
    return word[:1].isupper() and not _CYRILLIC.search(word)


class _Text:
    """A text's tokens and the facts about them every rule needs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(_TOKEN.finditer(text))
        self.words = [t.group() for t in self.tokens]
        self.lower = {w for w in self.words if w.islower()}

    def joined(self, a: int, b: int) -> bool:
        """Are tokens a and b (= a + 1) on one line with nothing but spaces between them?"""
        return "\n" not in self.text[self.tokens[a].end() : self.tokens[b].start()]

    def opens_sentence(self, index: int) -> bool:
        start = self.tokens[index].start()
        before = self.text[max(0, start - 8) : start].rstrip(" \t\"'“‘«(")
        return not before or before[-1] in ".!?:\n"

    def headline_lines(self) -> list[tuple[int, int]]:
        """Spans of lines whose words are all capitalised but for short function words."""
        spans, start = [], 0
        for line in self.text.split("\n"):
            words = _WORD.findall(line)
            capitalised = sum(w[:1].isupper() for w in words)
            if capitalised >= HEADLINE_MIN_WORDS and all(
                w[:1].isupper() or w in HEADLINE_LOWER for w in words
            ):
                spans.append((start, start + len(line)))
            start += len(line) + 1
        return spans


def _fit(words: list[str], plain_three: bool = False) -> int:
    """How many of a run's trailing name words make the name (0: none)."""
    # two, or three or four with a patronymic, a particle or an initial ("Nikolai Platonovich Patrushev",
    # "Mohammed bin Salman", "John F. Kennedy"); three plain words unless a preposition or a capitalised
    # word stands before them ("Foreign Minister Mohammad Javad Zarif", "said Recep Tayyip Erdogan")
    size = min(len(words), 4)
    while size > 2:
        tail = words[-size:]
        if _dotted(tail[0]) or any(
            w.lower().partition("-")[0] in PARTICLES or _dotted(w) or _PATRONYMIC.search(w.lower())
            for w in tail[1:]
        ):
            return size
        if size == 3 and plain_three and len(words) == 3:
            return size
        size -= 1
    return size if size == 2 else 0


def _names(doc: _Text) -> list[tuple[int, int]]:
    """Token ranges (first, last inclusive) of the names in a text."""
    found: list[tuple[int, int]] = []
    count = len(doc.words)
    i = 0
    while i < count:
        if not (doc.words[i][:1].isupper() or _name_word(doc.words[i])):
            i += 1
            continue
        j = i
        while (
            j + 1 < count
            and doc.joined(j, j + 1)
            and not _possessive(doc.words[j])
            and (
                doc.words[j + 1][:1].isupper()
                or doc.words[j + 1] in PARTICLES
                or _name_word(doc.words[j + 1])
            )
        ):
            j += 1
        name = _name_in_run(doc, i, j)
        if name is not None:
            found.append(name)
        i = j + 1
    return found


def _name_in_run(doc: _Text, first: int, last: int) -> tuple[int, int] | None:
    while last >= first and not _name_word(doc.words[last]):
        if _bare(doc.words[last]) in ORG_WORDS:
            return None  # "Ivan Petrov Foundation": the run names a body
        last -= 1  # "Sergey Lavrov Tuesday", "Sergey Lavrov Foreign Minister"
    if last < first:
        return None  # no name word in the run ("First" alone): index first - 1 is before the text's start
    start = last
    while start > first and (_name_word(doc.words[start - 1]) or doc.words[start - 1] in PARTICLES):
        start -= 1
    while start < last and doc.words[start] in PARTICLES:
        start += 1
    if start == first and doc.opens_sentence(start) and doc.words[start].lower() in doc.lower:
        start += 1  # "Speaking Nikolai Patrushev": a common word that opens a sentence
        if start > last:
            return None  # the run was that one common word ("Print" alone on the text's last line)
    if start == first and first > 0 and doc.words[first - 1].lower() == "the":
        return None  # "the Ust-Orda Buryat Okrug": people's names take no article
    size = _fit(doc.words[start : last + 1], _clear_before(doc, start))
    return (last - size + 1, last) if size else None


def _clear_before(doc: _Text, start: int) -> bool:
    """Can no place or body name hide at the front of the name opening at token ``start``?"""
    # "in Moscow Sergei Lavrov", "Head of Dagestan Vladimir Vasiliev": after a preposition the first of
    # three words is a place or a body
    if start == 0 or not doc.joined(start - 1, start):
        return True
    before = doc.words[start - 1]
    return _titular(before) or (_bare(before) not in LOCATIVES | CONNECTORS and not before[:1].isupper())


def _title_at(doc: _Text, k: int) -> bool:
    """Is token ``k`` a title here ("King" is not in "Kevin King")?"""
    word = doc.words[k]
    if not is_title_en(word):
        return False
    if not word[:1].isupper() or _bare(word) not in SURNAME_TITLES or k == 0 or not doc.joined(k - 1, k):
        return True
    return not (_name_word(doc.words[k - 1]) and not _possessive(doc.words[k - 1]))


def _titular(word: str) -> bool:
    return is_title_en(word) or is_modifier_en(word)


def _opens_phrase(word: str) -> bool:
    """Can this word stand in front of a title: a modifier, a body word, a capitalised name of a body?"""
    bare = _bare(word)
    return bare not in CONNECTORS and (not word.islower() or is_modifier_en(bare) or bare in ORG_WORDS)


def _last_title(doc: _Text, titles: list[int], end: int) -> int:
    """The title the name takes when a phrase holds several ("President Putin and Foreign Minister ...")."""
    first = titles[0]
    for k in range(first + 1, end):
        word, before = doc.words[k], doc.words[k - 1]
        opens = next((m for m in range(k + 1, end) if not is_modifier_en(doc.words[m])), end)
        if word == "and" and opens < end and is_title_en(doc.words[opens]):
            # "Deputy Prime Minister and Minister of Finance": one person's; "President Putin and Foreign
            # Minister Lavrov", "the French President and President Xi": the last title is his
            if not _titular(before) or (opens == end - 1 and _bare(before) == _bare(doc.words[opens])):
                first = k + 1
        elif is_title_en(before) and _name_word(word) and not _possessive(word):
            later = [t for t in titles if t > k]  # "President Putin Defence Minister ...": Putin's title
            if not later:
                return -1
            first = later[0]
    inner = end - 1
    if first < inner and is_title_en(doc.words[inner]) and _bare(doc.words[inner]) not in RANKS_EN:
        while inner - 1 > first and _opens_phrase(doc.words[inner - 1]):
            inner -= 1
        if doc.words[inner - 1] in {"of", "to"}:
            # "a member of Chancellor Angela Merkel's party", "Secretary to ex-Chief Minister X": the inner title
            first = inner
    return first


def _chosen_title(doc: _Text, kept: list[int], end: int) -> int:
    """Where the title phrase ending at ``end`` starts among ``kept`` tokens (-1: it has no title)."""
    titles = [k for k in kept if _title_at(doc, k)]
    first = _last_title(doc, titles, end) if titles else -1
    if first < 0:
        return -1
    while first - 1 in kept and _opens_phrase(doc.words[first - 1]) and doc.words[first - 1] != ")":
        word, before = doc.words[first], doc.words[first - 1]
        if is_country_word(word) and not (
            is_modifier_en(before) or is_country_word(before) or _bare(before) in COUNTRY_FORM_WORDS
        ):
            break  # "... Color Revolution Chinese President": a country opens the phrase
        first -= 1  # "CSTO Secretary General", "Russian President", "Krai acting governor"
    if first > 0 and doc.words[first - 1].lower() in LOCATIVES:  # "in Moscow Foreign Minister ..."
        first = next((k for k in range(first, end) if _titular(doc.words[k])), end)
    while first < end and _bare(doc.words[first]) in CONNECTORS:
        first += 1
    return first


def _named(doc: _Text, index: int, blocked: set[int]) -> bool:
    """Is token ``index`` part of a name (found, or mixed-case like "deGraaf")?"""
    word = doc.words[index]
    return index in blocked or (word[:1].isalpha() and not word.islower() and _bare(word) not in NOT_NAMES)


def _before(doc: _Text, index: int, blocked: set[int]) -> tuple[int, int] | None:
    """Token range of the title phrase that ends right before token ``index``."""
    kept: list[int] = []
    k = index - 1
    while k >= 0 and len(kept) < APPOSITION_MAX_WORDS and k not in blocked and doc.joined(k, k + 1):
        if doc.words[k] == ")" and k > 1 and doc.words[k - 2] == "(" and doc.words[k - 1].isupper():
            kept[:0] = [k - 2, k - 1, k]  # "the president of the Russian Football Union (RFU), ..."
            k -= 3
            continue
        if not _phrase_word(doc.words[k]):
            break
        kept.insert(0, k)
        k -= 1
    if not kept or _bare(doc.words[index - 1]) in CONNECTORS:
        return None  # "Queen and Adam Lambert": a title beside the name, not of it
    prev = doc.words[index - 1]
    if _name_word(prev) and not _dotted(prev) and index > 1 and _bare(doc.words[index - 2]) not in CONNECTORS:
        return None  # "commander SAC Abdul Ghani Mohamad Ji": the name is longer than the four words kept
    first = _chosen_title(doc, kept, index)
    after_name = k >= 2 and doc.words[k] == "," and all(_named(doc, j, blocked) for j in (k - 1, k - 2))
    if after_name and first == k + 1 and not _titular(doc.words[index - 1]):
        return None  # "Jeff deGraaf, founder of Renaissance Macro Research": the title is deGraaf's
    return (first, index - 1) if first >= 0 else None


def _after(doc: _Text, index: int, blocked: set[int]) -> tuple[int, int] | None:
    """Token range of the title phrase after a name behind a comma or a dash ("Patrushev, Secretary of ...")."""
    if (
        index >= len(doc.words)
        or doc.words[index] not in {",", "–", "—", "-"}
        or not doc.joined(index - 1, index)
    ):
        return None
    start = index + 1
    article = start < len(doc.words) and doc.words[start].lower() in ARTICLES
    start += article
    kept: list[int] = []
    k = start
    while k < len(doc.words) and len(kept) < APPOSITION_MAX_WORDS and doc.joined(k - 1, k):
        if k in blocked:
            return None  # "Lavrov, Defence Minister Sergei Shoigu": the title is the next person's
        if not _phrase_word(doc.words[k]):
            break
        kept.append(k)
        k += 1
    title = next((k for k in kept if _title_at(doc, k)), -1)
    if (
        title < 0
        or title - start > TITLE_WITHIN
        or any(doc.words[k].lower() in CONNECTORS for k in kept[: title - start])
    ):
        return None
    if any(is_title_en(doc.words[k]) and k + 1 in kept and _name_word(doc.words[k + 1]) for k in kept):
        return None  # "Lavrov, President Putin and ...": the title names someone else
    last = kept[-1]
    titles = [k for k in kept if is_title_en(doc.words[k])]
    after = doc.words[last + 1] if last + 1 < len(doc.words) else ""
    if all(is_modifier_en(doc.words[k]) for k in titles) and after.islower() and after not in PREPOSITIONS:
        return None  # "Mi Mi Sein, assistant professor": the head is a word the lexicon lacks
    if article and not (_closed(doc, last) or doc.words[last + 1].lower() in PREPOSITIONS):
        return None  # "..., the regional head gave instructions": a new clause, not an apposition
    while last > title and _bare(doc.words[last]) in CONNECTORS:
        last -= 1
    return None if _name_like(doc, start, last) else (start, last)


def _name_like(doc: _Text, first: int, last: int) -> bool:
    """Is the phrase a name ending in a title word ("Alzarri Joseph, Brandon King, Evin Lewis")?"""
    words = doc.words[first : last + 1]
    names = all(_name_word(w) and not _possessive(w) for w in words[:-1])
    return len(words) > 1 and names and is_title_en(words[-1]) and not _title_at(doc, last)


def _closed(doc: _Text, last: int) -> bool:
    """Does the name at token ``last`` end its clause ("..., Nikol Pashinyan, said")?"""
    return last + 1 >= len(doc.words) or doc.words[last + 1] in {",", ".", ";", ":", "(", ")", "–", "—"}


def _phrase(doc: _Text, first: int, last: int, blocked: set[int]) -> tuple[int, int] | None:
    """The title phrase of the name at tokens ``first``..``last``: before it, after it, or before its comma."""
    direct = _before(doc, first, blocked)
    comma = first > 0 and doc.words[first - 1] == ","
    if direct is not None:
        ranks = all(
            _bare(doc.words[k]) in RANKS_EN
            for k in range(direct[0], direct[1] + 1)
            if is_title_en(doc.words[k])
        )
        if ranks and direct[0] > 0 and doc.words[direct[0] - 1] == ",":
            office = _before(doc, direct[0] - 1, blocked)  # "the commander of the fleet, Admiral ..."
            if office is not None:
                return office[0], direct[1]
        return direct
    if not _possessive(doc.words[last]):
        after = _after(doc, last + 1, blocked)
        if after is not None:
            return after
    if comma and _closed(doc, last):
        office = _before(doc, first - 1, blocked)
        return None if office is None or _name_like(doc, *office) else office
    return None


def running_name(written: str) -> PersonName | None:
    """A name as English running text writes it: two words are "First Last" ("Brian Hook", "Kevin Rudd")."""
    # parse_name reads "Brian Hook" surname first by the ending of "Brian" (a habit of CIS lists)
    name = parse_name(written, "en")
    words = written.split()
    if name is None or len(words) < 2 or name.last != words[0] or words[0].isupper():
        return name
    if len(words) > 2:
        if any(_PATRONYMIC.search(w.lower()) for w in words) or not _GIVEN_NAME_ENDING.search(words[0]):
            return name  # "Grigoryan Armen Valerievich", "Mahmudzoda Nasrullo Rakhmatjon": surname first
        # "Justin Pierre Trudeau" read surname first by the ending of "Justin": parts back in written order
        swapped = PersonName(
            first=name.last, patronymic=name.first, last=name.patronymic, initials=name.initials
        )
        return replace(swapped, name_en=english_name(swapped), variants=name_variants(swapped))
    swapped = PersonName(first=name.last, last=name.first, initials=name.initials)
    return replace(swapped, name_en=english_name(swapped), variants=name_variants(swapped))


def capped(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, after a sentence or a line in its last tenth if one ends there."""
    # a name or a title cut in half would make a row of its own
    if len(text) <= limit:
        return text
    start = limit - limit // 10
    cut = max(text.rfind("\n", start, limit), text.rfind(". ", start, limit))
    return text[: cut + 1] if cut >= 0 else text[:limit]


def find_people(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[Found]:
    """People named with a title next to them in English running text, outside the ``skip`` spans (lists)."""
    if len(text) > MAX_TEXT_CHARS:
        logger.warning("english people: text of %d characters cut to %d", len(text), MAX_TEXT_CHARS)
        text = capped(text, MAX_TEXT_CHARS)
    doc = _Text(text)
    headlines = doc.headline_lines()
    names = _names(doc)
    blocked = {k for first, last in names for k in range(first, last + 1)}
    skipped = [*skip, *headlines]
    names_seen: dict[str, PersonName | None] = {}  # releases repeat their people and titles: parse each once
    bodies: dict[str, tuple[str, str]] = {}
    found: list[Found] = []
    for first, last in names:
        start, end = doc.tokens[first].start(), doc.tokens[last].end()
        if any(a <= start < b for a, b in skipped):
            continue
        phrase = _phrase(doc, first, last, blocked - set(range(first, last + 1)))
        if phrase is None:
            continue
        if _possessive(doc.words[last]):
            end -= 2  # "Vladimir Putin's": the name without its possessive ending
        elif doc.words[last][-1] in "'’" and last + 1 < len(doc.words) and doc.words[last + 1].islower():
            end -= 1  # "Loretta Biggs' decision"; "Zas' visit" gives Zas, a spelling of Zas' too
        if _dotted(doc.words[first]) and last - first >= 2 and not _dotted(doc.words[first + 1]):
            start = doc.tokens[first + 1].start()  # "M. Jean-Yves Le Drian": parse_name takes no lone initial
        written = text[start:end]
        if written not in names_seen:
            names_seen[written] = _checked_name(written, doc.lower)
        name = names_seen[written]
        if name is None:
            continue
        position = text[doc.tokens[phrase[0]].start() : doc.tokens[phrase[1]].end()]
        if position not in bodies:
            bodies[position] = organisation_of(position), country_of(position)
        organisation, country = bodies[position]
        participant = Participant(name, position, organisation, country, source="apposition")
        found.append(Found(start, end, participant))
    return found


def _checked_name(written: str, lower: set[str]) -> PersonName | None:
    """The person's name as parse_name reads it, or None when it is no name of a person."""
    words = [w for w in _WORD.findall(written) if len(w) > 1 and w.lower() not in PARTICLES]
    if words and all(w.lower() in lower for w in words):
        return None  # "an Online Leader Success Mindset": common words the text writes in lower case too
    name = running_name(written)
    return name if name is not None and name.last and (name.first or name.initials) else None


def list_names(text: str) -> list[tuple[int, int]]:
    """Spans of the names in bulleted list rows ("– Grigoryan Armen Valerievich, Secretary of ...")."""
    spans = []
    for match in BULLET_ROW.finditer(capped(text, MAX_TEXT_CHARS)):
        name = parse_name(match["name"], "en")
        if name is not None and name.first and name.last and not _CYRILLIC.search(match["name"]):
            spans.append(match.span("name"))
    return spans


class EnglishPeopleExtractor:
    """PER mentions in English: names in list rows and names beside a title (rules only; no model to load)."""

    language = "en"

    def __init__(self, lemmas: Lemmas | None = None) -> None:
        self.lemmas = lemmas  # the registry's factories pass the shared lemmatiser; these rules need none

    def extract(self, text: str, segment: int) -> list[Mention]:
        return self.extract_many([(segment, text)])

    def extract_many(self, texts: Sequence[tuple[int, str]]) -> list[Mention]:
        mentions = []
        for segment, text in texts:
            listed = list_names(text)
            spans = set(listed) | {(f.start, f.end) for f in find_people(text, listed)}
            for start, end in sorted(spans):
                surface = text[start:end]
                mentions.append(Mention(segment, start, end, "PER", surface, surface))
        mentions.sort(key=lambda m: (m.segment, m.start))
        return mentions
