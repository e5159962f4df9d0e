"""The languages of a whole release: per paragraph, per title, the source's language as prior, ``und``, and the
confidence ``osiwire analyze`` reports per paragraph."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from langid_samples import SENTENCES
from osiwire.cli import cli
from osiwire.config import ExtractConfig
from osiwire.extract.article import extract_article
from osiwire.extract.language import UNDETERMINED, get_detector
from osiwire.extract.release_languages import release_languages, segment_confidences
from osiwire.model import Article, RawDocument

URL = "https://www.akorda.kz/kz/news/1"
AT = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
KK, RU = SENTENCES["kk"], SENTENCES["ru"]


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
