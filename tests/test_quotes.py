"""Quotations and transcript turns with their speakers: variants written here, not taken from the data."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osiwire.enrich.names import parse_name
from osiwire.enrich.quotes import find_quotes, quoted_spans
from osiwire.model import Mention, Participant, PersonName, Quote, Segment

PUTIN = parse_name("Владимир Владимирович Путин")
LAVROV = parse_name("Сергей Лавров")
SHOIGU = parse_name("Сергей Кужугетович Шойгу")
ZAKHAROVA = parse_name("Мария Захарова")
PESKOV = parse_name("Дмитрий Песков")
TOKAYEV = parse_name("Касым-Жомарт Токаев")
SILUANOV = parse_name("Антон Силуанов")
LAVROV_EN = parse_name("Sergei Lavrov", "en")
PESKOV_EN = parse_name("Dmitry Peskov", "en")


def per(text: str, name: str, normal: str, segment: int = 1, nth: int = 0) -> Mention:
    """A PER mention of ``name`` (its ``nth`` occurrence) in ``text``, as the entity stage gives it."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(name, start + 1)
    return Mention(segment, start, start + len(name), "PER", name, normal)


def run(
    *paragraphs: str,
    people: tuple[PersonName | None, ...] = (),
    mentions: tuple[Mention, ...] = (),
    participants: tuple[Participant, ...] = (),
    language: str = "ru",
) -> list[Quote]:
    segments = [Segment(0, "title", "Заголовок", language)]
    segments += [Segment(i, "paragraph", text, language) for i, text in enumerate(paragraphs, start=1)]
    known = tuple(p for p in people if p is not None)
    return find_quotes(segments, mentions, known, language=language, participants=participants)


def said(quotes: list[Quote]) -> list[tuple[str, str, str]]:
    return [(q.speaker.last, q.text, q.kind) for q in quotes]


# (paragraph, people, expected (speaker surname, quoted words)) — every form with a speaker found
SPEAKER_CASES = [
    ("В.Путин: «Мы будем работать дальше».", (PUTIN,), [("Путин", "Мы будем работать дальше")]),
    ("«Ситуация сложная», — заявил Лавров.", (LAVROV,), [("Лавров", "Ситуация сложная")]),
    ("«Ситуация сложная» — заявила Захарова.", (ZAKHAROVA,), [("Захарова", "Ситуация сложная")]),
    ("«Переговоры прошли хорошо», – подчеркнул Песков.", (PESKOV,), [("Песков", "Переговоры прошли хорошо")]),
    ("«Работа идёт», - сказал Сергей Шойгу журналистам.", (SHOIGU,), [("Шойгу", "Работа идёт")]),
    ("«Мы готовы!» — ответил Токаев.", (TOKAYEV,), [("Токаев", "Мы готовы!")]),
    ("«Когда начнём?» — спросил Шойгу.", (SHOIGU,), [("Шойгу", "Когда начнём?")]),
    ("«Сроки сдвинуты», — написала Захарова в своём канале.", (ZAKHAROVA,), [("Захарова", "Сроки сдвинуты")]),
    (
        "«Работа продолжается, — сказал Лавров. — Итоги подведём позже».",
        (LAVROV,),
        [("Лавров", "Работа продолжается"), ("Лавров", "Итоги подведём позже")],
    ),
    ("По словам Лаврова, «диалог будет продолжен».", (LAVROV,), [("Лавров", "диалог будет продолжен")]),
    ("Как отметил Силуанов, «бюджет сбалансирован».", (SILUANOV,), [("Силуанов", "бюджет сбалансирован")]),
    ("Шойгу заявил: «Задачи выполнены».", (SHOIGU,), [("Шойгу", "Задачи выполнены")]),
    ("Песков сообщил, что «график не менялся».", (PESKOV,), [("Песков", "график не менялся")]),
    (
        "Шойгу заявил: «Проект „Северный путь“ и «Росатом» нам важны».",
        (SHOIGU,),
        [("Шойгу", "Проект „Северный путь“ и «Росатом» нам важны")],
    ),
    ('"We are ready to talk," said Lavrov.', (LAVROV_EN,), [("Lavrov", "We are ready to talk")]),
    ("“We are ready to talk,” Lavrov said.", (LAVROV_EN,), [("Lavrov", "We are ready to talk")]),
    (
        "Peskov said: “The schedule has not changed.”",
        (PESKOV_EN,),
        [("Peskov", "The schedule has not changed.")],
    ),
    ("According to Peskov, “nothing is decided”.", (PESKOV_EN,), [("Peskov", "nothing is decided")]),
    (
        '"Talks will go on," said the Kremlin spokesman, Dmitry Peskov.',
        (PESKOV_EN,),
        [("Peskov", "Talks will go on")],
    ),
    ("“Are we ready?” asked Peskov.", (PESKOV_EN,), [("Peskov", "Are we ready?")]),
    (
        "“The plan ‘North’ works,” said Dmitry Peskov.",
        (PESKOV_EN,),
        [("Peskov", "The plan ‘North’ works")],
    ),
]


