"""osiwire stories / story / stories rebuild / stories firsts, and `show --json`'s story_id and duplicate_of."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from osiwire.cli import cli
from osiwire.config import load_settings
from osiwire.model import Article, Segment, Source, SourceKind
from osiwire.store import Store
from osiwire.stories.firsts import SourceDelay, first_publication, source_records
from osiwire.storying import Storying

CALL = (
    "Состоялся телефонный разговор Владимира Путина с Президентом Сербии Александром Вучичем. Обсуждались "
    "поставки российского газа в Сербию и подготовка к визиту в Москву 9 мая. Условлено о продолжении контактов."
)
FLOOD = (
    "Губернатор Оренбургской области доложил о ходе восстановления жилья после паводка в Орске. Восстановлено "
    "более двух тысяч домов, выплаты получили сорок тысяч жителей."
)
T0 = datetime(2025, 4, 1, 10, tzinfo=UTC)


def _article(
    url: str, title: str, text: str, published: datetime | None, source_id: int, seen: datetime
) -> Article:
    segments = (Segment(0, "title", title, "ru"), Segment(1, "paragraph", text, "ru"))
    digest = hashlib.sha256(f"{title}{text}".encode()).hexdigest()
    return Article(url, title, "ru", segments, digest, seen, published, source_id=source_id)


def _run(data_dir: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _fill(data_dir: Path) -> list[int]:
    settings = load_settings(data_dir)
    with Store(settings.database) as store:
        kremlin = store.sources.add(
            Source("Kremlin", "https://kremlin.example/rss", SourceKind.RSS, country="RU")
        )
        tass = store.sources.add(Source("TASS", "https://tass.example/rss", SourceKind.RSS, country="RU"))
        serbia = store.sources.add(
            Source("Tanjug", "https://tanjug.example/rss", SourceKind.RSS, country="RS")
        )
        assert kremlin.id and tass.id and serbia.id
        articles = [
            _article(
                "https://kremlin.example/1",
                "Телефонный разговор с Президентом Сербии",
                CALL,
                T0,
                kremlin.id,
                T0,
            ),
            _article(
                "https://tass.example/1",
                "Путин и Вучич обсудили газ",
                "ТАСС. " + CALL,
                T0 + timedelta(minutes=20),
                tass.id,
                T0 + timedelta(minutes=25),
            ),
            # published "in the future": clamped to when it was first seen
            _article(
                "https://tanjug.example/1",
                "Vučić i Putin razgovarali",
                CALL + " Сербия.",
                T0 + timedelta(days=9),
                serbia.id,
                T0 + timedelta(hours=2),
            ),
            _article(
                "https://tass.example/2",
                "Паводок в Орске",
                FLOOD,
                T0 + timedelta(hours=3),
                tass.id,
                T0 + timedelta(hours=3),
            ),
        ]
        ids = [r.release_id for r in store.releases.save_many(articles)]
        stage = Storying(store)
        for article, release_id in zip(articles, ids, strict=True):
            stage.place(article, release_id, article.fetched_at)
    return ids


def test_stories_story_and_show(tmp_path: Path) -> None:
    ids = _fill(tmp_path)
    listed = json.loads(_run(tmp_path, "stories", "--json").stdout)
    assert [s["size"] for s in listed] == [3, 1]
    call = listed[0]
    assert call["first_source"] == "Kremlin" and call["sources"] == 3 and call["countries"] == ["RS", "RU"]
    story = json.loads(_run(tmp_path, "story", str(call["id"]), "--json").stdout)
    assert story["first_publication"]["source"] == "Kremlin"
    assert [d["source"] for d in story["delays"]] == ["Kremlin", "TASS", "Tanjug"]
    assert story["delays"][1]["delay_s"] == 20 * 60
    tanjug = next(r for r in story["releases"] if r["source"] == "Tanjug")
    assert tanjug["clamped"] is True and tanjug["at"] == (T0 + timedelta(hours=2)).isoformat()
    shown = json.loads(_run(tmp_path, "show", str(ids[1]), "--json").stdout)
    assert shown["story_id"] == call["id"]
    assert shown["duplicate_of"] == {"id": ids[0], "url": "https://kremlin.example/1"}
    assert json.loads(_run(tmp_path, "show", str(ids[3]), "--json").stdout)["duplicate_of"] is None
    text = _run(tmp_path, "story", str(call["id"])).stdout
    assert "first" in text and "+20 min" in text
    assert "Kremlin" in _run(tmp_path, "stories").stdout


def test_rebuild_keeps_ids_and_firsts_table(tmp_path: Path) -> None:
    ids = _fill(tmp_path)
    before = {i: json.loads(_run(tmp_path, "show", str(i), "--json").stdout)["story_id"] for i in ids}
    _run(tmp_path, "stories", "rebuild")
    after = {i: json.loads(_run(tmp_path, "show", str(i), "--json").stdout)["story_id"] for i in ids}
    assert after == before
    table = json.loads(_run(tmp_path, "stories", "firsts", "--json").stdout)
    kremlin = next(r for r in table if r["source"] == "Kremlin")
    assert kremlin["share_first"] == 1.0 and kremlin["stories"] == 1
    assert "Kremlin" in _run(tmp_path, "stories", "firsts").stdout


def test_an_unknown_story_is_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "story", "999"])
    assert result.exit_code == 1 and "story '999': not found" in result.output


def test_source_records_median_and_p90() -> None:
    def story(first: str, *others: tuple[str, float]) -> Any:
        delays = (SourceDelay(first, 1, T0, 0.0), *tuple(SourceDelay(s, 2, T0, d) for s, d in others))
        return type("F", (), {"delays": delays, "release_id": 1})()

    records = {
        r.source: r
        for r in source_records([story("A", ("B", 60)), story("B", ("A", 120)), story("A", ("B", 180))])
    }
    assert records["A"].first == 2 and records["A"].stories == 3 and records["A"].median_delay_s == 120
    assert records["B"].median_delay_s == 120 and records["B"].p90_delay_s == 168
    assert first_publication([]) is None


def test_the_stage_can_be_turned_off_and_a_resumed_rebuild_reads_what_it_missed(tmp_path: Path) -> None:
    from osiwire.pipeline import Pipeline
    from test_stages import _folder

    folder = _folder(tmp_path, 3)
    settings = load_settings(tmp_path, environ={}, enrich={"enabled": False}, stories={"enabled": False})
    with Store(settings.database) as store:
        store.sources.add(Source(name="Local", url=str(folder), kind=SourceKind.FILE, language="ru"))
        pipeline = Pipeline(settings, store)
        try:
            pipeline.fetch()
        finally:
            pipeline.close()
        assert store.stories.count_pending() == 3
    _run(tmp_path, "stories", "rebuild", "--resume")
    with Store(settings.database) as store:
        assert store.stories.count_pending() == 0
