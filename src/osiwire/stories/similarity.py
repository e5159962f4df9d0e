"""The same-story score: are two releases about the same event? One function for ``osiwire compare`` and the
clusterer, so the contract scored on held-out pairs is exactly what builds the stories.

It combines what a reader uses: the words (TF-IDF cosine over lemmas, with IDF from a shipped background),
a headline against the other's opening, the canonical entities both name (people, organisations, places,
countries: the same across scripts) and other names; dates and figures that contradict count against, and so
does time apart (copies of one event are published within days).
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any

from osiwire.model import Article, Enrichment
from osiwire.store.textindex import CYRILLIC_RE, Lemmatiser, fold
from osiwire.stories.text import STOP_WORDS, TextFeatures, words

MAX_TERMS = (
    400  # strongest terms kept per vector: a transcript's tail does not add to the cost of comparing it
)
MIN_TERM_CHARS = 2
# Time decay: past GRACE_DAYS between two publications, evidence of one story halves every HALF_LIFE_DAYS
# (reports of one event come within hours; the same people two days later are mostly another event).
GRACE_DAYS = 0.5
HALF_LIFE_DAYS = 1.0

LEAD_WORDS = 60  # the opening of a text that says what happened (news puts the event first)
# A name: a capitalised word inside a sentence (after a lower-case word or a comma), Cyrillic or Latin. It finds
# the names NER misses (brands, foreign names, Latin script) and costs nothing.
NAME_RE = re.compile(r"(?<=[a-zа-яё0-9,]\s)[A-ZА-ЯЁ][a-zа-яё]{2,}")
# Evidence against: two texts that each name dates or figures and share none report different events (a
# weather forecast for 8 November is not the one for 16 November; two Security Council meetings on different
# days). Each conflict scales the score by this factor.
CONFLICT_FACTOR = 0.8
# Two headlines that each name a day and not the same one ("Прогноз погоды на 8 ноября" / "... на 16 ноября"):
# serial releases of different days, whatever their wording shares.
TITLE_CONFLICT_FACTOR = 0.5
# The shipped threshold: the median of the thresholds chosen (best F1) on the training folds of 10-fold
# cross-validation over the 113 development pairs of shared/data/dedup/tgcontest-ru (bench/story_pairs.py,
# which reports the cross-validated F1 beside the F1 at this threshold).
SAME_STORY_THRESHOLD = 0.23
# A release with fewer body words than this (title-only, a photo caption) is matched on title and entities
# with a stricter threshold: little text is weak evidence.
MIN_BODY_WORDS = 15
THIN_THRESHOLD = 0.35


@dataclass(frozen=True, slots=True)
class StoryText:
    """A release as the scorer reads it."""

    title: str
    text: str
    published: datetime | None = None
    language: str = ""
    entities: frozenset[str] = frozenset()  # canonical keys: see ``entity_keys``
    translation: str = ""  # an English translation of title and text, where one exists


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """What the score compares of one release."""

    vector: Mapping[str, float]  # TF-IDF over the content lemmas of title, text and translation; unit length
    title_vector: Mapping[str, float]
    lead_vector: Mapping[str, float]  # title and the first LEAD_WORDS words of the text
    entities: frozenset[str]
    names: frozenset[str]  # lemmas of capitalised words inside sentences
    numbers: frozenset[str]
    dates: frozenset[tuple[int, int]] = frozenset()
    title_dates: frozenset[tuple[int, int]] = frozenset()
    published: datetime | None = None
    thin: bool = False  # fewer than MIN_BODY_WORDS words of body: a stricter threshold applies
    language: str = ""
    translated: bool = False  # carries an English translation (its terms are in ``vector``)


@dataclass(frozen=True, slots=True)
class Background:
    """Document frequencies of lemmas in a background collection (the IDF of the text cosine)."""

    documents: int
    df: Mapping[str, int]
    # ``key_weight`` of the keys met so far: a clusterer compares each release with up to 30 representatives of
    # up to 40 keys of each kind (the same keys again and again).
    weights: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def idf(self, term: str) -> float:
        return math.log((self.documents + 1) / (self.df.get(term, 0) + 0.5))


@functools.cache
def shipped_background() -> Background:
    """The background shipped with osiwire (scripts/build_story_idf.py made it; SOURCE.txt beside it)."""
    from osiwire.enrich.transliteration import fold_latin, transliterate

    path = resources.files("osiwire") / "data" / "stories" / "background-df.tsv"
    df: dict[str, int] = {}
    documents = 1
    for line in path.read_text(encoding="utf-8").splitlines():
        term, _, count = line.partition("\t")
        if term == "#documents":
            documents = int(count)
        elif count:
            df[term] = int(count)
    # People are keyed by their transliterated surname ("p:putin:vv"): give those the Cyrillic lemma's count.
    for cyrillic, n in list(df.items()):
        if CYRILLIC_RE.search(cyrillic):
            latin = fold_latin(transliterate(cyrillic))
            df[latin] = max(df.get(latin, 0), n)
    return Background(documents, df)


def content_terms(text: str, lemmatiser: Lemmatiser) -> list[str]:
    """The lemmas of a text that carry content: no stop words, numbers or single letters."""
    lemma = lemmatiser.lemma_of_folded  # ``words`` folds the text
    return content_lemmas([lemma(w) for w in words(text) if w.isalpha()])


def content_lemmas(lemmas: Iterable[str]) -> list[str]:
    """The lemmas that carry content, of a text's lemmas (``TextFeatures.lemmas``)."""
    return [t for t in lemmas if len(t) >= MIN_TERM_CHARS and t.isalpha() and t not in STOP_WORDS]


MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7, "август": 8, "сентябр": 9,
    "октябр": 10, "ноябр": 11, "декабр": 12, "january": 1, "february": 2, "march": 3, "april": 4, "may": 5,
    "june": 6, "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_MONTH = r"(январ[ья]|феврал[ья]|марта?|апрел[ья]|ма[йя]|июн[ья]|июл[ья]|августа?|сентябр[ья]|октябр[ья]|ноябр[ья]|декабр[ья]|january|february|march|april|may|june|july|august|september|october|november|december)"
DAY_MONTH_RE = re.compile(rf"\b([0-3]?[0-9])(?:-?(?:го|е|th|st|nd|rd))?\s+{_MONTH}\b")
MONTH_DAY_RE = re.compile(rf"\b{_MONTH}\s+([0-3]?[0-9])(?:st|nd|rd|th)?\b")


def _month(word: str) -> int:
    for stem in sorted(MONTHS, key=len, reverse=True):
        if word.startswith(stem):
            return MONTHS[stem]
    return 0


def dates_of(text: str) -> frozenset[tuple[int, int]]:
    """The (month, day) dates a text names ("8 ноября", "November 8"): the days its events happened."""
    folded = fold(text)
    found = {(_month(m), int(d)) for d, m in DAY_MONTH_RE.findall(folded)}
    found |= {(_month(m), int(d)) for m, d in MONTH_DAY_RE.findall(folded)}
    return frozenset((m, d) for m, d in found if m and 1 <= d <= 31)


def numbers_of(text: str) -> frozenset[str]:
    """Numbers of a text that tell events apart (years alone are too common to count)."""
    return frozenset(
        w for w in words(text) if not w.isalpha() and not (len(w) == 4 and w[:2] in ("19", "20"))
    )


def _numbers(title: str, body: TextFeatures) -> frozenset[str]:
    """``numbers_of`` title and text, the text's number tokens found already (words never span the space)."""
    return numbers_of(title) | frozenset(
        w for w in body.all_numbers if not (len(w) == 4 and w[:2] in ("19", "20"))
    )


