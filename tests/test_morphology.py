"""Morphology helpers: pymorphy3's analyser shared by the enrich stage, its parses remembered per word."""

from __future__ import annotations

import pymorphy3
import pytest

from osiwire.enrich import morphology
from osiwire.enrich.morphology import CachedAnalyser, analyser, nominative_position


@pytest.fixture(scope="module")
def morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="ru")


@pytest.mark.parametrize("word", ["путина", "федерации", "стали", "паслером", "", "x", "東京", "2025"])
def test_parses_are_pymorphy3s(morph: pymorphy3.MorphAnalyzer, word: str) -> None:
    cached = CachedAnalyser(morph)
    assert cached.parse(word) == morph.parse(word)
    assert cached.parse(word) == morph.parse(word)  # from the cache


def test_callers_get_their_own_list(morph: pymorphy3.MorphAnalyzer) -> None:
    cached = CachedAnalyser(morph)
    first = cached.parse("стали")
    first.clear()
    assert cached.parse("стали") == morph.parse("стали")


def test_cache_is_bounded(morph: pymorphy3.MorphAnalyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(morphology, "PARSE_CACHE_SIZE", 2)
    cached = CachedAnalyser(morph)
    for word in ["мир", "дом", "сад", "лес"]:
        assert cached.parse(word) == morph.parse(word)
    assert len(cached._parses) == 2


def test_the_rest_is_pymorphy3s() -> None:
    assert analyser().word_is_known("путин") and not analyser().word_is_known("щщщщ")
    assert analyser() is analyser()


@pytest.mark.parametrize(
    ("written", "nominative"),
    [
        ("Президентом Республики Беларусь", "Президент Республики Беларусь"),
        ("Генеральным секретарём ОДКБ", "Генеральный секретарь ОДКБ"),
        ("Министром обороны Российской Федерации", "Министр обороны Российской Федерации"),
        ("Верховным комиссаром ООН по правам человека", "Верховный комиссар ООН по правам человека"),
        ("Министрами иностранных дел", "Министры иностранных дел"),
        ("Первого заместителя Председателя Правительства", "Первый заместитель Председателя Правительства"),
        ("Чрезвычайным и Полномочным Послом России", "Чрезвычайный и Полномочный Посол России"),
        ("Премьер-министром Армении", "Премьер-министр Армении"),
        ("ПРЕЗИДЕНТОМ РОССИИ", "ПРЕЗИДЕНТ РОССИИ"),
        ("художественному руководителю театра", "художественный руководитель театра"),
        ("Учёным секретарём", "Учёный секретарь"),
        ("ученым секретарем", "ученый секретарь"),
        # a homonym adjective does not hijack the noun (главой: глава, not главый)
        ("главой Чувашской Республики", "глава Чувашской Республики"),
        # one person: "Главы" is the genitive singular, not the plural nominative
        ("Главы администрации", "Глава администрации"),
        # substantivised adjectives and participles head their phrase
        ("Уполномоченным по правам человека", "Уполномоченный по правам человека"),
        ("Уполномоченной по правам ребёнка", "Уполномоченная по правам ребёнка"),
        ("исполняющим обязанности губернатора", "исполняющий обязанности губернатора"),
        ("Командующим войсками округа", "Командующий войсками округа"),
        ("Генеральным  секретарём\nОДКБ", "Генеральный  секретарь\nОДКБ"),
        # an adjective after the head that agrees with it goes with it; one agreeing with a dependent stays
        ("Патриархом Московским и всея Руси", "Патриарх Московский и всея Руси"),
        ("Президентом Республики Сербской", "Президент Республики Сербской"),
        ("губернатора Красноярского края", "губернатор Красноярского края"),
        ("представителя Курчатовского института", "представитель Курчатовского института"),
    ],
)
def test_positions_go_to_the_nominative_up_to_their_head(written: str, nominative: str) -> None:
    assert nominative_position(written) == nominative
    assert nominative_position(nominative) == nominative  # idempotent


@pytest.mark.parametrize(
    "written",
    [
        "Генеральный секретарь ОДКБ",  # list rows are nominative already
        "Министры иностранных дел",
        "и.о. губернатора",  # no word morphology can read
        "врио губернатора",  # indeclinable
        "Паслером Совета",  # an unknown word: as written
        "Chairman of the Board",
        "",
        "  ",
    ],
)
def test_positions_morphology_cannot_read_stay_as_written(written: str) -> None:
    assert nominative_position(written) == written
