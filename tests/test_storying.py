"""The stories stage over the store: a long synthetic stream, rebuilds, merges, future dates, bad input."""

from __future__ import annotations

import hashlib
import multiprocessing
import random
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from osiwire.enrich.enricher import Enricher
from osiwire.model import Article, Segment
from osiwire.store import Store
from osiwire.stories.clusters import MAX_STORY_SIZE
from osiwire.stories.prepared import PreparedStory, prepare_story
from osiwire.stories.similarity import entity_keys
from osiwire.storying import StoriesNotWritten, Storying, story_time
from story_variants import Release, load_kremlin, variant, vocabulary

COPIES = 2  # rewritten copies of each kremlin release, from other "sources", within hours of it


def _article(url: str, title: str, text: str, at: datetime | None, lang: str = "ru") -> Article:
    segments = (Segment(0, "title", title, lang), *(
        Segment(i, "paragraph", p, lang) for i, p in enumerate([p for p in text.split("\n") if p.strip()], 1)
    ))  # fmt: skip
    digest = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    return Article(url, title, lang, segments, digest, at or datetime(2025, 1, 1, tzinfo=UTC), at)


def _stream(kremlin: list[Release]) -> list[tuple[Article, int]]:
    """(article, original index) in arrival order: each release then its copies, days interleaved."""
    vocab = vocabulary(kremlin)
    rng = random.Random(7)
    items = []
    for i, release in enumerate(kremlin):
        at = datetime.fromisoformat(release.date).replace(tzinfo=UTC) + timedelta(hours=rng.uniform(9, 18))
        items.append((at, _article(release.url, release.title, release.text, at), i))
        for c in range(COPIES):
            copy = variant(release, vocab, 1000 * c + i)
            copy_at = at + timedelta(hours=rng.uniform(0.1, 8))
            items.append((copy_at, _article(copy.url, copy.title, copy.text, copy_at), i))
    items.sort(key=lambda t: t[0])
    return [(a, i) for _, a, i in items]


def _run(
    store: Store, stream: list[tuple[Article, int]], enricher: Enricher | None = None
) -> dict[int, tuple[int, int | None]]:
    ids = [r.release_id for r in store.releases.save_many([a for a, _ in stream])]
    stage = Storying(store)
    for (article, _), release_id in zip(stream, ids, strict=True):
        if enricher is not None:
            store.enrichments.save(release_id, 1, enricher.enrich(article), article.fetched_at)
        stage.place(article, release_id, article.fetched_at)
    placed = {}
    for release_id in ids:
        found = store.stories.of_release(release_id)
        assert found is not None
        placed[release_id] = found
    return placed


@pytest.fixture(scope="module")
def kremlin(shared_data: Path) -> list[Release]:
    return load_kremlin(shared_data)


@pytest.fixture(scope="module")
def streamed(
    kremlin: list[Release],
) -> tuple[Store, list[tuple[Article, int]], dict[int, tuple[int, int | None]]]:
    store = Store("sqlite://")
    stream = _stream(kremlin)
    return store, stream, _run(store, stream, Enricher())


def test_no_story_swallows_unrelated_releases(
    streamed: tuple[Store, list[tuple[Article, int]], dict[int, tuple[int, int | None]]],
    kremlin: list[Release],
) -> None:
    _, stream, placed = streamed
    originals_of: dict[int, set[int]] = defaultdict(set)
    for (_, original), (story_id, _) in zip(stream, placed.values(), strict=True):
        originals_of[story_id].add(original)
    assert max(Counter(s for s, _ in placed.values()).values()) <= MAX_STORY_SIZE
    for story_id, originals in originals_of.items():
        # Releases of one day's visit or ceremony may share a story (EMM would show one); never other days.
        days = sorted({datetime.fromisoformat(kremlin[i].date) for i in originals})
        assert days[-1] - days[0] <= timedelta(days=1), [kremlin[i].title for i in originals]
        calls = {kremlin[i].title for i in originals if kremlin[i].title.startswith("Телефонный разговор")}
        assert len(calls) <= 1, (story_id, calls)  # two phone calls are two stories, same day or not
    shared = sum(len(o) > 1 for o in originals_of.values())
    assert shared <= 0.25 * len(originals_of), shared


