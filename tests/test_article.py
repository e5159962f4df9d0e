"""The extract stage on inline pages, hostile HTML and real archived kremlin.ru text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from osiwire.config import ExtractConfig
from osiwire.errors import ExtractError
from osiwire.extract.article import content_hash, extract_article
from osiwire.extract.language import LanguageDetector, get_detector
from osiwire.extract.segments import GROUP_TARGET_CHARS
from osiwire.model import Article, RawDocument

FETCHED_AT = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
URL = "https://www.kremlin.ru/events/president/news/76388?utm_source=rss"
RU = [
    "Владимир Путин провёл в Кремле встречу с Председателем Правительства Михаилом Мишустиным. "
    "Обсуждались итоги работы Правительства за прошедший год и планы на ближайшую перспективу.",
    "Особое внимание было уделено поддержке семей с детьми, развитию транспортной инфраструктуры "
    "и строительству новых школ и больниц в регионах Российской Федерации.",
    "Председатель Правительства доложил о ходе реализации национальных проектов и о мерах по "
    "снижению инфляции, которые принимаются совместно с Центральным банком.",
]
EN = (
    "The meeting was also attended by foreign journalists, who asked about the economic cooperation "
    "between the two countries and the schedule of the upcoming international summit."
)


def page(head: str = "", body: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in [*RU[:2], EN, RU[2]])
    return f"""<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">
