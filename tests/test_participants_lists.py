"""List shapes beyond the 15 kremlin.ru pages the rules were first written on, as variants made up here.

Each test names a phenomenon of issue 12 (two-sided delegation lists, multi-word surnames in capitals with
particles, given names before the surname, rows run together, place headers, nested quotes) and writes it
with other countries, particles and header words than the development pages have.
"""

from __future__ import annotations

import pytest

from osiwire.enrich.participants import extract_participants
from osiwire.model import Mention, Participant


def _rows(text: str) -> list[tuple[str, str, str, str]]:
    return [(p.name.display, p.position, p.group, p.country) for p in extract_participants(text, "ru")]


def _by_name(text: str) -> dict[str, Participant]:
    return {p.name.display: p for p in extract_participants(text, "ru")}


@pytest.mark.parametrize("glue", ["", " ", "\n"])
def test_two_sided_list_gives_each_side_its_country(glue: str) -> None:
    text = (
        "Участники российско-египетских переговоров 3 марта 2026 года С российской стороны:"
        f"ЛАВРОВ Сергей Викторович – Министр иностранных дел Российской Федерации{glue}"
        f"ЛИХАЧЁВ Алексей Евгеньевич – генеральный директор АО «Росатом»{glue}С египетской стороны : "
        f"Бадр АБДЕЛЬ АТТИ – Министр иностранных дел Арабской Республики Египет{glue}"
        "Хасан АБУ-ЗЕЙД – Чрезвычайный и Полномочный Посол Арабской Республики Египет в Российской Федерации"
    )
    rows = _rows(text)
    assert rows == [
        (
            "Сергей Викторович Лавров",
            "Министр иностранных дел Российской Федерации",
            "С российской стороны",
            "RU",
        ),
        ("Алексей Евгеньевич Лихачёв", "генеральный директор АО «Росатом»", "С российской стороны", "RU"),
        (
            "Бадр Абдель Атти",
            "Министр иностранных дел Арабской Республики Египет",
            "С египетской стороны",
            "EG",
        ),
        (
            "Хасан Абу-Зейд",
            "Чрезвычайный и Полномочный Посол Арабской Республики Египет в Российской Федерации",
            "С египетской стороны",
            "EG",
        ),
    ]


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("С монгольской стороны", "MN"),
        ("Со стороны Эмиратов", ""),
        ("С центральноафриканской стороны", "CF"),
        ("С эмиратской стороны", "AE"),
        ("Вьетнамская сторона", "VN"),
    ],
)
def test_side_header_country_from_any_adjective(header: str, code: str) -> None:
    text = (
        f"{header}:ИВАНОВ Иван Иванович – Министр обороны\n"
        "ПЕТРОВ Пётр Петрович – заместитель Министра обороны"
    )
    assert {p.country for p in extract_participants(text, "ru")} == {code}


@pytest.mark.parametrize(
    ("written", "display"),
    [
        ("АЛЬ НАХАЯН Абдалла бен Заид", "Абдалла бен Заид аль Нахаян"),
        ("ГОНСАЛЕС ЛОПЕС Хуан Карлос", "Хуан Карлос Гонсалес Лопес"),
        ("ДЕ ЛА КРУС Мария Луиса", "Мария Луиса де ла Крус"),
        ("АБУ-ЗЕЙД Хасан", "Хасан Абу-Зейд"),
        ("ФОН ДЕР ЛЕЙЕН Урсула", "Урсула фон дер Лейен"),
        ("АЛИЕВ Ильхам Гейдар оглы", "Ильхам Гейдар оглы Алиев"),
        ("Ухнаагийн ХУРЭЛСУХ", "Ухнаагийн Хурэлсух"),
        ("Жан-Мишель ВАН ДЕР БЕРГ", "Жан-Мишель ван дер Берг"),
    ],
)
def test_multi_word_surnames_in_capitals_stay_out_of_the_last_position(written: str, display: str) -> None:
    text = (
        "ШОЙГУ Сергей Кужугетович – Секретарь Совета Безопасности Российской Федерации"
        f"{written} – Министр иностранных дел"
        "ЛАВРОВ Сергей Викторович – Министр иностранных дел Российской Федерации"
    )
    rows = _by_name(text)
    assert rows["Сергей Кужугетович Шойгу"].position == "Секретарь Совета Безопасности Российской Федерации"
    assert rows[display].position == "Министр иностранных дел"
    assert rows["Сергей Викторович Лавров"].position == "Министр иностранных дел Российской Федерации"


