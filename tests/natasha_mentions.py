"""PER/ORG/LOC mentions from natasha, as the entity stage makes them, for participant tests.

The models (~360 MB) load once per test process; numpy runs on one thread (natasha is 4-5x slower and
erratic with numpy's default threading, see shared/RECIPES.md).
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Iterator
from typing import Any

from osiwire.model import Mention


@functools.cache
def _models() -> tuple[Any, Any, Any, Any]:
    with warnings.catch_warnings():
        # navec/slovnet may warn about numpy or pkg_resources on load: not ours to fix, not an error here
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", ResourceWarning)
        from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

        embedding = NewsEmbedding()
        return Segmenter(), NewsMorphTagger(embedding), NewsNERTagger(embedding), MorphVocab()


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # not installed: numpy keeps its threads, the results are the same
        yield
        return
    with threadpool_limits(1):
        yield


def mentions(text: str, segment: int = 0) -> list[Mention]:
    """natasha's mentions of ``text`` with normal forms, offsets into ``text``."""
    segmenter, morph, ner, vocab = _models()
    from natasha import Doc

    with _one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_morph(morph)
        doc.tag_ner(ner)
        for span in doc.spans:
            span.normalize(vocab)
    return [
        Mention(segment, s.start, s.stop, s.type, text[s.start : s.stop], s.normal or text[s.start : s.stop])
        for s in doc.spans
    ]
