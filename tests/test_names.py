"""Names: parts in every official order, base forms, BGN/PCGN, variants, one key per person."""

from __future__ import annotations

import pytest

from osiwire.enrich.names import parse_name, person_key, same_person
from osiwire.enrich.transliteration import fold_latin, latin_spellings, transliterate
from osiwire.model import PersonName


def _parse(text: str, lang: str = "ru") -> PersonName:
    name = parse_name(text, lang)
    assert name is not None, text
    return name


@pytest.mark.parametrize(
    ("text", "first", "patronymic", "last", "initials"),
    [
        ("Николай Платонович Патрушев", "Николай", "Платонович", "Патрушев", ""),
        ("ПАТРУШЕВ Николай Платонович", "Николай", "Платонович", "Патрушев", ""),
        ("Патрушев Николай Платонович", "Николай", "Платонович", "Патрушев", ""),
        ("Н.П. Патрушев", "", "", "Патрушев", "Н.П."),
        ("Н.П.Патрушев", "", "", "Патрушев", "Н.П."),  # kremlin.ru writes initials without a space
        ("Патрушев Н.П.", "", "", "Патрушев", "Н.П."),
        ("Н. Патрушев", "", "", "Патрушев", "Н."),
        ("Патрушева Николая Платоновича", "Николай", "Платонович", "Патрушев", ""),
        ("Николаю Платоновичу Патрушеву", "Николай", "Платонович", "Патрушев", ""),
        ("Анны Сергеевны Патрушевой", "Анна", "Сергеевна", "Патрушева", ""),
        ("Станиславом Засем", "Станислав", "", "Зась", ""),
        ("Юрия Лужкова", "Юрий", "", "Лужков", ""),
        ("ЛИХАЧЁВ Алексей Евгеньевич", "Алексей", "Евгеньевич", "Лихачёв", ""),
        ("ВИТОРГАН-СОБЧАК Платон Максимович", "Платон", "Максимович", "Виторган-Собчак", ""),
        ("ЛИТВАК Мишель", "Мишель", "", "Литвак", ""),
        ("КАРПОВИЧ Артур Борисович", "Артур", "Борисович", "Карпович", ""),  # a surname in -вич
        ("Ильхам Гейдар оглы Алиев", "Ильхам", "Гейдар оглы", "Алиев", ""),
        ("Мамедов-оглы Ильхам", "Ильхам", "", "Мамедов-оглы", ""),
        ("Сергей Викторович Лавров", "Сергей", "Викторович", "Лавров", ""),
    ],
)
def test_russian_orders_and_forms(text: str, first: str, patronymic: str, last: str, initials: str) -> None:
    name = _parse(text)
    assert (name.first, name.patronymic, name.last, name.initials) == (first, patronymic, last, initials)


@pytest.mark.parametrize(
    ("text", "first", "patronymic", "last"),
    [
        ("Grigoryan Armen Valerievich", "Armen", "Valerievich", "Grigoryan"),
        ("Nikolai Platonovich Patrushev", "Nikolai", "Platonovich", "Patrushev"),
        ("Zas Stanislav Vasilievich", "Stanislav", "Vasilievich", "Zas"),
        ("Issekeshev Asset Orentaevich", "Asset", "Orentaevich", "Issekeshev"),
        ("Mahmudzoda Nasrullo Rakhmatjon", "Nasrullo", "Rakhmatjon", "Mahmudzoda"),  # Tajik: no -vich
        ("Zas' Stanislav Vasil'yevich", "Stanislav", "Vasil'yevich", "Zas'"),
        ("O'NEIL Patrick", "Patrick", "", "O'Neil"),
    ],
)
def test_latin_orders(text: str, first: str, patronymic: str, last: str) -> None:
    name = _parse(text, "en")
    assert (name.first, name.patronymic, name.last) == (first, patronymic, last)