@pytest.mark.parametrize(("text", "people", "expected"), SPEAKER_CASES)
def test_quote_forms_with_their_speaker(
    text: str, people: tuple[PersonName, ...], expected: list[tuple[str, str]]
) -> None:
    language = "en" if text.isascii() or "“" in text else "ru"
    found = run(text, people=people, language=language)
    assert [(q.speaker.last, q.text) for q in found] == expected
    for quote in found:
        assert text[quote.start : quote.end] == quote.text  # the words only, no quote marks
        assert quote.kind == "quote"


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("Компания «Роскосмос» сообщила о запуске.", ()),  # marks around a name
        ("«Всё будет хорошо».", (PUTIN,)),  # no speaker at all
        ("Он прочитал книгу «Война и мир», — сказал мне друг.", ()),  # nobody named
        ("«Ситуация сложная», — заявил Иванов.", (parse_name("Сергей Иванов"), parse_name("Иван Иванов"))),
        ("«Ситуация сложная», — заявил Иванов.", ()),  # a bare surname nobody in the text has
        ("«Ситуация сложная», — сказал министр.", ()),  # a role with nobody named
        ("Премия «Золотой орёл» вручена, — Лавров приехал.", (LAVROV,)),  # no speech verb
        ('The "Arctic" forum opened, Lavrov arrived.', (LAVROV_EN,)),
        ("«Открытая кавычка без закрытой, — сказал Лавров.", (LAVROV,)),
        ("«Работа продолжается, — сказал он. — Итоги позже».", (LAVROV,)),  # a pronoun names nobody
        ('"It went well," he said.', (LAVROV_EN,)),
        ("«Удары нанесены», — сообщили в Минобороны России.", ()),  # a body, not a person
        ('"Strikes were made," the Defence Ministry of Russia said.', ()),
    ],
)
def test_no_speaker_no_quote(text: str, people: tuple[PersonName, ...]) -> None:
    assert run(text, people=people) == []


def test_a_bare_role_needs_exactly_one_person_with_it_nearby() -> None:
    intro = "Министр иностранных дел Сергей Лавров провёл переговоры в Москве."
    quote = "«Переговоры были полезными», — сказал министр."
    text = f"{intro} {quote}"
    one = run(text, people=(LAVROV,), mentions=(per(text, "Сергей Лавров", "Сергей Лавров"),))
    assert said(one) == [("Лавров", "Переговоры были полезными", "quote")]

    two = f"{intro} Министр финансов Антон Силуанов также выступил. {quote}"
    mentions = (per(two, "Сергей Лавров", "Сергей Лавров"), per(two, "Антон Силуанов", "Антон Силуанов"))
    assert run(two, people=(LAVROV, SILUANOV), mentions=mentions) == []

    # the role from a participant's position, where the text names nobody beside it
    row = Participant(SILUANOV, position="Министр финансов Российской Федерации", source="list")
    assert said(run(quote, people=(SILUANOV,), participants=(row,)))[0][0] == "Силуанов"


def test_an_english_role_resolves_to_the_one_person_named_with_it() -> None:
    text = 'Foreign Minister Sergei Lavrov met his counterpart. "It went well," the minister said.'
    found = run(
        text, people=(LAVROV_EN,), mentions=(per(text, "Sergei Lavrov", "Sergei Lavrov"),), language="en"
    )
    assert said(found) == [("Lavrov", "It went well", "quote")]


def test_initials_resolve_to_the_person_named_in_full() -> None:
    found = run("В.Путин: «Спасибо всем».", people=(PUTIN, parse_name("Мария Путина")))
    assert found[0].speaker == PUTIN


def test_transcript_turns_inside_running_text() -> None:
    text = (
        "Москва, Кремль С.Шойгу: Товарищ Верховный Главнокомандующий! Задачи выполнены. "
        "М.Захарова Захарова Мария Владимировна официальный представитель МИД России : Добрый день. "
        "Вопрос (как слышно): Когда будет ответ? С.Шойгу: Скоро, «Север» уже готов."
    )
    found = run(text, people=(SHOIGU,))
    assert said(found) == [
        ("Шойгу", "Товарищ Верховный Главнокомандующий! Задачи выполнены.", "turn"),
        ("Захарова", "Добрый день.", "turn"),  # full name from the glued tooltip
        ("Шойгу", "Скоро, «Север» уже готов.", "turn"),  # the question is nobody's quote
    ]
    assert found[1].speaker.first == "Мария"
    assert all(text[q.start : q.end] == q.text for q in found)


