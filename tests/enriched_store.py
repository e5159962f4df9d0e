"""A small enriched store shared by the facet, API and feed tests: three sources, six releases, known answers.

| release | source (region, country) | published | topics | people | organisations | countries mentioned |
| --- | --- | --- | --- | --- | --- | --- |
| council | Kremlin (Russian Federation, RU) | 2025-01-10 | border-security | Patrushev, Putin | Совет Безопасности Российской Федерации | RU, KZ |
| talks | Kremlin | 2025-02-03 09:00 | economy-trade | Putin, Tokayev | ОДКБ | KZ |
| astana | Akorda (Казахстан, KZ) | 2025-02-03 15:00 | border-security, economy-trade | Tokayev | совет безопасности российской федерации (another entity, other case) | RU |
| yerevan | MFA Armenia (Caucasus, AM), English | 2025-02-10 | — (not enriched) | | | |
| edited | Kremlin | 2025-01-20 | version 1 only: terrorism | Patrushev (version 1 only) | | BY (version 1 only) |
| hostile | Akorda | 2025-02-03 12:00 | hostile topic id | | hostile organisation | |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from factories import make_article, make_source
from osiwire.model import (
    Enrichment,
    Mention,
    Participant,
    PersonName,
    SentencePair,
    TopicMatch,
    Translation,
)
from osiwire.store import Store

PATRUSHEV = PersonName(
    "Николай", "Платонович", "Патрушев", "", "Nikolai Patrushev", ("Патрушев", "Patrushev", "Н.П. Патрушев")
)
PUTIN = PersonName("Владимир", "Владимирович", "Путин", "", "Vladimir Putin", ("Путин", "Putin"))
TOKAYEV = PersonName(
    "Касым-Жомарт", "Кемелевич", "Токаев", "", "Kassym-Jomart Tokayev", ("Токаев", "Tokayev")
)
COUNCIL = "Совет Безопасности Российской Федерации"
HOSTILE = "<script>alert(1)</script>"
NOW = datetime(2025, 3, 1, tzinfo=UTC)


def day(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    """Ids of what ``seed`` stored."""

    kremlin: int
    akorda: int
    armenia: int
    council: int
    talks: int
    astana: int
    yerevan: int
    edited: int
    hostile: int


def _org(text: str) -> Mention:
    return Mention(1, 0, len(text), "ORG", text, text)


def seed(store: Store) -> Seeded:
    """Store the corpus of the module docstring."""
    kremlin = store.sources.add(make_source("Kremlin", region="Russian Federation", country="RU"))
    akorda = store.sources.add(make_source("Akorda", region="Казахстан", country="KZ"))
    armenia = store.sources.add(make_source("MFA Armenia", region="Caucasus", country="AM", language="en"))
    assert kremlin.id and akorda.id and armenia.id
    save = store.releases.save
    council = save(
        make_article(
            "https://kremlin.ru/1",
            "Совещание Совета Безопасности",
            [f"Президент провёл совещание с членами {COUNCIL} в Москве."],
            source_id=kremlin.id,
            published=day(1, 10),
        )
    ).release_id
    talks = save(
        make_article(
            "https://kremlin.ru/2",
            "Переговоры с Президентом Казахстана",
            ["Переговоры прошли в Москве. Обсуждалось сотрудничество в рамках ОДКБ."],
            source_id=kremlin.id,
            published=day(2, 3, 9),
        )
    ).release_id
    astana = save(
        make_article(
            "https://akorda.kz/3",
            "Встреча в Астане",
            ["Глава государства провёл встречу по вопросам безопасности."],
            source_id=akorda.id,
            published=day(2, 3, 15),
        )
    ).release_id
    yerevan = save(
        make_article(
            "https://mfa.am/4",
            "Talks in Moscow",
            ["The minister held talks in Moscow."],
            language="en",
            source_id=armenia.id,
            published=day(2, 10),
        )
    ).release_id
    edited_v1 = make_article(
        "https://kremlin.ru/5", "Указ", ["Первая редакция указа."], source_id=kremlin.id, published=day(1, 20)
    )
    edited = save(edited_v1).release_id
    hostile = save(
        make_article(
            "https://akorda.kz/6",
            f"Москва {HOSTILE}",
            [f"Москва {HOSTILE} <img src=x onerror=alert(1)>"],
            source_id=akorda.id,
            published=day(2, 3, 12),
        )
    ).release_id
    enrich = store.enrichments.save
    enrich(
        council,
        1,
        Enrichment(
            mentions=(_org(COUNCIL),),
            people=(PATRUSHEV, PUTIN),
            participants=(
                Participant(PATRUSHEV, "Секретарь Совета Безопасности", COUNCIL, "RU", "", "list"),
                Participant(PUTIN, "Президент Российской Федерации", "", "RU", "", "list"),
            ),
            topics=(TopicMatch("border-security", "Border security", ("безопасность",)),),
            countries=("RU", "KZ"),
        ),
        NOW,
    )
    enrich(
        talks,
        1,
        Enrichment(
            mentions=(_org("ОДКБ"), _org("ОДКБ")),  # twice in one release: counted once
            people=(PUTIN, TOKAYEV),
            participants=(Participant(TOKAYEV, "Президент Республики Казахстан", "", "KZ", "", "list"),),
            topics=(TopicMatch("economy-trade", "Economy and trade", ("сотрудничество",)),),
            countries=("KZ",),
        ),
        NOW,
    )
    enrich(
        astana,
        1,
        Enrichment(
            mentions=(_org(COUNCIL.lower()),),
            people=(TOKAYEV,),
            topics=(
                TopicMatch("border-security", "Border security", ("безопасность",)),
                TopicMatch("economy-trade", "Economy and trade", ()),
            ),
            countries=("RU",),
        ),
        NOW,
    )
    enrich(
        edited,
        1,
        Enrichment(
            people=(PATRUSHEV,),
            topics=(TopicMatch("terrorism", "Terrorism", ("теракт",)),),
            countries=("BY",),
        ),
        NOW,
    )
    # A second version, not enriched yet: filters look at the current version only.
    second = make_article(
        edited_v1.url, "Указ", ["Вторая редакция указа."], source_id=kremlin.id, published=day(1, 20)
    )
    assert save(second).version_no == 2
    enrich(
        hostile,
        1,
        Enrichment(mentions=(_org(HOSTILE),), topics=(TopicMatch(HOSTILE, HOSTILE, (HOSTILE,)),)),
        NOW,
    )
    store.translations.save(
        talks,
        1,
        Translation(
            "en",
            (
                SentencePair(0, 0, "Переговоры с Президентом Казахстана", "Talks with the President of Kazakhstan",
                             "ru", "test", "m1"),
                SentencePair(1, 0, "Переговоры прошли в Москве.", "The talks took place in Moscow.", "ru", "test",
                             "m1"),
                SentencePair(1, 1, "Обсуждалось сотрудничество в рамках ОДКБ.",
                             "Cooperation within the CSTO was discussed.", "ru", "test", "m1"),
            ),
            "complete",
        ),
        NOW,
    )  # fmt: skip
    return Seeded(kremlin.id, akorda.id, armenia.id, council, talks, astana, yerevan, edited, hostile)
