"""Glossary: the bundled terms, TOML files, matching through Russian inflection, placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest

from osiwire.config import TranslateConfig
from osiwire.errors import ConfigError
from osiwire.translate.glossary import (
    Glossary,
    Term,
    bundled_terms,
    contains_term,
    load_glossary,
    parse_glossary,
)
from osiwire.translate.protection import PLACEHOLDER_PREFIX, protect, restore


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary(bundled_terms())


def _found(glossary: Glossary, sentence: str, lang: str = "ru") -> list[tuple[str, str]]:
    return [(m.text, m.term.target) for m in glossary.find(sentence, lang, "en")]


def test_bundled_glossary_covers_the_region(glossary: Glossary) -> None:
    ru = {t.source: t.target for t in glossary.terms_for("ru", "en")}
    assert len(ru) >= 40
    assert ru["ОДКБ"] == "CSTO"
    assert ru["ШОС"] == "SCO"
    assert ru["СНГ"] == "CIS"
    assert ru["ЕАЭС"] == "EAEU"
    assert ru["Совет Безопасности Российской Федерации"] == "Security Council of the Russian Federation"
    assert ru["Секретарь Совета Безопасности"] == "Secretary of the Security Council"
    assert ru["Государственная Дума"] == "State Duma"
    assert ru["Администрация Президента"] == "Presidential Executive Office"
    for lang in ("kk", "ky", "hy", "be", "uk"):
        assert any(t.target == "CSTO" for t in glossary.terms_for(lang, "en")), lang


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Заседание Совета Безопасности Российской Федерации.",
            [("Совета Безопасности Российской Федерации", "Security Council of the Russian Federation")],
        ),
        (
            "Путин встретился с Секретарём Совета Безопасности Российской Федерации.",  # ё in the text
            [
                (
                    "Секретарём Совета Безопасности Российской Федерации",
                    "Secretary of the Security Council of the Russian Federation",
                )
            ],
        ),
        ("Депутаты Государственной Думы", [("Государственной Думы", "State Duma")]),
        ("В Администрации Президента", [("Администрации Президента", "Presidential Executive Office")]),
        ("Представители МИДа и ОДКБ", [("МИДа", "Foreign Ministry"), ("ОДКБ", "CSTO")]),
        ("Генеральный секретарь ОДКБ прибыл", [("Генеральный секретарь ОДКБ", "CSTO Secretary General")]),
        (
            "с Вооружёнными Силами Российской Федерации",
            [("Вооружёнными Силами Российской Федерации", "Armed Forces of the Russian Federation")],
        ),
        ("Пресс-секретарю Президента", [("Пресс-секретарю Президента", "Presidential Press Secretary")]),
        ("заседание Совбеза России", [("Совбеза России", "Security Council of the Russian Federation")]),
        ("СОВЕТ ФЕДЕРАЦИИ", [("СОВЕТ ФЕДЕРАЦИИ", "Federation Council")]),  # an all-capitals headline
        # Lower case is a common noun, not the institution; acronyms only match in capitals.
        ("совет федерации и мид", []),
        # Punctuation and dashes break a term.
        ("Совета, Безопасности Российской Федерации", []),
        ("Совет – Федерации", []),
        # Hostile and empty inputs.
        ("", []),
        ("...!!!", []),
        ("ОДКБ" * 1000, []),
        ("🙂 ОДКБ 🙂", [("ОДКБ", "CSTO")]),
        ("ZQX1 ОДКБ", [("ОДКБ", "CSTO")]),
    ],
)
def test_find_sees_through_inflection(
    glossary: Glossary, sentence: str, expected: list[tuple[str, str]]
) -> None:
    assert _found(glossary, sentence) == expected


def test_longest_term_wins_and_matches_do_not_overlap(glossary: Glossary) -> None:
    sentence = "Секретарь Совета Безопасности Российской Федерации и Совет Безопасности ООН"
    assert [t for _, t in _found(glossary, sentence)] == [
        "Secretary of the Security Council of the Russian Federation",
        "UN Security Council",
    ]


def test_other_languages_match_as_written(glossary: Glossary) -> None:
    assert _found(glossary, "ҰҚШҰ саммиті", "kk") == [("ҰҚШҰ", "CSTO")]
    assert _found(glossary, "Սամիթ ՀԱՊԿ-ում", "hy") == [("ՀԱՊԿ", "CSTO")]
    assert _found(glossary, "ОДКБ", "de") == []  # no de-en terms


def test_match_offsets_point_into_the_sentence(glossary: Glossary) -> None:
    sentence = "В Москве прошло заседание Совета Федерации."
    (match,) = glossary.find(sentence, "ru", "en")
    assert sentence[match.start : match.end] == match.text == "Совета Федерации"


def test_missing_and_contains_term(glossary: Glossary) -> None:
    source = "ОДКБ и ШОС провели встречу."
    assert glossary.missing(source, "The CSTO and the SCO met.", "ru", "en") == []
    assert [t.target for t in glossary.missing(source, "The CSTO and the Sco met.", "ru", "en")] == ["SCO"]
    assert contains_term("Special military operation goes on.", "special military operation")
    assert contains_term("«Special military operation»", "special military operation")
    assert not contains_term("the Special Military Operation", "special military operation")


def test_with_terms_is_the_hook_for_names(glossary: Glossary) -> None:
    named = glossary.with_terms({"Патрушев": "Patrushev", "Николай Патрушев": "Nikolai Patrushev"}, "enrich")
    assert _found(named, "Встреча с Николаем Патрушевым и Патрушеву.") == [
        ("Николаем Патрушевым", "Nikolai Patrushev"),
        ("Патрушеву", "Patrushev"),
    ]
    assert _found(glossary, "Патрушеву") == []  # the original glossary is unchanged
    assert next(t for t in named.terms if t.target == "Patrushev").origin == "enrich"
    assert len(named) == len(glossary) + 2


def test_parse_both_formats() -> None:
    text = """
