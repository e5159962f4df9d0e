"""The position patterns of role rules: Python's regular expressions, matched in linear time.

A pattern is written in Python's ``re`` syntax (case-insensitive, ё = е, matching from the start of a word) and
is run by RE2, whose matching time grows linearly with the text whatever the pattern: ``(a+)+$`` costs
microseconds where a backtracking engine never ends. RE2 reads a few things differently, so the pattern is
translated first: ``\\w \\d \\s`` (ASCII in RE2) become the Unicode classes Python means, ``\\Z`` is ``\\z``,
``$`` also matches before a final newline, ``{,n}`` is ``{0,n}``, and the start-of-word rule is a character
class instead of a look-behind. What RE2 cannot do (look-arounds, back-references, ``\\b``, possessive and atomic
groups, verbose or ASCII mode) runs on the ``regex`` module instead, with a hard time limit per match.

A pattern neither engine compiles is refused with a one-line ``PatternError`` when the rule is saved.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass
from typing import Any

import re2  # type: ignore[import-untyped]
import regex  # type: ignore[import-untyped]

__all__ = ["PatternError", "PatternTimeout", "PositionPattern", "compile_position"]

# A match on a position (at most MAX_POSITION_CHARS) takes microseconds; a pattern still busy after this long is
# backtracking without end. It bounds only the fallback engine: RE2 needs no limit.
FALLBACK_TIMEOUT_S = 0.05

WORD = r"\p{L}\p{N}_"  # Python's \w on str (letters, every numeric character, "_"): checked on all of Unicode
DIGIT = r"\p{Nd}"  # Python's \d on str
SPACE = r"\t\n\v\f\r\x{1c}-\x{1f}\x{85}\p{Z}"  # Python's \s on str (str.isspace)
# Case-insensitive RE2 closes a class under case folding, so [\p{L}] would take in U+0345 (it folds to ι);
# Python's \w ignores case, so the word classes are case-sensitive groups (inside [...] they cannot be).
WORD_CHAR, NOT_WORD_CHAR = f"(?-i:[{WORD}])", f"(?-i:[^{WORD}])"
_OUTSIDE = {  # outside a class: each escape RE2 reads as ASCII, spelled as Python means it
    **{
        "w": WORD_CHAR,
        "W": NOT_WORD_CHAR,
        "d": DIGIT,
        "D": r"\P{Nd}",
        "s": f"[{SPACE}]",
        "S": f"[^{SPACE}]",
    },
    "Z": r"\z",
}
_INSIDE = {"w": WORD, "d": DIGIT, "s": SPACE}  # \W \D \S inside a class have no RE2 spelling
_FALLBACK_FLAGS = frozenset("xaLmu")  # verbose, ASCII, locale, multi-line: change what the other parts mean
_INLINE_FLAGS = re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?[:)]")  # (?i) (?s) (?i:...) (?-i:...)
_CODE_POINT = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")  # Python's \uXXXX, \UXXXXXXXX
_UP_TO = re.compile(r"\{,(\d*)\}")  # Python's {,n} and {,}; RE2 reads them as text


class PatternError(ValueError):
    """A pattern that cannot be compiled (the message is one line)."""


class PatternTimeout(Exception):
    """The fallback engine gave up on a pattern after ``FALLBACK_TIMEOUT_S``."""


def fold(text: str) -> str:
    """ё = е on both sides of a match."""
    return text.replace("ё", "е").replace("Ё", "Е")


@dataclass(frozen=True, slots=True)
class PositionPattern:
    """A compiled position pattern; ``engine`` is ``re2`` or ``regex`` (the fallback, time-limited)."""

    pattern: str
    engine: str
    _compiled: Any

    def search(self, text: str) -> bool:
        """Whether the pattern matches ``text`` from the start of a word; PatternTimeout from the fallback."""
        folded = fold(text)
        if self.engine == "re2":
            return self._compiled.search(folded) is not None
        try:
            return self._compiled.search(folded, timeout=FALLBACK_TIMEOUT_S) is not None
        except TimeoutError:
            raise PatternTimeout(
                f"pattern {self.pattern[:80]!r} took over {FALLBACK_TIMEOUT_S}s on one position"
            ) from None


# Compiled patterns are kept as re keeps its own: RE2 takes 1.5-5 ms to compile a pattern with the Unicode
# classes (bench/alert_patterns.py), and rules are evaluated on every new release. Both engines' compiled
# patterns are immutable and safe to share between threads.
COMPILED_CACHE = 512


@functools.lru_cache(maxsize=COMPILED_CACHE)
def compile_position(pattern: str) -> PositionPattern:
    """Compile a position pattern (RE2 where it means the same, else the time-limited fallback)."""
    folded = fold(pattern)
    try:
        with warnings.catch_warnings():
            # re warns of what it will read differently one day ("possible nested set" in [[:alpha:]]),
            # and the fallback engine reads differently today: refused too.
            warnings.simplefilter("error")
            re.compile(folded, re.IGNORECASE)  # the language is Python's: what re refuses is refused
    except (re.error, OverflowError, RecursionError, Warning) as exc:
        raise PatternError(_one_line(str(exc))) from None
    translated = to_re2(folded)
    if translated is not None:
        options = re2.Options()
        options.log_errors = False  # a refusal only means the fallback runs it
        options.never_capture = True
        try:
            compiled = re2.compile(f"(?i)(?:^|{NOT_WORD_CHAR})(?:{translated})", options)
        except re2.error:
            pass
        else:
            return PositionPattern(pattern, "re2", compiled)
    try:
        fallback = regex.compile(rf"(?<!\w)(?:{folded})", regex.IGNORECASE | regex.V0)
    except (regex.error, OverflowError, RecursionError) as exc:
        raise PatternError(_one_line(str(exc))) from None
    return PositionPattern(pattern, "regex", fallback)


def to_re2(pattern: str) -> str | None:
    """``pattern`` (valid for Python's re) spelled for RE2 to mean the same; None where it cannot be."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False  # inside [...]
    class_start = -1  # index just after "[" or "[^": a "]" there is a literal
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                return None
            if code_point := _CODE_POINT.match(pattern, i):
                out.append(f"\\x{{{code_point.group(1) or code_point.group(2)}}}")
                i = code_point.end()
                continue
            e = pattern[i + 1]
            if e.isdigit() or e in "bB":  # back-references, octal, word boundaries (ASCII in RE2)
                return None
            if in_class:
                if e in "WDS":
                    return None
                out.append(_INSIDE.get(e, c + e))
            else:
                out.append(_OUTSIDE.get(e, c + e))
            i += 2
            continue
        if in_class:
            if c == "[" and pattern[i + 1 : i + 2] in (":", "=", "."):  # POSIX classes mean nothing to re
                return None
            if c == "]" and i != class_start:
                in_class = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            class_start = i + 2 if pattern[i + 1 : i + 2] == "^" else i + 1
            out.append(pattern[i:class_start])
            i = class_start
            continue
        if c == "(" and pattern.startswith("(?", i):
            if pattern.startswith("(?#", i):  # a comment: RE2 has none
                return None
            flags = _INLINE_FLAGS.match(pattern, i)
            if flags and _FALLBACK_FLAGS & set(flags.group(1) + (flags.group(2) or "")):
                return None
        if c == "$":
            out.append(r"(?:\n?\z)")  # Python's $: the end, or before a newline that ends the text
        elif c == "{" and (up_to := _UP_TO.match(pattern, i)):
            out.append(f"{{0,{up_to.group(1)}}}")  # {0,} is RE2's "any number"
            i = up_to.end()
            continue
        else:
            out.append(c)
        i += 1
    return None if in_class else "".join(out)


def _one_line(message: str) -> str:
    return " ".join(message.split())