def tfidf(terms: Iterable[str], background: Background) -> dict[str, float]:
    """A unit-length TF-IDF vector (sublinear tf), its MAX_TERMS strongest terms."""
    counts = Counter(terms)
    weights = {t: (1 + math.log(c)) * background.idf(t) for t, c in counts.items()}
    if len(weights) > MAX_TERMS:
        weights = dict(sorted(weights.items(), key=lambda kv: -kv[1])[:MAX_TERMS])
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()} if norm else {}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


@functools.lru_cache(maxsize=200_000)
def latin(word: str) -> str:
    """A name in Latin letters (BGN/PCGN, folded), so "Хабаровск" and "Khabarovsk" meet across scripts."""
    from osiwire.enrich.transliteration import fold_latin, transliterate

    return fold_latin(transliterate(word)) if CYRILLIC_RE.search(word) else word


def entity_keys(enrichment: Enrichment) -> frozenset[str]:
    """Canonical entity keys of an enrichment: people by their transliterated key, countries by ISO code,
    organisations and places by their folded normal form."""
    from osiwire.enrich.names import person_key

    keys = {f"p:{person_key(p)}" for p in enrichment.people if p.last}
    keys |= {f"c:{c}" for c in enrichment.countries}
    keys |= {
        f"{m.type[0].lower()}:{latin(fold(m.normal))}"
        for m in enrichment.mentions
        if m.type in ("ORG", "LOC")
    }
    return frozenset(keys)


def story_features(
    doc: StoryText,
    lemmatiser: Lemmatiser,
    background: Background | None = None,
    body: TextFeatures | None = None,
) -> StoryFeatures:
    """The features of one release (``body``: its text's features when already computed, so the text is
    lemmatised once for duplicates and stories)."""
    background = background or shipped_background()
    title_terms = content_terms(doc.title, lemmatiser)
    if body is None:
        body_terms = content_terms(doc.text, lemmatiser)
        lead_terms = content_terms(" ".join(doc.text.split()[:LEAD_WORDS]), lemmatiser)
    else:
        body_terms = content_lemmas(body.lemmas)
        lead_terms = content_lemmas(body.lemmas[:LEAD_WORDS])
    terms = title_terms + body_terms + content_terms(doc.translation, lemmatiser)
    raw = f"{doc.title}\n{doc.text}\n{doc.translation}"
    return StoryFeatures(
        vector=tfidf(terms, background),
        title_vector=tfidf(title_terms, background),
        lead_vector=tfidf(title_terms + lead_terms, background),
        entities=doc.entities,
        names=frozenset(latin(lemmatiser.lemma(n)) for n in NAME_RE.findall(raw)),
        numbers=numbers_of(f"{doc.title} {doc.text}") if body is None else _numbers(doc.title, body),
        dates=dates_of(f"{doc.title} {doc.text}"),
        title_dates=dates_of(doc.title),
        published=doc.published,
        thin=(len(words(doc.text)) if body is None else body.words) < MIN_BODY_WORDS,
        language=doc.language.split("-")[0],
        translated=bool(doc.translation.strip()),
    )


COUNTRY_WEIGHT = 1.0  # a shared country is weak evidence (most releases of a source name its own)
DEFAULT_WEIGHT = 3.0  # an organisation or place whose words the background does not know


MAX_CACHED_WEIGHTS = 500_000  # keys whose weight a background remembers


def key_weight(key: str, background: Background) -> float:
    """How much sharing an entity key or name says: the IDF of its word (a rare name says more than
    "Путин" or "Россия" in a corpus of kremlin.ru releases)."""
    weight = background.weights.get(key)
    if weight is None:
        weight = _key_weight(key, background)
        if len(background.weights) < MAX_CACHED_WEIGHTS:
            background.weights[key] = weight
    return weight


