"""Site furniture learned per source (enrich/boilerplate.py): real kremlin.ru releases and made-up sites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osiwire.enrich.boilerplate import LEARN_RELEASES, MIN_RELEASES, SourceBoilerplate
from osiwire.model import Mention, Segment


def segments(text: str) -> list[Segment]:
    return [Segment(0, "body", text, "ru")]


def mention(text: str, surface: str, type_: str = "PER") -> Mention:
    start = text.index(surface)
    return Mention(0, start, start + len(surface), type_, surface, surface)


def made_up_site(n: int) -> list[str]:
    """Releases of a site whose every page ends with the same menu, each with its own news."""
    people = ["Иван Петров", "Анна Сидорова", "Олег Кузнецов", "Мария Волкова", "Пётр Орлов"]
    return [
        f"Новость номер {i}. Сегодня {people[i % 5]} открыл выставку в городе {i}. "
        "Главная Лента Архив Контакты Версия для печати"
        for i in range(n)
    ]


def test_nothing_is_furniture_before_enough_releases() -> None:
    learner = SourceBoilerplate()
    for text in made_up_site(MIN_RELEASES - 1):
        learner.observe("site", segments(text))
    assert learner.known("site") == frozenset()


def test_a_menu_every_page_ends_with_is_learned_and_cut_from_a_name() -> None:
    learner = SourceBoilerplate()
    for text in made_up_site(MIN_RELEASES + 5):
        learner.observe("site", segments(text))
    assert ("лента", "архив", "контакты") in learner.known("site")
    assert not any("петров" in gram for gram in learner.known("site"))  # one release's name is no furniture
    text = "Выступил Олег Кузнецов Главная Лента Архив Контакты Версия для печати"
    found = learner.strip("site", segments(text), [mention(text, "Олег Кузнецов Главная Лента"),
                                                   mention(text, "Архив", "ORG")])  # fmt: skip
    assert [(m.type, m.text) for m in found] == [("PER", "Олег Кузнецов")]
    assert learner.known("other site") == frozenset()
    assert learner.strip("other site", segments(text), [mention(text, "Архив", "ORG")])[0].text == "Архив"


@pytest.fixture(scope="module")
def kremlin_texts(shared_data: Path) -> list[str]:
    path = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    return [
        json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def test_kremlin_furniture_is_learned_and_its_names_are_not(kremlin_texts: list[str]) -> None:
    learner = SourceBoilerplate()
    for text in kremlin_texts:
        learner.observe("kremlin.ru", segments(text))
    known = learner.known("kremlin.ru")
    assert ("статус", "материала", "опубликован") in known
    assert not any("путин" in gram for gram in known)  # the president is in most releases: not furniture
    text = "Лица Баканов Дмитрий Владимирович Статус материала Опубликован в разделах: Новости"
    found = learner.strip(
        "kremlin.ru", segments(text), [mention(text, "Баканов Дмитрий Владимирович Статус")]
    )
    assert [m.text for m in found] == ["Баканов Дмитрий Владимирович"]


def test_a_settled_source_keeps_its_furniture_and_lets_its_counts_go() -> None:
    learner = SourceBoilerplate()
    for text in made_up_site(LEARN_RELEASES + 10):
        learner.observe("site", segments(text))
    assert ("лента", "архив", "контакты") in learner.known("site")
    assert not learner._sources["site"].counts
