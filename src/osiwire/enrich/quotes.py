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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from osiwire.enrich.english_words import GEO_WORDS, ORG_WORDS, STOP_WORDS
from osiwire.enrich.lexicon import fold
from osiwire.enrich.transliteration import fold_latin
from osiwire.model import Mention, Participant, PersonName, Quote, Segment

ParseName = Callable[[str, str, bool], PersonName | None]  # (text, language, in base form already)
SamePerson = Callable[[PersonName, PersonName], bool]

# Longest quotation read: a quote mark left open must not swallow a transcript (the longest real quote of the
# kremlin.ru set is ~1,500 characters).
MAX_QUOTE_CHARS = 4000
# Words before a quote that may hold its speaker ("По словам министра иностранных дел Сергея Лаврова, ").
LEAD_CHARS = 200
# Words after a quote that may hold its speaker ("», — сказал министр иностранных дел Сергей Лавров.").
TAIL_CHARS = 160
# How far back "министр" looks for the minister it means (about two paragraphs of a release).
ROLE_LOOKBACK_CHARS = 1500
# A role names the person right after it: "Министр иностранных дел Российской Федерации Сергей Лавров" (60 chars).
ROLE_TO_NAME_CHARS = 80

# Endings a surname takes in the other cases ("по словам Лаврова", "Шойгу" stays as it is).
SURNAME_CASE_ENDINGS = frozenset({"а", "у", "ым", "ом", "е", "ой", "ую", "ых"})
_ONE_NAME_WORD = re.compile(r"^[А-ЯЁA-Z][а-яёa-z'’]+(?:-[А-ЯЁA-Z][а-яёa-z'’]+)*$")
OPENERS = {"«": "»", "„": "“”", "“": "”", '"': '"'}
# The author's words inside a quotation, between dashes: "«Part one, — сказал Лавров. — Part two»".
_INNER_AUTHOR = re.compile(r"[,.!?…]\s[—–]\s(?P<clause>[^—–«»\"“”.!?]{3,120}?)[.,:]\s[—–]\s")
_OPENER = re.compile('[«„“"]')
# A sentence's end; not the full stop of an initial ("Как сообщил А. Кудрин, «…»").
_SENTENCE_END = re.compile(r"(?<![\s.(«\"][А-ЯЁA-Z])[.!?…]\s|[»”\"]\s(?=[А-ЯЁA-Z])")
_SPEECH_RU = (
    r"(?:сказа|заяви|заявля|отмети|отмеча|подчеркну|подчёркива|подчеркива|добави|добавля|поясни|поясня|сообщи|"
    r"сообща|ответи|отвеча|призна|признаё|уточни|уточня|напомни|напомина|замети|замеча|констатирова|рассказа|"
    r"рассказыва|говори|предупреди|резюмирова|завери|заключи|указа|указыва|процитирова|продолжи|сказ|заяв|"
    r"спроси|спрашива|поинтересова|воскликну|пообеща|обеща|объясни|объясня|подытожи|посетова|написа|пише)"
    r"(?:л|ла|ли|ло|лся|лась|лись|т|ет|ит|ют|ят|ете)"
)
_SPEECH_EN = (
    r"(?:said|says|added|adds|told|tells|stressed|stresses|noted|notes|explained|explains|warned|warns|stated|"
    r"states|declared|replied|answered|emphasi[sz]ed|emphasi[sz]es|insisted|remarked|asserted|commented|wrote|"
    r"continued|concluded|argued|recalled|underlined|pointed out|asked|asks|announced|promised|admitted|observed|"
    r"acknowledged|claimed|suggested)"
)
_VERB_FIRST = re.compile(rf"(?:{_SPEECH_RU}|{_SPEECH_EN})\s", re.IGNORECASE)
_VERB_AFTER_NAME_EN = re.compile(rf"[^.;!?\n]{{1,60}}?\s{_SPEECH_EN}\b", re.IGNORECASE)
SPEECH = re.compile(rf"(?<![\w-])(?:{_SPEECH_RU}|{_SPEECH_EN})(?![\w-])", re.IGNORECASE)
# Roles a quote may name its speaker by, as the stem every case form of it shares.
ROLES = {
    "министр": "министр", "президент": "президент", "губернатор": "губернатор", "председател": "председател",
    "премьер": "премьер", "посол": "посол", "посл": "посол", "мэр": "мэр", "пресс-секретар": "пресс-секретар",
    "представител": "представител", "секретар": "секретар", "директор": "директор", "руководител": "руководител",
    "спикер": "спикер", "глав": "глава", "minister": "minister", "president": "president", "governor": "governor",
    "chairman": "chairman", "chairwoman": "chairman", "ambassador": "ambassador", "spokesman": "spokesman",
    "spokeswoman": "spokesman", "spokesperson": "spokesman", "secretary": "secretary", "director": "director",
    "mayor": "mayor", "premier": "premier", "head": "head", "chief": "chief", "leader": "leader",
}  # fmt: skip
_ROLE = re.compile(
    r"(?<![\w-])(пресс-секретар|министр|президент|губернатор|председател|премьер|посол|посл|мэр|представител|"
    r"секретар|директор|руководител|спикер|глав(?=[аыеуо]\b|ой\b)|minister|president|governor|chairman|"
    r"chairwoman|ambassador|spokesman|spokeswoman|spokesperson|secretary|director|mayor|premier|head|chief|"
    r"leader)[а-яёa-z]*",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[А-ЯЁA-Z](?:[а-яёa-z'’]+(?:-[А-ЯЁA-Z]?[а-яёa-z'’]+)*|\.\s?))"
