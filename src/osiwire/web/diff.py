"""A readable diff between two versions of a release: paragraph by paragraph, word by word inside them.

The output is plain values; the template escapes every piece of text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from osiwire.model import Version

WORD_RE = re.compile(r"\s+|\w+|[^\w\s]")
# Word-level diffs are quadratic in the worst case; past this many tokens a paragraph is shown whole.
MAX_WORD_DIFF_TOKENS = 3000
# Two paragraphs this similar (difflib ratio) are shown as one edited paragraph, else as removed + added.
EDIT_SIMILARITY = 0.4

PieceKind = Literal["same", "added", "removed"]
BlockKind = Literal["same", "added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text inside a paragraph that was kept, added or removed."""

    kind: PieceKind
    text: str


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of the diff; ``skipped`` counts unchanged paragraphs folded into a "same" block."""

    kind: BlockKind
    pieces: tuple[Piece, ...] = ()
    skipped: int = 0


def _words(old: str, new: str) -> tuple[Piece, ...]:
    a, b = WORD_RE.findall(old), WORD_RE.findall(new)
    if max(len(a), len(b)) > MAX_WORD_DIFF_TOKENS:
        return (Piece("removed", old), Piece("added", new))
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(b[j1:j2])))
    return tuple(pieces)


def _replaced(old: list[str], new: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for before, after in zip(old, new, strict=False):
        if difflib.SequenceMatcher(None, before, after, autojunk=False).quick_ratio() >= EDIT_SIMILARITY:
            blocks.append(Block("changed", _words(before, after)))
        else:
            blocks += [
                Block("removed", (Piece("removed", before),)),
                Block("added", (Piece("added", after),)),
            ]
    blocks += [Block("removed", (Piece("removed", p),)) for p in old[len(new) :]]
    blocks += [Block("added", (Piece("added", p),)) for p in new[len(old) :]]
    return blocks


def diff_versions(old: Version, new: Version) -> list[Block]:
    """The changes from ``old`` to ``new``, with runs of unchanged paragraphs folded."""
    a = [s.text for s in old.segments]
    b = [s.text for s in new.segments]
    blocks: list[Block] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            blocks.append(Block("same", skipped=i2 - i1))
        elif op == "delete":
            blocks += [Block("removed", (Piece("removed", p),)) for p in a[i1:i2]]
        elif op == "insert":
            blocks += [Block("added", (Piece("added", p),)) for p in b[j1:j2]]
        else:
            blocks += _replaced(a[i1:i2], b[j1:j2])
    return blocks
