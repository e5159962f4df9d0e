"""`osiwire alerts` and `osiwire searches` on the real kremlin corpus: add, list, test, events, remove."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from osiwire.cli import cli

KREMLIN = Path("press") / "kremlin-ru" / "releases-2025-02-03.jsonl"
FIRST_LINES = (
    20  # enough for a Security Council meeting, an Arctic meeting with its list, and a submarine visit
)
SECURITY_COUNCIL = "Совещание с постоянными членами Совета Безопасности"


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    root = tmp_path_factory.mktemp("alerts")
    lines = (shared_data / KREMLIN).read_text(encoding="utf-8").splitlines(keepends=True)[:FIRST_LINES]
    archive = root / "kremlin.jsonl"
    archive.write_text("".join(lines), encoding="utf-8")
    data_dir = root / "data"
    code, out, err = run(
        data_dir, "import", str(archive), "--source", "Kremlin", "--region", "Russian Federation",
        "--lang", "ru", "--country", "RU",
    )  # fmt: skip
    assert code == 0, err
    assert f"{FIRST_LINES} new" in out
    return data_dir


@pytest.fixture
def data_dir(imported: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(imported, copy)
    return copy


def test_role_rule_for_ministers_of_ru(data_dir: Path) -> None:
    code, out, _ = run(
        data_dir, "alerts", "add", "ministers", "--kind", "role", "--position", "министр", "--country", "RU"
    )
    assert code == 0
    assert out == "added role rule ministers: a participant whose position matches /министр/ of RU appears\n"
    code, out, err = run(data_dir, "alerts", "test", "ministers", "--json")
    assert code == 0
    matches = json.loads(out)
    assert matches and {"id", "version", "url", "title", "published", "reason"} <= matches[0].keys()
    assert all(m["url"].startswith("http://kremlin.ru/") for m in matches)
    assert all("министр" in m["reason"].lower() for m in matches)
    assert not any("Администрации" in m["reason"] for m in matches)  # "министр" starts a word only
    council = next(m for m in matches if m["title"] == SECURITY_COUNCIL)
    # the enrich stage gives the source's own officials its country (issue 12): stored, not assumed here
    assert council["reason"] == "Министр обороны Андрей Рэмович Белоусов (RU)"
    published = [m["published"] for m in matches]
    assert published == sorted(published, reverse=True)  # newest first
    # Testing records nothing.
    assert json.loads(run(data_dir, "alerts", "events", "--json")[1]) == []
    code, out, err = run(data_dir, "alerts", "test", "ministers")
    assert f"{len(matches)} release(s) would have fired" in err
    assert "Министр обороны Андрей Рэмович Белоусов (RU)" in out


def test_rule_file_tested_without_storing(data_dir: Path, tmp_path: Path) -> None:
    rule = tmp_path / "belousov.toml"
    rule.write_text('kind = "person"\nperson = "Andrei Belousov"\n', encoding="utf-8")
    code, out, _ = run(data_dir, "alerts", "test", str(rule), "--json")
    assert code == 0
    (match,) = json.loads(out)
    assert match["title"] == SECURITY_COUNCIL
    assert match["reason"].endswith(': person "Andrei Belousov"')
    assert json.loads(run(data_dir, "alerts", "list", "--json")[1]) == []
    code, out, _ = run(data_dir, "alerts", "add", "defence-minister", "--rule", str(rule))
    assert code == 0 and "added person rule defence-minister" in out


def test_list_remove_and_secrets(data_dir: Path) -> None:
    code, out, _ = run(
        data_dir, "alerts", "add", "arctic", "--kind", "topic", "--topic", "military-cooperation",
        "--region", "Russian Federation", "--webhook", "https://hooks.example.org/x?token=t0k3n",
    )  # fmt: skip
    assert code == 0
    secret = out.split("shown once; verify X-Osiwire-Signature with it): ")[1].strip()
    assert len(secret) == 64
    code, out, _ = run(data_dir, "alerts", "list", "--json")
    (rule,) = json.loads(out)
    assert rule["name"] == "arctic" and rule["kind"] == "topic" and rule["webhook"] is True
    assert rule["definition"] == {"topic": "military-cooperation", "region": "Russian Federation"}
    assert secret not in out and "t0k3n" not in out
    code, out, _ = run(data_dir, "alerts", "list")
    assert "arctic (topic)  0 fired  [webhook]" in out and secret not in out
    assert run(data_dir, "alerts", "remove", "arctic") == (0, "removed rule arctic\n", "")
    assert json.loads(run(data_dir, "alerts", "list", "--json")[1]) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "x", "--kind", "role", "--person", "Белоусов"], "role rule: unknown key(s) person"),
        (["add", "x", "--kind", "role", "--position", "министр ("], "not a valid regex"),
        (["add", "x", "--query", "газ"], "give --kind"),
        (["add", "bad name", "--kind", "person", "--person", "Белоусов"], "use letters, digits"),
        (["add", "x", "--kind", "search", "--query", "-only"], "only exclusions"),
        (["add", "x", "--kind", "person", "--person", "P", "--webhook", "http://127.0.0.1:9/h"], "refused"),
        (
            ["add", "x", "--kind", "person", "--person", "P", "--webhook", "javascript:alert(1)"],
            "expected an http",
        ),
        (["remove", "nothing"], "rule 'nothing': no such rule"),
        (["test", "nothing"], "rule 'nothing': no such rule"),
        (["events", "--rule", "nothing"], "rule 'nothing': no such rule"),
    ],
)
def test_errors_are_one_line(data_dir: Path, args: list[str], message: str) -> None:
    code, out, err = run(data_dir, "alerts", *args)
    assert code == 1 and out == ""
    assert err.startswith("osiwire: error: ") and message in err and err.count("\n") == 1


def test_duplicate_name(data_dir: Path) -> None:
    assert run(data_dir, "alerts", "add", "p", "--kind", "person", "--person", "Путин")[0] == 0
    code, _, err = run(data_dir, "alerts", "add", "p", "--kind", "person", "--person", "Путин")
    assert code == 1 and "a rule of that name exists" in err


def test_saved_searches_are_search_rules(data_dir: Path) -> None:
    code, out, _ = run(data_dir, "searches", "save", "arctic", "Арктика", "--lang", "ru")
    assert code == 0 and out.startswith('added search rule arctic: search "Арктика" (language ru)')
    run(data_dir, "alerts", "add", "someone", "--kind", "person", "--person", "Путин")
    (saved,) = json.loads(run(data_dir, "searches", "list", "--json")[1])
    assert saved["name"] == "arctic" and saved["definition"] == {"query": "Арктика", "language": "ru"}
    code, out, _ = run(data_dir, "alerts", "test", "arctic", "--json")
    assert code == 0 and json.loads(out)  # "Арктической", "Арктики": inflections match


def test_check_records_events_once_and_deliver(data_dir: Path) -> None:
    run(data_dir, "alerts", "add", "council", "--kind", "role", "--position", "министр обороны")
    code, out, _ = run(data_dir, "alerts", "check", "--since", "2025-01-01")
    assert code == 0 and out.startswith("1 alert(s) fired")
    (event,) = json.loads(run(data_dir, "alerts", "events", "--json")[1])
    assert event["rule"] == "council" and event["title"] == SECURITY_COUNCIL and event["status"] == "feed"
    assert run(data_dir, "alerts", "check", "--since", "2025-01-01")[1].startswith("0 alert(s) fired")
    code, out, _ = run(data_dir, "alerts", "events")
    assert f"council #{event['release_id']} [feed] {SECURITY_COUNCIL}" in out
    assert run(data_dir, "alerts", "deliver")[:2] == (
        0,
        "0 delivered, 0 failed (retried later), 0 given up\n",
    )
    assert json.loads(run(data_dir, "alerts", "events", "--pending", "--json")[1]) == []


def test_saved_search_with_enrichment_filters(data_dir: Path) -> None:
    code, _, _ = run(data_dir, "searches", "save", "arctic-military", "--topic", "military-cooperation")
    assert code == 0
    code, out, _ = run(data_dir, "alerts", "test", "arctic-military", "--json")
    titles = {m["title"] for m in json.loads(out)}
    assert titles and all(m["reason"] == "releases with topic military-cooperation" for m in json.loads(out))
    code, out, _ = run(data_dir, "alerts", "test", "mil.toml")  # not a file: looked up as a rule name
    assert code == 1
