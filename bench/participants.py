"""Participant extraction's share of the enrich stage, and its time on a hostile page.

In one process pinned to ONE core (numpy threads 1): the 125 real kremlin.ru releases are extracted and their
mentions found by the stage's own NER (``osiwire.enrich.ner`` through ``EntityExtractor``) before any clock
starts; then, on the same paragraphs with the same mentions, the baseline (the model floor: the stage's NER
called once per release on its paragraphs, as ``bench/enrich.py`` measures it) and participant extraction
(lists, appositions, meeting sentences, people mentioned) are timed in turns, best of ``--rounds`` kept. A
hostile page follows: one list row repeated to 250,000 characters (the most a text is read), glued rows and
rows on lines. Ratios are against the model floor measured in the same run.

    .venv/bin/python bench/participants.py [--rounds 3]

Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from enrich import load_articles

# Participant extraction may take at most this share of the NER floor: the stage's goal (25 releases/s on
# one core) is set by the model, and everything after it has to fit in what is left.
MAX_SHARE_OF_NER = 0.5
HOSTILE_CHARS = 250_000


def _one_core() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternate baseline and measure; best kept")
    args = parser.parse_args()
    _one_core()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from natasha import NewsEmbedding, NewsNERTagger
    from threadpoolctl import threadpool_limits

    from osiwire.enrich.enricher import Enricher
    from osiwire.enrich.ner import NewsNER
    from osiwire.enrich.participants import extract_participants

    articles = load_articles()
    enricher = Enricher()
    work: list[tuple[str, str, Any]] = []
    for article in articles:
        segments = [s for s in article.segments if s.text.strip()]
        mentions = enricher.mentions(segments, article.language)
        for segment in segments:
            own = [m for m in mentions if m.segment == segment.position]
            work.append((segment.text, segment.language or article.language, own))
    releases = [[s.text for s in a.segments if s.text.strip()] for a in articles]
    ner = NewsNER(NewsNERTagger(NewsEmbedding()))
    floors, spent, rows = [], [], 0
    with threadpool_limits(1):
        ner.spans(["Встреча в Москве"])
        extract_participants("ИВАНОВ Иван Иванович – министр", "ru")
        for _ in range(args.rounds):
            start = time.perf_counter()
            for texts in releases:
                ner.spans(texts)
            floors.append(time.perf_counter() - start)
            start = time.perf_counter()
            rows = sum(len(extract_participants(text, lang, own)) for text, lang, own in work)
            spent.append(time.perf_counter() - start)
    floor, seconds = min(floors), min(spent)
    hostile = {
        "one row repeated": "ИВАНОВ Иван Иванович – министр обороны " * 7000,
        "rows glued": "министрИВАНОВ Иван – " * 12000,
        "rows on lines": "ИВАНОВ Иван Иванович – министр обороны\n" * 7000,
    }
    hostile_seconds = {}
    for label, text in hostile.items():
        start = time.perf_counter()
        extract_participants(text[:HOSTILE_CHARS], "ru")
        hostile_seconds[label] = time.perf_counter() - start
    share = seconds / floor
    print(f"{len(articles)} kremlin.ru releases, {len(work)} paragraphs, one core, numpy threads 1")
    print(f"baseline, the stage's NER (model floor): {floor:.2f} s = {len(articles) / floor:.1f} releases/s")
    print(f"participants: {seconds:.2f} s for {rows} rows = {len(articles) / seconds:.1f} releases/s")
    for label, value in hostile_seconds.items():
        print(f"hostile page, {label} ({HOSTILE_CHARS:,} characters): {value:.2f} s")
    print(f"participants / NER floor: {share:.3f} (goal at most {MAX_SHARE_OF_NER})")
    print(
        f"RESULT releases={len(articles)} participants_s={seconds:.3f} ner_floor_s={floor:.3f} "
        f"share_of_ner={share:.3f} rows={rows} hostile_max_s={max(hostile_seconds.values()):.2f} "
        f"goal_met={int(share <= MAX_SHARE_OF_NER)}"
    )


if __name__ == "__main__":
    main()
