"""The CLI contract: commands, JSON shapes, one-line errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from osiwire.cli import cli
from osiwire.store import Store

KREMLIN = Path("press") / "kremlin-ru" / "releases-2025-02-03.jsonl"


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    data_dir = tmp_path_factory.mktemp("data")
    code, out, _ = run(
        data_dir, "import", str(shared_data / KREMLIN), "--source", "Kremlin", "--region", "Russian Federation",
        "--lang", "ru", "--country", "RU",
    )  # fmt: skip
    assert code == 0, out
    assert "125 new" in out
    return data_dir


def test_import_twice_adds_nothing(imported: Path, shared_data: Path) -> None:
    code, out, _ = run(imported, "import", str(shared_data / KREMLIN), "--source", "Kremlin")
    assert code == 0
    assert "0 new, 0 updated, 125 unchanged" in out


def test_search_json_contract(imported: Path) -> None:
    code, out, _ = run(imported, "search", "Москва", "--json", "--limit", "5")
    assert code == 0
    hits = json.loads(out)
    assert len(hits) == 5
    for hit in hits:
        assert {"id", "url", "title", "published", "language", "source", "snippet"} <= hit.keys()
        assert hit["source"] == "Kremlin" and hit["language"] == "ru"
        assert hit["url"].startswith("http://kremlin.ru/")
        marked = [hit["snippet"][s:e].lower() for s, e in hit["highlights"]]
        assert marked and all(m.startswith("москв") for m in marked)


def test_search_filters(imported: Path) -> None:
    _, out, _ = run(imported, "search", "", "--since", "2025-03-20", "--json", "--limit", "500")
    hits = json.loads(out)
    assert hits and all(h["published"] >= "2025-03-20" for h in hits)
    _, out, _ = run(imported, "search", "Москва", "--region", "Kazakhstan", "--json")
    assert json.loads(out) == []
    _, out, _ = run(imported, "search", "Москва", "--source", "Kremlin", "--lang", "ru", "--json")
    assert json.loads(out)


def test_show_json(imported: Path) -> None:
    _, out, _ = run(imported, "search", "Патрушев", "--json", "--limit", "1")
    hit = json.loads(out)[0]
    code, out, _ = run(imported, "show", str(hit["id"]), "--json")
    assert code == 0
    release = json.loads(out)
    assert release["url"] == hit["url"]
    assert release["segments"][0]["kind"] == "title"
    assert all(s["language"] for s in release["segments"])
    assert len(release["versions"]) == 1
    code, by_url, _ = run(imported, "show", hit["url"], "--json")
    assert json.loads(by_url)["id"] == hit["id"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "999999"], "release '999999': not found"),
        (["search", "--", "-Москва"], "only exclusions"),
        (["sources", "remove", "Nope"], "source 'Nope': no such source"),
    ],
)
def test_errors_are_one_line(imported: Path, args: list[str], message: str) -> None:
    code, _out, err = run(imported, *args)
    assert code == 1
    assert err.count("\n") == 1 and message in err and err.startswith("osiwire: error: ")


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "search", "x", "--since", "yesterday")
    assert code == 2 and "not an ISO date" in err


def test_import_with_bad_lines_is_partial(tmp_path: Path) -> None:
    archive = tmp_path / "a.jsonl"
    good = {"url": "https://example.org/1", "title": "Встреча", "text": "Президент провёл встречу в Москве."}
    archive.write_text(json.dumps(good, ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    code, out, err = run(tmp_path / "d", "import", str(archive), "--source", "X", "--lang", "ru")
    assert code == 3
    assert "1 new" in out and "1 failed" in out
    assert f"{archive}:2: not JSON" in err


def test_bad_config_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "osiwire.toml").write_text("[fetch]\nretries = 'many'\n", encoding="utf-8")
    code, _, err = run(tmp_path, "sources", "list")
    assert code == 1 and "fetch.retries" in err


def test_sources_lifecycle_and_opml_round_trip(tmp_path: Path) -> None:
    code, out, _ = run(
        tmp_path, "sources", "add", "https://www.scrf.gov.ru/news/allnews/", "--kind", "html", "--name",
        "Security Council of Russia", "--region", "Russian Federation", "--country", "ru", "--lang", "ru",
        "--org", "Security Council", "--url-pattern", r"/news/allnews/\d+",
    )  # fmt: skip
    assert code == 0 and "added source #1" in out
    code, _, err = run(tmp_path, "sources", "add", "ftp://x", "--kind", "rss", "--name", "Bad")
    assert code == 1 and "ftp://x" in err
    _, out, _ = run(tmp_path, "sources", "list", "--json")
    (listed,) = json.loads(out)
    assert listed["country"] == "RU" and listed["kind"] == "html" and listed["error_count"] == 0
    _, opml, _ = run(tmp_path, "sources", "export-opml")
    (tmp_path / "s.opml").write_text(opml, encoding="utf-8")
    other = tmp_path / "other"
    code, out, _ = run(other, "sources", "import-opml", str(tmp_path / "s.opml"))
    assert code == 0 and "imported 1 source" in out
    _, again, _ = run(other, "sources", "list", "--json")
    assert {k: v for k, v in json.loads(again)[0].items() if k != "id"} == {
        k: v for k, v in listed.items() if k != "id"
    }
    code, out, _ = run(tmp_path, "sources", "remove", "1")
    assert code == 0 and "removed source #1" in out


def test_defaults_register(tmp_path: Path) -> None:
    code, _out, _ = run(tmp_path, "sources", "add-defaults")
    assert code == 0
    _, listed, _ = run(tmp_path, "sources", "list", "--json")
    names = {s["name"] for s in json.loads(listed)}
    assert len(names) >= 15


def test_demo_ingests_offline(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "demo", "--no-serve")
    assert code == 0, err
    _, out, _ = run(tmp_path, "search", "", "--json", "--limit", "500")
    hits = json.loads(out)
    sources = {h["source"] for h in hits}
    assert sources == {
        "Kremlin (demo archive)",
        "iBash.Org.Ru (demo feed, windows-1251)",
        "United Nations (demo)",
        "Russian media (demo: tgcontest pairs)",  # a second corpus, so that stories across outlets show
    }
    titles = [h["title"] for h in hits if h["source"].startswith("iBash")]
    assert len(titles) == 50 and all(t.startswith("Цитата #") for t in titles)
    # The Universal Declaration: every paragraph in the official English, from the bundled TMX, no engine.
    (udhr,) = [h for h in hits if h["source"] == "United Nations (demo)"]
    with Store(f"sqlite:///{tmp_path / 'osiwire.db'}") as store:
        translation = store.translations.get(udhr["id"], "en")
        kremlin = next(h for h in hits if h["source"].startswith("Kremlin"))
        # No engine and no human translation for it: nothing stored, the page says which engine to install.
        assert store.translations.get(kremlin["id"], "en") is None
    assert translation is not None and translation.status == "complete"
    assert {p.engine for p in translation.sentences} == {"human"}
    assert translation.sentences[0].target == "Universal Declaration of Human Rights"
    assert "official English text of the United Nations" in translation.sentences[0].model
    code, _, _ = run(tmp_path, "demo", "--no-serve")  # a second run adds nothing
    _, again, _ = run(tmp_path, "search", "", "--json", "--limit", "500")
    assert len(json.loads(again)) == len(hits)


def test_people_across_scripts_and_participants_in_show(imported: Path) -> None:
    _, cyrillic, _ = run(imported, "people", "Патрушев", "--json")
    _, latin, _ = run(imported, "people", "Patrushev", "--json")
    found = json.loads(cyrillic)
    assert found and found == json.loads(latin)
    patrushev = next(p for p in found if p["first"] == "Николай")
    assert patrushev["name_en"].endswith("Patrushev") and patrushev["releases"] >= 1
    _, out, _ = run(imported, "search", '"российско-белорусские переговоры"', "--json", "--limit", "1")
    release = json.loads(run(imported, "show", str(json.loads(out)[0]["id"]), "--json")[1])
    rows = release["participants"]
    assert len(rows) >= 10
    assert {"name", "name_en", "position", "organisation", "country"} <= rows[0].keys()
    assert {"RU", "BY"} <= {r["country"] for r in rows}
    assert release["enriched"] and "RU" in release["countries"]
