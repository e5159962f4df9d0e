"""The languages of one release: each paragraph's own, the release's (theirs by weight), the title's.

Paragraphs are identified first, each with the source's configured language as prior; the release's language is
the one holding most letters among the paragraphs that were clear (a Kazakh release with Russian paragraphs keeps
both, and is Kazakh when Kazakh holds most of its text). A paragraph that disagrees with the release is identified
again with the release's language as prior; one too short or unclear to tell takes the release's language with
confidence 0. The title is identified on its own, the release's language as prior, down to a headline's length.
Nothing clear anywhere and no configured language: ``und``.

A paragraph of two or more sentences is also read sentence by sentence: when its sentences are clearly in
different languages (a Kazakh sentence, then its Russian translation, in one block), it is mixed. It takes the
language holding most of its letters, with that share as confidence (never the 1.0 a single language would earn),
and lists every language found; under MIN_LANGUAGE_SCORE it takes the release's language with confidence 0.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from osiwire.extract.language import UNDETERMINED, LanguageDetector, LanguageGuess, may_mix
from osiwire.model import Article

# Below this probability the answer is a guess and the segment takes the release's language. Set for the lite
# model on kremlin.ru (all Russian) and the Zyte pages (tour-date lines read as German at 0.5-0.6); the detector
# now answers "und" under 0.5 itself.
MIN_LANGUAGE_SCORE = 0.6
# A paragraph with fewer letters than this ("12:00", "Да.", "(Смех.)", "Прошу Вас.") is too short to
# identify and takes the release's language: on kremlin.ru, 20 removed all but one short-sentence error.
# Letters of URLs and e-mail addresses do not count ("E-mail: accredit@may9.ru").
MIN_LANGUAGE_LETTERS = 20
# An address is matched from its token's start only: "\S+@" tried at every position of a long token without "@"
# took quadratic time (a 100,000-character line of one word: 90 s).
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_URL_OR_EMAIL = re.compile(r"(?<!\S)\S+@\S+|https?://\S+|www\.\S+", re.IGNORECASE)
# A sentence ends at . ! ? … (closing quotes and brackets may follow) before a space and a capital letter or digit.
# Cheap on purpose (razdel cost more than the detector): a split at an initial ("Н. Назарбаев") leaves a piece
# too short to count, which joins the next.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"»”)]*\s+(?=[\"«„“(]*[^\W\d_a-zа-яё]|\d)")
# A sentence counts towards a mix when it names its language at this confidence or more: below it, a sentence
# leaning to a neighbour ("Кабинет министров" leaning Kyrgyz) is noise, not a second language.
MIXED_SENTENCE_SCORE = 0.9
# Sentences are read from a paragraph's first MIXED_READ_CHARS characters only: a page-long paragraph has shown its
# languages long before, and a hostile one of 100,000 characters must not cost a detection per sentence.
MIXED_READ_CHARS = 4000


@dataclass(frozen=True, slots=True)
class ReleaseLanguages:
    """The release's language; per segment the language given and the confidence its own text gave it."""

    language: str
    title: LanguageGuess
    paragraphs: tuple[LanguageGuess, ...]
    supplement: LanguageGuess | None


def letters(text: str) -> int:
    """Letters of ``text`` outside URLs and e-mail addresses (counted by runs: a loop over characters cost as
    much as the language model)."""
    return sum(map(len, _LETTER_RUN.findall(_URL_OR_EMAIL.sub(" ", text))))


def _own(text: str, prior: str, detector: LanguageDetector, count: int | None = None) -> LanguageGuess | None:
    """The text's own clear language, or None when it is too short or unclear. A paragraph whose sentences are
    clearly in several languages (``may_mix`` says when to look) gets the one holding most of their letters, that
    share as its score and every language listed, and is returned even when unclear, so that they stay listed."""
    if (letters(text) if count is None else count) < MIN_LANGUAGE_LETTERS:
        return None
    guess = detector.detect(text, prior=prior)
    # "und" too: two scripts in one paragraph may be two clear languages sentence by sentence (or one: Uzbek in
    # both its alphabets)
    if guess.lang and (guess.lang == UNDETERMINED or may_mix(text, guess.lang)):
        weight = _by_sentence(text, prior, detector)
        found = sorted(weight, key=lambda lang: (-weight[lang], lang))
        share = weight[found[0]] / letters(text) if found else 0.0
        if len(found) > 1:
            share = weight[found[0]] / sum(weight.values())
            return LanguageGuess(found[0], round(share, 4), mixed=tuple(found))
        if found and guess.lang == UNDETERMINED:
            return _clear(LanguageGuess(found[0], round(share, 4)))
    return _clear(guess)


