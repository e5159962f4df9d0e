"""Direct quotations and who said them, in Russian and English conventions, and transcript turns.

Forms read (Q = words in quote marks, nested marks allowed: «…„…“…», “…‘…’…”, «…«…»…»):
``В.Путин: Q``, ``Лавров заявил: Q``, ``Q, — сказал министр``, ``Q — заявил Лавров``, ``по словам Лаврова, Q``,
``как отметил Лавров, Q``, ``Лавров заявил, что Q``; ``"Q," said Lavrov``, ``"Q," Lavrov said``, ``Lavrov said: "Q"``,
``According to Lavrov, "Q"``. Transcripts, where a speaker's name heads each turn ("В.Путин: …", "Д.Баканов
Баканов Дмитрий Владимирович генеральный директор … : …" with kremlin.ru's tooltip glued on) are found inside
running text; a turn runs to the next turn header ("Вопрос:", "Реплика:" end a turn and start no quote), or to the
site's footer. A quote's span is the quoted words (no marks), a turn's span its text.

The speaker is resolved to a person the enrich stage found (initials + surname -> "Владимир Владимирович Путин");
a bare surname or a bare role ("сказал министр") counts only when exactly one person fits: a role must be
named right beside one person's name earlier in the text or in one participant's position. No speaker, no quote:
quote marks around a name ("«Роскосмос»") are never a quotation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from osiwire.enrich.lexicon import fold
from osiwire.enrich.quote_patterns import (
    ANONYMOUS,
    BOX,
    BY_WORDS_EN,
    BY_WORDS_RU,
    EN_HEADER,
    FOOTER,
    FOOTER_SIGN,
    HEADER,
    HEADER_BEFORE,
    INNER_AUTHOR,
    LATIN_COLON,
    LEAD_CHARS,
    MAX_QUOTE_CHARS,
    NAME_HEADER,
    NAME_RUN,
    OPENER,
    OPENERS,
    PARAGRAPH_HEADER,
    PATRONYMIC,
    RELATION,
    ROLE,
    ROLE_LOOKBACK_CHARS,
    ROLE_TO_NAME_CHARS,
    ROLES,
    SENTENCE_END,
    SEPARATOR,
    SPEECH,
    TAIL_CHARS,
    TITLE_WORDS,
    TOOLTIP_CHARS,
    TOOLTIP_HEADER,
    VERB_AFTER_NAME_EN,
    VERB_FIRST,
)
from osiwire.enrich.speakers import ParseName, SamePerson, Speakers
from osiwire.model import Mention, Participant, PersonName, Quote, Segment


@dataclass(frozen=True, slots=True)
class _Header:
    start: int  # where the header begins
    body: int  # where the turn's text begins
    speaker: PersonName | None  # None: an anonymous turn ("Вопрос:")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the words inside each outermost pair of quote marks, nested pairs kept inside."""
    spans: list[tuple[int, int]] = []
    after = 0  # where the last quote closed: openers inside it are nested
    for match in OPENER.finditer(text):
        i = match.start()
        if i < after or (text[i] == '"' and i + 1 < len(text) and text[i + 1].isspace()):
            continue
        close = _closing(text, i)
        if close is not None:
            spans.append((i + 1, close))
            after = close + 1
    return spans


def _closing(text: str, start: int) -> int | None:
    """Index of the mark that closes the quote opened at ``start`` (nesting of the same marks counted)."""
    opener = text[start]
    closers = OPENERS[opener]
    depth = 1
    limit = min(len(text), start + MAX_QUOTE_CHARS)
    j = start + 1
    while j < limit:
        ch = text[j]
        if opener == '"':
            if ch == '"' and (j + 1 == len(text) or not text[j + 1].isalnum()):
                return j
        elif ch == opener and opener != "„":
            depth += 1
        elif ch in closers:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return None


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding spaces, a trailing comma (English “…,”) or an elision mark."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    if text[start:end].endswith("<…>"):
        end -= 3
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end


def _inside(match: re.Match[str], spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= match.start() < b or match.start() <= a < match.end() for a, b in spans)


