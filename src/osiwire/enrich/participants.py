"""Meeting participants: official lists and "title + name" appositions in running text.

Lists come first (kremlin.ru rows, dash-bulleted rows; see ``participant_lists``). Appositions are read
around the PER mentions the entity stage found: a title phrase right before the name ("Секретарь Совета
Безопасности Российской Федерации Николай Патрушев", "с министром обороны Андреем Белоусовым") or right
after it behind a comma or a dash ("Алексей Капустин – директор ..."). The phrase runs from its first title
word (with the adjectives in front of it) to the name, over nouns, adjectives, abbreviations, quoted names
and the prepositions bodies are named with (по, при, в); a verb, a pronoun, other punctuation or another
person ends it. English appositions ("Foreign Minister Sergey Lavrov", "Nikolai Patrushev, Secretary of ...")
are read by the rules of ``english``, which find the names themselves; other languages get lists only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace

from osiwire.enrich.countries import default_finder
from osiwire.enrich.english import capped, find_people
from osiwire.enrich.inline_lists import inline_list_rows, inline_list_spans
from osiwire.enrich.morphology import analyser, cases, lemma, nominative_position
from osiwire.enrich.names import parse_name, person_key, same_person
from osiwire.enrich.participant_countries import with_home_country
from osiwire.enrich.participant_lines import line_rows
from osiwire.enrich.participant_lists import ListRow, bullet_rows, kremlin_rows
from osiwire.enrich.positions import TITLE_MODIFIERS, country_of, is_title, organisation_of, side_country
from osiwire.model import Mention, Participant

logger = logging.getLogger(__name__)

# A release is at most ~100k characters (the longest of the kremlin.ru sample is 106k, a transcript);
# anything longer is cut here so one hostile input cannot hold a worker: the rest is logged and skipped.
MAX_TEXT_CHARS = 250_000
# An apposition is near its name: the longest title phrase of the kremlin.ru lists is ~40 words, but
# running text names bodies shortly ("Министр промышленности и торговли Российской Федерации", 6 words).
APPOSITION_MAX_WORDS = 12
APPOSITION_WINDOW_CHARS = 250
# Parts of speech a title phrase may hold between its title word and the name (pymorphy3 tags).
PHRASE_POS = frozenset({"NOUN", "ADJF", "PRTF", "NUMR", "ADJS"})
# Prepositions inside body names: "Министр по делам ...", "Совет при Президенте", "Посол в Республике ...".
PHRASE_PREPOSITIONS = frozenset({"по", "при", "в", "во", "для", "на", "и", "против", "от"})
APPOSITION_LANGUAGES = frozenset({"ru"})
# "Выступление Президента на заседании коллегии МВД В.Путин": a preposition before an event is where the
# title ends and the occasion begins (lemmas of the event's noun, within two words of the preposition).
EVENT_PREPOSITIONS = frozenset({"на", "в", "во"})
EVENT_LEMMAS = frozenset(
    {
        "заседание", "церемония", "встреча", "совещание", "форум", "саммит", "съезд", "открытие",
        "переговоры", "конференция", "пресс-конференция", "брифинг", "приём", "мероприятие", "концерт",
        "выставка", "торжество", "празднование", "парад", "визит", "поездка", "ход", "рамка", "время",
        "беседа", "разговор", "обращение", "выступление", "эфир", "интервью",
    }
)  # fmt: skip
HONORIFICS = frozenset({"господин", "госпожа", "г-н", "г-жа", "мистер", "миссис"})  # lemmas

# Meeting language: a person named in such a sentence took part ("провёл встречу с", "в совещании приняли
# участие", "в переговорах участвовали", "met with", "Taking part in the meeting were"); anyone else named
# with a title (a marshal in a speech, an official named in passing) is only mentioned. ё is folded to е.
MEETING_RU = re.compile(
    r"(?i)провел\w*\s+(?:\w+\s+){0,2}(?:встреч|переговор|совещани|заседани|беседу|разговор)|встретил\w*\s+с\b|"
    r"приня\w*\s+участие|участвовал\w*|присутствовал\w*|в\s+состав\w*\s+делегаци\w*\s+вош|"
    r"(?:переговоры|встреча|беседа|совещание|разговор)\s+с\s|принял\w*\s+в\s+(?:Кремле|резиденции)|"
    # people at the event with the host: those who accompanied, guided, reported or explained to him
    r"сопровождал\w*|общал(?:ся|ась|ись)\s+с\b|доложил\w*|пояснения\s+давал\w*|экскурсию\s+(?:\w+\s+){0,6}провел\w*|"
    r"по\s+итогам\s+(?:\w+-)?\w+\s+переговоров"
)
MEETING_EN = re.compile(
    r"(?i)\bmet\s+(?:with\b|\w+\s+(?:minister|president|prime))|\b(?:took|taking|take)\s+part\b|"
    r"\battended\s+by\b|\b(?:also\s+)?attending\b|\bpresent\s+at\b|\bwere\s+present\b|\bdelegation\s+"
    r"included\b|\brepresenting\s+[A-Z]\w+\s+(?:at|in)\b|\b(?:held|had)\s+(?:a\s+)?(?:\w+\s+)?(?:meeting|"
    r"talks|conversation)\s+with\b|\bjoined\s+by\b|\btalks\s+with\b|\bmeeting\s+with\b"
)
# The side a sentence gives its people: "On the Russian side, the meeting was attended by ...", "Representing
# Russia at the talks were ...", "The Chinese delegation included ...".
_SIDE_EN = re.compile(
    r"\b(?:on|from)\s+the\s+([A-Z][\w-]+)\s+side\b|\bRepresenting\s+([A-Z][\w-]+)|\b([A-Z][\w-]+)\s+delegation\b"
)
# A full stop not followed by a space is inside the sentence ("В.Путин", "г.Москва"); the loop never backtracks.
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?![\s.!?]|$))+(?:[.!?]+|\n|$)")
# Words of address: a host named in "Уважаемый господин Президент" is spoken to, not listed.
# "Уважаемый господин Президент Мнангагва", "Dear Mr President": a vocative opening, then up to three words
# (an honorific, a title); "господин" alone is how running text refers to people ("переговоры с госпожой ...").
_ADDRESS_BEFORE = re.compile(
    r"(?:[Уу]важаем\w*|[Мм]ногоуважаем\w*|[Дд]орог(?:ой|ая|ие)|\bDear)(?:[\s,]+[^\s!?.,;:]+){0,3}\s+$"
)

_TOKEN = re.compile(r"[«„“][^«»„“”\n]*[»“”]|[\w][\w.-]*\w|\w|[^\w\s]")
_QUOTES = "«„“"
_PHRASE_PUNCT = frozenset({"«", "»", "„", "“", "”", '"', "-"})
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_POST_OPENER = re.compile(r"\s*(?:,|\s[–—]|\s-)\s+")


def _word_ok(token: str) -> bool:
    """Can this token sit inside a title phrase?"""
    if token[:1] in _QUOTES or not token[:1].isalpha():
        return token[:1] in _QUOTES or token in _PHRASE_PUNCT
    low = token.lower()
    if low in PHRASE_PREPOSITIONS:
        return True
    if not re.search(r"[а-яё]", low):
        return True  # abbreviations and Latin names of bodies: ОДКБ, ООН, BRICS
    if token.isupper():
        return True
    parses = analyser().parse(low)
    return bool(parses) and parses[0].tag.POS in PHRASE_POS


def _modifier(token: str) -> bool:
    if not token[:1].isalpha() or not re.search(r"[а-яё]", token.lower()):
        return False
    parse = analyser().parse(token.lower())[0]
    if "Apro" in parse.tag:
        return False  # "своего председателя": a pronoun, not part of the title
    return str(parse.normal_form) in TITLE_MODIFIERS or parse.tag.POS in {"ADJF", "PRTF"}


def _trim(tokens: list[re.Match[str]]) -> list[re.Match[str]]:
    """Drop dangling prepositions, conjunctions and honorifics ("Президента США господина") at the ends."""
    while tokens and (
        tokens[-1].group().lower() in PHRASE_PREPOSITIONS or lemma(tokens[-1].group()) in HONORIFICS
    ):
        tokens = tokens[:-1]
    while tokens and tokens[0].group().lower() in PHRASE_PREPOSITIONS:
        tokens = tokens[1:]
    return tokens


# Accusative and genitive share forms for animate nouns; the rarer cases fold into their main ones.
CASE_FOLD = {"accs": "gent", "voct": "nomn", "gen2": "gent", "loc2": "loct", "acc2": "gent"}


def _name_cases(name: str) -> set[str]:
    """The cases every word of a name can be in, from the name readings morphology has ("" set when unknown)."""
    per_word = []
    guessed = False
    for word in name.split():
        word_cases = {CASE_FOLD.get(c, c) for c in cases(word, names_only=True)}
        if not word_cases and _instrumental_noun(word):
            word_cases, guessed = {"ablt"}, True  # "Фаттахом": a name the dictionary lacks, by its ending
        if word_cases:
            per_word.append(word_cases)
    if guessed:
        # "Абдель Фаттахом": a foreign given name read in the nominative alone is indeclinable there
        per_word = [c for c in per_word if c != {"nomn"}]
    found: set[str] | None = None
    for word_cases in per_word:
        found = word_cases if found is None else found & word_cases
    return found or set()


def _instrumental_noun(word: str) -> bool:
    """Is this unknown word a noun in the instrumental by its ending ("Фаттахом", "Мирзиёевым")?"""
    low = word.lower()
    if not re.search(r"(?:ом|ем|ём|ым|им)$", low) or analyser().word_is_known(low):
        return False
    return any(p.tag.POS == "NOUN" and p.tag.case == "ablt" for p in analyser().parse(low))


def _agreeing_title(titles: list[str], name: str) -> int:
    """Index of the first title that stands in the name's case (-1: none does).

    "Заместитель Министра обороны Андрей Белоусов" names the deputy; "... Андрея Белоусова" the minister.
    """
    name_cases = _name_cases(name)
    if not name_cases:
        return 0
    for index, title in enumerate(titles):
        title_cases = {CASE_FOLD.get(c, c) for c in cases(title)}
        if not title_cases or title_cases & name_cases:
            return index
    return -1


def _before(text: str, start: int, blocked: list[tuple[int, int]], name: str) -> str:
    """The title phrase that ends right before a name, or ""."""
    window_start = max(0, start - APPOSITION_WINDOW_CHARS)
    tokens = list(_TOKEN.finditer(text, window_start, start))
    kept: list[re.Match[str]] = []
    for token in reversed(tokens):
        if len(kept) >= APPOSITION_MAX_WORDS or any(a <= token.start() < b for a, b in blocked):
            break
        if not _word_ok(token.group()):
            break
        kept.insert(0, token)
    titles = [i for i, t in enumerate(kept) if t.group()[:1].isalpha() and _occupation(t.group())]
    chosen = _agreeing_title([kept[i].group() for i in titles], name) if titles else -1
    if chosen < 0 and len(titles) == 1 and _foreign(name) and "ablt" in cases(kept[titles[0]].group()):
        # "с Президентом ... Жоау Лоуренсу": a foreign name's case is no evidence against one title in the
        # instrumental (a genitive or prepositional title is another noun's: "Указом Президента", "при Президенте")
        chosen = 0
    if chosen < 0:
        return ""
    first = titles[chosen]
    for index in range(first + 1, titles[-1]):
        # "Президент Беларуси и Президент Таджикистана Эмомали Рахмон": the name takes the last title;
        # "Чрезвычайный и Полномочный Посол" is one title
        if kept[index].group() == "и" and not _modifier(kept[index - 1].group()) and index + 1 in titles:
            first = index + 1
    if "plur" in analyser().parse(kept[first].group().lower())[0].tag:
        return ""  # "официальными представителями": a title of several people, not of this one
    while first > 0 and _modifier(kept[first - 1].group()):
        first -= 1
    phrase = _trim(kept[first:])
    while len(phrase) > 1 and _given_name(phrase[-1].group()):
        phrase = phrase[
            :-1
        ]  # "Президентом Турецкой Республики Реджепом [Тайипом Эрдоганом]": a name the NER cut
    return text[phrase[0].start() : phrase[-1].end()] if phrase else ""


# Professions named right beside a person ("фотограф агентства Reuters Адем Хасейн", "бундестренер Юрген
# Клинсман"): an occupation in running text, though no post of a body (lists and organisations ignore them).
PROFESSION_LEMMAS = frozenset(
    {"фотограф", "фотокорреспондент", "оператор", "корреспондент", "журналист", "обозреватель", "тренер",
     "бундестренер", "наставник", "вратарь", "защитник", "полузащитник", "нападающий", "форвард", "голкипер",
     "астронавт", "космонавт", "экономист", "аналитик", "политолог", "социолог", "историк", "хореограф",
     "режиссёр", "режиссер", "композитор", "писатель", "поэт", "актёр", "актер", "актриса", "певец", "певица",
     "солист", "солистка", "дирижёр", "дирижер", "художник", "архитектор", "профессор", "академик", "адвокат",
     "юрист", "продюсер", "сценарист", "балерина", "пианист", "скрипач", "чемпион", "олимпиец", "теннисист",
     "теннисистка", "хоккеист", "футболист", "боксёр", "боксер", "шахматист", "гроссмейстер", "пилот", "летчик",
     "лётчик", "врач", "хирург", "учёный", "ученый", "блогер", "правозащитник", "активист", "бизнесмен",
     "предприниматель", "миллиардер", "банкир", "олигарх", "оппозиционер", "наблюдатель", "докладчик"}
)  # fmt: skip


def _occupation(word: str) -> bool:
    """A title of office or a profession (in any case form)."""
    return is_title(word) or lemma(word.strip('«»()"').lower()) in PROFESSION_LEMMAS


def _foreign(name: str) -> bool:
    """Does a name hold a word the dictionary does not know as a Russian word (its case readings are guesses)?"""
    return any(not analyser().word_is_known(w.lower()) or not cases(w, names_only=True) for w in name.split())


def _given_name(token: str) -> bool:
    """A capitalised first name or patronymic that is no title (the front of a name the mention left out)."""
    if not token[:1].isupper() or is_title(token):
        return False
    return any(
        {"Name", "Patr"} & set(p.tag.grammemes) for p in analyser().parse(token.lower()) if p.score >= 0.1
    )


def _after(text: str, end: int, blocked: list[tuple[int, int]]) -> str:
    """The title phrase after a name behind a comma or a dash ("Патрушев, секретарь Совета ..."), or ""."""
    opener = _POST_OPENER.match(text, end)
    if not opener:
        return ""
    tokens = list(_TOKEN.finditer(text, opener.end(), min(len(text), opener.end() + APPOSITION_WINDOW_CHARS)))
    kept: list[re.Match[str]] = []
    for token in tokens:
        if len(kept) >= APPOSITION_MAX_WORDS or any(a <= token.start() < b for a, b in blocked):
            break
        if not _word_ok(token.group()):
            break
        kept.append(token)
    lead = 0
    while lead < len(kept) and _modifier(kept[lead].group()) and not _occupation(kept[lead].group()):
        lead += 1
    if lead >= len(kept) or not _occupation(kept[lead].group()):
        return ""
    parse = analyser().parse(kept[0].group().lower())[0]
    if "plur" in parse.tag or "nomn" not in parse.tag:
        return ""  # "Путин, министры и губернаторы": not this person's title
    phrase = _trim(kept)
    return text[phrase[0].start() : phrase[-1].end()] if phrase else ""


def _without_occasion(position: str) -> str:
    """``position`` up to an occasion it runs into: "Президента на заседании коллегии МВД" -> "Президента"."""
    words = position.split()
    for index, word in enumerate(words[1:], 1):
        if word.lower() in EVENT_PREPOSITIONS and any(
            lemma(w.strip('«»"')) in EVENT_LEMMAS for w in words[index + 1 : index + 3]
        ):
            return " ".join(words[:index]).rstrip(",")
    return position


def _apposition(text: str, mention: Mention, blocked: list[tuple[int, int]]) -> Participant | None:
    written = _PARENTHESES.sub("", mention.text).strip()  # "Джоэл Саймон (Joel Simon)"
    position = _before(text, mention.start, blocked, written) or _after(text, mention.end, blocked)
    position = _without_occasion(position)
    if not position:
        return None
    instrumental = "ablt" in cases(position.split()[0])
    # running text inflects the title with the sentence ("с Министром обороны"); tables and a person's
    # history show it as lists write it, in the nominative
    position = nominative_position(position)
    # the entity stage's normal form is in base form already: re-inflecting it would break foreign
    # surnames ("Маэхара" read as the genitive of "Маэхар")
    normal = _PARENTHESES.sub("", mention.normal).strip()
    if normal and normal != written:
        # "Джоном Драмани Махамой" -> "Джон Драмани Махамой": the NER's normal form keeps unknown words as written
        name = parse_name(
            _from_instrumental(normal, unknown_only=True) if instrumental else normal, base=True
        )
    elif instrumental and (base := _from_instrumental(written)) != written:
        name = parse_name(
            base, base=True
        )  # "с Президентом Лаоса Тхонглуном Сисулитом": the NER left it inflected
    else:
        name = parse_name(written)
    if name is None or not (name.last or name.first):
        return None
    return Participant(
        name=name,
        position=position,
        organisation=organisation_of(position),
        country=country_of(position),
        source="apposition",
    )


def _without_country(mention: Mention) -> Mention:
    """A PER mention without a country's name the NER took into it from the title before it
    ("Премьер-министром Королевства [Камбоджа Хун Манетом]"): the country is the title's."""
    words = mention.text.split(" ")
    normal = mention.normal.split(" ")
    if len(words) < 3 or len(normal) != len(words) or _given_name(words[0]):
        return mention
    if not default_finder().counts(words[0]):
        return mention
    cut = len(words[0]) + 1
    return replace(mention, start=mention.start + cut, text=mention.text[cut:], normal=" ".join(normal[1:]))


