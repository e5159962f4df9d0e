"""Speakers of quotations: names as a text writes them resolved to the people the enrich stage found.

One ``Speakers`` per article. "В.Путин" is the one stored person it can be ("Владимир Владимирович Путин"); a bare
surname only when one person of the article has it; a name nobody of the article has counts only when it looks
like a person's (initials, a first name Russian morphology knows, Latin words no body's name has).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from osiwire.enrich.english_words import GEO_WORDS, ORG_WORDS, STOP_WORDS
from osiwire.enrich.lexicon import fold
from osiwire.enrich.quote_patterns import CYRILLIC, ONE_NAME_WORD, SURNAME_CASE_ENDINGS, TITLE_WORDS
from osiwire.enrich.transliteration import fold_latin
from osiwire.model import PersonName

ParseName = Callable[[str, str, bool], PersonName | None]  # (text, language, in base form already)
SamePerson = Callable[[PersonName, PersonName], bool]


def same_surname(stored: str, written: str) -> bool:
    """Whether ``written`` is the surname ``stored`` in some case ("Лаврова", "Лаврову" for "Лавров")."""
    a, b = fold(stored), fold(written)
    return a == b or (b.startswith(a) and b[len(a) :] in SURNAME_CASE_ENDINGS)


class Speakers:
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
            if name is None and ONE_NAME_WORD.match(text):
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
            found = [p for p in self.people if p.last and same_surname(p.last, name.last)]
        if not found:
            return name if fallback and looks_like_name(name) else None
        first = found[0]
        return first if all(self.same_person(first, other) for other in found[1:]) else None


def looks_like_name(name: PersonName) -> bool:
    """Whether a name nobody of the release has is a person's all the same: initials and a surname, a first name
    Russian morphology knows ("Александр Белов", not "Минобороны России"), or Latin words no body's name has."""
    if name.initials:
        return True
    if not name.first:
        return False
    if CYRILLIC.search(name.first):
        from osiwire.enrich.morphology import name_parses

        return bool(name_parses(name.first.split()[0], "Name"))
    words = {w.lower().strip(".,") for w in f"{name.first} {name.last}".split()}
    return not words & (STOP_WORDS | ORG_WORDS | GEO_WORDS | TITLE_WORDS)