def _without_boxes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` as spans with the page's boxes left out, each stripped."""
    spans, at = [], start
    for box in BOX.finditer(text, start, end):
        spans.append(_strip(text, at, box.start()))
        at = box.end()
    spans.append(_strip(text, at, end))
    return [(a, b) for a, b in spans if a < b]


def _nominative(mention: Mention) -> bool:
    """Whether a mention is written in its base form (the subject of a clause, not "слова Лаврова")."""
    return fold(mention.text) == fold(mention.normal)


def _mention_in(mentions: Sequence[Mention], start: int, end: int, *, last: bool = False) -> Mention | None:
    inside = [m for m in mentions if m.type == "PER" and m.start >= start and m.end <= end]
    if not inside:
        return None
    return inside[-1] if last else inside[0]


def _names_in(text: str, start: int, end: int, *, last: bool = False) -> list[tuple[int, int]]:
    """Runs of capitalised words in ``text[start:end]`` that may be names, nearest first when ``last``: English
    title words cut off their front, runs inside quote marks (organisations: «Голоса Америки») left out."""
    spans = []
    for run in NAME_RUN.finditer(text, start, end):
        if run.start() > start and (text[run.start() - 1].isalpha() or text[run.start() - 1] in '«„“"'):
            continue
        keep = list(re.finditer(r"\S+", text[run.start() : run.end()]))
        while keep and keep[0].group().lower().strip(".,") in TITLE_WORDS:
            keep = keep[1:]
        if keep:
            keep = keep[-3:]
            spans.append((run.start() + keep[0].start(), run.start() + keep[-1].end()))
    return spans[::-1] if last else spans


class _Finder:
    """Quotes of one segment."""

    def __init__(
        self,
        segment: Segment,
        mentions: Sequence[Mention],
        speakers: Speakers,
        participants: Sequence[Participant],
    ) -> None:
        self.segment = segment
        self.text = segment.text
        self.mentions = mentions  # the segment's own
        self.repeated: set[str] = set()  # English header names that head two turns or more of the text
        self.speakers = speakers
        self.participants = participants

    def speaker_at(self, start: int, end: int, *, last: bool = False, base: bool = True) -> PersonName | None:
        """The person named in ``text[start:end]``: a PER mention there, else a run of capitalised words (in the
        nominative unless ``base`` is False: "по словам Лаврова")."""
        mention = _mention_in(self.mentions, start, end, last=last)
        if mention is not None:
            return self.speakers.resolve(self.speakers.parse(mention.normal, True))
        for a, b in _names_in(self.text, start, end, last=last):
            name = self.speakers.resolve(self.speakers.parse(self.text[a:b], base))
            if name is not None:
                return name
        return None

    def relation_before(self, at: int, start: int) -> bool:
        """Whether the word before ``at`` (within the clause from ``start``) makes the name someone else's."""
        words = self.text[max(start, at - 40) : at].split()
        return bool(words) and bool(RELATION.fullmatch(words[-1].lower().strip(",")))

    def role_speaker(self, role: str, before: int) -> PersonName | None:
        """The one person named beside ``role`` earlier in the text or in the participants' positions."""
        found: list[PersonName] = []
        window_start = max(0, before - ROLE_LOOKBACK_CHARS)
        for match in ROLE.finditer(self.text, window_start, before):
            if ROLES.get(match.group(1).lower()) != role:
                continue
            mention = _mention_in(self.mentions, match.end(), min(before, match.end() + ROLE_TO_NAME_CHARS))
            name = None
            if mention is not None:
                name = self.speakers.resolve(self.speakers.parse(mention.normal, True))
            if name is not None:
                found.append(name)
        for row in self.participants:
            if any(ROLES.get(m.group(1).lower()) == role for m in ROLE.finditer(row.position)):
                found.append(row.name)
        if not found:
            return None
        first = found[0]
        same = self.speakers.same_person
        return first if all(same(first, other) for other in found[1:]) else None

    def clause_speaker(self, start: int, end: int) -> PersonName | None:
        """The speaker of a clause holding a speech verb: the name that is its subject (as written in the
        nominative, not after "помощник", "aide"), else a role it names."""
        if not SPEECH.search(self.text, start, end):
            return None
        named = [m for m in self.mentions if m.type == "PER" and m.start >= start and m.end <= end]
        if named:
            subjects = [m for m in named if _nominative(m) and not self.relation_before(m.start, start)]
            if not subjects:
                return None  # "слова Лаврова", "помощник Хиллари Клинтон": somebody else speaks
            return self.speakers.resolve(self.speakers.parse(subjects[0].normal, True))
        name = self.speaker_at(start, end)
        if name is not None:
            return name
        role = ROLE.search(self.text, start, end)
        if role is None:
            return None
        key = ROLES.get(role.group(1).lower())
        return self.role_speaker(key, start) if key else None

    def lead_speaker(self, open_at: int) -> PersonName | None:
        """The speaker named before a quote opening at ``open_at``: "Лавров заявил:", "по словам Лаврова,"."""
        text = self.text
        lead_start = max(0, open_at - LEAD_CHARS)
        ends = list(SENTENCE_END.finditer(text, lead_start, open_at))
        if ends:
            lead_start = ends[-1].end()
        lead = text[lead_start:open_at]
        stripped = lead.rstrip()
        if stripped.endswith(":"):
            end = lead_start + len(stripped) - 1
            tail = text[lead_start:end].rstrip()
            name_end = lead_start + len(tail)
            header = HEADER.search(text, lead_start, end + 1)
            if header is not None and header.end() >= end:
                return self.header_name(header)
            mention = _mention_in(self.mentions, lead_start, name_end, last=True)
            if mention is not None and mention.end == name_end:
                if not _nominative(mention) or self.relation_before(mention.start, lead_start):
                    return None  # "прокомментировал слова Лаврова: «…»"
                return self.speakers.resolve(self.speakers.parse(mention.normal, True))
            return self.clause_speaker(lead_start, end)
        if stripped.endswith(","):
            by = BY_WORDS_RU.search(lead) or BY_WORDS_EN.search(lead)
            if by is not None:
                who_start = lead_start + by.start("who")
                return self.speaker_at(who_start, lead_start + by.end("who"), last=True, base=False)
        if re.search(r",\s*что\s*$", lead, re.IGNORECASE):
            return self.clause_speaker(lead_start, open_at)
        return None

    def tail_speaker(self, close_at: int) -> PersonName | None:
        """The speaker named after a quote closing at ``close_at``: "», — сказал министр", "," said Lavrov"."""
        text = self.text
        after = close_at + 1
        dash = re.compile(r"[,.!?…]?\s*[—–-]\s+").match(text, after)
        comma = re.compile(r",?\s+").match(text, after)
        if dash is not None:
            start = dash.end()
        elif comma is not None and VERB_FIRST.match(text, comma.end()):  # "», сказал X", '," said X'
            start = comma.end()
        elif comma is not None and text[close_at] in '”"' and VERB_AFTER_NAME_EN.match(text, comma.end()):
            start = comma.end()  # '," Lavrov said'
        else:
            return None
        # a name of an organisation in «» may stand in the clause ("в беседе с корреспондентом «Голоса Америки»")
        stop = re.compile(r"[.;!?\n“\"]").search(text, start, min(len(text), start + TAIL_CHARS))
        end = stop.start() if stop else min(len(text), start + TAIL_CHARS)
        return self.clause_speaker(start, end)

    def header_name(self, header: re.Match[str]) -> PersonName | None:
        """The speaker of an initials header: the tooltip's full name where it resolves, else the initials."""
        if header.group("given"):
            full = self.speakers.resolve(
                self.speakers.parse(f"{header.group('last')}{header.group('given')}", True)
            )
            if full is not None:
                return full
        initials = header.group("initials").replace(" ", "")
        return self.speakers.resolve(self.speakers.parse(f"{initials}{header.group('last')}", True))

    def headers(self) -> list[_Header]:
        """Turn headers of the segment, in order."""
        found: list[_Header] = []
        text = self.text
        if ":" not in text:
            return found
        for match in HEADER.finditer(text):
            if self.opens_turn(match):
                initials = match.group("initials").replace(" ", "")
                speaker = self.speakers.written(initials, match.group("last"))
                if speaker is None:  # nobody stored: the name as the header (or its tooltip) gives it
                    speaker = self.header_name(match)
                found.append(_Header(match.start(), match.end(), speaker))
        for match in ANONYMOUS.finditer(text):
            if HEADER_BEFORE.search(text, max(0, match.start() - 40), match.start()):
                found.append(_Header(match.start(), match.end(), None))
        taken = [(h.start, h.body) for h in found]
        at = text.find(" :")
        while at >= 0:  # tooltip headers end " :": read back from each
            for match in TOOLTIP_HEADER.finditer(text, max(0, at - TOOLTIP_CHARS), at + 3):
                if (
                    match.end() == at + 2
                    and HEADER_BEFORE.search(text, max(0, match.start() - 40), match.start())
                    and not _inside(match, taken)
                ):
                    # a speaker it cannot resolve still ends the turn before it: an anonymous turn
                    found.append(_Header(match.start(), match.end(), self.tooltip_name(match)))
                    break
            at = text.find(" :", at + 2)
        for match in EN_HEADER.finditer(text) if LATIN_COLON.search(text) else ():
            if _inside(match, taken):
                continue
            parsed = self.speakers.parse(match.group("name"), True)
            if match.group("name") in self.repeated or self.speakers.stored(parsed):
                found.append(_Header(match.start(), match.end(), self.speakers.resolve(parsed)))
            elif (
                match.start() == 0
            ):  # a paragraph opening "Alexei Kudrin: …": nobody's turn, but not the last one's
                found.append(_Header(0, match.end(), None))
        for named in self.mentions:
            header = NAME_HEADER.match(text, named.start) if named.type == "PER" else None
            if (
                header is not None
                and named.end == header.end("name")
                and HEADER_BEFORE.search(text, max(0, named.start - 40), named.start)
                and not _inside(header, taken)
            ):
                speaker = self.speakers.resolve(self.speakers.parse(named.normal, True))
                found.append(_Header(named.start, header.end(), speaker))
        opening = PARAGRAPH_HEADER.match(text)
        if opening is not None and not any(h.start == 0 for h in found):
            found.append(
                _Header(0, opening.end(), None)
            )  # "Голос Америки: …": an interviewer's turn, nobody's
        found.sort(key=lambda h: h.start)
        return found

    def opens_turn(self, match: re.Match[str]) -> bool:
        """Whether an initials header opens a turn: after a sentence's end (or a dateline, or a page box), or
        before a capitalised reply when no speech verb precedes it ("сказал В.Путин: надо" is a sentence)."""
        text = self.text
        if HEADER_BEFORE.search(text, max(0, match.start() - 40), match.start()):
            return True
        after = text[match.end() : match.end() + 3].lstrip()[:1]
        before = text[max(0, match.start() - 30) : match.start()].split()
        return after.isupper() and not (before and SPEECH.fullmatch(before[-1]))

    def tooltip_name(self, match: re.Match[str]) -> PersonName | None:
        """The speaker of a tooltip header: surname, name and patronymic from the tooltip, else the name shown."""
        given = match.group("given").split()
        if len(given) == 2 and PATRONYMIC.search(given[1].lower()):
            full = self.speakers.resolve(
                self.speakers.parse(f"{match.group('last')} {' '.join(given)}", True)
            )
            if full is not None:
                return full
        shown = _mention_in(self.mentions, match.start("name"), match.end("name"))
        if shown is not None:
            return self.speakers.resolve(self.speakers.parse(shown.normal, True))
        return None

    def quotes(self, turns: Sequence[tuple[int, int]]) -> list[Quote]:
        """Quotations in quote marks with a speaker, outside the ``turns`` (a turn is its speaker's words)."""
        out: list[Quote] = []
        for start, end in quoted_spans(self.text):
            if any(s <= start and end <= e for s, e in turns):
                continue
            speaker = self.lead_speaker(start - 1) or self.tail_speaker(end)
            a, b = _strip(self.text, start, end)
            if speaker is not None and a < b:
                out.append(Quote(self.segment.position, a, b, self.text[a:b], speaker, "quote"))
            elif speaker is None:
                out += self.split_quote(start, end)
        return out

    def split_quote(self, start: int, end: int) -> list[Quote]:
        """«Part one, — сказал Лавров. — Part two»: the author's words inside the marks name the speaker; the
        quote is the parts around them."""
        inner = INNER_AUTHOR.search(self.text, start, end)
        if inner is None:
            return []
        speaker = self.clause_speaker(inner.start("clause"), inner.end("clause"))
        if speaker is None:
            return []
        out = []
        for a, b in (_strip(self.text, start, inner.start() + 1), _strip(self.text, inner.end(), end)):
            if a < b:
                out.append(Quote(self.segment.position, a, b, self.text[a:b], speaker, "quote"))
        return out


def _footer(text: str, start: int, site_footer: bool) -> int:
    """Where kremlin.ru's footer begins after ``start`` (the text's end when it has none)."""
    match = FOOTER.search(text, start) if site_footer else None
    return match.start() if match else len(text)


def find_quotes(
    segments: Sequence[Segment],
    mentions: Sequence[Mention],
    people: Sequence[PersonName],
    *,
    language: str = "ru",
    participants: Sequence[Participant] = (),
    parse_name: ParseName | None = None,
    same_person: SamePerson | None = None,
) -> list[Quote]:
    """Quotations and transcript turns of an article's segments, each with the person who said it."""
    if parse_name is None or same_person is None:
        from osiwire.enrich import names

        parse_name = parse_name or (lambda text, lang, base: names.parse_name(text, lang, base=base))
        same_person = same_person or names.same_person
    speakers = Speakers(people, parse_name, same_person, language)
    by_segment: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_segment.setdefault(mention.segment, []).append(mention)
    finders = [
        _Finder(s, by_segment.get(s.position, []), speakers, participants)
        for s in segments
        if s.kind != "title"
    ]
    named = Counter(
        m.group("name") for f in finders if LATIN_COLON.search(f.text) for m in EN_HEADER.finditer(f.text)
    )
    for finder in finders:
        finder.repeated = {name for name, count in named.items() if count >= 2}
    headers = [f.headers() for f in finders]
    transcript = sum(len(h) for h in headers) >= 2
    # The footer ends the last turn only: the page's boxes ("Дополнительно …") may cut into a transcript too.
    site_footer = any(FOOTER_SIGN in s.text for s in segments)
    last_turns = max((i for i, h in enumerate(headers) if h), default=0)
    out: list[Quote] = []
    turns: dict[int, list[tuple[int, int]]] = {}  # turn spans of each segment: no quotations inside them
    pending: list[_Finder] = []  # paragraphs after a turn that ran to its paragraph's end
    current: PersonName | None = None
    for index, (finder, found) in enumerate(zip(finders, headers, strict=True)):
        text = finder.text
        footer = site_footer and index >= last_turns
        if finder.segment.kind != "paragraph":
            pending, current = [], None
            continue
        if current is not None:
            # A turn that ran to its paragraph's end goes on to the next header or the site's footer.
            stop = found[0].start if found else _footer(text, 0, footer)
            if stop < len(text) or found:
                for piece, end in [*((p, len(p.text)) for p in pending), (finder, stop)]:
                    for a, b in _without_boxes(piece.text, 0, end):
                        turns.setdefault(piece.segment.position, []).append((a, b))
                        out.append(Quote(piece.segment.position, a, b, piece.text[a:b], current, "turn"))
                pending, current = [], None
            else:
                pending.append(finder)
        for number, header in enumerate(found, start=1):
            end = found[number].start if number < len(found) else _footer(text, header.body, footer)
            current = header.speaker if number == len(found) and end == len(text) else None
            if header.speaker is None:
                continue
            if not transcript and text[header.body : header.body + 2].lstrip()[:1] in OPENERS:
                continue  # "В.Путин: «…»" in a news story: the quote below
            for a, b in _without_boxes(text, header.body, end):
                turns.setdefault(finder.segment.position, []).append((a, b))
                out.append(Quote(finder.segment.position, a, b, text[a:b], header.speaker, "turn"))
    if current is not None and _separated(finders, headers):
        # below kremlin.ru's separator the last turn runs to the end of the text (a page without its footer)
        for piece in pending:
            for a, b in _without_boxes(piece.text, 0, len(piece.text)):
                turns.setdefault(piece.segment.position, []).append((a, b))
                out.append(Quote(piece.segment.position, a, b, piece.text[a:b], current, "turn"))
    for finder in finders:
        out += finder.quotes(turns.get(finder.segment.position, ()))
    out.sort(key=lambda q: (q.segment, q.start, q.end))
    return out


def _separated(finders: Sequence[_Finder], headers: Sequence[Sequence[_Header]]) -> bool:
    """Whether kremlin.ru's "* * *" parts the text before the first turn from the transcript after it."""
    for finder, found in zip(finders, headers, strict=True):
        if found:
            return SEPARATOR in finder.text[: found[0].start]
        if SEPARATOR in finder.text:
            return True
    return False
