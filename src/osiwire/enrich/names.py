"""People's names: parts in every order officials write them, base forms, English form, variants, one key.

Orders handled: "Николай Платонович Патрушев", "ПАТРУШЕВ Николай Платонович", "Патрушев Николай
Платонович", "Н.П. Патрушев", "Патрушев Н.П.", "Н. Патрушев", inflected forms ("Патрушева Николая
Платоновича"), and Latin "Grigoryan Armen Valerievich" (surname first) or "Nikolai Platonovich Patrushev".
The patronymic decides the order when there is one; an upper-case first word is a surname (kremlin.ru lists).

Identity (``person_key``, ``same_person``): one person is one key across inflections, scripts and spellings.
The key is the spelling-blind fold of the transliterated surname, then the first-name and patronymic initials
that are known: ``patrushev:np``, ``patrushev:n``. Two names are the same person when their surnames fold
alike and nothing known contradicts: first initials equal (a surname alone matches only a surname alone),
patronymic initials equal where both have one, and full first names / patronymics fold alike where both are
written out. So Nikolai Platonovich and Dmitry Nikolayevich Patrushev stay apart, while "Н.П. Патрушев",
"Патрушева Николая Платоновича" and "Nikolai Patrushev" are one person.
"""

from __future__ import annotations

import logging
import re

from osiwire.enrich.morphology import analyser, base_form, name_case_gender, name_parses
from osiwire.enrich.transliteration import fold_latin, latin_spellings, transliterate, transliterate_yo
from osiwire.model import PersonName

logger = logging.getLogger(__name__)

# Longer strings are sentences, not names: refuse them before any regex runs on them.
NAME_MAX_CHARS = 120
NAME_MAX_WORDS = 5  # "Ильхам Гейдар оглы Алиев" is 4 words; more is a phrase
# The search variants kept per person: full and short forms in two scripts with the common spellings.
MAX_VARIANTS = 40
# Lower-case words that belong to a name (Turkic patronymic markers, nobiliary particles).
PARTICLES = frozenset(
    {"оглы", "кызы", "улы", "уулу", "ибн", "бен", "фон", "ван", "де", "ди", "да", "дель", "аль", "эль", "ла", "ле",
     "дер", "ден", "дос", "ду", "ogly", "oglu", "kyzy", "uly", "uulu", "ibn", "bin", "ben", "von", "van", "de", "di",
     "da", "del", "al", "el", "la", "le", "der", "den", "dos", "du"}
)  # fmt: skip
TURKIC_PATRONYMIC_MARKERS = frozenset({"оглы", "кызы", "улы", "уулу", "ogly", "oglu", "kyzy", "uly", "uulu"})

_WORD = re.compile(r"^[^\W\d_]+(?:['’\-][^\W\d_]+)*['’]?$")
_INITIALS = r"(?:[A-ZА-ЯЁ]\.\s?){1,2}"
_LEADING_INITIALS = re.compile(rf"^({_INITIALS})\s*([^\s.]+)$")
_TRAILING_INITIALS = re.compile(rf"^([^\s.]+)\s+({_INITIALS})$")
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_ELIDED = re.compile(r"(?<=\b\w['’])\w")
_PATRONYMIC_RU = re.compile(r"(?:вич|вн|ичн|ьич|ич)(?:а|у|ем|е|ы|ой|ою)?$")
_PATRONYMIC_LAT = re.compile(r"(?:vich|vitch|vna|ichna|ich)$")
# Surname endings of Latin-script CIS names, for surname-first lists without a patronymic suffix
# ("Mahmudzoda Nasrullo Rakhmatjon").
_SURNAME_LAT = re.compile(
    r"(?:ov|ova|ev|eva|yov|in|ina|yan|ian|enko|uk|yuk|zoda|zade|shvili|dze|sky|skiy|ski|bekov)$"
)


def _is_patronymic(word: str) -> bool:
    low = word.lower()
    if low in TURKIC_PATRONYMIC_MARKERS:
        return True
    if _CYRILLIC.search(low):
        return bool(_PATRONYMIC_RU.search(low)) and not _known_surname(low)
    return bool(_PATRONYMIC_LAT.search(low))


def _known_surname(low: str) -> bool:
    """A surname with a patronymic's ending ("Янукович", "Милошевич", "Мицкевич"): morphology knows it as one."""
    parses = analyser().parse(low)
    return bool(parses) and "Surn" in parses[0].tag and analyser().word_is_known(low)


