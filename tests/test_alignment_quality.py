"""Sentence alignment on real human translations: WMT21 ru-en news sentences with reference A, grouped into
paragraphs, split into sentences again as the translator splits them, and aligned by length. Development figures
(the aligner was written before this data was looked at; the floors are pinned a little under what it scores)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from osiwire.extract.segments import split_sentences
from osiwire.translate.alignment import align_lengths, align_sentences

# Floors: pair precision is what matters (a sentence beside the wrong translation is worse than a paragraph shown
# whole); the share of paragraphs aligned exactly as the references are is what the reader gains.
MIN_PAIR_PRECISION = {"one-to-one": 0.97, "translator joined two": 0.93, "translator split one": 0.95}
MIN_EXACT = {"one-to-one": 0.97, "translator joined two": 0.95, "translator split one": 0.95}
SEED = 17  # the grouping of sentences into paragraphs (2 to 5 each) and where a variant joins or splits


@dataclass(frozen=True, slots=True)
class Scores:
    paragraphs: int
    pair_precision: float  # produced pairs whose two sides cover the same reference sentences
    exact: float  # of the paragraphs the splitter cuts as the references do: aligned pair for pair
    cut_as_references: int  # how many paragraphs that is
    whole: float  # paragraphs the aligner kept whole (counts too far apart, or a sentence left alone)


# The English as a translator wrote it: (reference sentence indices, text) groups; a group is one sentence of
# the translation that renders those reference sentences, or two sentences rendering one.
Variant = Callable[[list[str], random.Random], list[tuple[list[int], str]]]


def _spans(parts: list[str], joined: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for part in parts:
        start = joined.index(part, at)
        spans.append((start, start + len(part)))
        at = start + len(part)
    return spans


def _covered(span: tuple[int, int], gold: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The reference units [first, last] a span covers exactly, or None when it cuts one."""
    starts = [i for i, (s, _) in enumerate(gold) if s == span[0]]
    ends = [i for i, (_, e) in enumerate(gold) if e == span[1]]
    return (starts[0], ends[0]) if starts and ends else None


def _score(src: list[str], ref: list[str], variant: Variant) -> Scores:
    rng = random.Random(SEED)
    paragraphs = exact = cut = whole = pairs = correct = 0
    i = 0
    while i + 5 <= len(src):
        k = rng.randint(2, 5)
        russian = src[i : i + k]
        groups = variant(ref[i : i + k], rng)
        i += k
        english = [text for _, text in groups]
        ru_joined, en_joined = " ".join(russian), " ".join(english)
        ru_gold, en_gold = _spans(russian, ru_joined), _spans(english, en_joined)
        ru_split, en_split = split_sentences(ru_joined, "ru"), split_sentences(en_joined, "en")
        aligned = align_sentences(ru_split, en_split)
        paragraphs += 1
        whole += align_lengths([len(x) for x in ru_split], [len(x) for x in en_split]) is None
        expected = {(g[0], g[-1]) for g, _ in groups}
        found = set()
        for ru, en in aligned:
            ru_cover = _covered(_spans([ru], ru_joined)[0], ru_gold)
            en_cover = _covered(_spans([en], en_joined)[0], en_gold)
            en_as_ru = (groups[en_cover[0]][0][0], groups[en_cover[1]][0][-1]) if en_cover else None
            pairs += 1
            if ru_cover is not None and ru_cover == en_as_ru:
                correct += 1
                found.add(ru_cover)
        en_sentences = sum(len(split_sentences(text, "en")) for _, text in groups)
        if (
            len(ru_split) == k
            and len(en_split) == en_sentences
            and all(len(split_sentences(text, "en")) == 1 or len(g) == 1 for g, text in groups)
        ):
            cut += 1
            exact += found == expected and len(aligned) == len(expected)
    return Scores(paragraphs, correct / pairs, exact / max(cut, 1), cut, whole / paragraphs)


def _one_to_one(sentences: list[str], rng: random.Random) -> list[tuple[list[int], str]]:
    return [([j], s) for j, s in enumerate(sentences)]


def _joined(sentences: list[str], rng: random.Random) -> list[tuple[list[int], str]]:
    """Two sentences written as one: "A. B." becomes "A; b."."""
    j = rng.randrange(len(sentences) - 1)
    first, second = sentences[j].rstrip(" .!?"), sentences[j + 1]
    joined = f"{first}; {second[:1].lower()}{second[1:]}"
    return (
        [([x], sentences[x]) for x in range(j)]
        + [([j, j + 1], joined)]
        + _one_to_one(sentences, rng)[j + 2 :]
    )


def _split(sentences: list[str], rng: random.Random) -> list[tuple[list[int], str]]:
    """One sentence written as two, where it has a clause to cut at: "A, and b." becomes "A. And b."."""
    out = _one_to_one(sentences, rng)
    for j in rng.sample(range(len(sentences)), len(sentences)):
        for joint in ("; ", ", and ", ", but ", ", which "):
            head, found, tail = sentences[j].partition(joint)
            if found and len(head) > 20 and len(tail) > 20:
                word = found.strip(" ,;")
                rest = f"{word.capitalize()} {tail}" if word else tail[:1].upper() + tail[1:]
                out[j] = ([j], f"{head}. {rest}")
                return out
    return out


VARIANTS: dict[str, Variant] = {
    "one-to-one": _one_to_one,
    "translator joined two": _joined,
    "translator split one": _split,
}


@pytest.fixture(scope="module")
def wmt21(shared_data: Path) -> tuple[list[str], list[str]]:
    base = shared_data / "mt" / "wmt21-ru-en" / "txt"
    src = (base / "sources" / "newstest2021.ru-en.src.ru").read_text(encoding="utf-8").splitlines()
    ref = (base / "references" / "newstest2021.ru-en.ref.A.en").read_text(encoding="utf-8").splitlines()
    assert len(src) == len(ref) == 1000
    return src, ref


@pytest.mark.parametrize("name", list(VARIANTS))
def test_alignment_quality(
    wmt21: tuple[list[str], list[str]], name: str, record_property: Callable[[str, object], None]
) -> None:
    scores = _score(*wmt21, VARIANTS[name])
    record_property("quality", f"alignment, WMT21 ru-en ref A, {name}: {scores}")
    assert scores.pair_precision >= MIN_PAIR_PRECISION[name], scores
    assert scores.exact >= MIN_EXACT[name], scores
