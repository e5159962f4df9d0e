"""The HTML pages over an enriched store: facets and chips, person, topic and country pages, release links, keys.js."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from enriched_store import HOSTILE, NOW, Seeded, day, seed
from factories import make_article
from osiwire.config import load_settings
from osiwire.model import Enrichment, Participant, PersonName, TopicMatch
from osiwire.store import Store
from osiwire.web.app import create_app
from osiwire.web.pages import person_path, topic_path
from osiwire.web.pages_people import script_of, variants_by_script

HOSTILE_PERSON = PersonName(first="Иван", last=HOSTILE, name_en=HOSTILE, variants=(HOSTILE,))
FACET_RE = re.compile(r'<nav class="facet" aria-label="(?P<group>[^"]+)">(?P<body>.*?)</nav>', re.S)
LINK_RE = re.compile(
    r'<li(?: class="chosen")?><a href="(?P<href>[^"]+)"[^>]*>(?P<label>[^<]*)</a> <span class="count">(?P<n>\d+)</span>'
)
HIT_RE = re.compile(r'<li class="hit">.*?<a href="/releases/(\d+)">', re.S)
TOTAL_RE = re.compile(r"(\d+) releases?\b")


@dataclass(frozen=True)
class Site:
    client: TestClient
    ids: Seeded
    hostile_release: int


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, module_store_url: str) -> Iterator[Site]:
    tmp_path = tmp_path_factory.mktemp("pages")
    store = Store(module_store_url)
    ids = seed(store)
    # A hostile person, with a hostile position and topic, in a release of their own.
    release = store.releases.save(
        make_article(
            "https://akorda.kz/7",
            "Указ о назначении",
            ["Назначен."],
            source_id=ids.akorda,
            published=day(2, 20),
        )
    ).release_id
    store.enrichments.save(
        release,
        1,
        Enrichment(
            people=(HOSTILE_PERSON,),
            participants=(Participant(HOSTILE_PERSON, HOSTILE, HOSTILE, "KZ", "", "list"),),
            topics=(TopicMatch("economy-trade", "Economy and trade", ()),),
            countries=("KZ",),
        ),
        NOW,
    )
    settings = load_settings(tmp_path, environ={}, web={"page_size": 10})
    with TestClient(create_app(settings, store=store)) as client:
        yield Site(client, ids, release)
    store.close()


@pytest.fixture()
def client(site: Site) -> TestClient:
    return site.client


def _get(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:500])
    return response.text


def _facets(page: str) -> dict[str, dict[str, tuple[str, int]]]:
    """Group → label → (href, count) of a page's facet sidebar."""
    out: dict[str, dict[str, tuple[str, int]]] = {}
    for group in FACET_RE.finditer(page):
        links = {
            html.unescape(m["label"]): (html.unescape(m["href"]), int(m["n"]))
            for m in LINK_RE.finditer(group["body"])
        }
        out[group["group"]] = links
    return out


def _hits(page: str) -> list[int]:
    return [int(i) for i in HIT_RE.findall(page)]


def _total(page: str) -> int:
    found = TOTAL_RE.search(page[page.index('<div class="summary">') :])
    assert found is not None
    return int(found.group(1))


# -- facets and chips --------------------------------------------------------------------------------------------


def test_front_page_shows_every_facet_with_counts(client: TestClient) -> None:
    facets = _facets(_get(client, "/"))
    assert set(facets) == {
        "Region",
        "Country",
        "Source",
        "Language",
        "Topic",
        "Person",
        "Organisation",
        "Month",
    }
    assert facets["Source"]["Kremlin"][1] == 3
    assert facets["Topic"]["Border security"][1] == 2
    assert facets["Person"]["Vladimir Putin"][1] == 2


@pytest.mark.parametrize(
    ("group", "label", "param"),
    [
        ("Region", "Казахстан", "region"),
        ("Source", "Kremlin", "source"),
        ("Language", "en", "lang"),
        ("Topic", "Economy and trade", "topic"),
        ("Person", "Kassym-Jomart Tokayev", "person"),
        ("Organisation", "ОДКБ", "organisation"),
        ("Month", "2025-01", "since"),
    ],
)
def test_facet_link_adds_its_filter_and_its_count_is_the_filtered_total(
    client: TestClient, group: str, label: str, param: str
) -> None:
    href, count = (
        _facets(_get(client, "/search?q=Москва"))[group].get(label)
        or _facets(_get(client, "/"))[group][label]
    )
    assert param in dict(parse_qsl(urlsplit(href).query))
    filtered = _get(client, href)
    assert _total(filtered) == count == len(_hits(filtered))
    # The chosen value is marked, and its link takes the filter away again.
    chosen = re.search(r'<li class="chosen"><a href="([^"]+)"', filtered)
    assert chosen is not None and param not in dict(parse_qsl(urlsplit(html.unescape(chosen.group(1))).query))