<title>Встреча с Михаилом Мишустиным • Президент России</title>
<meta property="og:title" content="Встреча с Михаилом Мишустиным">
<meta name="author" content="Пресс-служба Президента">
{head}
</head><body>
<nav><ul><li><a href="/">Главная</a></li><li><a href="/events">События</a></li></ul></nav>
<article><h1>Встреча с Михаилом Мишустиным</h1>
<div class="text">{paragraphs}{body}</div></article>
<footer>Все материалы сайта доступны по лицензии Creative Commons Attribution 4.0</footer>
</body></html>"""


def extract(doc: RawDocument, detector: LanguageDetector | None = None) -> Article:
    return extract_article(doc, ExtractConfig(), detector or get_detector())


def html_doc(html: str, **hints: object) -> RawDocument:
    return RawDocument(url=URL, fetched_at=FETCHED_AT, html=html, **hints)  # type: ignore[arg-type]


CANONICAL = '<link rel="canonical" href="https://www.kremlin.ru/events/president/news/76388">'
PUBLISHED = '<meta property="article:published_time" content="2025-03-31T17:00:00+03:00">'


def test_html_page_metadata_and_segments() -> None:
    article = extract(html_doc(page(CANONICAL + PUBLISHED), language_hint="ru"))
    assert article.url == "https://www.kremlin.ru/events/president/news/76388"
    assert article.original_url == URL
    assert article.title == "Встреча с Михаилом Мишустиным"
    assert article.author == "Пресс-служба Президента"
    assert article.published == datetime(2025, 3, 31, 14, 0, tzinfo=UTC)
    assert article.language == "ru"
    assert article.fetched_at == FETCHED_AT
    title, *paragraphs = article.segments
    assert (title.position, title.kind, title.language) == (0, "title", "ru")
    assert [s.position for s in paragraphs] == list(range(1, len(paragraphs) + 1))
    assert {s.kind for s in paragraphs} == {"paragraph"}
    texts = [s.text for s in paragraphs]
    for paragraph in [*RU, EN]:
        assert paragraph in texts
    languages = {s.text: s.language for s in paragraphs}
    assert languages[EN] == "en"
    assert all(languages[p] == "ru" for p in RU)
    assert "Главная" not in article.body
    assert "Creative Commons" not in article.body


@pytest.mark.parametrize(
    "canonical",
    [
        '<link rel="canonical" href="https://evil.example.com/events/president/news/76388">',
        '<link rel="canonical" href="javascript:alert(1)">',
        '<link rel="canonical" href="ftp://www.kremlin.ru/x">',
        '<meta property="og:url" content="https://kremlin.ru.evil.example/x">',
        '<link rel="canonical" href="http://[::1">',  # urllib cannot split it: ValueError ended analyze
        '<meta property="og:url" content="https://[www.kremlin.ru/events">',
    ],
)
def test_foreign_or_odd_canonical_is_ignored(canonical: str) -> None:
    article = extract(html_doc(page(canonical)))
    assert (
        article.url == "https://www.kremlin.ru/events/president/news/76388"
    )  # the fetched URL, canonicalised


def test_relative_canonical_and_og_url_on_the_same_site() -> None:
    assert (
        extract(html_doc(page('<link rel="canonical" href="/events/1">'))).url
        == "https://www.kremlin.ru/events/1"
    )
    og = '<meta property="og:url" content="http://en.kremlin.ru/events/2">'
    assert extract(html_doc(page(og))).url == "http://en.kremlin.ru/events/2"


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # itemprop, JSON-LD and <time> carry the time of day htmldate drops
        (
            '<meta itemprop="datePublished" content="2025-03-31T17:00:00Z">',
            "",
            datetime(2025, 3, 31, 17, 0, tzinfo=UTC),
        ),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",'
            ' "datePublished": "2025-03-31T08:30:00+05:00"}]}</script>',
            "",
            datetime(2025, 3, 31, 3, 30, tzinfo=UTC),
        ),
        (
            "",
            '<time datetime="2025-03-31T17:00+03:00">31 марта 2025, 17:00</time>',
            datetime(2025, 3, 31, 14, 0, tzinfo=UTC),
        ),
        # a date without a time of day: midnight UTC of that date
        (
            '<meta property="article:published_time" content="2025-03-31">',
            "",
            datetime(2025, 3, 31, tzinfo=UTC),
        ),
        # no zone on the page: read as UTC
        (
            '<meta property="article:published_time" content="2025-03-31 17:00">',
            "",
            datetime(2025, 3, 31, 17, tzinfo=UTC),
        ),
        ('<script type="application/ld+json">{not json</script>', "", None),
        ('<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>", "", None),
        ('<meta property="article:published_time" content="0001-01-01T00:00:00+03:00">', "", None),
        ('<meta property="article:published_time" content="yesterday, 17:00">', "", None),
    ],
)
def test_page_publication_time(head: str, body: str, expected: datetime | None) -> None:
    assert extract(html_doc(page(head, body))).published == expected


def test_feed_time_beats_page_date_without_time() -> None:
    feed_time = datetime(2025, 3, 31, 17, 0, tzinfo=timezone(timedelta(hours=3)))
    date_only = '<meta property="article:published_time" content="2025-03-31">'
    article = extract(html_doc(page(date_only), published=feed_time))
    assert article.published == datetime(2025, 3, 31, 14, 0, tzinfo=UTC)
    assert article.published is not None and article.published.tzinfo is UTC


def test_page_time_beats_feed_time() -> None:
    feed_time = datetime(2025, 3, 31, 18, 5, tzinfo=UTC)
    article = extract(html_doc(page(PUBLISHED), published=feed_time))
    assert article.published == datetime(2025, 3, 31, 14, 0, tzinfo=UTC)


def test_feed_hints_fill_what_the_page_lacks() -> None:
    bare = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in RU) + "</article></body></html>"
    feed_time = datetime(2025, 3, 31, 17, 0)  # naive: read as UTC
    article = extract(html_doc(bare, title="Встреча с Мишустиным", author="ТАСС", published=feed_time))
    assert article.title == "Встреча с Мишустиным"
    assert article.author == "ТАСС"
    assert article.published == datetime(2025, 3, 31, 17, 0, tzinfo=UTC)


HOSTILE = """
<script>alert('pwned'); document.cookie</script>
<style>p { background: url(javascript:alert(2)) }</style>
<p onclick="steal()" onmouseover="steal()">Текст абзаца с обработчиком события, который должен остаться без атрибутов.</p>
<img src=x onerror="alert(3)">
<iframe src="javascript:alert(4)"></iframe>
<noscript><p>Включите JavaScript</p></noscript>
<p>&lt;script&gt;это текст, а не код&lt;/script&gt;</p>
"""


def test_hostile_html_leaves_only_text() -> None:
    article = extract(html_doc(page(body=HOSTILE)))
    text = "\n".join(s.text for s in article.segments)
    for bad in ("alert", "pwned", "cookie", "steal", "onclick", "onerror", "background", "iframe"):
        assert bad not in text
    assert "Текст абзаца с обработчиком события" in text
    assert "<script>это текст, а не код</script>" in text  # escaped text stays text, as text


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        "<html><head><title>Пусто</title></head><body></body></html>",
        "<html><head><style>p {}</style></head><body><script>var x = '<p>текст</p>';</script></body></html>",
    ],
)
def test_page_without_text_raises(html: str) -> None:
    with pytest.raises(ExtractError) as info:
        extract(html_doc(html))
    message = str(info.value)
    assert message == f"{URL}: no main text found"
    assert "\n" not in message


def test_document_without_html_or_text_raises() -> None:
    with pytest.raises(ExtractError, match="no main text found"):
        extract(RawDocument(url=URL, fetched_at=FETCHED_AT, text="   "))


def _kremlin_release(shared_data: Path, index: int = 0) -> dict[str, str]:
    path = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    line = path.read_text(encoding="utf-8").splitlines()[index]
    release: dict[str, str] = json.loads(line)
    return release


def test_text_document_from_kremlin_archive(shared_data: Path) -> None:
    release = _kremlin_release(shared_data)
    published = datetime(2025, 3, 31, 17, 0, tzinfo=timezone(timedelta(hours=3)))
    doc = RawDocument(
        url=release["url"],
        fetched_at=FETCHED_AT,
        text=release["text"],
        title=release["title"],
        published=published,
    )
    article = extract(doc)
    assert article.url == release["url"]
    assert article.original_url == ""
    assert article.title == release["title"]
    assert article.published == datetime(2025, 3, 31, 14, 0, tzinfo=UTC)
    assert article.language == "ru"
    title, *paragraphs = article.segments
    assert title.kind == "title" and title.text == release["title"] and title.language == "ru"
    assert len(paragraphs) >= 2
    assert all(s.language == "ru" for s in paragraphs)
    assert all(len(s.text) <= GROUP_TARGET_CHARS for s in paragraphs)
    assert article.body.split() == release["text"].split()


def test_all_kremlin_releases_are_russian(shared_data: Path) -> None:
    path = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        release = json.loads(line)
        doc = RawDocument(
            url=release["url"], fetched_at=FETCHED_AT, text=release["text"], title=release["title"]
        )
        article = extract(doc)
        assert article.language == "ru"
        assert {s.language for s in article.segments} == {"ru"}, release["url"]


def test_short_paragraphs_take_the_article_language() -> None:
    text = "\n".join([RU[0], "12:00", "E-mail: accredit@may9.ru", "Да.", "x", RU[1]])
    article = extract(RawDocument(url=URL, fetched_at=FETCHED_AT, text=text, title="Итоги"))
    paragraphs = [s.text for s in article.segments[1:]]
    assert "x" not in paragraphs  # shorter than min_paragraph_chars
    assert {s.language for s in article.segments} == {"ru"}
    assert article.segments[0].language == "ru"  # a short title takes the body's language


def test_long_title_gets_its_own_language() -> None:
    title = "President Putin held a meeting with Prime Minister Mikhail Mishustin in the Kremlin"
    article = extract(RawDocument(url=URL, fetched_at=FETCHED_AT, text="\n".join(RU), title=title))
    assert article.language == "ru"
    assert article.segments[0].language == "en"


def test_language_hint_when_detection_cannot_decide() -> None:
    doc = RawDocument(
        url=URL, fetched_at=FETCHED_AT, text="12:00\n13:30 – 14:00", title="", language_hint="ky"
    )
    article = extract(doc)
    assert article.language == "ky"
    assert {s.language for s in article.segments} == {"ky"}


def test_content_hash_ignores_case_spacing_and_yo() -> None:
    base = content_hash("Встреча с Михаилом Мишустиным", "Путин провёл встречу.\nОбсуждались итоги.")
    same = [
        content_hash("  ВСТРЕЧА с  Михаилом Мишустиным ", "Путин провел встречу. Обсуждались итоги."),
        content_hash(
            "Встреча с Михаилом Мишустиным", "Путин\u00a0провёл встречу.\n\n  Обсуждались\tитоги.  "
        ),
        content_hash("встреча с михаилом мишустиным", "путин провЁл встречу.\nобсуждались итоги."),
    ]
    assert all(h == base for h in same)
    assert content_hash("Встреча с Михаилом Мишустиным", "Путин провёл встречу.\nОбсуждались планы.") != base
    assert content_hash("Встреча с Мишустиным", "Путин провёл встречу.\nОбсуждались итоги.") != base
    assert len(base) == 64 and int(base, 16) >= 0


def test_article_hash_is_stable_across_whitespace_edits(shared_data: Path) -> None:
    release = _kremlin_release(shared_data, 1)
    edited = release["text"].replace(" ", "  ").replace("ё", "е").upper()
    hashes = {
        extract(
            RawDocument(url=release["url"], fetched_at=FETCHED_AT, text=t, title=release["title"])
        ).content_hash
        for t in (release["text"], edited)
    }
    assert len(hashes) == 1
    changed = release["text"].replace("Президент", "Премьер", 1)
    assert changed != release["text"]
    doc = RawDocument(url=release["url"], fetched_at=FETCHED_AT, text=changed, title=release["title"])
    assert extract(doc).content_hash not in hashes


def test_a_document_url_urllib_cannot_split_is_kept_as_its_key() -> None:
    # `analyze --jsonl` takes a document's "url" from its line: an unclosed IPv6 literal raised ValueError
    doc = RawDocument(url="http://[::1", fetched_at=FETCHED_AT, html=page(CANONICAL))
    assert extract(doc).url == "http://[::1"
