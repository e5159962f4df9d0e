"""People recovered with pymorphy3's name tags (enrich/people_rules.py), on sentences written for these tests."""

from __future__ import annotations

import pytest

from osiwire.enrich.entity_shapes import Morphology
from osiwire.enrich.lexicon import Lemmas
from osiwire.enrich.people_rules import recover_people
from osiwire.model import Mention


@pytest.fixture(scope="module")
def lemmas() -> Morphology:
    return Morphology(Lemmas())


def mention(text: str, surface: str, type_: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(0, start, start + len(surface), type_, surface, surface)


def people(lemmas: Morphology, text: str, *mentions: Mention) -> list[tuple[str, str]]:
    found = recover_people(0, text, list(mentions), lemmas, lambda surface, _type: surface)
    for m in found:
        assert text[m.start : m.end] == m.text
    return sorted((m.type, m.text) for m in found)


@pytest.mark.parametrize(
    ("text", "surface", "type_"),
    [
        ("Поддержку оказали Кирсану Илюмжинову в Элисте.", "Кирсану Илюмжинову", "LOC"),
        ("Архиепископ Тихон Задонский прибыл.", "Тихон Задонский", "ORG"),
        ("Многое сказали о Свиридове и его команде.", "Свиридове", "LOC"),
    ],
)
def test_a_name_read_as_a_place_or_body_is_a_person(
    lemmas: Morphology, text: str, surface: str, type_: str
) -> None:
    assert people(lemmas, text, mention(text, surface, type_)) == [("PER", surface)]


@pytest.mark.parametrize(
    ("text", "surface", "type_"),
    [
        ("Самолёт сел в китайском городе Дацин вечером.", "Дацин", "LOC"),  # after "город": a place
        ("Три новых школы открыли в Свиридове и Лесном.", "Свиридове", "LOC"),  # "в": a place
        ("Делегация прибыла в Москву вчера.", "Москву", "LOC"),
        ("Вера Россия поддержала.", "Вера Россия", "ORG"),  # "Россия" is a place, not a surname
    ],
)
def test_places_stay_places(lemmas: Morphology, text: str, surface: str, type_: str) -> None:
    assert people(lemmas, text, mention(text, surface, type_)) == [(type_, surface)]


def test_a_first_name_and_a_capitalised_word_are_a_person(lemmas: Morphology) -> None:
    text = "Слово взял Олег Шпатюк, адвокат истца."
    assert people(lemmas, text) == [("PER", "Олег Шпатюк")]


@pytest.mark.parametrize(
    "text",
    [
        "Слово взял Олег Москва.",  # a place after a first name: no person
        "Роман Толстого вышел.",  # "Роман" is a novel here, not a first name (a low name score)
        "В понедельник Совет Федерации собрался.",
        "Лица Трамп Дональд Статус материала Опубликован",  # page furniture after a first name
        "Уважаемый Сергей Кужугетович, начнём.",  # first name and patronymic: an address
        "Слово взял Олег Четверг.",  # a common noun after a first name: too unsure to call a person
    ],
)
def test_no_person_without_a_name(lemmas: Morphology, text: str) -> None:
    assert [p for p in people(lemmas, text) if p[0] == "PER"] == []


def test_a_surname_again_is_the_same_person(lemmas: Morphology) -> None:
    text = "Гроссмейстер Веселин Пеев выиграл. Пеева поздравили, а Пеев ответил. Пеевка — деревня."
    found = people(lemmas, text, mention(text, "Веселин Пеев", "PER"), mention(text, "Пеев", "LOC", 2))
    assert found == [("PER", "Веселин Пеев"), ("PER", "Пеев"), ("PER", "Пеева")]


def test_a_common_noun_is_not_taken_for_a_surname(lemmas: Morphology) -> None:
    text = "Выступил Иван Адвокат. Адвокат ведёт дело."
    found = people(lemmas, text, mention(text, "Иван Адвокат", "PER"))
    assert found == [("PER", "Иван Адвокат")]
