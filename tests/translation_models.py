"""Tiny random-weight CTranslate2 models and Argos packages for translation tests (recipe: RECIPES.md).

Output is nonsense but deterministic for a seed: the point is to exercise the real loading, tokenising,
batching, scoring and alignment code without any downloaded weights.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import ctranslate2
import numpy as np
import sentencepiece as spm
from ctranslate2.specs import transformer_spec

# Enough Cyrillic and Latin text for sentencepiece to learn a few hundred pieces.
DEFAULT_CORPUS = (
    "Президент России провёл совещание с членами Совета Безопасности.",
    "Министр иностранных дел Российской Федерации встретился с коллегой из Казахстана.",
    "Стороны обсудили вопросы двустороннего сотрудничества и региональной безопасности.",
    "Секретарь Совета Безопасности принял участие в заседании ОДКБ в Москве.",
    "Правительство утвердило программу развития транспортной инфраструктуры до 2030 года.",
    "The President of Russia held a meeting with members of the Security Council.",
    "The Minister of Foreign Affairs met his counterpart from Kazakhstan.",
    "The parties discussed bilateral cooperation and regional security.",
    "The Secretary of the Security Council took part in a CSTO meeting in Moscow.",
    "The Government approved a programme for transport infrastructure until 2030.",
    "0123456789 .,;:!?()-«»\"' ёЁ",
)
VOCAB_SIZE = 400  # must exceed the corpus's distinct characters; hard_vocab_limit=False shrinks it as needed


def train_sentencepiece(
    prefix: Path, corpus: Iterable[str], vocab_size: int = VOCAB_SIZE, **extra: Any
) -> Path:
    """Train a small unigram sentencepiece model at ``prefix``.model; returns its path."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as fh:
        fh.write("\n".join(line.replace("\n", " ") for line in corpus) + "\n")
        corpus_txt = fh.name
    try:
        spm.SentencePieceTrainer.train(
            input=corpus_txt,
            model_prefix=str(prefix),
            vocab_size=vocab_size,
            hard_vocab_limit=False,
            model_type="unigram",
            character_coverage=1.0,
            unk_id=0,
            bos_id=1,
            eos_id=2,
            pad_id=-1,
            minloglevel=2,
            **extra,
        )
    finally:
        Path(corpus_txt).unlink()
    return prefix.parent / f"{prefix.name}.model"


def save_random_transformer(
    out_dir: Path,
    vocab: Sequence[str],
    *,
    layers: int = 2,
    heads: int = 4,
    d: int = 64,
    ff: int = 128,
    seed: int = 0,
    quantization: str | None = None,
) -> None:
    """Write a random-weight Transformer with a shared vocabulary as a CTranslate2 model folder."""
    size, rng = len(vocab), np.random.default_rng(seed)

    def w(*shape: int) -> Any:
        return (rng.standard_normal(shape) * 0.1).astype(np.float32)

    def ln(x: Any) -> None:
        x.gamma = np.ones(d, np.float32)
        x.beta = np.zeros(d, np.float32)

    def lin(x: Any, o: int, i: int) -> None:
        x.weight = w(o, i)
        x.bias = w(o)

    def ffn(f: Any) -> None:
        ln(f.layer_norm)
        lin(f.linear_0, ff, d)
        lin(f.linear_1, d, ff)

    spec = transformer_spec.TransformerSpec.from_config(layers, heads)
    enc, dec = spec.encoder, spec.decoder
    enc.embeddings[0].weight = w(size, d)
    ln(enc.layer_norm)
    for layer in enc.layer:
        ln(layer.self_attention.layer_norm)
        lin(layer.self_attention.linear[0], 3 * d, d)
        lin(layer.self_attention.linear[1], d, d)
        ffn(layer.ffn)
    dec.embeddings.weight = w(size, d)
    ln(dec.layer_norm)
    lin(dec.projection, size, d)
    for layer in dec.layer:
        ln(layer.self_attention.layer_norm)
        lin(layer.self_attention.linear[0], 3 * d, d)
        lin(layer.self_attention.linear[1], d, d)
        ln(layer.attention.layer_norm)
        lin(layer.attention.linear[0], d, d)
        lin(layer.attention.linear[1], 2 * d, d)
        lin(layer.attention.linear[2], d, d)
        ffn(layer.ffn)
    spec.register_source_vocabulary(list(vocab))
    spec.register_target_vocabulary(list(vocab))
    spec.validate()
    spec.optimize(quantization=quantization)
    out_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(out_dir))


def build_tiny_model(
    out_dir: Path,
    corpus_sentences: Iterable[str] = DEFAULT_CORPUS,
    *,
    sp_name: str = "sentencepiece",
    user_symbols: Sequence[str] = (),
    seed: int = 0,
    layers: int = 2,
    heads: int = 4,
    d: int = 64,
    ff: int = 128,
) -> Path:
    """A CTranslate2 model folder with ``<sp_name>.model`` beside ``model.bin`` (~0.3 s); returns out_dir.

    ``user_symbols`` become single pieces (e.g. NLLB language tokens such as ``eng_Latn``).
    """
    extra: dict[str, Any] = {"user_defined_symbols": list(user_symbols)} if user_symbols else {}
    sp_path = train_sentencepiece(out_dir / sp_name, corpus_sentences, **extra)
    sp = spm.SentencePieceProcessor(model_file=str(sp_path))
    vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    save_random_transformer(out_dir, vocab, layers=layers, heads=heads, d=d, ff=ff, seed=seed)
    return out_dir


def argos_metadata(from_code: str, to_code: str, version: str, **extra: Any) -> dict[str, Any]:
    """metadata.json of an Argos package, as the public packages carry it."""
    return {
        "package_version": version,
        "argos_version": "1.9.0",
        "from_code": from_code,
        "from_name": from_code.upper(),
        "to_code": to_code,
        "to_name": to_code.upper(),
        "type": "translate",
        "links": [],
        **extra,
    }


def build_tiny_argos_package(
    path: Path,
    from_code: str = "ru",
    to_code: str = "en",
    *,
    version: str = "1.9",
    corpus_sentences: Iterable[str] = DEFAULT_CORPUS,
    seed: int = 0,
) -> Path:
    """A real ``.argosmodel`` zip: one folder with metadata.json, model/, sentencepiece.model, stanza/."""
    folder = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / folder
        build_tiny_model(root / "model", corpus_sentences, seed=seed)
        (root / "model" / "sentencepiece.model").rename(root / "sentencepiece.model")
        (root / "model" / "sentencepiece.vocab").unlink()
        (root / "metadata.json").write_text(json.dumps(argos_metadata(from_code, to_code, version)))
        (root / "stanza").mkdir()  # real packages carry a sentence splitter osiwire ignores
        (root / "stanza" / "tokenize.pt").write_bytes(b"not used")
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(root.rglob("*")):
                zf.write(file, file.relative_to(Path(tmp)).as_posix())
    return path


def translator_for(model_dir: Path) -> Any:
    """A raw ctranslate2.Translator on CPU, for comparing osiwire's output with the library's."""
    return ctranslate2.Translator(str(model_dir), device="cpu", compute_type="int8")