def test_given_names_before_the_surname_in_a_run_together_list() -> None:
    text = (
        "С сенегальской стороны:Макки САЛЛ – Президент Республики Сенегал"
        "Айсата ТАЛЛЬ САЛЛ – Министр иностранных дел Республики СенегалОбед НДИАЙ – Министр финансов"
        " Мамаду Ламин ДИАЛЛО – Посол Республики Сенегал в Российской Федерации"
    )
    assert [(p.name.display, p.position) for p in extract_participants(text, "ru")] == [
        ("Макки Салл", "Президент Республики Сенегал"),
        ("Айсата Талль Салл", "Министр иностранных дел Республики Сенегал"),
        ("Обед Ндиай", "Министр финансов"),  # a first name the dictionary knows, glued to the last position
        ("Мамаду Ламин Диалло", "Посол Республики Сенегал в Российской Федерации"),
    ]


@pytest.mark.parametrize(
    "header",
    [
        "С территории ПАО «Уралмаш», Свердловская область",
        "Из Нижнего Новгорода",
        "На площадке АО «Северсталь», Вологодская область",
    ],
)
def test_place_headers_of_video_link_meetings_are_groups(header: str) -> None:
    text = (
        "ИВАНОВ Иван Иванович – губернатор Свердловской области"
        f"{header}:ПЕТРОВ Пётр Петрович – генеральный директор ПАО «Уралмаш»"
    )
    rows = _rows(text)
    assert rows[0][:3] == ("Иван Иванович Иванов", "губернатор Свердловской области", "")
    assert rows[1][:3] == ("Пётр Петрович Петров", "генеральный директор ПАО «Уралмаш»", header)


def test_long_names_with_nested_quotes_are_kept_whole() -> None:
    position = "генеральный директор АО «Концерн „Калашников“ имени М.Т.Калашникова» Госкорпорации «Ростех»"
    text = (
        f"ИВАНОВ Иван Иванович – {position}ПЕТРОВ Пётр Петрович – председатель правления ПАО «НК «Роснефть»"
    )
    assert [p.position for p in extract_participants(text, "ru")] == [
        position,
        "председатель правления ПАО «НК «Роснефть»",
    ]


def test_notes_after_names_and_dashes_without_spaces() -> None:
    text = (
        "СИДОРОВА Анна Петровна (1925 г. р.) – участник обороны Ленинграда"
        "ГАЙНУТДИН Равиль (Гайнутдинов Равиль Исмагилович) –муфтий, председатель Совета муфтиев России"
    )
    assert [(p.name.display, p.position) for p in extract_participants(text, "ru")] == [
        ("Анна Петровна Сидорова", "участник обороны Ленинграда"),
        ("Равиль Гайнутдин", "муфтий, председатель Совета муфтиев России"),
    ]


def test_abbreviations_before_a_surname_stay_in_the_position() -> None:
    text = (
        "ИВАНОВ Иван Иванович – Чрезвычайный и Полномочный Посол Российской Федерации в ЦАР "
        "ПЕТРОВ Пётр Петрович – ректор МГУ БАК Дмитрий Петрович – директор музея"
    )
    assert [(p.name.display, p.position) for p in extract_participants(text, "ru")] == [
        ("Иван Иванович Иванов", "Чрезвычайный и Полномочный Посол Российской Федерации в ЦАР"),
        ("Пётр Петрович Петров", "ректор МГУ"),
        ("Дмитрий Петрович Бак", "директор музея"),
    ]


def test_a_list_of_russian_posts_makes_its_other_rows_russian() -> None:
    text = (
        "БЕЛОУСОВ Андрей Рэмович – Министр обороны Российской Федерации"
        "СОБЯНИН Сергей Семёнович – мэр Москвы"
        "ГРЕФ Герман Оскарович – президент ПАО «Сбербанк»"
    )
    assert {p.country for p in extract_participants(text, "ru")} == {"RU"}
    foreign = text + "ЛУКАШЕНКО Александр Григорьевич – Президент Республики Беларусь"
    assert [p.country for p in extract_participants(foreign, "ru")] == ["RU", "", "", "BY"]


