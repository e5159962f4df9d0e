"""Postings in memory give FTS5's matches and bm25 scores, to the bit, on real releases and after every write."""

from __future__ import annotations

import json
import random
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from factories import make_article
from osiwire.model import SentencePair, Translation
from osiwire.store import Store, schema
from osiwire.store.database import sqlite_path
from osiwire.store.postings import Postings
from osiwire.store.query import parse_query, to_fts5
from osiwire.store.search import FTS_TABLES, FTS_WEIGHTS, RELEASE_MATCHES, TRANSLATION_MATCHES, search

NOW = datetime(2025, 6, 1, tzinfo=UTC)
KREMLIN = Path("press") / "kremlin-ru" / "releases-2025-02-03.jsonl"
ENGLISH = [
    "The President held a meeting with the Security Council on security and defence cooperation.",
    "Sanctions were discussed; the sanctioned companies and their securities were named.",
    "Moscow and Astana agreed on energy projects and the energetic development of the region.",
]
QUERIES = [
    "Путин",
    "встреча",
    "Путин встреча",
    "Казахстан OR Белоруссия",
    "культура -спорт",
    "энерг*",
    "энергетика OR энерг* -нефть",
    '"специальной военной операции"',
    '"Совет Безопасности"',
    "Совет Безопасности",
    "совет-безоп*",  # a phrase whose last token is a prefix
    "министр обороны -Шойгу -Белоусов",
    "путин путин",  # one phrase twice: counted twice, as FTS5 counts it
    "губернатор OR регион развитие OR экономика",
    "Moscow",
    "security council",
    "sanction*",  # porter's stem, then a prefix: FTS5's own reading
    "secur* -Moscow",
    '"security council" OR energy',
    "2025",
    "нет-такого-слова",
]


def _fts5(path: Path, query: str, store: Store) -> list[list[tuple[int, float]]]:
    fts = to_fts5(parse_query(query, store.lemmatiser))
    with sqlite3.connect(path) as conn:
        return [
            sorted(conn.execute(sql.replace(":q", "?"), (fts,)).fetchall())
            for sql in (RELEASE_MATCHES, TRANSLATION_MATCHES)
        ]


def _ours(postings: Postings, query: str, store: Store) -> list[list[tuple[int, float]]]:
    found = postings.matches(parse_query(query, store.lemmatiser))
    assert found is not None, query
    return [list(zip(part.ids.tolist(), part.scores.tolist(), strict=True)) for part in found]


def _agree(postings: Postings, path: Path, store: Store, queries: list[str]) -> None:
    for query in queries:
        want = _fts5(path, query, store)
        got = _ours(postings, query, store)
        assert [len(part) for part in got] == [len(part) for part in want], query
        assert got == want, query  # the same rows and the same doubles


def _translation(sentences: list[str]) -> Translation:
    pairs = tuple(
        SentencePair(1, i, f"Предложение {i}.", text, "ru", "test", "m") for i, text in enumerate(sentences)
    )
    return Translation(
        "en", (SentencePair(0, 0, "Заголовок", "A title", "ru", "test", "m"), *pairs), "complete"
    )


@pytest.fixture
def kremlin(shared_data: Path, tmp_path: Path) -> Iterator[tuple[Store, Path]]:
    """The 125 real kremlin.ru releases; three of them with an English translation."""
    store = Store(f"sqlite:///{tmp_path}/db.sqlite")
    with (shared_data / KREMLIN).open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            item = json.loads(line)
            paragraphs = [p for p in item["text"].split("\n") if p.strip()]
            result = store.releases.save(make_article(item["url"], item["title"], paragraphs))
            if n < len(ENGLISH):
                store.translations.save(result.release_id, 1, _translation([ENGLISH[n]]), NOW)
    path = sqlite_path(store.db.url)
    assert path is not None
    yield store, path
    store.close()


def test_matches_and_scores_are_fts5s_on_real_releases(kremlin: tuple[Store, Path]) -> None:
    store, path = kremlin
    with closing(Postings(path, FTS_TABLES, FTS_WEIGHTS)) as postings:
        _agree(postings, path, store, QUERIES)
        assert sum(len(part) for part in _ours(postings, "Moscow", store)) > 0  # the English side is read
        _agree(postings, path, store, QUERIES)  # again, from what is kept


