"""Hypothesis strategies for outside text: what sources, feeds and users hand osiwire, at its most hostile.

``documents()`` draws whole texts: random Unicode (surrogates excluded: they cannot be encoded, so no page or
feed carries them), lines of the shapes that broke stages before (code blocks, markdown and ASCII tables,
one-word lines, lines of symbols, 100k-character lines, mixed scripts, a capitalised word at the very end) and
words from the vocabularies the rules key on (titles, names, countries), so the rules fire on garbage too.
"""

from __future__ import annotations

from hypothesis import strategies as st

# Characters that move offsets or split lines where a naive reader does not expect it: NUL and C0/C1 controls,
# the separators str.splitlines honours (\x1c-\x1e, \x85, \u2028, \u2029), combining marks, bidi controls,
# zero-width characters, a BOM, ligatures and letters that change length when case-folded (ß, İ, ŉ).
AWKWARD = (
    "\x00", "\x01", "\x07", "\x0b", "\x0c", "\r", "\t", "\x1c", "\x1d", "\x1e", "\x1f", "\x7f", "\x85", "\xa0",
    "\u2028", "\u2029", "\u0301", "\u0308", "\u0306", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u202a", "\u202b", "\u202e", "\u2066", "\u2069", "\ufeff", "\ufffd", "ß", "İ", "ŉ", "ﬁ", "Ꭓ", "ǅ",
    "\U0001f600", "\U0001f1f7\U0001f1fa", "𝐀",
)  # fmt: skip

# Words of the vocabularies the rules read: titles, given names and surnames, bodies, countries, list headers,
# in the scripts of the region. Garbage built from them makes the rules fire where they would not on noise.
WORDS = (
    # Russian: names, titles, bodies, places, list furniture
    "Владимир", "Путин", "Владимира", "Путина", "ПУТИН", "Сергей", "Лавров", "Лаврова", "Николай", "Патрушев",
    "Платонович", "Н.П.", "В.В.", "Президент", "президент", "Министр", "министр", "иностранных", "дел",
    "Секретарь", "Совета", "Безопасности", "Российской", "Федерации", "России", "Москве", "Москва",
    "Республики", "Беларусь", "Армения", "Казахстан", "ПАО", "Газпром", "заместитель", "Председателя",
    "Правительства", "С российской стороны:", "С белорусской стороны:", "Участники", "переговоров:",
    "провёл", "встречу", "с", "в", "и", "г-н", "т.е.", "ё", "Ё",
    # English: names, titles, bodies, places, particles, common words that open sentences
    "President", "Vladimir", "Putin", "Putin's", "Foreign", "Minister", "Sergey", "Lavrov", "Mr.", "Dr.",
    "John", "F.", "Kennedy", "Mohammed", "bin", "Salman", "al-Assad", "O'Neil", "Secretary", "Security",
    "Council", "of", "the", "The", "Russian", "Federation", "Armenia", "U.S.", "UN", "CSTO", "said", "met",
    "with", "in", "Moscow", "Print", "First", "Review", "GPU", "TIP-INS", "Speaking", "King", "Kevin",
    # Other scripts of the region and beyond
    "Հայաստան", "Նիկոլ", "Փաշինյան", "საქართველო", "ირაკლი", "კობახიძე", "Қазақстан", "Тоқаев", "Кыргызстан",
    "Ўзбекистон", "Oʻzbekiston", "Azərbaycan", "Türkmenistan", "Україна", "Зеленський", "Беларусі",
    "محمد", "بن", "سلمان", "الرياض", "ישראל", "中国", "习近平", "日本",
)  # fmt: skip

SYMBOLS = "=-_*#~+|/\\<>[]{}()`'\".,;:!?@$%^&—–…«»“”‘’•·"
CODE_LINES = (
    "```", "```python", "def run(x):", "    return print(x)", "}", "];", "/* Run */", "# ---- #", ">>> run()",
    "x = [1, 2, 3]", "<div class=\"x\">", "</div>", "SELECT * FROM t WHERE a = 'b';", "$ pip install foo",
    "if (a < b && c > d) { return; }", "import os", "    ", "\t\t", "~~~",
)  # fmt: skip

# Characters drawn for random Unicode: everything but surrogates (category Cs).
ANY_CHAR = st.characters(exclude_categories=("Cs",))
# A line this long is a flattened page; several stages cap or split such lines, which is what is tested.
LONG_LINE_CHARS = 100_000


def _word() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(WORDS),
        st.text(ANY_CHAR, min_size=1, max_size=12),
        st.sampled_from(AWKWARD),
        st.text(st.sampled_from(SYMBOLS), min_size=1, max_size=4),
    )