def test_descriptions_without_a_post_name_no_country() -> None:
    text = (
        "МОРОЗ Михаил Николаевич (1927 г. р.) – участник боев на территории Белоруссии"
        "МЕРКИН Зиновий Леонидович (1924 г. р.) – участник боев на территории Германии"
    )
    assert [p.country for p in extract_participants(text, "ru")] == ["", ""]


# Participants of the meeting apart from people named in passing.
def test_english_list_sentence_rows_are_participants_with_their_side() -> None:
    text = (
        "President Vladimir Putin met with Prime Minister of Norway Jonas Store.\n"
        "Representing Russia at the talks were Foreign Minister Sergei Lavrov, Deputy Prime Minister and Finance "
        "Minister Anton Siluanov and Rosatom Director General Alexei Likhachev. Taking part on the Norwegian side "
        "were Foreign Minister Espen Eide and Trade Minister Cecilie Myrseth.\n"
        "Mr Putin recalled that Marshal Georgy Zhukov had visited Oslo in 1945."
    )
    rows = {p.name.name_en or p.name.display: p for p in extract_participants(text, "en")}
    lavrov = next(p for n, p in rows.items() if "Lavrov" in n)
    assert (lavrov.position, lavrov.kind, lavrov.source, lavrov.country) == (
        "Foreign Minister", "participant", "sentence", "RU",
    )  # fmt: skip
    siluanov = next(p for n, p in rows.items() if "Siluanov" in n)
    assert siluanov.position == "Deputy Prime Minister and Finance Minister"
    eide = next(p for n, p in rows.items() if "Eide" in n)
    assert (eide.position, eide.country, eide.kind) == ("Foreign Minister", "NO", "participant")
    zhukov = [p for n, p in rows.items() if "Zhukov" in n]
    assert all(p.kind == "mentioned" for p in zhukov)


def test_shared_plural_titles_give_no_position() -> None:
    text = "Taking part in the meeting were Deputy Prime Ministers Ivan Petrov and Oleg Sidorov."
    assert all(p.position != "Deputy Prime" for p in extract_participants(text, "en"))


def test_russian_meeting_sentences_make_participants_and_speeches_mentions() -> None:
    text = "В совещании приняли участие Министр обороны Андрей Белоусов и Министр финансов Антон Силуанов."
    speech = "Мы помним, как маршал Георгий Жуков принимал Парад Победы."
    mentions = [
        Mention(0, 44, 59, "PER", "Андрей Белоусов", "Андрей Белоусов"),
        Mention(0, 79, 93, "PER", "Антон Силуанов", "Антон Силуанов"),
    ]
    rows = extract_participants(text, "ru", mentions)
    assert [(p.name.last, p.position, p.kind, p.source) for p in rows] == [
        ("Белоусов", "Министр обороны", "participant", "apposition"),
        ("Силуанов", "Министр финансов", "participant", "apposition"),
    ]
    zhukov = Mention(0, 22, 35, "PER", "Георгий Жуков", "Георгий Жуков")
    assert [(p.name.last, p.kind, p.source) for p in extract_participants(speech, "ru", [zhukov])] == [
        ("Жуков", "mentioned", "apposition")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Уважаемый господин Президент Эммерсон Мнангагва, мы провели переговоры с делегацией Зимбабве.",
        "Дорогой друг Эммерсон Мнангагва, мы провели переговоры с делегацией Зимбабве.",
        "Уважаемый Эммерсон Мнангагва! Мы провели переговоры с делегацией Зимбабве.",
    ],
)
def test_a_host_named_after_a_word_of_address_is_mentioned(text: str) -> None:
    start = text.index("Эммерсон")
    mention = Mention(0, start, start + 18, "PER", "Эммерсон Мнангагва", "Эммерсон Мнангагва")
    assert [p.kind for p in extract_participants(text, "ru", [mention])] in ([], ["mentioned"])


def test_an_honorific_in_running_text_is_no_address() -> None:
    text = "Президент провёл переговоры с Президентом Зимбабве господином Эммерсоном Мнангагвой."
    start = text.index("Эммерсоном")
    mention = Mention(0, start, start + 21, "PER", "Эммерсоном Мнангагвой", "Эммерсон Мнангагва")
    assert [p.kind for p in extract_participants(text, "ru", [mention])] == ["participant"]


