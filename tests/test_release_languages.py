"""The languages of a whole release: per paragraph, per title, the source's language as prior, ``und``, and the
confidence ``osiwire analyze`` reports per paragraph."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from langid_samples import SENTENCES
from osiwire.cli import cli
from osiwire.config import ExtractConfig
from osiwire.extract.article import extract_article
from osiwire.extract.language import UNDETERMINED, LanguageGuess, get_detector, may_mix
from osiwire.extract.release_languages import (
    release_languages,
    segment_confidences,
    segment_guesses,
    sentence_runs,
)
from osiwire.extract.segments import split_paragraphs
from osiwire.model import Article, RawDocument

URL = "https://www.akorda.kz/kz/news/1"
AT = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
KK, RU = SENTENCES["kk"], SENTENCES["ru"]
NEWS_RELEASES = Path("press") / "kremlin-ru" / "releases-2025-02-03.jsonl"


def extract(text: str, title: str = "", hint: str = "") -> Article:
    doc = RawDocument(url=URL, fetched_at=AT, text=text, title=title, language_hint=hint)
    return extract_article(doc, ExtractConfig(), get_detector())


def languages(article: Article) -> list[str]:
    return [s.language for s in article.segments]


def test_kazakh_release_with_russian_paragraphs_keeps_both() -> None:
    article = extract("\n\n".join([KK[0], RU[0], KK[1], RU[1], KK[2]]), title=KK[1], hint="kk")
    assert article.language == "kk"
    assert languages(article) == ["kk", "kk", "ru", "kk", "ru", "kk"]


def test_release_language_is_the_one_holding_most_text() -> None:
    # No configured language: three Russian paragraphs outweigh one Kazakh.
    article = extract("\n\n".join([KK[0], RU[0], RU[1], RU[2]]))
    assert article.language == "ru"
    assert languages(article)[1:] == ["kk", "ru", "ru", "ru"]


def test_kazakh_title_over_a_russian_body() -> None:
    for title in ["Мемлекет басшысы Үкімет отырысын өткізді", "Үкіметтің отырысы өтті"]:
        article = extract("\n\n".join(RU), title=title, hint="ru")
        assert article.language == "ru"
        assert article.segments[0].language == "kk", title
        assert set(languages(article)[1:]) == {"ru"}


def test_short_title_takes_the_body_language() -> None:
    article = extract("\n\n".join(KK), title="Жаңалықтар")  # 10 characters: under the title minimum
    assert languages(article) == ["kk"] * 4


def test_configured_language_is_overridden_by_a_clear_body() -> None:
    article = extract("\n\n".join(RU), hint="kk")  # a Kazakh source publishing in Russian
    assert article.language == "ru"
    assert set(languages(article)) == {"ru"}


def test_uzbek_release_in_both_scripts() -> None:
    latin, cyrillic = SENTENCES["uz"][:2], SENTENCES["uz"][2:]
    for paragraphs in (latin, cyrillic, [latin[0], cyrillic[1]]):
        article = extract("\n\n".join(paragraphs), title=paragraphs[0])
        assert article.language == "uz"
        assert set(languages(article)) == {"uz"}


def test_one_word_empty_and_number_paragraphs_take_the_release_language() -> None:
    paragraphs = [KK[0], "Астана", "2025", "12:00 – 13:30", "+7 (7172) 74-50-50", "Иә.", KK[1]]
    found = release_languages("", paragraphs, "kk", get_detector(), 20)
    assert found.language == "kk"
    assert [g.lang for g in found.paragraphs] == ["kk"] * 7
    assert [g.score for g in found.paragraphs][1:6] == [0.0] * 5  # no evidence of their own
    assert found.paragraphs[0].score > 0.9


def test_nothing_to_tell_and_no_configured_language_is_und() -> None:
    article = extract("12:00\n13:30 – 14:00\n№ 15")
    assert article.language == UNDETERMINED
    assert set(languages(article)) == {UNDETERMINED}


def test_only_short_paragraphs_are_judged_together() -> None:
    found = release_languages("", ["Үкімет отырысы.", "Өңірлер дамиды."], "", get_detector(), 20)
    assert found.language == "kk"


def test_confidences_repeat_extraction() -> None:
    article = extract("\n\n".join([KK[0], "Иә.", RU[0]]), title=KK[1], hint="kk")
    confidence = segment_confidences(
        article, "kk", get_detector(), ExtractConfig().title_min_chars_for_language
    )
    assert confidence[1] > 0.9 and confidence[2] == 0.0 and confidence[3] > 0.9
    assert confidence[0] > 0.9  # the title


def test_analyze_reports_language_and_confidence_per_paragraph(tmp_path: Path) -> None:
    line = {"id": "kz-1", "text": "\n\n".join([KK[0], RU[0], "Иә."]), "title": KK[1], "lang": "kk"}
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path), "analyze", "--jsonl", "-"],
        input=json.dumps(line, ensure_ascii=False) + "\n",
    )
    assert result.exit_code == 0, result.output
    (obj,) = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    assert obj["language"] == "kk"
    paragraphs = obj["paragraphs"]
    assert [p["language"] for p in paragraphs] == ["kk", "ru", "kk"]
    assert paragraphs[0]["confidence"] > 0.9 and paragraphs[1]["confidence"] > 0.9
    assert paragraphs[2]["confidence"] == 0.0
    assert all(0.0 <= p["confidence"] <= 1.0 for p in paragraphs)


def test_a_headline_alone_is_identified_whatever_its_length() -> None:
    for lang, headline in [
        ("uk", "Уряд ухвалив рішення"),
        ("kk", "Үкімет отырысы"),
        ("uz", "Vazirlar Mahkamasi"),
    ]:
        found = release_languages("", [headline], "", get_detector(), 20)
        assert found.language == lang, headline
        assert found.paragraphs[0].lang == lang and found.paragraphs[0].score > 0.5
    assert release_languages("", ["Иә."], "", get_detector(), 20).language == UNDETERMINED


def test_configured_language_is_read_as_the_registry_reads_it() -> None:
    found = release_languages("", ["12:00", "Иә."], "KK-kz", get_detector(), 20)
    assert found.language == "kk"
    assert release_languages("", [RU[0]], "ru_RU", get_detector(), 20).language == "ru"


def test_a_russian_title_of_loanwords_stays_with_its_russian_body() -> None:
    # Alone, "Кабинет министров" leans Kyrgyz (its data is full of Russian loanwords); over a Russian body it
    # is Russian, whatever the Kyrgyz source is configured to.
    article = extract("\n\n".join(RU), title="Кабинет министров республики", hint="ky")
    assert languages(article) == ["ru"] * 4


def test_a_paragraph_mixing_two_languages_lists_both_and_is_not_certain() -> None:
    mixed = " ".join([KK[0], RU[0], KK[1]])  # a Kazakh block with a Russian sentence inside
    found = release_languages("", [mixed, KK[2]], "kk", get_detector(), 20)
    assert found.language == "kk"
    guess = found.paragraphs[0]
    assert guess.lang == "kk" and guess.mixed == ("kk", "ru")
    assert 0.6 <= guess.score < 0.9  # the Kazakh share of its letters, not a single language's 1.0
    assert found.paragraphs[1].mixed == () and found.paragraphs[1].score > 0.9


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("kk", "ru"),
        ("ru", "kk"),
        ("uk", "ru"),
        ("be", "ru"),
        ("ky", "ru"),
        ("tg", "ru"),
        ("az", "en"),
        ("tk", "en"),
    ],
)
def test_an_even_mix_is_not_given_either_language_with_confidence(first: str, second: str) -> None:
    paragraph = f"{SENTENCES[first][0]} {SENTENCES[second][1]}"
    found = release_languages("", [paragraph, SENTENCES[first][2]], first, get_detector(), 20)
    guess = found.paragraphs[0]
    assert set(guess.mixed) == {first, second}
    assert guess.lang == first and guess.score < 0.9


def test_an_even_mix_alone_takes_the_release_language_with_confidence_zero() -> None:
    paragraph = f"{RU[0]} {KK[1]}"
    guess = release_languages("", [paragraph], "", get_detector(), 20).paragraphs[0]
    assert set(guess.mixed) == {"kk", "ru"}
    assert guess.score == 0.0 or guess.score < 0.7


def test_two_scripts_sentence_by_sentence_are_two_languages() -> None:
    paragraph = "Президент провёл встречу с делегацией. The president held a meeting with the delegation."
    guess = release_languages("", [paragraph], "ru", get_detector(), 20).paragraphs[0]
    assert set(guess.mixed) == {"ru", "en"}


@pytest.mark.parametrize("lang", ["ru", "uk", "be", "kk", "ky", "tg", "uz", "az", "tk", "en"])
def test_one_language_over_several_sentences_is_not_mixed(lang: str) -> None:
    paragraph = " ".join(SENTENCES[lang])
    guess = release_languages("", [paragraph], lang, get_detector(), 20).paragraphs[0]
    assert guess.mixed == () and guess.lang == lang and guess.score > 0.9


@pytest.mark.parametrize(
    ("text", "lang", "may"),
    [
        ("Компания Google открыла офис в Москве. Об этом сообщил директор.", "ru", False),
        ("Президент провёл встречу. The president held a long meeting with them.", "ru", True),
        ("Президент провёл встречу в Астане. Үкімет отырысы өтті.", "ru", True),  # Kazakh letters
        ("The minister met the delegation. Министр встретился с делегацией сегодня.", "en", True),
        ("The minister met the delegation. It was a long meeting.", "en", False),
        ("Үкімет отырысы өтті. Шешім қабылданды.", "kk", True),  # not Russian or English: always read
    ],
)
def test_which_paragraphs_are_read_sentence_by_sentence(text: str, lang: str, may: bool) -> None:
    assert may_mix(text, lang) is may


def test_uzbek_in_both_alphabets_in_one_paragraph_is_uzbek_not_mixed() -> None:
    paragraph = f"{SENTENCES['uz'][0]} {SENTENCES['uz'][3]}"  # Latin, then Cyrillic
    assert (
        get_detector().detect(paragraph).lang == UNDETERMINED
    )  # two scripts: the detector alone cannot tell
    guess = release_languages("", [paragraph], "", get_detector(), 20).paragraphs[0]
    assert guess.lang == "uz" and guess.mixed == () and guess.score > 0.9


@pytest.mark.parametrize("empty", ["", "   ", "\n", "\u00a0"])
def test_empty_paragraphs_take_the_release_language_with_no_confidence(empty: str) -> None:
    found = release_languages("", [KK[0], empty, KK[1]], "kk", get_detector(), 20)
    assert [g.lang for g in found.paragraphs] == ["kk"] * 3
    assert found.paragraphs[1].score == 0.0 and found.paragraphs[1].mixed == ()


def test_a_huge_paragraph_is_read_sentence_by_sentence_only_at_its_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    detector = get_detector()
    calls: list[str] = []
    real = detector.detect

    def counting(text: str, prior: str = "") -> LanguageGuess:
        calls.append(text)
        return real(text, prior)

    monkeypatch.setattr(detector, "detect", counting)
    paragraph = " ".join([KK[0], RU[0]] * 2000)  # ~300,000 characters, 4,000 sentences
    guess = release_languages("", [paragraph], "kk", detector, 20).paragraphs[0]
    assert set(guess.mixed) == {"kk", "ru"}
    assert len(calls) < 60


def test_news_releases_are_never_mixed(shared_data: Path) -> None:
    """125 kremlin.ru releases (Russian, quoting names in Latin letters): no paragraph is read as mixed."""
    detector = get_detector()
    for line in (shared_data / NEWS_RELEASES).read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        found = release_languages(record["title"], split_paragraphs(record["text"]), "ru", detector, 20)
        assert not [g for g in found.paragraphs if g.mixed], record["title"]


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        (
            "Н. Назарбаев провёл встречу с делегацией. Үкімет отырысы өтті, шешім қабылданды.",
            ["Н. Назарбаев провёл встречу с делегацией.", "Үкімет отырысы өтті, шешім қабылданды."],
        ),
        (
            "Встреча прошла. Она длилась два часа и закончилась подписанием.",  # a short first piece joins the next
            ["Встреча прошла. Она длилась два часа и закончилась подписанием."],
        ),
        (
            "«Это важное решение», — сказал он. «Мы его поддерживаем полностью», — добавил министр.",
            ["«Это важное решение», — сказал он.", "«Мы его поддерживаем полностью», — добавил министр."],
        ),
        (
            "Президент провёл совещание с членами Правительства. Да.",  # a short last piece joins the one before
            ["Президент провёл совещание с членами Правительства. Да."],
        ),
        ("", []),
    ],
)
def test_sentence_runs(text: str, runs: list[str]) -> None:
    assert sentence_runs(text) == runs


def test_analyze_lists_the_languages_of_a_mixed_paragraph(tmp_path: Path) -> None:
    line = {"id": "kz-2", "text": "\n\n".join([" ".join([KK[0], RU[0], KK[1]]), KK[2]]), "lang": "kk"}
    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(tmp_path), "analyze", "--jsonl", "-"],
        input=json.dumps(line, ensure_ascii=False) + "\n",
    )
    assert result.exit_code == 0, result.output
    (obj,) = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    first, second = obj["paragraphs"]
    assert first["languages"] == ["kk", "ru"] and first["confidence"] < 0.9
    assert second["languages"] == ["kk"] and second["confidence"] > 0.9


def test_segment_guesses_repeat_extraction() -> None:
    article = extract("\n\n".join([" ".join([KK[0], RU[0], KK[1]]), KK[2]]), hint="kk")
    guesses = segment_guesses(article, "kk", get_detector(), ExtractConfig().title_min_chars_for_language)
    assert guesses[1].mixed == ("kk", "ru") and guesses[2].mixed == ()
    assert [guesses[s.position].lang for s in article.segments] == languages(article)
