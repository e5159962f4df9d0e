"""Exports: wire text in the MIL-OSI style, Markdown, JSON Lines; untranslated said plainly."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from factories import NOW, make_article, make_source
from osiwire.cli import cli
from osiwire.errors import OsiwireError
from osiwire.model import Participant, PersonName, SentencePair, Translation
from osiwire.publish.export import ExportItem, render
from osiwire.store import Store

PAIRS = (
    SentencePair(
        0, 0, "Заседание Комитета секретарей", "Meeting of the Committee of Secretaries", "ru", "ct2", "m@1"
    ),
    SentencePair(1, 0, "Стороны обменялись мнениями.", "The parties exchanged views.", "ru", "ct2", "m@1"),
    SentencePair(1, 1, "Обсудили ОДКБ.", "They discussed the CSTO.", "ru", "ct2", "m@1", from_memory=True),
    SentencePair(2, 0, "Второй абзац.", "Second paragraph.", "ru", "ct2", "m@1"),
)


@pytest.fixture
def store(store_url: str) -> Store:
    with Store(store_url) as s:
        source = s.sources.add(make_source("CSTO", region="Russian Federation"))
        s.releases.save(
            make_article(
                "https://odkb-csto.org/news/1",
                "Заседание Комитета секретарей",
                ["Стороны обменялись мнениями. Обсудили ОДКБ.", "Второй абзац."],
                source_id=source.id,
                published=NOW,
            )
        )
        yield s  # type: ignore[misc]


def test_wire_text_follows_the_seed_format(store: Store) -> None:
    release = store.releases.get(1)
    participants = [
        Participant(PersonName(name_en="Nikolai Platonovich Patrushev"), "Secretary of the Security Council")
    ]
    text = render(ExportItem(release, Translation("en", PAIRS, "complete"), participants), "wire")
    lines = text.splitlines()
    assert lines[0] == "OSIWIRE Translation. Region: Russian Federation –"
    assert "The parties exchanged views. They discussed the CSTO.\n\nSecond paragraph." in text
    assert "– Nikolai Platonovich Patrushev, Secretary of the Security Council." in text
    assert "EDITOR'S NOTE: This article is a machine translation from ru (ct2 m@1)." in text
    assert lines[-1] == "OSIWIRE Russian Federation News"


def test_untranslated_is_said_plainly(store: Store) -> None:
    text = render(ExportItem(store.releases.get(1)), "wire")
    assert text.startswith("OSIWIRE Original. Region: Russian Federation –")
    assert "NOT translated" in text and "osiwire models install ru en" in text
    assert "Стороны обменялись мнениями." in text


def test_markdown_and_jsonl(store: Store) -> None:
    item = ExportItem(store.releases.get(1), Translation("en", PAIRS, "partial", "x"))
    md = render(item, "md")
    assert md.startswith("# Meeting of the Committee of Secretaries") and "Some sentences are left" in md
    record = json.loads(render(item, "jsonl"))
    assert record["translation"]["sentences"][2]["from_memory"] is True
    with pytest.raises(OsiwireError, match="export format 'pdf'"):
        render(item, "pdf")


def test_export_command(store: Store, tmp_path: Path) -> None:
    store.translations.save(1, 1, Translation("en", PAIRS, "complete"), NOW)
    where = ["--data-dir", str(tmp_path), "--database-url", store.db.url]
    result = CliRunner().invoke(cli, [*where, "export", "1", "--format", "wire"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OSIWIRE Translation. Region: Russian Federation –")
    missing = CliRunner().invoke(cli, [*where, "export", "42"])
    assert missing.exit_code == 1 and "release '42': not found" in missing.stderr


@pytest.mark.parametrize(
    ("engines", "note"),
    [
        (
            ("human", "human", "human", "human"),
            "EDITOR'S NOTE: This article is a human translation from ru, from the translation memory (udhr.tmx).",
        ),
        (
            ("human", "ct2", "human", "human"),
            "EDITOR'S NOTE: This article is translated from ru, partly by people (from the translation memory: "
            "udhr.tmx), partly by machine (ct2 m@1).",
        ),
    ],
)
def test_a_human_translation_is_never_called_a_machine_one(
    store: Store, engines: tuple[str, ...], note: str
) -> None:
    pairs = tuple(
        dataclasses.replace(p, engine=e, model="udhr.tmx" if e == "human" else p.model, confidence=None)
        for p, e in zip(PAIRS, engines, strict=True)
    )
    for style in ("wire", "md"):
        text = render(ExportItem(store.releases.get(1), Translation("en", pairs, "complete")), style)
        assert note in text
        if "ct2" not in engines:
            assert "machine" not in text