def test_copies_link_to_their_original_and_join_its_story(
    streamed: tuple[Store, list[tuple[Article, int]], dict[int, tuple[int, int | None]]],
) -> None:
    _, stream, placed = streamed
    ids = list(placed)
    first_of: dict[int, int] = {}
    for (_, original), release_id in zip(stream, ids, strict=True):
        first_of.setdefault(original, release_id)
    linked = together = copies = 0
    for (_, original), release_id in zip(stream, ids, strict=True):
        if first_of[original] == release_id:
            continue
        copies += 1
        story_id, duplicate_of = placed[release_id]
        linked += duplicate_of == first_of[original]
        together += story_id == placed[first_of[original]][0]
    assert linked / copies >= 0.99 and together / copies >= 0.99, (linked, together, copies)


def test_rebuild_gives_the_same_stories(
    streamed: tuple[Store, list[tuple[Article, int]], dict[int, tuple[int, int | None]]],
) -> None:
    store, _, placed = streamed
    Storying(store).rebuild()
    again = {release_id: store.stories.of_release(release_id) for release_id in placed}
    assert again == placed


def test_an_interrupted_rebuild_resumes(kremlin: list[Release]) -> None:
    store = Store("sqlite://")
    stream = _stream(kremlin[:30])
    placed = _run(store, stream)
    stage = Storying(store)
    store.stories.clear()
    for release_id in list(placed)[:40]:  # a rebuild stopped part of the way
        stage.place_stored(release_id)
    assert Storying(store).rebuild(resume=True) == len(placed) - 40
    assert {r: store.stories.of_release(r) for r in placed} == placed


def test_a_future_publication_time_is_clamped_and_said_so() -> None:
    seen = datetime(2025, 5, 1, 12, tzinfo=UTC)
    article = _article("https://x.example/1", "Заголовок", "Текст", seen + timedelta(days=30))
    assert story_time(article, seen) == (seen, True)
    assert story_time(_article("https://x.example/2", "З", "Т", None), seen) == (seen, False)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Заголовок без текста", ""),
        ("", "Меню Главная Новости Контакты Подписаться"),
        ("Стенограмма", "слово " * 100_000),
        ("", ""),
    ],
)
def test_bad_input_never_crashes(title: str, text: str) -> None:
    store = Store("sqlite://")
    article = _article("https://x.example/a", title or "-", text, datetime(2025, 5, 1, tzinfo=UTC))
    [result] = store.releases.save_many([article])
    placed = Storying(store).place(article, result.release_id, article.fetched_at)
    assert placed is not None and placed.created


def test_a_flood_of_identical_releases_is_one_story_of_copies() -> None:
    store = Store("sqlite://")
    at = datetime(2025, 5, 1, tzinfo=UTC)
    text = "Губернатор доложил Президенту о ходе восстановления жилья после паводка в Орске 12 апреля."
    articles = [
        _article(f"https://flood.example/{i}", "Паводок", text, at + timedelta(minutes=i)) for i in range(60)
    ]
    ids = [r.release_id for r in store.releases.save_many(articles)]
    stage = Storying(store)
    for article, release_id in zip(articles, ids, strict=True):
        stage.place(article, release_id, article.fetched_at)
    places = [store.stories.of_release(i) for i in ids]
    assert {p[0] for p in places if p} == {places[0][0]} if places[0] else False
    assert all(p is not None and p[1] == ids[0] for p in places[1:])
    with store.db.reading() as conn:  # the copies add no band keys: the text hash finds them
        bands = conn.exec_driver_sql("SELECT DISTINCT release_id FROM story_bands").scalars().all()
    assert bands == [ids[0]]