_NAME_RUN = re.compile(rf"{_NAME_WORD}(?:\s?{_NAME_WORD}){{0,3}}")
# English title words a name run may open with ("said Foreign Minister Sergei Lavrov").
_TITLE_WORDS = frozenset(
    [
        "foreign",
        "deputy",
        "prime",
        "minister",
        "president",
        "vice",
        "secretary",
        "general",
        "state",
        "russian",
        "russia's",
        "us",
        "u.s.",
        "the",
        "chairman",
        "spokesman",
        "spokeswoman",
        "ambassador",
        "governor",
        "mayor",
        "head",
        "chief",
        "kremlin",
        "press",
        "of",
        "affairs",
        "defence",
        "defense",
    ]
)
_BY_WORDS_RU = re.compile(r"(?:по\s+словам|как\s+(?:" + _SPEECH_RU + r"))\s+(?P<who>[^,]{2,120}),\s*(?:что\s+)?$",
                          re.IGNORECASE)  # fmt: skip
_BY_WORDS_EN = re.compile(r"(?:according\s+to|as)\s+(?P<who>[^,]{2,120}?)(?:\s+" + _SPEECH_EN + r")?,\s*$",
                          re.IGNORECASE)  # fmt: skip

# Transcript turn headers: "В.Путин:", "Д.Баканов Баканов Дмитрий Владимирович генеральный директор … :",
# "В.Путин (обращаясь к В.Колокольцеву):". The tooltip repeats the surname, then the full name and position.
_HEADER = re.compile(
    r"(?<![\w.])(?P<initials>(?:[А-ЯЁA-Z]\.\s?){1,2})(?P<last>[А-ЯЁA-Z][а-яёa-z]+(?:-[А-ЯЁA-Z][а-яёa-z]+)?)"
    r"(?P<tip>\s+(?P=last)(?P<given>(?:\s+[А-ЯЁA-Z][а-яёa-z]+){1,2})[^:.!?]{0,300}?)?"
    r"(?:\s*\([^()]{0,100}\))?\s?:(?=\s|$)"
)
# Turns with no named speaker: they end the turn before them and are not quotes.
_ANONYMOUS = re.compile(
    r"(?<![\w.])(?:Вопрос|Реплика|Голос из зала|Голос|Ведущий|Ведущая|Журналист|Модератор|Question|Remark|"
    r"Reply|Response|Moderator)(?:\s*\([^()]{0,100}\))?\s?:(?=\s)"
)
# A header naming the speaker in full with kremlin.ru's tooltip, which repeats the last name word and ends " :":
# "Патриарх Кирилл Кирилл Патриарх Московский и всея Руси :", "Николай Патрушев Патрушев Николай Платонович … :".
_TOOLTIP_HEADER = re.compile(
    r"(?<![\w.])(?P<name>(?:[А-ЯЁ][а-яё-]+\s){0,2}(?P<last>[А-ЯЁ][а-яё-]+))\s(?P=last)(?P<given>(?:\s[А-ЯЁ][а-яё]+){0,2})"
    r"[^:.!?]{0,250}?\s:(?=\s)"
)
TOOLTIP_CHARS = (
    300  # a tooltip header: the name shown, the tooltip's name and position (the longest seen: ~200)
)
# A header of two or three name words and a colon ("Берл Лазар:"): a header only where the entity stage found
# that very name, and the text goes on with a capital letter.
_NAME_HEADER = re.compile(
    r"(?<![\w.])(?P<name>[А-ЯЁA-Z][а-яёa-z-]+(?:\s[А-ЯЁA-Z][а-яёa-z-]+){1,2}):\s(?=[А-ЯЁA-Z«])"
)
# English transcripts: "President of Russia Vladimir Putin: …", "Sergei Ignatyev: …" at a paragraph's start or
# after a sentence; the name is the two words before the colon. A header only where its name heads two turns of
# the text or is a person the enrich stage found ("Moscow Region:" is neither).
_EN_HEADER = re.compile(
    r"(?:^|(?<=[.!?…]\s))(?P<title>(?:(?:[A-Z][\w'’.-]*|of|the|and|for|on|in|chairman|minister|head|director|"
    r"governor|president|secretary|mayor|adviser|aide|deputy|chief|spokesman|spokeswoman|ambassador|commander|"
    r"speaker|general)\s){0,14}?)"
    r"(?P<name>[A-Z][a-z'’-]+\s[A-Z][a-z'’-]+)(?:\s\([^()]{0,80}\))?:\s(?=\S)"
)
# Two or three capitalised words and a colon opening a paragraph: a turn header, named or not.
_PARAGRAPH_HEADER = re.compile(r"[А-ЯЁA-Z][\w-]*(?:\s[А-ЯЁA-Z][\w-]*){1,2}:\s")
# Words that make the name after them somebody else's: "помощник Хиллари Клинтон заявил", "Lavrov's aide".
_RELATION = re.compile(
    r"(?:помощник|советник|заместител|пресс-секретар|представител|супруг|жен|вдов|сын|дочь|дочер|адвокат|"
    r"сторонник|соратник|оппонент|критик)[а-яё]*|aide|adviser|advisor|deputy|spokesman|spokeswoman|lawyer|wife|"
    r"husband|son|daughter"
)
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_LATIN_COLON = re.compile(r"[a-z'’]:\s")  # where an English header can be at all
# Boxes of the page flattened into a transcript: "Смотрите также <title> 5 марта 2025 года" (not the speaker's).
_BOX = re.compile(
    r"\s(?:Смотрите также|Дополнительно)\s.{0,300}?\d{1,2}\s(?:января|февраля|марта|апреля|мая|июня|июля|августа|"
    r"сентября|октября|ноября|декабря)\s\d{4}\sгода(?=\s|$)"
)
_PATRONYMIC = re.compile(r"(?:вич|вна|ична|оглы|кызы)$")
# What may stand before a turn header: the segment's start, a sentence's end, "<…>", or a capitalised word of
# a dateline ("Москва, Кремль В.Путин:"); a lower-case word means a header-like phrase inside a sentence.
_HEADER_BEFORE = re.compile(r"(?:^|[.!?…»”)\]>*]\s*|[А-ЯЁA-Z][\w-]*\s|\d\s)$")
# kremlin.ru's footer, where the last turn of a flattened page ends.
_FOOTER = re.compile(
    r"(?:^|\s)(?:<…>\s+)?(?:Смотрите также|Дополнительно|География|Темы|Лица|Статус материала)\s+(?=[А-ЯЁA-Z])"
)
_FOOTER_SIGN = "Статус материала"
SEPARATOR = "* * *"  # kremlin.ru: the release above, the transcript below


