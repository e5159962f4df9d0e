"""Countries a text mentions, as ISO 3166-1 alpha-2 codes, from names in ``data/countries.toml``.

Names, official forms, abbreviations and adjectives in Russian and English are matched on lemmas (see
``lexicon``): "Белоруссии", "белорусской", "Республики Беларусь", "Belarusian" and "Kazakhstan's" all count.
The longest name wins ("Южная Корея" over "Корея"); names that are also common words count only when
capitalised (and some only mid-sentence), and phrases such as "Индийский океан" count for no country.
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from osiwire.enrich.lexicon import WORD_RE, Hit, Lemmas, PhraseIndex, Words, longest_per_group
from osiwire.errors import ConfigError

logger = logging.getLogger(__name__)

COUNTRIES_FILE = "countries.toml"
ISO_CODE = re.compile(r"[A-Z]{2}")
RULE_LISTS = ("capitalised", "mid_sentence", "exact_case", "ignore")


@dataclass(frozen=True, slots=True)
class _Name:
    code: str  # "" for an ignored phrase
    words: tuple[str, ...]  # as written, for exact-case names
    capitalised: bool = False
    mid_sentence: bool = False
    exact_case: bool = False


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return [v for v in value if v.strip()]


def _load(path: Path | None) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """code -> names, and the rule lists, from a countries file (default: the bundled one)."""
    where = str(path) if path else f"osiwire/data/{COUNTRIES_FILE}"
    try:
        if path is None:
            text = resources.files("osiwire").joinpath("data").joinpath(COUNTRIES_FILE).read_text("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    names: dict[str, list[str]] = {}
    for entry in data.get("country", []):
        code = entry.get("code") if isinstance(entry, dict) else None
        if not isinstance(code, str) or not ISO_CODE.fullmatch(code) or code in names:
            raise ConfigError(f"{where}: country code {code!r} is not a new ISO 3166-1 alpha-2 code")
        names[code] = [n for lang, value in entry.items() if lang != "code" for n in _strings(value, where)]
    rules_table = data.get("rules", {})
    if not isinstance(rules_table, dict) or set(rules_table) - set(RULE_LISTS):
        raise ConfigError(f"{where}: [rules] takes only {', '.join(RULE_LISTS)}")
    rules = {key: _strings(rules_table.get(key, []), f"{where}: rules.{key}") for key in RULE_LISTS}
    known = {n for country_names in names.values() for n in country_names}
    for key in ("capitalised", "mid_sentence", "exact_case"):
        if unknown := [n for n in rules[key] if n not in known]:
            raise ConfigError(f"{where}: rules.{key} names no country: {unknown}")
    return names, rules


class CountryFinder:
    """Country names compiled for lookup; holds the lemmatiser it was compiled with."""

    def __init__(self, path: Path | None = None, lemmas: Lemmas | None = None) -> None:
        self.lemmas = lemmas or Lemmas()
        names, rules = _load(path)
        flags = {key: set(rules[key]) for key in RULE_LISTS}
        self._index: PhraseIndex[_Name] = PhraseIndex(self.lemmas)
        for code, country_names in names.items():
            for name in country_names:
                value = _Name(
                    code,
                    tuple(WORD_RE.findall(name)),
                    capitalised=name in flags["capitalised"] or name in flags["mid_sentence"],
                    mid_sentence=name in flags["mid_sentence"],
                    exact_case=name in flags["exact_case"],
                )
                self._index.add(name, value)
        for phrase in rules["ignore"]:
            self._index.add(phrase, _Name("", tuple(WORD_RE.findall(phrase))))
        logger.debug("%d countries loaded", len(names))

    @staticmethod
    def _allowed(hit: Hit[_Name], words: Words) -> bool:
        name = hit.value
        forms = words.forms[hit.first : hit.last + 1]
        if name.exact_case and tuple(forms) != name.words:
            return False
        if name.capitalised and not forms[0][:1].isupper():
            return False
        return not (name.mid_sentence and words.opens_sentence(hit.first))

    def counts(self, text: str | Words) -> Counter[str]:
        """How often each country is named in ``text``."""
        words = text if isinstance(text, Words) else Words(text)
        hits = [hit for hit in self._index.find(words) if self._allowed(hit, words)]
        return Counter(hit.value.code for hit in longest_per_group(hits, lambda _: 0) if hit.value.code)

    def find(self, text: str | Words, lang: str) -> list[str]:
        """ISO 3166-1 alpha-2 codes of the countries ``text`` names, most mentioned first."""
        return [code for code, _ in self.counts(text).most_common()]


@functools.cache
def default_finder() -> CountryFinder:
    """This process's finder over the bundled country names (built on first use)."""
    return CountryFinder()


def find_countries(text: str, lang: str, finder: CountryFinder | None = None) -> list[str]:
    """ISO 3166-1 alpha-2 codes of the countries ``text`` names, most mentioned first."""
    return (finder or default_finder()).find(text, lang)
