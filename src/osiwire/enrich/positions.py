"""Positions: the title words that open one, the organisation it names, and the country it belongs to.

Russian positions are read on pymorphy3 lemmas; English ones ("Secretary of the Security Council of the
Russian Federation", "CSTO Secretary General", "Foreign Minister") on the English lexicon below.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from osiwire.enrich.countries import default_finder
from osiwire.enrich.morphology import cases, lemma, nominative_phrase, part_of_speech
from osiwire.enrich.participant_bodies import as_body

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
_COMPOUND = re.compile(r"[А-ЯЁа-яё]+о-[А-ЯЁа-яё-]+")
_SIDE_OF = re.compile(r"\b[Сс]о\s+стороны\s+([А-ЯЁ][а-яё-]+(?:\s+[А-ЯЁа-яё][а-яё-]+)?)")
_CLAUSE_SPLIT = re.compile(r",\s+|\s+[–—]\s+|\s+\(")
_WORDS = re.compile(r"\S+")
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")


@functools.cache
def _country_lemmas() -> tuple[tuple[tuple[str, ...], str], ...]:
    """The Russian country names as lemma sequences, longest first (built on first use: needs pymorphy3)."""
    entries = {tuple(lemma(w) for w in name.split()): code for name, code in COUNTRY_NAMES_RU.items()}
    return tuple(sorted(entries.items(), key=lambda item: -len(item[0])))


def country_of(text: str) -> str:
    """ISO 3166-1 alpha-2 of the first country a position or organisation names ("" when none)."""
    if not _CYRILLIC.search(text):
        # the country file knows every country's English names and adjectives ("Russian", "Kyrgyz")
        named = default_finder().counts(text)
        if named:
            return next(iter(named))  # counts are in text order: "Ambassador of Russia to Belarus" -> RU
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
    # countries outside the table ("Лаосской Народно-Демократической Республики"): the country file's names,
    # without the compounds of two countries ("Германо-российской палаты" is of neither alone)
    return min(found)[2] if found else _named_once(_COMPOUND.sub(" ", text))


def side_country(header: str) -> str:
    """The country a list group header names as its side ("С белорусской стороны" -> BY)."""
    match = _SIDE.search(header)
    if not match and (of := _SIDE_OF.search(header)):
        return country_of(of.group(1)) or _named_once(of.group(1))  # "Со стороны Узбекистана"
    if not match:
        if not re.search(r"(?i)делегаци|delegation", header):
            return ""
        return country_of(header) or _named_once(header)  # "Делегация Туниса", "Монгольская делегация"
    adjective = match.group(1) or match.group(2)
    if lemma(adjective) in SIDE_ADJECTIVES:
        return SIDE_ADJECTIVES[lemma(adjective)]
    # any other country's adjective, from the country file ("С центральноафриканской стороны" -> CF)
    named = default_finder().counts(adjective.lower())
    return next(iter(named)) if len(named) == 1 else ""


def _named_once(text: str) -> str:
    """The one country the country file finds in ``text`` ("" for none or several)."""
    named = default_finder().counts(text)
    return next(iter(named)) if len(named) == 1 else ""


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
    """The body a position names, in the nominative where morphology allows ("Совет Безопасности Российской Федерации").

    Only a body that is an organisation counts (see ``participant_bodies``): the first clause naming one gives it.
    """
    if not _CYRILLIC.search(position):
        return organisation_en(position)
    return next((body for body in map(as_body, _bodies(position)) if body), "")


def _bodies(position: str) -> Iterator[str]:
    """The body each clause of a Russian position names, in order."""
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
            yield f"{HEAD_BODIES[head]} {body}"
            continue
        if part_of_speech(rest[0]) in {"PREP", "CONJ"}:
            continue
        country_words = _country_prefix(rest)
        if head in HEAD_BODIES and country_words == len(rest):
            # "Министр Российской Федерации ..." heads a ministry; "Президент Республики Армения" is the head
            # of state himself, a title and no organisation (his country is the row's country)
            alone = sum(1 for w in words[:index] if is_title(w)) == 1  # not "помощник Президента"
            head_of_state = head in {"президент", "премьер-министр"} and alone
            yield "" if head_of_state else f"{HEAD_BODIES[head]} {body}"
        elif country_words:  # "Посол Российской Федерации в Республике Белоруссия": the state itself
            yield " ".join(nominative_phrase(rest[:country_words]))
        else:
            yield " ".join(nominative_phrase(rest))


def _country_prefix(words: list[str]) -> int:
    """How many leading words name a country (0 when they do not)."""
    lemmas = tuple(lemma(w) for w in words)
    return next((len(names) for names, _ in _country_lemmas() if lemmas[: len(names)] == names), 0)


# English title nouns, lower case: wires write them both ways ("Foreign Minister Sergey Lavrov", "the defense
# minister, Sergei Shoigu"). Singular only: "ministers" names several people, never the one beside it.
TITLE_WORDS_EN = frozenset(
    {
        "president", "premier", "minister", "secretary", "secretary-general", "undersecretary",
        "under-secretary", "chairman", "chairwoman", "chairperson", "chair", "speaker", "ambassador", "envoy",
        "representative", "director", "director-general", "head", "governor", "mayor", "assistant", "aide",
        "adviser", "advisor", "counsellor", "counselor", "spokesperson", "spokesman", "spokeswoman", "chief",
        "commander", "commander-in-chief", "chancellor", "king", "queen", "prince", "princess", "emir", "sultan", "sheikh",
        "prosecutor", "prosecutor-general", "attorney", "attorney-general", "ombudsman", "commissioner",
        "consul", "consul-general", "attache", "attaché", "deputy", "senator", "judge", "rector", "patriarch",
        "archbishop", "bishop", "mufti", "rabbi", "leader", "coordinator", "ceo", "officer", "member",
        "delegate", "editor-in-chief", "founder", "governor-general", "general", "colonel", "colonel-general",
        "lieutenant-general", "major-general", "admiral", "vice-admiral", "rear-admiral", "marshal",
        "lieutenant", "captain", "sergeant", "superintendent", "inspector", "sheriff", "manager", "magistrate"
    }
)  # fmt: skip
# Military ranks: a rank right before a name is kept with the office written before it behind a comma
# ("the commander of the fleet, Admiral Nikolai Yevmenov").
RANKS_EN = frozenset(
    {
        "general", "colonel", "colonel-general", "lieutenant-general", "major-general", "admiral",
        "vice-admiral", "rear-admiral", "marshal", "lieutenant", "captain", "sergeant"
    }
)  # fmt: skip
# Portfolios written before "Minister" and the ministry they name ("Foreign Minister" -> Ministry of
# Foreign Affairs; "Interior" is Internal Affairs in the CIS ministries' own English names).
PORTFOLIOS_EN: dict[str, str] = {
    "foreign": "Foreign Affairs", "defence": "Defence", "defense": "Defense", "interior": "Internal Affairs",
    "emergencies": "Emergency Situations",
    **{w: w.title() for w in ("finance", "justice", "health", "economy", "energy", "culture", "education",
                              "agriculture", "trade", "transport", "labour", "labor", "sport", "sports",
                              "industry", "science")},
}  # fmt: skip
# Words before or inside an English title that do not name the body: "Deputy", "Acting", "Prime",
# "Extraordinary and Plenipotentiary", "Press" (Press Secretary), "Crown" (Crown Prince), portfolios.
TITLE_MODIFIERS_EN = frozenset(
    {
        "deputy", "acting", "first", "vice", "former", "ex", "executive", "general", "special", "permanent",
        "chief", "senior", "prime", "press", "state", "supreme", "extraordinary", "plenipotentiary",
        "principal", "assistant", "lieutenant", "rear", "crown", "interim", "outgoing", "incoming", "honorary",
        "presidential", "high", "co", "founding", "associate", "top", "local", "second", "third", "managing", "lead", "regional", "district",
        *PORTFOLIOS_EN,
    }
)  # fmt: skip
# Prefixes that make a title of a title: "ex-president", "vice-governor", "co-chairman".
TITLE_PREFIXES_EN = ("ex-", "vice-", "co-", "deputy-")
# Heads named after their country when a position names nothing else ("Prime Minister of Armenia").
HEAD_BODIES_EN = {"president": "President", "prime minister": "Prime Minister"}
# Words that may sit in a country's official name ("Republic of Armenia", "Kyrgyz Republic").
COUNTRY_FORM_WORDS = frozenset(
    {
        "the", "of", "and", "republic", "federation", "kingdom", "states", "united", "democratic", "people's",
        "islamic", "arab", "socialist", "federal", "union", "great", "new", "south", "north", "saudi"
    }
)  # fmt: skip
# Bodies too vague to be an organisation: "Secretary of State", "Chief of Staff", "head of the region".
VAGUE_BODIES_EN = frozenset(
    {"state", "staff", "government", "republic", "country", "region", "city", "nation"}
)
_CLAUSE_SPLIT_EN = re.compile(r",\s+|\s+[–—-]\s+|\s+\(")
_WORD_EN = re.compile(r"(?:[^\W\d_]\.)+|[^\W\d_]+(?:['’-][^\W\d_]+)*['’]?")
# Adjectives before a title are no body ("Islamist Egyptian president", "Republican Senator").
_ADJECTIVE_EN = re.compile(r"(?:ian|ean|can|ish|ic|ist|ese)$")
_BODY_PREPOSITIONS = frozenset({"of", "for", "to", "at", "in", "on"})


def _bare(word: str) -> str:
    """Lower case without a possessive ending ("Russia's" -> "russia")."""
    low = word.lower().replace("’", "'")
    return low[:-2] if low.endswith("'s") and len(low) > 2 else low


def _unprefixed(word: str) -> str:
    bare = _bare(word)
    for prefix in TITLE_PREFIXES_EN:
        if bare.startswith(prefix) and len(bare) > len(prefix):
            return bare[len(prefix) :]
    return bare


def is_title_en(word: str) -> bool:
    """Is this an English title noun ("Minister", "commander-in-chief", "Secretary-General", "ex-governor")?"""
    return _bare(word) in TITLE_WORDS_EN or _unprefixed(word) in TITLE_WORDS_EN


def is_modifier_en(word: str) -> bool:
    """Can this word stand before an English title without naming a body ("Deputy", "Foreign", "ex-deputy")?"""
    return _bare(word) in TITLE_MODIFIERS_EN or _unprefixed(word) in TITLE_MODIFIERS_EN


@functools.lru_cache(maxsize=20_000)
def is_country_word(word: str) -> bool:
    """Does this word name a country or its people ("Armenia", "Russian", "Kyrgyz", "Russia's")?"""
    return bool(word[:1].isupper() and default_finder().counts(word))


def _country_only(words: list[str]) -> bool:
    return any(is_country_word(w) for w in words) and all(
        is_country_word(w) or w.lower() in COUNTRY_FORM_WORDS for w in words
    )


def _title_run(words: list[str]) -> tuple[int, int, str]:
    """(start, end, head) of the first title with its modifiers: "Deputy Foreign Minister" -> head "minister"."""
    first = next((i for i, w in enumerate(words) if is_title_en(w)), -1)
    if first < 0:
        return -1, -1, ""
    start = first
    while start > 0 and is_modifier_en(words[start - 1]):
        start -= 1
    end = first
    while end < len(words) and (
        is_title_en(words[end])
        or is_modifier_en(words[end])
        or (words[end] == "and" and end + 1 < len(words) and is_modifier_en(words[end + 1]))
    ):  # "President and Supreme Commander-in-Chief", "Extraordinary and Plenipotentiary Ambassador"
        end += 1
    titles = [_bare(w) for w in words[start:end] if is_title_en(w)]
    head = titles[-1] if titles else ""
    if head == "minister" and any(_bare(w) == "prime" for w in words[start:end]):
        head = "prime minister"
    return start, end, head


def _body_after(words: list[str], head: str) -> str:
    """The body named after the title: "of the Security Council of ...", "to the Republic of Belarus"."""
    if not words or words[0].lower() not in _BODY_PREPOSITIONS:
        return ""
    body = words[1:]
    cut = next((i for i, w in enumerate(body) if i and w.lower() in _BODY_PREPOSITIONS - {"of"}), len(body))
    title = next((i for i, w in enumerate(body) if is_title_en(w) or is_modifier_en(w)), 0)
    cut = min(cut, next((i - 1 for i in range(title, 0, -1) if body[i - 1] == "and"), cut))
    body = body[:cut]  # "of the Russian Federation to the Republic of Belarus": the post's own state;
    # "of the Northern Fleet and Hero of Russia Vice Admiral": the body ends before the next title
    while body and body[0].lower() in {"the", "of"}:  # "of the of the Russian Armed Forces": a typo
        body = body[1:]
    if body and _bare(body[-1]) in RANKS_EN:
        body = body[:-1]  # "Chief of Defence Staff General": the rank of the person, not of the body
    text = " ".join(body)
    if not body or text.lower() in VAGUE_BODIES_EN or (len(body) == 1 and is_title_en(body[0])):
        return ""  # "Secretary of State", "Assistant to the President"
    if head == "minister" and words[0].lower() in {"of", "for"}:
        return f"Ministry {words[0].lower()} {text}"
    if _country_only(body):
        return f"{HEAD_BODIES_EN[head]} of {' '.join(words[1 : cut + 1])}" if head in HEAD_BODIES_EN else text
    return text


def organisation_en(position: str) -> str:
    """The body an English position names ("Security Council of ...", "CSTO", "Ministry of Foreign Affairs"), or ""."""
    for clause in _CLAUSE_SPLIT_EN.split(position.strip()):
        words = _WORD_EN.findall(clause)
        start, end, head = _title_run(words)
        if start < 0:
            continue
        body = _body_after(words[end:], head)
        if body:
            return body
        prefix = words[:start]
        while prefix and (
            is_country_word(prefix[0])
            or (is_modifier_en(prefix[0]) and _bare(prefix[0]) not in PORTFOLIOS_EN)
            or (_bare(prefix[0]) in COUNTRY_FORM_WORDS and len(prefix) > 1 and is_country_word(prefix[1]))
        ):
            prefix = prefix[1:]  # "Russian Security Council Secretary", "Acting Khabarovsk Krai Governor"
        if prefix and all(w[:1].isupper() for w in prefix) and not _ADJECTIVE_EN.search(prefix[-1]):
            return " ".join([*prefix[:-1], prefix[-1].removesuffix("'s").removesuffix("’s")])
        portfolio = [PORTFOLIOS_EN[_bare(w)] for w in words[start:end] if _bare(w) in PORTFOLIOS_EN]
        if head == "minister" and portfolio:
            return f"Ministry of {' and '.join(portfolio)}"
    return ""
