"""Positions: the title words that open one, the organisation it names, and the country it belongs to."""

from __future__ import annotations

import functools
import re

from osiwire.enrich.morphology import cases, lemma, nominative_phrase, part_of_speech

# Lemmas of the nouns that make a phrase a position ("Министр обороны", "Генеральный секретарь ОДКБ"):
# offices of state, government, parliaments, agencies, companies and international bodies as CIS
# releases and Russian news name them. Professions (композитор, фотограф) are not positions of a body.
TITLE_LEMMAS = frozenset(
    {
        "министр", "замминистра", "секретарь", "госсекретарь", "статс-секретарь", "пресс-секретарь",
        "председатель", "зампред", "сопредседатель", "заместитель", "замглавы", "руководитель", "директор",
        "гендиректор", "помощник", "советник", "посол", "посланник", "консул", "генконсул", "атташе", "глава",
        "губернатор", "врио", "мэр", "вице-мэр", "аким", "хоким", "президент", "вице-президент",
        "премьер-министр", "премьер", "вице-премьер", "спикер", "начальник", "командующий",
        "главнокомандующий", "командир", "прокурор", "генпрокурор", "представитель", "полпред",
        "спецпредставитель", "спецпосланник", "уполномоченный", "омбудсмен", "канцлер", "король", "монарх",
        "эмир", "султан", "шейх", "ректор", "проректор", "депутат", "сенатор", "член", "комиссар", "лидер",
        "координатор", "управляющий", "судья", "генсек", "генсекретарь", "референт",
        "постпред", "парламентарий", "наместник", "главком", "начштаба", "министр-председатель", "редактор",
        "главред", "шеф", "патриарх", "митрополит", "архиепископ", "епископ", "муфтий", "раввин",
        # military and police ranks: awards lists and defence releases name people by them
        "генерал", "генерал-майор", "генерал-лейтенант", "генерал-полковник", "маршал", "адмирал",
        "вице-адмирал", "контр-адмирал", "полковник", "подполковник", "майор", "капитан", "лейтенант",
    }
)  # fmt: skip
# Prefixes that make a title of a title: "вице-губернатор", "экс-премьер", "врио губернатора".
TITLE_PREFIXES = ("вице-", "экс-", "зам-", "и.о.-")
# Words that sit before or inside a title without naming the body ("Первый заместитель", "исполняющий
# обязанности", "Чрезвычайный и Полномочный Посол", "временно").
TITLE_MODIFIERS = frozenset(
    {
        "первый", "генеральный", "главный", "старший", "младший", "исполнительный", "ответственный",
        "временно", "исполнять", "обязанность", "чрезвычайный", "полномочный", "специальный", "и",
        "постоянный", "официальный", "верховный", "федеральный", "государственный", "действующий", "новый",
        "бывший", "экс", "почётный", "почетный", "вице", "статс", "научный", "художественный",
    }
)  # fmt: skip
# Heads whose body is "<head> <country>" when nothing else is named ("помощник Президента Российской
# Федерации" -> Президент Российской Федерации) and the ministry a minister heads.
HEAD_BODIES = {"министр": "Министерство", "президент": "Президент", "премьер-министр": "Премьер-министр"}

