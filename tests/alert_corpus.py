"""A small store of real-looking releases with enrichments and a translation, for the alert tests."""

from __future__ import annotations

from datetime import timedelta

from factories import NOW, make_article, make_source
from osiwire.enrich.names import parse_name
from osiwire.model import Enrichment, Participant, PersonName, SentencePair, TopicMatch, Translation
from osiwire.store import Store


def person(text: str) -> PersonName:
    name = parse_name(text)
    assert name is not None, text
    return name


BELOUSOV = person("Андрей Рэмович Белоусов")
KHRENIN = person("Виктор Геннадьевич Хренин")
VASILEVICH = person("Александр Григорьевич Лукашенко")
KOSTIN = person("Андрей Леонидович Костин")
PATRUSHEV_SON = person("Дмитрий Николаевич Патрушев")
VAINO = person("Антон Эдуардович Вайно")
KZ_MINISTER = person("Руслан Жаксылыкович Жаксылыков")

RU_DEFENCE = "Министр обороны Российской Федерации"
BY_DEFENCE = "Министр обороны Республики Беларусь"
MILITARY = TopicMatch(
    "military-cooperation", "Military cooperation and exercises", ("учения", "военное сотрудничество")
)
ENERGY = TopicMatch("energy", "Energy", ("газ",))


def _list(name: PersonName, position: str, country: str, source: str = "list") -> Participant:
    return Participant(name, position, "", country, "", source)


def build(store: Store) -> dict[str, int]:
    """Store the releases; their ids by nickname."""
    kremlin = store.sources.add(make_source("Kremlin"))
    minsk = store.sources.add(
        make_source("President of Belarus", region="Belarus", country="BY", url="https://example.org/by/feed")
    )
    releases = {
        # The example: a defence minister of RU appears with someone from BY.
        "joint": (kremlin, "Совещание министров обороны России и Белоруссии",
                  ["Министры обороны обсудили совместные учения и военное сотрудничество."],
                  Enrichment(people=(BELOUSOV, KHRENIN),
                             participants=(_list(BELOUSOV, RU_DEFENCE, "RU"), _list(KHRENIN, BY_DEFENCE, "BY")),
                             topics=(MILITARY,), countries=("RU", "BY"))),
        "kazakh": (kremlin, "Встреча с министром обороны Казахстана",
                   ["Белоусов встретился с казахстанским коллегой."],
                   Enrichment(people=(BELOUSOV, KZ_MINISTER),
                              participants=(_list(BELOUSOV, RU_DEFENCE, "RU"),
                                            _list(KZ_MINISTER, "Министр обороны Республики Казахстан", "KZ")),
                              topics=(MILITARY,), countries=("RU", "KZ"))),
        "minsk": (minsk, "Хренин провёл коллегию министерства обороны",
                  ["Министр обороны провёл коллегию, обсуждались учения."],
                  Enrichment(people=(KHRENIN,), participants=(_list(KHRENIN, BY_DEFENCE, "BY"),),
                             topics=(MILITARY,), countries=("BY",))),
        # An apposition in running text: the minister has no country of his own; the source's is taken.
        "apposition": (kremlin, "Встреча с Президентом Белоруссии",
                       ["В переговорах участвовал Министр обороны Андрей Белоусов."],
                       Enrichment(people=(BELOUSOV, VASILEVICH),
                                  participants=(_list(BELOUSOV, "Министр обороны", "", "apposition"),
                                                _list(VASILEVICH, "Президент Республики Беларусь", "BY")),
                                  countries=("RU", "BY"))),
        "administration": (kremlin, "Совещание в Администрации Президента",
                           ["Руководитель Администрации провёл совещание о поставках газа."],
                           Enrichment(people=(VAINO, PATRUSHEV_SON, KHRENIN),
                                      participants=(_list(VAINO, "Руководитель Администрации Президента", "RU"),
                                                    _list(KHRENIN, "гость", "BY")),
                                      topics=(ENERGY,), countries=("RU",))),
        "bank": (kremlin, "Встреча с президентом банка ВТБ",
                 ["Костин доложил о работе банка."],
                 Enrichment(people=(KOSTIN,), participants=(_list(KOSTIN, "президент – председатель правления ВТБ", "RU"),))),
    }  # fmt: skip
    ids: dict[str, int] = {}
    for day, (nick, (source, title, paragraphs, enrichment)) in enumerate(releases.items()):
        saved = store.releases.save(
            make_article(
                f"https://example.org/{nick}", title, paragraphs, source_id=source.id,
                published=NOW + timedelta(days=day),
            )
        )  # fmt: skip
        store.enrichments.save(saved.release_id, saved.version_no, enrichment, NOW)
        ids[nick] = saved.release_id
    store.translations.save(ids["joint"], 1, _joint_translation(), NOW)
    return ids


def _joint_translation() -> Translation:
    def pair(segment: int, source: str, target: str) -> SentencePair:
        return SentencePair(segment, 0, source, target, "ru", "ctranslate2", "opus-mt-ru-en")

    return Translation(
        "en",
        (
            pair(0, "Совещание министров обороны России и Белоруссии",
                 "Meeting of the defence ministers of Russia and Belarus"),
            pair(1, "Министры обороны обсудили совместные учения и военное сотрудничество.",
                 "The defence ministers discussed joint exercises and military cooperation."),
        ),
        "complete",
    )  # fmt: skip