def test_arabic_given_names_with_particles_before_the_surname() -> None:
    text = (
        "С эмиратской стороны:Мухаммед бин Рашид аль МАКТУМ – Вице-президент, Премьер-министр ОАЭ"
        "Абдалла бен Заид АЛЬ НАХАЯН – Министр иностранных дел ОАЭ СУХАРТО – Советник Президента "
        "ХУРЭЛСУХ Ухнаагийн – Президент Монголии"
    )
    assert [(p.name.display, p.position, p.country) for p in extract_participants(text, "ru")] == [
        ("Мухаммед бин Рашид аль Мактум", "Вице-президент, Премьер-министр ОАЭ", "AE"),
        ("Абдалла бен Заид аль Нахаян", "Министр иностранных дел ОАЭ", "AE"),
        ("Сухарто", "Советник Президента", "AE"),  # a one-word name inside a list
        ("Ухнаагийн Хурэлсух", "Президент Монголии", "AE"),
    ]


def test_a_first_name_the_mention_left_out_is_not_part_of_the_title() -> None:
    text = "Состоялись переговоры с Президентом Турецкой Республики Реджепом Тайипом Эрдоганом."
    mention = Mention(0, text.index("Тайипом"), text.index("."), "PER", "Тайипом Эрдоганом", "Тайип Эрдоган")
    (row,) = extract_participants(text, "ru", [mention])
    assert (row.position, row.kind) == ("Президент Турецкой Республики", "participant")


def test_the_host_before_the_meeting_phrase_gets_no_untitled_row() -> None:
    text = "Владимир Путин провёл встречу с Андреем Белоусовым."
    host = Mention(0, 0, 14, "PER", "Владимир Путин", "Владимир Путин")
    guest = Mention(0, text.index("Андреем"), text.index("."), "PER", "Андреем Белоусовым", "Андрей Белоусов")
    assert [p.name.last for p in extract_participants(text, "ru", [host, guest])] == ["Белоусов"]


@pytest.mark.parametrize("colon", [":", "", " :"])
def test_side_headers_with_or_without_their_colon(colon: str) -> None:
    text = (
        f"С российской стороны{colon}ЛАВРОВ Сергей Викторович – Министр иностранных дел Российской Федерации"
        f"С китайской стороны{colon}ВАН И – Министр иностранных дел Китайской Народной Республики"
        "ЧЖАН Ханьхуэй – Посол Китайской Народной Республики в Российской Федерации"
    )
    rows = [(p.name.display, p.position, p.country) for p in extract_participants(text, "ru")]
    assert rows[0] == ("Сергей Викторович Лавров", "Министр иностранных дел Российской Федерации", "RU")
    assert rows[1] == ("И Ван", "Министр иностранных дел Китайской Народной Республики", "CN")
    assert rows[-1] == (
        "Ханьхуэй Чжан", "Посол Китайской Народной Республики в Российской Федерации", "CN",
    )  # fmt: skip


def test_an_unknown_header_glued_on_is_split_off_and_a_doubtful_one_drops_the_position() -> None:
    glued = "ИВАНОВ Иван Иванович – министр обороныГости форума:ПЕТРОВ Пётр Петрович – ректор"
    assert [(p.position, p.group) for p in extract_participants(glued, "ru")] == [
        ("министр обороны", ""),
        ("ректор", "Гости форума"),
    ]
    doubtful = "ИВАНОВ Иван Иванович – министр обороны гости форума:ПЕТРОВ Пётр Петрович – ректор"
    assert [(p.position, p.group) for p in extract_participants(doubtful, "ru")] == [
        ("", ""),
        ("ректор", ""),
    ]


def test_english_two_sided_delegations_and_place_words_in_titles() -> None:
    text = (
        "The Russian delegation included Minister for the Development of the Russian Far East and Arctic "
        "Alexei Chekunkov and Presidential Aide Yury Ushakov. The Chinese delegation included Foreign Minister "
        "Wang Yi, Commerce Minister Wang Wentao and Director of the General Office Cai Qi."
    )
    rows = [(p.name.display, p.position, p.country) for p in extract_participants(text, "en")]
    assert (
        "Alexei Chekunkov",
        "Minister for the Development of the Russian Far East and Arctic",
        "RU",
    ) in rows
    assert ("Yury Ushakov", "Presidential Aide", "RU") in rows
    assert ("Wang Wentao", "Commerce Minister", "CN") in rows
    assert not any(name in {"Far East", "East Arctic"} for name, _, _ in rows)


