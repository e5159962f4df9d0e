"""Which character encoding a fetched body is in.

Trust, in order: a byte order mark, the UTF-16/32 signature of an XML document, the charset of the HTTP
Content-Type, the document's own declaration (XML prolog, HTML ``<meta>``), then detection. A declared charset
is used only when the body decodes strictly with it, and a body that is valid UTF-8 with non-ASCII bytes is
UTF-8 whatever it claims (publishers often keep an ISO-8859-1 prolog on UTF-8 feeds; legacy text is practically
never valid UTF-8 by accident). Russian text under a wrong single-byte label is read as cp1251 or KOI8-R.

Names returned are Python's canonical codec names (``codecs.lookup(...).name``): "utf-8", "cp1251", "koi8-r",
"cp1252"; "utf-8-sig", "utf-16" and "utf-32" when a BOM is present, so that decoding drops it.
"""

from __future__ import annotations

import codecs
import logging
import re

import charset_normalizer

__all__ = ["decode", "detect_charset"]

logger = logging.getLogger(__name__)

_BOMS = (  # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# "<?" of an XML prolog in UTF-16/32 without a BOM (XML 1.0, appendix F).
_XML_SIGNATURES = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)
# Real pages put <meta charset> after long comments and scripts; browsers look at 1 KB, we look further
# because a wrong guess costs more here than a little scanning.
DECLARATION_SCAN_BYTES = 8192

_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^"';\s]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)

