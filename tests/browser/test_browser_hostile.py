"""The hostile corpus (tests/data/hostile) ingested and rendered everywhere it shows: nothing of it runs.

Every payload sets ``window.__pwned`` or opens a dialog. Each page is loaded in Chromium with listeners on
dialogs, console messages and page errors; the DOM is then searched for anything a payload would leave behind
(event-handler attributes, javascript:/data: URLs, frames, <base>, <meta http-equiv>, foreign scripts).
A CSP report in the console counts as a failure too: the policy is the second line of defence, not the first.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_site import Site, Watched

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

SETTLE_MS = 400  # long enough for a meta refresh of 0 s, an onload or a timer to have fired

# Whatever a payload could leave in the DOM, listed by the page itself.
FIND_INJECTED = """() => {
    const bad = [];
    const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc', 'background',
                      'poster', 'style'];
    const docs = [document];
    for (const el of document.querySelectorAll('*')) if (el.shadowRoot) docs.push(el.shadowRoot);
    for (const root of docs) {
        for (const el of root.querySelectorAll('*')) {
            const tag = el.localName.toLowerCase();
            if (['iframe', 'frame', 'object', 'embed', 'base', 'applet', 'foreignobject'].includes(tag))
                bad.push('<' + tag + '>');
            if (tag === 'meta' && el.hasAttribute('http-equiv')) bad.push('<meta http-equiv>');
            if (tag === 'script') {
                const src = el.getAttribute('src') || '';
                if (!src.startsWith('/static/')) bad.push('<script src=' + JSON.stringify(src) + '>');
            }
            for (const attr of el.attributes) {
                const name = attr.name.toLowerCase();
                const value = attr.value.replace(/[\\s\\u0000-\\u001f]+/g, '').toLowerCase();
                if (name.startsWith('on')) bad.push(tag + '[' + name + ']');
                if (urlAttrs.includes(name) || name.endsWith(':href')) {
                    if (/(^|url\\(['"]?)(javascript|vbscript):/.test(value)) bad.push(tag + '[' + name + '=javascript:]');
                    if (/^data:(text\\/html|image\\/svg|application)/.test(value)) bad.push(tag + '[' + name + '=data:]');
                    if (value.includes('expression(')) bad.push(tag + '[' + name + '=expression()]');
                }
            }
        }
    }
    return bad;
}"""


def _paths(site: Site) -> list[str]:
    search = "q=hostile"
    return [
        "/",
        f"/search?{search}",
        f"/search?{search}&page=2",
        f"/search?q=script&source={site.hostile_source_id}",
        "/sources",
        "/saved",
        f"/sources/{site.hostile_source_id}",
        *(f"/releases/{rid}" for rid in site.hostile_ids),
        f"/feeds/search.atom?{search}",
        f"/feeds/search.rss?{search}",
        f"/feeds/search.json?{search}",
        "/feeds/search.atom",
        f"/releases/{site.hostile_translated_id}.txt",
    ]


def _pwned(page: Any) -> list[str]:
    """Frames (the page and any frame a payload managed to create) where a payload's flag is set."""
    flagged = []
    for frame in page.frames:
        try:
            if frame.evaluate("() => typeof window.__pwned !== 'undefined'"):
                flagged.append(frame.url)
        except Exception as exc:  # a frame navigated away mid-check is a finding too
            flagged.append(f"{frame.url}: {exc}")
    return flagged


def test_the_corpus_was_ingested(site: Site, page: Any) -> None:
    page.goto("/search?q=hostile")
    # pages carrying one text are copies: one hit, the others listed under its "+N sources" (collapsed)
    copies = page.locator(".copies li > a[href^='/releases/']").all_text_contents()
    titles = page.locator(".hit-title").all_inner_texts() + copies
    assert len(titles) >= 8, titles
    # the payloads show as text, escaped, not as markup
    assert any("<script>window.__pwned=1</script>" in t for t in titles), titles
    page.goto(f"/releases/{site.hostile_translated_id}")
    assert page.locator(".bilingual .pair .tgt", has_text="<script>window.__pwned=1</script>").count() > 0


def test_no_hostile_content_executes(site: Site, watched: Watched) -> None:
    page = watched.page
    findings: dict[str, list[str]] = {}
    visited = 0
    for path in _paths(site):
        watched.console.clear()
        response = page.goto(path, wait_until="load")
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        page.wait_for_timeout(SETTLE_MS)
        assert page.url == site.url(path), f"{path}: navigated away to {page.url}"
        problems = [f"window.__pwned set in {url}" for url in _pwned(page)]
        problems += page.evaluate(FIND_INJECTED)
        problems += [
            f"console: {line}"
            for line in watched.console
            if "Content Security Policy" in line or "Refused to" in line or "pwned" in line
        ]
        if problems:
            findings[path] = problems
        visited += 1
    assert visited == len(_paths(site))
    assert not watched.dialogs, f"dialogs opened: {watched.dialogs}"
    assert not watched.errors, f"page errors: {watched.errors}"
    assert not findings, findings


def test_detector_catches_a_payload(browser: Any) -> None:
    """The checks above would see a payload that ran: the same listeners on a page that is not sanitised."""
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.set_content(
            '<img src=x onerror="window.__pwned=1"><a href="javascript:alert(1)">x</a>'
            "<iframe srcdoc=\"<script>parent.alert('pwned')</script>\"></iframe>"
        )
        page.wait_for_timeout(SETTLE_MS)
        assert _pwned(page)
        assert dialogs == ["pwned"]
        found = page.evaluate(FIND_INJECTED)
        assert "img[onerror]" in found and "a[href=javascript:]" in found and "<iframe>" in found
    finally:
        context.close()