@pytest.mark.parametrize(
    "opener",
    [
        "Present at the talks were:",
        "The meeting was also attended by",
        "Also attending were",
        "Taking part in the ceremony were",
    ],
)
def test_english_list_openers(opener: str) -> None:
    text = f"{opener} Defence Minister Andrei Belousov and Chief of the General Staff Valery Gerasimov."
    rows = [(p.name.display, p.position, p.kind) for p in extract_participants(text, "en")]
    assert rows == [
        ("Andrei Belousov", "Defence Minister", "participant"),
        ("Valery Gerasimov", "Chief of the General Staff", "participant"),
    ]


def test_english_names_then_titles_are_left_out_rather_than_shifted() -> None:
    text = (
        "Taking part in the meeting were Sergei Prikhodko, Deputy Chief of Staff, Igor Ivanov, Foreign Minister, "
        "and Sergei Ivanov, Defence Minister."
    )
    for p in extract_participants(text, "en"):
        assert (p.name.last, p.position) in {
            ("Prikhodko", "Deputy Chief of Staff"), ("Ivanov", "Foreign Minister"), ("Ivanov", "Defence Minister"),
        } or p.position == ""  # fmt: skip
        assert not (p.name.first == "Sergei" and p.name.last == "Ivanov" and p.position == "Foreign Minister")


@pytest.mark.parametrize(
    ("sentence", "name", "position"),
    [
        (
            "UK Ambassador to the Russian Federation Anne Fyfe Pringle",
            "Anne Fyfe Pringle",
            "UK Ambassador to the Russian Federation",
        ),
        (
            "Chairman of the Council of Russian Muftis Ravil Gainutdin",
            "Ravil Gainutdin",
            "Chairman of the Council of Russian Muftis",
        ),
        (
            "Director of the Power Corporation of Kenya Mary Wanjiru Kamau",
            "Mary Wanjiru Kamau",
            "Director of the Power Corporation of Kenya",
        ),
        (
            "Chief of the Armed Forces General Staff Anatoly Kvashnin",
            "Anatoly Kvashnin",
            "Chief of the Armed Forces General Staff",
        ),
    ],
)
def test_english_three_word_names_only_after_a_country_name(sentence: str, name: str, position: str) -> None:
    text = f"The meeting was attended by Foreign Minister Igor Ivanov and {sentence}."
    rows = {p.name.display: p.position for p in extract_participants(text, "en")}
    assert rows.get(name) == position


def test_capitals_inside_quotes_open_no_row_and_a_stray_quote_hides_nothing() -> None:
    quoted = (
        "ИВАНОВ Иван Иванович – генеральный директор АО «Концерн „РОСТЕХ Иван – Холдинг“»"
        "ПЕТРОВ Пётр Петрович – ректор"
    )
    assert [p.name.last for p in extract_participants(quoted, "ru")] == ["Иванов", "Петров"]
    stray = (
        "ИВАНОВ Иван Иванович – директор «Проекта " + "и ещё слова " * 40 + "ПЕТРОВ Пётр Петрович – ректор"
    )
    assert [p.name.last for p in extract_participants(stray, "ru")] == ["Иванов", "Петров"]


@pytest.mark.parametrize(
    "text",
    [
        "Встреча с Денисом Паслером Владимир Путин встретился в Кремле с Денисом Паслером.",
        "Телефонный разговор с Президентом Состоялся телефонный разговор Владимира Путина с Денисом Паслером.",
    ],
)
def test_the_host_after_a_headline_gets_no_untitled_row(text: str) -> None:
    people = []
    for written, normal in (("Владимир Путин", "Владимир Путин"), ("Владимира Путина", "Владимир Путин")):
        if written in text:
            start = text.index(written)
            people.append(Mention(0, start, start + len(written), "PER", written, normal))
    start = text.rindex("Денисом Паслером")
    people.append(Mention(0, start, start + 16, "PER", "Денисом Паслером", "Денис Паслер"))
    assert [p.name.last for p in extract_participants(text, "ru", people)] == ["Паслер"]