# The WHATWG Encoding Standard reads these labels as their supersets; so do browsers, and so do publishers
# who write "iso-8859-1" while sending curly quotes from windows-1252.
_WHATWG_SUPERSETS = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
}
# Python codecs that are not character sets of documents: they would run escapes or scripts in the body.
_NOT_CHARSETS = frozenset({"utf-7", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"})
_WIDE = ("utf-16", "utf-32")

# Encodings the web actually uses (WHATWG), most common first; detection may only pick from these, and ties
# between equally plausible readings go to the earlier one (e.g. cp1252 over cp1250 for French).
WEB_ENCODINGS = (
    "utf_8",
    "cp1252",
    "cp1251",
    "koi8_r",
    "cp1250",
    "iso8859_2",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
    "cp874",
    "koi8_u",
    "iso8859_5",
    "iso8859_7",
    "iso8859_15",
    "gb18030",
    "big5",
    "euc_jp",
    "shift_jis",
    "iso2022_jp",
    "euc_kr",
)

# Cyrillic: charset_normalizer mistakes short Russian text for Big5 or Hebrew, so cp1251 and KOI8-R are
# tried first by how Russian the decoded letters look. Most common Russian letters (~67% of running text).
_RUSSIAN_COMMON = frozenset("оеаинтсрвл")
_CYRILLIC_CANDIDATES = ("cp1251", "koi8_r")
_WORD = re.compile(r"[^\W\d_]+")
# Tuned on the miniflux and feedparser samples and on headline-length strings in Russian, Ukrainian, Bulgarian
# and Serbian: the right reading keeps each ratio at 0.6 or more; cp1251 read as KOI8-R (and the reverse) has
# under 0.1 lower case, Greek read as cp1251 ~0.36 common letters, French or Polish under 0.35 pure words.
MIN_CYRILLIC_LETTERS = 4
MIN_PURE_WORDS = 0.8
MIN_LOWER_CASE = 0.5
MIN_COMMON_LETTERS = 0.5
CYRILLIC_SAMPLE_BYTES = 65_536  # plenty to judge; keeps a 10 MB page from being scored whole
# Labels Russian servers get wrong while the body still decodes: KOI8-R and cp1251 swapped, and web servers
# whose default charset is ISO-8859-1. Western text never reads as Cyrillic prose (words mix scripts).
_OFTEN_MISLABELLED = frozenset({"cp1251", "koi8-r", "cp1252", "iso8859-1", "iso8859-15"})


def detect_charset(body: bytes, content_type: str | None = None) -> str:
    """The Python codec name to decode ``body`` with (BOM, HTTP charset, in-document declaration, detection)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    for signature, name in _XML_SIGNATURES:
        if body.startswith(signature) and _decodes(body, name):
            return name
    utf8 = _utf8_kind(body)
    for label in _declared_labels(body, content_type):
        for name in _codec_names(label):
            if _fits(body, name, utf8):
                return _cyrillic_instead(body, name, utf8) or name
        logger.debug("declared charset %r does not fit the body", label)
    if utf8 is not None:
        return "utf-8"
    return _guess(body)


def decode(body: bytes, content_type: str | None = None) -> str:
    """``body`` as text, in the charset ``detect_charset`` finds (undecodable bytes replaced)."""
    return body.decode(detect_charset(body, content_type), errors="replace")


def _utf8_kind(body: bytes) -> str | None:
    """Whether the body is "ascii", "utf-8" (valid, with non-ASCII bytes) or None (not UTF-8 at all)."""
    if body.isascii():
        return "ascii"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "utf-8"


def _declared_labels(body: bytes, content_type: str | None) -> list[str]:
    labels = []
    if content_type and (http := _HTTP_CHARSET.search(content_type)):
        labels.append(http.group(1))
    head = body[:DECLARATION_SCAN_BYTES]
    for pattern in (_XML_DECLARATION, _META_CHARSET):
        if declared := pattern.search(head):
            labels.append(declared.group(1).decode("ascii"))
    return labels


def _codec_names(label: str) -> list[str]:
    """Python codec names for a declared label: its WHATWG superset first, then itself; [] if unknown."""
    try:
        info = codecs.lookup(label.strip())
    except LookupError:
        return []
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return []
    superset = _WHATWG_SUPERSETS.get(info.name)
    return [superset, info.name] if superset else [info.name]


def _fits(body: bytes, name: str, utf8: str | None) -> bool:
    if name in ("utf-8", "utf-8-sig"):
        return utf8 is not None
    if name.startswith(_WIDE):
        # A declaration we could read as ASCII cannot be UTF-16 (the WHATWG rule); without NUL bytes it is not.
        return b"\x00" in body[:1024] and _decodes(body, name)
    if utf8 == "utf-8":
        return False
    return _decodes(body, name)


def _decodes(body: bytes, name: str) -> bool:
    try:
        body.decode(name)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _guess(body: bytes) -> str:
    cyrillic = _guess_cyrillic(body)
    if cyrillic:
        return cyrillic
    results = charset_normalizer.from_bytes(body, cp_isolation=list(WEB_ENCODINGS))
    best = results.best()
    if best is not None:
        tied = {
            name
            for match in results
            if match.chaos == best.chaos and match.coherence == best.coherence
            for name in match.could_be_from_charset
        }
        for name in WEB_ENCODINGS:
            if name in tied:
                return codecs.lookup(name).name
        return codecs.lookup(best.encoding).name
    return "cp1252" if _decodes(body, "cp1252") else "utf-8"


def _cyrillic_instead(body: bytes, declared: str, utf8: str | None) -> str | None:
    """cp1251/KOI8-R for Russian text under a wrong single-byte label (swapped, or a server's latin-1 default)."""
    if declared not in _OFTEN_MISLABELLED or utf8 == "ascii":
        return None
    if _cyrillic_score(body[:CYRILLIC_SAMPLE_BYTES].decode(declared, errors="replace")) is not None:
        return None  # reads as Cyrillic prose as declared
    return _guess_cyrillic(body)


def _guess_cyrillic(body: bytes) -> str | None:
    """cp1251 or KOI8-R when the body reads as Russian (or a close relative) in one of them."""
    scored = []
    sample = body[:CYRILLIC_SAMPLE_BYTES]
    for name in _CYRILLIC_CANDIDATES:
        score = _cyrillic_score(sample.decode(name, errors="replace"))
        if score is not None:
            scored.append((score, name))
    return codecs.lookup(max(scored)[1]).name if scored else None


def _cyrillic_score(text: str) -> float | None:
    """How much ``text`` looks like Cyrillic prose; None when it does not (or there is too little of it)."""
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    letters = [c for w in words for c in w if _is_cyrillic(c)]
    if len(letters) < MIN_CYRILLIC_LETTERS:
        return None
    # Latin text read in a Cyrillic code page gives "Cafй": words mixing scripts.
    pure = sum(1 for w in words if all(_is_cyrillic(c) for c in w)) / len(words)
    # The wrong one of cp1251/KOI8-R swaps case: capitals everywhere.
    lower = sum(1 for c in letters if c.islower()) / len(letters)
    if all(w.isupper() for w in words):
        lower = 1.0  # a headline in capitals: only the letters can tell
    common = sum(1 for c in letters if c.lower() in _RUSSIAN_COMMON) / len(letters)
    if pure < MIN_PURE_WORDS or lower < MIN_LOWER_CASE or common < MIN_COMMON_LETTERS:
        return None
    return lower + common


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"
