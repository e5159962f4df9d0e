"""Translation memory at size: importing a large TMX, and looking up one article's worth of sentences.

Writes a TMX of ``--units`` units (Russian sentences with an inline code, English targets, change dates) to a
temporary folder, imports it into a fresh SQLite store (reading and storing timed apart), imports it again (every
entry unchanged), then looks up ``--keys`` keys (one article's sentences: a quarter of them misses) ``--repeats``
times, alternating

  (a) baseline: the query SqlMemory made before, one OR of five-column conditions per 200 keys;
  (b) osiwire: ``store.memory._stored``, keys grouped by pair, engine and model, ``text_hash IN (...)``.

Both read the same rows (checked). Timings are medians. The machine may be shared: compare the ratio, not the
absolute times.

    .venv/bin/python bench/memory.py [--units 50000] [--keys 200] [--repeats 30]

Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import and_, or_, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from osiwire.store import Store  # noqa: E402
from osiwire.store.memory import SqlMemory, _stored  # noqa: E402
from osiwire.store.schema import translation_memory as tm  # noqa: E402
from osiwire.translate.memory import MemoryKey, human_key  # noqa: E402
from osiwire.translate.tmx import read_tmx  # noqa: E402
from osiwire.translate.tmx_import import tmx_entries  # noqa: E402

OLD_CHUNK = 200


def write_tmx(path: Path, units: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0"?>\n<tmx version="1.4"><header srclang="ru-RU" creationtool="bench"/><body>\n'
        )
        for i in range(units):
            out.write(
                f'<tu changedate="20240101T{i % 24:02d}0000Z"><tuv xml:lang="ru-RU"><seg>Предложение номер {i} '
                f'о <ph>&lt;b&gt;</ph>сотрудничестве.</seg></tuv><tuv xml:lang="en-GB"><seg>Sentence number {i} '
                "on cooperation.</seg></tuv></tu>\n"
            )
        out.write("</body></tmx>\n")


def baseline(store: Store, keys: list[MemoryKey]) -> set[MemoryKey]:
    found = set()
    with store.db.reading() as conn:
        for start in range(0, len(keys), OLD_CHUNK):
            chunk = keys[start : start + OLD_CHUNK]
            where = or_(
                *(
                    and_(
                        tm.c.text_hash == k.text_hash,
                        tm.c.source_language == k.source_lang,
                        tm.c.target_language == k.target_lang,
                        tm.c.engine == k.engine,
                        tm.c.model == k.model,
                    )
                    for k in chunk
                )
            )
            for r in conn.execute(select(tm).where(where)):
                found.add(MemoryKey(r.text_hash, r.source_language, r.target_language, r.engine, r.model))
    return found


def grouped(store: Store, keys: list[MemoryKey]) -> set[MemoryKey]:
    with store.db.reading() as conn:
        return set(_stored(conn, keys))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmx = Path(folder) / "big.tmx"
        write_tmx(tmx, args.units)
        with Store(f"sqlite:///{folder}/osiwire.db") as store:
            memory = SqlMemory(store.db)
            start = time.perf_counter()
            read = read_tmx(tmx)
            entries = tmx_entries(read, "bench").entries
            read_s = time.perf_counter() - start
            start = time.perf_counter()
            added = memory.import_human(entries).added
            store_s = time.perf_counter() - start
            start = time.perf_counter()
            unchanged = memory.import_human(entries).unchanged
            again_s = time.perf_counter() - start
            step = max(1, args.units // args.keys)
            keys = [
                human_key(f"Предложение номер {i if n % 4 else args.units + n} о сотрудничестве.", "ru", "en")
                for n, i in enumerate(range(0, step * args.keys, step))
            ]
            assert baseline(store, keys) == grouped(store, keys)
            times: dict[str, list[float]] = {"baseline": [], "grouped": []}
            for _ in range(args.repeats):
                for name, run in (("baseline", baseline), ("grouped", grouped)):
                    start = time.perf_counter()
                    run(store, keys)
                    times[name].append(time.perf_counter() - start)
    base_ms = statistics.median(times["baseline"]) * 1000
    new_ms = statistics.median(times["grouped"]) * 1000
    print(
        f"import of {args.units:,} units: read {read_s:.2f} s, stored {store_s:.2f} s, again {again_s:.2f} s"
    )
    print(f"lookup of {len(keys)} keys: baseline {base_ms:.2f} ms, grouped {new_ms:.2f} ms (median)")
    print(
        f"RESULT units={args.units} added={added} unchanged={unchanged} read_s={read_s:.2f} store_s={store_s:.2f} "
        f"again_s={again_s:.2f} keys={len(keys)} baseline_ms={base_ms:.2f} grouped_ms={new_ms:.2f} "
        f"speedup={base_ms / new_ms:.1f}"
    )


if __name__ == "__main__":
    main()