def test_a_turn_runs_across_paragraphs_to_the_next_header_only() -> None:
    found = run(
        "К.Токаев: Начну с главного.",
        "Мы подписали соглашение.",
        "В.Путин: Спасибо.",
        "Президент затем посетил выставку.",  # after the last turn, no header follows: not a turn
        people=(PUTIN, TOKAYEV),
    )
    assert [(q.segment, q.speaker.last, q.text) for q in found] == [
        (1, "Токаев", "Начну с главного."),
        (2, "Токаев", "Мы подписали соглашение."),
        (3, "Путин", "Спасибо."),
    ]


def test_the_last_turn_ends_at_the_site_footer() -> None:
    found = run(
        "В.Путин: Добрый день. Д.Песков: Всё готово.",
        "Продолжим работу. <…> Темы Внешняя политика Статус материала Опубликован в разделах: Новости",
        people=(PUTIN, PESKOV),
    )
    assert said(found)[-1] == ("Песков", "Продолжим работу.", "turn")


def test_header_words_inside_a_sentence_are_no_turn() -> None:
    assert run("Об этом как раз сказал В.Путин: надо работать.", people=(PUTIN,)) == []


def test_quotes_inside_a_turn_are_the_turn() -> None:
    found = run("В.Путин: Как сказал Лавров, «всё решено». Д.Песков: Да.", people=(PUTIN, PESKOV, LAVROV))
    assert [q.kind for q in found] == ["turn", "turn"]


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("«a «b» c»", ["a «b» c"]),
        ("«a „b“ c» и «d»", ["a „b“ c", "d"]),
        ("“a ‘b’ c”", ["a ‘b’ c"]),
        ('say "a b" and "c"', ["a b", "c"]),
        ("«unclosed", []),
        ("", []),
    ],
)
def test_quoted_spans_nest(text: str, spans: list[str]) -> None:
    assert [text[a:b] for a, b in quoted_spans(text)] == spans


def test_a_full_name_header_ends_the_turn_before_it_even_unresolved() -> None:
    # "Патриарх Кирилл Кирилл Патриарх Московский и всея Руси :" names nobody with a surname: the Patriarch's
    # words are not the President's.
    text = (
        "В.Путин: Поздравляю Вас. Митрополит Иларион Иларион митрополит Будапештский и Венгерский : Благодарю Вас. "
        "В.Путин: Спасибо."
    )
    assert said(run(text, people=(PUTIN,))) == [
        ("Путин", "Поздравляю Вас.", "turn"),
        ("Путин", "Спасибо.", "turn"),
    ]
    tooltip = "В.Путин: Добрый день. Сергей Шойгу Шойгу Сергей Кужугетович Секретарь Совета Безопасности : Доброе утро."
    assert said(run(tooltip, people=(PUTIN, SHOIGU)))[-1] == ("Шойгу", "Доброе утро.", "turn")


def test_a_name_the_entity_stage_found_heads_a_turn() -> None:
    text = "В.Путин: Рад видеть. Мария Захарова: Спасибо, Владимир Владимирович."
    mention = per(text, "Мария Захарова", "Мария Захарова")
    assert said(run(text, people=(PUTIN, ZAKHAROVA), mentions=(mention,)))[-1] == (
        "Захарова",
        "Спасибо, Владимир Владимирович.",
        "turn",
    )
    assert len(run(text, people=(PUTIN, ZAKHAROVA))) == 1  # without the entity, "Мария Захарова:" is Putin's


def test_page_boxes_inside_a_transcript_are_nobody_s_words() -> None:
    text = (
        "В.Путин: На что обратить внимание? Смотрите также Назначен губернатор 5 марта 2025 года "
        "А.Цыбульский: На дороги."
    )
    found = run(text, people=(PUTIN, parse_name("Александр Цыбульский")))
    assert said(found) == [
        ("Путин", "На что обратить внимание?", "turn"),
        ("Цыбульский", "На дороги.", "turn"),
    ]


