"""Language ID for the region's 12 languages on made-up text: sentences, headlines, both Uzbek scripts, the
letters each language owns, priors, mixed and short text, languages outside the region."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from langid_samples import SENTENCES
from osiwire.extract.langid_data import first_words
from osiwire.extract.language import (
    UNDETERMINED,
    UZBEK_CYRILLIC,
    LanguageGuess,
    _missing_letters,
    get_detector,
    owned_counts,
)
from osiwire.extract.ngrams import NgramModel

CASES = [(lang, s) for lang, sentences in SENTENCES.items() for s in sentences]


@pytest.mark.parametrize(("lang", "text"), CASES)
def test_made_up_news_sentences(lang: str, text: str) -> None:
    guess = get_detector().detect(text)
    assert guess.lang == lang
    assert 0.5 <= guess.score <= 1.0


@pytest.mark.parametrize(("lang", "text"), CASES)
def test_made_up_headlines_of_three_words(lang: str, text: str) -> None:
    assert get_detector().detect(first_words(text)).lang == lang


@pytest.mark.parametrize(
    "text",
    [
        "Oʻzbekiston Respublikasi Vazirlar Mahkamasi yangi qaror qabul qildi.",
        "O'zbekiston Respublikasi Vazirlar Mahkamasi yangi qaror qabul qildi.",  # ASCII apostrophe
        "O‘zbekiston Respublikasi Vazirlar Mahkamasi yangi qaror qabul qildi.",  # typographic quote
        "Ўзбекистон Республикаси Вазирлар Маҳкамаси янги қарор қабул қилди.",
        "ЎЗБЕКИСТОН РЕСПУБЛИКАСИ ВАЗИРЛАР МАҲКАМАСИ ЯНГИ ҚАРОР ҚАБУЛ ҚИЛДИ.",
        "Вазирлар Маҳкамаси қарори",
        "Vazirlar Mahkamasi qarori",
    ],
)
def test_uzbek_is_uz_in_both_scripts(text: str) -> None:
    assert get_detector().detect(text).lang == "uz"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("kk", "Үкімет отырысы өтті"),  # Kazakh ү ө і
        ("ky", "Өкмөттүн жыйыны өттү"),  # Kyrgyz ө ү, no Kazakh і ә
        ("tg", "Ҷаласаи ҳукумат баргузор шуд"),  # Tajik ҷ ҳ
        ("uk", "Її відповідь єдина"),  # Ukrainian ї є
        ("be", "Ўрад правёў пасяджэнне"),  # Belarusian ў with і/э and no и
        ("az", "Hökumət iclası keçirildi"),  # Azerbaijani ə
        ("tk", "Hökümetiň mejlisi geçirildi"),  # Turkmen ň
    ],
)
def test_letters_a_language_owns(lang: str, text: str) -> None:
    assert get_detector().detect(text).lang == lang


def test_russian_never_becomes_ukrainian_or_belarusian_over_a_name() -> None:
    detector = get_detector()
    for text in [
        "Президент Украины прибыл в Київ после переговоров в Брюсселе, сообщила пресс-служба.",
        "Глава государства посетил Қарағанды и встретился с жителями области.",
        "Делегация посетила Мінск и провела переговоры с белорусскими коллегами.",
    ]:
        assert detector.detect(text).lang == "ru", text


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # ы э ё ъ rule out Ukrainian, и щ ъ Belarusian, і ї є ґ ў Russian, ї є ґ Belarusian, ў Ukrainian.
        ("ru", "Мы были рады видеть вас."),
        ("ru", "Где ты живёшь?"),
        ("ru", "Президент подписал указ."),
        ("uk", "Вона приїхала до Києва."),
        ("uk", "Скільки коштує квиток?"),
        ("uk", "Президент підписав указ."),
        ("be", "Прэзідэнт падпісаў указ."),
        ("be", "Сёння ў Мінску цёпла."),
        ("be", "Мама зварыла суп для ўсёй сям'і."),
    ],
)
def test_letters_that_rule_out_russian_ukrainian_or_belarusian(lang: str, text: str) -> None:
    assert get_detector().detect(text).lang == lang


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("uk", "Не бреши Тому."),  # as good Russian as Ukrainian
        ("uk", "Я тебе кохаю."),
        ("uk", "Добрий день, друже."),
        ("uk", "Я люблю свою роботу."),
        ("ru", "Я люблю свою работу."),
        ("be", "Мой горад самы прыгожы."),
    ],
)
def test_short_east_slavic_line_without_telling_letters_is_never_a_loose_guess(lang: str, text: str) -> None:
    guess = get_detector().detect(text)
    assert guess.lang in (lang, UNDETERMINED)
    assert guess.lang == UNDETERMINED or guess.score >= 0.9


def test_a_prior_still_settles_a_short_east_slavic_line() -> None:
    assert get_detector().detect("Я тебе кохаю.", prior="uk").lang == "uk"


@pytest.mark.parametrize(
    ("text", "lang", "latin", "counts"),
    [
        ("қазақстан республикасы", "kk", False, (2, 21)),
        ("кыргызстандын өкмөтү", "ky", False, (3, 19)),
        ("кыргызстандын өкмөтү", "kk", False, (3, 19)),  # ө is Kazakh's too
        ("oʻzbekiston va o'zbek tili, g'alaba", "uz", True, (3, 27)),  # ʻ ' both count; not letters
        ("azərbaycan dili", "az", True, (1, 14)),
        ("azərbaycan dili", "uz", True, (0, 14)),
        ("президент", "ru", False, (0, 9)),  # Russian owns no letter
    ],
)
def test_owned_counts(text: str, lang: str, latin: bool, counts: tuple[int, int]) -> None:
    assert owned_counts(text, lang, latin) == counts


def test_missing_letters_cost_what_their_rate_expects() -> None:
    assert _missing_letters(0, 40, 0.15) == pytest.approx(-6.0)  # six expected, none written
    assert _missing_letters(3, 40, 0.15) == pytest.approx(3 * math.log(2) - 3)
    assert _missing_letters(6, 40, 0.15) == 0.0
    assert _missing_letters(12, 40, 0.15) == 0.0  # more than expected: no cost (others pay for them)


def test_shipped_model_knows_how_often_each_language_writes_its_letters() -> None:
    import osiwire

    model = NgramModel.load(Path(osiwire.__file__).parent / "data" / "langid-ngrams.npz")
    rates = dict(zip(model.languages, model.owned_rates.tolist(), strict=True))
    assert 0.1 < rates["kk"][0] < 0.2 and 0.1 < rates["az"][1] < 0.25  # Cyrillic, Latin
    assert 0.0 < rates["uz"][1] < rates[UZBEK_CYRILLIC][0]  # oʻ gʻ are rarer than ў қ ғ ҳ
    assert rates["uz"][0] == 0.0 and rates[UZBEK_CYRILLIC][1] == 0.0  # Uzbek's columns: one script each
    assert rates["ru"] == [0.0, 0.0] and rates["en"] == [0.0, 0.0]


def test_an_old_model_file_without_rates_still_loads(tmp_path: Path) -> None:
    import numpy as np

    path = tmp_path / "old.npz"
    np.savez_compressed(
        path,
        table=np.zeros((4, 2), dtype=np.int8),
        scale=np.float32(0.1),
        languages=np.array(["ru", "uk"]),
        bits=2,
    )
    assert NgramModel.load(path).owned_rates.tolist() == [[0.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize(
    "text",
    [
        "Bu haqda oʻz fikrini bildirdi.",
        "Vazir bu masalani oʻrganib chiqdi.",
        "Yangi yoʻl qurilishi boshlandi.",
    ],
)
def test_uzbek_marks_are_uzbek(text: str) -> None:
    assert get_detector().detect(text).lang == "uz"


@pytest.mark.parametrize(
    "text",
    [
        "Бишкекте жолугушуу болду.",  # уу, and no ң ө ү
        "Министр жаштар менен жолугушууда сүйлөдү.",
        "Талас шаарында жаңы мектеп куруу башталды.",
    ],
)
def test_kyrgyz_long_vowels_are_kyrgyz(text: str) -> None:
    assert get_detector().detect(text).lang == "ky"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "President Enrique Peña Nieto met the delegation in Mexico City."),
        ("es", "El señor Peña llegó a Moscú ayer por la mañana."),
    ],
)
def test_n_tilde_outside_turkmen_stays_itself(lang: str, text: str) -> None:
    assert get_detector().detect(text).lang == lang


def test_homoglyphs_in_cyrillic_words() -> None:
    # Latin i typed for Ukrainian і inside Cyrillic words (as in Tatoeba's Ukrainian).
    assert get_detector().detect("Посмiхнись зараз, поплачеш потiм, менi байдуже.").lang == "uk"


@pytest.mark.parametrize("text", ["", "   ", "2025", "12:00 – 13:30", "+7 (495) 123-45-67", "№ 15/2025", "—"])
def test_numbers_only_have_no_language(text: str) -> None:
    assert get_detector().detect(text) == LanguageGuess("", 0.0)


@pytest.mark.parametrize("text", ["Да", "OK", "и", "№ 5 а"])
def test_one_or_two_letters_are_undetermined(text: str) -> None:
    assert get_detector().detect(text) == LanguageGuess(UNDETERMINED, 0.0)


@pytest.mark.parametrize(
    "text",
    [
        "Президент провёл встречу. The president held a meeting.",
        "Prezident uchrashdi. Президент провёл встречу с делегацией.",
    ],
)
def test_too_mixed_is_undetermined(text: str) -> None:
    assert get_detector().detect(text).lang == UNDETERMINED


def test_one_word_still_told_by_its_letters() -> None:
    assert get_detector().detect("Қазақстан").lang == "kk"
    assert get_detector().detect("Ўзбекистон").lang == "uz"


def test_a_prior_settles_what_could_be_either() -> None:
    detector = get_detector()
    text = "Не бреши Тому."  # as good Russian as Ukrainian
    assert detector.detect(text, prior="uk").lang == "uk"
    assert detector.detect(text, prior="ru").lang == "ru"
    # Russian loanwords fill the Kyrgyz data: alone, this leans Kyrgyz; in a Russian release it is Russian.
    assert detector.detect("Кабинет министров", prior="ru").lang == "ru"
    assert detector.detect("Министр спорта", prior="ru").lang == "ru"


def test_a_clear_signal_overrides_the_prior() -> None:
    detector = get_detector()
    kazakh = SENTENCES["kk"][0]
    assert detector.detect(kazakh, prior="ru").lang == "kk"
    assert detector.detect(SENTENCES["ru"][0], prior="kk").lang == "ru"
    assert detector.detect(SENTENCES["uz"][0], prior="az").lang == "uz"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("de", "Der Bundeskanzler hat heute mit dem Premierminister von Indien telefoniert."),
        ("fr", "Le ministre des Affaires étrangères a reçu aujourd'hui l'ambassadeur du Japon à Paris."),
        ("mn", "Монгол Улсын Ерөнхийлөгч өнөөдөр Улаанбаатар хотод гадаадын хөрөнгө оруулагчидтай уулзлаа."),
        (
            "tr",
            "Cumhurbaşkanı Erdoğan bugün Ankara'da düzenlenen törende ekonomik reformların süreceğini söyledi.",
        ),
        ("zh", "国家主席今天在北京会见了来访的外国代表团。"),
        ("fa", "رئیس جمهور امروز با هیئت خارجی در تهران دیدار کرد."),
    ],
)
def test_languages_outside_the_region_stay_themselves(lang: str, text: str) -> None:
    assert get_detector().detect(text).lang == lang


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("id", "Presiden meresmikan jembatan baru"),  # short Indonesian: not Azerbaijani
        ("id", "Menteri luar negeri bertemu duta besar Jepang"),
        ("pt", "Ministro recebe embaixador do Japão"),
        ("sr", "Министар спољних послова примио амбасадора"),  # љ: no region language writes it
        ("mk", "Министерот за надворешни работи се сретна со амбасадорот на Јапонија"),
    ],
)
def test_short_text_outside_the_region_is_not_forced_into_it(lang: str, text: str) -> None:
    assert get_detector().detect(text).lang == lang


@pytest.mark.parametrize(
    "text",
    [
        "Onlar şahmat oynayırlar.",  # Azerbaijani, Turkish to the lite model
        "Bu sizin itinizdir.",
        "Bu maşyn arassa",  # Turkmen
    ],
)
def test_short_turkic_text_is_not_taken_for_turkish(text: str) -> None:
    assert get_detector().detect(text).lang in {"az", "tk", "uz"}


def test_scores_are_probabilities() -> None:
    detector = get_detector()
    for _, text in CASES:
        for piece in (text, first_words(text), first_words(text, 1)):
            guess = detector.detect(piece)
            assert 0.0 <= guess.score <= 1.0
            assert (guess.lang in {"", UNDETERMINED}) == (guess.score == 0.0)


def test_shipped_model_is_small() -> None:
    import osiwire

    model = Path(osiwire.__file__).parent / "data" / "langid-ngrams.npz"
    assert model.stat().st_size < 3_000_000
    assert (model.parent / "langid-ngrams.SOURCE.txt").is_file()


def test_lone_surrogates_do_not_reach_the_lite_model() -> None:
    assert get_detector().detect("\ud800 Президент провёл совещание с членами Правительства.").lang == "ru"
    assert get_detector().detect("\udfff\ud800") == LanguageGuess("", 0.0)
