"""osiwire sources check: a dry run per source over the loopback site, one case per failure kind; nothing stored."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from osiwire.cli import cli
from osiwire.collect.check import STATUSES, SourceCheck, check_line, check_sources
from osiwire.config import Settings, load_settings
from osiwire.model import Source, SourceKind
from osiwire.pipeline import Pipeline
from osiwire.store import Store
from site_server import Page, Site, SiteServer, article_page, load_releases, rss_feed

N = 6


@pytest.fixture
def releases(shared_data: Path) -> list[dict[str, object]]:
    return load_releases(shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl")[:N]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        tmp_path,
        environ={},
        fetch={"allow_private_addresses": True, "per_host_interval_s": 0, "retries": 0, "backoff_s": 0.01},
    )


def _site(site: Site, releases: list[dict[str, object]], *, descriptions: bool = True) -> list[str]:
    urls = []
    for i, record in enumerate(releases):
        path = f"/events/president/news/{76000 + i}"
        urls.append(site.base + path)
        site.pages[path] = Page(article_page(record, site.base + path))  # type: ignore[arg-type]
    feed = rss_feed(list(zip(urls, releases, strict=True)), site.base)
    if not descriptions:
        feed = feed.replace(b"<description>", b"<!--").replace(b"</description>", b"-->")
    site.pages["/feed"] = Page(feed, "application/rss+xml")
    links = "".join(
        f'<li><a class="news" href="{u}">{r["title"]}</a></li>' for u, r in zip(urls, releases, strict=True)
    )
    site.pages["/news"] = Page(f"<html><body><ul>{links}</ul></body></html>".encode())
    return urls


def _check(settings: Settings, *sources: Source) -> list[SourceCheck]:
    with Store(settings.database) as store:
        return check_sources(settings, store, list(sources))


def _rss(site: Site, path: str = "/feed", name: str = "Feed") -> Source:
    return Source(name=name, url=site.base + path, kind=SourceKind.RSS, language="ru")


def _html(site: Site, selector: str = "a.news", url_pattern: str = "") -> Source:
    return Source(
        name="Listing",
        url=site.base + "/news",
        kind=SourceKind.HTML,
        selector=selector,
        url_pattern=url_pattern,
    )


def test_ok_feed_counts_new_entries_and_stores_nothing(
    settings: Settings, releases: list[dict[str, object]]
) -> None:
    with SiteServer(Site()) as site:
        urls = _site(site, releases)
        (check,) = _check(settings, _rss(site))
        assert check.ok and check.status == "ok" and check.detail == ""
        assert (check.entries, check.new) == (N, N)
        assert check.page_url in urls and check.page_paragraphs >= 2 and check.page_letters > 500
        assert check.seconds >= check.listing_s + check.page_s > 0
        # Nothing stored: no release, no source, no validators (the next check fetches the feed whole again).
        with Store(settings.database) as store:
            assert store.releases.count() == 0 and store.sources.list_all() == []
            assert store.sources.validators(site.base + "/feed") == (None, None)
        # After a real pass over half the feed, half is new.
        with Store(settings.database) as store:
            store.sources.add(_rss(site))
            half = _rss(site, "/half", "Half")
            site.pages["/half"] = Page(
                rss_feed(list(zip(urls[: N // 2], releases[: N // 2], strict=True)), site.base),
                "application/rss+xml",
            )
            store.sources.add(half)
            pipeline = Pipeline(settings, store)
            pipeline.fetch("Half")
            pipeline.close()
        (again,) = _check(settings, _rss(site))
        assert (again.entries, again.new) == (N, N - N // 2)
        assert site.not_modified["/feed"] == 0


def test_ok_listing_page(settings: Settings, releases: list[dict[str, object]]) -> None:
    with SiteServer(Site()) as site:
        urls = _site(site, releases)
        (check,) = _check(settings, _html(site))
        assert check.ok and (check.entries, check.new) == (N, N)
        assert check.page_url == urls[0]  # no dates on a listing: its first link


def test_http_status_of_the_listing(settings: Settings) -> None:
    with SiteServer(Site()) as site:
        (check,) = _check(settings, _rss(site, "/gone.rss"))
    assert (check.status, check.http_status, check.ok) == ("http_error", 404, False)
    assert check.detail == f"listing: {site.base}/gone.rss: HTTP 404"


def test_http_status_of_the_page_without_feed_text(
    settings: Settings, releases: list[dict[str, object]]
) -> None:
    with SiteServer(Site()) as site:
        urls = _site(site, releases, descriptions=False)
        for url in urls:
            site.pages[url.removeprefix(site.base)] = Page(b"server error", "text/plain", 500)
        (check,) = _check(settings, _rss(site))
    assert (check.status, check.http_status) == ("http_error", 500)
    assert check.detail.startswith("page: ") and (check.entries, check.new) == (N, N)


def test_a_failing_page_with_feed_text_is_ok_and_says_so(
    settings: Settings, releases: list[dict[str, object]]
) -> None:
    with SiteServer(Site()) as site:
        urls = _site(site, releases)
        for url in urls:
            del site.pages[url.removeprefix(site.base)]
        (check,) = _check(settings, _rss(site))
    assert check.ok
    assert "HTTP 404" in check.detail and "the feed's own text" in check.detail


@pytest.mark.parametrize("blocked", ["/feed", "/events/"])
def test_robots_refusal(settings: Settings, releases: list[dict[str, object]], blocked: str) -> None:
    with SiteServer(Site()) as site:
        _site(site, releases, descriptions=False)
        site.pages["/robots.txt"] = Page(f"User-agent: *\nDisallow: {blocked}\n".encode(), "text/plain")
        (check,) = _check(settings, _rss(site))
    assert check.status == "robots_refused"
    assert "disallowed by robots.txt" in check.detail
    assert check.detail.startswith("listing: " if blocked == "/feed" else "page: ")


def test_parse_error(settings: Settings) -> None:
    with SiteServer(Site()) as site:
        site.pages["/feed"] = Page(b"<html><body>Maintenance</body></html>")
        (check,) = _check(settings, _rss(site))
    assert check.status == "parse_error" and "not a feed" in check.detail


@pytest.mark.parametrize(
    ("selector", "url_pattern", "reason"),
    [
        ("a.headline", "", "selector 'a.headline' matched no article links"),
        ("", r"/articles/\d+$", r"url_pattern '/articles/\\d+$' matched no links"),
        ("a.news", "/nowhere/", "selector 'a.news' matched no article links (with url_pattern '/nowhere/')"),
    ],
)
def test_selector_or_url_pattern_matching_nothing(
    settings: Settings, releases: list[dict[str, object]], selector: str, url_pattern: str, reason: str
) -> None:
    with SiteServer(Site()) as site:
        _site(site, releases)
        (check,) = _check(settings, _html(site, selector, url_pattern))
    assert (check.status, check.entries) == ("nothing_matched", 0)
    assert check.detail == f"listing: {reason}"


def test_sitemap_url_pattern_matching_nothing(settings: Settings, releases: list[dict[str, object]]) -> None:
    with SiteServer(Site()) as site:
        urls = _site(site, releases)
        locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
        site.pages["/sitemap.xml"] = Page(
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode(),
            "application/xml",
        )
        sitemap = Source(name="Map", url=site.base + "/sitemap.xml", kind=SourceKind.SITEMAP)
        ok, nothing = _check(
            settings,
            sitemap,
            Source(name="Map2", url=sitemap.url, kind=SourceKind.SITEMAP, url_pattern="/en/"),
        )
    assert ok.ok and ok.entries == N
    assert nothing.status == "nothing_matched" and "url_pattern '/en/'" in nothing.detail


def test_extraction_empty(settings: Settings, releases: list[dict[str, object]]) -> None:
    with SiteServer(Site()) as site:
        urls = _site(site, releases, descriptions=False)
        for url in urls:
            site.pages[url.removeprefix(site.base)] = Page(
                b"<html><body><form>Please enable cookies.</form></body></html>"
            )
        (check,) = _check(settings, _rss(site))
    assert check.status == "extraction_empty" and check.detail.startswith("page: ")


def test_invalid_selector_is_a_source_error(settings: Settings, releases: list[dict[str, object]]) -> None:
    with SiteServer(Site()) as site:
        _site(site, releases)
        (check,) = _check(settings, _html(site, "a[href"))
    assert check.status == "source_error" and "not a valid CSS selector" in check.detail


def test_network_failure(settings: Settings) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (check,) = _check(settings, Source(name="Down", url=f"http://127.0.0.1:{port}/feed", kind=SourceKind.RSS))
    assert check.status == "fetch_error" and check.detail.startswith("listing: ")


def test_file_sources(settings: Settings, tmp_path: Path, shared_data: Path) -> None:
    archive = shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl"
    good = Source(name="Archive", url=str(archive), kind=SourceKind.FILE, language="ru")
    missing = Source(name="Missing", url=str(tmp_path / "nothing.jsonl"), kind=SourceKind.FILE)
    ok, gone = _check(settings, good, missing)
    assert ok.ok and (ok.entries, ok.new) == (125, 125)
    assert gone.status == "parse_error" and "no such file" in gone.detail


def test_every_status_is_described() -> None:
    assert set(STATUSES) == {
        "ok",
        "http_error",
        "robots_refused",
        "fetch_error",
        "parse_error",
        "nothing_matched",
        "extraction_empty",
        "source_error",
    }


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli(tmp_path: Path, releases: list[dict[str, object]]) -> None:
    (tmp_path / "osiwire.toml").write_text(
        "[fetch]\nallow_private_addresses = true\nper_host_interval_s = 0\nretries = 0\n", encoding="utf-8"
    )
    with SiteServer(Site()) as site:
        _site(site, releases)
        with Store(f"sqlite:///{tmp_path / 'osiwire.db'}") as store:
            store.sources.add(_rss(site, name="Good"))
            store.sources.add(_rss(site, "/gone.rss", name="Gone"))
        code, out, err = run(tmp_path, "sources", "check", "--json")
        assert code == 3 and err.strip() == "1 of 2 source(s) ok"
        rows = {r["source"]: r for r in json.loads(out)}
        assert rows["Good"]["ok"] and rows["Good"]["status"] == "ok" and rows["Good"]["new"] == N
        assert rows["Gone"]["status"] == "http_error" and rows["Gone"]["http_status"] == 404
        code, out, err = run(tmp_path, "sources", "check", "Good")
        assert code == 0 and out.startswith("ok               Good (rss): 6 entries, 6 new; page ")
        code, _, err = run(tmp_path, "sources", "check", "Nope")
        assert code == 1 and "Nope" in err
        with Store(f"sqlite:///{tmp_path / 'osiwire.db'}") as store:
            assert store.releases.count() == 0
            assert all(
                h.error_count == 0 and h.last_checked_at is None for h in store.sources.all_health().values()
            )
    assert check_line(SourceCheck("S", "rss", "u", "parse_error", "bad")).startswith(
        "parse_error      S (rss)"
    )
