"""Role-rule position patterns: google-re2 against `regex` with its timeout, baseline Python's `re`, in one run.

Normal patterns (the kinds users write) run over the 421 distinct real positions of tests/data's participant
gold (kremlin.ru lists, Russian and English); catastrophic patterns run on a position-sized text built to make a
backtracking engine explode. Each engine is timed through what the rule language needs: case-insensitive,
ё = е, from the start of a word. `re2` and `regex+timeout` are osiwire's two paths (alerts/patterns.py); `re` is
the old evaluation, the baseline the ratios are against. The catastrophic case gives `re` a short text only
(it doubles with each character), and shows how long each engine is stuck on the longest position allowed.

    .venv/bin/python bench/alert_patterns.py [--repeat 5]

Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import regex  # type: ignore[import-untyped]

from osiwire.alerts.evaluate import MAX_POSITION_CHARS
from osiwire.alerts.patterns import FALLBACK_TIMEOUT_S, PatternTimeout, compile_position, fold

ROOT = Path(__file__).resolve().parent.parent
GOLD = [
    ROOT / "tests" / "data" / "participants-gold.jsonl",
    ROOT / "tests" / "data" / "participants-dev-gold.jsonl",
]

NORMAL = [
    "министр обороны|defen[cs]e minister",
    "министр",
    "секретарь совета безопасности",
    r"зам(еститель)?\s+министра",
    r"президент\w*\s+\w+",
    "chairman|chairperson|председатель",
    "посол|ambassador",
    r"министр.{0,40}иностранных дел",
]
CATASTROPHIC = [r"(a+)+$", r"(\w+\s?)+$", r"(a|aa)+$"]


def _positions() -> list[str]:
    found = set()
    for path in GOLD:
        for line in path.read_text(encoding="utf-8").splitlines():
            position = json.loads(line).get("position")
            if position:
                found.add(position)
    return sorted(found)


def _per_search_us(search: Callable[[str], object], texts: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            search(text)
        best = min(best, time.perf_counter() - start)
    return best / len(texts) * 1e6


def _old(pattern: str) -> Callable[[str], object]:
    compiled = re.compile(rf"(?<!\w)(?:{fold(pattern)})", re.IGNORECASE)
    return lambda text: compiled.search(fold(text))


def _regex(pattern: str) -> Callable[[str], object]:
    compiled = regex.compile(rf"(?<!\w)(?:{fold(pattern)})", regex.IGNORECASE | regex.V0)

    def search(text: str) -> object:
        try:
            return compiled.search(fold(text), timeout=FALLBACK_TIMEOUT_S)
        except TimeoutError:
            return None

    return search


def _re2(pattern: str) -> Callable[[str], object]:
    compiled = compile_position(pattern)
    assert compiled.engine == "re2", pattern

    def search(text: str) -> object:
        try:
            return compiled.search(text)
        except PatternTimeout:
            return None

    return search


def _seconds(search: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    search(text)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--short", type=int, default=20, help="length of the catastrophic text given to re")
    args = parser.parse_args()
    positions = _positions()

    totals = {"re": 0.0, "re2": 0.0, "regex": 0.0}
    print(f"normal patterns over {len(positions)} real positions, µs per search (best of {args.repeat})")
    for pattern in NORMAL:
        row = {
            "re": _per_search_us(_old(pattern), positions, args.repeat),
            "re2": _per_search_us(_re2(pattern), positions, args.repeat),
            "regex": _per_search_us(_regex(pattern), positions, args.repeat),
        }
        for name, value in row.items():
            totals[name] += value / len(NORMAL)
        print(f"  {pattern[:40]:40} " + "  ".join(f"{k} {v:7.2f}" for k, v in row.items()))

    compile_us = {}
    for name, build in (("re", _old), ("re2", _re2), ("regex", _regex)):
        start = time.perf_counter()
        for i in range(200):
            re.purge()
            build(f"{NORMAL[i % len(NORMAL)]}|x{i}")  # distinct patterns: no engine cache helps
        compile_us[name] = (time.perf_counter() - start) / 200 * 1e6
    print("compile, µs per pattern: " + "  ".join(f"{k} {v:.0f}" for k, v in compile_us.items()))

    worst = {"re_short": 0.0, "re2": 0.0, "regex": 0.0}
    print(f"catastrophic patterns, seconds (re on {args.short} characters, others on {MAX_POSITION_CHARS})")
    for pattern in CATASTROPHIC:
        short = "a" * args.short + "!"
        long = "a" * MAX_POSITION_CHARS + "!"
        row = {
            "re_short": _seconds(_old(pattern), short),
            "re2": _seconds(_re2(pattern), long),
            "regex": _seconds(_regex(pattern), long),
        }
        for name, value in row.items():
            worst[name] = max(worst[name], value)
        print(f"  {pattern:20} " + "  ".join(f"{k} {v:.6f}" for k, v in row.items()))

    print(
        "RESULT "
        f"normal_us_re={totals['re']:.2f} normal_us_re2={totals['re2']:.2f} normal_us_regex={totals['regex']:.2f} "
        f"normal_ratio_re2={totals['re2'] / totals['re']:.2f} normal_ratio_regex={totals['regex'] / totals['re']:.2f} "
        f"compile_us_re={compile_us['re']:.0f} compile_us_re2={compile_us['re2']:.0f} "
        f"compile_us_regex={compile_us['regex']:.0f} "
        f"catastrophic_s_re_{args.short}chars={worst['re_short']:.3f} "
        f"catastrophic_s_re2_{MAX_POSITION_CHARS}chars={worst['re2']:.6f} "
        f"catastrophic_s_regex_timeout_{MAX_POSITION_CHARS}chars={worst['regex']:.3f}"
    )


if __name__ == "__main__":
    main()
