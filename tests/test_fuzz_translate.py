"""Property tests of the translate stage's own text handling over hostile text, with an engine that echoes.

Sentence segmentation (nothing of a segment lost or invented between the article and its sentence pairs),
glossary matching (offsets inside the sentence), placeholder protection and restoration (an echoed sentence
comes back with every term, and no stray token).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from fuzz_strategies import WORDS, documents
from osiwire.extract.language import get_detector
from osiwire.model import Article, Segment
from osiwire.translate.base import EngineOutput
from osiwire.translate.engines.none import NoneEngine
from osiwire.translate.glossary import Glossary, bundled_terms
from osiwire.translate.memory import DictMemory
from osiwire.translate.protection import protect, restore
from osiwire.translate.registry import EngineSet
from osiwire.translate.translator import Translator

LANGUAGES = ["ru", "uk", "kk", "hy", "ka", "de", "ar", "en", ""]
# Terms of the bundled glossary, written into texts so that matching and protection happen.
TERM_WORDS = ("Совет Безопасности", "Совета Безопасности Российской Федерации", "ОДКБ", "СНГ", "МИД России")


class EchoEngine:
    """Translates every pair by returning the sentence itself (placeholders included, as NMT models do)."""

    name = "echo"

    def model_id(self, source_lang: str, target_lang: str) -> str:
        return "echo-1"

    def supports(self, source_lang: str, target_lang: str) -> bool:
        return True

    def translate(
        self,
        sentences: Sequence[str],
        source_lang: str,
        target_lang: str,
        glossary: Mapping[str, str] | None = None,
    ) -> list[EngineOutput]:
        return [EngineOutput(s, 0.5) for s in sentences]

    def close(self) -> None:
        pass


@functools.cache
def _glossary() -> Glossary:
    return Glossary(bundled_terms())


def _translator() -> Translator:
    engines = EngineSet({"echo": EchoEngine, "none": NoneEngine}, ["echo", "none"])
    return Translator(engines, DictMemory(), _glossary(), get_detector(), "en")


def _letters(text: str) -> str:
    return "".join(text.split())


TEXTS = st.one_of(
    documents(),
    st.lists(st.sampled_from(TERM_WORDS + WORDS + ("2024", "-1", "ZQX1", "zqx 2", ",")), max_size=20).map(
        " ".join
    ),
    st.lists(st.sampled_from((*TERM_WORDS, "1", "2024", "ZQX", "x")), max_size=8).map("".join),
)


@given(st.lists(TEXTS, min_size=1, max_size=3), st.sampled_from(LANGUAGES))
def test_article_sentences_keep_every_segment_whole(paragraphs: list[str], language: str) -> None:
    segments = tuple(
        Segment(i, "title" if i == 0 else "paragraph", p, language) for i, p in enumerate(paragraphs)
    )
    article = Article(
        "https://example.org/t", paragraphs[0], language, segments, "x", datetime(2026, 1, 1, tzinfo=UTC)
    )
    translation = _translator().translate_article(article)
    assert translation.status in {"complete", "partial", "untranslated"}
    for segment in segments:
        pairs = [p for p in translation.sentences if p.segment == segment.position]
        assert [p.index for p in pairs] == list(range(len(pairs)))
        assert _letters("".join(p.source for p in pairs)) == _letters(segment.text)
        assert all(isinstance(p.target, str) for p in pairs)


@given(TEXTS, st.sampled_from(["ru", "en"]))
def test_glossary_protection_round_trip(sentence: str, language: str) -> None:
    matches = _glossary().find(sentence, language, "en" if language == "ru" else "ru")
    for m in matches:
        assert 0 <= m.start < m.end <= len(sentence) and sentence[m.start : m.end] == m.text
    assert all(a.end <= b.start for a, b in itertools.pairwise(matches))  # in order, no overlap
    protected = protect(sentence, matches)
    restored = restore(protected.text, protected)
    assert not restored.lost
    if protected.slots:
        assert not restored.stray, (sentence, protected.text)
