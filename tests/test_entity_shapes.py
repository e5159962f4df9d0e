"""Shape rules over mentions (enrich/entity_shapes.py), on sentences written for these tests (not factRuEval's).

The mentions natasha might give are built here, so each phenomenon is checked whatever the model does.
"""

from __future__ import annotations

import pytest

from osiwire.enrich.entity_rules import EntityRules
from osiwire.enrich.lexicon import Lemmas
from osiwire.model import Mention


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
    ("text", "surface", "parts"),
    [
        ("Об этом сказал Пьер Дюран (Pierre Durand) журналистам.", "Пьер Дюран (Pierre Durand)",
         [("PER", "Пьер Дюран"), ("PER", "Pierre Durand")]),
        ("Сообщает Лига защиты прессы (ЛЗП) в среду.", "Лига защиты прессы (ЛЗП)",
         [("ORG", "Лига защиты прессы"), ("ORG", "ЛЗП")]),
        ("Голы забили Кузнецов, Морозов и другие.", "Кузнецов, Морозов",
         [("PER", "Кузнецов"), ("PER", "Морозов")]),
        ("Заявление сделала Мария Волкова (Петрова), вдова.", "Мария Волкова (Петрова)",
         [("PER", "Мария Волкова (Петрова)")]),  # a maiden name: one person
        ("Делегация ПАСЕ (в составе пяти человек) прибыла.", "ПАСЕ (", [("ORG", "ПАСЕ")]),
        ("Поддержали: • Перу • Чили • Непал • Лаос", "Перу • Чили • Непал",
         [("LOC", "Перу"), ("LOC", "Чили"), ("LOC", "Непал"), ("LOC", "Лаос")]),  # Лаос: from the country list
        ("Визы отменили Бутан, Лаос и другие.", "Бутан, Лаос", [("LOC", "Бутан"), ("LOC", "Лаос")]),
        ("Министерство по делам обороны, чрезвычайным ситуациям Лесотии.",
         "Министерство по делам обороны, чрезвычайным ситуациям", [
             ("ORG", "Министерство по делам обороны, чрезвычайным ситуациям")]),
    ],
)  # fmt: skip
def test_brackets_and_commas_part_names(
    rules: EntityRules, text: str, surface: str, parts: list[tuple[str, str]]
) -> None:
    type_ = parts[0][0]
    found = apply(rules, text, mention(text, surface, type_))
    assert [f for f in found if f[0] == type_] == parts


@pytest.mark.parametrize(
    ("text", "name", "abbreviation"),
    [
        ("Создана Ассоциация независимых фермеров Поволжья (АНФП). Позже АНФП провела съезд.",
         "Ассоциация независимых фермеров Поволжья", "АНФП"),
        ("Контракт получил Balkan Energy Group (BEG); сама BEG не ответила.", "Balkan Energy Group", "BEG"),
        ("Ремонт Запорожской тепловой электростанции (ЗТЭС) завершён. ЗТЭС снова работает.",
         "Запорожской тепловой электростанции", "ЗТЭС"),
    ],
)  # fmt: skip
def test_an_abbreviation_the_text_expands_is_the_body(
    rules: EntityRules, text: str, name: str, abbreviation: str
) -> None:
    found = apply(rules, text)  # natasha found nothing here
    assert ("ORG", name) in found
    assert found.count(("ORG", abbreviation)) == text.count(abbreviation)


def test_a_standalone_abbreviation_takes_its_expansions_type(rules: EntityRules) -> None:
    text = "Выступил Союз кинологов Урала (СКУ). Представитель СКУ ответил."
    found = apply(rules, text, mention(text, "Союз кинологов Урала", "ORG"), mention(text, "СКУ", "LOC", 1))
    assert found.count(("ORG", "СКУ")) == 2


@pytest.mark.parametrize(
    "text",
    [
        "Об этом сообщили в ТАСС (ИТАР) вчера.",  # initials do not fit: no expansion
        "Выборы (ЦИК) прошли спокойно.",  # no capitalised name before the brackets
    ],
)
def test_brackets_that_expand_nothing_add_nothing(rules: EntityRules, text: str) -> None:
    assert [f for f in apply(rules, text) if f[1] in ("ИТАР", "ЦИК")] == []


@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        ("Лидеры движения «Зелёный фронт» вышли на площадь.", "движения", "Зелёный фронт"),
        ("Акции компании Nordwind выросли.", "компании", "Nordwind"),
        ("Корпорация Siemens объявила о сокращениях.", "Корпорация", "Siemens"),
    ],
)
def test_a_kind_noun_before_a_name_is_not_a_second_body(
    rules: EntityRules, text: str, kind: str, name: str
) -> None:
    found = apply(rules, text, mention(text, kind, "ORG"), mention(text, name, "ORG"))
    assert found == [("ORG", name)]


