"""A release's text cut at its quotes, so the page can mark each quote (escaped by the template)."""

from __future__ import annotations

from collections.abc import Sequence

from osiwire.model import Enrichment, Quote, Segment

Piece = tuple[str, Quote | None]  # a run of text, and the quote it is (None: not quoted)


def quoted_pieces(segments: Sequence[Segment], enrichment: Enrichment | None) -> dict[int, list[Piece]]:
    """Each segment's text as pieces, quotes apart; quotes that overlap an earlier one or fall outside the
    text (an enrichment of another text) are left unmarked."""
    by_segment: dict[int, list[Quote]] = {}
    for quote in enrichment.quotes if enrichment else ():
        by_segment.setdefault(quote.segment, []).append(quote)
    out: dict[int, list[Piece]] = {}
    for segment in segments:
        text, at = segment.text, 0
        pieces: list[Piece] = []
        for quote in sorted(by_segment.get(segment.position, ()), key=lambda q: (q.start, q.end)):
            if quote.start < at or quote.end > len(text) or text[quote.start : quote.end] != quote.text:
                continue
            if quote.start > at:
                pieces.append((text[at : quote.start], None))
            pieces.append((text[quote.start : quote.end], quote))
            at = quote.end
        if at < len(text):
            pieces.append((text[at:], None))
        out[segment.position] = pieces
    return out