# Countries as organisations and positions name them, in the nominative (matched by lemmas, so every
# case form matches): "Республики Армения" -> AM. Longest match wins (Демократическая Республика Конго).
COUNTRY_NAMES_RU: dict[str, str] = {
    "Российская Федерация": "RU", "Россия": "RU", "РФ": "RU",
    "Республика Беларусь": "BY", "Республика Белоруссия": "BY", "Беларусь": "BY", "Белоруссия": "BY",
    "Республика Армения": "AM", "Армения": "AM", "Республика Казахстан": "KZ", "Казахстан": "KZ",
    "Кыргызская Республика": "KG", "Киргизская Республика": "KG", "Киргизия": "KG", "Кыргызстан": "KG",
    "Республика Таджикистан": "TJ", "Таджикистан": "TJ", "Республика Узбекистан": "UZ", "Узбекистан": "UZ",
    "Туркменистан": "TM", "Туркмения": "TM", "Азербайджанская Республика": "AZ", "Азербайджан": "AZ",
    "Грузия": "GE", "Республика Молдова": "MD", "Молдавия": "MD", "Молдова": "MD", "Украина": "UA",
    "Китайская Народная Республика": "CN", "КНР": "CN", "Китай": "CN", "Республика Конго": "CG",
    "Демократическая Республика Конго": "CD", "Республика Союз Мьянма": "MM", "Мьянма": "MM",
    "Соединённые Штаты Америки": "US", "Соединенные Штаты Америки": "US", "США": "US", "Франция": "FR",
    "Германия": "DE", "ФРГ": "DE", "Индия": "IN", "Иран": "IR", "Турция": "TR", "Монголия": "MN",
    "Вьетнам": "VN", "Египет": "EG", "Сербия": "RS", "Япония": "JP", "Италия": "IT", "Великобритания": "GB",
    "Израиль": "IL", "Объединённые Арабские Эмираты": "AE", "ОАЭ": "AE", "Саудовская Аравия": "SA",
    "Сирия": "SY", "Куба": "CU", "Венесуэла": "VE", "Бразилия": "BR", "ЮАР": "ZA", "Пакистан": "PK",
    "Афганистан": "AF", "Ирак": "IQ", "Катар": "QA", "Индонезия": "ID", "Малайзия": "MY", "Лаос": "LA",
    "Таиланд": "TH", "КНДР": "KP", "Республика Корея": "KR", "Польша": "PL", "Финляндия": "FI",
}  # fmt: skip
COUNTRY_NAMES_EN: dict[str, str] = {
    "Russian Federation": "RU", "Russia": "RU", "Republic of Belarus": "BY", "Belarus": "BY",
    "Republic of Armenia": "AM", "Armenia": "AM", "Republic of Kazakhstan": "KZ", "Kazakhstan": "KZ",
    "Kyrgyz Republic": "KG", "Kyrgyzstan": "KG", "Republic of Tajikistan": "TJ", "Tajikistan": "TJ",
    "Republic of Uzbekistan": "UZ", "Uzbekistan": "UZ", "Turkmenistan": "TM", "Republic of Azerbaijan": "AZ",
    "Azerbaijan": "AZ", "Georgia": "GE", "Republic of Moldova": "MD", "Moldova": "MD", "Ukraine": "UA",
    "People's Republic of China": "CN", "China": "CN", "Republic of the Congo": "CG", "United States": "US",
}  # fmt: skip
# Side adjectives of grouped lists ("С конголезской стороны") by lemma.
SIDE_ADJECTIVES: dict[str, str] = {
    "российский": "RU", "белорусский": "BY", "армянский": "AM", "казахстанский": "KZ", "казахский": "KZ",
    "киргизский": "KG", "кыргызский": "KG", "кыргызстанский": "KG", "таджикский": "TJ",
    "таджикистанский": "TJ", "узбекский": "UZ", "узбекистанский": "UZ", "туркменский": "TM",
    "азербайджанский": "AZ", "грузинский": "GE", "молдавский": "MD", "молдовский": "MD", "украинский": "UA",
    "китайский": "CN", "конголезский": "CG", "мьянманский": "MM", "американский": "US",
    "французский": "FR", "германский": "DE", "немецкий": "DE", "индийский": "IN", "иранский": "IR",
    "турецкий": "TR", "монгольский": "MN", "вьетнамский": "VN", "египетский": "EG", "сербский": "RS",
    "японский": "JP", "итальянский": "IT", "британский": "GB", "израильский": "IL", "эмиратский": "AE",
    "саудовский": "SA", "сирийский": "SY", "кубинский": "CU", "венесуэльский": "VE", "бразильский": "BR",
    "южноафриканский": "ZA", "пакистанский": "PK", "афганский": "AF", "иракский": "IQ", "катарский": "QA",
    "индонезийский": "ID", "малайзийский": "MY", "лаосский": "LA", "таиландский": "TH", "тайский": "TH",
    "корейский": "KR", "северокорейский": "KP", "южнокорейский": "KR", "абхазский": "", "польский": "PL",
}  # fmt: skip

_SIDE = re.compile(r"\b(?:[Сс]о?|[Оо]т)\s+([а-яё-]+)\s+сторон|\b([А-ЯЁа-яё]+)\s+сторона\b")
_CLAUSE_SPLIT = re.compile(r",\s+|\s+[–—]\s+|\s+\(")
_WORDS = re.compile(r"\S+")