def test_filtered_page_shows_only_matching_hits(client: TestClient, site: Site) -> None:
    href, _ = _facets(_get(client, "/"))["Topic"]["Border security"]
    assert sorted(_hits(_get(client, href))) == sorted([site.ids.council, site.ids.astana])


def test_facets_of_a_search_match_its_total(client: TestClient) -> None:
    page = _get(client, "/search?q=Москва")
    facets = _facets(page)
    assert sum(n for _, n in facets["Source"].values()) == _total(page)
    assert sum(n for _, n in facets["Month"].values()) == _total(page)


def test_chip_removes_one_filter_and_keeps_the_rest(client: TestClient) -> None:
    page = _get(client, "/search?q=Москва&topic=border-security&region=Russian+Federation&sort=date")
    chips = dict(
        (html.unescape(label), html.unescape(href))
        for label, href in re.findall(
            r'<li class="chip">[^<]*<strong>([^<]*)</strong> <a class="chip-remove" href="([^"]+)"', page
        )
    )
    assert set(chips) == {"Border security", "Russian Federation"}  # the topic shown by its label
    params = dict(parse_qsl(urlsplit(chips["Border security"]).query))
    assert params == {"q": "Москва", "region": "Russian Federation", "sort": "date"}


def test_form_has_the_new_filters_and_sort_only_with_a_query(client: TestClient) -> None:
    front = _get(client, "/")
    for name in ("topic", "person", "organisation", "mentions_country"):
        assert f'name="{name}"' in front
    assert 'name="sort"' not in front
    search = _get(client, "/search?q=Москва&sort=date")
    assert re.search(r'<option value="date" selected>', search)
    assert '<label>Topic <input name="topic"' in front  # every input has its label


def test_feeds_of_the_same_search_are_linked(client: TestClient) -> None:
    page = _get(client, "/search?q=Москва&lang=ru")
    for kind, path in (
        ("rss+xml", "/feeds/search.rss"),
        ("atom+xml", "/feeds/search.atom"),
        ("feed+json", "/feeds/search.json"),
    ):
        found = re.search(
            rf'<link [^>]*rel="alternate" type="application/{re.escape(kind)}"[^>]* href="([^"]+)"', page
        )
        assert found is not None, kind
        href = html.unescape(found.group(1))
        assert urlsplit(href).path == path and dict(parse_qsl(urlsplit(href).query)) == {
            "q": "Москва",
            "lang": "ru",
        }
        assert f'href="{found.group(1)}"' in page[page.index("<main") :]  # and a visible link
        assert client.get(href).status_code == 200


def test_bad_query_keeps_the_page_without_facets(client: TestClient) -> None:
    page = _get(client, "/search?q=-alone", status=400)
    assert "could not be understood" in page and 'class="facets"' not in page


# -- person, topic and country pages -----------------------------------------------------------------------------


def test_person_page(client: TestClient, site: Site) -> None:
    for ref in ("1", "patrushev:np"):
        page = _get(client, f"/people/{ref}")
        assert "Nikolai Patrushev" in page and "Николай Платонович Патрушев" in page
        assert "<dt>Latin</dt>" in page and "<dt>Cyrillic</dt>" in page and "Н.П. Патрушев" in page
        assert "Секретарь Совета Безопасности" in page  # a position
        assert f'href="/releases/{site.ids.council}"' in page
        co = page[page.index('aria-label="Appeared with"') :]
        assert re.search(r'<a href="/people/2">Vladimir Putin</a> <span class="count"[^>]*>1</span>', co)
        assert "Nikolai Patrushev" not in co


def test_person_page_lists_releases_newest_first(client: TestClient, site: Site) -> None:
    page = _get(client, "/people/putin:vv")
    assert _hits(page) == [site.ids.talks, site.ids.council]
    co = page[page.index('aria-label="Appeared with"') :]
    assert "Nikolai Patrushev" in co and "Kassym-Jomart Tokayev" in co


