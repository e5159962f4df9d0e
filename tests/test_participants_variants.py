"""Participant lists in shapes the rules were not written on: made-up variants scored against hand-made rows.

tests/data/participants-variants.jsonl holds made-up texts (other countries, particles, header words, layouts
than the development pages), tests/data/participants-variants-gold.jsonl their rows, written by hand (see
tests/data/SOURCE.txt). Half A was written first, scored, and the rules were then fixed on it; half B was
written after those fixes and scored untouched (a held-out-like figure), then fixed on; half C likewise after
the half-B fixes, half D after the half-C fixes; half E was written last and left untouched. The untouched
figures are in the comments below. A row counts when its name's words
and its whole position match (case, ё and spacing folded), as the held-out lists are scored; the rows
counted are the participants (kind "participant") of each text, read as the pipeline reads a release of a
source whose country is the variant's ``source_country``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from natasha_mentions import mentions
from osiwire.enrich.participant_countries import is_state_office, url_country
from osiwire.enrich.participants import extract_participants
from osiwire.model import Mention, Participant

# Half A (12 texts, 55 rows), development figures: before the rules of this change P 0.863 R 0.800 F1 0.830,
# country 33/38; after P 0.982 R 0.982 F1 0.982, country 48/48; with the fixes made after half B (names left in
# the instrumental by the NER) P = R = 1.000, country 49/49. Pinned below.
HALF_A_PRECISION_FLOOR = 0.97
HALF_A_F1_FLOOR = 0.97
HALF_A_COUNTRY_FLOOR = 0.95
# Half B (12 texts, 49 rows), written after the half-A fixes and scored untouched (the held-out-like figure):
# with the rules before this change P 0.829 R 0.694 F1 0.756, country 27/31; with the half-A rules P 0.979
# R 0.939 F1 0.958, country 43/43. Its misses were then fixed (now development figures: P = R = 1.000, country
# 46/46): a name the NER left in the instrumental ("с Президентом ... Тхонглуном Сисулитом"), a country missing
# from the position table (Laos), English names of five words before a dash ("Faisal bin Farhan Al Saud –").
HALF_B_PRECISION_FLOOR = 0.97
HALF_B_F1_FLOOR = 0.97
# Half C (8 texts, 31 rows), written after the half-B fixes and scored untouched: with the rules before this
# change P 0.741 R 0.645 F1 0.690, country 12/17; with the half-B rules (commit 0749a89) P 0.903 R 0.903 F1 0.903,
# country 25/25. Its three misses were then fixed (development figures now: P = R = 1.000, country 28/28): a
# first given name after "Header: " taken for the header's ("Бахрейн: Хамад бен Иса АЛЬ ХАЛИФА"), a foreign
# given name the dictionary knows as a surname only ("ЛАКАЙО Лоуренс"), a foreign name whose guessed case
# disagreed with its only title ("с Президентом ... Жоау Лоуренсу").
HALF_C_PRECISION_FLOOR = 0.97
HALF_C_F1_FLOOR = 0.97
# Half D (7 kremlin.ru-style list pages, 36 rows), written after the half-C fixes and scored untouched: P 0.943
# R 0.917 F1 0.930, country 31/31 (the rules before this change: the same rows, country 29/31). Its misses, then
# fixed (development figures now: P = R = 1.000): the page's trailer glued to the last position ("...Российской
# ФедерацииСмотрите также ..."), a one-word name glued to the previous row ("...Республики ИндонезияСугионо –").
HALF_D_PRECISION_FLOOR = 0.97
HALF_D_F1_FLOOR = 0.97
# Half E (6 texts, 23 rows), written last and left untouched (no rule was changed after scoring it): P 0.957
# R 0.957 F1 0.957, country 22/22 (the rules before this change: the same rows, country 14/22). Its miss: a
# Malay name with a particle and an honorific before the surname on a line ("Мохамад бин Хаджи ХАСАН") read as
# "Хасан". Pinned just below; fixing it makes this half a development set like the others.
HALF_E_PRECISION_FLOOR = 0.95
HALF_E_F1_FLOOR = 0.95


def _fold(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").casefold().split())


def _name_words(name: str) -> frozenset[str]:
    return frozenset(_fold(name).replace("-", " ").split())


def _key(name: str, position: str) -> tuple[frozenset[str], str]:
    return _name_words(name), _fold(position)


def _found(variant: dict[str, Any]) -> list[Participant]:
    text, lang = variant["text"], variant["lang"]
    found = mentions(text) if lang == "ru" else []
    rows = extract_participants(text, lang, found, source_country=variant["source_country"])
    return [p for p in rows if p.kind == "participant"]


def variant_scores(test_data: Path, half: str) -> tuple[float, float, float, int, int]:
    """(P, R, F1, country right, country annotated) of the variants of ``half``."""
    variants = [
        json.loads(x)
        for x in (test_data / "participants-variants.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    gold: dict[str, list[dict[str, str]]] = defaultdict(list)
    for line in (test_data / "participants-variants-gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold[row["variant"]].append(row)
    assert set(gold) <= {v["id"] for v in variants}
    tp = system = expected = right = annotated = 0
    for variant in (v for v in variants if v["half"] == half):
        found = _found(variant)
        got = Counter(_key(p.name.display, p.position) for p in found)
        want = Counter(_key(r["name"], r["position"]) for r in gold[variant["id"]])
        tp += sum((got & want).values())
        system += sum(got.values())
        expected += sum(want.values())
        by_row = {_key(p.name.display, p.position): p for p in found}
        for row in gold[variant["id"]]:
            participant = by_row.get(_key(row["name"], row["position"]))
            if participant is not None and row["country"]:
                annotated += 1
                right += participant.country == row["country"]
    precision = tp / system if system else 0.0
    recall = tp / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, right, annotated


def test_half_a_the_rules_were_fixed_on(
    test_data: Path, record_property: Callable[[str, object], None]
) -> None:
    precision, recall, f1, right, annotated = variant_scores(test_data, "A")
    record_property(
        "quality",
        f"variants half A rows P={precision:.3f} R={recall:.3f} F1={f1:.3f}; country {right}/{annotated}",
    )
    assert precision >= HALF_A_PRECISION_FLOOR
    assert f1 >= HALF_A_F1_FLOOR
    assert annotated and right / annotated >= HALF_A_COUNTRY_FLOOR


def test_half_e_written_last_and_left_untouched(
    test_data: Path, record_property: Callable[[str, object], None]
) -> None:
    precision, recall, f1, right, annotated = variant_scores(test_data, "E")
    record_property(
        "quality",
        f"variants half E rows P={precision:.3f} R={recall:.3f} F1={f1:.3f}; country {right}/{annotated}",
    )
    assert precision >= HALF_E_PRECISION_FLOOR
    assert f1 >= HALF_E_F1_FLOOR


def test_half_d_written_after_the_half_c_fixes(
    test_data: Path, record_property: Callable[[str, object], None]
) -> None:
    precision, recall, f1, right, annotated = variant_scores(test_data, "D")
    record_property(
        "quality",
        f"variants half D rows P={precision:.3f} R={recall:.3f} F1={f1:.3f}; country {right}/{annotated}",
    )
    assert precision >= HALF_D_PRECISION_FLOOR
    assert f1 >= HALF_D_F1_FLOOR


def test_half_c_written_after_the_half_b_fixes(
    test_data: Path, record_property: Callable[[str, object], None]
) -> None:
    precision, recall, f1, right, annotated = variant_scores(test_data, "C")
    record_property(
        "quality",
        f"variants half C rows P={precision:.3f} R={recall:.3f} F1={f1:.3f}; country {right}/{annotated}",
    )
    assert precision >= HALF_C_PRECISION_FLOOR
    assert f1 >= HALF_C_F1_FLOOR


def test_half_b_written_after_the_fixes(
    test_data: Path, record_property: Callable[[str, object], None]
) -> None:
    precision, recall, f1, right, annotated = variant_scores(test_data, "B")
    record_property(
        "quality",
        f"variants half B rows P={precision:.3f} R={recall:.3f} F1={f1:.3f}; country {right}/{annotated}",
    )
    assert precision >= HALF_B_PRECISION_FLOOR
    assert f1 >= HALF_B_F1_FLOOR


# Five rows, each position its own: a list read one row off gives every row its neighbour's position.
FIVE = [
    ("ГРОМОВ", "Аркадий Ильич", "Министр транспорта Российской Федерации"),
    ("ВЕРНЕР", "Лидия Карловна", "губернатор Псковской области"),
    ("ДОС САНТОС", "Жоау", "Посол Республики Ангола в Российской Федерации"),
    ("ЮСУПОВ", "Тимур", "председатель правления ПАО «Камский завод „Прогресс“»"),
    ("ОКОНЕШНИКОВА", "Вера Петровна", "ректор Северо-Восточного федерального университета"),
]


def _five(layout: str) -> str:
    rows = [f"{last} {given} – {position}" for last, given, position in FIVE]
    if layout == "lines":
        return "Участники совещания:\n" + "\n".join(rows)
    if layout == "glued":
        return "Участники совещания: " + "".join(rows)
    if layout == "numbered":
        return "Участники совещания:\n" + "\n".join(f"{i}. {row};" for i, row in enumerate(rows, 1))
    if layout == "wrapped":  # each position broken over two lines after its title word
        return "Участники совещания:\n" + "\n".join(
            f"{last} {given} – {p.split(' ', 1)[0]}\n{p.split(' ', 1)[1]}" for last, given, p in FIVE
        )
    if layout == "given-first":  # foreign order: given names before the surname in capitals
        return "Участники встречи: " + " ".join(f"{given} {last} – {p}" for last, given, p in FIVE)
    return "Участники совещания: " + " ".join(rows)


@pytest.mark.parametrize("layout", ["lines", "glued", "spaces", "numbered", "wrapped", "given-first"])
def test_no_position_is_shifted_to_a_neighbour_in_a_list_of_five(layout: str) -> None:
    """Every row found has its own position or none: never the row before's or after's."""
    own = {_fold(f"{given} {last}"): _fold(position) for last, given, position in FIVE}
    found = {_fold(p.name.display): _fold(p.position) for p in extract_participants(_five(layout), "ru")}
    shifted = {name: got for name, got in found.items() if got and own.get(name) != got}
    assert not shifted
    assert sum(1 for name, got in found.items() if own.get(name) == got) == len(FIVE)


def test_rows_under_a_side_header_in_running_text_take_its_country() -> None:
    text = (
        "В переговорах приняли участие: с российской стороны – ОРЕШКИН Максим Станиславович – заместитель "
        "Руководителя Администрации Президента Российской Федерации; со стороны Туниса – БЕН САЛЕМ Мунир – "
        "Министр торговли. Переговоры продлились два часа."
    )
    rows = {_fold(p.name.display): p for p in extract_participants(text, "ru")}
    assert rows["максим станиславович орешкин"].country == "RU"
    assert rows["мунир бен салем"].position == "Министр торговли"
    assert rows["мунир бен салем"].country == "TN"


def test_a_position_goes_on_over_a_line_but_not_into_a_caption() -> None:
    text = (
        "Участники заседания:\nЛЕБЕДЕВА Инна Сергеевна – заместитель Министра сельского хозяйства\n"
        "Российской Федерации\nКОРНЕЕВ Павел Олегович – Министр природных ресурсов\nФото пресс-службы\n"
    )
    rows = {p.name.display: p.position for p in extract_participants(text, "ru")}
    assert rows["Инна Сергеевна Лебедева"] == "заместитель Министра сельского хозяйства Российской Федерации"
    assert rows["Павел Олегович Корнеев"] == "Министр природных ресурсов"


def test_headed_line_lists_of_names_written_first_name_first() -> None:
    text = (
        "Participants:\nMaria Zakharova – Director of the Information and Press Department\n"
        "Ubaidullo – Ambassador of the Republic of Tajikistan\n\nThe meeting ended at noon: see photos.\n"
        "Jane Roe – Prime Minister of Atlantis\n"
    )
    rows = {p.name.display: p for p in extract_participants(text, "en")}
    assert rows["Maria Zakharova"].position == "Director of the Information and Press Department"
    assert rows["Ubaidullo"].country == "TJ"
    assert "Jane Roe" not in rows  # after a line that is not a row, no header: no list


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://kremlin.ru/events/president/news/1", "RU"),
        ("https://www.akorda.kz/ru/x", "KZ"),
        ("https://president.gov.by/ru/events", "BY"),
        ("https://xn--80aealotwbjpid2k.xn--p1ai/news", "RU"),
        ("https://www.whitehouse.gov/briefing", ""),
        ("https://example.md/x", ""),
        ("not a url", ""),
    ],
)
def test_a_release_site_country_from_its_country_code_domain(url: str, code: str) -> None:
    assert url_country(url) == code


@pytest.mark.parametrize(
    ("position", "state"),
    [
        ("Министр иностранных дел", True),
        ("помощник Президента", True),
        ("губернатор Тверской области", True),
        ("Президент", False),
        ("генеральный директор ПАО «Камский завод»", False),
        ("Генеральный секретарь ОДКБ", False),
        ("писатель", False),
    ],
)
def test_offices_of_the_state(position: str, state: bool) -> None:
    assert is_state_office(position) is state


def test_the_source_country_goes_to_its_own_officials_only() -> None:
    text = (
        "Участники совещания:\nПЕТРОВА Анна Ильинична – губернатор Курской области\n"
        "СМИТ Джон – президент компании Atlantic Trade\nЛИ Вэй – генеральный директор ООО «Восток»\n"
    )
    rows = {p.name.display: p.country for p in extract_participants(text, "ru", source_country="RU")}
    assert rows["Анна Ильинична Петрова"] == "RU"
    assert rows["Джон Смит"] == "" and rows["Вэй Ли"] == ""  # no patronymic: not written as its own officials
    foreign = text + "ТОКАЕВ Касым-Жомарт Кемелевич – Президент Республики Казахстан\n"
    rows = {p.name.display: p.country for p in extract_participants(foreign, "ru", source_country="RU")}
    assert rows["Анна Ильинична Петрова"] == ""  # a list naming another country: its other rows are unsure
    assert rows["Касым-Жомарт Кемелевич Токаев"] == "KZ"


def test_english_offices_of_the_source_state_only_for_its_own_names() -> None:
    text = (
        "Taking part in the talks were Foreign Minister Sergei Lavrov, Foreign Minister Bakhtiyor Saidov and "
        "Gazprom Board Chairman Alexei Miller."
    )
    rows = {p.name.display: p.country for p in extract_participants(text, "en", source_country="RU")}
    assert rows["Sergei Lavrov"] == "RU"
    assert rows.get("Bakhtiyor Saidov", "") == ""  # a foreign name: no country rather than a wrong one
    assert rows.get("Alexei Miller", "") == ""  # a company's post is no office of the state


def test_a_list_description_naming_a_place_keeps_the_source_country() -> None:
    text = (
        "Участники встречи:\nВОЛКОВ Иван Петрович – участник обороны Ленинграда и боёв на территории Польши\n"
        "ЗИМИНА Анна Ильинична – участница Сталинградской битвы\n"
    )
    rows = {p.name.display: p.country for p in extract_participants(text, "ru", source_country="RU")}
    assert rows == {"Иван Петрович Волков": "RU", "Анна Ильинична Зимина": "RU"}


@pytest.mark.parametrize(
    ("sentence", "name", "position"),
    [
        (
            "Владимир Путин провёл переговоры с Президентом Республики Гана Джоном Драмани Махамой.",
            "джон драмани махама",
            "президент республики гана",
        ),
        (
            "Состоялась встреча с Премьер-министром Королевства Камбоджа Хун Манетом.",
            "хун манет",
            "премьер-министр королевства камбоджа",
        ),
    ],
)
def test_a_foreign_name_left_in_the_instrumental_is_read_in_the_nominative(
    sentence: str, name: str, position: str
) -> None:
    rows = {
        _fold(p.name.display): _fold(p.position)
        for p in extract_participants(sentence, "ru", mentions(sentence))
    }
    assert rows.get(name) == position


def test_site_furniture_after_a_name_is_no_participant() -> None:
    text = (
        "Телефонный разговор с Президентом Венесуэлы Николасом Мадуро 21 декабря 2023 года География Венесуэла "
        "Темы Внешняя политика Лица Мадуро Николас Статус материала Опубликован в разделах: Новости"
    )
    start = text.index("Николас Статус")
    # the entity stage's rules may read "Мадуро Николас Статус" as names (natasha alone does not)
    furniture = Mention(0, start, start + len("Николас Статус"), "PER", "Николас Статус", "Николас Статус")
    names = {p.name.last for p in extract_participants(text, "ru", [*mentions(text), furniture])}
    assert "Мадуро" in names
    assert "Статус" not in names