def _prepare_all(articles: list[Article]) -> list[PreparedStory]:
    """What a worker process makes of the articles (``runner.py`` calls the same function)."""
    from osiwire.store.textindex import Lemmatiser

    lemmatiser = Lemmatiser()
    return [prepare_story(a, lemmatiser) for a in articles]


def test_releases_prepared_in_a_worker_process_are_placed_as_at_home(kremlin: list[Release]) -> None:
    stream = _stream(kremlin[:25])
    articles = [a for a, _ in stream]
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        prepared = pool.submit(_prepare_all, articles).result()
    at_home = _run(Store("sqlite://"), stream)  # prepared here, each place written at once
    store = Store("sqlite://")
    ids = [r.release_id for r in store.releases.save_many(articles)]
    stage = Storying(store)
    with stage.batched():
        for article, release_id, story in zip(articles, ids, prepared, strict=True):
            stage.place(article, release_id, article.fetched_at, prepared=story)
        assert store.stories.count_pending() == len(ids)  # nothing written inside the batch
    assert {r: store.stories.of_release(r) for r in ids} == dict(zip(ids, at_home.values(), strict=True))
    assert any(duplicate_of is not None for _, duplicate_of in at_home.values())


def test_a_batch_the_store_refuses_stays_unread(
    kremlin: list[Release], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store("sqlite://")
    stream = _stream(kremlin[:5])
    ids = [r.release_id for r in store.releases.save_many([a for a, _ in stream])]
    stage = Storying(store)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store.stories, "write", refuse)
    with (
        pytest.raises(StoriesNotWritten, match=f"stories: {len(ids)} places not written: OSError: disk full"),
        stage.batched(),
    ):
        for (article, _), release_id in zip(stream, ids, strict=True):
            stage.place(article, release_id, article.fetched_at)
    monkeypatch.undo()
    assert store.stories.count_pending() == len(ids)
    assert stage.rebuild(resume=True) == len(ids)  # read again by the same stage, from what is stored
    assert store.stories.count_pending() == 0


def test_the_stage_reads_the_entities_the_enrichment_stored(
    streamed: tuple[Store, list[tuple[Article, int]], dict[int, tuple[int, int | None]]],
) -> None:
    store, _, placed = streamed
    found = 0
    for release_id in placed:
        stored = store.enrichments.get(release_id)
        assert stored is not None
        keys = entity_keys(stored)
        assert entity_keys(store.stories.entities(release_id)) == keys
        found += bool(keys)
    assert found >= 0.9 * len(placed)
    assert entity_keys(store.stories.entities(10**9)) == frozenset()  # no such release: nothing


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Встреча 12 марта 2025 года в 14:50, рост 2,5 % и 1.5 млн. " * 3,
        "слово 7 " * 15_000,  # past MAX_WORDS: the numbers of the whole text still count
        "\u0301Начало с комбинирующего знака 1999 и 31",
    ],
)
def test_prepared_numbers_and_thinness_are_those_of_the_whole_text(text: str) -> None:
    from osiwire.store.textindex import Lemmatiser
    from osiwire.stories.similarity import MIN_BODY_WORDS, numbers_of
    from osiwire.stories.text import words

    article = _article(
        "https://x.example/n", "Заголовок 8 ноября 2024: 300", text, datetime(2025, 5, 1, tzinfo=UTC)
    )
    features = prepare_story(article, Lemmatiser()).features
    assert features.numbers == numbers_of(f"{article.title} {article.body}")
    assert features.thin == (len(words(article.body)) < MIN_BODY_WORDS)


def test_prepared_numbers_of_real_releases(kremlin: list[Release]) -> None:
    from osiwire.store.textindex import Lemmatiser
    from osiwire.stories.similarity import numbers_of

    lemmatiser = Lemmatiser()
    for article, _ in _stream(kremlin[:40]):
        features = prepare_story(article, lemmatiser).features
        assert features.numbers == numbers_of(f"{article.title} {article.body}"), article.url
