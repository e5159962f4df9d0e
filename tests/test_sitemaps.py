"""Sitemaps: urlsets, indexes, Google News, plain text, gzip (and gzip bombs), bad XML."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime

import pytest

from osiwire.collect.sitemaps import MAX_SITEMAP_BYTES, Sitemap, gunzip, parse_sitemap
from osiwire.errors import ParseError, SourceError

SITEMAP_URL = "https://example.org/sitemap.xml"

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.org/news/1</loc><lastmod>2025-02-03</lastmod></url>
  <url><loc> https://example.org/news/2#top </loc><lastmod>2025-02-03T12:30:00+03:00</lastmod></url>
  <url><loc>/news/3</loc><lastmod>not a date</lastmod></url>
  <url><loc>https://example.org/news/1</loc></url>
  <url><loc>ftp://example.org/file</loc></url>
  <url><lastmod>2025-02-03</lastmod></url>
</urlset>"""

NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://mid.ru/ru/foreign_policy/news/1987654/</loc>
    <lastmod>2025-02-04T08:00:00Z</lastmod>
    <news:news>
      <news:publication><news:name>МИД России</news:name><news:language>ru</news:language></news:publication>
      <news:publication_date>2025-02-03T18:45:00+03:00</news:publication_date>
      <news:title>Заявление  официального
        представителя</news:title>
    </news:news>
  </url>
</urlset>""".encode()

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://example.org/sitemap-news.xml</loc><lastmod>2025-02-03</lastmod></sitemap>
  <sitemap><loc>/sitemap-2.xml.gz</loc></sitemap>
  <sitemap><loc>https://example.org/sitemap-news.xml</loc></sitemap>
</sitemapindex>"""


def test_urlset() -> None:
    sitemap = parse_sitemap(URLSET, SITEMAP_URL)
    assert sitemap.sitemaps == ()
    assert [(e.url, e.published) for e in sitemap.entries] == [
        ("https://example.org/news/1", datetime(2025, 2, 3, tzinfo=UTC)),
        ("https://example.org/news/2", datetime(2025, 2, 3, 9, 30, tzinfo=UTC)),
        ("https://example.org/news/3", None),
    ]


def test_news_sitemap_title_and_publication_date() -> None:
    (entry,) = parse_sitemap(NEWS, "https://mid.ru/sitemap-news.xml").entries
    assert entry.url == "https://mid.ru/ru/foreign_policy/news/1987654/"
    assert entry.title == "Заявление официального представителя"
    # The publication date wins over lastmod.
    assert entry.published == datetime(2025, 2, 3, 15, 45, tzinfo=UTC)


def test_sitemap_index() -> None:
    assert parse_sitemap(INDEX, SITEMAP_URL) == Sitemap(
        sitemaps=("https://example.org/sitemap-news.xml", "https://example.org/sitemap-2.xml.gz")
    )


def test_sitemap_without_namespace() -> None:
    body = b"<urlset><url><loc>https://example.org/a</loc></url></urlset>"
    assert [e.url for e in parse_sitemap(body, SITEMAP_URL).entries] == ["https://example.org/a"]


def test_gzipped_sitemap() -> None:
    assert parse_sitemap(gzip.compress(URLSET), SITEMAP_URL) == parse_sitemap(URLSET, SITEMAP_URL)


def test_gzip_bomb_is_capped() -> None:
    bomb = gzip.compress(b" " * (MAX_SITEMAP_BYTES + 1))
    assert len(bomb) < 100_000
    started = time.perf_counter()
    with pytest.raises(ParseError, match="inflates past"):
        parse_sitemap(bomb, SITEMAP_URL)
    assert time.perf_counter() - started < 5


def test_gunzip_limit_is_exact() -> None:
    assert gunzip(gzip.compress(b"x" * 1000), "u", limit=1000) == b"x" * 1000
    with pytest.raises(ParseError):
        gunzip(gzip.compress(b"x" * 1001), "u", limit=1000)


def test_plain_text_sitemap() -> None:
    body = (
        b"\xef\xbb\xbfhttps://example.org/a\r\n\r\nhttps://example.org/b\n# comment\nhttps://example.org/a\n"
    )
    assert [e.url for e in parse_sitemap(body, "https://example.org/sitemap.txt").entries] == [
        "https://example.org/a",
        "https://example.org/b",
    ]


def test_url_pattern_filters_entries_not_child_sitemaps() -> None:
    assert [e.url for e in parse_sitemap(URLSET, SITEMAP_URL, url_pattern=r"/news/[12]$").entries] == [
        "https://example.org/news/1",
        "https://example.org/news/2",
    ]
    assert len(parse_sitemap(INDEX, SITEMAP_URL, url_pattern="nothing").sitemaps) == 2
    with pytest.raises(SourceError, match="url_pattern"):
        parse_sitemap(URLSET, SITEMAP_URL, url_pattern="(")


_LAUGHS = b"".join(b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
BAD = {
    "empty": b"",
    "whitespace": b"\n  \n",
    "truncated": URLSET[:150],
    "not xml": b"<html><body><p>unclosed</body>",
    "html page": b"<html><body><a href='https://example.org/a'>a</a></body></html>",
    "binary": bytes(range(256)),
    "bad gzip": b"\x1f\x8b\x08\x00" + b"\x00" * 20,
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY l0 "lol">' + _LAUGHS + b"]>"
    b"<urlset><url><loc>https://example.org/&l9;</loc></url></urlset>",
    "no urls in text": b"just some words\nand more",
}


@pytest.mark.parametrize("body", BAD.values(), ids=BAD.keys())
def test_bad_sitemaps_are_one_line_parse_errors(body: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(ParseError) as info:
        parse_sitemap(body, SITEMAP_URL)
    assert str(info.value).startswith(SITEMAP_URL)
    assert "\n" not in str(info.value)
    assert time.perf_counter() - started < 5


def test_external_entities_are_not_read() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<urlset><url><loc>https://example.org/&x;</loc></url></urlset>"
    )
    try:
        sitemap = parse_sitemap(body, SITEMAP_URL)
    except ParseError:
        return
    assert all("root:" not in e.url for e in sitemap.entries)
