"""The whole pipeline over a real loopback website: feed → pages → extract → store, and again."""

from __future__ import annotations

from pathlib import Path

import pytest

from osiwire.collect.listing import parse_listing
from osiwire.config import Settings, load_settings
from osiwire.model import Source, SourceKind
from osiwire.pipeline import Pipeline
from osiwire.store import Store
from pg import searchable
from site_server import Page, Site, SiteServer, article_page, load_releases, rss_feed

N = 12


@pytest.fixture
def releases(shared_data: Path) -> list[dict[str, object]]:
    return load_releases(shared_data / "press" / "kremlin-ru" / "releases-2025-02-03.jsonl")[:N]


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    return load_settings(
        tmp_path,
        environ={},
        database_url=store_url,
        fetch={"allow_private_addresses": True, "per_host_interval_s": 0, "retries": 0, "backoff_s": 0.01},
    )


def _site(site: Site, releases: list[dict[str, object]]) -> list[str]:
    urls = []
    for i, record in enumerate(releases):
        path = f"/events/president/news/{76000 + i}"
        urls.append(site.base + path)
        site.pages[path] = Page(article_page(record, site.base + path))  # type: ignore[arg-type]
    site.pages["/feed"] = Page(
        rss_feed(list(zip(urls, releases, strict=True)), site.base), "application/rss+xml"
    )  # type: ignore[arg-type]
    links = "".join(
        f'<li><a class="news" href="{u}">{r["title"]}</a></li>' for u, r in zip(urls, releases, strict=True)
    )
    site.pages["/news"] = Page(
        f"<html><body><nav><a href='/'>Home</a></nav><ul>{links}</ul></body></html>".encode()
    )
    return urls


def test_feed_pass_then_conditional_pass(
    settings: Settings, releases: list[dict[str, object]], tmp_path: Path
) -> None:
    with SiteServer(Site()) as site, Store(settings.database) as store:
        searchable(store, tmp_path)
        urls = _site(site, releases)
        source = store.sources.add(
            Source(name="Kremlin", url=site.base + "/feed", kind=SourceKind.RSS, language="ru")
        )
        pipeline = Pipeline(settings, store)
        try:
            (report,) = pipeline.fetch()
            assert (report.entries, report.new, report.failed) == (N, N, 0), report.item_errors
            hit = store.search("Москва").hits
            assert hit and all(h.source == "Kremlin" for h in hit)
            release = store.releases.get(urls[0])
            assert release.current.published is not None and release.current.published.hour == 14  # 17:00 MSK
            assert release.current.language == "ru"
            assert len(release.current.segments) > 2
            assert "Главная" not in release.current.segments[1].text  # navigation is not the article
            assert store.sources.health("Kremlin").error_count == 0
            assert store.sources.due(store.sources.health("Kremlin").next_check_at) == [source]  # type: ignore[arg-type]

            (again,) = pipeline.fetch("Kremlin")  # due or not
            assert again.not_modified and site.not_modified["/feed"] == 1
            assert all(site.hits[u.removeprefix(site.base)] == 1 for u in urls)  # no page fetched twice
        finally:
            pipeline.close()


def test_new_entries_only_are_fetched(settings: Settings, releases: list[dict[str, object]]) -> None:
    with SiteServer(Site()) as site, Store(settings.database) as store:
        urls = _site(site, releases[: N // 2])
        store.sources.add(Source(name="Kremlin", url=site.base + "/feed", kind=SourceKind.RSS, language="ru"))
        pipeline = Pipeline(settings, store)
        pipeline.fetch()
        urls = _site(site, releases)  # the feed grows
        (report,) = pipeline.fetch("Kremlin")
        pipeline.close()
        assert (report.new, report.known) == (N - N // 2, N // 2)
        assert all(site.hits[u.removeprefix(site.base)] == 1 for u in urls)
        assert store.releases.count() == N


def test_listing_page_source(settings: Settings, releases: list[dict[str, object]]) -> None:
    with SiteServer(Site()) as site, Store(settings.database) as store:
        _site(site, releases)
        store.sources.add(
            Source(
                name="News", url=site.base + "/news", kind=SourceKind.HTML, selector="a.news", language="ru"
            )
        )
        pipeline = Pipeline(settings, store)
        (report,) = pipeline.fetch()
        pipeline.close()
        assert report.new == N
        assert parse_listing(site.pages["/news"].body.decode(), site.base, "a.news")


def test_broken_page_falls_back_to_feed_text_and_dead_feed_is_counted(
    settings: Settings, releases: list[dict[str, object]]
) -> None:
    with SiteServer(Site()) as site, Store(settings.database) as store:
        urls = _site(site, releases)
        del site.pages[urls[0].removeprefix(site.base)]  # 404: the feed's description stands in
        store.sources.add(Source(name="Kremlin", url=site.base + "/feed", kind=SourceKind.RSS, language="ru"))
        store.sources.add(Source(name="Dead", url=site.base + "/gone.rss", kind=SourceKind.RSS))
        pipeline = Pipeline(settings, store)
        reports = {r.source: r for r in pipeline.fetch()}
        pipeline.close()
        assert reports["Kremlin"].new == N and reports["Kremlin"].failed == 0
        assert len(store.releases.get(urls[0]).current.segments) >= 2
        assert "HTTP 404" in reports["Dead"].error
        health = store.sources.health("Dead")
        assert health.error_count == 1 and "HTTP 404" in health.last_error


def test_not_a_feed_is_a_source_error(settings: Settings) -> None:
    with SiteServer(Site()) as site, Store(settings.database) as store:
        site.pages["/feed"] = Page(b"<html><body>Maintenance</body></html>")
        store.sources.add(Source(name="X", url=site.base + "/feed", kind=SourceKind.RSS))
        pipeline = Pipeline(settings, store)
        (report,) = pipeline.fetch()
        pipeline.close()
        assert "not a feed" in report.error
        assert store.sources.health("X").error_count == 1


def test_private_addresses_refused_by_default(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={}, fetch={"retries": 0})
    with SiteServer(Site()) as site, Store(settings.database) as store:
        site.pages["/feed"] = Page(b"<rss version='2.0'><channel><title>t</title></channel></rss>")
        store.sources.add(Source(name="X", url=site.base + "/feed", kind=SourceKind.RSS))
        pipeline = Pipeline(settings, store)
        (report,) = pipeline.fetch()
        pipeline.close()
        assert report.error and site.hits["/feed"] == 0
