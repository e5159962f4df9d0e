"""The main pages in Chromium: search, facets, the bilingual release view, keyboard navigation, people."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from browser_site import Site, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

SEARCH_WORD = "Путин"
FACET_LINKS = 'nav[aria-label="Facets"] a, a.facet, .facet a'


def _background(locator: Any) -> str:
    return str(locator.evaluate("el => getComputedStyle(el).backgroundColor"))


def _active_hit(page: Any) -> int:
    """Index of the `.hit` holding the focused element (or marked current), -1 when none."""
    return int(
        page.evaluate(
            """() => {
                const hits = [...document.querySelectorAll('.hit')];
                const active = document.activeElement && document.activeElement.closest('.hit');
                if (active) return hits.indexOf(active);
                return hits.findIndex(h => h.matches('[aria-current], .current, .active, .selected'));
            }"""
        )
    )


def test_front_page_lists_releases(page: Any, site: Site) -> None:
    page.goto("/")
    assert page.locator("h1").first.inner_text() == "Latest releases"
    assert page.locator(".hit").count() > 0
    screenshot(page, "front")


def test_search_highlights_matches(page: Any, site: Site) -> None:
    page.goto("/")
    page.get_by_role("searchbox", name="Search releases").fill(SEARCH_WORD)
    page.get_by_role("button", name="Search", exact=True).click()  # htmx swaps the results, pushing the URL
    page.wait_for_url(lambda url: urlparse(url).path == "/search")
    page.locator(".hit .snippet mark").first.wait_for()
    assert urlparse(page.url).path == "/search"
    assert parse_qs(urlparse(page.url).query)["q"] == [SEARCH_WORD]
    hits = page.locator(".hit")
    assert hits.count() > 0
    marks = page.locator(".hit .snippet mark")
    assert marks.count() > 0
    assert any(text.startswith("Путин") for text in marks.all_inner_texts())
    # the page head's feeds follow the swapped search (one link per kind, out of band)
    rss = page.locator("head link#feed-rss")
    assert rss.count() == 1
    assert parse_qs(urlparse(rss.get_attribute("href")).query)["q"] == [SEARCH_WORD]
    assert SEARCH_WORD in page.title()
    # the highlight is visible: <mark> has a background of its own
    assert _background(marks.first) not in ("rgba(0, 0, 0, 0)", "transparent")
    screenshot(page, "search")


def test_release_page_highlights_sentence_pairs(page: Any, site: Site) -> None:
    page.goto(f"/releases/{site.translated_id}")
    pairs = page.locator(".bilingual .pair")
    assert pairs.count() >= 3
    pair = pairs.nth(1)
    # both sides of one sentence live in the same pair element
    assert pair.locator(".src").count() == 1 and pair.locator(".tgt").count() == 1
    assert pair.locator(".src").get_attribute("lang") == "ru"
    assert "English sentence" in pair.locator(".tgt").inner_text()
    page.mouse.move(0, 0)
    before = _background(pair)
    pair.hover()
    hovered = _background(pair)
    assert hovered != before, "hovering a sentence pair does not highlight it"
    assert _background(pairs.nth(2)) == before  # only the hovered pair
    # keyboard: focusing a pair highlights it too
    page.mouse.move(0, 0)
    other = pairs.nth(2)
    other.focus()
    assert _background(other) != before, "focusing a sentence pair does not highlight it"
    assert page.locator(".bilingual .pair.low .low-mark").count() >= 1
    assert page.locator(".bilingual .pair.human").count() == 0  # machine output is not marked human


def test_human_translation_is_labelled_as_such(page: Any, site: Site) -> None:
    page.goto(f"/releases/{site.udhr_id}")
    pairs = page.locator(".bilingual .pair.human")
    assert pairs.count() >= 91  # every paragraph, some of them sentence by sentence
    assert page.locator(".bilingual .pair:not(.human)").count() == 0
    legend = page.locator(".bilingual .legend").inner_text()
    assert "Human translation, from memory" in legend and "official English text" in legend
    assert "low confidence" not in legend  # no engine scores to speak of
    first = pairs.first
    assert first.locator(".tgt").inner_text() == "Universal Declaration of Human Rights"
    assert "human translation, from memory" in (first.get_attribute("title") or "")
    # the green rule at a human pair's edge
    assert "21, 128, 61" in page.evaluate("e => getComputedStyle(e).boxShadow", first.element_handle())
    screenshot(page, "release-bilingual")
    # Further down, paragraphs of several sentences, each beside its own English (aligned by length).
    education = page.locator(".bilingual .pair", has_text="Everyone has the right to education.")
    assert education.count() == 1
    assert education.locator(".src").inner_text() == "Каждый человек имеет право на образование."
    article = page.locator(".bilingual .pair", has_text="Статья 25").first
    top = page.evaluate("e => e.getBoundingClientRect().top + window.scrollY - 16", article.element_handle())
    screenshot(page, "release-bilingual-sentences", top)


def test_sources_page(page: Any, site: Site) -> None:
    page.goto("/sources")
    assert page.get_by_role("link", name="kremlin.ru").count() >= 1
    screenshot(page, "sources")
    page.goto(f"/sources/{site.kremlin_source_id}")
    assert page.locator(".hit").count() > 0


def test_facet_click_filters_results(page: Any, site: Site) -> None:
    page.goto(f"/search?q={SEARCH_WORD}")
    total_before = page.locator(".hit").count()
    facets = page.locator(FACET_LINKS)
    assert facets.count() > 0, "no facet links (nav[aria-label=Facets] a / a.facet) on the search page"
    link = facets.filter(has_text=re.compile(r"\d")).first  # a facet value with its count
    before = page.url
    link.click()  # htmx swaps the results, pushing the URL
    page.wait_for_url(lambda url: url != before)
    page.locator("ul.chips").wait_for()  # the filter it added, as a chip
    assert page.url != before
    query = parse_qs(urlparse(page.url).query)
    assert query.get("q") == [SEARCH_WORD], "the facet link drops the search"
    assert len(query) >= 2, f"the facet link adds no filter: {page.url}"
    assert 0 < page.locator(".hit").count() <= max(total_before, 1)


def test_keyboard_navigation(page: Any, site: Site) -> None:
    page.goto("/")
    assert page.locator('script[src$="keys.js"]').count() == 1, "keys.js is not loaded"
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    assert _active_hit(page) == 0
    page.keyboard.press("j")
    assert _active_hit(page) == 1
    page.keyboard.press("k")
    assert _active_hit(page) == 0
    href = page.locator(".hit").first.locator("a").first.get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("o")
    assert urlparse(page.url).path == href
    page.go_back()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement && document.activeElement.id") == "q"
    # typing in the search box must not navigate
    page.keyboard.type("jko")
    assert page.locator("#q").input_value() == "jko"


def test_person_page(page: Any, site: Site) -> None:
    people = httpx.get(site.url("/api/v1/people"), params={"q": SEARCH_WORD, "limit": 1}).json()
    person = (people["people"] if isinstance(people, dict) else people)[0]
    response = page.goto(f"/people/{person['id']}")
    assert response is not None and response.status == 200
    assert person["name_en"] in page.locator("h1").inner_text()
    body = page.locator("main").inner_text()
    assert "Путин" in body  # a variant in Cyrillic
    assert page.locator('main a[href*="/releases/"]').count() > 0
    screenshot(page, "person")