def test_english_form_is_bgn_pcgn_first_patronymic_last() -> None:
    assert _parse("ПАТРУШЕВ Николай Платонович").name_en == "Nikolay Platonovich Patrushev"
    assert _parse("Станислав Васильевич Зась").name_en == "Stanislav Vasil'yevich Zas'"
    assert _parse("ЛИХАЧЁВ Алексей Евгеньевич").name_en == "Aleksey Yevgen'yevich Likhachev"  # ё mapped first
    assert _parse("Grigoryan Armen Valerievich", "en").name_en == "Armen Valerievich Grigoryan"


def test_transliterate_maps_yo_and_passes_latin_through() -> None:
    assert transliterate("Лихачёв") == "Likhachev"
    # BGN/PCGN's optional middle dot, which no wire writes
    assert transliterate("Андрей Рэмович Белоусов") == "Andrey Removich Belousov"
    assert transliterate("Тсой") == "Tsoy"
    assert transliterate("Ёлкин") == "Yelkin"
    assert transliterate("Patrushev, 2020") == "Patrushev, 2020"
    assert transliterate("") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Армен Валерьевич Григорян", ["Armen Valer'yevich Grigoryan", "Armen Valeryevich Grigoryan"]),
        ("Армен Валерьевич Григорян", ["Armen Valerievich Grigoryan", "Армен Григорян", "А.В. Григорян"]),
        (
            "Станислав Васильевич Зась",
            ["Stanislav Vasil'yevich Zas'", "Stanislav Vasilyevich Zas", "Stanislav Zas"],
        ),
        ("Сергей Лавров", ["Sergey Lavrov", "Sergei Lavrov"]),
        ("Евгений Примаков", ["Yevgeniy Primakov", "Yevgeny Primakov", "Evgeniy Primakov"]),
        ("Марат Хуснуллин", ["Marat Khusnullin", "Marat Husnullin"]),
        (
            "Алексей Лихачёв",
            ["Алексей Лихачев", "Aleksey Likhachev", "Aleksey Likhachyov", "Alexey Likhachev"],
        ),
    ],
)
def test_variants_cover_common_spellings_in_both_scripts(text: str, expected: list[str]) -> None:
    variants = _parse(text).variants
    for spelling in expected:
        assert spelling in variants


def test_latin_name_variants_reach_the_bgn_spelling() -> None:
    assert "Armen Valeryevich Grigoryan" in _parse("Grigoryan Armen Valerievich", "en").variants
    assert "Valeryevich" in latin_spellings("Valerievich")


@pytest.mark.parametrize(
    "forms",
    [
        ["Николай Платонович Патрушев", "ПАТРУШЕВ Николай Платонович", "Патрушева Николая Платоновича",
         "Н.П. Патрушев", "Патрушев Н.П.", "Nikolai Platonovich Patrushev", "Nikolay Platonovich Patrushev"],
        ["Григорян Армен Валерьевич", "Grigoryan Armen Valerievich", "Armen Valer'yevich Grigoryan",
         "Grigorian Armen Valeryevich"],
        ["Зась Станислав Васильевич", "Zas Stanislav Vasilievich", "Zas' Stanislav Vasil'yevich"],
        ["Исекешев Асет Орентаевич", "Issekeshev Asset Orentaevich"],
        ["Мусаев Рыскельди Жусупович", "Musaev Ryskeldi Zhusupovich", "Musayev Ryskeldi Zhusupovich"],
        ["Евгений Юрьевич Иванов", "Yevgeny Yurievich Ivanov", "Evgeniy Iurievich Ivanov"],
    ],
)  # fmt: skip
def test_one_person_one_key_across_forms_scripts_spellings(forms: list[str]) -> None:
    names = [_parse(f, "ru" if any("а" <= c <= "я" for c in f.lower()) else "en") for f in forms]
    assert len({person_key(n) for n in names}) == 1, [person_key(n) for n in names]
    assert all(same_person(names[0], other) for other in names[1:])


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Николай Платонович Патрушев", "Дмитрий Николаевич Патрушев", False),  # same surname, two people
        ("Н.П. Патрушев", "Д.Н. Патрушев", False),
        ("Н. Патрушев", "Николай Платонович Патрушев", True),  # fewer parts, nothing contradicts
        ("Николай Патрушев", "Николай Петрович Патрушев", True),
        ("Николай Платонович Патрушев", "Николай Петрович Патрушев", False),  # patronymics differ
        ("Николай Платонович Патрушев", "Никита Платонович Патрушев", False),  # same initials, names differ
        ("Патрушев", "Николай Платонович Патрушев", False),  # a bare surname is no evidence
        ("Патрушев", "Патрушев", True),
        ("Алексей Новак", "Александр Новак", False),
        ("Anna Patrusheva", "Николай Патрушев", False),  # the feminine surname is another person
        ("Aleksandr Novak", "Alexander Novak", True),  # conventional English spelling
    ],
)
def test_same_person_keeps_namesakes_apart(a: str, b: str, same: bool) -> None:
    assert same_person(_parse(a), _parse(b)) is same
    assert same_person(_parse(b), _parse(a)) is same


