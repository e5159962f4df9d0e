"""The rules over natasha's mentions (enrich/entity_rules.py), on sentences written for these tests.

The rules are checked with the mentions natasha might give (built here), so each phenomenon is tested
whatever the model does on the sentence; test_ner_quality.py measures the whole on factRuEval.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from factories import NOW, make_article
from osiwire.enrich.entity_rules import EntityRules
from osiwire.enrich.lexicon import Lemmas
from osiwire.model import Enrichment, Mention
from osiwire.store import Store


@pytest.fixture(scope="module")
def rules() -> EntityRules:
    return EntityRules(Lemmas())


def mention(text: str, surface: str, type_: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(0, start, start + len(surface), type_, surface, surface)


def apply(rules: EntityRules, text: str, *mentions: Mention) -> list[tuple[str, str]]:
    found = rules.apply(0, text, list(mentions), lambda surface, _type: surface)
    for m in found:
        assert text[m.start : m.end] == m.text
    return [(m.type, m.text) for m in found]


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Санкции ЕС против Ирана продлены.", "ЕС"),
        ("Глава МИД заявил о позиции Евросоюза по Сирии.", "Евросоюза"),
        ("Делегация Европейского союза прибыла в Минск.", "Европейского союза"),
        ("Учения ОДКБ прошли в Таджикистане.", "ОДКБ"),
        ("Саммит ШОС пройдёт в Астане.", "ШОС"),
    ],
)
def test_blocs_read_as_places_are_organisations(rules: EntityRules, text: str, surface: str) -> None:
    assert ("ORG", surface) in apply(rules, text, mention(text, surface, "LOC"))


def test_a_bloc_natasha_missed_is_added(rules: EntityRules) -> None:
    text = "Страны НАТО и ОБСЕ обсудили кризис."
    assert apply(rules, text) == [("ORG", "НАТО"), ("ORG", "ОБСЕ")]


@pytest.mark.parametrize(
    ("text", "tagged", "kept"),
    [
        (
            "Председатель Правительства Михаил Мишустин провёл совещание.",
            "Председатель Правительства",
            "Правительства",
        ),
        ("Министр обороны Сергей Шойгу доложил.", "Министр обороны", None),
        ("Заместитель министра иностранных дел Рябков.", "Заместитель министра иностранных дел", None),
        ("Генеральный директор Роскосмоса Баканов.", "Генеральный директор Роскосмоса", "Роскосмоса"),
        ("Секретарь Совета Безопасности Шойгу.", "Секретарь Совета Безопасности", "Совета Безопасности"),
    ],
)
def test_a_title_is_never_an_organisation(
    rules: EntityRules, text: str, tagged: str, kept: str | None
) -> None:
    found = apply(rules, text, mention(text, tagged, "ORG"))
    assert ("ORG", tagged) not in found
    assert [s for t, s in found if t == "ORG"] == ([kept] if kept else [])


def test_an_organisation_name_without_a_title_is_untouched(rules: EntityRules) -> None:
    text = "Совет Федерации одобрил закон."
    assert apply(rules, text, mention(text, "Совет Федерации", "ORG")) == [("ORG", "Совет Федерации")]


def test_a_place_inside_an_organisation_name_is_not_a_place(rules: EntityRules) -> None:
    text = "Министерство Российской Федерации по делам гражданской обороны сообщило."
    org = mention(text, "Министерство Российской Федерации по делам гражданской обороны", "ORG")
    assert apply(rules, text, org, mention(text, "Российской Федерации", "LOC")) == [("ORG", org.text)]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Он стал чемпионом Европы по шахматам.", "Европы"),
        ("Ситуация в Центральной Азии обсуждалась.", "Центральной Азии"),
        ("Поставки в Латинскую Америку выросли.", "Латинскую Америку"),
        ("Визит в Киргизию намечен на май.", "Киргизию"),
        ("Переговоры с Республикой Беларусь продолжились.", "Республикой Беларусь"),
    ],
)
def test_places_natasha_missed_are_added(rules: EntityRules, text: str, place: str) -> None:
    assert ("LOC", place) in apply(rules, text)


@pytest.mark.parametrize(
    "text",
    [
        "Того же мнения придерживается эксперт.",  # a country that is also a common word, opening a sentence
        "европа в нижнем регистре не название.",
        "Телеканал Россия-2 показал матч.",  # part of a longer name
        "Российский и белорусский министры встретились.",  # adjectives
    ],
)
def test_no_place_where_there_is_none(rules: EntityRules, text: str) -> None:
    assert [s for t, s in apply(rules, text) if t == "LOC"] == []


def test_a_place_natasha_found_is_not_added_twice(rules: EntityRules) -> None:
    text = "Встреча прошла в России."
    assert apply(rules, text, mention(text, "России", "LOC")) == [("LOC", "России")]


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("На заседании правительства обсудили бюджет.", "правительства"),
        ("Как сообщила пресс-служба, визит перенесён.", "пресс-служба"),
        ("Ведомство опровергло сообщения.", "Ведомство"),
        ("Игроки сборной вернулись домой.", "сборной"),
    ],
)
def test_a_body_named_by_a_noun_alone(rules: EntityRules, text: str, body: str) -> None:
    assert ("ORG", body) in apply(rules, text)


@pytest.mark.parametrize(
    "text",
    [
        "Партия товаров прибыла в порт.",  # "партия" is left out: a batch of goods as often as a party
        "Министерствам и ведомствам поручено представить отчёты.",  # plural: no one body
        "Правительственные здания закрыты.",  # an adjective
    ],
)
def test_no_body_where_there_is_none(rules: EntityRules, text: str) -> None:
    assert apply(rules, text) == []


def test_a_descriptor_inside_a_found_name_is_not_added(rules: EntityRules) -> None:
    text = "Правительство Москвы утвердило план."
    assert apply(rules, text, mention(text, "Правительство Москвы", "ORG")) == [
        ("ORG", "Правительство Москвы")
    ]


def test_a_body_named_by_a_noun_is_not_stored_as_an_organisation(tmp_path: Path) -> None:
    text = "Заседание правительства ОДКБ"
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        store.releases.save(make_article("https://a/1", "Заседание", [text]))
        mentions = (
            Mention(1, 10, 23, "ORG", "правительства", "правительство"),
            Mention(1, 24, 28, "ORG", "ОДКБ", "ОДКБ"),
            Mention(1, 0, 9, "ORG", "пресс-службы", "пресс-служба"),
            Mention(1, 0, 9, "ORG", "совет безопасности", "совет безопасности"),  # a name, in lower case
        )
        store.enrichments.save(1, 1, Enrichment(mentions=mentions), NOW)
        got = store.enrichments.get(1)
        assert got is not None
        assert [m.normal for m in got.mentions] == ["совет безопасности", "ОДКБ"]


@pytest.mark.parametrize(
    ("run", "names"),
    [
        # a page's tooltip repeats the name shown, surname first
        ("Сергей Шойгу Шойгу Сергей Кужугетович", ["Сергей Шойгу", "Шойгу Сергей Кужугетович"]),
        ("Э.Рахмон Рахмон Эмомали Шарипович", ["Э.Рахмон", "Рахмон Эмомали Шарипович"]),
        ("Мишустина Мишустин Михаил Владимирович", ["Мишустина", "Мишустин Михаил Владимирович"]),
        ("Аль Тани Аль Тани Тамим бен Хамад", ["Аль Тани", "Аль Тани Тамим бен Хамад"]),
        # a list of people run together
        ("Иванов Иван Иванович Петрова Анна Сергеевна", ["Иванов Иван Иванович", "Петрова Анна Сергеевна"]),
        ("Касым-Жомарт Токаев К.Токаев", ["Касым-Жомарт Токаев", "К.Токаев"]),
        # the page's furniture and a title glued to a name
        ("Лица Баканов Дмитрий Владимирович Статус", ["Баканов Дмитрий Владимирович"]),
        ("Президент Садыр Жапаров", ["Садыр Жапаров"]),
        # one name stays one name
        ("Дмитрий Анатольевич Медведев", ["Дмитрий Анатольевич Медведев"]),
        ("Жан-Мари Ле Пен", ["Жан-Мари Ле Пен"]),
        ("Мухаммед бен Заид Аль Нахайян", ["Мухаммед бен Заид Аль Нахайян"]),
        ("Ли Со Ён", ["Ли Со Ён"]),
    ],
)
def test_names_run_together_are_people_apart(rules: EntityRules, run: str, names: list[str]) -> None:
    text = f"В заседании участвовали {run}, министры."
    assert apply(rules, text, mention(text, run, "PER")) == [("PER", n) for n in names]


@pytest.mark.parametrize(
    ("heading", "kept"),
    [
        ("ПРЕАМБУЛА", False),
        ("ЗАЯВЛЕНИЕ", False),
        ("ОДКБ", True),
        ("МИД", True),
        ("РОССИЯ", True),
        ("ГАЗПРОМ", True),
    ],
)
def test_a_common_word_in_capitals_is_no_name(rules: EntityRules, heading: str, kept: bool) -> None:
    text = f"{heading}\nТекст документа."
    found = apply(rules, text, mention(text, heading, "ORG"))
    assert bool([s for _, s in found if s == heading]) == kept
