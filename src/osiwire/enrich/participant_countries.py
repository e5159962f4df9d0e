"""The country of participants whose row names none: a release's own officials are of its source's country.

A government site lists its own officials without naming their state ("губернатор Тверской области",
"Министр иностранных дел Сергей Лавров"): the source's country is theirs. Given only where a mistake is unlikely:
- list rows with no side, in a text whose list rows name no other country, written as the source's own
  officials are written (with a patronymic), and not officials of an international body;
- participants named in running text (Russian) whose position is an office of the state (a ministry, the
  Government, the President's staff, a region, a parliament) and whose name is a Slavic given name and surname.
Heads of state and government named by their title alone ("Президент Ли ...") get no country from this.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from osiwire.enrich.morphology import analyser, lemma
from osiwire.enrich.participant_lists import INTERNATIONAL
from osiwire.enrich.positions import country_of, is_title, side_country
from osiwire.model import Participant, PersonName

# Lemmas of the words that make a position an office of the state: its titles of office and the bodies they
# serve ("помощник Президента", "Председатель Правительства", "губернатор Тверской области").
STATE_TITLE_LEMMAS = frozenset(
    {"министр", "замминистра", "губернатор", "врио", "полпред", "вице-премьер", "генпрокурор", "прокурор",
     "сенатор", "депутат", "мэр", "вице-губернатор"}
)  # fmt: skip
STATE_BODY_LEMMAS = frozenset(
    {"правительство", "министерство", "администрация", "дума", "собрание", "область", "край", "округ",
     "кремль", "совбез", "полпредство"}
)  # fmt: skip
# "помощник Президента", "Секретарь Совета Безопасности": a head of state or a state council as the body,
# after another title (the head of state alone, "Президент", names no country here).
STATE_HEAD_BODY = re.compile(
    r"(?i)\S+\s+(?:\S+\s+){0,3}(?:Президента|Совета\s+Безопасности|Совета\s+Федерации|Государственного\s+Совета)"
)
# Companies and funds are no office of the state, whoever owns them.
COMPANY = re.compile(r"«|\"|(?<![А-ЯЁ])(?:ПАО|ОАО|АО|ООО|ЗАО|ГК|АНО|НКО)(?![А-ЯЁ])")
# Endings of Slavic surnames: a running-text name the source's own officials are written with.
SLAVIC_SURNAME = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ский|цкий|ской|ова|ева|ёва|ина|ына|ская|цкая|енко|ко|ук|юк|ич|ец)$"
)


def is_state_office(position: str) -> bool:
    """Is this position an office of the state it names no country of (a ministry, a region, the staff of the
    President), rather than a company's or an international body's post?"""
    if not position or COMPANY.search(position) or INTERNATIONAL.search(position):
        return False
    lemmas = {lemma(w.strip('«»()",')) for w in position.split()}
    return bool(lemmas & (STATE_TITLE_LEMMAS | STATE_BODY_LEMMAS)) or bool(STATE_HEAD_BODY.match(position))


def _slavic(name: PersonName) -> bool:
    if name.patronymic:
        return True
    first = name.first.lower()
    known = any("Name" in p.tag for p in analyser().parse(first)) if first else False
    return known and bool(SLAVIC_SURNAME.search(name.last.lower()))


def _foreign_lists(rows: Sequence[Participant], home: str) -> bool:
    """Do the text's list rows name a country other than ``home`` (in positions or side headers)?"""
    for row in rows:
        if row.source != "list":
            continue
        if (row.country and row.country != home) or side_country(row.group) not in {"", home}:
            return True
    return False


def with_home_country(rows: Sequence[Participant], home: str, lang: str) -> list[Participant]:
    """``rows`` with the source's country ``home`` given to its own officials whose rows name no country."""
    if not home:
        return list(rows)
    foreign = _foreign_lists(rows, home)
    out = []
    for row in rows:
        if not row.country and row.kind == "participant" and _home(row, foreign, lang):
            row = replace(row, country=home)
        out.append(row)
    return out


