"""The words and patterns quotations and transcript turns are found by (enrich.quotes), and their limits."""

from __future__ import annotations

import re

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
ONE_NAME_WORD = re.compile(r"^[А-ЯЁA-Z][а-яёa-z'’]+(?:-[А-ЯЁA-Z][а-яёa-z'’]+)*$")
OPENERS = {"«": "»", "„": "“”", "“": "”", '"': '"'}
# The author's words inside a quotation, between dashes: "«Part one, — сказал Лавров. — Part two»".
INNER_AUTHOR = re.compile(r"[,.!?…]\s[—–]\s(?P<clause>[^—–«»\"“”.!?]{3,120}?)[.,:]\s[—–]\s")
OPENER = re.compile('[«„“"]')
# A sentence's end; not the full stop of an initial ("Как сообщил А. Кудрин, «…»").
SENTENCE_END = re.compile(r"(?<![\s.(«\"][А-ЯЁA-Z])[.!?…]\s|[»”\"]\s(?=[А-ЯЁA-Z])")
SPEECH_RU = (
    r"(?:сказа|заяви|заявля|отмети|отмеча|подчеркну|подчёркива|подчеркива|добави|добавля|поясни|поясня|сообщи|"
    r"сообща|ответи|отвеча|призна|признаё|уточни|уточня|напомни|напомина|замети|замеча|констатирова|рассказа|"
    r"рассказыва|говори|предупреди|резюмирова|завери|заключи|указа|указыва|процитирова|продолжи|сказ|заяв|"
    r"спроси|спрашива|поинтересова|воскликну|пообеща|обеща|объясни|объясня|подытожи|посетова|написа|пише)"
    r"(?:л|ла|ли|ло|лся|лась|лись|т|ет|ит|ют|ят|ете)"
)
SPEECH_EN = (
    r"(?:said|says|added|adds|told|tells|stressed|stresses|noted|notes|explained|explains|warned|warns|stated|"
    r"states|declared|replied|answered|emphasi[sz]ed|emphasi[sz]es|insisted|remarked|asserted|commented|wrote|"
    r"continued|concluded|argued|recalled|underlined|pointed out|asked|asks|announced|promised|admitted|observed|"
    r"acknowledged|claimed|suggested)"
)
VERB_FIRST = re.compile(rf"(?:{SPEECH_RU}|{SPEECH_EN})\s", re.IGNORECASE)
VERB_AFTER_NAME_EN = re.compile(rf"[^.;!?\n]{{1,60}}?\s{SPEECH_EN}\b", re.IGNORECASE)
SPEECH = re.compile(rf"(?<![\w-])(?:{SPEECH_RU}|{SPEECH_EN})(?![\w-])", re.IGNORECASE)
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
ROLE = re.compile(
    r"(?<![\w-])(пресс-секретар|министр|президент|губернатор|председател|премьер|посол|посл|мэр|представител|"
    r"секретар|директор|руководител|спикер|глав(?=[аыеуо]\b|ой\b)|minister|president|governor|chairman|"
    r"chairwoman|ambassador|spokesman|spokeswoman|spokesperson|secretary|director|mayor|premier|head|chief|"
    r"leader)[а-яёa-z]*",
    re.IGNORECASE,
)
NAME_WORD = r"(?:[А-ЯЁA-Z](?:[а-яёa-z'’]+(?:-[А-ЯЁA-Z]?[а-яёa-z'’]+)*|\.\s?))"
NAME_RUN = re.compile(rf"{NAME_WORD}(?:\s?{NAME_WORD}){{0,3}}")
# English title words a name run may open with ("said Foreign Minister Sergei Lavrov").
TITLE_WORDS = frozenset(
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
BY_WORDS_RU = re.compile(r"(?:по\s+словам|как\s+(?:" + SPEECH_RU + r"))\s+(?P<who>[^,]{2,120}),\s*(?:что\s+)?$",
                          re.IGNORECASE)  # fmt: skip
BY_WORDS_EN = re.compile(r"(?:according\s+to|as)\s+(?P<who>[^,]{2,120}?)(?:\s+" + SPEECH_EN + r")?,\s*$",
                          re.IGNORECASE)  # fmt: skip

# Transcript turn headers: "В.Путин:", "Д.Баканов Баканов Дмитрий Владимирович генеральный директор … :",
# "В.Путин (обращаясь к В.Колокольцеву):". The tooltip repeats the surname, then the full name and position.
HEADER = re.compile(
    r"(?<![\w.])(?P<initials>(?:[А-ЯЁA-Z]\.\s?){1,2})(?P<last>[А-ЯЁA-Z][а-яёa-z]+(?:-[А-ЯЁA-Z][а-яёa-z]+)?)"
    r"(?P<tip>\s+(?P=last)(?P<given>(?:\s+[А-ЯЁA-Z][а-яёa-z]+){1,2})[^:.!?]{0,300}?)?"
    r"(?:\s*\([^()]{0,100}\))?\s?:(?=\s|$)"
)
# Turns with no named speaker: they end the turn before them and are not quotes.
ANONYMOUS = re.compile(
    r"(?<![\w.])(?:Вопрос|Реплика|Голос из зала|Голос|Ведущий|Ведущая|Журналист|Модератор|Question|Remark|"
    r"Reply|Response|Moderator)(?:\s*\([^()]{0,100}\))?\s?:(?=\s)"
)
# A header naming the speaker in full with kremlin.ru's tooltip, which repeats the last name word and ends " :":
# "Патриарх Кирилл Кирилл Патриарх Московский и всея Руси :", "Николай Патрушев Патрушев Николай Платонович … :".
TOOLTIP_HEADER = re.compile(
    r"(?<![\w.])(?P<name>(?:[А-ЯЁ][а-яё-]+\s){0,2}(?P<last>[А-ЯЁ][а-яё-]+))\s(?P=last)(?P<given>(?:\s[А-ЯЁ][а-яё]+){0,2})"
    r"[^:.!?]{0,250}?\s:(?=\s)"
)
TOOLTIP_CHARS = (
    300  # a tooltip header: the name shown, the tooltip's name and position (the longest seen: ~200)
)
# A header of two or three name words and a colon ("Берл Лазар:"): a header only where the entity stage found
# that very name, and the text goes on with a capital letter.
NAME_HEADER = re.compile(
    r"(?<![\w.])(?P<name>[А-ЯЁA-Z][а-яёa-z-]+(?:\s[А-ЯЁA-Z][а-яёa-z-]+){1,2}):\s(?=[А-ЯЁA-Z«])"
)
# English transcripts: "President of Russia Vladimir Putin: …", "Sergei Ignatyev: …" at a paragraph's start or
# after a sentence; the name is the two words before the colon. A header only where its name heads two turns of
# the text or is a person the enrich stage found ("Moscow Region:" is neither).
EN_HEADER = re.compile(
    r"(?:^|(?<=[.!?…]\s))(?P<title>(?:(?:[A-Z][\w'’.-]*|of|the|and|for|on|in|chairman|minister|head|director|"
    r"governor|president|secretary|mayor|adviser|aide|deputy|chief|spokesman|spokeswoman|ambassador|commander|"
    r"speaker|general)\s){0,14}?)"
    r"(?P<name>[A-Z][a-z'’-]+\s[A-Z][a-z'’-]+)(?:\s\([^()]{0,80}\))?:\s(?=\S)"
)
# Two or three capitalised words and a colon opening a paragraph: a turn header, named or not.
PARAGRAPH_HEADER = re.compile(r"[А-ЯЁA-Z][\w-]*(?:\s[А-ЯЁA-Z][\w-]*){1,2}:\s")
# Words that make the name after them somebody else's: "помощник Хиллари Клинтон заявил", "Lavrov's aide".
RELATION = re.compile(
    r"(?:помощник|советник|заместител|пресс-секретар|представител|супруг|жен|вдов|сын|дочь|дочер|адвокат|"
    r"сторонник|соратник|оппонент|критик)[а-яё]*|aide|adviser|advisor|deputy|spokesman|spokeswoman|lawyer|wife|"
    r"husband|son|daughter"
)
CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
LATIN_COLON = re.compile(r"[a-z'’]:\s")  # where an English header can be at all
# Boxes of the page flattened into a transcript: "Смотрите также <title> 5 марта 2025 года" (not the speaker's).
BOX = re.compile(
    r"\s(?:Смотрите также|Дополнительно)\s.{0,300}?\d{1,2}\s(?:января|февраля|марта|апреля|мая|июня|июля|августа|"
    r"сентября|октября|ноября|декабря)\s\d{4}\sгода(?=\s|$)"
)
PATRONYMIC = re.compile(r"(?:вич|вна|ична|оглы|кызы)$")
# What may stand before a turn header: the segment's start, a sentence's end, "<…>", or a capitalised word of
# a dateline ("Москва, Кремль В.Путин:"); a lower-case word means a header-like phrase inside a sentence.
HEADER_BEFORE = re.compile(r"(?:^|[.!?…»”)\]>*]\s*|[А-ЯЁA-Z][\w-]*\s|\d\s)$")
# kremlin.ru's footer, where the last turn of a flattened page ends.
FOOTER = re.compile(
    r"(?:^|\s)(?:<…>\s+)?(?:Смотрите также|Дополнительно|География|Темы|Лица|Статус материала)\s+(?=[А-ЯЁA-Z])"
)
FOOTER_SIGN = "Статус материала"
SEPARATOR = "* * *"  # kremlin.ru: the release above, the transcript below
