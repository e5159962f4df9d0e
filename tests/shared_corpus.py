"""Every page and text of ``../shared/data`` as ``analyze`` inputs, one named corpus at a time.

Each corpus is a function from the shared data folder to a list of ``Input`` (the value ``osiwire analyze``
reads per document), in a fixed order, so a failure names the document and reruns the same way.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from osiwire.analyze import Input
from osiwire.collect.charset import decode
from osiwire.collect.feeds import parse_feed
from osiwire.collect.local import entry_document
from osiwire.errors import ParseError
from osiwire.model import Source, SourceKind

# WMT21 files hold one sentence a line; a news release runs to a few hundred sentences.
SENTENCES_PER_DOCUMENT = 200
# langid holds one short sentence a line; a paragraph of a release is a few of them, a release some dozens.
LANGID_SENTENCES_PER_PARAGRAPH = 4
LANGID_PARAGRAPHS_PER_DOCUMENT = 25
NOT_DATA = frozenset({"SOURCE.txt", "LICENSE", "README.md"})


def _chunks(lines: list[str], size: int) -> list[list[str]]:
    return [lines[i : i + size] for i in range(0, len(lines), size)]


def zyte_pages(data: Path) -> list[Input]:
    """The 181 real news pages of the extraction benchmark, as HTML."""
    folder = data / "extraction" / "zyte" / "html"
    return [
        Input(
            path.name,
            html=decode(gzip.decompress(path.read_bytes()), None),
            url=f"https://zyte.test/{path.name}",
        )
        for path in sorted(folder.glob("*.html.gz"))
    ]


def wmt21_documents(data: Path) -> list[Input]:
    """Sources, both references and system outputs of WMT21 (both directions), a few hundred sentences a document."""
    out: list[Input] = []
    for path in sorted((data / "mt" / "wmt21-ru-en" / "txt").rglob("*")):
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, chunk in enumerate(_chunks(lines, SENTENCES_PER_DOCUMENT)):
            out.append(Input(f"{path.name}#{n}", text="\n".join(chunk)))
    return out


def udhr_documents(data: Path) -> list[Input]:
    """The Universal Declaration in Russian and English (XML read as HTML, as a user's file would be)."""
    return [
        Input(path.name, html=path.read_text(encoding="utf-8"), url=f"https://udhr.test/{path.name}")
        for path in sorted((data / "mt" / "udhr-ru-en").glob("*.xml"))
    ]


def factrueval_documents(data: Path) -> list[Input]:
    """The factRuEval-2016 dev set's Russian news texts."""
    folder = data / "ner" / "factRuEval2016" / "devset"
    return [Input(path.name, text=path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.txt"))]


def press_releases(data: Path) -> list[Input]:
    """The kremlin.ru releases (with their participant lists) and the MIL-OSI wire item."""
    out: list[Input] = []
    for path in sorted((data / "press").rglob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            record = json.loads(line)
            text = record.get("text") or record.get("participants_text") or ""
            out.append(
                Input(
                    f"{path.name}:{n}",
                    text=text,
                    title=record.get("title") or "",
                    language=record.get("lang") or "",
                    participants_text=record.get("participants_text") or "",
                )
            )
    for path in sorted((data / "press").rglob("*.txt")):
        if path.name not in NOT_DATA:
            out.append(Input(path.name, text=path.read_text(encoding="utf-8")))
    return out


def feed_items(data: Path) -> list[Input]:
    """Every entry's text (content or summary, as a ``file`` source reads it) of every feed; HTML files as pages."""
    source = Source(name="shared feeds", url="file:///shared", kind=SourceKind.FILE)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    out: list[Input] = []
    for path in sorted((data / "feeds").rglob("*")):
        if not path.is_file() or path.name in NOT_DATA:
            continue
        body = path.read_bytes()
        name = str(path.relative_to(data / "feeds"))
        if path.suffix == ".html":
            out.append(Input(name, html=decode(body, None), url=f"https://feeds.test/{name}"))
            continue
        try:
            feed = parse_feed(body, f"https://feeds.test/{name}")
        except ParseError:
            continue  # not a feed: the feed parser's own tests hold it to a clear error
        for n, entry in enumerate(feed.entries):
            doc = entry_document(entry, source, now)
            if doc is not None and doc.text:
                out.append(Input(f"{name}#{n}", text=doc.text, title=doc.title, url=entry.url))
    return out


def langid_documents(data: Path) -> list[Input]:
    """The language-ID sentences of each language, a few to a paragraph, some dozens of paragraphs a document."""
    out: list[Input] = []
    for path in sorted((data / "langid").glob("*.txt")):
        if path.name in NOT_DATA:
            continue
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        paragraphs = [" ".join(p) for p in _chunks(lines, LANGID_SENTENCES_PER_PARAGRAPH)]
        for n, chunk in enumerate(_chunks(paragraphs, LANGID_PARAGRAPHS_PER_DOCUMENT)):
            out.append(Input(f"{path.name}#{n}", text="\n\n".join(chunk)))
    return out


def dedup_texts(data: Path) -> list[Input]:
    """Both articles of every same-story pair: tgcontest (Russian) and SemEval-2022 task 8 (many languages)."""
    out: list[Input] = []
    path = data / "dedup" / "tgcontest-ru" / "pairs-dev.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for side in ("a", "b"):
            article = record[side]
            out.append(Input(f"tgcontest:{record['id']}{side}", text=article["text"], title=article["title"]))
    with (data / "dedup" / "semeval2022-task8" / "training_set.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for side in ("1", "2"):
                out.append(
                    Input(
                        f"semeval:{row['pair_id']}/{side}",
                        text=row[f"text{side}"],
                        language=row[f"lang{side}"],
                    )
                )
    return out


CORPORA: dict[str, Callable[[Path], list[Input]]] = {
    "zyte": zyte_pages,
    "wmt21": wmt21_documents,
    "udhr": udhr_documents,
    "factrueval": factrueval_documents,
    "press": press_releases,
    "feeds": feed_items,
    "langid": langid_documents,
    "dedup": dedup_texts,
}
