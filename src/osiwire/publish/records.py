"""Enrichment values as plain JSON records: one shape for `show --json`, `analyze` and exports (a contract)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from osiwire.model import Participant, PersonName, Quote, TopicMatch


def person_record(name: PersonName) -> dict[str, Any]:
    """A person: name (original script), name_en, parts, variants."""
    return {
        "name": name.display,
        "name_en": name.name_en,
        "first": name.first,
        "patronymic": name.patronymic,
        "last": name.last,
        "variants": list(name.variants),
    }


def participant_record(participant: Participant) -> dict[str, Any]:
    """A participant row: name (as the release writes it), name_en, position, organisation, country, group."""
    return {
        "name": participant.written or participant.name.display,
        "name_en": participant.name.name_en,
        "position": participant.position,
        "organisation": participant.organisation,
        "country": participant.country,
        "group": participant.group,
    }


def participant_rows(participants: Iterable[Participant]) -> dict[str, list[dict[str, Any]]]:
    """The contract's ``participants`` (of the meeting: list rows, people named with meeting language) and
    ``mentioned`` (named in passing), each row saying where it came from (source) and which it is (kind)."""
    rows: dict[str, list[dict[str, Any]]] = {"participants": [], "mentioned": []}
    for p in participants:
        key = "mentioned" if p.kind == "mentioned" else "participants"
        rows[key].append(participant_record(p) | {"source": p.source, "kind": p.kind})
    return rows


def topic_record(topic: TopicMatch) -> dict[str, Any]:
    """A topic that fired: id, label, evidence."""
    return {"id": topic.id, "label": topic.label, "evidence": list(topic.evidence)}


def quote_record(quote: Quote, offset: int = 0) -> dict[str, Any]:
    """Words a person said: start, end (``offset`` added to the segment offsets), text, speaker, speaker_en, kind."""
    return {
        "start": offset + quote.start,
        "end": offset + quote.end,
        "text": quote.text,
        "speaker": quote.speaker.display,
        "speaker_en": quote.speaker.name_en,
        "kind": quote.kind,
    }
