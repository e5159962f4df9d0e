"""`osiwire analyze`: the output contract on real inputs, the offset invariant, batch mode and its errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from osiwire.cli import cli

CONTRACT = {
    "id", "url", "title", "author", "published", "text", "language",
    "paragraphs", "entities", "people", "participants", "topics", "countries",
}  # fmt: skip
KREMLIN = Path("press") / "kremlin-ru" / "releases-2025-02-03.jsonl"


def analyze(tmp_path: Path, *args: str, stdin: str | None = None) -> tuple[int, list[dict[str, Any]], str]:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "analyze", *args], input=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, lines, result.stderr


def check_contract(obj: dict[str, Any]) -> None:
    assert obj.keys() >= CONTRACT
    text = obj["text"]
    for p in obj["paragraphs"]:
        assert 0 <= p["start"] < p["end"] <= len(text) and p["language"]
    assert "\n".join(text[p["start"] : p["end"]] for p in obj["paragraphs"]) == text
    for e in obj["entities"]:
        assert text[e["start"] : e["end"]] == e["text"], e  # the offset invariant
        assert e["type"] in {"PER", "ORG", "LOC"} and e["normal"]
    for person in obj["people"]:
        assert {"name", "name_en", "first", "patronymic", "last", "variants"} <= person.keys()
    for row in obj["participants"]:
        assert {"name", "name_en", "position", "organisation", "country", "group"} <= row.keys()
    for topic in obj["topics"]:
        assert {"id", "label", "evidence"} <= topic.keys()
    assert all(len(c) == 2 and c.isupper() for c in obj["countries"])


def test_extraction_benchmark_page(tmp_path: Path, shared_data: Path) -> None:
    folder = shared_data / "extraction" / "zyte"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    page_id = sorted(truth)[0]
    page = tmp_path / "page.html"
    page.write_bytes(gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes()))
    code, (obj,), _ = analyze(tmp_path, str(page), "--json")
    assert code == 0
    check_contract(obj)
    assert obj["id"] == str(page) and obj["language"] == "en" and obj["title"]
    assert truth[page_id]["articleBody"].split()[5] in obj["text"]


def test_factrueval_document(tmp_path: Path, shared_data: Path) -> None:
    doc = shared_data / "ner" / "factRuEval2016" / "devset" / "book_100.txt"
    code, (obj,), _ = analyze(tmp_path, str(doc), "--text", "--json")
    assert code == 0
    check_contract(obj)
    assert obj["language"] == "ru"
    types = {e["type"] for e in obj["entities"]}
    assert {"PER", "LOC"} <= types or {"ORG", "LOC"} <= types
    assert any(e["normal"] == "Москва" for e in obj["entities"])
    assert "RU" in obj["countries"]


def test_kremlin_release_with_its_participant_list(tmp_path: Path, shared_data: Path) -> None:
    records = [json.loads(line) for line in (shared_data / KREMLIN).read_text(encoding="utf-8").splitlines()]
    record = next(
        r for r in records if r.get("participants_text") and "Российско-белорусские переговоры" in r["title"]
    )
    line = {
        "id": "k-1",
        "text": record["text"],
        "participants_text": record["participants_text"],
        "title": record["title"],
    }
    code, (obj,), err = analyze(tmp_path, "--jsonl", "-", stdin=json.dumps(line, ensure_ascii=False) + "\n")
    assert code == 0, err
    check_contract(obj)
    assert obj["id"] == "k-1" and obj["title"] == record["title"]
    assert len(obj["participants"]) >= 5
    groups = {p["group"] for p in obj["participants"]}
    countries = {p["country"] for p in obj["participants"]}
    assert {"RU", "BY"} <= countries, (groups, countries)
    assert all(p["name_en"] for p in obj["participants"])
    assert "documents/s" in err


def test_batch_mode_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 1, "text": "Президент России провёл встречу с министром обороны в Москве."}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"id": "page", "html": "<html><body><article><p>Hello from the ministry of foreign affairs of "
                    "Armenia, which met in Yerevan today.</p></article></body></html>", "url": "https://mfa.am/1"}),
    ]  # fmt: skip
    code, out, _ = analyze(tmp_path, "--jsonl", "-", stdin="\n".join(lines) + "\n")
    assert code == 3
    assert [o["id"] for o in out] == [1, 2, "no-text", "empty", "page"]
    assert "error" not in out[0] and "error" not in out[4]
    check_contract(out[0])
    check_contract(out[4])
    assert out[1]["error"].startswith("line 2: not JSON")
    assert "needs a string field" in out[2]["error"]
    assert "no main text" in out[3]["error"]
    assert out[4]["url"] == "https://mfa.am/1" and out[4]["language"] == "en"


def test_readable_report(tmp_path: Path) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text(
        "Секретарь Совета Безопасности Российской Федерации Николай Патрушев провёл встречу.", "utf-8"
    )
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "analyze", str(doc)])
    assert result.exit_code == 0, result.stderr
    assert "Патрушев" in result.stdout and "Patrushev" in result.stdout


def test_needs_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "analyze"])
    assert result.exit_code == 2


def test_a_line_nested_too_deeply_is_a_bad_line() -> None:
    # json.loads recurses once per level: a RecursionError, not an AnalyzeError, ended `analyze --jsonl`
    from osiwire.analyze import AnalyzeError, parse_line

    for line in ("[" * 5000, '{"id": ' * 5000, '{"id": 1, "text": ' + "[" * 5000):
        try:
            parse_line(line, 7)
        except AnalyzeError as exc:
            assert str(exc) == "line 7: not JSON: nested too deeply"
        else:
            raise AssertionError(f"accepted {line[:20]!r}")
