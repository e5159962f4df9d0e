"""Russian NER on the factRuEval-2016 dev set: the entity rules beside natasha alone, on two fixed halves.

The rules were developed looking at the "dev" half; the "check" half is the honest figure (see
tests/ner_metric.py for the protocol and the split). ``--errors`` lists the errors of the rules on one type (ORG by default) grouped by
shape (missed, read as a place or a person, nested, lower case, abbreviation, quoted, span boundaries), with
counts per half. natasha runs once per document; the rules are applied to its mentions, as the stage does.

    .venv/bin/python bench/ner_factrueval.py [--errors] [--half dev|check|all]

Last line: ``RESULT key=value ...`` (F1 per type and half, rules and natasha alone).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from ner_metric import TYPES, Document, halves, load_devset, matched, score  # noqa: E402

DEVSET = ROOT.parent / "shared" / "data" / "ner" / "factRuEval2016" / "devset"
_ABBREVIATION = re.compile(r"^[А-ЯЁA-Z]{2,6}$")


def _shape(text: str, ranges: tuple[tuple[int, int], ...]) -> str:
    """What an ORG span looks like: lower case, abbreviation, quoted name, or a capitalised name."""
    surface = " ".join(text[a:b] for a, b in ranges)
    first = min(a for a, _ in ranges)
    last = max(b for _, b in ranges)
    if _ABBREVIATION.match(surface.strip('«»"')):
        return "abbreviation"
    if "«" in text[max(0, first - 2) : last + 2] or '"' in text[max(0, first - 2) : last + 2]:
        return "quoted"
    if surface[:1].islower():
        return "lower-case"
    return "capitalised"


def errors(
    document: Document, predicted: list[tuple[str, int, int]], type_: str = "ORG"
) -> dict[str, list[str]]:
    """The rules' errors of one type on one document, by kind and shape, each with its text."""
    text = document.text
    gold = [g for g in document.gold if g.type == type_]
    orgs = [(s, e) for t, s, e in predicted if t == type_]
    pairs = matched(gold, orgs)
    gold_hit = {i for i, _ in pairs}
    pred_hit = {j for _, j in pairs}
    out: dict[str, list[str]] = defaultdict(list)
    for i, g in enumerate(gold):
        surface = " | ".join(text[a:b] for a, b in g.ranges)
        if i in gold_hit:
            j = next(j for gi, j in pairs if gi == i)
            s, e = orgs[j]
            a, b = min(r[0] for r in g.ranges), max(r[1] for r in g.ranges)
            if (s, e) != (a, b):
                kind = (
                    "span longer"
                    if s <= a and e >= b
                    else "span shorter"
                    if s >= a and e <= b
                    else "span shifted"
                )
                out[f"ok, {kind}"].append(f"{surface!r} -> {text[s:e]!r}")
            continue
        others = [(t, s, e) for t, s, e in predicted if any(a < e and s < b for a, b in g.ranges)]
        if any(t == type_ for t, _, _ in others):
            why = f"FN nested/taken (a {type_} prediction overlaps, matched elsewhere)"
        elif others:
            why = f"FN read as {others[0][0]}"
        else:
            why = "FN missed"
        out[f"{why} / {_shape(text, g.ranges)}"].append(surface)
    other_gold = [g for g in document.gold if g.type != type_]
    for j, (s, e) in enumerate(orgs):
        if j in pred_hit:
            continue
        over = [g.type for g in other_gold if any(a < e and s < b for a, b in g.ranges)]
        if any(any(a < e and s < b for a, b in g.ranges) for g in gold):
            why = f"FP duplicate (its {type_} matched another prediction)"
        elif over:
            why = f"FP gold is {over[0]}"
        else:
            why = "FP no gold"
        out[f"{why} / {_shape(text, ((s, e),))}"].append(text[s:e])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="list ORG errors by shape")
    parser.add_argument("--type", default="ORG", choices=TYPES, help="the type whose errors to list")
    parser.add_argument(
        "--half", default="dev", choices=["dev", "check", "all"], help="half whose errors to list"
    )
    args = parser.parse_args()

    from osiwire.enrich.entities import NatashaExtractor

    extractor = NatashaExtractor(rules=False)
    documents = load_devset(DEVSET)
    raw = {d.name: extractor.extract(d.text, 0) for d in documents}
    rules = extractor.rules
    ruled = {d.name: rules.apply(0, d.text, raw[d.name], extractor._normalise) for d in documents}

    def alone(d: Document) -> list[tuple[str, int, int]]:
        return [(m.type, m.start, m.end) for m in raw[d.name]]

    def with_rules(d: Document) -> list[tuple[str, int, int]]:
        return [(m.type, m.start, m.end) for m in ruled[d.name]]

    parts = {**halves(documents), "all": documents}
    result: dict[str, str] = {}
    for half, docs in parts.items():
        base, ours = score(docs, alone), score(docs, with_rules)
        print(f"{half} ({len(docs)} documents, dev figures)")
        for t in TYPES:
            p, r, f = ours[t]
            print(
                f"  {t}: rules P {p:.3f} R {r:.3f} F1 {f:.3f}   natasha alone P {base[t][0]:.3f} "
                f"R {base[t][1]:.3f} F1 {base[t][2]:.3f}"
            )
            result[f"{half}_{t}"] = f"{f:.3f}"
            result[f"{half}_{t}_natasha"] = f"{base[t][2]:.3f}"
    if args.errors:
        for half in ("dev", "check") if args.half == "all" else (args.half,):
            grouped: dict[str, list[str]] = defaultdict(list)
            for d in parts[half]:
                for kind, items in errors(d, with_rules(d), args.type).items():
                    grouped[kind] += items
            print(f"\n{args.type} errors by shape, {half} half")
            for kind in sorted(grouped):
                examples = Counter(grouped[kind]).most_common(12)
                print(
                    f"  {len(grouped[kind]):4d}  {kind}: "
                    + "; ".join(f"{e}" + (f" x{n}" if n > 1 else "") for e, n in examples)
                )
    print("RESULT " + " ".join(f"{k}={v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