def sentence_runs(text: str) -> list[str]:
    """``text`` cut into sentences of MIN_LANGUAGE_LETTERS letters or more (a shorter piece joins the next; a
    short last piece joins the one before)."""
    runs: list[str] = []
    pending = ""
    for piece in _SENTENCE_END.split(text):
        pending = f"{pending} {piece}" if pending else piece
        if letters(pending) >= MIN_LANGUAGE_LETTERS:
            runs.append(pending)
            pending = ""
    if pending:
        if runs:
            runs[-1] = f"{runs[-1]} {pending}"
        else:
            runs.append(pending)
    return runs


def _by_sentence(text: str, prior: str, detector: LanguageDetector) -> Counter[str]:
    """Letters of each language its sentences are clearly in (empty for a text of one sentence)."""
    runs = sentence_runs(text[:MIXED_READ_CHARS])
    weight: Counter[str] = Counter()
    if len(runs) < 2:
        return weight
    for run in runs:
        guess = detector.detect(run, prior=prior)
        if guess.lang and guess.lang != UNDETERMINED and guess.score >= MIXED_SENTENCE_SCORE:
            weight[guess.lang] += letters(run)
    return weight


def _clear(guess: LanguageGuess) -> LanguageGuess | None:
    clear = guess.lang and guess.lang != UNDETERMINED and guess.score >= MIN_LANGUAGE_SCORE
    return guess if clear else None


def _settled(
    text: str, own: LanguageGuess | None, language: str, detector: LanguageDetector
) -> LanguageGuess:
    """A segment's language given the release's: its own when clear (asked again, with the release's language
    as prior, when it disagrees), else the release's with confidence 0 (a mixed one's languages still listed)."""
    if own is not None and own.lang != language and not own.mixed:
        own = _own(text, language, detector)
    return _or_release(own, language)


def _or_release(own: LanguageGuess | None, language: str) -> LanguageGuess:
    """``own`` when clear, else the release's language with confidence 0 (a mixed text's languages listed)."""
    if own is None:
        return LanguageGuess(language, 0.0)
    return own if _clear(own) is not None else LanguageGuess(language, 0.0, own.mixed)


def release_languages(
    title: str,
    paragraphs: list[str],
    hint: str,
    detector: LanguageDetector,
    title_min_chars: int,
    supplement: str = "",
) -> ReleaseLanguages:
    """Decide the release's language and each segment's; ``hint`` is the source's configured language."""
    hint = re.split(r"[-_]", hint.strip().lower(), maxsplit=1)[0]  # "ru-RU", "KK" as the registry reads them
    counts = [letters(text) for text in paragraphs]
    own = [_own(text, hint, detector, n) for text, n in zip(paragraphs, counts, strict=True)]
    weight: Counter[str] = Counter()
    for n, guess in zip(counts, own, strict=True):
        if guess is not None and _clear(guess) is not None:
            weight[guess.lang] += n
    if not weight:  # no clear paragraph, but mixed ones: the language holding most of their letters
        for n, guess in zip(counts, own, strict=True):
            if guess is not None:
                weight[guess.lang] += round(n * guess.score)
    if weight:
        language = max(weight, key=lambda lang: (weight[lang], lang == hint))
    else:  # only short paragraphs (a headline, a caption): together they may still tell, whatever their length
        body = _clear(detector.detect("\n".join(paragraphs), prior=hint))
        language = body.lang if body is not None else hint or UNDETERMINED
        if body is not None and len(paragraphs) == 1:
            own = [body]  # the one paragraph is the whole text: the evidence is its own
    title_own = _own(title, language, detector) if len(title) >= title_min_chars else None
    return ReleaseLanguages(
        language=language,
        title=_or_release(title_own, language),
        paragraphs=tuple(
            _settled(text, guess, language, detector) for text, guess in zip(paragraphs, own, strict=True)
        ),
        supplement=_settled(supplement, _own(supplement, language, detector), language, detector)
        if supplement
        else None,
    )


def segment_guesses(
    article: Article, hint: str, detector: LanguageDetector, title_min_chars: int
) -> dict[int, LanguageGuess]:
    """Each segment's language guess (by position) as extraction decided it: the same decision made again."""
    paragraphs = [s for s in article.segments if s.kind == "paragraph"]
    supplement = next((s for s in article.segments if s.kind == "participants"), None)
    found = release_languages(
        article.title,
        [s.text for s in paragraphs],
        hint,
        detector,
        title_min_chars,
        supplement.text if supplement else "",
    )
    guesses = {s.position: g for s, g in zip(paragraphs, found.paragraphs, strict=True)}
    guesses[0] = found.title
    if supplement is not None and found.supplement is not None:
        guesses[supplement.position] = found.supplement
    return guesses


def segment_confidences(
    article: Article, hint: str, detector: LanguageDetector, title_min_chars: int
) -> dict[int, float]:
    """Each segment's confidence (by position) as extraction decided it."""
    return {
        position: guess.score
        for position, guess in segment_guesses(article, hint, detector, title_min_chars).items()
    }
