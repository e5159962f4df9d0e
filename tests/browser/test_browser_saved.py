"""Saved searches in Chromium: sign in, save a search, rename and delete it, all through htmx without a page
load; and pagination swapping the results alone while the address bar keeps the stable URL."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlencode, urlparse

import pytest
from browser_site import API_TOKEN, Site, Watched, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

SEARCH_WORD = "Путин"
MARK = "() => { window.__samePage = 1; }"  # gone after a full page load: a swap keeps it
SAME_PAGE = "() => window.__samePage === 1"


def _csp_reports(watched: Watched) -> list[str]:
    return [line for line in watched.console if "Content Security Policy" in line or "Refused to" in line]


def test_save_rename_delete_a_search(watched: Watched, site: Site) -> None:
    page = watched.page
    page.goto(f"/signin?next=/search?q={SEARCH_WORD}")
    page.get_by_label("API token").fill(API_TOKEN)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert urlparse(page.url).path == "/search"

    page.evaluate(MARK)
    page.get_by_label("Save this search as").fill("browser-putin")
    page.get_by_role("button", name="Save", exact=True).click()
    status = page.locator("#save-search [role=status]")
    status.wait_for()
    assert "Saved as browser-putin" in status.inner_text()
    assert page.evaluate(SAME_PAGE), "saving reloaded the page"

    page.goto("/saved")
    screenshot(page, "saved")
    row = page.locator("li.saved-search", has_text="browser-putin")
    assert row.get_by_role("link", name="RSS").get_attribute("href") == "/feeds/saved/browser-putin.rss"
    page.evaluate(MARK)
    row.get_by_text("Edit").click()
    row.get_by_label("Name").fill("browser-renamed")
    row.get_by_role("button", name="Save changes").click()
    renamed = page.locator("li.saved-search", has_text="browser-renamed")
    renamed.get_by_role("link", name="browser-renamed").wait_for()
    assert page.evaluate(SAME_PAGE), "renaming reloaded the page"

    renamed.get_by_text("Delete…").click()
    renamed.get_by_role("button", name="Delete “browser-renamed”").click()
    renamed.wait_for(state="detached")
    assert page.evaluate(SAME_PAGE), "deleting reloaded the page"
    page.reload()
    assert page.locator("li.saved-search", has_text="browser-renamed").count() == 0
    assert not _csp_reports(watched) and not watched.errors and not watched.dialogs


def test_pagination_swaps_the_results_alone(watched: Watched, site: Site) -> None:
    page = watched.page
    page.goto("/")
    page.evaluate(MARK)
    first = page.locator(".hit-title").first.inner_text()
    page.locator("nav.pages a[rel=next]").click()
    page.wait_for_url("**/?page=2")
    page.locator("nav.pages a[rel=prev]").wait_for()
    assert page.locator(".hit-title").first.inner_text() != first
    assert page.evaluate(SAME_PAGE), "paging reloaded the page"
    assert parse_qs(urlparse(page.url).query)["page"] == ["2"]
    assert not _csp_reports(watched) and not watched.errors


def test_an_organisation_page_from_a_release(watched: Watched, site: Site) -> None:
    page = watched.page
    facets = page.request.get("/api/v1/facets").json()
    label = facets["organisation"][0]["label"]  # the organisation most releases mention
    page.goto("/search?" + urlencode({"organisation": label}))
    page.locator(".hit-title a").first.click()
    page.wait_for_url("**/releases/*")
    page.locator(f"a.tag[href='/organisations/{quote(label, safe='')}']").first.click()
    page.wait_for_url("**/organisations/*")
    assert label.casefold() in page.locator("h1").inner_text().casefold()
    assert page.locator(".hit-title").count() > 0
    screenshot(page, "organisation")
    assert not _csp_reports(watched) and not watched.errors
