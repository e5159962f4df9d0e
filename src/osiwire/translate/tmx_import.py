"""Importing a TMX file into the translation memory: one entry per sentence and pair, repeats resolved.

``tmx.py`` reads the file; this module turns its units into memory entries and hands them to the store in one
call (one transaction there):

- the same source sentence and pair again in a file: the same translation is a duplicate, counted once; a
  different one is a conflict, and the unit with the newest date wins (a tie: the later unit);
- a unit of several sentences on both sides (a paragraph, as official texts and many tools segment them) also
  gives one entry per source sentence, aligned by length (alignment.py): a release whose paragraph changed
  since keeps the human translation of its unchanged sentences. Only beads of one source sentence count, and a
  sentence the file holds as a unit of its own keeps that unit's translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from osiwire.errors import TmxError
from osiwire.extract.segments import split_sentences
from osiwire.translate.alignment import align_lengths
from osiwire.translate.memory import MemoryEntry, MemoryHit, MemoryKey, text_hash
from osiwire.translate.tmx import TmxRead, TmxUnit, read_tmx


@dataclass
class TmxEntries:
    """A file's units as memory entries, one per sentence and pair, with how its repeats were resolved."""

    entries: list[MemoryEntry] = field(default_factory=list)
    duplicates: int = 0  # the same sentence with the same translation again: counted once
    conflicts: int = (
        0  # the same sentence translated differently: the newest date won (a tie: the later unit)
    )
    aligned: int = 0  # entries of single sentences aligned inside units of several sentences


class ImportCounts(Protocol):
    added: int
    replaced: int
    unchanged: int
    kept: int


class HumanMemory(Protocol):
    """Where imported human translations go (the store's SqlMemory)."""

    def import_human(self, entries: list[MemoryEntry]) -> ImportCounts: ...


@dataclass(frozen=True, slots=True)
class TmxImport:
    """What importing one TMX file did."""

    path: Path
    read: TmxRead
    resolved: TmxEntries
    counts: ImportCounts

    def report(self) -> dict[str, object]:
        """The counts, for ``--json`` and the log."""
        return {
            "file": str(self.path),
            "units": self.read.read,
            "entries": len(self.resolved.entries),
            "added": self.counts.added,
            "replaced": self.counts.replaced,
            "unchanged": self.counts.unchanged,
            "kept_newer": self.counts.kept,
            "duplicates_in_file": self.resolved.duplicates,
            "conflicts_in_file": self.resolved.conflicts,
            "aligned_sentences": self.resolved.aligned,
            "skipped_machine": self.read.machine,
            "skipped_incomplete": self.read.incomplete,
        }

    def describe(self) -> str:
        """The counts in one line."""
        c, r = self.counts, self.resolved
        return (
            f"{self.path}: {self.read.read} unit(s), {len(r.entries)} entr(ies): {c.added} added, "
            f"{c.replaced} replaced, {c.unchanged} unchanged, {c.kept} kept (stored one newer); in the file "
            f"{r.duplicates} duplicate(s), {r.conflicts} conflict(s) (newest changedate won), {r.aligned} sentence(s) "
            f"aligned inside units of several; skipped "
            f"{self.read.machine} machine-translated, {self.read.incomplete} without source or target"
        )


def import_tmx(path: Path, memory: HumanMemory, origin: str = "") -> TmxImport:
    """Read a TMX file whole, then store its translations in one transaction (``origin``: the file and tool)."""
    if not path.is_file():
        raise TmxError(f"{path}: no such file")
    read = read_tmx(path)
    resolved = tmx_entries(read, origin or path.name + (f", {read.tool}" if read.tool else ""))
    return TmxImport(path, read, resolved, memory.import_human(resolved.entries))


def tmx_entries(read: TmxRead, origin: str) -> TmxEntries:
    """One memory entry per (source sentence, pair, engine) of a file: repeats resolved as ``TmxEntries`` says."""
    out = TmxEntries()
    chosen: dict[MemoryKey, tuple[MemoryEntry, datetime | None]] = {}
    for unit in read.units:
        for target_lang, target in unit.targets.items():
            key = MemoryKey(text_hash(unit.source), unit.source_lang, target_lang, unit.engine, unit.model)
            entry = MemoryEntry(key, MemoryHit(target, unit.confidence, origin), unit.source, unit.changed_at)
            earlier = chosen.get(key)
            if earlier is not None:
                if earlier[0].hit.target == target:
                    out.duplicates += 1
                    if not _later(unit.changed_at, earlier[1]):
                        continue
                else:
                    out.conflicts += 1
                    if not _later(unit.changed_at, earlier[1]):
                        continue
            chosen[key] = (entry, unit.changed_at)
    aligned: dict[MemoryKey, tuple[MemoryEntry, datetime | None]] = {}
    for unit in read.units:
        for target_lang, target in unit.targets.items():
            for entry in _sentence_entries(unit, target_lang, target, origin):
                earlier = aligned.get(entry.key)
                if entry.key not in chosen and (earlier is None or _later(unit.changed_at, earlier[1])):
                    aligned[entry.key] = (entry, unit.changed_at)
    out.aligned = len(aligned)
    out.entries = [entry for entry, _ in [*chosen.values(), *aligned.values()]]
    return out


def _sentence_entries(unit: TmxUnit, target_lang: str, target: str, origin: str) -> list[MemoryEntry]:
    """Entries of the unit's single source sentences, when both sides have several and align by length."""
    sources = split_sentences(unit.source, unit.source_lang)
    targets = split_sentences(target, target_lang)
    if len(sources) < 2 or len(targets) < 2:
        return []
    beads = align_lengths([len(x) for x in sources], [len(x) for x in targets])
    return [
        MemoryEntry(
            MemoryKey(
                text_hash(sources[b.source_start]), unit.source_lang, target_lang, unit.engine, unit.model
            ),
            MemoryHit(" ".join(targets[b.target_start : b.target_end]), unit.confidence, origin),
            sources[b.source_start],
            unit.changed_at,
        )
        for b in beads or ()
        if b.source_end - b.source_start == 1
    ]


def _later(incoming: datetime | None, earlier: datetime | None) -> bool:
    """Whether a later unit replaces an earlier one of the same key: a newer or equal date, or both undated."""
    if incoming is None:
        return earlier is None
    return earlier is None or incoming >= earlier