def test_random_queries_of_real_words_agree(kremlin: tuple[Store, Path]) -> None:
    store, path = kremlin
    rng = random.Random(3)
    with sqlite3.connect(path) as conn:
        titles = " ".join(row[0] for row in conn.execute("SELECT title FROM releases"))
    words = sorted(set(re.findall(r"[А-Яа-яЁё]{4,}", titles)))
    queries = []
    for _ in range(150):
        picked = rng.sample(words, rng.randint(1, 3))
        shape = rng.choice(("and", "or", "not", "phrase", "prefix"))
        if shape == "or" and len(picked) > 1:
            queries.append(" OR ".join(picked))
        elif shape == "not" and len(picked) > 1:
            queries.append(f"{picked[0]} -{picked[1]}")
        elif shape == "phrase":
            queries.append(f'"{" ".join(picked)}"')
        elif shape == "prefix":
            queries.append(picked[0][:4] + "*")
        else:
            queries.append(" ".join(picked))
    with closing(
        Postings(path, FTS_TABLES, FTS_WEIGHTS, max_postings=20_000)
    ) as postings:  # small: phrases come and go
        _agree(postings, path, store, queries)
        assert postings.held() <= 20_000 + max(len(p) for p in _ours(postings, "Путин", store))


def test_every_write_is_followed_without_reading_everything_again(kremlin: tuple[Store, Path]) -> None:
    store, path = kremlin
    with closing(Postings(path, FTS_TABLES, FTS_WEIGHTS)) as postings:
        _agree(postings, path, store, QUERIES)
        # A new release; a new version of an old one (other words, other length); a new translation; an
        # English translation replaced by an empty one (its row leaves the English index).
        store.releases.save(
            make_article("https://example.org/new", "Путин и энергетика", ["Встреча в Москве."])
        )
        old = store.releases.get(5)
        assert old is not None
        store.releases.save(
            make_article(
                old.url, "Совет Безопасности: sanctions", ["Культура и спорт.", "Совет безопасности."]
            )
        )
        store.translations.save(10, 1, _translation(["Energy and security: sanctions again."]), NOW)
        store.translations.save(1, 1, Translation("en", (), "complete"), NOW)
        _agree(postings, path, store, QUERIES)
        assert postings.loads == 1


def test_a_phrase_without_a_token_is_left_to_fts5(kremlin: tuple[Store, Path]) -> None:
    store, path = kremlin
    with closing(Postings(path, FTS_TABLES, FTS_WEIGHTS)) as postings:
        assert postings.matches(parse_query("Путин _", store.lemmatiser)) is None


def test_the_search_cache_ranks_from_postings_as_sql_does(kremlin: tuple[Store, Path]) -> None:
    store, _ = kremlin
    assert store.enable_search_cache()
    cache = store.search_cache
    assert cache is not None and cache.postings is not None
    for query in QUERIES:
        for sort in ("relevance", "date"):
            want = search(store.db, store.lemmatiser, query, limit=50, sort=sort)
            got = store.search(query, limit=50, sort=sort)
            assert (got.total, [h.id for h in got.hits]) == (want.total, [h.id for h in want.hits]), query
            assert [h.score for h in got.hits] == [h.score for h in want.hits]
    assert cache.postings.held() > 0


def test_warming_reads_the_broadest_words_first(kremlin: tuple[Store, Path]) -> None:
    store, path = kremlin
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIRTUAL TABLE temp.counts USING fts5vocab(main, release_fts, 'row')")
        ranked = conn.execute(
            "SELECT term, doc FROM temp.counts WHERE length(term) >= 4 ORDER BY doc DESC"
        ).fetchall()
    with closing(Postings(path, FTS_TABLES, FTS_WEIGHTS)) as postings:
        read = postings.warm(rows=3 * ranked[0][1])
        kept = list(postings.tables[0].kept)  # the originals; the English side has its own share
        assert read == sum(len(table.kept) for table in postings.tables) and len(kept) >= 3
        assert [key for key, _ in kept] == [(term,) for term, _ in ranked[: len(kept)]]
        assert all(prefix is False for _, prefix in kept)
        assert postings.held() < 3 * ranked[0][1] + ranked[0][1]  # stops once past its budget
        _agree(postings, path, store, QUERIES)  # and answers as before


def test_a_reader_the_change_log_left_behind_reads_everything_again(
    kremlin: tuple[Store, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, path = kremlin
    monkeypatch.setattr(schema, "FTS_CHANGES_KEPT", 2)
    monkeypatch.setattr(schema, "FTS_CHANGES_PRUNED_EVERY", 3)
    with closing(Postings(path, FTS_TABLES, FTS_WEIGHTS)) as postings:
        _agree(postings, path, store, QUERIES[:5])
        for n in range(6):
            store.releases.save(make_article(f"https://example.org/more/{n}", "Путин", [f"Встреча {n}."]))
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT count(*) FROM fts_changes").fetchone()[0] < 6  # pruned
        _agree(postings, path, store, QUERIES[:5])
        assert postings.loads == 2  # read again, not patched from a log with holes
