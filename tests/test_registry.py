"""The source registry's formats: OPML and TOML round trips, foreign OPML, validation, the bundled defaults."""

from __future__ import annotations

import dataclasses
import re

import pytest

from osiwire.collect.registry import (
    load_default_sources,
    sources_from_opml,
    sources_from_toml,
    sources_to_opml,
    sources_to_toml,
    validate_source,
)
from osiwire.errors import ParseError, SourceError
from osiwire.model import Source, SourceKind

SOURCES = [
    Source(
        name="Kremlin: news",
        url="http://kremlin.ru/events/president/news/feed",
        kind=SourceKind.RSS,
        region="Russian Federation",
        country="RU",
        language="ru",
        organisation="Presidential Executive Office",
        interval_s=900,
    ),
    Source(
        name='MFA & "friends" <news>',
        url="https://mid.ru/ru/foreign_policy/news/",
        kind=SourceKind.HTML,
        region="Russian Federation",
        country="RU",
        language="ru",
        selector="div.announce__item > a[href*='/news/']",
        url_pattern=r"/ru/foreign_policy/news/\d+/?$",
        enabled=False,
    ),
    Source(name="CSTO", url="https://odkb-csto.org/news/", kind=SourceKind.HTML, region="International"),
    Source(name="No region", url="https://example.org/feed.json", kind=SourceKind.JSON),
    Source(
        name="Back to Russia",
        url="https://example.org/atom",
        kind=SourceKind.ATOM,
        region="Russian Federation",
    ),
    Source(
        name="Sitemap", url="https://example.org/sitemap.xml", kind=SourceKind.SITEMAP, url_pattern="/news/"
    ),
    Source(name="Archive", url="/srv/osiwire/archive.jsonl", kind=SourceKind.FILE, language="ru"),
]


def test_opml_round_trip() -> None:
    text = sources_to_opml(SOURCES, title="Test")
    assert text.startswith("<?xml")
    assert sources_from_opml(text) == SOURCES
    assert sources_from_opml(text.encode("utf-8")) == SOURCES


def test_opml_export_follows_feed_reader_convention() -> None:
    text = sources_to_opml(SOURCES[:1])
    assert 'xmlns:osiwire="' in text
    assert '<outline text="Russian Federation">' in text
    assert 'type="rss"' in text
    assert 'xmlUrl="http://kremlin.ru/events/president/news/feed"' in text
    assert 'osiwire:interval="900"' in text


FOREIGN_OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions from a feed reader</title></head>
  <body>
    <outline text="News" title="News">
      <outline text="Eurasia">
        <outline type="rss" text="Kremlin" xmlUrl="http://kremlin.ru/events/president/news/feed"
                 htmlUrl="http://kremlin.ru/" language="ru-RU"/>
        <outline type="atom" text="An Atom feed" title="Atom feed title" xmlUrl="https://example.org/atom.xml"/>
      </outline>
      <outline type="rss" text="Top-level news" xmlUrl="https://example.org/rss"/>
    </outline>
    <outline type="rss" text="Uncategorised" xmlUrl="https://example.com/feed"/>
    <outline type="rss" text="Broken" xmlUrl="not a url"/>
    <outline type="link" text="A bookmark" url="https://example.com/page"/>
  </body>
</opml>"""


def test_foreign_opml_with_nested_categories(caplog: pytest.LogCaptureFixture) -> None:
    sources = sources_from_opml(FOREIGN_OPML)
    assert [(s.name, s.kind, s.region, s.language) for s in sources] == [
        ("Kremlin", SourceKind.RSS, "Eurasia", "ru"),
        ("Atom feed title", SourceKind.ATOM, "Eurasia", ""),
        ("Top-level news", SourceKind.RSS, "News", ""),
        ("Uncategorised", SourceKind.RSS, "", ""),
    ]
    assert "Broken" in caplog.text


@pytest.mark.parametrize(
    "data",
    [
        "",
        b"\x00\xff",
        "<opml><body><outline",
        "<html><body/></html>",
        "<opml version='2.0'><head/></opml>",
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY l0 "lol">'
        + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
        + ']><opml><body><outline text="&l9;" xmlUrl="https://e.org/"/></body></opml>',
    ],
)
def test_bad_opml_is_a_one_line_parse_error(data: str | bytes) -> None:
    with pytest.raises(ParseError) as info:
        sources_from_opml(data)
    assert "\n" not in str(info.value)


def test_toml_round_trip() -> None:
    text = sources_to_toml(SOURCES)
    assert sources_from_toml(text) == SOURCES
    # Defaults are left out, so hand-edited files stay short.
    assert "enabled = true" not in text
    assert "interval_s = 3600" not in text


def test_toml_normalises_fields() -> None:
    text = """
