"""Release exports: wire text, Markdown and JSON Lines, as renderers in one registry keyed by format name."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from osiwire.errors import OsiwireError
from osiwire.model import Participant, Release, Translation
from osiwire.publish.records import participant_record
from osiwire.translate.memory import HUMAN_ENGINE

TITLE = 0
BODY_KINDS = ("paragraph", "participants")  # an official participant list is part of the release's text
WIRE_NAME = "osiwire"


@dataclass(frozen=True, slots=True)
class ExportItem:
    """What an export renders: the release, its translation (if any) and what enrichment found."""

    release: Release
    translation: Translation | None = None
    participants: Sequence[Participant] = ()


Render = Callable[[ExportItem], str]


def _paragraphs(item: ExportItem) -> tuple[str, list[str], bool]:
    """Title, body paragraphs and whether they are a translation (else the original)."""
    current = item.release.current
    translation = item.translation
    if translation is not None and any(p.translated for p in translation.sentences):
        positions = [s.position for s in current.segments if s.kind in BODY_KINDS]
        body = [translation.segment_text(p) for p in positions]
        return translation.segment_text(TITLE) or current.title, [p for p in body if p], True
    return current.title, [s.text for s in current.segments if s.kind in BODY_KINDS], False


def _engines(translation: Translation) -> str:
    used = sorted(
        {
            f"{p.engine} {p.model}".strip()
            for p in translation.sentences
            if p.translated and p.engine and p.engine != HUMAN_ENGINE
        }
    )
    return ", ".join(used) or "none"


def _human_origins(translation: Translation) -> str:
    """Where the human translations among the pairs came from; "" when there are none."""
    human = [p for p in translation.sentences if p.translated and p.engine == HUMAN_ENGINE]
    if not human:
        return ""
    origins = list(dict.fromkeys(p.model for p in human if p.model))
    return "; ".join(origins) or "the translation memory"


def _note(item: ExportItem, translated: bool) -> str:
    language = item.release.current.language
    if not translated:
        return (
            f"EDITOR'S NOTE: This article is NOT translated: no translation engine was available for "
            f"{language} (install one with `osiwire models install {language} en`). The text above is the original."
        )
    assert item.translation is not None
    partial = "" if item.translation.status == "complete" else " Some sentences are left in the original."
    human = _human_origins(item.translation)
    machine = any(p.translated and p.engine != HUMAN_ENGINE for p in item.translation.sentences)
    if human and not machine:
        return (
            f"EDITOR'S NOTE: This article is a human translation from {language}, from the translation memory "
            f"({human}).{partial}"
        )
    if human:
        return (
            f"EDITOR'S NOTE: This article is translated from {language}, partly by people (from the translation "
            f"memory: {human}), partly by machine ({_engines(item.translation)}). Apologies should the grammar "
            f"and/or sentence structure of the machine-translated sentences not be perfect.{partial}"
        )
    return (
        f"EDITOR'S NOTE: This article is a machine translation from {language} ({_engines(item.translation)}). "
        f"Apologies should the grammar and/or sentence structure not be perfect.{partial}"
    )


def render_wire(item: ExportItem) -> str:
    """The wire style: region header, body, participants, translation note, region footer."""
    release = item.release
    region = release.source.region if release.source and release.source.region else "International"
    title, body, translated = _paragraphs(item)
    kind = "Translation" if translated else "Original"
    lines = [f"{WIRE_NAME.upper()} {kind}. Region: {region} –", "", title, ""]
    for paragraph in body:
        lines += [paragraph, ""]
    listed = any(s.kind == "participants" for s in release.current.segments)
    if item.participants and not listed:  # the official list, when there is one, is already in the body
        lines += ["The meeting was attended by:", ""]
        for p in item.participants:
            name = p.name.name_en or p.name.display
            lines += [f"– {name}, {p.position}." if p.position else f"– {name}.", ""]
    published = release.current.published
    when = published.date().isoformat() if published else "undated"
    source = release.source.name if release.source else "unknown source"
    lines += [
        f"Source: {source}, {when}: {release.url}",
        "",
        _note(item, translated),
        "",
        f"{WIRE_NAME.upper()} {region} News",
    ]
    return "\n".join(lines) + "\n"


def render_markdown(item: ExportItem) -> str:
    """Markdown: title, metadata, body and the translation note."""
    release = item.release
    title, body, translated = _paragraphs(item)
    published = release.current.published
    meta = [
        f"- Source: {release.source.name if release.source else 'unknown'}",
        f"- Region: {release.source.region if release.source else ''}",
        f"- Published: {published.isoformat() if published else 'undated'}",
        f"- Original: <{release.url}>",
    ]
    parts = [f"# {title}", "\n".join(meta), *body]
    if item.participants:
        parts.append(
            "\n".join(f"- {p.name.name_en or p.name.display}: {p.position}" for p in item.participants)
        )
    parts.append(f"*{_note(item, translated)}*")
    return "\n\n".join(parts) + "\n"


def render_jsonl(item: ExportItem) -> str:
    """One JSON object: the release, its current version's segments, the sentence pairs and participants."""
    release = item.release
    current = release.current
    record = {
        "id": release.id,
        "url": release.url,
        "source": release.source.name if release.source else None,
        "region": release.source.region if release.source else None,
        "title": current.title,
        "published": current.published.isoformat() if current.published else None,
        "language": current.language,
        "segments": [asdict(s) for s in current.segments],
        "translation": asdict(item.translation) if item.translation else None,
        "participants": [participant_record(p) for p in item.participants],
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Render] = {"wire": render_wire, "md": render_markdown, "jsonl": render_jsonl}


def render(item: ExportItem, fmt: str) -> str:
    """Render ``item`` in format ``fmt`` (one of RENDERERS)."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise OsiwireError(f"export format {fmt!r}: expected one of {', '.join(RENDERERS)}") from None
    return renderer(item)