def test_fold_is_spelling_blind() -> None:
    assert fold_latin("Valer'yevich") == fold_latin("Valerievich") == fold_latin("Валерьевич")
    assert fold_latin("Zas'") == fold_latin("Zas") == fold_latin("Зась")
    assert fold_latin("Sergei") == fold_latin("Sergey") == fold_latin("Сергей")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "президент", "Иван 2", "a" * 500, "Патрушев Николай Платонович Иванов Петров Сидоров",
     "!!!", "Н.П.", "12.03.2025", "<script>alert(1)</script>", "\x00\x01", "Patrushev;DROP TABLE"],
)  # fmt: skip
def test_not_names_give_none(text: str) -> None:
    assert parse_name(text) is None


@pytest.mark.parametrize(
    "text",
    ["НИКОЛАЙ ПЛАТОНОВИЧ ПАТРУШЕВ", "николай патрушев", "Patrушев Nikolai", "Jean-Luc O'Connor",
     "Д'Артаньян", "ЗАСЬ Станислав", "Ху Цзиньтао", "Ли Со Ён", "Ahmed bin Salman Al Saud"],
)  # fmt: skip
def test_odd_names_never_crash(text: str) -> None:
    name = parse_name(text)
    if name is not None:
        assert name.name_en
        assert person_key(name)
        assert same_person(name, name)


def test_all_caps_name_ordered_by_patronymic() -> None:
    name = _parse("НИКОЛАЙ ПЛАТОНОВИЧ ПАТРУШЕВ")
    assert (name.first, name.patronymic, name.last) == ("Николай", "Платонович", "Патрушев")


def test_base_form_text_is_not_reinflected() -> None:
    name = parse_name("Сэйдзи Маэхара", base=True)
    assert name is not None and name.last == "Маэхара"


def test_a_name_repeated_by_a_page_tooltip_is_one_name() -> None:
    name = _parse("Александр Бортников Бортников Александр Васильевич")
    assert (name.first, name.patronymic, name.last) == ("Александр", "Васильевич", "Бортников")


@pytest.mark.parametrize(
    "text",
    ["Александр Юрьевич", "Владимир Владимирович", "Armen Valerievich", "Уважаемый Владимир Владимирович"],
)
def test_address_form_without_surname_is_not_a_person(text: str) -> None:
    assert parse_name(text) is None


def test_a_word_of_address_is_not_part_of_the_name() -> None:
    name = _parse("Уважаемый Сергей Кужугетович Шойгу")
    assert (name.first, name.patronymic, name.last) == ("Сергей", "Кужугетович", "Шойгу")


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("Виктор Янукович", "Виктор", "Янукович"),
        ("Виктора Януковича", "Виктор", "Янукович"),
        ("Слободан Милошевич", "Слободан", "Милошевич"),
        ("Станислав Шушкевич", "Станислав", "Шушкевич"),
        ("Адам Мицкевич", "Адам", "Мицкевич"),
    ],
)
def test_a_surname_with_a_patronymic_ending_is_a_surname(text: str, first: str, last: str) -> None:
    name = parse_name(text, "ru")
    assert name is not None and (name.first, name.patronymic, name.last) == (first, "", last)


def test_a_first_name_and_a_patronymic_alone_are_still_no_person() -> None:
    assert parse_name("Александр Юрьевич", "ru") is None
    assert parse_name("Владимир Владимирович", "ru") is None