_INSTRUMENTAL_ENDING = re.compile(r"(?:ом|ем|ём|ым|им|ой|ей)$")


def _from_instrumental(written: str, unknown_only: bool = False) -> str:
    """A name in the instrumental, as its title in the instrumental shows it, in the nominative word by word.

    The instrumental's endings (-ом, -ым, -ой) are no one's nominative ending, unlike the genitive's -а: a word
    is turned back only where morphology reads it as a noun in the instrumental with the same stem; other words
    (indeclinable "ас-Сиси", "Моди") stay as written.
    """
    words = []
    for word in written.split():
        low = word.lower()
        base = low
        if _INSTRUMENTAL_ENDING.search(low) and not (unknown_only and analyser().word_is_known(low)):
            for parse in analyser().parse(low):
                if (
                    parse.tag.POS == "NOUN"
                    and parse.tag.case == "ablt"
                    and parse.normal_form[: len(low) - 2] == low[:-2]
                ):
                    base = str(parse.normal_form)
                    break
        words.append(
            word if base == low else (base[:1].upper() if word[:1].isupper() else base[:1]) + base[1:]
        )
    return " ".join(words)


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, cut at final punctuation and line ends (lists in running text stay one sentence)."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group().strip()]


def _sentence_at(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    return next(((a, b) for a, b in spans if a <= offset < b), (offset, offset))


def _meeting_side(sentence: str, lang: str) -> tuple[bool, str]:
    """(does the sentence say who met or took part, the side's country it names or "")."""
    if lang == "en":
        side = _SIDE_EN.search(sentence)
        words = [w for w in side.groups() if w] if side else []
        named = default_finder().counts(words[0]) if words else None
        return bool(MEETING_EN.search(sentence)), next(iter(named)) if named and len(named) == 1 else ""
    folded = sentence.replace("ё", "е").replace("Ё", "Е")
    return bool(MEETING_RU.search(folded)), side_country(sentence)


def classified(
    text: str, lang: str, found: Sequence[tuple[int, Participant]], spans: list[tuple[int, int]] | None = None
) -> list[Participant]:
    """Each (offset, row) read off running text as a participant of the meeting or a person mentioned.

    A participant is named in a sentence with meeting language and gets the side that sentence names;
    everyone else is "mentioned", and so is anyone named right after a word of address. ``source`` stays.
    """
    spans = _sentences(text) if spans is None else spans
    out: list[Participant] = []
    for offset, row in found:
        start, end = _sentence_at(spans, offset)
        meeting, side = _meeting_side(text[start:end], lang)
        if meeting and not _ADDRESS_BEFORE.search(text[max(start, offset - 60) : offset]):
            country = side or row.country
            out.append(replace(row, kind="participant", country=country))
        else:
            out.append(replace(row, kind="mentioned"))
    return out


_NEXT_WORD = re.compile(r"\s*([^\W\d_]+)")


def _hosts(text: str, end: int) -> bool:
    """Is the name ending at ``end`` the one who holds the meeting ("Владимир Путин провёл ...", "разговор
    Владимира Путина с ...")? A headline before it ("Встреча с ... Владимир Путин принял ...") is no guest list."""
    following = _NEXT_WORD.match(text, end)
    if following is None:
        return False
    word = following.group(1)
    if word.lower() in {"с", "со"}:
        return True
    return any(p.tag.POS in {"VERB", "INFN"} for p in analyser().parse(word.lower())[:1])


def _named_without_title(text: str, mention: Mention) -> Participant | None:
    """A person named with no title beside them (kept only when their sentence is a meeting's)."""
    written = _PARENTHESES.sub("", mention.text).strip()
    normal = _PARENTHESES.sub("", mention.normal).strip()
    name = parse_name(normal, base=True) if normal and normal != written else parse_name(written)
    if name is None or not name.last or not name.first:
        return None  # a surname alone or a first name alone is too little to list someone by
    if _thing(name.last):
        return None  # "Мадуро Николас Статус материала": a page's furniture read as a name
    return Participant(name=name, source="sentence")


def _thing(word: str) -> bool:
    """Is this word known only as a thing (an inanimate noun, no name reading): "Статус", never a surname?"""
    low = word.lower()
    if not re.fullmatch(r"[а-яё-]+", low) or not analyser().word_is_known(low):
        return False
    return all(
        "inan" in p.tag and not {"Surn", "Name", "Patr"} & p.tag.grammemes for p in analyser().parse(low)
    )


def appositions(
    text: str, mentions: Sequence[Mention], skip: Sequence[tuple[int, int]] = ()
) -> list[Participant]:
    """People named beside a PER mention outside the ``skip`` spans (lists), each a participant or mentioned.

    A title phrase next to the name gives the position; in a sentence with meeting language a name with no
    title counts too ("В совещании приняли участие Андрей Белоусов и ...").
    """
    people = [m for m in mentions if m.type == "PER" and 0 <= m.start < m.end <= len(text)]
    people = [_without_country(m) for m in people if text[m.start : m.end] == m.text]
    blocked = [(m.start, m.end) for m in people]
    spans = _sentences(text) if people else []
    found: list[tuple[int, Participant]] = []
    for mention in people:
        if any(a <= mention.start < b for a, b in skip):
            continue
        others = [span for span in blocked if span != (mention.start, mention.end)]
        participant = _apposition(text, mention, others)
        if participant is None:
            # a name with no title counts when the meeting phrase comes before it ("встретился с Андреем
            # Белоусовым", "В совещании приняли участие ..."); the host before it ("Владимир Путин провёл
            # совещание") is known from the release itself, and a row without a position says nothing new
            start, end = _sentence_at(spans, mention.start)
            meeting = MEETING_RU.search(text[start:end].replace("ё", "е"))
            if meeting is None or start + meeting.start() > mention.start or _hosts(text, mention.end):
                continue
            participant = _named_without_title(text, mention)
        if participant is not None:
            found.append((mention.start, participant))
    return classified(text, "ru", found, spans)


def extract_participants(
    text: str,
    lang: str,
    mentions: Sequence[Mention] = (),
    segment: int | None = None,
    source_country: str = "",
) -> list[Participant]:
    """Participants of a text: list rows first, then appositions around PER mentions (of ``segment`` when given).

    ``source_country``: the country of the source the text is from, given to its own officials whose rows name
    none (see ``participant_countries``).
    """
    if not text or not text.strip():
        return []
    if len(text) > MAX_TEXT_CHARS:
        logger.warning("participants: text of %d characters cut to %d", len(text), MAX_TEXT_CHARS)
        text = capped(text, MAX_TEXT_CHARS)
    rows: list[ListRow] = kremlin_rows(text) if re.search(r"[А-ЯЁ]", text) else []
    rows += bullet_rows(text, lang)
    spans = [(row.start, row.end) for row in rows]
    rows += [ListRow(line.participant, line.start, line.end) for line in line_rows(text, lang, spans)]
    found = [row.participant for row in rows]
    spans = [(row.start, row.end) for row in rows]
    if lang in APPOSITION_LANGUAGES:
        chosen = [m for m in mentions if segment is None or m.segment == segment]
        found += appositions(text, chosen, spans)
    elif lang.split("-")[0].split("_")[0].lower() == "en":
        # the rules find English names themselves: an English extractor's mentions are these same names
        inline = inline_list_rows(text, spans)
        listed = list(found) + [person.participant for person in inline]
        # inside a list sentence only its own items count: its titles and names are read item by item there
        covered = [*spans, *inline_list_spans(text)]
        people = [(person.start, person.participant) for person in inline] + [
            (person.start, person.participant)
            for person in find_people(text, covered)
            if not any(same_person(person.participant.name, row.name) for row in listed)
        ]
        found += classified(text, "en", people)
    elif mentions:
        logger.debug("participants: no apposition rules for language %r; lists only", lang)
    return with_home_country(_unique(found), source_country, lang)


def _unique(participants: list[Participant]) -> list[Participant]:
    """One row per person and position (a name repeated with its title in one text is one participant).

    A person who took part is a participant in every row of theirs (the title named in passing is theirs),
    and a row without a position adds nothing to one with it.
    """
    keys = [person_key(p.name) for p in participants]
    taking_part = {k for k, p in zip(keys, participants, strict=True) if p.kind == "participant"}
    placed = {k for k, p in zip(keys, participants, strict=True) if p.position}
    seen: set[tuple[str, str, str]] = set()
    out = []
    for person, participant in zip(keys, participants, strict=True):
        key = (person, participant.position.lower(), participant.group)
        if participant.kind == "mentioned" and key[0] in taking_part:
            participant = replace(participant, kind="participant")
        if not participant.position and key[0] in placed:
            continue
        if key not in seen:
            seen.add(key)
            out.append(participant)
    return out
