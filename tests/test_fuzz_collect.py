"""Property tests of the collect stage's parsers over hostile bytes: a value or ParseError/SourceError, never a crash.

Feeds (RSS, Atom, JSON Feed), sitemaps (XML and text), listing pages, JSONL archives and `analyze --jsonl` lines:
each built from the hostile texts of fuzz_strategies inside a real envelope, and as raw bytes.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import given
from hypothesis import strategies as st

from fuzz_strategies import ANY_CHAR, documents, html_pages, short_texts
from osiwire.analyze import AnalyzeError, parse_line
from osiwire.collect.archive import read_archive
from osiwire.collect.feeds import parse_feed
from osiwire.collect.listing import parse_listing
from osiwire.collect.local import entry_document
from osiwire.collect.sitemaps import parse_sitemap
from osiwire.compare import CompareError, parse_pair
from osiwire.errors import ParseError, SourceError
from osiwire.model import Entry, Source, SourceKind

FEED_URL = "https://example.org/feed.xml"
SOURCE = Source(name="fuzz", url=FEED_URL, kind=SourceKind.RSS, language="ru")
NOW = datetime(2026, 1, 1, tzinfo=UTC)
LINKS = st.one_of(
    st.sampled_from(
        ["https://example.org/news/1", "/news/2", "http://[::1", "javascript:x()", "", "news/3?a=1#b"]
    ),
    st.text(ANY_CHAR, max_size=20),
)


def _xml_text(text: str) -> str:
    """Text as XML character data: escaped, the characters XML 1.0 cannot hold kept (they make feeds bozo)."""
    return escape(text)


def _rss(items: list[tuple[str, str, str]], cdata: bool) -> str:
    def body(text: str) -> str:
        return f"<![CDATA[{text}]]>" if cdata else _xml_text(text)

    rows = "".join(
        f"<item><title>{_xml_text(title)}</title><link>{_xml_text(link)}</link>"
        f"<description>{body(text)}</description><pubDate>{_xml_text(title[:30])}</pubDate></item>"
        for title, link, text in items
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>{rows}</channel></rss>'


def _atom(items: list[tuple[str, str, str]], cdata: bool) -> str:
    rows = "".join(
        f'<entry><title>{_xml_text(title)}</title><link href="{_xml_text(link)}"/><id>{_xml_text(link)}</id>'
        f'<content type="html">{_xml_text(text)}</content><updated>{_xml_text(title[:25])}</updated></entry>'
        for title, link, text in items
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>{rows}</feed>'


def _json_feed(items: list[tuple[str, str, str]], cdata: bool) -> str:
    rows = [
        {"id": link, "url": link, "title": title, "content_html": text, "date_published": title[:25]}
        for title, link, text in items
    ]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": rows})


ITEMS = st.lists(st.tuples(short_texts(), LINKS, documents(long=False, max_lines=4)), max_size=4)
FEEDS = st.one_of(
    st.builds(lambda f, items, cdata, codec: f(items, cdata).encode(codec, errors="replace"),
              st.sampled_from([_rss, _atom, _json_feed]), ITEMS, st.booleans(), st.sampled_from(["utf-8", "utf-16"])),
    st.binary(max_size=300),
    st.text(ANY_CHAR, max_size=200).map(lambda t: t.encode("utf-8")),
    st.sampled_from([b"{", b"[]", b'{"items": [null, 1, {"url": 5}]}', b"\x1f\x8b\x08\x00junk", b"<rss>" * 50,
                     b"[" * 5000, b'{"version": "https://jsonfeed.org/version/1", "items": ' + b"[" * 3000]),
)  # fmt: skip


@given(FEEDS)
def test_feeds(body: bytes) -> None:
    try:
        feed = parse_feed(body, FEED_URL)
    except ParseError:
        return
    assert all(isinstance(e, Entry) and e.url.startswith(("http://", "https://")) for e in feed.entries)
    for entry in feed.entries:  # what a feed source stores of an entry that carries its own text
        doc = entry_document(entry, SOURCE, NOW)
        assert doc is None or (doc.text and doc.text == doc.text.strip())


SITEMAPS = st.one_of(
    st.builds(
        lambda urls, index: (
            f'<?xml version="1.0"?><{"sitemapindex" if index else "urlset"} '
            'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(
                f"<{'sitemap' if index else 'url'}><loc>{_xml_text(u)}</loc><lastmod>{_xml_text(u[:20])}</lastmod>"
                f"</{'sitemap' if index else 'url'}>"
                for u in urls
            )
            + f"</{'sitemapindex' if index else 'urlset'}>"
        ).encode(),
        st.lists(LINKS, max_size=5),
        st.booleans(),
    ),
    st.lists(LINKS, max_size=5).map(lambda urls: "\n".join(urls).encode()),
    st.binary(max_size=200),
)


@given(SITEMAPS, st.sampled_from(["", "news", "(", "[а-я]+"]))
def test_sitemaps(body: bytes, pattern: str) -> None:
    try:
        sitemap = parse_sitemap(body, "https://example.org/sitemap.xml", pattern)
    except (ParseError, SourceError):
        return
    assert all(e.url.startswith(("http://", "https://")) for e in sitemap.entries)


@given(
    st.one_of(
        html_pages(long=False),
        st.lists(st.tuples(LINKS, short_texts()), max_size=6).map(
            lambda links: "".join(f'<a href="{h}">{t}</a>' for h, t in links)
        ),
    ),
    st.sampled_from(["", "a", "article a", "a[href*=news]", "::", "div >"]),
)
def test_listing_pages(html: str, selector: str) -> None:
    try:
        entries = parse_listing(html, "https://example.org/news/", selector)
    except SourceError:
        return
    assert all(e.url.startswith(("http://", "https://")) for e in entries)


_VALUES = st.one_of(
    short_texts(), documents(long=False), st.none(), st.integers(), st.lists(st.integers(), max_size=2)
)
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "url": st.one_of(LINKS, _VALUES),
        "title": _VALUES,
        "text": _VALUES,
        "date": st.one_of(
            st.sampled_from(["2025-02-30", "2025-01-01T25:00", "0000-00-00", "9999-12-31T23:59:59-23:59"]),
            _VALUES,
        ),
        "author": _VALUES,
        "participants_text": _VALUES,
        "id": _VALUES,
        "html": _VALUES,
        "lang": _VALUES,
    },
)
LINES = st.one_of(
    RECORDS.map(lambda r: json.dumps(r, ensure_ascii=False)),
    RECORDS.map(lambda r: json.dumps(r)),
    st.text(ANY_CHAR, max_size=80),
    st.sampled_from(["[" * 5_000, '{"a": ' * 5_000, "null", "[]", '"text"', "{}", "\ufeff{}"]),
)


@given(st.lists(LINES, min_size=1, max_size=6))
def test_archive_lines(lines: list[str]) -> None:
    """Every line of a JSONL archive is a document or a ParseError naming it, and the rest are still read."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "archive.jsonl"
        path.write_bytes("\n".join(lines).encode("utf-8", errors="replace"))
        read = list(read_archive(path, language="ru"))
    assert all((line.document is None) != (line.error is None) for line in read)
    assert len(read) <= sum(
        1 for part in "\n".join(lines).encode("utf-8", "replace").split(b"\n") if part.strip()
    )


@given(LINES)
def test_analyze_lines(line: str) -> None:
    try:
        item = parse_line(line, 1)
    except AnalyzeError as exc:
        assert str(exc).startswith("line 1")
        return
    assert (item.html is None) != (item.text is None)


PAIR_LINES = st.one_of(
    LINES,
    st.fixed_dictionaries(
        {"id": _VALUES, "a": st.one_of(RECORDS, _VALUES), "b": st.one_of(RECORDS, _VALUES)}
    ).map(json.dumps),
)


@given(PAIR_LINES)
def test_compare_lines(line: str) -> None:
    """`osiwire compare --jsonl` lines: a pair or a CompareError naming the line (a line nested thousands deep
    raised RecursionError, ending the batch)."""
    try:
        parse_pair(line, 3)
    except CompareError as exc:
        assert str(exc).startswith("line 3")


def test_compare_line_nested_too_deeply() -> None:
    for line in ("[" * 5000, '{"id": 1, "a": ' + '{"b": ' * 5000):
        try:
            parse_pair(line, 3)
        except CompareError as exc:
            assert str(exc) == "line 3: not JSON: nested too deeply"
        else:
            raise AssertionError(f"accepted {line[:20]!r}")