def _sentence() -> st.SearchStrategy[str]:
    return st.builds(
        lambda words, gaps, end: "".join(w + g for w, g in zip(words, gaps, strict=False)) + end,
        st.lists(_word(), min_size=1, max_size=14),
        st.lists(
            st.sampled_from([" ", " ", " ", ", ", " - ", " – ", "\t", " \xa0"]), min_size=14, max_size=14
        ),
        st.sampled_from(["", ".", ". ", "!", "?", ":", "…", ".»", "\u2028"]),
    )


def _table_line() -> st.SearchStrategy[str]:
    cells = st.lists(st.one_of(st.sampled_from(WORDS), st.text(ANY_CHAR, max_size=6)), min_size=1, max_size=5)
    return st.one_of(
        cells.map(lambda c: "| " + " | ".join(c) + " |"),
        cells.map(lambda c: "|" + "|".join("---" for _ in c) + "|"),
        cells.map(lambda c: "+" + "+".join("-" * max(1, len(x)) for x in c) + "+"),
        cells.map("\t".join),
    )


def _long_line() -> st.SearchStrategy[str]:
    """A line of up to 100k characters, made by repeating a drawn piece (drawing 100k characters is slow)."""
    return st.builds(
        lambda piece, size: (piece * (size // max(1, len(piece)) + 1))[:size],
        st.one_of(_sentence(), st.text(ANY_CHAR, min_size=1, max_size=8), st.sampled_from(WORDS)),
        st.sampled_from([5_000, 20_000, LONG_LINE_CHARS]),
    )


def lines(long: bool = True) -> st.SearchStrategy[str]:
    """One line of a document, of any of the shapes above."""
    shapes = [
        _sentence(),
        _sentence(),
        st.sampled_from(CODE_LINES),
        _table_line(),
        st.sampled_from(WORDS),  # a one-word line
        st.text(st.sampled_from(SYMBOLS), min_size=1, max_size=40),  # a line of symbols
        st.text(ANY_CHAR, max_size=40),
        st.builds(lambda d, w: f"{d} {w}", st.sampled_from(["–", "—", "-", "•", "*", "1."]), _sentence()),
    ]
    if long:
        shapes.append(_long_line())
    return st.one_of(*shapes)


def documents(*, long: bool = True, max_lines: int = 12) -> st.SearchStrategy[str]:
    """A whole text: random Unicode, or lines of the shapes above joined by single or blank lines."""
    composed = st.builds(
        lambda parts, sep, tail: sep.join(parts) + tail,
        st.lists(lines(long), min_size=1, max_size=max_lines),
        st.sampled_from(["\n", "\n\n", "\r\n", " ", "\n \n"]),
        # texts ending in a capitalised word, a lone token, or nothing at all
        st.sampled_from(["", "", "\nPrint", " Run", "\nПутин", "\nFirst", "\n\nGPU", "\n", " "]),
    )
    return st.one_of(
        st.text(ANY_CHAR, max_size=200),
        st.lists(st.sampled_from(AWKWARD + WORDS), max_size=30).map(" ".join),
        composed,
        composed,
    )


def short_texts() -> st.SearchStrategy[str]:
    """Name-sized text: a few words, symbols or random characters (for parsers of one name or one word)."""
    return st.one_of(
        st.text(ANY_CHAR, max_size=30),
        st.lists(_word(), min_size=1, max_size=5).map(" ".join),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
    )


def html_pages(*, long: bool = True) -> st.SearchStrategy[str]:
    """An HTML page or fragment: documents wrapped in tags, broken tags, entities, scripts and code blocks."""
    tags = st.sampled_from(
        ["p", "div", "pre", "code", "h1", "li", "td", "article", "script", "style", "span"]
    )
    block = st.builds(lambda tag, body: f"<{tag}>{body}</{tag}>", tags, documents(long=long, max_lines=4))
    junk = st.sampled_from(
        ["<", ">", "</p", "<p", "&amp;", "&#0;", "&#xD800;", "&nbsp;", "<!--", "-->", "<![CDATA[", "]]>",
         "<br>", "<table><tr><td>", "<meta charset=\"koi8-r\">", "<base href=\"javascript:x\">",
         "<link rel=\"canonical\" href=\"http://[::1\">", '<script type="application/ld+json">{"datePublished": "2099-99-99"}</script>',
         '<meta property="article:published_time" content="\x00">', "<title>", "</title>"]
    )  # fmt: skip
    body = st.lists(st.one_of(block, block, junk, documents(long=False, max_lines=2)), max_size=10).map(
        "".join
    )
    return st.one_of(
        body.map(
            lambda b: (
                f"<!doctype html><html><head><title>T</title></head><body><article>{b}</article></body></html>"
            )
        ),
        body,
        st.text(ANY_CHAR, max_size=100),
    )
