"""Stories in Chromium: Top stories, a story page, "+N sources" expanding, a volume chart, who publishes first."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from browser_site import Site, Watched, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def test_top_stories_lead_to_a_story_with_its_first_publisher(page: Any, site: Site) -> None:
    page.goto("/stories")
    assert page.locator("h1").first.inner_text() == "Top stories"
    stories = page.locator("li.story")
    assert stories.count() > 0
    two = stories.filter(has_text="2 sources").first  # a kremlin release and the wire's copy
    assert "first: kremlin.ru" in two.inner_text()
    screenshot(page, "stories")
    two.locator("h2 a").click()
    page.wait_for_url(re.compile(r"/stories/\d+$"))
    first = page.locator("table.timeline tr.first")
    assert first.count() == 1 and "kremlin.ru" in first.inner_text()
    rows = page.locator("table.timeline tbody tr")
    assert rows.count() == 2
    assert "copy of" in rows.nth(1).inner_text()
    assert page.locator('head link[type="application/atom+xml"]').count() == 1
    screenshot(page, "story")


def test_copies_are_one_hit_that_expands(watched: Watched, site: Site) -> None:
    page = watched.page
    page.goto("/search?source=kremlin.ru")
    copies = page.locator("details.copies")
    assert copies.count() == len(site.copied_ids)
    first = copies.first
    summary = first.locator("summary")
    assert summary.inner_text().startswith("+1 source")
    link = first.locator("ul a[href^='/releases/']").first
    assert not link.is_visible()  # collapsed until asked for
    summary.click()
    assert link.is_visible()
    assert "Wire copies" in first.locator("ul").inner_text()
    screenshot(page, "copies")
    # no hit of the wire's copies stands alone beside its original
    hits = page.locator(".hit .meta")
    assert all("Wire copies" not in text for text in hits.all_inner_texts())
    assert watched.errors == [] and watched.dialogs == []


def _kremlin_topic(page: Any, site: Site) -> str:
    """A topic of several kremlin.ru releases and of no release of the other sources (their dates are today's)."""
    page.goto("/search?source=kremlin.ru")
    hrefs = [a.get_attribute("href") or "" for a in page.locator('.facet a[href*="topic="]').all()]
    for href in hrefs:
        found = re.search(r"topic=([^&]+)", href)
        if found is None:
            continue
        topic = found.group(1)
        every = httpx.get(site.url("/api/v1/releases"), params={"topic": topic}).json()["total"]
        kremlin = httpx.get(site.url("/api/v1/releases"), params={"topic": topic, "source": "kremlin.ru"})
        if every == kremlin.json()["total"] >= 3:
            return topic
    raise AssertionError(f"no topic of kremlin.ru releases alone among {hrefs}")


def test_a_topic_page_charts_its_volume(page: Any, site: Site) -> None:
    page.goto(f"/topics/{_kremlin_topic(page, site)}")
    chart = page.locator("svg.chart")
    assert chart.count() == 1
    assert chart.get_attribute("role") == "img"
    label = chart.get_attribute("aria-label") or ""
    assert label.startswith("Releases per day about ")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 50
    bars = page.locator("svg.chart rect.bar")
    assert bars.count() == 30
    assert page.locator("svg.chart rect.bar title").first.text_content()
    assert any(int(t.split(": ")[1].split()[0]) > 0 for t in bars.locator("title").all_text_contents())
    screenshot(page, "topic-chart")
    # the table says the same without the picture
    table = page.locator("details.chart-table")
    table.locator("summary").click()
    assert table.locator("tbody tr").count() == 30


def test_the_sources_page_shows_who_publishes_first(page: Any, site: Site) -> None:
    page.goto("/sources")
    table = page.locator("table.firsts")
    assert table.count() == 1
    rows = table.locator("tbody tr")
    assert rows.count() >= 2
    assert rows.first.locator("th").inner_text() == "kremlin.ru"
    assert table.locator("svg.share-bar").count() == rows.count()
    box = page.locator("section.firsts").bounding_box()
    assert box is not None
    screenshot(page, "sources-firsts", top=max(0.0, box["y"] - 16))
