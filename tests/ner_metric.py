"""Object-level NER scoring on factRuEval-2016 (the protocol of test_ner_quality.py and bench/ner_factrueval.py).

Gold objects are the .objects lines of type Person (PER), Org (ORG), Location and LocOrg (both LOC); each
covers the character ranges of its .spans. A predicted mention matches a gold object of the same type when it
overlaps any of those ranges (lenient overlap), one to one (maximum bipartite matching), so nested gold
objects (an Org inside an Org) need their own prediction. P = matched / predicted, R = matched / gold.

The dev set is split in two fixed halves by document id (``halves``): rules are developed looking at the
first ("dev") and reported on the second ("check") as well, the figure less flattered by overfitting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

GOLD_TYPES = {"Person": "PER", "Org": "ORG", "Location": "LOC", "LocOrg": "LOC"}
TYPES = ("PER", "LOC", "ORG")


@dataclass(frozen=True)
class GoldObject:
    type: str
    ranges: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    gold: tuple[GoldObject, ...]


def load_document(base: Path) -> Document:
    """A dev document's text and its PER/ORG/LOC objects (character ranges of their spans)."""
    # newline="": the span offsets count every character of the file, carriage returns included.
    with base.with_suffix(".txt").open(encoding="utf-8", newline="") as f:
        text = f.read()
    spans: dict[str, tuple[int, int]] = {}
    for line in base.with_suffix(".spans").read_text(encoding="utf-8").splitlines():
        fields = line.split("#")[0].split()
        if fields:
            spans[fields[0]] = (int(fields[2]), int(fields[2]) + int(fields[3]))
    objects = []
    for line in base.with_suffix(".objects").read_text(encoding="utf-8").splitlines():
        fields = line.split("#")[0].split()
        if fields and fields[1] in GOLD_TYPES:
            objects.append(GoldObject(GOLD_TYPES[fields[1]], tuple(spans[s] for s in fields[2:])))
    return Document(base.name, text, tuple(objects))


def load_devset(folder: Path) -> list[Document]:
    """Every document of the folder, in order of its numeric id (book_58 before book_100)."""
    paths = sorted(folder.glob("*.txt"), key=lambda p: int(p.stem.rsplit("_", 1)[-1]))
    return [load_document(p.with_suffix("")) for p in paths]


def halves(documents: list[Document]) -> dict[str, list[Document]]:
    """Fixed halves: alternate documents in id order ("dev" the 1st, 3rd, ...; "check" the 2nd, 4th, ...)."""
    return {"dev": documents[0::2], "check": documents[1::2]}


def matched(gold: Iterable[GoldObject], predicted: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A maximum one-to-one matching (gold index, prediction index) of gold objects to overlapping predictions."""
    gold = list(gold)
    edges = [
        [j for j, (start, end) in enumerate(predicted) if any(a < end and start < b for a, b in g.ranges)]
        for g in gold
    ]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(gold)):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


def matched_pairs(gold: list[GoldObject], predicted: list[tuple[int, int]]) -> int:
    """Size of a maximum one-to-one matching of gold objects to overlapping predictions (Kuhn's algorithm)."""
    return len(matched(gold, predicted))


Prediction = list[tuple[str, int, int]]  # (type, start, end)


def score(
    documents: Iterable[Document], predict: Callable[[Document], Prediction]
) -> dict[str, tuple[float, float, float]]:
    """Per type: precision, recall, F1 under the protocol above."""
    totals = {t: [0, 0, 0] for t in TYPES}  # matched, predicted, gold
    for document in documents:
        predicted = predict(document)
        for t, total in totals.items():
            ranges = [(s, e) for kind, s, e in predicted if kind == t]
            objects = [g for g in document.gold if g.type == t]
            total[0] += matched_pairs(objects, ranges)
            total[1] += len(ranges)
            total[2] += len(objects)
    out = {}
    for t, (hits, n_pred, n_gold) in totals.items():
        p, r = hits / max(n_pred, 1), hits / max(n_gold, 1)
        out[t] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return out
