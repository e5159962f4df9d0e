"""Canonical URLs: the keys releases are stored under."""

from __future__ import annotations

import pytest

from osiwire.extract.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Kremlin.RU", "http://kremlin.ru/"),
        ("https://kremlin.ru:443/events/1", "https://kremlin.ru/events/1"),
        ("http://kremlin.ru:80/events/1", "http://kremlin.ru/events/1"),
        ("http://kremlin.ru:8080/events/1", "http://kremlin.ru:8080/events/1"),
        ("https://kremlin.ru:80/x", "https://kremlin.ru:80/x"),
        ("https://kremlin.ru/events/1#comments", "https://kremlin.ru/events/1"),
        ("https://kremlin.ru/events/1?utm_source=tg&utm_medium=social", "https://kremlin.ru/events/1"),
        ("https://kremlin.ru/a?id=5&UTM_Campaign=x&page=2&fbclid=abc", "https://kremlin.ru/a?id=5&page=2"),
        (
            "https://x.org/a?gclid=1&yclid=2&_openstat=3&ysclid=4&q=%D0%BC%D0%B8%D1%80",
            "https://x.org/a?q=%D0%BC%D0%B8%D1%80",
        ),
        ("https://x.org/a?b=2&a=1&flag", "https://x.org/a?b=2&a=1&flag"),  # order and bare flags kept
        (
            "https://x.org/Path/Case?Q=Case",
            "https://x.org/Path/Case?Q=Case",
        ),  # path and query keep their case
        ("https://x.org/a?&&", "https://x.org/a"),
        ("  https://x.org/a  ", "https://x.org/a"),
        ("https://user:pw@X.org/a", "https://user:pw@x.org/a"),
        ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
        ("https://x.org./a", "https://x.org/a"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    url = "HTTPS://www.Mid.ru:443/ru/press?id=7&utm_term=a#top"
    assert canonical_url(canonical_url(url)) == canonical_url(url) == "https://www.mid.ru/ru/press?id=7"


def test_bad_port_does_not_raise() -> None:
    assert canonical_url("http://x.org:99999/a") == "http://x.org:99999/a"


@pytest.mark.parametrize("url", ["http://[::1", "https://[kremlin.ru/events", " http://[2001:db8::1/a "])
def test_unclosed_ipv6_literal_is_its_own_key(url: str) -> None:
    # urllib cannot split it (ValueError): an `analyze` line or a page's canonical link with such a URL ended
    # the whole batch
    assert canonical_url(url) == url.strip()