@dataclass(frozen=True, slots=True)
class _Header:
    start: int  # where the header begins
    body: int  # where the turn's text begins
    speaker: PersonName | None  # None: an anonymous turn ("Вопрос:")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the words inside each outermost pair of quote marks, nested pairs kept inside."""
    spans: list[tuple[int, int]] = []
    after = 0  # where the last quote closed: openers inside it are nested
    for match in _OPENER.finditer(text):
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


def _same_surname(stored: str, written: str) -> bool:
    """Whether ``written`` is the surname ``stored`` in some case ("Лаврова", "Лаврову" for "Лавров")."""
    a, b = fold(stored), fold(written)
    return a == b or (b.startswith(a) and b[len(a) :] in SURNAME_CASE_ENDINGS)


class _Speakers:
    """Names as written resolved to the people the enrich stage found (one article)."""

    def __init__(
        self,
        people: Sequence[PersonName],
        parse_name: ParseName,
        same_person: SamePerson,
        language: str,
    ) -> None:
        self.people = list(people)
        self.parse_name = parse_name
        self.same_person = same_person
        self.language = language
        self._cache: dict[tuple[str, bool], PersonName | None] = {}
        self._resolved: dict[tuple[str, str, str, str], PersonName | None] = {}
        self._by_surname: dict[str, list[PersonName]] | None = None
        self._by_fold: dict[str, list[PersonName]] | None = None
        self._stored: dict[tuple[str, str, str, str], PersonName | None] = {}

    def parse(self, text: str, base: bool = False) -> PersonName | None:
        key = (text, base)
        if key not in self._cache:
            name = self.parse_name(text, self.language, base)
            if name is None and _ONE_NAME_WORD.match(text):
                name = PersonName(last=text)  # a surname morphology does not know: matched to people below
            self._cache[key] = name
        return self._cache[key]

    def resolve(self, name: PersonName | None) -> PersonName | None:
        """The one stored person ``name`` means; the name itself when it is explicit and nobody stored fits."""
        if name is None or not name.last:
            return None
        key = (name.first, name.patronymic, name.last, name.initials)
        if key not in self._resolved:  # a transcript names its few speakers hundreds of times
            self._resolved[key] = self._resolve(name)
        return self._resolved[key]

    def stored(self, name: PersonName | None) -> bool:
        """Whether ``name`` resolves to a person the enrich stage found (not only to itself)."""
        found = self.resolve(name)
        return found is not None and any(found is p for p in self.people)

    def written(self, initials: str, last: str) -> PersonName | None:
        """The stored person "В.Путин" means, found without parsing the name (a transcript's every turn)."""
        key = ("", "", last, initials)
        if key not in self._stored:
            self._stored[key] = self._resolve(PersonName(last=last, initials=initials), fallback=False)
        return self._stored[key]

    def _candidates(self, last: str) -> list[PersonName]:
        """People whose surname may be ``last``: by the folded spelling, else transliterated (another script)."""
        if self._by_fold is None:
            self._by_fold = {}
            for person in self.people:
                if person.last:
                    self._by_fold.setdefault(fold(person.last), []).append(person)
        found = self._by_fold.get(fold(last))
        if found:
            return found
        if self._by_surname is None:
            self._by_surname = {}
            for person in self.people:
                if person.last:
                    self._by_surname.setdefault(fold_latin(person.last), []).append(person)
        return self._by_surname.get(fold_latin(last), [])

    def _resolve(self, name: PersonName, fallback: bool = True) -> PersonName | None:
        found = [p for p in self._candidates(name.last) if self.same_person(p, name)]
        if not found and not (name.first or name.initials):  # a bare surname: one person of that surname
            found = [p for p in self.people if p.last and _same_surname(p.last, name.last)]
        if not found:
            return name if fallback and _looks_like_name(name) else None
        first = found[0]
        return first if all(self.same_person(first, other) for other in found[1:]) else None


