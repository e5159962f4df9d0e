"""Glossary protection: every term of the glossary comes out of the engine exactly as listed, or is reported.

Engines that take a glossary in their prompt (LLMs) get the terms of the batch with the plain sentences. The
others (NMT models, LibreTranslate) get placeholders: each protected span of the source becomes a numbered
token, ``ZQX1``, ``ZQX2``, ..., and after translation every token is replaced by the term's exact target.

Why numbered tokens rather than the English term itself written into the Russian sentence: to an NMT model an
upper-case Latin code looks like a product or document number, which such models usually copy verbatim, and it
is one short unit (a few sentencepiece pieces) that survives reordering. An English phrase in the source would
be partly re-translated, re-inflected or re-cased, and a damaged phrase cannot be told from the engine's own
words. A damaged token can: restoration accepts it lower-cased or spaced out ("zqx 1") and reports a token that
did not come back. "ZQX" is not a word, abbreviation or Roman numeral in any language osiwire reads.

The cost, documented rather than hidden: the token carries no grammatical case, so the engine cannot render a
Russian genitive around it ("заседание ZQX1" may come back as "meeting ZQX1" rather than "meeting of ZQX1").

Every output is then checked for every term. Sentences that fail (a token lost, a term the LLM ignored) are
sent once more, to the same engine, with the other technique (plain text with the glossary for placeholder
engines, placeholders for prompt engines), and the better of the two outputs is kept: fewer missing terms,
then no stray token, then the plain one. A term still missing is not forced into the text (there is no telling
where it belongs): it is logged, and ``Glossary.missing`` finds it again from the stored pair.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from osiwire.translate.base import BadResponse, Engine, EngineOutput, TranslateError
from osiwire.translate.glossary import Glossary, Term, TermMatch, contains_term

logger = logging.getLogger(__name__)

PLACEHOLDER_PREFIX = "ZQX"
# Engines that carry the glossary in their prompt when they do not say so with a ``carries_glossary`` attribute.
PROMPT_GLOSSARY_ENGINES = frozenset({"openai"})
# Also what engines make of a token: lower-cased, letters or number spaced out, a hyphen before the number.
_PLACEHOLDER = re.compile(r"z\s*q\s*x\s*[-_]?\s*(\d+)", re.IGNORECASE)
_LEADING_QUOTES = "\"'«“‘(["


@dataclass(frozen=True, slots=True)
class Protected:
    """A sentence as the engine sees it: token ``ZQX<n>`` stands for ``slots[n - 1]``."""

    text: str
    slots: tuple[TermMatch, ...] = ()


@dataclass(frozen=True, slots=True)
class Restored:
    """An engine's output with the tokens replaced by the terms' targets."""

    text: str
    lost: tuple[Term, ...] = ()  # terms whose token did not come back
    stray: bool = False  # a token that was never sent came back: the output is garbled

    @property
    def intact(self) -> bool:
        return not self.lost and not self.stray


def protect(sentence: str, matches: Sequence[TermMatch]) -> Protected:
    """Replace each matched term by a numbered token (nothing when the sentence already holds one)."""
    if not matches or _PLACEHOLDER.search(sentence):
        return Protected(sentence)
    parts: list[str] = []
    last = 0
    for n, match in enumerate(matches, 1):
        parts += [sentence[last : match.start], f"{PLACEHOLDER_PREFIX}{n}"]
        last = match.end
    parts.append(sentence[last:])
    return Protected("".join(parts), tuple(matches))


def restore(output: str, protected: Protected) -> Restored:
    """Put the terms' exact targets where the engine left the tokens."""
    if not protected.slots:
        return Restored(output)
    seen: set[int] = set()
    stray = False

    def replace(found: re.Match[str]) -> str:
        nonlocal stray
        n = int(found.group(1))
        if not 1 <= n <= len(protected.slots):
            stray = True
            return found.group(0)
        seen.add(n)
        target = protected.slots[n - 1].term.target
        opening = not output[: found.start()].strip(_LEADING_QUOTES + " ")
        return target[:1].upper() + target[1:] if opening else target

    text = _PLACEHOLDER.sub(replace, output)
    lost = tuple(m.term for n, m in enumerate(protected.slots, 1) if n not in seen)
    return Restored(text, lost, stray)


