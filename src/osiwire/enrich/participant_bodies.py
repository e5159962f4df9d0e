"""The organisation column of a participant: a body the position names, or nothing.

``positions.organisation_of`` reads the words after a position's title as its body; many are no organisation:
a place ("губернатор Московской области" -> a region), a country ("Посол Российской Федерации"), a head of state
("помощник Президента" -> "Президент Российской Федерации", a title), or a description ("участник обороны
Ленинграда" -> "оборона Ленинграда"). A body is kept only where its head noun is one of an organisation
(министерство, служба, фонд, ПАО «…») in the table below; a head of state as the body is mapped to the office
that serves it; a company named after a board ("председатель правления ПАО «Газпром»") is the company.
A wrong organisation shown in the participants table is worse than an empty cell.
"""

from __future__ import annotations

import re

from osiwire.enrich.morphology import lemma, part_of_speech

# Lemmas of the head nouns of organisations' names as Russian official lists write them.
ORGANISATION_HEADS = frozenset(
    {
        "министерство", "правительство", "администрация", "аппарат", "совет", "служба", "агентство", "комитет",
        "комиссия", "палата", "банк", "корпорация", "госкорпорация", "компания", "фонд", "академия",
        "университет", "институт", "центр", "управление", "организация", "движение", "союз", "партия",
        "ассоциация", "объединение", "суд", "прокуратура", "дума", "собрание", "учреждение", "департамент",
        "отдел", "штаб", "флот", "войско", "гвардия", "церковь", "патриархия", "епархия", "музей", "театр",
        "оркестр", "библиотека", "школа", "училище", "консерватория", "холдинг", "группа", "концерн", "завод",
        "комбинат", "инспекция", "казначейство", "посольство", "миссия", "представительство", "конгресс",
        "парламент", "сенат", "меджлис", "хурал", "курултай", "кабинет", "секретариат", "трибунал", "коллегия",
        "клуб", "общество", "лига", "издательство", "редакция", "телеканал", "телекомпания", "газета",
        "журнал", "предприятие", "ведомство", "дирекция", "биржа", "фабрика", "верфь", "альянс",
        "сообщество", "федерация", "синод", "муфтият", "орден", "бюро", "консорциум", "кооператив",
    }
)  # fmt: skip
# Legal forms that open a company's or an agency's name ("ПАО «Газпром»", "ФГБУ «…»").
LEGAL_FORM = re.compile(
    r"(?<![А-ЯЁ])(?:ПАО|ОАО|АО|ЗАО|НАО|ООО|АНО|НКО|ФГУП|ФГБУ|ФГБУН|ФГАОУ|ФГБОУ|ГБУ|ГБОУ|ГБУЗ|ГУП|МУП|ГК)"
    r"(?![А-ЯЁ])(?:\s+[А-ЯЁ]{2,})*\s+[«\"]"
)
# A body written as an abbreviation alone ("ОДКБ", "ООН", "ФСБ России").
ACRONYM = re.compile(r"^[А-ЯЁA-Z]{2,}(?:\s+(?:России|Российской\s+Федерации))?$")
# A head of state or government as a position's body ("помощник Президента Российской Федерации"): the office
# serving it is the organisation.
HEAD_OF_STATE_OFFICES = {
    "президент": "Администрация Президента",
    "премьер-министр": "Аппарат Правительства",
}
# Words of countries' official names: a body that is a country alone is none ("Российская Федерация").
_COUNTRY_ONLY = re.compile(
    r"^(?:[А-ЯЁ][а-яё-]+\s+)?(?:Федерация|Республика|Королевство|Государство|Княжество|Султанат|Эмират)"
    r"(?:\s+[А-ЯЁ][а-яё-]+)*$"
)


def _head(body: str) -> tuple[int, str]:
    """(index, lemma) of the body's head noun: its first word that is no adjective, participle or number."""
    for index, word in enumerate(body.split()):
        bare = word.strip('«»"()„“,')
        if not bare:
            continue
        if part_of_speech(bare) in {"ADJF", "PRTF", "NUMR", "ADJS"} or (bare[:1].isdigit()):
            continue
        return index, lemma(bare)
    return -1, ""


def as_body(body: str) -> str:
    """``body`` when it names an organisation; the office or company it stands for; else ""."""
    if not body:
        return ""
    index, head = _head(body)
    if index == 0 and head in HEAD_OF_STATE_OFFICES and len(body.split()) > 1:
        country = " ".join(
            body.split()[1:]
        )  # "Президент Российской Федерации" -> Администрация Президента РФ
        return f"{HEAD_OF_STATE_OFFICES[head]} {country}"
    if head in ORGANISATION_HEADS and not (head == "федерация" and _COUNTRY_ONLY.match(body)):
        return body
    if ACRONYM.match(body):  # "Генеральный секретарь ОДКБ": an international body by its abbreviation
        return body
    company = LEGAL_FORM.search(body)
    if company:  # "правление ПАО «Сбербанк»", "направление «…» АНО «Агентство …»": the company
        return body[company.start() :]
    return ""