@pytest.mark.parametrize(
    ("written", "display"),
    [
        ("СИ Цзиньпин", "Цзиньпин Си"),
        ("ФАМ Минь Тинь", "Минь Тинь Фам"),
        ("Д’АЛЕМА Массимо", "Массимо Д’Алема"),
        ("Прают ЧАН-ОЧА", "Прают Чан-Оча"),
    ],
)
def test_names_of_other_traditions(written: str, display: str) -> None:
    text = f"ЛАВРОВ Сергей Викторович – Министр иностранных дел{written} – Председатель"
    rows = [(p.name.display, p.position) for p in extract_participants(text, "ru")]
    assert rows == [("Сергей Викторович Лавров", "Министр иностранных дел"), (display, "Председатель")]


def test_international_officials_and_foreign_order_names_get_no_russian_side() -> None:
    text = (
        "БЕЛОУСОВ Андрей Рэмович – Министр обороны Российской Федерации"
        "ГРОССИ Рафаэль – Генеральный директор МАГАТЭ"
        "Рафаэль МАРИАНО – советник"
        "СОБЯНИН Сергей Семёнович – мэр Москвы"
    )
    assert [p.country for p in extract_participants(text, "ru")] == ["RU", "", "", "RU"]


@pytest.mark.parametrize(
    "place", ["в Буркина-Фасо", "в Республике Кот-д’Ивуар", "при ЮНЕСКО", "в Гвинее-Бисау"]
)
def test_a_place_ending_a_position_is_no_given_name_of_the_next_row(place: str) -> None:
    text = (
        f"ИВАНОВ Иван Иванович – Чрезвычайный и Полномочный Посол Российской Федерации {place} "
        "Ибрагим ТРАОРЕ – Президент переходного периода"
    )
    rows = [(p.name.display, p.position) for p in extract_participants(text, "ru")]
    assert rows[0] == (
        "Иван Иванович Иванов",
        f"Чрезвычайный и Полномочный Посол Российской Федерации {place}",
    )
    assert rows[1] == ("Ибрагим Траоре", "Президент переходного периода")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Главу государства сопровождали губернатор Санкт-Петербурга Александр Беглов и другие.",
            "Александр Беглов",
        ),
        ("О ходе работ доложил генеральный директор «Росатома» Алексей Лихачёв.", "Алексей Лихачёв"),
        (
            "Владимир Путин общался с капитаном ледокола «Арктика» Александром Скрябиным.",
            "Александром Скрябиным",
        ),
        ("Экскурсию для Президента провела директор музея Наталья Шашкова.", "Наталья Шашкова"),
    ],
)
def test_people_at_the_event_with_the_host_are_participants(text: str, name: str) -> None:
    start = text.index(name)
    mention = Mention(0, start, start + len(name), "PER", name, name)
    assert [p.kind for p in extract_participants(text, "ru", [mention])] == ["participant"]


def test_historical_figures_in_a_speech_stay_mentioned() -> None:
    text = "Это генерал армии Афанасий Белобородов, который отстоял Москву на Волоколамском направлении."
    start = text.index("Афанасий")
    mention = Mention(0, start, start + 20, "PER", "Афанасий Белобородов", "Афанасий Белобородов")
    assert [p.kind for p in extract_participants(text, "ru", [mention])] == ["mentioned"]


@pytest.mark.parametrize("title", ["Deputy Prime Ministers", "deputy prime ministers"])
def test_english_shared_plural_titles(title: str) -> None:
    text = (
        f"Taking part in the meeting were Prime Minister Mikhail Mishustin, {title} Viktoria Abramchenko, "
        "Yury Borisov and Tatyana Golikova, Sergei Prikhodko, deputy chief of staff, and Finance Minister "
        "Anton Siluanov."
    )
    rows = [(p.name.display, p.position) for p in extract_participants(text, "en")]
    singular = title[:-1]  # as written, in the singular
    assert rows == [
        ("Mikhail Mishustin", "Prime Minister"),
        ("Viktoria Abramchenko", singular),
        ("Yury Borisov", singular),
        ("Tatyana Golikova", singular),
        ("Anton Siluanov", "Finance Minister"),
    ]
