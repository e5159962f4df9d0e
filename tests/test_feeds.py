"""Feeds: every captured feed parses or fails with ParseError, encodings, formats, hostile inputs."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from osiwire.collect.feeds import Feed, detect_feed_kind, parse_feed
from osiwire.errors import ParseError
from osiwire.model import SourceKind

# A generous bound: the slowest captured feed parses in ~0.1 s; a file near this is a hang in the making.
MAX_SECONDS_PER_FILE = 5.0
NOT_FEEDS = {"LICENSE", "SOURCE.txt"}
FEED_URL = "https://feeds.example.org/news/feed.xml"


def _feed_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.name not in NOT_FEEDS and not p.name.startswith("README")
    )


def test_every_captured_feed_parses_or_raises_parse_error(
    shared_data: Path, record_property: Callable[[str, object], None]
) -> None:
    files = _feed_files(shared_data / "feeds")
    assert len(files) > 2000, "the shared feed corpus is incomplete"
    parsed, rejected, failures = 0, 0, []
    slowest = (0.0, "")
    for path in files:
        body = path.read_bytes()
        started = time.perf_counter()
        try:
            parse_feed(body, f"https://feeds.example.org/{path.name}")
            parsed += 1
        except ParseError as exc:
            rejected += 1
            assert "\n" not in str(exc), f"{path}: multi-line error"
        except Exception as exc:
            failures.append(f"{path}: {type(exc).__name__}: {exc}")
        elapsed = time.perf_counter() - started
        slowest = max(slowest, (elapsed, str(path)))
        if elapsed > MAX_SECONDS_PER_FILE:
            failures.append(f"{path}: took {elapsed:.1f}s")
    record_property(
        "quality",
        f"feeds: {len(files)} files, {parsed} parsed, {rejected} rejected; slowest {slowest[0]:.3f}s",
    )
    assert not failures, "\n".join(failures[:20])
    # Most of the corpus is feeds; a collapse of this ratio means parse_feed started rejecting real ones.
    assert parsed > 0.95 * len(files)


def test_windows_1251_russian_feed(shared_data: Path) -> None:
    body = (shared_data / "feeds/miniflux/encoding_WINDOWS-1251.xml").read_bytes()
    feed = parse_feed(body, "http://ibash.org.ru/rss.xml")
    assert feed.title == "iBash.Org.Ru"
    assert len(feed.entries) == 50
    assert all(e.title.startswith("Цитата #") for e in feed.entries)
    first = feed.entries[0]
    assert first.url == "http://ibash.org.ru/quote.php?id=17703"
    # "Wed, 21 Mar 2018 10:27:32 +0300" in UTC.
    assert first.published == datetime(2018, 3, 21, 7, 27, 32, tzinfo=UTC)
    assert "есть у кого" in first.summary


def test_koi8r_feed_decodes_to_cyrillic(shared_data: Path) -> None:
    feed = parse_feed((shared_data / "feeds/miniflux/koi8r.xml").read_bytes(), FEED_URL)
    assert feed.title == "Пример RSS ленты"
    assert feed.entries[0].title == "Первая новость"
    assert feed.entries[0].url == "http://example.com/post1"


def test_atom_feed(shared_data: Path) -> None:
    feed = parse_feed((shared_data / "feeds/miniflux/small_atom.xml").read_bytes(), FEED_URL)
    assert feed.title == "Recent Commits to v2:main"
    assert feed.link == "https://github.com/miniflux/v2/commits/main"
    assert feed.language == "en-US"
    entry = feed.entries[0]
    assert entry.url == "https://github.com/miniflux/v2/commit/6d97f8b4582414b6ce69467656824690057d4793"
    assert entry.title == "Parse podcast categories"  # whitespace around it collapsed
    assert entry.author == "fguillot"
    assert entry.published == datetime(2024, 3, 12, 5, 30, 27, tzinfo=UTC)
    assert entry.guid.startswith("tag:github.com,2008:Grit::Commit/")
    assert "Parse podcast categories" in entry.content_html


def test_rdf_feed(shared_data: Path) -> None:
    feed = parse_feed((shared_data / "feeds/miniflux/rdf_UTF8.xml").read_bytes(), "https://www.heise.de/rss")
    assert feed.title == "heise online News"
    assert len(feed.entries) == 60
    assert feed.entries[0].title == "OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen"
    assert all(e.url.startswith(("https://www.heise.de/", "https://www.techstage.de/")) for e in feed.entries)


def test_json_feed_file(shared_data: Path) -> None:
    for path in sorted((shared_data / "feeds/feedparser/json").glob("*.json")):
        feed = parse_feed(path.read_bytes(), "https://example.org/feed.json")
        assert feed.title == "My Example Feed"
        assert feed.link == "https://example.org/"
        assert [e.url for e in feed.entries] == [
            "https://example.org/second-item",
            "https://example.org/initial-post",
        ]
        assert feed.entries[0].content_html == "This is a second item."
        assert feed.entries[1].author == "you"
        assert feed.entries[1].content_html.startswith("<p>Hello, world!</p>")


def test_json_feed_1_1_inline() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Пресс-релизы",
        "language": "ru",
        "items": [
            {
                "id": "a1",
                "url": "/news/1#top",
                "title": "Заявление &amp; <b>ответ</b>",
                "date_published": "2025-02-03T12:00:00+03:00",
                "authors": [{"name": "Пресс-служба"}, {"name": "МИД"}],
                "content_html": "<p>Текст</p>",
                "summary": "Кратко",
            },
            {"id": "https://example.org/by-id"},
            {"id": "no-url"},
            "not an object",
        ],
    }
    feed = parse_feed(json.dumps(doc).encode(), "https://example.org/feeds/all.json", "application/feed+json")
    assert feed.language == "ru"
    first, second = feed.entries
    assert first.url == "https://example.org/news/1"
    assert first.title == "Заявление & ответ"
    assert first.published == datetime(2025, 2, 3, 9, 0, tzinfo=UTC)
    assert first.author == "Пресс-служба, МИД"
    assert (first.summary, first.content_html, first.guid) == ("Кратко", "<p>Текст</p>", "a1")
    assert second.url == "https://example.org/by-id"


def test_relative_links_resolved_against_feed_url(shared_data: Path) -> None:
    body = (shared_data / "feeds/node-feedparser/rss-with-relative-urls.xml").read_bytes()
    feed = parse_feed(body, "https://www.arcgames.com/en/games/neverwinter/news/rss")
    assert feed.link == "https://www.arcgames.com/en/games/neverwinter/news"
    assert feed.entries
    assert all(
        e.url.startswith("https://www.arcgames.com/en/games/neverwinter/news/detail/") for e in feed.entries
    )


def test_rss_entry_fields_and_skipped_entries() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Press &amp; news</title><link>https://example.org/</link><language>ru</language>
<item><title>&lt;b&gt;Bold&lt;/b&gt; title</title><link>/a/1</link><guid>id-1</guid>
 <pubDate>Mon, 03 Feb 2025 10:00:00 GMT</pubDate><description>Short</description>
 <content:encoded><![CDATA[<p>Full text</p>]]></content:encoded></item>
<item><title>Guid only</title><guid>https://example.org/a/2</guid></item>
<item><title>Not a URL guid</title><guid isPermaLink="false">urn:x:3</guid></item>
<item><title>Script link</title><link>javascript:alert(1)</link></item>
<item><title>Bad date</title><link>https://example.org/a/5</link><pubDate>yesterday-ish</pubDate></item>
</channel></rss>"""
    feed = parse_feed(body, "https://example.org/rss", "application/rss+xml; charset=utf-8")
    assert (feed.title, feed.link, feed.language) == ("Press & news", "https://example.org/", "ru")
    assert [e.url for e in feed.entries] == [
        "https://example.org/a/1",
        "https://example.org/a/2",
        "https://example.org/a/5",
    ]
    first = feed.entries[0]
    assert first.title == "Bold title"
    assert first.published == datetime(2025, 2, 3, 10, 0, tzinfo=UTC)
    assert (first.summary, first.content_html) == ("Short", "<p>Full text</p>")
    # An RSS guid is a permalink unless it says otherwise, so feedparser resolves it like a link.
    assert first.guid == "https://example.org/id-1"
    assert feed.entries[2].published is None


