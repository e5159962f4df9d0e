"""Cyrillic to Latin (BGN/PCGN), the spellings a name is also written in, and a fold for matching them.

The canonical English form of a Russian name is BGN/PCGN as iuliia writes it, with ``ь`` as an ASCII
apostrophe (``Valer'yevich``, ``Zas'``) and ``ъ`` dropped. Wires and official English lists spell the same
names other ways (``Valerievich``, ``Zas``, ``Sergei``, ``Evgeny``, ``Mihail``); ``latin_spellings`` lists
the common ones so a search for any of them finds the person, and ``fold_latin`` maps them all to one key.
"""

from __future__ import annotations

import re
import unicodedata

import iuliia

# iuliia's BGN/PCGN leaves ё untouched ("Likhachёv"): BGN/PCGN proper writes ë, English usage writes e.
# The canonical form maps ё to е; the "yo" spelling (Likhachyov) is kept as a variant.
YO_CANONICAL = "е"
YO_VARIANT = "йо"  # BGN/PCGN writes й before о as "y": Лихачйов -> Likhachyov

# iuliia writes ь as ’ (U+2019) and ъ as ” (U+201D): ASCII apostrophe for ь, nothing for ъ, as English
# wires do and as people type them in a search box. BGN/PCGN's optional middle dot (Рэмович -> R·emovich,
# Цой/Тсой -> T·soy) is left out too: no wire writes it.
_MARKS = str.maketrans({"’": "'", "”": "", "ʹ": "'", "ʺ": "", "·": ""})
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")

# Spelling alternates of one name part, applied to its BGN/PCGN form, each rule once (regex, replacement).
# Each is a habit of English-language wires and official translations of CIS names.
SPELLING_RULES: tuple[tuple[str, str], ...] = (
    (r"'", ""),  # Zas' -> Zas, Valer'yevich -> Valeryevich
    (r"'?ye(?=v(?:ich|na))", "ie"),  # Valer'yevich -> Valerievich (patronymics)
    (r"ie(?=v(?:ich|na))", "ye"),  # Valerievich -> Valeryevich
    (r"^ye", "e"),  # Yevgeniy -> Evgeniy
    (r"^e", "ye"),  # Evgeny -> Yevgeny, Elena -> Yelena
    (r"iy$", "y"),  # Yevgeniy -> Yevgeny, Dmitriy -> Dmitry
    (r"iy$", "i"),  # Yuriy -> Yuri
    (r"(?<=[bcdfgklmnprstvz])[yi]$", "iy"),  # Dmitry -> Dmitriy, Yuri -> Yuriy
    (r"ey$", "ei"),  # Sergey -> Sergei, Aleksey -> Aleksei
    (r"ei$", "ey"),  # Sergei -> Sergey
    (r"ay$", "ai"),  # Nikolay -> Nikolai
    (r"ai$", "ay"),  # Nikolai -> Nikolay
    (r"kh", "h"),  # Mikhail -> Mihail, Khusnullin -> Husnullin
    (r"(?<![kzcs])h", "kh"),  # Mahmudzoda -> Makhmudzoda (zh, ch, sh, kh untouched)
    (r"(?<=[bcdfgklmnprstvz])ya", "ia"),  # Grigoryan -> Grigorian
    (r"(?<=[bcdfgklmnprstvz])ia", "ya"),  # Grigorian -> Grigoryan
    (r"ks", "x"),  # Aleksandr -> Alexandr
    (r"x", "ks"),  # Alexei -> Aleksei
    (r"skiy$", "sky"),  # Tsybul'skiy -> Tsybulsky
    (r"(?<=[aeiou])yev$", "ev"),  # Musayev -> Musaev
    (r"(?<=[aeiou])ev$", "yev"),  # Musaev -> Musayev
)
# Conventional English first names that no spelling rule reaches.
CONVENTIONAL_FIRST_NAMES = {"Aleksandr": "Alexander", "Pyotr": "Peter", "Yekaterina": "Ekaterina"}
# Folded forms of conventional English first names that differ from their BGN/PCGN fold.
CONVENTIONAL_FOLDS = {"aleksander": "aleksandr", "peter": "potr", "piotr": "potr"}


def transliterate(text: str) -> str:
    """BGN/PCGN romanisation of Cyrillic text (ё mapped to е first); other characters pass through."""
    if not _CYRILLIC.search(text):
        return text
    mapped = text.replace("ё", YO_CANONICAL).replace("Ё", YO_CANONICAL.upper())
    return str(iuliia.BGN_PCGN.translate(mapped)).translate(_MARKS)


def transliterate_yo(text: str) -> str:
    """BGN/PCGN romanisation writing ё as "yo" (Лихачёв -> Likhachyov): the other common spelling."""
    mapped = text.replace("ё", YO_VARIANT).replace("Ё", YO_VARIANT.capitalize())
    return str(iuliia.BGN_PCGN.translate(mapped)).translate(_MARKS)


def latin_spellings(part: str) -> list[str]:
    """The usual Latin spellings of one romanised name part, the given one first."""
    spellings = [part]
    for pattern, replacement in SPELLING_RULES:
        for known in list(spellings):
            changed = _like(re.sub(pattern, replacement, known.lower()), part)
            if changed and changed not in spellings:
                spellings.append(changed)
    conventional = CONVENTIONAL_FIRST_NAMES.get(part)
    if conventional and conventional not in spellings:
        spellings.append(conventional)
    return spellings


def _like(new: str, old: str) -> str:
    """``new`` capitalised like ``old`` (rules run on lower case: Khusnullin -> husnullin -> Husnullin)."""
    if old[:1].isupper():
        return "-".join(p[:1].upper() + p[1:] for p in new.split("-"))
    return new


def fold_latin(text: str) -> str:
    """A spelling-blind key of a name part in any script: Valer'yevich, Valerievich, Валерьевич -> valerevich."""
    latin = transliterate(text)
    plain = unicodedata.normalize("NFKD", latin)
    letters = "".join(ch for ch in plain.lower() if "a" <= ch <= "z")
    letters = letters.replace("x", "ks").replace("kh", "h").replace("dzh", "j").replace("y", "i")
    letters = re.sub(r"i+", "i", letters)
    # ya/ye/yo/yu and ia/ie/io/iu are the same vowels written two ways: keep the vowel.
    letters = re.sub(r"i(?=[aeou])", "", letters)
    letters = re.sub(r"(.)\1+", r"\1", letters)  # Issekeshev / Isekeshev
    return CONVENTIONAL_FOLDS.get(letters, letters)
