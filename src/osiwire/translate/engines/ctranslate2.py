"""The local CTranslate2 engine: installed Argos packages, OPUS-MT and NLLB conversions, sentencepiece.

Models are found through their manifests (``osiwire.translate.models``) and loaded lazily, once per model,
on first use. Sentences longer than ``max_input_tokens`` are cut into chunks at punctuation or word
boundaries, translated, and joined again, so there is always exactly one output per input sentence.

Confidence is ``exp(mean log-probability of the decoded tokens)``: the geometric mean of the probabilities
the model gave each token of its own output (the end token and any forced target-language token
included); for a sentence translated in chunks the mean runs over all chunks' tokens. CTranslate2 returns
that mean directly as the hypothesis score when ``length_penalty`` is 1 (it divides the summed
log-probability by the hypothesis length). It is a measure of the model's certainty, not of adequacy.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from osiwire.config import CTranslate2Config
from osiwire.translate.base import EngineOutput, EngineUnavailable, UnsupportedPair
from osiwire.translate.models import InstalledModel, list_models, version_key

logger = logging.getLogger(__name__)

DEFAULT_COMPUTE_TYPE = {"cpu": "int8", "cuda": "float16"}  # int8 is ~3x faster than float32 on CPU
LENGTH_PENALTY = 1.0  # makes the returned score the mean token log-probability (see the module docstring)
MIN_DECODING_LENGTH = 256  # CTranslate2's default cap; raised for long chunks below
DECODING_ROOM = 2  # a chunk's translation may be up to twice its source tokens (English runs longer)
END_TOKEN = "</s>"  # the end token of Argos, OPUS-MT and NLLB vocabularies
BREAK_CHARACTERS = frozenset(".!?;:,)»…—")  # chunks end after these when possible
MIN_CHUNK_SHARE = 0.5  # never cut a chunk shorter than half the limit just to end on punctuation
WORD_START = "▁"  # sentencepiece's mark of a piece that starts a word


@dataclass(slots=True)
class _Loaded:
    """One loaded model: the CTranslate2 translator and its sentencepiece processors."""

    model: InstalledModel
    translator: Any  # ctranslate2.Translator (the package ships no type information)
    source_sp: Any  # sentencepiece.SentencePieceProcessor
    target_sp: Any


@dataclass(slots=True)
class _Sentence:
    """Chunks of one input sentence as they come back."""

    texts: list[str] = field(default_factory=list)
    log_prob: float = 0.0
    steps: int = 0


class CTranslate2Engine:
    """Translates with locally installed CTranslate2 models (see ``osiwire models install``)."""

    name = "ctranslate2"

    def __init__(
        self, cfg: CTranslate2Config, models_dir: Path, *, decode_options: Mapping[str, Any] | None = None
    ) -> None:
        """``decode_options`` are extra ``translate_batch`` arguments (benchmarks fix the decoding length)."""
        self._cfg = cfg
        self._models_dir = models_dir
        self._decode_options = dict(decode_options or {})
        self._installed: list[InstalledModel] | None = None
        self._loaded: dict[str, _Loaded] = {}
        self._lock = threading.Lock()  # one load per model even when the pipeline calls from threads

    def model_id(self, source_lang: str, target_lang: str) -> str:
        """The id of the installed model that translates this pair."""
        return self._model_for(source_lang, target_lang).id

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Whether an installed model translates the pair (nothing is loaded)."""
        return any(m.supports(source_lang, target_lang) for m in self._models())

    def translate(
        self,
        sentences: Sequence[str],
        source_lang: str,
        target_lang: str,
        glossary: Mapping[str, str] | None = None,
    ) -> list[EngineOutput]:
        """One output per sentence, in order; empty sentences come back empty without touching the model."""
        model = self._model_for(source_lang, target_lang)  # glossary: the translator protects terms itself
        outputs = [EngineOutput("") for _ in sentences]
        todo = [i for i, text in enumerate(sentences) if text.strip()]
        if not todo:
            return outputs
        loaded = self._load(model)
        prefix = model.expand(model.source_prefix, source_lang, target_lang)
        suffix = model.expand(model.source_suffix, source_lang, target_lang)
        limit = max(1, self._cfg.max_input_tokens - len(prefix) - len(suffix))
        chunks: list[list[str]] = []
        owners: list[int] = []
        for i in todo:
            for part in split_tokens(loaded.source_sp.encode(sentences[i], out_type=str), limit):
                chunks.append([*prefix, *part, *suffix])
                owners.append(i)
        target_prefix = model.expand(model.target_prefix, source_lang, target_lang)
        results = self._run(loaded, chunks, target_prefix)
        collected = {i: _Sentence() for i in todo}
        for i, result in zip(owners, results, strict=True):
            tokens = list(result.hypotheses[0])
            sentence = collected[i]
            if result.scores:  # absent only when decode_options turn scores off
                sentence.steps += len(tokens)
                sentence.log_prob += float(result.scores[0]) * len(tokens)
            tokens = tokens[len(target_prefix) :] if tokens[: len(target_prefix)] == target_prefix else tokens
            if tokens and tokens[-1] == END_TOKEN:
                tokens.pop()
            sentence.texts.append(loaded.target_sp.decode(tokens).strip())
        for i, sentence in collected.items():
            confidence = math.exp(sentence.log_prob / sentence.steps) if sentence.steps else None
            text = " ".join(t for t in sentence.texts if t)
            outputs[i] = EngineOutput(text, None if confidence is None else min(1.0, confidence))
        return outputs

    def close(self) -> None:
        """Drop loaded models (CTranslate2 frees their memory when the translator goes)."""
        with self._lock:
            self._loaded.clear()
            self._installed = None

    def _models(self) -> list[InstalledModel]:
        if self._installed is None:
            self._installed = list_models(self._models_dir)
        return self._installed

    def _model_for(self, source_lang: str, target_lang: str) -> InstalledModel:
        candidates = [m for m in self._models() if m.supports(source_lang, target_lang)]
        if not candidates:
            raise UnsupportedPair(
                f"ctranslate2: no installed model translates {source_lang}→{target_lang} "
                f"(models dir {self._models_dir}; try `osiwire models install {source_lang} {target_lang}`)"
            )
        # A pair-specific model beats a many-language one; then the newest version wins.
        return max(candidates, key=lambda m: (len(m.source_langs) == 1, version_key(m.version)))

    def _load(self, model: InstalledModel) -> _Loaded:
        with self._lock:
            loaded = self._loaded.get(model.id)
            if loaded is None:
                loaded = self._loaded[model.id] = self._open(model)
            return loaded

    def _open(self, model: InstalledModel) -> _Loaded:
        try:
            import ctranslate2
            import sentencepiece
        except ImportError as exc:
            raise EngineUnavailable(f"ctranslate2: {exc} (pip install ctranslate2 sentencepiece)") from None
        device = self._cfg.device
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        compute_type = self._cfg.compute_type
        if compute_type == "default":
            compute_type = DEFAULT_COMPUTE_TYPE.get(device, "default")
            if compute_type not in ctranslate2.get_supported_compute_types(device):
                compute_type = "auto"  # e.g. an old GPU without float16: let CTranslate2 choose
        try:
            translator = ctranslate2.Translator(
                str(model.model_dir),
                device=device,
                compute_type=compute_type,
                inter_threads=self._cfg.inter_threads,
                intra_threads=self._cfg.intra_threads,
            )
            source_sp = sentencepiece.SentencePieceProcessor(model_file=str(model.source_spm))
            target_sp = (
                source_sp
                if model.target_spm == model.source_spm
                else sentencepiece.SentencePieceProcessor(model_file=str(model.target_spm))
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise EngineUnavailable(
                f"ctranslate2: cannot load model {model.id} from {model.path}: {_first_line(exc)}"
            ) from None
        logger.info("loaded model %s on %s (%s)", model.id, device, compute_type)
        return _Loaded(model, translator, source_sp, target_sp)

    def _run(self, loaded: _Loaded, chunks: list[list[str]], target_prefix: list[str]) -> list[Any]:
        longest = max(len(chunk) for chunk in chunks)
        options: dict[str, Any] = {
            "max_batch_size": self._cfg.max_batch_tokens,
            "batch_type": "tokens",  # CTranslate2 sorts by length and cuts batches at this many tokens
            "beam_size": self._cfg.beam_size,
            "length_penalty": LENGTH_PENALTY,
            "return_scores": True,
            "return_end_token": True,  # so the confidence can weigh chunks by their decoded steps
            "replace_unknowns": True,  # unknown target tokens become the source token they attend to
            "max_input_length": 0,  # inputs are already split; never truncate silently
            "max_decoding_length": max(MIN_DECODING_LENGTH, DECODING_ROOM * longest),
            **self._decode_options,
        }
        prefixes = [target_prefix] * len(chunks) if target_prefix else None
        try:
            return list(loaded.translator.translate_batch(chunks, prefixes, **options))
        except (RuntimeError, ValueError) as exc:
            raise EngineUnavailable(
                f"ctranslate2: model {loaded.model.id} failed: {_first_line(exc)}"
            ) from None


def split_tokens(pieces: Sequence[str], limit: int) -> list[list[str]]:
    """Cut a token list into chunks of at most ``limit``, after punctuation or before a word if possible."""
    rest = list(pieces)
    chunks = []
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        chunks.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        chunks.append(rest)
    return chunks


def _cut_point(pieces: Sequence[str], limit: int) -> int:
    floor = max(1, int(limit * MIN_CHUNK_SHARE))
    for end in range(limit, floor - 1, -1):
        if pieces[end - 1][-1:] in BREAK_CHARACTERS:
            return end
    for end in range(limit, floor - 1, -1):
        if pieces[end].startswith(WORD_START):
            return end
    return limit


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
