"""A new name's lookup of the people it can only be, with many people stored (the store's enrich write).

Stores ``--people`` people (distinct surnames), then times the lookup of the people of one surname as the store
runs it on SQLite (a range of the key index) against the LIKE statement it ran before (SQLite's LIKE is
case-insensitive, so it scanned every person), both in this run.

    .venv/bin/python bench/people.py [--people 100000] [--lookups 300]

Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import insert

from osiwire.store import Store
from osiwire.store.enrichments import _same_surname
from osiwire.store.schema import people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=300)
    args = parser.parse_args()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp, Store(f"sqlite:///{tmp}/people.sqlite") as store:
        with store.db.writing() as conn:
            conn.execute(
                insert(people),
                [{"key": f"surname{i}:ab", "display": f"A B Surname{i}", "name_en": "", "first": "A",
                  "patronymic": "B", "last": f"Surname{i}", "initials": "", "first_seen_at": now,
                  "last_seen_at": now} for i in range(args.people)],
            )  # fmt: skip
        timings = {}
        with store.db.reading() as conn:
            for name, dialect in (("range", "sqlite"), ("like", "postgresql")):
                started = time.perf_counter()
                found = 0
                for i in range(args.lookups):
                    found += len(
                        conn.execute(_same_surname(dialect, f"surname{(i * 7919) % args.people}")).all()
                    )
                timings[name] = (time.perf_counter() - started) / args.lookups * 1000
                assert found == args.lookups, (name, found)
    print(
        f"{args.people} people stored: key range {timings['range']:.3f} ms, LIKE {timings['like']:.3f} ms a lookup"
    )
    print(
        f"RESULT people={args.people} range_ms={timings['range']:.3f} like_ms={timings['like']:.3f} "
        f"speedup={timings['like'] / timings['range']:.1f}"
    )


if __name__ == "__main__":
    main()