def _one_name(words: list[str]) -> list[str]:
    """One name out of a run that repeats it: kremlin.ru pages follow a name with a tooltip of it
    ("Александр Бортников Бортников Александр Васильевич"). The full form around a patronymic wins."""
    if len(words) > 3 and not TURKIC_PATRONYMIC_MARKERS & {w.lower() for w in words}:
        index = next((i for i, w in enumerate(words) if i and _is_patronymic(w)), 0)
        if index == len(words) - 1 and index >= 2:
            return words[index - 2 :]
        if index:
            return words[index - 1 : index + 2]
    return list(dict.fromkeys(words))


def _is_common_word(word: str) -> bool:
    """A dictionary word that is no name part (Президент, Совет): not a person on its own."""
    if not _CYRILLIC.search(word) or name_parses(word, "Surn") or name_parses(word, "Name"):
        return False
    return bool(analyser().word_is_known(word.lower()))


def _title(word: str) -> str:
    """Title case for words written in capitals or lower case (ПАТРУШЕВ -> Патрушев); particles stay lower."""
    if word.lower() in PARTICLES:
        return word.lower()
    if not (word.isupper() or word.islower()):
        return word  # McDonald, O'Neil: as written
    parts = [p.lower() if p.lower() in PARTICLES else p[:1].upper() + p[1:].lower() for p in word.split("-")]
    # O'NEIL -> O'Neil: a one-letter prefix before an apostrophe is a particle of its own
    return _ELIDED.sub(lambda m: m.group(0).upper(), "-".join(parts))


def _initial(text: str) -> str:
    return fold_latin(text)[:1] if text else ""


def _order(words: list[str], surname_first: bool) -> tuple[str, str, str]:
    """(first, patronymic, last) from 1-4 words."""
    if len(words) >= 2 and words[-1].lower() in TURKIC_PATRONYMIC_MARKERS:
        words = [*words[:-2], f"{words[-2]} {words[-1]}"]
    elif len(words) >= 3 and words[-2].lower() in TURKIC_PATRONYMIC_MARKERS:  # Ильхам Гейдар оглы Алиев
        words = [words[0], f"{words[1]} {words[2]}", *words[3:]]
    if len(words) == 1:
        is_first = bool(name_parses(words[0], "Name")) and not name_parses(words[0], "Surn")
        return (words[0], "", "") if is_first else ("", "", words[0])
    if len(words) == 2:
        first_then_last = not surname_first and not _looks_like_surname(words[0], words[1])
        return (words[0], "", words[1]) if first_then_last else (words[1], "", words[0])
    a, b, c = words[0], words[1], " ".join(words[2:])
    if surname_first or (_is_patronymic(c) and not _is_patronymic(b)):
        return b, c, a
    if _is_patronymic(b):
        return a, b, c
    if not _CYRILLIC.search(a) and _SURNAME_LAT.search(a.lower()) and not _SURNAME_LAT.search(c.lower()):
        return b, c, a
    return a, b, c


def _looks_like_surname(first: str, second: str) -> bool:
    """Is the first of two words the surname ("Патрушев Николай", "Grigoryan Armen")?"""
    if _CYRILLIC.search(first):
        first_is_name = bool(name_parses(first, "Name"))
        second_is_name = bool(name_parses(second, "Name"))
        return second_is_name and not first_is_name
    return bool(_SURNAME_LAT.search(first.lower())) and not _SURNAME_LAT.search(second.lower())


def _base_forms(first: str, patronymic: str, last: str) -> tuple[str, str, str]:
    """Nominative name parts, the case and gender read off the patronymic or the first name."""
    case, gender = "", ""
    if patronymic and " " not in patronymic:
        case, gender = name_case_gender(patronymic, "Patr")
    if not case and first:
        case, gender = name_case_gender(first, "Name")
    if case == "nomn" or (first and not case):
        return first, patronymic, last  # nominative, or a first name morphology does not know: no evidence
    if first:
        first = base_form(first, "Name", case, gender)
    if patronymic and " " not in patronymic:
        patronymic = base_form(patronymic, "Patr", case, gender)
    if last:
        last = base_form(last, "Surn", case, gender) if case else _surname_alone(last)
    return first, patronymic, last