def test_topic_page(client: TestClient, site: Site) -> None:
    page = _get(client, "/topics/border-security")
    assert "<h1>Topic: Border security</h1>" in page
    assert sorted(_hits(page)) == sorted([site.ids.council, site.ids.astana])
    regions = _facets(page)["Region"]
    assert {label: n for label, (_, n) in regions.items()} == {"Russian Federation": 1, "Казахстан": 1}
    href = regions["Казахстан"][0]
    assert dict(parse_qsl(urlsplit(href).query)) == {
        "topic": "border-security",
        "region": "Казахстан",
        "sort": "date",
    }
    assert _hits(_get(client, href)) == [site.ids.astana]


def test_country_page(client: TestClient, site: Site) -> None:
    page = _get(client, "/countries/kz")
    assert "Releases mentioning Kazakhstan (KZ)" in page
    assert sorted(_hits(page)) == sorted([site.ids.council, site.ids.talks, site.hostile_release])


@pytest.mark.parametrize(
    "url",
    [
        "/people/999999",
        "/people/nobody:xx",
        "/topics/no-such-topic",
        "/countries/ZZ",
        "/countries/KAZ",
        "/countries/1",
    ],
)
def test_unknown_ids_are_404(client: TestClient, url: str) -> None:
    page = _get(client, url, status=404)
    assert "Not found" in page


def test_release_page_links_people_topics_and_countries(client: TestClient, site: Site) -> None:
    page = _get(client, f"/releases/{site.ids.council}")
    for href in (
        "/people/patrushev:np",
        "/people/putin:vv",
        "/topics/border-security",
        "/countries/RU",
        "/countries/KZ",
    ):
        assert f'href="{href}"' in page, href
        assert client.get(href).status_code == 200


# -- hostile names -----------------------------------------------------------------------------------------------


def test_hostile_names_and_topics_are_escaped_everywhere(client: TestClient, site: Site) -> None:
    person_href = re.search(
        r'href="(/people/[^"]+)"[^>]*>&lt;script&gt;', _get(client, f"/releases/{site.hostile_release}")
    )
    assert person_href is not None
    pages = [
        _get(client, "/"),
        _get(client, f"/releases/{site.hostile_release}"),
        _get(client, f"/releases/{site.ids.hostile}"),
        _get(client, html.unescape(person_href.group(1))),
        _get(client, "/search?" + "topic=" + HOSTILE),
        _get(client, "/people/2"),
    ]
    for page in pages:
        assert HOSTILE not in page
        assert "<script>" not in page.replace('<script src="/static/keys.js" defer></script>', "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[3]


def test_hostile_topic_id_links_to_the_listing() -> None:
    assert topic_path(HOSTILE).startswith("/search?topic=%3Cscript")  # a slash fits no path segment
    assert topic_path("border-security") == "/topics/border-security"
    assert person_path("..") == "/search?person=.."
    assert person_path("patrushev:np") == "/people/patrushev:np"


def test_variants_grouped_by_script() -> None:
    assert (
        script_of("Патрушев") == "Cyrillic"
        and script_of("Patrushev") == "Latin"
        and script_of("1 2") == "Other"
    )
    assert variants_by_script(("Патрушев", "Patrushev", "Н.П. Патрушев")) == {
        "Cyrillic": ["Н.П. Патрушев", "Патрушев"],
        "Latin": ["Patrushev"],
    }


# -- keyboard ----------------------------------------------------------------------------------------------------


def test_keys_js_is_served_and_loaded_on_every_page(client: TestClient, site: Site) -> None:
    response = client.get("/static/keys.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert (
        '"j"' in response.text
        and '"k"' in response.text
        and '"o"' in response.text
        and '"/"' in response.text
    )
    for url in ("/", "/people/1", f"/releases/{site.ids.council}", "/topics/border-security"):
        assert '<script src="/static/keys.js" defer></script>' in _get(client, url)
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_pages_keep_accessible_labels(client: TestClient) -> None:
    page = _get(client, "/")
    assert '<nav aria-label="Main">' in page
    assert '<nav class="facet" aria-label="Topic">' in page
    assert '<label class="visually-hidden" for="q">' in page
    # The results come before the sidebar in the document, so a narrow screen shows them first.
    assert page.index('<ol class="hits"') < page.index('<aside class="facets"')


def test_root_path_prefixes_the_new_links(site: Site) -> None:
    app = site.client.app
    with TestClient(app, root_path="/wire") as mounted:
        page = _get(mounted, f"/releases/{site.ids.council}")
        assert 'href="/wire/people/patrushev:np"' in page and 'href="/wire/topics/border-security"' in page
        front = _get(mounted, "/")
        assert (
            'href="/wire/?topic=border-security"' in front
            or 'href="/wire/?topic=border-security&amp;' in front
        )
