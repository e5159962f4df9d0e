"""Paragraphs of plain text and sentences of a paragraph."""

from __future__ import annotations

import logging
import re

import razdel

logger = logging.getLogger(__name__)

# Sentences are grouped into segments up to this size when a text comes as one flat blob: about one
# paragraph of a press release (kremlin.ru paragraphs are mostly 200–600 characters), short enough for
# per-paragraph language detection and display, long enough to keep context for translation.
GROUP_TARGET_CHARS = 500
# A line this long in a text that does have line breaks is a flattened page, not a paragraph.
BLOB_LINE_CHARS = 3000
# A block whose lines (all but its last) are all within these lengths was hard-wrapped by its writer
# (72–80 columns is the usual width of e-mail and plain-text wires): its lines are one paragraph.
HARD_WRAP_MIN_CHARS = 50
HARD_WRAP_MAX_CHARS = 90

# Languages written in Cyrillic, which razdel's rules (initials, "г-н", "т.е.", "руб.") fit.
CYRILLIC_LANGUAGES = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn", "ba", "tt", "cv"})

# Words that end in a full stop without ending a sentence (compared lower-cased, without the stop).
ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "lt", "col", "maj", "capt", "sgt", "adm",
        "sen", "rep", "gov", "pres", "amb", "hon", "rev", "fr", "mt", "ft", "no", "nos", "vol", "vols",
        "fig", "figs", "art", "arts", "para", "ch", "sec", "pp", "p", "ed", "eds", "approx", "est", "dept",
        "univ", "assn", "bros", "inc", "ltd", "co", "corp", "plc", "vs", "etc", "al", "cf", "e.g", "i.e",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "u.s", "u.k", "u.n", "a.m", "p.m", "z.b", "bzw", "nr", "hr", "sra", "mme", "mlle",
    }
)  # fmt: skip

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_SPACES = re.compile(r"\s+")
# A candidate sentence end: terminal punctuation (and closing quotes/brackets), then space, then a
# character that can start a sentence. CJK full stops end sentences without a following space.
_SENTENCE_END = re.compile(r"""[.!?…]+["'”’»)\]]*\s+(?=["'“‘«(\[]?[\w¿¡])|[。！？]+""")
_LAST_WORD = re.compile(r"(\S+)$")


def _clean(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def _is_hard_wrapped(lines: list[str]) -> bool:
    return len(lines) > 1 and all(HARD_WRAP_MIN_CHARS <= len(x) <= HARD_WRAP_MAX_CHARS for x in lines[:-1])


def _group_sentences(text: str) -> list[str]:
    groups: list[str] = []
    current = ""
    for sentence in razdel.sentenize(text):
        piece = _clean(sentence.text)
        if not piece:
            continue
        if current and len(current) + 1 + len(piece) > GROUP_TARGET_CHARS:
            groups.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    if current:
        groups.append(current)
    return groups


def split_paragraphs(text: str) -> list[str]:
    """Split plain text into paragraphs: by lines, or by groups of sentences when it is one long blob."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    if "\n" not in text:
        return _group_sentences(text) if len(text) > GROUP_TARGET_CHARS else [_clean(text)]
    paragraphs: list[str] = []
    for block in _BLANK_LINE.split(text):
        lines = [x for x in (_clean(raw) for raw in block.split("\n")) if x]
        if _is_hard_wrapped(lines):
            lines = [" ".join(lines)]
        for line in lines:
            paragraphs.extend(_group_sentences(line) if len(line) > BLOB_LINE_CHARS else [line])
    return paragraphs


def _split_by_rules(text: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        head = text[start : match.start()]
        word = _LAST_WORD.search(head)
        last = word.group(1).lower().lstrip("\"'“‘«([") if word else ""
        stop = text[match.start()]
        # "Dr. Smith", "e.g. this", "J. Smith": a full stop after an abbreviation or an initial ends nothing.
        if stop == "." and (last in ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
            continue
        sentence = text[start : match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_sentences(text: str, lang: str) -> list[str]:
    """Split a paragraph into sentences: razdel for Cyrillic languages, abbreviation-aware rules else."""
    text = _clean(text)
    if not text:
        return []
    if lang in CYRILLIC_LANGUAGES:
        return [s.text for s in razdel.sentenize(text) if s.text.strip()]
    return _split_by_rules(text)