def test_english_transcript_turns_by_paragraph() -> None:
    siluanov = parse_name("Anton Siluanov", "en")
    putin = parse_name("Vladimir Putin", "en")
    found = run(
        "The meeting was attended by Finance Minister Anton Siluanov.",
        "* * *",
        "President of Russia Vladimir Putin: Good afternoon, colleagues.",
        "We will discuss the budget.",
        "Finance Minister Anton Siluanov: Thank you, Mr President.",
        "Alexei Kudrin: From 3% to 5%.",  # heads one turn, nobody found him: ends the turn before, no quote
        "Vladimir Putin: Good.",
        "Let us move on.",  # below the separator the last turn runs to the end
        people=(putin, siluanov),
        language="en",
    )
    assert [(q.segment, q.speaker.last, q.text) for q in found] == [
        (3, "Putin", "Good afternoon, colleagues."),
        (4, "Putin", "We will discuss the budget."),
        (5, "Siluanov", "Thank you, Mr President."),
        (7, "Putin", "Good."),
        (8, "Putin", "Let us move on."),
    ]


def test_an_english_name_and_colon_once_in_a_text_is_no_turn() -> None:
    assert run("Moscow Region: the roads were repaired.", "The work goes on.", language="en") == []


# Pieces of quotes and headers that hostile or broken text may mix in any order.
_PIECES = st.sampled_from(
    ["«", "»", "„", "“", "”", '"', "‘", "’", ":", " : ", "— сказал", "said", "В.Путин:", "Д.Песков Песков Дмитрий ",
     "Вопрос:", "* * *", "<…>", "Статус материала", "Смотрите также", "5 марта 2025 года", "Vladimir Putin: ",
     "по словам Лаврова,", "According to Peskov,", "министр", "\n", " ", ".", "Лавров", "Lavrov", "Mr Peskov"]
)  # fmt: skip


@settings(deadline=None)
@given(st.lists(st.lists(_PIECES | st.text(max_size=8), max_size=30).map("".join), min_size=1, max_size=4))
def test_any_text_gives_quotes_inside_it(paragraphs: list[str]) -> None:
    found = run(*paragraphs, people=(PUTIN, PESKOV, LAVROV, PESKOV_EN, LAVROV_EN))
    for quote in found:
        text = paragraphs[quote.segment - 1]
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start : quote.end] == quote.text and quote.text == quote.text.strip()
        assert quote.kind in {"quote", "turn"} and quote.speaker.last


def test_a_full_name_before_a_colon_is_the_speaker_of_the_quote() -> None:
    text = "Мария Захарова: «Ответ будет дан»."
    found = run(text, people=(ZAKHAROVA,), mentions=(per(text, "Мария Захарова", "Мария Захарова"),))
    assert said(found) == [("Захарова", "Ответ будет дан", "quote")]


@pytest.mark.parametrize(
    ("text", "name", "normal"),
    [
        (
            'Помощник Хиллари Клинтон заявил, что "переговоры продолжатся".',
            "Хиллари Клинтон",
            "Хиллари Клинтон",
        ),
        ("Песков прокомментировал слова Лаврова: «Ответ будет».", "Лаврова", "Лавров"),
        ("«Ответ будет», — сказал адвокат Сергея Лаврова.", "Сергея Лаврова", "Сергей Лавров"),
    ],
)
def test_a_name_that_is_not_the_subject_is_not_the_speaker(text: str, name: str, normal: str) -> None:
    people = (parse_name(normal), PESKOV)
    assert run(text, people=people, mentions=(per(text, name, normal),)) == []


@pytest.mark.parametrize(
    ("text", "people", "speaker"),
    [
        ("Как сообщил А. Кудрин, «бюджет будет исполнен».", (parse_name("Алексей Кудрин"),), "Кудрин"),
        (
            "«Мы на критическом этапе», сказал руководитель комитета Джоэл Саймон.",
            (parse_name("Джоэл Саймон"),),
            "Саймон",
        ),
        (
            "«Это было неожиданно», – сказал в беседе с корреспондентом «Голоса Америки» лидер движения Александр Белов.",
            (),
            "Белов",
        ),
    ],
)
def test_news_conventions_seen_in_real_russian_news(
    text: str, people: tuple[PersonName, ...], speaker: str
) -> None:
    found = run(text, people=people)
    assert [q.speaker.last for q in found] == [speaker]


def test_a_header_name_is_read_as_written_in_the_nominative() -> None:
    # "А.Слугина" is a woman's name in the nominative, not the genitive of "Слугин"
    found = run("В.Путин: Как дела? А.Слугина: Всё налажено. Н.Черкашина: Спасибо.", people=(PUTIN,))
    assert [q.speaker.last for q in found] == ["Путин", "Слугина", "Черкашина"]
