"""Paragraphs of archived plain text and sentences of a paragraph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osiwire.extract.segments import GROUP_TARGET_CHARS, split_paragraphs, split_sentences


def _kremlin_texts(shared_data: Path) -> list[str]:
    path = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("  \n\n \t ", []),
        ("One line.", ["One line."]),
        ("First.\nSecond.\n\n\nThird.", ["First.", "Second.", "Third."]),
        ("First.\r\n\r\n  Second   with  spaces. \r\n", ["First.", "Second with spaces."]),
        (
            # hard-wrapped at ~60 columns: one paragraph per block
            "The parties exchanged views on a wide range of issues related\n"
            "to challenges and threats to the security of the states.\n\n"
            "Short second paragraph.",
            [
                "The parties exchanged views on a wide range of issues related to challenges and "
                "threats to the security of the states.",
                "Short second paragraph.",
            ],
        ),
    ],
)
def test_split_paragraphs_by_lines(text: str, expected: list[str]) -> None:
    assert split_paragraphs(text) == expected


def test_kremlin_blob_is_grouped_into_paragraph_sized_segments(shared_data: Path) -> None:
    for text in _kremlin_texts(shared_data):
        assert "\n" not in text
        paragraphs = split_paragraphs(text)
        assert paragraphs
        # no text lost or reordered, only spaces between sentences changed
        assert " ".join(paragraphs).split() == text.split()
        for paragraph in paragraphs:
            # over the target only when a single sentence is that long
            if len(paragraph) > GROUP_TARGET_CHARS:
                assert len(split_sentences(paragraph, "ru")) == 1, paragraph[:200]
        if len(text) > 2 * GROUP_TARGET_CHARS:
            assert len(paragraphs) > 1


def test_kremlin_blob_does_not_split_sentences(shared_data: Path) -> None:
    text = _kremlin_texts(shared_data)[0]
    sentences = split_sentences(text, "ru")
    paragraphs = split_paragraphs(text)
    joined = {s for p in paragraphs for s in split_sentences(p, "ru")}
    assert set(sentences) == joined


def test_long_line_among_lines_is_grouped() -> None:
    blob = " ".join(f"Предложение номер {i} о встрече в Кремле." for i in range(200))
    paragraphs = split_paragraphs(f"Заголовок раздела\n{blob}\nПодпись.")
    assert paragraphs[0] == "Заголовок раздела"
    assert paragraphs[-1] == "Подпись."
    assert all(len(p) <= GROUP_TARGET_CHARS for p in paragraphs)
    assert len(paragraphs) > 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Президент РФ В.В. Путин встретился с г-ном Ивановым, т.е. с министром. Он сказал: «Всё хорошо».",
            [
                "Президент РФ В.В. Путин встретился с г-ном Ивановым, т.е. с министром.",
                "Он сказал: «Всё хорошо».",
            ],
        ),
        ("Выделено 1,5 млрд руб. на ремонт школ.", ["Выделено 1,5 млрд руб. на ремонт школ."]),
    ],
)
def test_split_sentences_russian(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "ru") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("No full stop at the end", ["No full stop at the end"]),
        (
            "Dr. Smith met Mr. J. Doe on Jan. 5 at 10 a.m. local time. Prices rose 1.5 percent!",
            ["Dr. Smith met Mr. J. Doe on Jan. 5 at 10 a.m. local time.", "Prices rose 1.5 percent!"],
        ),
        ('He said: "It is done." Then he left. Why? Nobody knows…', None),
        (
            "e.g. this, i.e. that, etc. are not ends. Real end.",
            ["e.g. this, i.e. that, etc. are not ends.", "Real end."],
        ),
        ("第一句。第二句！", ["第一句。", "第二句！"]),
    ],
)
def test_split_sentences_by_rules(text: str, expected: list[str] | None) -> None:
    if expected is None:
        expected = ['He said: "It is done."', "Then he left.", "Why?", "Nobody knows…"]
    assert split_sentences(text, "en") == expected


def test_split_sentences_keeps_all_text() -> None:
    text = "Mr. A said so. B. Obama did. U.S. officials agreed? Yes! 3. Done."
    assert " ".join(split_sentences(text, "en")).split() == text.split()
