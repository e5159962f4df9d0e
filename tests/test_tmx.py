"""TMX import and export: three tools' shapes, inline codes, repeats, bad files, all-or-nothing, round trip."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from osiwire.cli import cli
from osiwire.errors import TmxError
from osiwire.store import Store
from osiwire.store.memory import SqlMemory
from osiwire.store.migrations import MIGRATIONS
from osiwire.translate.memory import MemoryEntry, MemoryHit, human_key, memory_key
from osiwire.translate.tmx import map_language, read_tmx, segment_text
from osiwire.translate.tmx_import import tmx_entries

HUMAN = "human"


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def human(store_dir: Path, sentence: str) -> MemoryHit | None:
    with Store(f"sqlite:///{store_dir / 'osiwire.db'}") as store:
        key = human_key(sentence, "ru", "en")
        return SqlMemory(store.db).lookup([key]).get(key)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ru-RU", "ru"),
        ("EN-GB", "en"),
        ("en_US", "en"),
        ("RU", "ru"),
        ("zh-Hant-TW", "zh"),
        ("kk-Cyrl-KZ", "kk"),
        (" uk ", "uk"),
        ("*all*", ""),
        ("", ""),
        ("русский", ""),
        ("en--", ""),
    ],
)
def test_language_codes(code: str, expected: str) -> None:
    assert map_language(code) == expected


@pytest.mark.parametrize(
    ("xml", "text"),
    [
        ("<seg>plain  text\n here</seg>", "plain text here"),
        ('<seg>a <bpt i="1">&lt;b&gt;</bpt>bold<ept i="1">&lt;/b&gt;</ept> word</seg>', "a bold word"),
        ('<seg>a <bpt i="1" x="1"/>bold<ept i="1"/> word</seg>', "a bold word"),
        ('<seg>line<ph x="1">&lt;br/&gt;</ph> end</seg>', "line end"),
        ('<seg><it pos="begin">&lt;u&gt;</it>Text</seg>', "Text"),
        ('<seg>a <hi type="b">kept <ph>&lt;x/&gt;</ph>inside</hi> b</seg>', "a kept inside b"),
        ("<seg>a <ut>{\\b}</ut>b</seg>", "a b"),
        ("<seg/>", ""),
    ],
)
def test_inline_codes_dropped_text_kept(xml: str, text: str) -> None:
    assert segment_text(etree.fromstring(xml)) == text


def test_omegat_shape(test_data: Path) -> None:
    read = read_tmx(test_data / "tmx" / "omegat-ru-en.tmx")
    assert read.tool == "OmegaT 6.0.0_0_a1b2c3d"
    assert (read.read, read.machine, read.incomplete) == (6, 1, 1)  # "MT" change id; an empty target
    first = read.units[0]
    assert (first.source_lang, first.source, first.targets) == (
        "ru",
        "Уважаемые коллеги!",
        {"en": "Colleagues,"},
    )
    assert first.changed_at == datetime(2024, 1, 15, 10, 15, tzinfo=UTC)  # dated on the target <tuv>
    assert read.units[1].source == "Президент провёл совещание с членами Правительства."  # spacing collapsed
    resolved = tmx_entries(read, "omegat-ru-en.tmx")
    assert (resolved.conflicts, resolved.duplicates, len(resolved.entries)) == (1, 0, 3)
    floor = next(e for e in resolved.entries if e.source.startswith("Слово"))
    assert floor.hit.target == "I give the floor to the Foreign Minister."  # the later change date won
    assert all(e.key.engine == HUMAN and e.key.model == "" for e in resolved.entries)


def test_trados_shape(test_data: Path) -> None:
    read = read_tmx(test_data / "tmx" / "trados-ru-en.tmx")
    assert read.tool == "SDL Language Platform 8.1"
    assert (read.read, read.machine, read.incomplete) == (5, 1, 1)  # x-Origin MachineTranslation; no target
    talks = read.units[0]
    assert talks.source == "Министр провёл переговоры с Генеральным секретарём ООН."
    assert talks.targets == {"en": "The Minister held talks with the UN Secretary-General."}
    assert talks.changed_at == datetime(2024, 3, 2, 14, 10, 10, tzinfo=UTC)
    resolved = tmx_entries(read, "trados")
    assert (resolved.duplicates, resolved.conflicts, len(resolved.entries)) == (1, 0, 2)


def test_memoq_shape(test_data: Path) -> None:
    read = read_tmx(test_data / "tmx" / "memoq-ru-en.tmx")
    assert read.tool == "memoQ 9.12.9"
    assert [(u.source, u.targets["en"]) for u in read.units] == [
        ("Визит Министра в Пекин завершён.", "The Minister's visit to Beijing is over."),
        ("Ёлка у Кремля.", "A fir tree by the Kremlin."),
    ]


def test_all_languages_source(tmp_path: Path) -> None:
    path = tmp_path / "all.tmx"
    path.write_text(
        '<tmx version="1.4"><header srclang="*all*" datatype="plaintext" segtype="sentence" adminlang="en" '
        'o-tmf="x" creationtool="x" creationtoolversion="1"/><body><tu>'
        '<tuv xml:lang="ru"><seg>Да.</seg></tuv><tuv xml:lang="en"><seg>Yes.</seg></tuv>'
        '<tuv xml:lang="de"><seg>Ja.</seg></tuv></tu></body></tmx>',
        encoding="utf-8",
    )
    pairs = {(u.source_lang, lang) for u in read_tmx(path).units for lang in u.targets}
    assert pairs == {(a, b) for a in ("ru", "en", "de") for b in ("ru", "en", "de") if a != b}


GOOD_HEAD = '<?xml version="1.0"?>\n<tmx version="1.4">\n<header srclang="ru" creationtool="t"/>\n<body>\n'
UNIT = '<tu><tuv xml:lang="ru"><seg>Да.</seg></tuv><tuv xml:lang="en"><seg>Yes.</seg></tuv></tu>\n'


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            GOOD_HEAD + UNIT + "<tu><tuv xml:lang='ru'><seg>Нет.</seg></tuv>\n</body></tmx>",
            7,
            "not well-formed",
        ),
        ('<?xml version="1.0"?>\n<xliff version="1.2"/>', 2, "expected <tmx>"),
        (GOOD_HEAD + UNIT + "<tu>\n<tuv><seg>x</seg></tuv></tu></body></tmx>", 7, "without xml:lang"),
        (GOOD_HEAD + UNIT + "<tu>\n<tuv xml:lang='ru'></tuv></tu></body></tmx>", 7, "without <seg>"),
        (GOOD_HEAD + "<tu><tuv xml:lang='1x'><seg>x</seg></tuv></tu></body></tmx>", 5, "not a language code"),
        ('<tmx version="1.4">\n<header creationtool="t"/><body/></tmx>', 2, "no srclang"),
        ("", 1, ""),
        (GOOD_HEAD + "<tu><tuv xml:lang='ru'><seg>&xxe;</seg></tuv></tu></body></tmx>", 5, "not well-formed"),
    ],
)
def test_bad_file_is_one_line_naming_file_and_line(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = tmp_path / "bad.tmx"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TmxError) as caught:
        read_tmx(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: "), message
    assert reason in message


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    path = tmp_path / "xxe.tmx"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<tmx version="1.4"><header srclang="ru"/><body><tu><tuv xml:lang="ru"><seg>Да &x;</seg></tuv>'
        '<tuv xml:lang="en"><seg>Yes &x;</seg></tuv></tu></body></tmx>',
        encoding="utf-8",
    )
    units = read_tmx(path).units
    assert all("SECRET" not in u.source and "SECRET" not in u.targets["en"] for u in units)


def test_import_counts_and_repeat(tmp_path: Path, test_data: Path) -> None:
    code, out, err = run(tmp_path, "memory", "import", str(test_data / "tmx" / "omegat-ru-en.tmx"), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report | {"file": ""} == {
        "file": "",
        "units": 6,
        "entries": 3,
        "added": 3,
        "replaced": 0,
        "unchanged": 0,
        "kept_newer": 0,
        "duplicates_in_file": 0,
        "conflicts_in_file": 1,
        "aligned_sentences": 0,
        "skipped_machine": 1,
        "skipped_incomplete": 1,
    }
    hit = human(tmp_path, "ПРЕЗИДЕНТ провел совещание с членами правительства.")  # case, ё and spacing
    assert hit is not None and hit.target == "The President held a meeting with Government members."
    assert hit.origin == "omegat-ru-en.tmx, OmegaT 6.0.0_0_a1b2c3d"
    assert human(tmp_path, "Спасибо.") is None  # machine-marked: not a human translation
    code, out, _ = run(tmp_path, "memory", "import", str(test_data / "tmx" / "omegat-ru-en.tmx"))
    assert code == 0 and "0 added, 0 replaced, 3 unchanged" in out
    code, out, _ = run(
        tmp_path, "memory", "import", str(test_data / "tmx" / "memoq-ru-en.tmx"), "--origin", " Ministry\nTM "
    )
    assert code == 0 and "2 added" in out
    hit = human(tmp_path, "Ёлка у Кремля.")
    assert hit is not None and hit.origin == "Ministry TM"


def test_newest_changedate_wins_across_imports(tmp_path: Path, test_data: Path) -> None:
    # OmegaT: "Colleagues," (2024-01-15); Trados: "Dear colleagues," (2024-03-05): newer, so it replaces.
    run(tmp_path, "memory", "import", str(test_data / "tmx" / "omegat-ru-en.tmx"))
    code, out, _ = run(tmp_path, "memory", "import", str(test_data / "tmx" / "trados-ru-en.tmx"), "--json")
    assert code == 0 and json.loads(out)["replaced"] == 1
    assert human(tmp_path, "Уважаемые коллеги!") == MemoryHit(
        "Dear colleagues,", None, "trados-ru-en.tmx, SDL Language Platform 8.1"
    )
    # Importing the older file again keeps the newer stored translation.
    code, out, _ = run(tmp_path, "memory", "import", str(test_data / "tmx" / "omegat-ru-en.tmx"), "--json")
    assert json.loads(out)["kept_newer"] == 1
    hit = human(tmp_path, "Уважаемые коллеги!")
    assert hit is not None and hit.target == "Dear colleagues,"


def test_bad_file_imports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "half.tmx"
    path.write_text(GOOD_HEAD + UNIT * 500 + "<tu><tuv xml:lang='ru'><seg>Нет</tuv></tu></body></tmx>")
    code, out, err = run(tmp_path, "memory", "import", str(path))
    assert code == 1 and out == ""
    assert err.startswith(f"osiwire: error: {path}:505: not well-formed XML") and err.count("\n") == 1
    assert human(tmp_path, "Да.") is None
    code, _, err = run(tmp_path, "memory", "import", str(tmp_path / "missing.tmx"))
    assert code == 1 and "missing.tmx: no such file" in err


def test_export_round_trip_keeps_origin_and_engines(tmp_path: Path, test_data: Path) -> None:
    for name in ("trados-ru-en.tmx", "memoq-ru-en.tmx"):
        run(tmp_path, "memory", "import", str(test_data / "tmx" / name))
    with Store(f"sqlite:///{tmp_path / 'osiwire.db'}") as store:
        machine = MemoryEntry(
            memory_key("Спасибо.", "ru", "en", "ctranslate2", "opus-mt-ru-en@1.9"),
            MemoryHit("Thank you.", 0.91),
            "Спасибо.",
        )
        hashed_only = MemoryEntry(memory_key("Без текста.", "ru", "en", "e", "m"), MemoryHit("No text."))
        other_pair = MemoryEntry(memory_key("Дякую.", "uk", "en", "e", "m"), MemoryHit("Thanks."), "Дякую.")
        SqlMemory(store.db).remember([machine, hashed_only, other_pair])
    code, out, err = run(tmp_path, "memory", "export", "--pair", "ru-en")
    assert code == 0 and "5 unit(s) exported" in err  # 4 human + 1 machine; hash-only and uk-en left out
    exported = tmp_path / "out.tmx"
    exported.write_text(out, encoding="utf-8")
    read = read_tmx(exported)
    assert read.tool.startswith("osiwire ") and read.machine == 0
    units = {u.source: u for u in read.units}
    assert units["Спасибо."].engine == "ctranslate2" and units["Спасибо."].model == "opus-mt-ru-en@1.9"
    assert units["Спасибо."].confidence == pytest.approx(0.91)
    assert units["Уважаемые коллеги!"].engine == HUMAN
    assert units["Уважаемые коллеги!"].changed_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    # Into a fresh store, and out again: the same units.
    fresh = tmp_path / "fresh"
    assert run(fresh, "memory", "import", str(exported))[0] == 0
    (tmp_path / "again.tmx").write_text(
        run(fresh, "memory", "export", "--pair", "ru-en")[1], encoding="utf-8"
    )
    again = sorted(repr(replace(u, line=0)) for u in read_tmx(tmp_path / "again.tmx").units)
    assert again == sorted(repr(replace(u, line=0)) for u in read.units)
    code, out, _ = run(tmp_path, "memory", "export", "--human")
    assert code == 0 and "x-osiwire-engine" not in out and out.count("<tu ") == 4
    code, _, err = run(tmp_path, "memory", "export", "--pair", "russian")
    assert code == 1 and "--pair 'russian'" in err


def test_migration_adds_columns_to_an_older_memory(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store(f"sqlite:///{path}"):
        pass
    with sqlite3.connect(path) as conn:  # as a database made before the columns existed
        for column in ("source", "origin", "changed_at"):
            conn.execute(f"ALTER TABLE translation_memory DROP COLUMN {column}")
        conn.execute("UPDATE schema_version SET version = ?", (MIGRATIONS.index(_memory_origin()),))
    with Store(f"sqlite:///{path}") as store:
        entry = MemoryEntry(human_key("Да.", "ru", "en"), MemoryHit("Yes.", None, "f.tmx"), "Да.")
        SqlMemory(store.db).remember([entry])
        assert [s.entry for s in SqlMemory(store.db).entries()] == [entry]


def _memory_origin() -> object:
    from osiwire.store import migrations

    return migrations._memory_origin


def test_utf16_with_bom_as_trados_writes_it(tmp_path: Path, test_data: Path) -> None:
    text = (test_data / "tmx" / "trados-ru-en.tmx").read_text(encoding="utf-8")
    path = tmp_path / "utf16.tmx"
    path.write_bytes(text.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16"))
    units = read_tmx(path).units
    assert units[0].source == "Министр провёл переговоры с Генеральным секретарём ООН."


PARAGRAPH_RU = (
    "Каждый человек имеет право на образование. Образование должно быть бесплатным по меньшей мере в том, что "
    "касается начального и общего образования. Начальное образование должно быть обязательным."
)
PARAGRAPH_EN = (
    "Everyone has the right to education. Education shall be free, at least in the elementary and fundamental "
    "stages. Elementary education shall be compulsory."
)


def test_a_paragraph_unit_also_gives_its_sentences(tmp_path: Path) -> None:
    path = tmp_path / "paragraphs.tmx"
    path.write_text(
        '<tmx version="1.4"><header srclang="ru" creationtool="t"/><body>'
        f'<tu><tuv xml:lang="ru"><seg>{PARAGRAPH_RU}</seg></tuv><tuv xml:lang="en"><seg>{PARAGRAPH_EN}</seg></tuv></tu>'
        '<tu><tuv xml:lang="ru"><seg>Начальное образование должно быть обязательным.</seg></tuv>'
        '<tuv xml:lang="en"><seg>Primary education shall be compulsory.</seg></tuv></tu>'
        "</body></tmx>",
        encoding="utf-8",
    )
    resolved = tmx_entries(read_tmx(path), "p.tmx")
    by_source = {e.source: e.hit.target for e in resolved.entries}
    assert resolved.aligned == 2 and len(resolved.entries) == 4
    assert by_source[PARAGRAPH_RU] == PARAGRAPH_EN
    assert by_source["Каждый человек имеет право на образование."] == "Everyone has the right to education."
    # the sentence the file holds as a unit of its own keeps that unit's translation
    assert (
        by_source["Начальное образование должно быть обязательным."]
        == "Primary education shall be compulsory."
    )
    code, out, _ = run(tmp_path, "memory", "import", str(path), "--json")
    assert code == 0 and json.loads(out)["aligned_sentences"] == 2
    hit = human(tmp_path, "Каждый человек имеет право на образование.")
    assert hit is not None and hit.target == "Everyone has the right to education."
