"""Every page and text of ``../shared/data`` through `analyze`, one batch per corpus: zero crashes.

Each document goes through ``Analyzer.analyze``, what `osiwire analyze --jsonl` runs on each line. An OsiwireError
is a document the contract turns away with its reason (a page with no main text); any other exception is a crash
that would end a batch, an import or a pass, and fails the test with every crashed document named. The results
are checked against the contract's offset invariant too. The corpora (see shared_corpus.py) are read whole: all of
them take about a minute on one core.
"""

from __future__ import annotations

import functools
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

from osiwire.analyze import Analyzer
from osiwire.config import load_settings
from osiwire.errors import OsiwireError
from shared_corpus import CORPORA
from test_fuzz_analyze import check_contract

# Documents each corpus holds at least (what the shared data held when this test was written): a corpus that
# silently came out empty would pass with zero crashes.
MIN_DOCUMENTS = {
    "zyte": 181,
    "wmt21": 40,
    "udhr": 2,
    "factrueval": 122,
    "press": 340,
    "feeds": 450,
    "langid": 200,
    "dedup": 2700,
}
# Documents the contract may turn away (OsiwireError), per corpus: an empty feed entry, a page without main text.
MAX_REFUSED_SHARE = 0.02


@functools.cache
def _analyzer() -> Analyzer:
    return Analyzer(load_settings(Path(tempfile.mkdtemp(prefix="osiwire-shared-")), environ={}))


@pytest.mark.slow
@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_every_shared_document_through_analyze(
    corpus: str, shared_data: Path, record_property: Callable[[str, object], None]
) -> None:
    documents = CORPORA[corpus](shared_data)
    assert len(documents) >= MIN_DOCUMENTS[corpus]
    analyzer = _analyzer()
    crashes: list[str] = []
    refused = 0
    started = time.perf_counter()
    for document in documents:
        try:
            check_contract(analyzer.analyze(document))
        except OsiwireError:
            refused += 1
        except Exception as exc:  # a crash: named with where it happened, all of them collected
            where = traceback.extract_tb(exc.__traceback__)[-1]
            crashes.append(f"{document.id}: {type(exc).__name__}: {exc} ({where.filename}:{where.lineno})")
    elapsed = time.perf_counter() - started
    characters = sum(len(d.text or d.html or "") for d in documents)
    record_property(
        "quality",
        f"{corpus}: {len(documents)} documents, {characters:,} characters, {refused} refused, "
        f"{len(crashes)} crashed, {elapsed:.1f} s",
    )
    assert not crashes, "\n".join(crashes)
    assert refused <= MAX_REFUSED_SHARE * len(documents)