def _surname_alone(last: str) -> str:
    """A surname without a first name to agree with: its most likely reading (Путина -> Путин)."""
    parses = name_parses(last, "Surn")
    if not parses or "nomn" in parses[0].tag:
        return last
    return base_form(last, "Surn", str(parses[0].tag.case or ""), str(parses[0].tag.gender or ""))


# Words of address that open a name in speeches and letters ("Уважаемый Владимир Владимирович!"), in every
# form a sentence gives them; never part of the name.
ADDRESS_WORDS = frozenset(
    {
        "уважаемый", "уважаемая", "уважаемого", "уважаемой", "уважаемому", "уважаемым", "уважаемые",
        "дорогой", "дорогая", "дорогого", "дорогому", "дорогие", "многоуважаемый", "многоуважаемая",
        "господин", "госпожа", "господина", "госпожи", "товарищ", "dear", "mr", "mrs", "ms",
    }
)  # fmt: skip


def parse_name(text: str, lang: str = "ru", *, base: bool = False) -> PersonName | None:
    """Split a person's name into parts in base form, with its English form and search variants; None if not a name.

    ``base=True`` says the text is in base form already (an entity stage's normal form): no re-inflection.
    """
    clean = " ".join(text.replace("\u00a0", " ").split()).strip(" ,;:–—-")
    if not clean or len(clean) > NAME_MAX_CHARS:
        return None
    initials = ""
    lead = _LEADING_INITIALS.match(clean) or _TRAILING_INITIALS.match(clean)
    if lead:
        first_group = lead.group(1)
        initials_text, surname = (first_group, lead.group(2)) if "." in first_group else lead.group(2, 1)
        initials = initials_text.replace(" ", "")
        words = [surname]
    else:
        words = clean.split()
        words = _one_name(words) if len(words) <= NAME_MAX_WORDS else []
    if not words or len(words) > NAME_MAX_WORDS or not all(_WORD.match(w) for w in words):
        return None
    if not any(w[:1].isupper() for w in words):
        return None  # names are capitalised in every source we read
    while len(words) > 1 and words[0].lower().replace("ё", "е") in ADDRESS_WORDS:
        words = words[1:]  # "Уважаемый Владимир Владимирович": the address, not a surname
    if len(words) == 1 and not initials and _is_common_word(words[0]):
        return None  # "Президент" tagged as a person
    if len(words) == 2 and not initials and _is_patronymic(words[1]) and not _is_patronymic(words[0]):
        # "Александр Юрьевич": the polite address form, no surname; the person is named in full elsewhere and
        # cannot be told apart from every other Alexander Yuryevich on its own.
        return None
    surname_first = len(words) > 1 and words[0].isupper() and len(words[0]) > 1 and not words[1].isupper()
    titled = [_title(w) for w in words]
    if initials:
        first, patronymic, last = "", "", titled[0]
    else:
        first, patronymic, last = _order(titled, surname_first)
    if _CYRILLIC.search(clean) and not base:
        first, patronymic, last = _base_forms(first, patronymic, last)
    name = PersonName(first=first, patronymic=patronymic, last=last, initials=initials)
    return PersonName(
        first=first,
        patronymic=patronymic,
        last=last,
        initials=initials,
        name_en=english_name(name),
        variants=name_variants(name),
    )


def list_name(surname: list[str], given: list[str]) -> PersonName | None:
    """A name whose surname words a list marks (written in capitals): ["БАЙПО", "ТЕМОН"], ["Сильви", "Валери"].

    Several surname words stay one surname ("Байпо Темон", "аль Нахаян"); a Russian first name and patronymic
    are told apart by the patronymic's ending, Turkic markers stay with their patronymic ("Гейдар оглы").
    """
    if not surname or len(surname) + len(given) > NAME_MAX_WORDS + 1:
        return None
    titled = [_title(w) for w in surname]
    titled[-1] = titled[-1][:1].upper() + titled[-1][1:]  # a particle heads nothing at the end ("ВАН И": Ван)
    last = " ".join(titled)
    first, patronymic = " ".join(given), ""
    if len(given) == 2 and _is_patronymic(given[1]) and not _is_patronymic(given[0]):
        first, patronymic = given
    elif len(given) == 3 and given[2].lower() in TURKIC_PATRONYMIC_MARKERS:
        first, patronymic = given[0], f"{given[1]} {given[2]}"
    name = PersonName(first=first, patronymic=patronymic, last=last)
    return PersonName(
        first=first,
        patronymic=patronymic,
        last=last,
        name_en=english_name(name),
        variants=name_variants(name),
    )


