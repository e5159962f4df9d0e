"""Countries: names, inflections, adjectives, abbreviations and ambiguity → ISO 3166-1 alpha-2."""

from __future__ import annotations

import functools
import json
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from osiwire.enrich.countries import CountryFinder, find_countries
from osiwire.errors import ConfigError


@functools.cache
def finder() -> CountryFinder:
    return CountryFinder()


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Переговоры с Президентом Белоруссии и белорусской делегацией", ["BY"]),
        ("Президент Республики Беларусь прибыл в Беларусь", ["BY"]),
        ("Belarusian officials met Kazakhstan's delegation", ["BY", "KZ"]),
        ("в Кыргызстане, Киргизии, Молдове и Молдавии", ["KG", "MD"]),
        ("ЮАР, Южная Африка, южноафриканский", ["ZA"]),
        ("Визит в Объединённые Арабские Эмираты; ОАЭ", ["AE"]),
        ("the United States, the US and the USA, but not us", ["US"]),
        ("Соединённых Штатов Америки и американской стороны", ["US"]),
        ("Южной Кореи и КНДР", ["KR", "KP"]),
        ("Гвинея-Бисау и Гвинеи", ["GW", "GN"]),
        ("Папуа Новая Гвинея", ["PG"]),
        ("Кот-д'Ивуар", ["CI"]),
        ("U.S. policy on China", ["US", "CN"]),
        ("ТУРЦИЯ И РОССИЯ", ["TR", "RU"]),
        ("в Таджикистане и Таджикистану, таджикской стороне", ["TJ"]),
        ("South Africa and the United Arab Emirates", ["ZA", "AE"]),
        # ambiguity: common words, sentence starts, phrases that name no country
        ("Грузия и грузия", ["GE"]),
        ("грузия", []),
        ("Того же мнения придерживается посол Того.", ["TG"]),
        ("куба для воды", []),
        ("царь и ЦАР", ["CF"]),
        ("в Индийском океане у берегов Индии", ["IN"]),
        ("Китай-город", []),
        ("Латинская Америка", []),
        ("Atlanta, Georgia and Georgia", ["GE"]),
        ("New Mexico and Mexico", ["MX"]),
        ("roast turkey and Turkey", ["TR"]),
        ("", []),
    ],
)
def test_find_countries(text: str, codes: list[str]) -> None:
    assert finder().find(text, "ru") == codes


def test_most_mentioned_first() -> None:
    text = "Китай. Индия и индийская сторона. Индии. Китай."
    assert finder().find(text, "ru") == ["IN", "CN"]
    assert find_countries("Россия и Россия, Франция", "ru") == ["RU", "FR"]


def test_many_mentions_stay_linear() -> None:
    assert finder().find("Россия и Китай-город. " * 20_000, "ru") == ["RU"]  # 60,000 hits, one pass


def _russian_nouns() -> list[tuple[str, str]]:
    data = tomllib.loads(
        resources.files("osiwire").joinpath("data").joinpath("countries.toml").read_text("utf-8")
    )
    return [
        (c["code"], name)
        for c in data["country"]
        for name in c["ru"]
        if name[:1].isupper() and " " not in name
    ]


def test_every_russian_name_is_found_in_oblique_cases() -> None:
    analyser = finder().lemmas.analyser
    missed = []
    for code, name in _russian_nouns():
        parses = [p for p in analyser.parse(name.lower()) if "Geox" in p.tag or "Abbr" in p.tag]
        forms = {name}
        if parses and "Fixd" not in parses[0].tag:
            for case in ("gent", "datv", "ablt", "loct"):
                form = parses[0].inflect({case})
                if form:
                    forms.add(form.word.capitalize())
        for form in forms:
            if code not in finder().find(f"Переговоры: {form} и партнёры", "ru"):
                missed.append((code, form))
    assert not missed


def test_kremlin_talks_name_their_countries(shared_data: Path) -> None:
    path = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    by_title = {r["title"]: r for r in records}
    belarus = by_title["Совместная пресс-конференция с Президентом Белоруссии Александром Лукашенко"]
    assert set(finder().find(belarus["text"], "ru")[:2]) == {"BY", "RU"}
    tajik = finder().find(by_title["Российско-таджикистанские переговоры"]["text"], "ru")
    assert set(tajik[:2]) == {"TJ", "RU"}
    navruz = next(
        r for t, r in by_title.items() if t.startswith("Владимир Путин направил поздравления по случаю")
    )
    assert {"AZ", "KZ", "KG", "TJ", "TM", "UZ"} <= set(finder().find(navruz["text"], "ru"))


@pytest.mark.parametrize(
    "content",
    [
        '[[country]]\ncode = "XX1"\nru = ["Страна"]',
        '[[country]]\ncode = "RU"\nru = ["Россия"]\n[[country]]\ncode = "RU"\nru = ["РФ"]',
        '[[country]]\ncode = "RU"\nru = "Россия"',
        '[[country]]\ncode = "RU"\nru = ["Россия"]\n[rules]\ncapitalised = ["Того"]',
        '[[country]]\ncode = "RU"\nru = ["Россия"]\n[rules]\nunknown = []',
        "this is not toml = [",
    ],
)
def test_bad_country_files_are_config_errors(tmp_path: Path, content: str) -> None:
    path = tmp_path / "countries.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError):
        CountryFinder(path)


def test_custom_country_file(tmp_path: Path) -> None:
    path = tmp_path / "countries.toml"
    path.write_text('[[country]]\ncode = "XK"\nru = ["Косово"]\nen = ["Kosovo"]\n', encoding="utf-8")
    assert CountryFinder(path, finder().lemmas).find("Косово and Kosovo", "en") == ["XK"]