@dataclass(frozen=True, slots=True)
class _Attempt:
    output: EngineOutput
    misses: tuple[Term, ...]
    garbled: bool  # a token that was never sent came back
    protected: bool

    @property
    def ok(self) -> bool:
        return not self.misses and not self.garbled

    @property
    def rank(self) -> tuple[int, bool, bool]:
        return len(self.misses), self.garbled, self.protected


def carries_glossary(engine: Engine) -> bool:
    """Whether the engine puts the glossary into its prompt (else it gets placeholders)."""
    return bool(getattr(engine, "carries_glossary", engine.name in PROMPT_GLOSSARY_ENGINES))


def _misses(matches: Sequence[TermMatch], text: str) -> tuple[Term, ...]:
    terms = dict.fromkeys(m.term for m in matches)
    return tuple(t for t in terms if not contains_term(text, t.target))


def _call(
    engine: Engine, inputs: list[str], source_lang: str, target_lang: str, terms: Mapping[str, str] | None
) -> list[EngineOutput]:
    outputs = engine.translate(inputs, source_lang, target_lang, terms or None)
    if len(outputs) != len(inputs):  # the protocol asks engines to raise this; a buggy one may not
        raise BadResponse(f"{engine.name}: {len(outputs)} translations for {len(inputs)} sentences")
    return outputs


def _attempt(
    engine: Engine,
    texts: list[str],
    matches: list[list[TermMatch]],
    langs: tuple[str, str],
    placeholders: bool,
) -> list[_Attempt]:
    if not placeholders:
        terms = {m.term.source: m.term.target for found in matches for m in found}
        outputs = _call(engine, texts, *langs, terms)
        return [
            _Attempt(out, _misses(m, out.text), False, False) for out, m in zip(outputs, matches, strict=True)
        ]
    protected = [protect(text, m) for text, m in zip(texts, matches, strict=True)]
    outputs = _call(engine, [p.text for p in protected], *langs, None)
    attempts = []
    for p, m, out in zip(protected, matches, outputs, strict=True):
        restored = restore(out.text, p)
        output = EngineOutput(restored.text, out.confidence)
        attempts.append(_Attempt(output, _misses(m, restored.text), restored.stray, bool(p.slots)))
    return attempts


def translate_with_glossary(
    engine: Engine, texts: Sequence[str], source_lang: str, target_lang: str, glossary: Glossary, where: str
) -> list[EngineOutput]:
    """One output per text from ``engine``, with the glossary's terms applied and checked (see the module doc).

    Raises what the engine raises on the first call (and BadResponse on a wrong count); a failed retry only logs.
    """
    texts = list(texts)
    langs = (source_lang, target_lang)
    matches = [glossary.find(text, source_lang, target_lang) for text in texts]
    if not any(matches):
        return _call(engine, texts, source_lang, target_lang, None)
    in_prompt = carries_glossary(engine)
    best = _attempt(engine, texts, matches, langs, placeholders=not in_prompt)
    failed = [i for i, a in enumerate(best) if not a.ok]
    if failed:
        try:
            retry = _attempt(
                engine, [texts[i] for i in failed], [matches[i] for i in failed], langs, in_prompt
            )
        except TranslateError as exc:
            logger.warning("glossary retry with %s failed for %s: %s", engine.name, where, exc)
            retry = []
        for i, again in zip(failed, retry, strict=False):
            best[i] = min(best[i], again, key=lambda a: a.rank)
    for text, attempt in zip(texts, best, strict=True):
        if attempt.misses:
            logger.warning(
                "glossary: %s missing from the %s translation of %r in %s",
                ", ".join(repr(t.target) for t in attempt.misses),
                engine.name,
                text[:80],
                where,
            )
    return [a.output for a in best]
