"""natasha's NER model as osiwire runs it (osiwire.enrich.ner): razdel's tokens and natasha's spans, faster."""

from __future__ import annotations

import functools
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from razdel import tokenize

from osiwire.enrich import ner
from osiwire.enrich.ner import NewsNER, RazdelTokens
from test_entities import HOSTILE

# Touching atoms are where razdel's rules decide: dashes, floats, fractions, punctuation runs, smileys.
TOKENS = {
    **HOSTILE,
    "dashes": "кто-то, -то, то- и - - -- --- а-б-в 1-2 x-1 -5 5- ...-... Нью-Йорк–Москва",
    "floats": "3.14 3,14 .5 5. 1.2.3 1,2,3 2025.02.03 12:00 5/7 5\\7 1/ /2",
    "punctuation": "Да?! Нет!!! Ну... «Цитата». (Скобки) [1] {x} ;-) :) :-( <3 ** *** -- ___ a_b _a_ b_",
    "yahoo": "Yahoo! yahoo!! YAHOO! Yahoo!? ЯХУ!",
    "other": "ΔP Δσ mβж µg ½ ²³ € $5 5$ №5 ©2025 ™",
    "leading dash after a word": "слово -дефис 5 -5 a -b",
    "mixed scripts": "Пyтин Tокаев abcабв абвabc 5abc abc5 5абв",
}


@functools.cache
def tagger() -> Any:
    with warnings.catch_warnings():  # navec/slovnet may warn on import (old APIs): not ours to fix
        warnings.simplefilter("ignore")
        from natasha import NewsEmbedding, NewsNERTagger

        return NewsNERTagger(NewsEmbedding())


@pytest.fixture(scope="module")
def model() -> NewsNER:
    return NewsNER(tagger())


def natasha_spans(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    return [[(s.start, s.stop, s.type) for s in markup.spans] for markup in tagger().map(texts)]


def kremlin_paragraphs(shared_data: Path, releases: int) -> list[str]:
    path = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()[:releases]
    return [p for line in lines for p in json.loads(line)["text"].split("\n") if p.strip()]


@pytest.mark.parametrize("text", TOKENS.values(), ids=TOKENS.keys())
def test_tokens_are_razdels(text: str) -> None:
    assert RazdelTokens()(text) == [(t.start, t.stop) for t in tokenize(text)]


def test_tokens_are_razdels_on_kremlin_releases(shared_data: Path) -> None:
    tokens = RazdelTokens()
    for text in kremlin_paragraphs(shared_data, 125):
        assert tokens(text) == [(t.start, t.stop) for t in tokenize(text)], text


def test_spans_are_natashas_on_kremlin_releases(model: NewsNER, shared_data: Path) -> None:
    texts = kremlin_paragraphs(shared_data, 30)
    found = model.spans(texts)
    assert found == natasha_spans(texts)
    assert sum(map(len, found)) > 500


@pytest.mark.parametrize("text", TOKENS.values(), ids=TOKENS.keys())
def test_spans_are_natashas_on_hostile_texts(model: NewsNER, text: str) -> None:
    expected = natasha_spans([text])[0] if text.strip() else []
    assert model.spans([text]) == [expected]


def test_texts_do_not_leak_into_each_other(
    model: NewsNER, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pass or many, together or alone: each text's spans are its own."""
    texts = kremlin_paragraphs(shared_data, 3)
    together = model.spans(texts)
    assert together == [model.spans([t])[0] for t in texts]
    monkeypatch.setattr(ner, "MAX_TOKENS_PER_PASS", 40)  # most paragraphs get a pass of their own
    assert model.spans(texts) == together


def test_blank_texts_keep_their_place(model: NewsNER) -> None:
    assert model.spans([]) == []
    text = "Владимир Путин прилетел в Астану."
    found = model.spans(["", text, " \n "])
    assert found[0] == found[2] == []
    assert found[1] == natasha_spans([text])[0] == [(0, 14, "PER"), (26, 32, "LOC")]


def test_word_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ner, "WORD_CACHE_SIZE", 3)
    model = NewsNER(tagger())
    text = "Путин и Токаев встретились в Астане."
    assert model.spans([text]) == natasha_spans([text])
    assert len(model._keys) == 3
    assert model.spans([text]) == natasha_spans([text])  # words past the bound are still looked up


def test_unexpected_model_shape_is_refused() -> None:
    layer = tagger().infer.model.encoder.layers[0]
    original = layer.conv.padding
    layer.conv.padding = 2
    try:
        with pytest.raises(ValueError, match="padding"):
            NewsNER(tagger())
    finally:
        layer.conv.padding = original


def slovnet_emissions(texts: list[str]) -> list[Any]:
    """slovnet's own forward pass over ``texts`` in one padded batch: tag scores per token."""
    infer = tagger().infer
    batch = next(iter(infer.encoder([[t.text for t in tokenize(text)] for text in texts])))
    scores = infer.model(batch.word_id, batch.shape_id, batch.pad_mask)
    return [score[: (~mask).sum()] for score, mask in zip(scores, batch.pad_mask, strict=True)]


def test_scores_are_slovnets_up_to_rounding(model: NewsNER, shared_data: Path) -> None:
    texts = kremlin_paragraphs(shared_data, 5)[:8]  # slovnet's batch of 8, padded to the longest
    ours = model._emissions_of([(text, RazdelTokens()(text)) for text in texts])
    theirs = slovnet_emissions(texts)
    assert [o.shape for o in ours] == [t.shape for t in theirs]
    for o, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(o, t, rtol=1e-4, atol=1e-4)


def test_decoding_is_slovnets_crf(model: NewsNER) -> None:
    """Random scores leave no near-ties: every path must be the one slovnet's CRF decodes."""
    rng = np.random.default_rng(4)
    crf = tagger().infer.model.head.crf
    lengths = [1, 2, 3, 7, 7, 30, 64, 65]
    scores = [rng.normal(0, 3, (n, len(model._tags))).astype(np.float32) for n in lengths]
    padded = np.zeros((len(lengths), max(lengths), len(model._tags)), dtype=np.float32)
    mask = np.zeros(padded.shape[:2], dtype=bool)
    for i, s in enumerate(scores):
        padded[i, : len(s)], mask[i, : len(s)] = s, True
    assert model._viterbi(scores) == [path.tolist() for path in crf.decode(padded, mask)]
