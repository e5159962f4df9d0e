"""Build src/osiwire/data/stories/background-df.tsv: document frequencies of lemmas in a shipped background.

Run from the repository root: ``.venv/bin/python scripts/build_story_idf.py [SHARED_DATA]``. The background is
general Russian and English news and official text (never the same-story pairs the scorer is judged on):
factRuEval-2016's news documents, the 125 kremlin.ru releases, WMT21 ru-en sources and references (runs of 10
sentences as one document) and the langid Russian and English sentences (runs of 20).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from osiwire.stories.similarity import content_terms  # noqa: E402
from osiwire.store.textindex import Lemmatiser  # noqa: E402

OUT = ROOT / "src" / "osiwire" / "data" / "stories" / "background-df.tsv"
MIN_DF = 2  # lemmas seen once are left out: the file stays small and an unseen lemma gets the top IDF anyway


def _runs(lines: list[str], size: int) -> list[str]:
    return [" ".join(lines[i : i + size]) for i in range(0, len(lines), size)]


def documents(shared: Path) -> list[str]:
    docs = [
        p.read_text(encoding="utf-8") for p in sorted((shared / "ner/factRuEval2016/devset").glob("*.txt"))
    ]
    kremlin = shared / "press/kremlin-ru/releases-2025-02-03.jsonl"
    for line in kremlin.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        docs.append(f"{row['title']} {row['text']}")
    wmt = shared / "mt/wmt21-ru-en/txt"
    for path in (wmt / "sources/newstest2021.ru-en.src.ru", wmt / "references/newstest2021.ru-en.ref.A.en"):
        docs += _runs(path.read_text(encoding="utf-8").splitlines(), 10)
    for lang in ("ru", "en"):
        docs += _runs((shared / f"langid/{lang}.txt").read_text(encoding="utf-8").splitlines(), 20)
    return docs


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    lemmatiser = Lemmatiser()
    docs = documents(shared)
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(content_terms(doc, lemmatiser)))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as out:
        out.write(f"#documents\t{len(docs)}\n")
        for term, count in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])):
            if count >= MIN_DF:
                out.write(f"{term}\t{count}\n")
    print(f"{OUT}: {len(docs)} documents, {sum(c >= MIN_DF for c in df.values())} lemmas")


if __name__ == "__main__":
    main()
