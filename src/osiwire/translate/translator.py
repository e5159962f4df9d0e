"""The translate stage: an Article becomes a Translation, aligned sentence by sentence.

For one article: the title and every paragraph are split into sentences; sentences already in the target
language, or without a letter ("12:00", "2."), are kept as they are. The rest are grouped by language and, for
each language, the engines of the pair are tried in order: the translation memory answers first, and what it
does not know goes to the engine in one batch for the whole article (engines batch internally). An engine that
is down, lacks the pair or answers with the wrong number of sentences hands over to the next; when none is
left, the sentences stay in the original (engine "none") and the Translation says why, in one line. Identical
sentences are translated once: a repeat within the article is served like a memory hit.

Human translations (memory entries of the engine ``human``, imported from TMX) come first, whatever engines are
installed: a paragraph the memory holds whole is split into sentences on both sides and aligned by length
(alignment.py); a sentence it holds alone is served as it is. Neither goes to an engine or its glossary check:
they are what a person wrote.

Glossary terms are applied by ``protection.translate_with_glossary``: placeholders for NMT engines, the prompt
for LLM engines, and a check of every term in every output.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from osiwire.extract.language import LanguageDetector
from osiwire.extract.normalise import normalise_text
from osiwire.extract.segments import split_sentences
from osiwire.model import Article, Segment, SentencePair, Translation
from osiwire.translate.alignment import align_sentences
from osiwire.translate.base import TranslateError
from osiwire.translate.glossary import Glossary
from osiwire.translate.memory import (
    HUMAN_ENGINE,
    MemoryEntry,
    MemoryHit,
    TranslationMemory,
    human_key,
    memory_key,
)
from osiwire.translate.protection import translate_with_glossary
from osiwire.translate.registry import NONE_ENGINE, EngineSet

logger = logging.getLogger(__name__)

# A "sentence" longer than this is not prose but a flattened table, a data blob or a page without punctuation:
# it is kept as is and the Translation says so. The longest of the 12,316 sentences of the 125 kremlin.ru
# releases is 1,651 characters; engines split long sentences themselves well below this.
MAX_SENTENCE_CHARS = 5000
# A sentence of a multi-sentence paragraph with at least this many letters gets its own language detection
# (a quoted English sentence in a Russian paragraph); shorter ones are too short to tell.
SENTENCE_LANGUAGE_MIN_LETTERS = 40
# ...and it leaves its paragraph's language only with this certainty: of the kremlin.ru sentences of 40+
# letters (all Russian) none scored another language above 0.6.
SENTENCE_LANGUAGE_MIN_SCORE = 0.8
# Engine messages (an HTTP body, a traceback line) are cut to this in the one-line error of a Translation.
MAX_REASON_CHARS = 200


@dataclass(frozen=True, slots=True)
class _Sentence:
    segment: int
    index: int
    text: str
    language: str


@dataclass(frozen=True, slots=True)
class _Rendering:
    target: str
    engine: str
    model: str
    confidence: float | None = None
    from_memory: bool = False
    translated: bool = True


def _one_line(text: str, limit: int = MAX_REASON_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _kept(text: str) -> _Rendering:
    return _Rendering(text, "", "", translated=False)


def _untranslated(text: str) -> _Rendering:
    return _Rendering(text, NONE_ENGINE, "", translated=False)


def translation_status(pairs: Sequence[SentencePair]) -> str:
    """complete (nothing left in the original that needed translating), partial or untranslated."""
    needed = [p for p in pairs if p.engine]
    left = sum(1 for p in needed if not p.translated)
    if not left:
        return "complete"
    return "untranslated" if left == len(needed) else "partial"


class Translator:
    """Translates articles and sentence lists through one memory, glossary and set of engines."""

    def __init__(
        self,
        engines: EngineSet,
        memory: TranslationMemory,
        glossary: Glossary,
        detector: LanguageDetector,
        target_language: str,
        *,
        human: bool = True,
    ) -> None:
        self._engines = engines
        self._memory = memory
        # False: engines only (an evaluation must not be answered from imported references).
        self._human = human
        # Per article, later stages add names: translate_article(a, self.glossary.with_terms(names, "enrich")).
        self.glossary = glossary
        self._detector = detector
        self.target_language = target_language

    def translate_article(self, article: Article, glossary: Glossary | None = None) -> Translation:
        """Translate title and paragraphs sentence by sentence (``glossary``: this article's, if it has one)."""
        segments = sorted(article.segments, key=lambda s: s.position)
        human = self._human_paragraphs(segments, article.language)
        sentences = [
            _Sentence(segment.position, index, text, language)
            for segment in segments
            if segment.position not in human
            for index, (text, language) in enumerate(
                self._split(segment.text, segment.language or article.language)
            )
        ]
        pairs, notes = self._translate(
            sentences, self.glossary if glossary is None else glossary, article.url
        )
        if human:
            pairs = sorted(
                [*pairs, *(p for ps in human.values() for p in ps)], key=lambda p: (p.segment, p.index)
            )
        status = translation_status(pairs)
        error = f"{article.url}: {'; '.join(notes)}" if status != "complete" and notes else ""
        return Translation(self.target_language, tuple(pairs), status, error)

    def translate_sentences(
        self, sentences: Sequence[str], source_lang: str, glossary: Glossary | None = None
    ) -> list[SentencePair]:
        """Translate sentences as given, one pair each in order (segment 0, index i): for eval and the CLI."""
        items = [_Sentence(0, i, " ".join(text.split()), source_lang) for i, text in enumerate(sentences)]
        pairs, _ = self._translate(items, self.glossary if glossary is None else glossary, "sentence list")
        return pairs

    def _human_paragraphs(
        self, segments: Sequence[Segment], default_language: str
    ) -> dict[int, list[SentencePair]]:
        """Segments the memory holds a human translation of, whole, aligned sentence by sentence."""
        if not self._human:
            return {}
        target = self.target_language
        keys = {
            s.position: human_key(s.text, s.language or default_language, target)
            for s in segments
            if (s.language or default_language) not in ("", target)
        }
        hits = self._memory.lookup(list(keys.values())) if keys else {}
        out: dict[int, list[SentencePair]] = {}
        for segment in segments:
            hit = hits.get(keys[segment.position]) if segment.position in keys else None
            if hit is None:
                continue
            language = segment.language or default_language
            source = [text for text, _ in self._split(segment.text, language)]
            translated = split_sentences(hit.target, target)
            out[segment.position] = [
                SentencePair(
                    segment=segment.position,
                    index=index,
                    source=src,
                    target=tgt,
                    source_language=language,
                    engine=HUMAN_ENGINE,
                    model=hit.origin,
                    from_memory=True,
                )
                for index, (src, tgt) in enumerate(align_sentences(source, translated))
            ]
        return out

    def _split(self, text: str, language: str) -> list[tuple[str, str]]:
        parts = split_sentences(text, language)
        if len(parts) < 2:
            return [(part, language) for part in parts]
        return [(part, self._sentence_language(part, language)) for part in parts]

    def _sentence_language(self, sentence: str, paragraph_language: str) -> str:
        if sum(ch.isalpha() for ch in sentence) < SENTENCE_LANGUAGE_MIN_LETTERS:
            return paragraph_language
        guess = self._detector.detect(sentence)
        return guess.lang if guess.lang and guess.score >= SENTENCE_LANGUAGE_MIN_SCORE else paragraph_language

    def _translate(
        self, sentences: Sequence[_Sentence], glossary: Glossary, where: str
    ) -> tuple[list[SentencePair], list[str]]:
        renderings: dict[int, _Rendering] = {}
        notes: list[str] = []
        # language -> normalised sentence -> positions: identical sentences go to the engine once.
        groups: dict[str, dict[str, list[int]]] = {}
        for pos, s in enumerate(sentences):
            if s.language == self.target_language or not any(ch.isalpha() for ch in s.text):
                renderings[pos] = _kept(s.text)
            elif len(s.text) > MAX_SENTENCE_CHARS:
                renderings[pos] = _untranslated(s.text)
                notes.append(
                    f"segment {s.segment} sentence {s.index}: {len(s.text):,} characters, "
                    f"over the {MAX_SENTENCE_CHARS:,} cap: kept as is"
                )
            else:
                groups.setdefault(s.language, {}).setdefault(normalise_text(s.text), []).append(pos)
        for language, by_text in groups.items():
            texts = [sentences[positions[0]].text for positions in by_text.values()]
            done, failure = self._translate_language(texts, language, glossary, where)
            if failure:
                notes.append(failure)
            for text, (first, *repeats) in zip(texts, by_text.values(), strict=True):
                renderings[first] = done[text]
                for pos in repeats:
                    renderings[pos] = dataclasses.replace(done[text], from_memory=done[text].translated)
        pairs = [
            SentencePair(
                segment=s.segment,
                index=s.index,
                source=s.text,
                target=r.target,
                source_language=s.language,
                engine=r.engine,
                model=r.model,
                confidence=r.confidence,
                from_memory=r.from_memory,
                translated=r.translated,
            )
            for pos, s in enumerate(sentences)
            for r in (renderings[pos],)
        ]
        return pairs, notes

    def _translate_language(
        self, texts: list[str], lang: str, glossary: Glossary, where: str
    ) -> tuple[dict[str, _Rendering], str]:
        """Translations of distinct ``texts`` in ``lang``, and why some are left untranslated ("" if none)."""
        target = self.target_language
        done: dict[str, _Rendering] = {}
        pending = self._from_human(texts, lang, done)
        failures: list[str] = []
        for engine in self._engines.order_for(lang, target):
            if engine.name == NONE_ENGINE or not pending:
                break
            try:
                model = engine.model_id(lang, target)
                pending = self._from_memory(engine.name, model, pending, lang, glossary, done)
                outputs = (
                    translate_with_glossary(engine, pending, lang, target, glossary, where) if pending else []
                )
            except TranslateError as exc:
                reason = _one_line(str(exc))
                logger.warning(
                    "translate %s-%s with %s failed for %s: %s", lang, target, engine.name, where, reason
                )
                failures.append(f"{engine.name}: {type(exc).__name__}: {reason}")
                continue
            new = {
                text: _Rendering(out.text, engine.name, model, out.confidence)
                for text, out in zip(pending, outputs, strict=True)
            }
            done.update(new)
            self._memory.remember(
                [
                    MemoryEntry(
                        memory_key(text, lang, target, engine.name, model),
                        MemoryHit(r.target, r.confidence),
                        " ".join(text.split()),
                    )
                    for text, r in new.items()
                ]
            )
            pending = []
            break
        for text in pending:
            done[text] = _untranslated(text)
        return done, self._failure(lang, len(pending), failures)

    def _from_human(self, texts: list[str], lang: str, done: dict[str, _Rendering]) -> list[str]:
        """Serve the sentences a person translated into ``done``; return the rest."""
        if not self._human:
            return texts
        keys = {text: human_key(text, lang, self.target_language) for text in texts}
        hits = self._memory.lookup(list(keys.values())) if keys else {}
        rest = []
        for text in texts:
            hit = hits.get(keys[text])
            if hit is None:
                rest.append(text)
            else:
                done[text] = _Rendering(hit.target, HUMAN_ENGINE, hit.origin, from_memory=True)
        return rest

    def _from_memory(
        self,
        engine: str,
        model: str,
        texts: list[str],
        lang: str,
        glossary: Glossary,
        done: dict[str, _Rendering],
    ) -> list[str]:
        """Serve ``texts`` the memory knows for this engine and model into ``done``; return the rest."""
        target = self.target_language
        keys = {text: memory_key(text, lang, target, engine, model) for text in texts}
        hits = self._memory.lookup(list(keys.values()))
        rest = []
        for text in texts:
            hit = hits.get(keys[text])
            # A translation remembered before a term joined the glossary (or without this article's names)
            # lacks the term: translate it again rather than serve it.
            if hit is not None and not glossary.missing(text, hit.target, lang, target):
                done[text] = _Rendering(hit.target, engine, model, hit.confidence, from_memory=True)
            else:
                rest.append(text)
        return rest

    def _failure(self, lang: str, left: int, failures: list[str]) -> str:
        if not left:
            return ""
        pair = f"{lang or 'unknown language'}-{self.target_language}"
        if not failures:  # no engine was even tried: say why each configured one is missing
            skipped = self._engines.unavailable()
            reasons = [
                f"{name}: {skipped.get(name, 'does not support the pair')}"
                for name in self._engines.names_for(lang, self.target_language)
                if name != NONE_ENGINE
            ]
            failures = [f"no engine for {pair}" + (f" ({'; '.join(reasons)})" if reasons else "")]
        return f"{left} {pair} sentence(s) left untranslated: {'; '.join(failures)}"