[[source]]
name = "  Akorda  "
url = "https://www.akorda.kz/ru/events"
kind = "html"
country = "kz"
language = "RU-kz"
"""
    (source,) = sources_from_toml(text)
    assert (source.name, source.country, source.language) == ("Akorda", "KZ", "ru")


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ('url = "https://e.org/"\nkind = "rss"', "name"),
        ('name = "A"\nkind = "rss"', "url"),
        ('name = "A"\nurl = "https://e.org/"', "kind"),
        ('name = "A"\nurl = "https://e.org/"\nkind = "podcast"', "kind"),
        ('name = "A"\nurl = "ftp://e.org/"\nkind = "rss"', "url"),
        ('name = "A"\nurl = "e.org/feed"\nkind = "rss"', "url"),
        ('name = "A"\nurl = "https://e.org/"\nkind = "file"', "url"),
        ('name = "A"\nurl = "https://e.org/"\nkind = "rss"\ncountry = "RUS"', "country"),
        ('name = "A"\nurl = "https://e.org/"\nkind = "rss"\nlanguage = "russian"', "language"),
        ('name = "A"\nurl = "https://e.org/"\nkind = "html"\nselector = "div["', "selector"),
        ('name = "A"\nurl = "https://e.org/"\nkind = "html"\nurl_pattern = "("', "url_pattern"),
        ('name = "A"\nurl = "https://e.org/"\nkind = "rss"\ninterval_s = 5', "interval_s"),
        ('name = "A"\nurl = "https://e.org/"\nkind = "rss"\ninterval_s = "hourly"', "interval_s"),
        ('name = "A"\nurl = "https://e.org/"\nkind = "rss"\nenabled = "yes"', "enabled"),
        ('name = "A"\nurl = "https://e.org/"\nkind = "rss"\nurlpattern = "x"', "urlpattern"),
        ('name = 1\nurl = "https://e.org/"\nkind = "rss"', "name"),
        ('name = "A\\u0000"\nurl = "https://e.org/"\nkind = "rss"', "name"),
        ('name = "A"\nurl = "https://e.org/"\nkind = "rss"\norganisation = "x\\ny"', "organisation"),
    ],
)
def test_toml_validation_errors_name_entry_and_field(entry: str, field: str) -> None:
    good = '[[source]]\nname = "Good"\nurl = "https://e.org/feed"\nkind = "rss"\n\n'
    with pytest.raises(SourceError) as info:
        sources_from_toml(f"{good}[[source]]\n{entry}\n")
    message = str(info.value)
    assert message.startswith("sources TOML entry 2")
    assert re.search(rf"\b{field}\b", message), message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["[[source]\nname=", "sources = []", "source = 1", "source = [1]"])
def test_malformed_toml_is_a_source_error(text: str) -> None:
    with pytest.raises(SourceError):
        sources_from_toml(text)


@pytest.mark.parametrize(
    "url", ["/srv/data/feeds", "file:///srv/data/feed.xml", "relative/folder", "C:\\osiwire\\feeds"]
)
def test_file_sources_take_paths(url: str) -> None:
    assert validate_source(Source(name="Local", url=url, kind=SourceKind.FILE)).url == url


def test_validate_source_accepts_kind_as_text() -> None:
    raw = Source(name="A", url="https://e.org/", kind="atom")  # type: ignore[arg-type]
    assert validate_source(raw).kind is SourceKind.ATOM


def test_default_registry_loads_and_validates() -> None:
    sources = load_default_sources()
    assert 20 <= len(sources) <= 40
    assert all(validate_source(s) == s for s in sources)
    names = [s.name for s in sources]
    urls = [s.url for s in sources]
    assert len(set(names)) == len(names), "duplicate names"
    assert len(set(urls)) == len(urls), "duplicate URLs"
    assert all(s.region and s.language and s.organisation for s in sources)
    assert all(s.country for s in sources if s.region != "International")
    hosts = " ".join(urls)
    for expected in ("kremlin.ru", "mid.ru", "scrf.gov.ru", "government.ru", "odkb-csto.org", "e-cis.info",
                     "sectsco.org", "president.gov.by", "akorda.kz", "president.kg", "president.tj",
                     "president.uz", "turkmenistan.gov.tm", "president.am", "president.az", "presedinte.md",
                     "mfa.gov.ge"):  # fmt: skip
        assert expected in hosts, expected
    # The registry round-trips through both formats.
    assert sources_from_opml(sources_to_opml(sources)) == sources
    assert sources_from_toml(sources_to_toml(sources)) == sources


def test_exported_sources_have_no_id() -> None:
    stored = dataclasses.replace(SOURCES[0], id=7)
    assert sources_from_toml(sources_to_toml([stored])) == [SOURCES[0]]