def _home(row: Participant, foreign_lists: bool, lang: str) -> bool:
    if row.source == "list":
        if foreign_lists or side_country(row.group) or INTERNATIONAL.search(row.position):
            return False
        # a country a post names is the row's ("Посол Республики Ангола"); one a description without a post
        # names is a place of the person's past ("участник боев на территории Белоруссии")
        titled = any(is_title(w) for w in row.position.split())
        return bool(row.name.patronymic) and not (titled and country_of(row.position))
    if lang.split("-")[0] == "en":
        return _russian_en(row.name) and is_state_office_en(row.position)
    return lang == "ru" and _slavic(row.name) and is_state_office(row.position)


# Russian given names as en.kremlin.ru and wires transliterate them: with a Slavic surname, a Russian official.
RUSSIAN_GIVEN_EN = frozenset(
    {"alexander", "alexei", "alexey", "anatoly", "andrei", "andrey", "anton", "arkady", "boris", "denis", "dmitry",
     "dmitri", "fyodor", "gennady", "georgy", "german", "grigory", "igor", "ivan", "kirill", "konstantin", "leonid",
     "maxim", "mikhail", "nikolai", "nikolay", "oleg", "pavel", "pyotr", "roman", "sergei", "sergey", "stanislav",
     "valentin", "valery", "vasily", "viktor", "vitaly", "vladimir", "vladislav", "vyacheslav", "yevgeny", "yury",
     "yuri", "anna", "elena", "yelena", "irina", "marina", "natalya", "olga", "svetlana", "tatyana", "valentina",
     "veronika", "maria", "galina", "lyudmila", "ella", "anastasia", "daria", "ekaterina", "yekaterina"}
)  # fmt: skip
SLAVIC_SURNAME_EN = re.compile(r"(?:ov|ev|yev|in|yn|sky|skiy|ko|uk|yuk|ova|eva|yeva|ina|aya|skaya|ich)$")
# English offices of the state ("Foreign Minister", "Presidential Aide", "Deputy Chief of Staff of the
# Presidential Executive Office", "Governor of ..."): a head of state named by "President" alone is none.
STATE_OFFICE_EN = re.compile(
    r"(?i)\bminister\b|\bministry\b|\bpresidential\b|\bexecutive\s+office\b|\baide\b|\bgovernor\b|"
    r"\bsecurity\s+council\b|\bgovernment\b|\bduma\b|\bfederation\s+council\b|\bprosecutor\b|\bplenipotentiary\b"
)
COMPANY_EN = re.compile(r"\b(?:Board|Company|Corporation|Bank|Group|PJSC|JSC|LLC|Inc|Ltd)\b|[«\"]")
INTERNATIONAL_EN = re.compile(
    r"\b(?:UN|United Nations|CSTO|CIS|EAEU|SCO|BRICS|IAEA|UNESCO|WHO|IMF|NATO|OSCE)\b"
)


def is_state_office_en(position: str) -> bool:
    """Is this English position an office of the state (not a company's post, not an international body's)?"""
    if not position or COMPANY_EN.search(position) or INTERNATIONAL_EN.search(position):
        return False
    return bool(STATE_OFFICE_EN.search(position))


def _russian_en(name: PersonName) -> bool:
    return name.first.lower() in RUSSIAN_GIVEN_EN and bool(SLAVIC_SURNAME_EN.search(name.last.lower()))


# Country-code domains of the region whose sites are national (".am", ".md" and ".tm" are sold worldwide).
COUNTRY_DOMAINS = {
    "ru": "RU", "xn--p1ai": "RU", "by": "BY", "kz": "KZ", "uz": "UZ", "kg": "KG", "tj": "TJ", "az": "AZ",
    "ge": "GE", "ua": "UA",
}  # fmt: skip
_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^/@]*@)?([^/:?#]+)", re.I)


def url_country(url: str) -> str:
    """The country of a release's site by its country-code domain ("http://kremlin.ru/..." -> RU), or ""."""
    host = _HOST.match(url)
    return COUNTRY_DOMAINS.get(host.group(1).rstrip(".").rsplit(".", 1)[-1].lower(), "") if host else ""