[ru.en]
"ОДКБ" = "CSTO"

[[term]]
source = "Совет Безопасности"
target = "Security Council"
source_lang = "ru"
forms = ["Совбез"]
"""
    terms = parse_glossary(text, "test.toml")
    assert terms == [
        Term("ОДКБ", "CSTO", "ru", "en", (), "test.toml"),
        Term("Совет Безопасности", "Security Council", "ru", "en", ("Совбез",), "test.toml"),
    ]
    assert _found(Glossary(terms), "Совбеза") == [("Совбеза", "Security Council")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[ru.en\n", "not valid TOML"),
        ('[russian.en]\n"a" = "b"\n', "ISO 639-1"),
        ('[ru.EN]\n"a" = "b"\n', "ISO 639-1"),
        ('ru = "en"\n', "must hold tables"),
        ("[ru.en]\na = 1\n", '"source" = "target"'),
        ('[[term]]\nsource = "a"\nsource_lang = "ru"\n', "needs target"),
        ('[[term]]\ntarget = "a"\nsource_lang = "ru"\n', "needs source"),
        ('[[term]]\nsource = "a"\ntarget = "b"\n', "source_lang"),
        ('[[term]]\nsource = "a"\ntarget = "b"\nsource_lang = "ru"\nforms = "c"\n', "list of forms"),
        ('[[term]]\nsource = "a"\ntarget = "b"\nsource_lang = "ru"\ncolour = "c"\n', "only source"),
        ('term = "x"\n', "list of tables"),
        ('[ru.en]\n"..." = "dots"\n', "has no words"),
    ],
)
def test_bad_files_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"bad\.toml") as error:
        parse_glossary(text, "bad.toml")
    assert message in str(error.value)


def test_user_file_goes_on_top_of_the_bundled_one(tmp_path: Path) -> None:
    (tmp_path / "glossary.toml").write_text(
        '[ru.en]\n"ОДКБ" = "C.S.T.O."\n"ШОС" = ""\n"Росатом" = "Rosatom"\n', encoding="utf-8"
    )
    glossary = load_glossary(TranslateConfig(), tmp_path)
    assert _found(glossary, "ОДКБ, ШОС и Росатом") == [("ОДКБ", "C.S.T.O."), ("Росатом", "Rosatom")]


def test_glossary_file_setting(tmp_path: Path) -> None:
    (tmp_path / "terms.toml").write_text('[kk.en]\n"Ақорда" = "Akorda"\n', encoding="utf-8")
    glossary = load_glossary(TranslateConfig(glossary_file="terms.toml"), tmp_path)
    assert _found(glossary, "Ақорда", "kk") == [("Ақорда", "Akorda")]
    assert _found(glossary, "ОДКБ") == [("ОДКБ", "CSTO")]  # the bundled terms stay
    with pytest.raises(ConfigError, match="does not exist"):
        load_glossary(TranslateConfig(glossary_file="missing.toml"), tmp_path)
    assert len(load_glossary(TranslateConfig(), tmp_path / "nowhere")) == len(bundled_terms())


def test_placeholders_round_trip(glossary: Glossary) -> None:
    sentence = "Заседание Совета Безопасности Российской Федерации и ОДКБ."
    protected = protect(sentence, glossary.find(sentence, "ru", "en"))
    assert protected.text == f"Заседание {PLACEHOLDER_PREFIX}1 и {PLACEHOLDER_PREFIX}2."
    restored = restore("Meeting of ZQX1 and ZQX2.", protected)
    assert restored.intact
    assert restored.text == "Meeting of Security Council of the Russian Federation and CSTO."


@pytest.mark.parametrize(
    ("output", "text", "lost", "stray"),
    [
        ("zqx2 and zqx1", "CSTO and Security Council", (), False),  # lower-cased and reordered
        ("Z Q X 1, ZQX-2", "Security Council, CSTO", (), False),  # spaced out
        ("ZQX1 only", "Security Council only", ("CSTO",), False),  # a token lost
        ("ZQX1 ZQX2 ZQX7", "Security Council CSTO ZQX7", (), True),  # a token never sent
        ("«zqx1» zqx2", "«Security Council» CSTO", (), False),  # opening quote: still capitalised
    ],
)
def test_restore_is_tolerant_and_reports_damage(
    glossary: Glossary, output: str, text: str, lost: tuple[str, ...], stray: bool
) -> None:
    sentence = "Совет Безопасности и ОДКБ"
    protected = protect(sentence, glossary.find(sentence, "ru", "en"))
    restored = restore(output, protected)
    if lost:
        assert restored.text.startswith("Security Council")
    else:
        assert restored.text == text
    assert tuple(t.target for t in restored.lost) == lost
    assert restored.stray is stray


def test_sentences_with_placeholder_lookalikes_are_left_alone(glossary: Glossary) -> None:
    sentence = "Код zqx12 у ОДКБ"
    assert protect(sentence, glossary.find(sentence, "ru", "en")).text == sentence


def test_a_term_opening_the_sentence_is_capitalised() -> None:
    terms = [Term("специальная военная операция", "special military operation", "ru", "en")]
    sentence = "Специальная военная операция продолжается."
    protected = protect(sentence, Glossary(terms).find(sentence, "ru", "en"))
    assert restore("ZQX1 continues.", protected).text == "Special military operation continues."
    assert restore("It is ZQX1.", protected).text == "It is special military operation."