@functools.cache
def _country_lemmas() -> tuple[tuple[tuple[str, ...], str], ...]:
    """The Russian country names as lemma sequences, longest first (built on first use: needs pymorphy3)."""
    entries = {tuple(lemma(w) for w in name.split()): code for name, code in COUNTRY_NAMES_RU.items()}
    return tuple(sorted(entries.items(), key=lambda item: -len(item[0])))


def country_of(text: str) -> str:
    """ISO 3166-1 alpha-2 of the first country a position or organisation names ("" when none)."""
    english = [
        (m.start(), code)
        for name, code in COUNTRY_NAMES_EN.items()
        for m in re.finditer(rf"\b{re.escape(name)}\b", text)
    ]
    if english:
        return min(english)[1]
    words = [lemma(w.strip('«»()"')) for w in text.split()]
    found: list[tuple[int, int, str]] = []
    for names, code in _country_lemmas():
        size = len(names)
        for start in range(len(words) - size + 1):
            if tuple(words[start : start + size]) == names:
                found.append((start, -size, code))
    return min(found)[2] if found else ""


def side_country(header: str) -> str:
    """The country a list group header names as its side ("С белорусской стороны" -> BY)."""
    match = _SIDE.search(header)
    if not match:
        return country_of(header) if re.search(r"(?i)делегаци|delegation", header) else ""
    return SIDE_ADJECTIVES.get(lemma(match.group(1) or match.group(2)), "")


def is_title(word: str) -> bool:
    """Is this word (any case form) a title noun of the lexicon?"""
    bare = word.strip('«»()"').lower()
    if bare in TITLE_LEMMAS:
        return True  # "управляющий": pymorphy's first reading is the participle of управлять
    base = lemma(bare)
    for prefix in TITLE_PREFIXES:
        if base.startswith(prefix) and base[len(prefix) :] in TITLE_LEMMAS:
            return True
    return base in TITLE_LEMMAS


def is_modifier(word: str) -> bool:
    """Can this word sit in front of a title without naming the body ("Генеральный", "исполняющий")?"""
    low = lemma(word)
    return low in TITLE_MODIFIERS or (part_of_speech(word) in {"ADJF", "PRTF"} and not word[:1].isupper())


def _title_end(words: list[str]) -> tuple[int, str]:
    """Where the title run at the start of ``words`` ends, and the lemma of its last title noun."""
    index, head = 0, ""
    while index < len(words):
        run = index
        while run < len(words) and lemma(words[run]) in TITLE_MODIFIERS and not is_title(words[run]):
            run += 1  # modifiers count only when a title follows them: "Федеральной службы" is the body
        if run >= len(words) or not is_title(words[run]):
            break
        head, index = lemma(words[run]), run + 1
    return index, head


def organisation_of(position: str) -> str:
    """The body a position names, in the nominative where morphology allows ("Совет Безопасности Российской Федерации")."""
    for clause in _CLAUSE_SPLIT.split(position.strip()):
        words = _WORDS.findall(clause)
        index, head = _title_end(words)
        if not head and len(words) > 1 and part_of_speech(words[0]) == "NOUN":
            head, index = lemma(words[0]), 1  # a rank or role: "майор Министерства обороны"
        rest = words[index:]
        while len(rest) > 1 and is_title(rest[-1]) and "nomn" in cases(rest[-1]):
            rest = rest[:-1]  # "вооружённых сил полковник": a second title, not part of the body
        if not head or not rest:
            continue
        body = " ".join(rest)
        if head == "министр" and (
            rest[0] == "по" or part_of_speech(rest[0]) != "PREP"
        ):  # "Министр обороны" heads the Министерство обороны
            return f"{HEAD_BODIES[head]} {body}"
        if part_of_speech(rest[0]) in {"PREP", "CONJ"}:
            continue
        country_words = _country_prefix(rest)
        if head in HEAD_BODIES and country_words == len(rest):
            return f"{HEAD_BODIES[head]} {body}"
        if country_words:  # "Посол Российской Федерации в Республике Белоруссия": the state itself
            return " ".join(nominative_phrase(rest[:country_words]))
        return " ".join(nominative_phrase(rest))
    return ""


def _country_prefix(words: list[str]) -> int:
    """How many leading words name a country (0 when they do not)."""
    lemmas = tuple(lemma(w) for w in words)
    return next((len(names) for names, _ in _country_lemmas() if lemmas[: len(names)] == names), 0)
