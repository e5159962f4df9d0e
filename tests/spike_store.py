"""A store with a topic and a person that spike: a quiet week (one release a day from Kremlin), then a burst of
seven releases from three sources within two hours, one of them a copy of another (counted once), and a flood
of one source about another topic (no spike: one source).

| releases | source | time | topic | person |
| --- | --- | --- | --- | --- |
| 7 quiet | Kremlin | 2025-03-01 .. 03-07, 10:00 | energy | Novak |
| 7 burst | Kremlin, TASS, RIA in turn | 2025-03-08 12:00 .. 13:30 | energy | Novak |
| 1 copy | RIA | 2025-03-08 13:40 | energy | Novak |
| 8 flood | Spammy | 2025-03-08 12:00 .. 12:35 | <b>flood</b> (hostile label) | — |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from factories import make_article, make_source
from osiwire.model import Enrichment, PersonName, TopicMatch
from osiwire.store import Store
from osiwire.store.schema import release_stories

NOVAK = PersonName("Александр", "Валентинович", "Новак", "", "Alexander Novak", ("Новак", "Novak"))
BURST = datetime(2025, 3, 8, 12, tzinfo=UTC)
ENERGY = TopicMatch("energy", "Energy", ("нефть",))
FLOOD = TopicMatch("flood", "<b>flood</b>", ())
NOW = datetime(2025, 3, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Spiked:
    burst: list[int]  # release ids of the burst, the copy last
    flood: list[int]
    quiet: list[int]


def _copy(store: Store, release_id: int, original: int, at: datetime) -> None:
    with store.db.writing() as conn:
        conn.execute(
            release_stories.insert().values(
                release_id=release_id, story_id=1, duplicate_of=original, score=1.0, at=at, clamped=False,
                text_hash="", signature=b"", shingles=0, numbers="",
            )
        )  # fmt: skip


def seed_spikes(store: Store) -> Spiked:
    ids = {}
    for name in ("Kremlin", "TASS", "RIA", "Spammy"):
        source = store.sources.add(make_source(name))
        assert source.id
        ids[name] = source.id

    def release(n: str, source: str, at: datetime, topic: TopicMatch, people: tuple[PersonName, ...]) -> int:
        article = make_article(
            f"https://{source.lower()}.example/{n}", f"Новость {n}", [f"Текст новости {n} о нефти."],
            source_id=ids[source], published=at,
        )  # fmt: skip
        release_id = store.releases.save(article).release_id
        store.enrichments.save(release_id, 1, Enrichment(people=people, topics=(topic,)), NOW)
        return release_id

    quiet = [
        release(
            f"q{d}", "Kremlin", datetime(2025, 3, 1, 10, tzinfo=UTC) + timedelta(days=d), ENERGY, (NOVAK,)
        )
        for d in range(7)
    ]
    burst = [
        release(
            f"b{i}", ("Kremlin", "TASS", "RIA")[i % 3], BURST + timedelta(minutes=15 * i), ENERGY, (NOVAK,)
        )
        for i in range(7)
    ]
    copy = release("copy", "RIA", BURST + timedelta(minutes=100), ENERGY, (NOVAK,))
    _copy(store, copy, burst[0], BURST + timedelta(minutes=100))
    flood = [release(f"f{i}", "Spammy", BURST + timedelta(minutes=5 * i), FLOOD, ()) for i in range(8)]
    return Spiked([*burst, copy], flood, quiet)