def test_empty_feed_with_version_is_valid() -> None:
    feed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', FEED_URL)
    assert feed == Feed(title="Quiet", link="", language="", entries=())


def test_gzipped_feed(shared_data: Path) -> None:
    feed = parse_feed(
        (shared_data / "feeds/node-feedparser/compressed.xml").read_bytes(), "http://www.oren.ru/rss"
    )
    assert len(feed.entries) == 10
    assert feed.entries[0].url == "http://www.oren.ru/news/2743422/"


def test_local_feed_may_link_to_local_files() -> None:
    body = b'<rss version="2.0"><channel><item><link>a.html</link></item></channel></rss>'
    assert parse_feed(body, "file:///data/feed.xml").entries[0].url == "file:///data/a.html"
    # ...but a feed from the web may not.
    evil = b'<rss version="2.0"><channel><item><link>file:///etc/passwd</link></item></channel></rss>'
    assert parse_feed(evil, FEED_URL).entries == ()


def test_bytes_that_look_like_a_path_are_not_opened() -> None:
    with pytest.raises(ParseError):
        parse_feed(b"/etc/hostname", FEED_URL)


_LAUGHS = b"".join(b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
HOSTILE = {
    "empty": b"",
    "whitespace": b" \n\t ",
    "binary": b"\x00\xff",
    "random bytes": bytes(range(256)) * 64,
    "html page": b"<!doctype html><html><head><title>News</title></head><body><a href='/a'>a</a></body></html>",
    "truncated xml": b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>A</title><link>http://e',
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">' + _LAUGHS + b"]>"
    b'<rss version="2.0"><channel><title>&l9;</title><item><title>&l9;</title>'
    b"<link>https://example.org/1</link></item></channel></rss>",
    "external entity": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<rss version="2.0"><channel><title>&x;</title></channel></rss>',
    "huge single line": b"x" * 20_000_000,
    "huge title": b'<rss version="2.0"><channel><title>' + b"t" * 5_000_000 + b"</title></channel></rss>",
    "bad json": b'{"version": "https://jsonfeed.org/version/1", "items": [',
    "json not a feed": b'{"hello": "world"}',
    "json array": b"[1, 2, 3]",
    "deep json": b"[" * 100_000,
    "huge json number": b'{"version": "https://jsonfeed.org/version/1", "n": 1' + b"1" * 10_000 + b"}",
    "gzip bomb": gzip.compress(b"<" + b" " * 40_000_000),
    "bad gzip": b"\x1f\x8b\x08\x00garbage",
    "html declaration": b'<rss version="2.0"><channel><item><title>&lt;![x[ a</title>'
    b"<link>https://example.org/1</link></item></channel></rss>",
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_fails_cleanly_and_quickly(body: bytes) -> None:
    started = time.perf_counter()
    try:
        feed = parse_feed(body, FEED_URL)
    except ParseError as exc:
        assert str(exc).startswith(f"{FEED_URL}: ")
        assert "\n" not in str(exc)
    else:
        assert all(e.url.startswith("https://") for e in feed.entries)
        assert "lollollol" not in feed.title, "entities were expanded"
        assert "root:" not in feed.title, "an external entity was read"
    assert time.perf_counter() - started < MAX_SECONDS_PER_FILE


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b'<?xml version="1.0"?>\n<!-- note --><rss version="2.0"><channel/></rss>', SourceKind.RSS),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>', SourceKind.RSS),
        (b'\xef\xbb\xbf<feed xmlns="http://www.w3.org/2005/Atom"></feed>', SourceKind.ATOM),
        ('<?xml version="1.0" encoding="utf-16"?><feed/>'.encode("utf-16"), SourceKind.ATOM),
        (b'<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"/>', SourceKind.ATOM),
        (b' {"version": "https://jsonfeed.org/version/1.1", "items": []}', SourceKind.JSON),
        (b'{"version": "1.0"}', None),
        (b"<!DOCTYPE html><html><body>hi</body></html>", None),
        (b"<!--" * 20_000, None),
        (b"", None),
        (b"plain text", None),
    ],
)
def test_detect_feed_kind(body: bytes, kind: SourceKind | None) -> None:
    assert detect_feed_kind(body) == kind
