"""Participants: kremlin.ru lists (flat and in lines), bulleted lists, appositions around PER mentions."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from natasha_mentions import mentions
from osiwire.enrich.participants import MAX_TEXT_CHARS, extract_participants
from osiwire.model import Mention, Participant

# kremlin.ru/supplement/6277 as archives carry it: one line, rows run into each other (shortened).
FLAT_LIST = (
    "Участники российско-белорусских переговоров в расширенном составе 13 марта 2025 года С российской "
    "стороны: ЛАВРОВ Сергей Викторович – Министр иностранных дел Российской Федерации ГРЫЗЛОВ Борис "
    "Вячеславович – Чрезвычайный и Полномочный Посол Российской Федерации в Республике Белоруссия ЛИХАЧЁВ "
    "Алексей Евгеньевич – генеральный директор Государственной корпорации по атомной энергии «Росатом» "
    "С белорусской стороны: КАРАНКЕВИЧ Виктор Михайлович – Заместитель Премьер-министра Республики "
    "Белоруссия РЫЖЕНКОВ Максим Владимирович – Министр иностранных дел Республики Белоруссия * * * "
    "МЕЗЕНЦЕВ Дмитрий Федорович – Государственный секретарь Союзного государства Смотрите также "
    "Российско-белорусские переговоры 13 марта 2025 года"
)


def _row(p: Participant) -> tuple[str, str]:
    return " ".join(x for x in (p.name.last, p.name.first, p.name.patronymic) if x), p.position


def test_flat_kremlin_list_rows_groups_and_countries() -> None:
    rows = extract_participants(FLAT_LIST, "ru")
    assert [_row(p) for p in rows] == [
        ("Лавров Сергей Викторович", "Министр иностранных дел Российской Федерации"),
        (
            "Грызлов Борис Вячеславович",
            "Чрезвычайный и Полномочный Посол Российской Федерации в Республике Белоруссия",
        ),
        (
            "Лихачёв Алексей Евгеньевич",
            "генеральный директор Государственной корпорации по атомной энергии «Росатом»",
        ),
        ("Каранкевич Виктор Михайлович", "Заместитель Премьер-министра Республики Белоруссия"),
        ("Рыженков Максим Владимирович", "Министр иностранных дел Республики Белоруссия"),
        ("Мезенцев Дмитрий Федорович", "Государственный секретарь Союзного государства"),
    ]
    assert [p.group for p in rows] == ["С российской стороны"] * 3 + ["С белорусской стороны"] * 2 + [""]
    assert [p.country for p in rows] == ["RU", "RU", "RU", "BY", "BY", ""]
    assert {p.source for p in rows} == {"list"}
    assert rows[0].organisation == "Министерство иностранных дел Российской Федерации"
    assert rows[2].organisation == "Государственная корпорация по атомной энергии «Росатом»"
    assert rows[2].name.name_en == "Aleksey Yevgen'yevich Likhachev"


def test_side_headers_name_countries() -> None:
    text = (
        "С конголезской стороны: ГАКОСО Жан-Клод – Министр иностранных дел Республики Конго "
        "С таджикской стороны: МУХРИДДИН Сироджиддин Аслов – Министр иностранных дел Республики Таджикистан"
    )
    rows = extract_participants(text, "ru")
    assert [(p.name.last, p.group, p.country) for p in rows] == [
        ("Гакосо", "С конголезской стороны", "CG"),
        ("Мухриддин", "С таджикской стороны", "TJ"),
    ]


def _gold(test_data: Path) -> dict[str, list[dict[str, Any]]]:
    by_release: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in (test_data / "participants-gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["source"].startswith("press/kremlin-ru"):
            by_release[row["release"]].append(row)
    return by_release


def test_lists_laid_out_in_lines_as_on_the_site(test_data: Path) -> None:
    """The same lists as kremlin.ru shows them (a row a line, headers on their own lines) give the same rows."""
    for release, gold in _gold(test_data).items():
        lines, group = ["Участники", "27 марта 2025 года"], ""
        for row in gold:
            if row["group"] != group:
                lines.append(f"{row['group']}:" if row["group"] else "* * *")
                group = row["group"]
            lines.append(f"{row['name_as_written']} – {row['position']}")
        lines.append("Смотрите также")
        found = extract_participants("\n".join(lines), "ru")
        assert [(*_row(p), p.group) for p in found] == [
            (r["name"], r["position"], r["group"]) for r in gold
        ], release


def test_english_bulleted_list(shared_data: Path) -> None:
    text = (shared_data / "press/milosi-example/csto-security-councils-2020-11.txt").read_text(
        encoding="utf-8"
    )
    rows = extract_participants(text, "en")
    assert [(p.name.last, p.name.first, p.country) for p in rows] == [
        ("Grigoryan", "Armen", "AM"),
        ("Puzikov", "Mikhail", "BY"),
        ("Issekeshev", "Asset", "KZ"),
        ("Musaev", "Ryskeldi", "KG"),
        ("Patrushev", "Nikolai", "RU"),
        ("Mahmudzoda", "Nasrullo", "TJ"),
        ("Zas", "Stanislav", ""),
    ]
    assert (
        rows[2].position
        == "Assistant to the President – Secretary of the Security Council of the Republic of Kazakhstan"
    )
    assert rows[0].name.name_en == "Armen Valerievich Grigoryan"


def test_russian_bulleted_list() -> None:
    text = (
        "В заседании приняли участие:\n"
        "– Григорян Армен Валерьевич, Секретарь Совета безопасности Республики Армения;\n"
        "- Зась Станислав Васильевич – Генеральный секретарь ОДКБ.\n"
    )
    rows = extract_participants(text, "ru")
    assert [(_row(p), p.country) for p in rows] == [
        (("Григорян Армен Валерьевич", "Секретарь Совета безопасности Республики Армения"), "AM"),
        (("Зась Станислав Васильевич", "Генеральный секретарь ОДКБ"), ""),
    ]


@pytest.mark.parametrize(
    ("text", "last", "position", "organisation", "country"),
    [
        ("Секретарь Совета Безопасности Российской Федерации Николай Патрушев провёл совещание.",
         "Патрушев", "Секретарь Совета Безопасности Российской Федерации",
         "Совет Безопасности Российской Федерации", "RU"),
        ("В совещании участвовал Генеральный секретарь ОДКБ Станислав Зась.",
         "Зась", "Генеральный секретарь ОДКБ", "ОДКБ", ""),
        ("Министр обороны Андрей Белоусов доложил о ходе учений.",
         "Белоусов", "Министр обороны", "Министерство обороны", ""),
        ("Путин провёл встречу с министром обороны Андреем Белоусовым.",
         "Белоусов", "министр обороны", "Министерство обороны", ""),
        ("На встрече был Николай Патрушев, секретарь Совета Безопасности Российской Федерации.",
         "Патрушев", "секретарь Совета Безопасности Российской Федерации",
         "Совет Безопасности Российской Федерации", "RU"),
        # a head of state's own title is no organisation (issue 12): his country is the row's country
        ("Переговоры прошли с Президентом Республики Армения Вазгеном Хачатуряном.",
         "Хачатурян", "Президент Республики Армения", "", "AM"),
        # running text inflects the title; the row shows it in the nominative, dependents as written
        ("Лукашенко встретился с Генеральным секретарём ОДКБ Имангали Тасмагамбетовым.",
         "Тасмагамбетов", "Генеральный секретарь ОДКБ", "ОДКБ", ""),
        # the title ends where an occasion begins; a body's "в" stays
        ("Выступление Президента на заседании коллегии МВД В.Путин: Уважаемые товарищи!",
         "Путин", "Президент", "", ""),
        # a country is no organisation: it is the row's country
        ("Состоялась встреча с Послом России в Республике Казахстан Алексеем Бородавкиным.",
         "Бородавкин", "Посол России в Республике Казахстан", "", "RU"),
        ("Переговоры прошли с Министром обороны Российской Федерации Андреем Белоусовым.",
         "Белоусов", "Министр обороны Российской Федерации", "Министерство обороны Российской Федерации",
         "RU"),
    ],
)  # fmt: skip
def test_appositions_with_natasha_mentions(
    text: str, last: str, position: str, organisation: str, country: str
) -> None:
    found = extract_participants(text, "ru", mentions(text))
    assert [(p.name.last, p.position, p.organisation, p.country, p.source) for p in found] == [
        (last, position, organisation, country, "apposition")
    ]


def _mention(text: str, name: str, segment: int = 0, normal: str = "") -> Mention:
    start = text.index(name)
    return Mention(segment, start, start + len(name), "PER", name, normal or name)


def test_the_name_in_the_genitive_belongs_to_the_inner_title() -> None:
    text = "Об этом сообщил помощник министра обороны Андрея Белоусова."
    (found,) = extract_participants(
        text, "ru", [_mention(text, "Андрея Белоусова", normal="Андрей Белоусов")]
    )
    assert (found.name.first, found.name.last, found.position) == ("Андрей", "Белоусов", "министр обороны")


def test_no_title_no_participant_and_verbs_end_the_phrase() -> None:
    text = "Министр заявил, что Андрей Белоусов приедет. Президент встретился с Андреем Белоусовым."
    found = extract_participants(
        text, "ru", [_mention(text, "Андрей Белоусов"), _mention(text, "Андреем Белоусовым")]
    )
    # no title: the first is named in passing and left out; the second took part in a meeting (issue 12)
    assert [(p.name.last, p.position, p.source, p.kind) for p in found] == [
        ("Белоусов", "", "sentence", "participant")
    ]


def test_mentions_of_other_segments_and_bad_offsets_are_ignored() -> None:
    text = "Министр обороны Андрей Белоусов доложил."
    good = _mention(text, "Андрей Белоусов", segment=3)
    wrong_offsets = Mention(3, 0, 7, "PER", "Андрей Белоусов", "Андрей Белоусов")
    out_of_range = Mention(3, 500, 515, "PER", "Андрей Белоусов", "Андрей Белоусов")
    assert extract_participants(text, "ru", [good], segment=1) == []
    assert len(extract_participants(text, "ru", [good, wrong_offsets, out_of_range], segment=3)) == 1


def test_list_rows_are_not_read_again_as_appositions() -> None:
    text = "ПАТРУШЕВ Николай Платонович – помощник Президента Российской Федерации, председатель Морской коллегии АЛИХАНОВ Антон Андреевич – Министр промышленности и торговли Российской Федерации"
    found = extract_participants(text, "ru", mentions(text))
    assert [(p.name.last, p.source) for p in found] == [("Патрушев", "list"), ("Алиханов", "list")]


def test_other_languages_get_lists_only(caplog: pytest.LogCaptureFixture) -> None:
    text = "Министр обороны Андрей Белоусов доложил."
    with caplog.at_level(logging.DEBUG, logger="osiwire.enrich.participants"):
        assert extract_participants(text, "kk", [_mention(text, "Андрей Белоусов")]) == []
    assert "lists only" in caplog.text


def test_huge_text_is_capped_and_said(caplog: pytest.LogCaptureFixture) -> None:
    row = "ЛАВРОВ Сергей Викторович – Министр иностранных дел Российской Федерации "
    text = row * (MAX_TEXT_CHARS // len(row) + 50)
    with caplog.at_level(logging.WARNING):
        found = extract_participants(text, "ru")
    assert "cut to" in caplog.text
    # the same person and position once, and the row the cut went through
    assert _row(found[0]) == (
        "Лавров Сергей Викторович",
        "Министр иностранных дел Российской Федерации",
    )
    assert len(found) <= 2


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "МИНИСТР ОБОРОНЫ АНДРЕЙ БЕЛОУСОВ ДОЛОЖИЛ ПРЕЗИДЕНТУ. ВСЕ ЗАГЛАВНЫМИ БУКВАМИ – ТАК БЫВАЕТ.",
        "Minister of Defence Андрей Belousov – Министр обороны Russian Federation",
        "| ФИО | Должность |\n|---|---|\n| ЛАВРОВ Сергей Викторович | Министр |\n| ШОЙГУ С.К. | Секретарь |",
        "ФИО\tДолжность\nЛАВРОВ Сергей Викторович\tМинистр иностранных дел\n",
        "ЛАВРОВ Сергей Викторович – \nПАТРУШЕВ – \n– \n–,\n* * *\n:",
        "С российской стороны:\nС белорусской стороны:\n* * *\nСмотрите также",
        "ВИТОРГАН-СОБЧАК Платон Максимович – сын К.А.Собчак\nД'АРТАНЬЯН Шарль – капитан мушкетёров\n– O'Neil Patrick, Ambassador",
        "<script>alert('x')</script> ЛАВРОВ Сергей Викторович – <b>Министр</b>",
        "\x00\x01\x02 ЛАВРОВ \ufeff Сергей \u200b Викторович – Министр",
        "ПАО Газпром – крупнейшая компания. ООО Ромашка – поставщик.",
        "–" * 5000,
        "ЛАВРОВ " * 20000,
    ],
)  # fmt: skip
@pytest.mark.parametrize("lang", ["ru", "en", "xx"])
def test_bad_input_never_crashes(text: str, lang: str) -> None:
    found = extract_participants(text, lang, mentions(text) if lang == "ru" and len(text) < 2000 else ())
    for participant in found:
        assert participant.position
        assert participant.source in {"list", "apposition"}


def test_hyphen_and_apostrophe_names_in_lists() -> None:
    text = "ВИТОРГАН-СОБЧАК Платон Максимович – сын К.А.Собчак\n– Patrick O'Neil, Ambassador of Ireland"
    found = extract_participants(text, "ru")
    assert [(p.name.last, p.name.first) for p in found] == [
        ("Виторган-Собчак", "Платон"),
        ("O'Neil", "Patrick"),
    ]


def test_company_names_are_not_rows() -> None:
    assert extract_participants("ПАО Газпром – крупнейшая компания. ООО Ромашка – поставщик.", "ru") == []


def test_kremlin_page_habits_in_running_text() -> None:
    """Tooltip repeats of a name, two titles joined by "и", "господин" after a title."""
    text = (
        "Встреча с директором Федеральной службы безопасности Александром Бортниковым Бортников Александр "
        "Васильевич. Переговоры провели Президент Республики Беларусь и Президент Таджикистана Эмомали Рахмон. "
        "Разговор с Президентом США господином Трампом."
    )
    people = [
        _mention(
            text, "Александром Бортниковым Бортников Александр Васильевич", normal="Александр Бортников"
        ),
        _mention(text, "Эмомали Рахмон"),
        _mention(text, "Трампом", normal="Трамп"),
    ]
    found = extract_participants(text, "ru", people)
    assert [(p.name.last, p.position, p.country) for p in found] == [
        ("Бортников", "директор Федеральной службы безопасности", ""),
        ("Рахмон", "Президент Таджикистана", "TJ"),
        ("Трамп", "Президент США", "US"),
    ]