def _key_weight(key: str, background: Background) -> float:
    kind, _, rest = key.partition(":")
    if kind == "c" and len(rest) == 2:
        return COUNTRY_WEIGHT
    if kind == "p":  # "p:putin:vv": the transliterated surname
        return background.idf(rest.split(":")[0])
    if kind in ("o", "l"):
        words = [w for w in rest.split() if w in background.df]
        return min((background.idf(w) for w in words), default=DEFAULT_WEIGHT)
    return background.idf(key)  # a name: its lemma


def overlap(a: frozenset[str], b: frozenset[str], background: Background | None = None) -> float:
    """Shared weight over the smaller side's weight, damped for tiny sets (one shared name of one is weak
    evidence); weights from ``key_weight``."""
    if not a or not b:
        return 0.0
    bg = background or shipped_background()
    weight = functools.partial(key_weight, background=bg)
    shared = sum(map(weight, a & b))
    smaller = min(sum(map(weight, a)), sum(map(weight, b)))
    return shared / (smaller + bg.idf(""))


def closeness(a: datetime | None, b: datetime | None) -> float:
    """1 within GRACE_DAYS, then halving every HALF_LIFE_DAYS (1 when either time is unknown)."""
    if a is None or b is None:
        return 1.0
    days = abs((a - b).total_seconds()) / 86400
    return float(0.5 ** (max(0.0, days - GRACE_DAYS) / HALF_LIFE_DAYS))


def conflict(a: frozenset[Any], b: frozenset[Any]) -> bool:
    """Both give some (dates, figures) and share none."""
    return bool(a) and bool(b) and not (a & b)


FEATURES = ("text", "title_lead", "entities", "names")


def feature_row(a: StoryFeatures, b: StoryFeatures) -> tuple[float | None, ...]:
    """The evidence for one story, each 0..1, in the order of FEATURES: text cosine, the cosine of one title
    with the other's title and lead (a headline names the event the other opens with), shared entities, shared
    names. None where a side lacks what the evidence needs (no title, no entities found): missing evidence is
    not evidence against."""
    has_titles = bool(a.title_vector) and bool(b.title_vector)
    # Two languages and no translation on either side: their words cannot meet, which says nothing.
    words_meet = a.language == b.language or not a.language or not b.language or a.translated or b.translated
    return (
        cosine(a.vector, b.vector) if words_meet else None,
        max(cosine(a.title_vector, b.lead_vector), cosine(b.title_vector, a.lead_vector))
        if has_titles and words_meet
        else None,
        overlap(a.entities, b.entities) if a.entities and b.entities else None,
        overlap(a.names, b.names) if a.names and b.names else None,
    )


def same_story_score(a: StoryFeatures, b: StoryFeatures) -> float:
    """How strongly two releases look like one story (0..1): the mean of the evidence there is (equal weights:
    nothing fitted to 113 pairs), scaled down for conflicting dates or figures and for time apart."""
    present = [x for x in feature_row(a, b) if x is not None]
    if not present:
        return 0.0
    score = sum(present) / len(present)
    if conflict(a.dates, b.dates):
        score *= CONFLICT_FACTOR
    if conflict(a.title_dates, b.title_dates):
        score *= TITLE_CONFLICT_FACTOR
    if conflict(a.numbers, b.numbers):
        score *= CONFLICT_FACTOR
    return score * closeness(a.published, b.published)


def threshold(a: StoryFeatures, b: StoryFeatures) -> float:
    """The score two releases need to be one story: stricter when either has (almost) no body text."""
    return THIN_THRESHOLD if a.thin or b.thin else SAME_STORY_THRESHOLD


def story_text(article: Article, enrichment: Enrichment | None = None, translation: str = "") -> StoryText:
    """What the scorer reads of an extracted release (and its enrichment and English translation)."""
    return StoryText(
        title=article.title,
        text=article.body,
        published=article.published,
        language=article.language,
        entities=entity_keys(enrichment) if enrichment is not None else frozenset(),
        translation=translation,
    )