def test_a_kind_noun_alone_stays(rules: EntityRules) -> None:
    text = "Заседание правительства прошло в среду."
    assert apply(rules, text, mention(text, "правительства", "ORG")) == [("ORG", "правительства")]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Корабль «Союз-Вега» стартовал. Позже «Союз-Вега» пристыковался.", "Союз-Вега"),
        ("Фильм «Северный ветер» вышел в прокат.", "Северный ветер"),
        ("Ледокол «Арктика-5» вышел из порта.", "Арктика-5"),
    ],
)
def test_a_quoted_name_of_a_thing_is_no_organisation(rules: EntityRules, text: str, name: str) -> None:
    mentions = [mention(text, name, "ORG", n) for n in range(text.count(name))]
    assert [f for f in apply(rules, text, *mentions) if f[0] == "ORG"] == []


def test_the_owner_of_a_thing_stays_an_organisation(rules: EntityRules) -> None:
    text = "Учения ОДКБ прошли в Таджикистане; самолёт «Аэрофлота» сел."
    found = apply(rules, text, mention(text, "ОДКБ", "ORG"), mention(text, "Аэрофлота", "ORG"))
    assert ("ORG", "ОДКБ") in found and ("ORG", "Аэрофлота") in found


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Самолёт сел в Пулковском аэропорту вечером.", "Пулковском аэропорту"),
        ("Концерт прошёл во Дворце спорта «Юбилейный».", "Дворце спорта"),
        ("Поезд прибыл на Казанский вокзал.", "Казанский вокзал"),
    ],
)
def test_a_facility_is_a_place(rules: EntityRules, text: str, surface: str) -> None:
    assert ("LOC", surface) in apply(rules, text, mention(text, surface, "ORG"))


@pytest.mark.parametrize(
    ("text", "body", "place"),
    [
        ("Вчера власти Непала ввели режим ЧП.", "власти", "Непала"),
        ("Руководство Эстонии ответило.", None, "Эстонии"),  # capitalised at a sentence start: left alone
        ("Об этом сообщили правоохранительные органы Перу.", "правоохранительные органы", "Перу"),
        ("Её поддержала шахматная федерация Армении.", "шахматная федерация", "Армении"),
    ],
)
def test_authorities_before_a_place_are_a_body(
    rules: EntityRules, text: str, body: str | None, place: str
) -> None:
    found = apply(rules, text, mention(text, place, "LOC"))
    assert ("LOC", place) in found
    assert [f for f in found if f[0] == "ORG"] == ([("ORG", body)] if body else [])


@pytest.mark.parametrize(
    "text",
    [
        "Мы видели органы Перу на выставке.",  # "органы" alone: parts of a body, or of a body's organs
        "Туристы из Непала приехали.",  # no authority noun
        "Путь в Непал открыт.",  # the place is not in the genitive
    ],
)
def test_no_authority_without_its_noun(rules: EntityRules, text: str) -> None:
    place = next(w for w in ("Перу", "Непала", "Непал") if w in text)
    assert [f for f in apply(rules, text, mention(text, place, "LOC")) if f[0] == "ORG"] == []


def test_a_quoted_name_holding_a_place_is_a_body(rules: EntityRules) -> None:
    text = "В эфире радиостанции «Эхо Тбилиси» выступил министр."
    assert apply(rules, text, mention(text, "Тбилиси", "LOC")) == [("ORG", "Эхо Тбилиси")]


def test_a_country_read_as_a_person_is_a_place(rules: EntityRules) -> None:
    text = "Вчера Бразилия объявила траур."
    assert apply(rules, text, mention(text, "Бразилия", "PER")) == [("LOC", "Бразилия")]


def test_a_span_a_things_noun_heads_is_no_organisation(rules: EntityRules) -> None:
    text = "Снимки прислал космический телескоп Кеплер-2."
    assert apply(rules, text, mention(text, "космический телескоп Кеплер-2", "ORG")) == []


@pytest.mark.parametrize(
    ("text", "surface", "type_"),
    [
        ("Гонщики команды «Бенеттон» сошли.", "Бенеттон", "PER"),
        ("Депутаты партии «Вологда» голосовали против.", "Вологда", "LOC"),
    ],
)
def test_a_quoted_name_after_a_kind_noun_is_a_body(
    rules: EntityRules, text: str, surface: str, type_: str
) -> None:
    assert apply(rules, text, mention(text, surface, type_)) == [("ORG", surface)]


def test_a_deputy_heads_title_is_no_organisation(rules: EntityRules) -> None:
    text = "Замглавы Минфина Олег Семёнов выступил."
    found = apply(rules, text, mention(text, "Замглавы Минфина", "ORG"))
    assert [f for f in found if f[0] == "ORG"] == [("ORG", "Минфина")]


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Открытие мемориала «Героям Севастополя» прошло утром.", "Севастополя"),  # a dedication
        ("По линии госпрограммы «Развитие Чукотки» выделены средства.", "Чукотки"),  # a plan
    ],
)
def test_a_quoted_dedication_or_plan_is_no_body(rules: EntityRules, text: str, surface: str) -> None:
    assert [f for f in apply(rules, text, mention(text, surface, "LOC")) if f[0] == "ORG"] == []


def test_a_facility_word_after_a_kind_noun_is_a_body(rules: EntityRules) -> None:
    text = "Директор издательства «Вокзал» выступил."
    assert apply(rules, text, mention(text, "Вокзал", "ORG")) == [("ORG", "Вокзал")]