def english_name(name: PersonName) -> str:
    """Canonical English form "First Patronymic Last" in BGN/PCGN (initials when that is all there is)."""
    parts = [transliterate(p) for p in (name.first, name.patronymic, name.last) if p]
    if name.initials and not name.first:
        parts.insert(0, transliterate(name.initials))
    return " ".join(parts)


def _forms(first: str, patronymic: str, last: str, initials: str) -> list[str]:
    """The written forms of one spelling: full, surname first, short, with initials."""
    forms = []
    if first or patronymic:
        forms.append(" ".join(p for p in (first, patronymic, last) if p))
        if last:
            forms.append(" ".join(p for p in (last, first, patronymic) if p))
            if patronymic and first:
                forms.append(f"{first} {last}")
            forms.append(f"{first[:1]}.{patronymic[:1] + '.' if patronymic else ''} {last}")
    elif initials:
        forms += [f"{initials} {last}", f"{last} {initials}"]
    elif last:
        forms.append(last)
    return [f.strip() for f in forms if f.strip(" .")]


def name_variants(name: PersonName) -> tuple[str, ...]:
    """Spellings to search a person by, in the original script and in Latin (BGN/PCGN and common alternates)."""
    first, patronymic, last = name.first, name.patronymic, name.last
    out: list[str] = _forms(first, patronymic, last, name.initials)
    has_yo = any("ё" in p.lower() for p in (first, patronymic, last))
    if has_yo:
        plain = [p.replace("ё", "е").replace("Ё", "Е") for p in (first, patronymic, last)]
        out += _forms(plain[0], plain[1], plain[2], name.initials)
    latin = [first, patronymic, last]
    initials = name.initials
    if any(_CYRILLIC.search(p) for p in (first, patronymic, last, initials)):
        latin = [transliterate(p) for p in (first, patronymic, last)]
        initials = transliterate(initials)
        canonical = _forms(latin[0], latin[1], latin[2], initials)
        out += canonical + [f.replace("'", "") for f in canonical]  # wires mostly drop the soft sign
        if has_yo:
            yo = [transliterate_yo(p) for p in (first, patronymic, last)]
            out += _forms(yo[0], yo[1], yo[2], initials)
    for index, part in enumerate(latin):
        for spelling in latin_spellings(part)[1:] if part else []:
            changed = [*latin[:index], spelling, *latin[index + 1 :]]
            out += _forms(changed[0], changed[1], changed[2], initials)[:1]
            if changed[0] and changed[2]:
                out.append(f"{changed[0]} {changed[2]}")
    return tuple(dict.fromkeys(out))[:MAX_VARIANTS]


def _initials_of(name: PersonName) -> tuple[str, str]:
    """Folded (first, patronymic) initials from the written-out parts or from ``initials``."""
    letters = [x for x in re.split(r"[.\s]+", name.initials) if x]
    first = _initial(name.first) or (_initial(letters[0]) if letters else "")
    patronymic = _initial(name.patronymic) or (_initial(letters[1]) if len(letters) > 1 else "")
    return first, patronymic


def person_key(name: PersonName) -> str:
    """Canonical matching key: folded transliterated surname, then the known initials ("patrushev:np")."""
    first, patronymic = _initials_of(name)
    if not name.last:
        return f"~{fold_latin(name.first)}:{patronymic}"
    return f"{fold_latin(name.last)}:{first}{patronymic}"


def same_person(a: PersonName, b: PersonName) -> bool:
    """Are two names the same person? Same folded surname and no contradiction in what else is known."""
    if not a.last or not b.last or fold_latin(a.last) != fold_latin(b.last):
        return person_key(a) == person_key(b)
    first_a, patronymic_a = _initials_of(a)
    first_b, patronymic_b = _initials_of(b)
    if not first_a or not first_b:
        return first_a == first_b == ""  # a bare surname is not evidence about one person of that name
    if first_a != first_b or (patronymic_a and patronymic_b and patronymic_a != patronymic_b):
        return False
    if a.first and b.first and fold_latin(a.first) != fold_latin(b.first):
        return False
    return not (a.patronymic and b.patronymic and fold_latin(a.patronymic) != fold_latin(b.patronymic))
