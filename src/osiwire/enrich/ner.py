"""natasha's news NER model (navec + slovnet CNN-CRF) run over many texts in one pass.

The weights, vocabularies and tokenizer are natasha's; only the driving loop is ours. slovnet runs each
batch of 8 texts separately: a copy per convolution to lay out its windows, Python objects per token and
per span, and a CRF step per token position per batch. Profiled on the 125 kremlin.ru releases (one core),
the convolutions took 4.1 s of 9.0 s for NER, razdel's tokenizer 1.3 s and the CRF 0.7 s. Here every text
of a call becomes one token stream, the texts separated by a zero row (navec and the shape embedding map
the padding token to zeros, so slovnet's padding is zero padding too), each layer is one matrix product,
the first layer runs once per distinct word of the pass, and the CRF steps over all texts at once. The
numbers summed differ from slovnet's in order only (float32 rounding); tests/test_ner.py checks the scores
against slovnet's, the paths against its CRF, and the spans against natasha's on kremlin.ru releases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

# Tokens per forward pass: bounds the float32 buffers (~3 KB a token in the first layer, so ~25 MB) for a
# long transcript; one pass over a 2,000-token release costs no more than several smaller ones.
MAX_TOKENS_PER_PASS = 8_192
# Distinct words whose (word id, shape id) is remembered; a release repeats most of its words.
WORD_CACHE_SIZE = 200_000
_RAZDEL_WINDOW = 3  # razdel's TokenSplitter looks at up to three atoms on each side

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.intp]


class RazdelTokens:
    """razdel's ``tokenize`` as (start, stop) offsets, deciding joins only between touching atoms.

    razdel builds a split object for every pair of neighbouring atoms but joins only touching ones (its
    TokenSegmenter skips its rules when there is a delimiter); the same rules decide here, so the tokens
    are razdel's (tests/test_ner.py compares them on hostile and real texts).
    """

    def __init__(self) -> None:
        from razdel.segmenters.tokenize import ATOM, Atom, TokenSplit, tokenize

        self._atom_pattern = ATOM
        self._atom = Atom
        self._split = TokenSplit
        self._segmenter = tokenize

    def __call__(self, text: str) -> list[tuple[int, int]]:
        matches = list(self._atom_pattern.finditer(text))
        atoms: dict[int, Any] = {}  # razdel's Atom objects, made only around touching atoms
        out: list[tuple[int, int]] = []
        start = stop = -1
        for index, match in enumerate(matches):
            if match.start() == stop and self._join(text, matches, atoms, index, start, stop):
                stop = match.end()
                continue
            if start >= 0:
                out.append((start, stop))
            start, stop = match.span()
        if start >= 0:
            out.append((start, stop))
        return out

    def _join(
        self, text: str, matches: list[Any], atoms: dict[int, Any], index: int, start: int, stop: int
    ) -> bool:
        window = range(max(0, index - _RAZDEL_WINDOW), min(len(matches), index + _RAZDEL_WINDOW))
        for i in window:
            if i not in atoms:
                m = matches[i]
                atoms[i] = self._atom(m.start(), m.end(), m.lastgroup, m.group())
        split = self._split(
            [atoms[i] for i in window if i < index], "", [atoms[i] for i in window if i >= index]
        )
        split.buffer = text[start:stop]
        return bool(self._segmenter.join(split))


class NewsNER:
    """Tags texts with natasha's news NER model; ``spans`` gives (start, stop, type) per text."""

    def __init__(self, tagger: Any) -> None:
        """``tagger``: a loaded ``natasha.NewsNERTagger`` whose weights and vocabularies are used."""
        # slovnet ships no types (pyproject's mypy override lists natasha and razdel, not slovnet yet)
        from slovnet.bio import parse_bio
        from slovnet.shape import word_shape

        infer = tagger.infer
        model = infer.model
        self._words = infer.encoder.words_vocab
        self._shapes = infer.encoder.shapes_vocab
        self._word_shape = word_shape
        self._tokens = RazdelTokens()
        self._keys: dict[str, int] = {}
        self._tags = [parse_bio(tag) for tag in infer.decoder.tags_vocab.items]

        word = model.emb.word
        self._word_codes: Floats = word.codes.array
        self._word_indexes: npt.NDArray[np.uint8] = word.indexes.array
        self._qdims: Ints = np.arange(self._word_codes.shape[0])
        self._shape_weights: Floats = model.emb.shape.weight.array
        self._layers = []
        for layer in model.encoder.layers:
            weight = layer.conv.weight.array  # filters x in x kernel
            filters, _, kernel = weight.shape
            if kernel != 3 or layer.conv.padding != 1:
                raise ValueError(f"expected kernel 3 and padding 1, got {kernel} and {layer.conv.padding}")
            # in x (kernel * filters): one product gives every tap; tap k of row t goes to output t - k + 1
            taps = np.ascontiguousarray(np.concatenate([weight[:, :, k].T for k in range(kernel)], axis=1))
            norm = layer.norm
            self._layers.append(
                (
                    taps,
                    filters,
                    layer.conv.bias.array,
                    norm.mean.array,
                    norm.std.array,
                    norm.weight.array,
                    norm.bias.array,
                )
            )
        self._proj: Floats = model.head.proj.weight.array
        self._proj_bias: Floats = model.head.proj.bias.array
        self._transitions: Floats = model.head.crf.transitions.array

    def spans(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """(start, stop, type) of the PER/LOC/ORG spans of each text, as natasha's tagger finds them."""
        tokens = [self._tokens(text) for text in texts]
        out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        group: list[int] = []
        size = 0
        tagged = [i for i in range(len(texts)) if tokens[i]]
        for index in sorted(tagged, key=lambda i: len(tokens[i])):
            if group and size + len(tokens[index]) > MAX_TOKENS_PER_PASS:
                self._tag(texts, tokens, group, out)
                group, size = [], 0
            group.append(index)
            size += len(tokens[index])
        if group:
            self._tag(texts, tokens, group, out)
        return out

    def _key(self, word: str) -> int:
        """(word id, shape id) of ``word`` as one number: word id * shapes + shape id."""
        key = self._keys.get(word)
        if key is None:
            word_id, shape_id = self._words.encode(word.lower()), self._shapes.encode(self._word_shape(word))
            key = word_id * len(self._shapes) + shape_id
            if len(self._keys) < WORD_CACHE_SIZE:
                self._keys[word] = key
        return key

    def _tag(
        self,
        texts: Sequence[str],
        tokens: list[list[tuple[int, int]]],
        group: list[int],
        out: list[list[tuple[int, int, str]]],
    ) -> None:
        paths = self._viterbi(self._emissions_of([(texts[i], tokens[i]) for i in group]))
        for index, path in zip(group, paths, strict=True):
            out[index] = self._bio_spans(tokens[index], path)

    def _emissions_of(self, tokenized: Sequence[tuple[str, list[tuple[int, int]]]]) -> list[Floats]:
        """Tag scores (tokens x tags) of each (text, tokens), all in one pass."""
        # One stream: a padding row, then each text's tokens followed by a padding row.
        pad = self._words.pad_id * len(self._shapes) + self._shapes.pad_id
        keys, starts, lengths = [pad], [], []
        for text, tokens in tokenized:
            starts.append(len(keys))
            lengths.append(len(tokens))
            keys += [self._keys.get(text[a:b]) or self._key(text[a:b]) for a, b in tokens]
            keys.append(pad)
        padding = np.ones(len(keys), dtype=bool)
        for start, length in zip(starts, lengths, strict=True):
            padding[start : start + length] = False
        emissions = self._emissions(np.array(keys, dtype=np.intp), padding)
        return [emissions[s : s + n] for s, n in zip(starts, lengths, strict=True)]

    def _emissions(self, keys: Ints, padding: npt.NDArray[np.bool_]) -> Floats:
        rows = len(keys)
        # The first layer, two thirds of the work, sees only the embeddings: it runs once per distinct
        # (word, shape) of the pass (39% of the tokens of a kremlin.ru release) and is gathered back.
        distinct, inverse = np.unique(keys, return_inverse=True)
        distinct_words, distinct_shapes = np.divmod(distinct, len(self._shapes))
        words = self._word_codes[self._qdims, self._word_indexes[distinct_words]].reshape(len(distinct), -1)
        x: Floats = np.concatenate((words, self._shape_weights[distinct_shapes]), axis=-1)
        pad_rows = np.flatnonzero(padding)
        for layer, (taps, filters, bias, mean, std, weight, norm_bias) in enumerate(self._layers):
            y = x @ taps
            # In place, in slovnet's order: taps summed left to right, bias, ReLU, then batch norm.
            x = np.empty((rows, filters), dtype=np.float32)
            x[0] = x[-1] = 0
            conv = x[1:-1]
            for k in range(3):
                tap = y[:, k * filters : (k + 1) * filters]
                if layer == 0:
                    rows_of_tap = inverse[k : rows - 2 + k]
                    if k == 0:
                        np.take(tap, rows_of_tap, axis=0, out=conv)
                    else:
                        conv += tap[rows_of_tap]
                elif k == 0:
                    conv[...] = tap[: rows - 2]
                else:
                    conv += tap[k : rows - 2 + k]
            conv += bias
            np.maximum(conv, 0, out=conv)
            conv -= mean
            conv /= std
            conv *= weight
            conv += norm_bias
            x[pad_rows] = 0
        result: Floats = np.matmul(x, self._proj) + self._proj_bias
        return result

    def _viterbi(self, emissions: list[Floats]) -> list[list[int]]:
        """slovnet's CRF decoding, all texts at once: the longest first, so the live ones are a prefix."""
        order = sorted(range(len(emissions)), key=lambda i: -len(emissions[i]))
        lengths = np.array([len(emissions[i]) for i in order])
        steps, tags = int(lengths[0]), self._transitions.shape[0]
        table = np.zeros((steps, len(order), tags), dtype=np.float32)
        for column, index in enumerate(order):
            table[: lengths[column], column] = emissions[index]
        live = [int(np.searchsorted(-lengths, -step, side="left")) for step in range(steps)]  # length > step
        score = table[0].copy()
        history = []
        for step in range(1, steps):
            n = live[step]
            candidates = score[:n, :, None] + self._transitions + table[step, :n, None, :]
            history.append(candidates.argmax(1))
            score[:n] = candidates.max(1)
        best = score.argmax(-1)
        path = np.zeros((steps, len(order)), dtype=np.intp)
        for step in range(steps - 1, 0, -1):
            n = live[step]
            path[step, :n] = best[:n]
            best[:n] = history[step - 1][np.arange(n), best[:n]]
        path[0] = best
        paths: list[list[int]] = [[] for _ in order]
        for column, index in enumerate(order):
            paths[index] = path[: lengths[column], column].tolist()
        return paths

    def _bio_spans(self, tokens: list[tuple[int, int]], path: list[int]) -> list[tuple[int, int, str]]:
        """slovnet's ``bio_spans``: a span from each B over the I tags that follow it."""
        spans = []
        previous: str | None = None
        start = stop = 0
        for (token_start, token_stop), tag in zip(tokens, path, strict=True):
            part, type_ = self._tags[tag]
            if part == "O":
                if previous:
                    spans.append((start, stop, previous))
                    previous = None
            elif part == "B":
                if previous:
                    spans.append((start, stop, previous))
                previous, start, stop = type_, token_start, token_stop
            elif part == "I":
                stop = token_stop
        if previous:
            spans.append((start, stop, previous))
        return spans
