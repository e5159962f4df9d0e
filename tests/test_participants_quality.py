"""Quality gates of participant extraction: hand-made list gold, and factRuEval-2016 Occupation facts.

Both gates print their figures at the end of the run (``record_property("quality", ...)``).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from natasha_mentions import mentions
from osiwire.enrich.morphology import lemma
from osiwire.enrich.participant_countries import url_country
from osiwire.enrich.participants import extract_participants
from osiwire.enrich.positions import is_title
from osiwire.enrich.transliteration import fold_latin
from osiwire.model import Participant

KREMLIN = "press/kremlin-ru/releases-2025-02-03.jsonl"
MILOSI = "press/milosi-example/csto-security-councils-2020-11.txt"
FACTRUEVAL_DEV = "ner/factRuEval2016/devset"
# Measured 2026-11-27 on the 15 kremlin.ru participant texts + the MIL-OSI English list (254 gold rows):
# P = R = F1 = 1.000, groups 254/254. Pinned 0.01 below; the target of issue 4 is 0.97.
ROW_F1_FLOOR = 0.99
GROUP_ACCURACY_FLOOR = 0.99
# Measured 2026-11-27 on the factRuEval-2016 dev set (122 texts, 191 person-position facts; natasha
# mentions, appositions only): P 0.882 R 0.644 F1 0.744. Pinned a little below. 2026-12-08 (issue 12): with
# professions beside a name ("журналист Виктор Шендерович", "бундестренер Юрген Клинсман") P 0.813 R 0.712 F1 0.759;
# read by eye, 14 of the 15 new unmatched pairs are true (the dev set annotates few professions), one is wrong.
FACTRUEVAL_F1_FLOOR = 0.73


def _scores(tp: int, system: int, gold: int) -> tuple[float, float, float]:
    precision = tp / system if system else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _row(p: Participant) -> tuple[str, str]:
    return " ".join(x for x in (p.name.last, p.name.first, p.name.patronymic) if x), p.position


def test_participant_rows_match_the_hand_made_gold(
    shared_data: Path, test_data: Path, record_property: Callable[[str, object], None]
) -> None:
    """Exact (name, position) rows against tests/data/participants-gold.jsonl (see tests/data/SOURCE.txt)."""
    gold: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in (test_data / "participants-gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold[row["release"]].append(row)
    releases = [json.loads(x) for x in (shared_data / KREMLIN).read_text(encoding="utf-8").splitlines()]
    texts = [(r["url"], r["participants_text"], "ru") for r in releases if r.get("participants_text")]
    assert len(texts) == 15  # every participant page of the file is scored, lists or not
    texts.append((MILOSI, (shared_data / MILOSI).read_text(encoding="utf-8"), "en"))
    assert set(gold) <= {url for url, _, _ in texts}

    tp = system = expected = groups_right = matched = 0
    for url, text, lang in texts:
        found = extract_participants(text, lang)
        got = Counter(_row(p) for p in found)
        want = Counter((r["name"], r["position"]) for r in gold[url])
        tp += sum((got & want).values())
        system += sum(got.values())
        expected += sum(want.values())
        by_row = {_row(p): p for p in found}
        for row in gold[url]:
            participant = by_row.get((row["name"], row["position"]))
            if participant is not None:
                matched += 1
                groups_right += participant.group == row["group"] and (
                    not row["country"] or participant.country == row["country"]
                )
    precision, recall, f1 = _scores(tp, system, expected)
    group_accuracy = groups_right / matched if matched else 0.0
    record_property(
        "quality",
        f"participant rows P={precision:.3f} R={recall:.3f} F1={f1:.3f} ({expected} gold rows, {len(texts)} texts); "
        f"group+side country {groups_right}/{matched}",
    )
    assert f1 >= ROW_F1_FLOOR
    assert group_accuracy >= GROUP_ACCURACY_FLOOR


DEV = "press/kremlin-lists-dev/releases.jsonl"
# Measured 2026-12-07 on tests/data/participants-dev-gold.jsonl (issue 12, development figures: the rules were
# revised while looking at these pages). Russian list pages, 215 rows: before the issue-12 rules P 0.300 R 0.028
# (rows run together: 20 rows found, most swallowing their neighbours), after P = R = F1 = 1.000, side country 208/215 (the 7 misses:
# a veterans' list whose descriptions name no post); with the site's country for its own officials (as the enrich
# stage reads a kremlin.ru release) country 215/215, English 40/42 (was 35/42). English participant sentences, 160 rows: see
# DEV_EN_F1_FLOOR. Pinned below the measured figures.
DEV_RU_PRECISION_FLOOR = 0.98
DEV_RU_F1_FLOOR = 0.97
DEV_RU_COUNTRY_FLOOR = 0.95
# English participant sentences of 34 releases, 160 rows: every row shown before the issue (appositions, all
# shown as participants) P 0.727 R 0.681 F1 0.703; after (list and meeting-sentence rows, kind participant)
# P 0.986 R 0.875 F1 0.927 (list-sentence rows alone: P 1.000). The 2 false positives are participants named
# outside the annotated sentences ("had a telephone conversation with ...", "... was also present at the
# meeting": true, not in the gold). Misses: titles written after the names, names with no title word before them.
DEV_EN_PRECISION_FLOOR = 0.96
DEV_EN_F1_FLOOR = 0.90


def _fold(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").casefold().split())


def _name_words(name: str) -> frozenset[str]:
    return frozenset(_fold(name).replace("-", " ").split())


def dev_scores(shared_data: Path, test_data: Path, lang: str) -> tuple[float, float, float, int, int]:
    """(P, R, F1, country right, country annotated) of participant rows on the development gold of ``lang``.

    Russian pages are read from their list (``participants_text``), English releases from their body; the
    rows counted are the participants a list or a meeting sentence gives (kind "participant").
    """
    gold: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in (test_data / "participants-dev-gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold[row["release"]].append(row)
    releases = {
        r["url"]: r for r in map(json.loads, (shared_data / DEV).read_text(encoding="utf-8").splitlines())
    }
    tp = system = expected = country_right = country_annotated = 0
    for url, rows in gold.items():
        release = releases[url]
        if release["lang"] != lang:
            continue
        text = release["participants_text"] or release["text"]
        # as the enrich stage reads a release of a source with no configured country: its site's country
        extracted = extract_participants(text, lang, source_country=url_country(url))
        found = [p for p in extracted if p.kind == "participant"]
        got = Counter((_name_words(p.name.display), _fold(p.position)) for p in found)
        want = Counter((_name_words(r["name"]), _fold(r["position"])) for r in rows)
        tp += sum((got & want).values())
        system += sum(got.values())
        expected += sum(want.values())
        by_row = {(_name_words(p.name.display), _fold(p.position)): p for p in found}
        for row in rows:
            participant = by_row.get((_name_words(row["name"]), _fold(row["position"])))
            if participant is not None and row["country"]:
                country_annotated += 1
                country_right += participant.country == row["country"]
    precision, recall, f1 = _scores(tp, system, expected)
    return precision, recall, f1, country_right, country_annotated


def test_russian_list_pages_of_the_development_set(
    shared_data: Path, test_data: Path, record_property: Callable[[str, object], None]
) -> None:
    """The 10 Russian list pages of press/kremlin-lists-dev against their hand-made rows."""
    precision, recall, f1, right, annotated = dev_scores(shared_data, test_data, "ru")
    record_property(
        "quality",
        f"kremlin-lists-dev ru rows P={precision:.3f} R={recall:.3f} F1={f1:.3f}; country {right}/{annotated}",
    )
    assert precision >= DEV_RU_PRECISION_FLOOR
    assert f1 >= DEV_RU_F1_FLOOR
    assert annotated and right / annotated >= DEV_RU_COUNTRY_FLOOR


def test_english_participant_sentences_of_the_development_set(
    shared_data: Path, test_data: Path, record_property: Callable[[str, object], None]
) -> None:
    """The "Taking part in the meeting were ..." sentences of 34 English releases against their hand-made rows."""
    precision, recall, f1, right, annotated = dev_scores(shared_data, test_data, "en")
    record_property(
        "quality",
        f"kremlin-lists-dev en rows P={precision:.3f} R={recall:.3f} F1={f1:.3f}; country {right}/{annotated}",
    )
    assert precision >= DEV_EN_PRECISION_FLOOR
    assert f1 >= DEV_EN_F1_FLOOR


def _records(path: Path) -> list[list[str]]:
    blocks = path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n\n")
    return [[x for x in block.strip().split("\n") if x.strip()] for block in blocks if block.strip()]


def _surnames(path: Path) -> dict[str, str]:
    """Coref object id -> surname (or the first name where no surname was annotated)."""
    out = {}
    for lines in _records(path):
        fields = dict(line.split(" ", 1) for line in lines[1:] if " " in line)
        out[lines[0].split()[0]] = fields.get("lastname") or fields.get("firstname", "")
    return out


def _head(position: str) -> str:
    """The title word of a gold position (its first lexicon title, else its last word), as a lemma."""
    words = position.split()
    return next((lemma(w) for w in words if is_title(w)), lemma(words[-1]) if words else "")


def _occupations(stem: Path) -> set[tuple[str, frozenset[str]]]:
    """Gold (folded surname, head lemmas of the position's alternatives) of a document's Occupation facts."""
    surnames = _surnames(stem.with_suffix(".coref"))
    pairs = set()
    for lines in _records(stem.with_suffix(".facts")):
        if not lines[0].endswith("Occupation"):
            continue
        who = next((x.split()[1].removeprefix("obj") for x in lines if x.startswith("Who ")), "")
        positions = [x.removeprefix("Position ") for x in lines if x.startswith("Position ")]
        alternatives = [alt.split(" ", 1)[1] for p in positions for alt in p.split(" | ") if " " in alt]
        if surnames.get(who) and alternatives:
            pairs.add((fold_latin(surnames[who]), frozenset(_head(a) for a in alternatives)))
    return pairs


def test_person_position_pairs_against_factrueval_occupations(
    shared_data: Path, record_property: Callable[[str, object], None]
) -> None:
    """Appositions found around natasha's PER mentions against the dev set's Occupation facts.

    Matching rule: a found participant matches a fact when the fact's surname (coref ``lastname``, or
    ``firstname`` where none) folds like the participant's last or first name (name order differs across
    traditions: "Ху Цзиньтао") and the head title of one of the fact's Position alternatives ("мэра" -> мэр,
    "министр торговли" -> министр) is among the lemmas of the found position. Pairs are counted once per
    document. Facts whose position sits far from the name (coreference) count as misses: appositions only.
    """
    folder = shared_data / FACTRUEVAL_DEV
    gold_total = gold_found = system_total = system_right = 0
    for text_path in sorted(folder.glob("*.txt")):
        text = text_path.read_text(encoding="utf-8")
        gold = _occupations(text_path.with_suffix(""))
        found = set()
        for p in extract_participants(text, "ru", mentions(text)):
            if p.source == "apposition":
                names = frozenset(fold_latin(x) for x in (p.name.last, p.name.first) if x)
                found.add((names, frozenset(lemma(w.strip('«»"()')) for w in p.position.split())))
        gold_total += len(gold)
        gold_found += sum(any(s in n and h & lem for n, lem in found) for s, h in gold)
        system_total += len(found)
        system_right += sum(any(s in n and h & lem for s, h in gold) for n, lem in found)
    assert gold_total > 150  # the dev set's Occupation facts were read
    precision, recall = system_right / system_total, gold_found / gold_total
    f1 = 2 * precision * recall / (precision + recall)
    record_property(
        "quality",
        f"factRuEval dev person-position P={precision:.3f} R={recall:.3f} F1={f1:.3f} ({gold_total} facts)",
    )
    assert f1 >= FACTRUEVAL_F1_FLOOR
