"""What the pipeline makes of one document, without storing it: the output contract of ``osiwire analyze``.

It runs the pipeline's own stage functions (extract, then enrich) and lays their values out as one JSON object;
the field names are a contract (extend, do not rename). Offsets are Python string indices into ``text``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from osiwire.contract_models import ContractModels
from osiwire.enrich.enricher import enrich_article
from osiwire.errors import OsiwireError
from osiwire.extract.article import extract_article
from osiwire.extract.language import LanguageGuess
from osiwire.extract.release_languages import segment_guesses
from osiwire.model import Article, Enrichment, RawDocument
from osiwire.publish.records import participant_rows, person_record, quote_record, topic_record

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
HTML_SNIFF_BYTES = 2048  # where an HTML page shows itself (doctype, <html>, <head>, <body>)
HTML_MARKERS = ("<!doctype html", "<html", "<head", "<body", "<article", "<div", "<p>")


class AnalyzeError(OsiwireError):
    """An input that cannot be analysed (named with its reason); ``doc_id`` where the input gave one."""

    def __init__(self, message: str, doc_id: str | int | None = None) -> None:
        super().__init__(message)
        self.doc_id = doc_id


@dataclass(frozen=True, slots=True)
class Input:
    """One document to analyse."""

    id: str | int
    html: str | None = None
    text: str | None = None
    url: str = ""
    title: str = ""
    language: str = ""  # a hint, used when detection cannot decide
    participants_text: str = ""  # an official participant list published beside the text (as in archives)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is an HTML page rather than plain text."""
    head = text[:HTML_SNIFF_BYTES].lstrip().lower()
    return any(marker in head for marker in HTML_MARKERS)


def read_input(path: Path, *, force: str | None = None, language: str = "") -> Input:
    """A file as an Input: HTML by ``force`` ("html"/"text"), by extension, or by content."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AnalyzeError(f"{path}: cannot read: {exc.strerror}") from exc
    from osiwire.collect.charset import decode

    content = decode(raw, None)
    is_html = force == "html" or (
        force != "text" and (path.suffix.lower() in HTML_SUFFIXES or looks_like_html(content))
    )
    url = path.resolve().as_uri()
    if is_html:
        return Input(str(path), html=content, url=url, language=language)
    return Input(str(path), text=content, url=url, language=language)


def parse_line(line: str, line_no: int) -> Input:
    """One line of ``analyze --jsonl``: {"id", "text"} or {"id", "html", "url"}; optional "title", "lang", "participants_text"."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise AnalyzeError(f"line {line_no}: not JSON: {exc.msg}") from exc
    except RecursionError as exc:  # "[[[[..." thousands deep: the decoder recurses once per level
        raise AnalyzeError(f"line {line_no}: not JSON: nested too deeply") from exc
    if not isinstance(record, dict):
        raise AnalyzeError(f"line {line_no}: expected a JSON object")
    raw_id = record.get("id", line_no)
    doc_id = raw_id if isinstance(raw_id, str | int) else json.dumps(raw_id)
    html, text = record.get("html"), record.get("text")
    if not isinstance(html, str) and not isinstance(text, str):
        raise AnalyzeError(f"line {line_no} (id {doc_id!r}): needs a string field 'text' or 'html'", doc_id)
    return Input(
        id=doc_id,
        html=html if isinstance(html, str) else None,
        text=text if isinstance(text, str) and not isinstance(html, str) else None,
        url=str(record.get("url") or ""),
        title=str(record.get("title") or ""),
        language=str(record.get("lang") or record.get("language") or ""),
        participants_text=str(record.get("participants_text") or ""),
    )


def _layout(article: Article, enrichment: Enrichment, guesses: dict[int, LanguageGuess]) -> dict[str, Any]:
    """The article and its enrichment as the contract's fields, offsets into one ``text``."""
    starts: dict[int, int] = {}
    paragraphs = []
    pieces: list[str] = []
    offset = 0
    for segment in article.segments:
        if segment.kind == "title":
            continue
        if pieces:
            offset += 1  # the "\n" between paragraphs
        starts[segment.position] = offset
        paragraphs.append(
            {
                "start": offset,
                "end": offset + len(segment.text),
                "language": segment.language,
                "confidence": guesses[segment.position].score if segment.position in guesses else 0.0,
                # a paragraph mixing languages sentence by sentence lists them all, most letters first
                "languages": list(guesses[segment.position].mixed)
                if segment.position in guesses and guesses[segment.position].mixed
                else [segment.language],
            }
        )
        pieces.append(segment.text)
        offset += len(segment.text)
    text = "\n".join(pieces)
    entities = [
        {
            "start": starts[m.segment] + m.start,
            "end": starts[m.segment] + m.end,
            "type": m.type,
            "text": m.text,
            "normal": m.normal,
        }
        for m in enrichment.mentions
        if m.segment in starts  # title mentions have no offset in "text"
    ]
    return {
        "text": text,
        "paragraphs": paragraphs,
        "entities": entities,
        "people": [person_record(p) for p in enrichment.people],
        # as `show --json`: participants of the meeting apart from people named in passing (issue 12)
        **participant_rows(enrichment.participants),
        "topics": [topic_record(t) for t in enrichment.topics],
        "countries": list(enrichment.countries),
        # offsets into "text" as the entities' (title quotes have none)
        "quotes": [quote_record(q, starts[q.segment]) for q in enrichment.quotes if q.segment in starts],
    }


class Analyzer(ContractModels):
    """Models loaded once; ``analyze`` runs extract and enrich on one input."""

    def _confidences(self, article: Article, hint: str) -> dict[int, LanguageGuess]:
        """Each paragraph's language guess: confidence 0 when it was too short or unclear and took the release's."""
        title_min = self.settings.extract.title_min_chars_for_language
        return segment_guesses(article, hint, self.detector, title_min)

    def analyze(self, item: Input) -> dict[str, Any]:
        """The contract object for ``item``; AnalyzeError/ExtractError when there is nothing to analyse."""
        url = item.url or f"urn:osiwire:analyze:{item.id}"
        doc = RawDocument(
            url=url,
            fetched_at=datetime.now(UTC),
            html=item.html,
            text=item.text,
            title=item.title,
            language_hint=item.language,
            supplement=item.participants_text,
        )
        article = extract_article(doc, self.settings.extract, self.detector)
        enrichment = enrich_article(article, self.enricher)
        return {
            "id": item.id,
            "url": item.url or None,
            "title": article.title,
            "author": article.author,
            "published": article.published.isoformat() if article.published else None,
            "language": article.language,
            **_layout(article, enrichment, self._confidences(article, item.language)),
        }
