"""Listing pages: links by selector, by URL pattern, by the cautious heuristic; bad configuration."""

from __future__ import annotations

import pytest

from osiwire.collect.listing import compile_selector, looks_like_article, parse_listing
from osiwire.errors import SourceError
from osiwire.model import Entry

LISTING_URL = "http://kremlin.ru/events/president/news"

PAGE = """<!DOCTYPE html>
<html><head><title>Новости</title></head><body>
<nav>
  <a href="/">Главная</a> <a href="/events/president/news">Новости</a>
  <a href="/events/president/news/page/2">2</a> <a href="/catalog/persons">Персоны</a>
  <a href="/events/president/news/2024">2024</a> <a href="/search?query=x">Поиск</a>
  <a href="/events/president/news/tag/economy-and-finance-policy-2024">Тег</a>
</nav>
<div class="hentry">
  <h3><a href="/events/president/news/76574#comments">Встреча с <b>Президентом</b>
      Белоруссии</a></h3>
  <p>Text <a href="/catalog/countries/BY">Белоруссия</a></p>
</div>
<div class="hentry">
  <a href="news/76571"><img src="/img/1.jpg" alt=""></a>
  <h3><a href="/events/president/news/76571">Совещание с членами Правительства</a></h3>
</div>
<div class="hentry"><a href="/events/president/news/76570" title="Телефонный разговор"></a></div>
<div class="hentry"><span>no link here</span></div>
<footer>
  <a href="https://other.example/events/president/news/12345">Elsewhere</a>
  <a href="mailto:press@example.org">Mail</a> <a href="javascript:void(0)">JS</a>
  <a href="/events/president/news/76574/photos">Фото</a>
  <a href="/docs/file-12345.pdf">PDF</a>
</footer>
</body></html>"""


def _urls(entries: tuple[Entry, ...]) -> list[str]:
    return [e.url for e in entries]


def test_heuristic_keeps_article_links_only() -> None:
    entries = parse_listing(PAGE, LISTING_URL)
    assert [(e.url, e.title) for e in entries] == [
        ("http://kremlin.ru/events/president/news/76574", "Встреча с Президентом Белоруссии"),
        # The image link came first without text; the heading link gave the title.
        ("http://kremlin.ru/events/president/news/76571", "Совещание с членами Правительства"),
        ("http://kremlin.ru/events/president/news/76570", "Телефонный разговор"),
    ]


def test_selector_of_links() -> None:
    entries = parse_listing(PAGE, LISTING_URL, selector=".hentry h3 a")
    assert _urls(entries) == [
        "http://kremlin.ru/events/president/news/76574",
        "http://kremlin.ru/events/president/news/76571",
    ]


def test_selector_of_containers_takes_first_link() -> None:
    entries = parse_listing(PAGE, LISTING_URL, selector="div.hentry")
    assert _urls(entries) == [
        "http://kremlin.ru/events/president/news/76574",
        "http://kremlin.ru/events/president/news/76571",
        "http://kremlin.ru/events/president/news/76570",
    ]
    # The container's text stands in when its first link has none (an image link).
    assert entries[1].title.startswith("Совещание с членами Правительства")


def test_url_pattern_alone_and_with_selector() -> None:
    pattern = r"/news/\d{5}$"
    assert _urls(parse_listing(PAGE, LISTING_URL, url_pattern=pattern)) == [
        "http://kremlin.ru/events/president/news/76574",
        "http://kremlin.ru/events/president/news/76571",
        "http://kremlin.ru/events/president/news/76570",
        "https://other.example/events/president/news/12345",
    ]
    both = parse_listing(PAGE, LISTING_URL, selector="h3 a", url_pattern=r"76571")
    assert _urls(both) == ["http://kremlin.ru/events/president/news/76571"]


def test_base_element_and_encoding_declaration() -> None:
    page = """<?xml version="1.0" encoding="windows-1251"?>
<html><head><base href="https://mid.ru/ru/foreign_policy/"></head>
<body><a href="news/1987654/">Заявление</a></body></html>"""
    entries = parse_listing(page, "https://mid.ru/ru/foreign_policy/news/", url_pattern=r"/news/\d+/$")
    assert [(e.url, e.title) for e in entries] == [
        ("https://mid.ru/ru/foreign_policy/news/1987654/", "Заявление")
    ]


@pytest.mark.parametrize("html", ["", "   ", "\x00\x01", "<", "<html>", "not html at all"])
def test_junk_pages_give_no_links(html: str) -> None:
    assert parse_listing(html, LISTING_URL) == ()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://kremlin.ru/events/president/news/76574", True),
        ("https://www.kremlin.ru/events/president/news/76574", True),  # www. and scheme do not matter
        ("http://kremlin.ru/events/president/news/putin-meets-the-president-of-belarus", True),
        ("http://kremlin.ru/events/president/news/short-slug", False),
        ("http://kremlin.ru/events/president/news/2024", False),  # a year archive
        ("http://kremlin.ru/events/president/news", False),  # the listing itself
        ("http://kremlin.ru/events/president/news/page/3", False),
        ("http://kremlin.ru/events/president/news?page=3", False),
        ("http://kremlin.ru/events/president/news/category/12345", False),
        ("http://kremlin.ru/about", False),
        ("http://kremlin.ru/news.php?id=12345", True),
        ("http://kremlin.ru/list.php?PAGEN_1=2&ID=5", False),
        ("http://other.example/events/president/news/76574", False),
        ("http://kremlin.ru/events/president/news/76574/photo.jpg", False),
    ],
)
def test_looks_like_article(url: str, expected: bool) -> None:
    assert looks_like_article(url, LISTING_URL) is expected


@pytest.mark.parametrize("selector", ["div[", "a::text", "!!", "a:nth-child(x)"])
def test_bad_selector_is_a_one_line_source_error(selector: str) -> None:
    with pytest.raises(SourceError, match="selector") as info:
        parse_listing(PAGE, LISTING_URL, selector=selector)
    assert repr(selector) in str(info.value)
    assert "\n" not in str(info.value)
    with pytest.raises(SourceError):
        compile_selector(selector)


def test_bad_url_pattern_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="url_pattern"):
        parse_listing(PAGE, LISTING_URL, url_pattern="news/(")