def _looks_like_name(name: PersonName) -> bool:
    """Whether a name nobody of the release has is a person's all the same: initials and a surname, a first name
    Russian morphology knows ("Александр Белов", not "Минобороны России"), or Latin words no body's name has."""
    if name.initials:
        return True
    if not name.first:
        return False
    if _CYRILLIC.search(name.first):
        from osiwire.enrich.morphology import name_parses

        return bool(name_parses(name.first.split()[0], "Name"))
    words = {w.lower().strip(".,") for w in f"{name.first} {name.last}".split()}
    return not words & (STOP_WORDS | ORG_WORDS | GEO_WORDS | _TITLE_WORDS)


def _inside(match: re.Match[str], spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= match.start() < b or match.start() <= a < match.end() for a, b in spans)


def _without_boxes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` as spans with the page's boxes left out, each stripped."""
    spans, at = [], start
    for box in _BOX.finditer(text, start, end):
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
    for run in _NAME_RUN.finditer(text, start, end):
        if run.start() > start and (text[run.start() - 1].isalpha() or text[run.start() - 1] in '«„“"'):
            continue
        keep = list(re.finditer(r"\S+", text[run.start() : run.end()]))
        while keep and keep[0].group().lower().strip(".,") in _TITLE_WORDS:
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
        speakers: _Speakers,
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
        return bool(words) and bool(_RELATION.fullmatch(words[-1].lower().strip(",")))

    def role_speaker(self, role: str, before: int) -> PersonName | None:
        """The one person named beside ``role`` earlier in the text or in the participants' positions."""
        found: list[PersonName] = []
        window_start = max(0, before - ROLE_LOOKBACK_CHARS)
        for match in _ROLE.finditer(self.text, window_start, before):
            if ROLES.get(match.group(1).lower()) != role:
                continue
            mention = _mention_in(self.mentions, match.end(), min(before, match.end() + ROLE_TO_NAME_CHARS))
            name = None
            if mention is not None:
                name = self.speakers.resolve(self.speakers.parse(mention.normal, True))
            if name is not None:
                found.append(name)
        for row in self.participants:
            if any(ROLES.get(m.group(1).lower()) == role for m in _ROLE.finditer(row.position)):
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
        role = _ROLE.search(self.text, start, end)
        if role is None:
            return None
        key = ROLES.get(role.group(1).lower())
        return self.role_speaker(key, start) if key else None

    def lead_speaker(self, open_at: int) -> PersonName | None:
        """The speaker named before a quote opening at ``open_at``: "Лавров заявил:", "по словам Лаврова,"."""
        text = self.text
        lead_start = max(0, open_at - LEAD_CHARS)
        ends = list(_SENTENCE_END.finditer(text, lead_start, open_at))
        if ends:
            lead_start = ends[-1].end()
        lead = text[lead_start:open_at]
        stripped = lead.rstrip()
        if stripped.endswith(":"):
            end = lead_start + len(stripped) - 1
            tail = text[lead_start:end].rstrip()
            name_end = lead_start + len(tail)
            header = _HEADER.search(text, lead_start, end + 1)
            if header is not None and header.end() >= end:
                return self.header_name(header)
            mention = _mention_in(self.mentions, lead_start, name_end, last=True)
            if mention is not None and mention.end == name_end:
                if not _nominative(mention) or self.relation_before(mention.start, lead_start):
                    return None  # "прокомментировал слова Лаврова: «…»"
                return self.speakers.resolve(self.speakers.parse(mention.normal, True))
            return self.clause_speaker(lead_start, end)
        if stripped.endswith(","):
            by = _BY_WORDS_RU.search(lead) or _BY_WORDS_EN.search(lead)
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
        elif comma is not None and _VERB_FIRST.match(text, comma.end()):  # "», сказал X", '," said X'
            start = comma.end()
        elif comma is not None and text[close_at] in '”"' and _VERB_AFTER_NAME_EN.match(text, comma.end()):
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
        for match in _HEADER.finditer(text):
            if self.opens_turn(match):
                initials = match.group("initials").replace(" ", "")
                speaker = self.speakers.written(initials, match.group("last"))
                if speaker is None:  # nobody stored: the name as the header (or its tooltip) gives it
                    speaker = self.header_name(match)
                found.append(_Header(match.start(), match.end(), speaker))
        for match in _ANONYMOUS.finditer(text):
            if _HEADER_BEFORE.search(text, max(0, match.start() - 40), match.start()):
                found.append(_Header(match.start(), match.end(), None))
        taken = [(h.start, h.body) for h in found]
        at = text.find(" :")
        while at >= 0:  # tooltip headers end " :": read back from each
            for match in _TOOLTIP_HEADER.finditer(text, max(0, at - TOOLTIP_CHARS), at + 3):
                if (
                    match.end() == at + 2
                    and _HEADER_BEFORE.search(text, max(0, match.start() - 40), match.start())
                    and not _inside(match, taken)
                ):
                    # a speaker it cannot resolve still ends the turn before it: an anonymous turn
                    found.append(_Header(match.start(), match.end(), self.tooltip_name(match)))
                    break
            at = text.find(" :", at + 2)
        for match in _EN_HEADER.finditer(text) if _LATIN_COLON.search(text) else ():
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
            header = _NAME_HEADER.match(text, named.start) if named.type == "PER" else None
            if (
                header is not None
                and named.end == header.end("name")
                and _HEADER_BEFORE.search(text, max(0, named.start - 40), named.start)
                and not _inside(header, taken)
            ):
                speaker = self.speakers.resolve(self.speakers.parse(named.normal, True))
                found.append(_Header(named.start, header.end(), speaker))
        opening = _PARAGRAPH_HEADER.match(text)
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
        if _HEADER_BEFORE.search(text, max(0, match.start() - 40), match.start()):
            return True
        after = text[match.end() : match.end() + 3].lstrip()[:1]
        before = text[max(0, match.start() - 30) : match.start()].split()
        return after.isupper() and not (before and SPEECH.fullmatch(before[-1]))

    def tooltip_name(self, match: re.Match[str]) -> PersonName | None:
        """The speaker of a tooltip header: surname, name and patronymic from the tooltip, else the name shown."""
        given = match.group("given").split()
        if len(given) == 2 and _PATRONYMIC.search(given[1].lower()):
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
        inner = _INNER_AUTHOR.search(self.text, start, end)
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
    match = _FOOTER.search(text, start) if site_footer else None
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
    speakers = _Speakers(people, parse_name, same_person, language)
    by_segment: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_segment.setdefault(mention.segment, []).append(mention)
    finders = [
        _Finder(s, by_segment.get(s.position, []), speakers, participants)
        for s in segments
        if s.kind != "title"
    ]
    named = Counter(
        m.group("name") for f in finders if _LATIN_COLON.search(f.text) for m in _EN_HEADER.finditer(f.text)
    )
    for finder in finders:
        finder.repeated = {name for name, count in named.items() if count >= 2}
    headers = [f.headers() for f in finders]
    transcript = sum(len(h) for h in headers) >= 2
    # The footer ends the last turn only: the page's boxes ("Дополнительно …") may cut into a transcript too.
    site_footer = any(_FOOTER_SIGN in s.text for s in segments)
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
