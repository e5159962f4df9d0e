"""The source registry's file formats: TOML (the bundled default and hand-edited lists) and OPML (feed readers).

OPML follows the feed-reader convention (``<outline type="rss" text title xmlUrl>`` inside category outlines);
osiwire's own fields ride along as ``osiwire:*`` attributes so an export imports back unchanged.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import tomllib
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import Any, cast
from urllib.parse import urlsplit

import tomli_w
from lxml import etree

from osiwire.collect.listing import compile_selector
from osiwire.errors import ParseError, SourceError
from osiwire.model import Source, SourceKind

__all__ = [
    "load_default_sources",
    "sources_from_opml",
    "sources_from_toml",
    "sources_to_opml",
    "sources_to_toml",
    "validate_source",
]

logger = logging.getLogger(__name__)

OSIWIRE_NS = "urn:osiwire:opml:1"
# Press releases do not come faster than this is worth polling, and official sites are small: be polite.
MIN_INTERVAL_S = 60
NETWORK_SCHEMES = frozenset({"http", "https"})
FEED_KINDS = frozenset({SourceKind.RSS, SourceKind.ATOM, SourceKind.JSON})
TOML_REQUIRED = ("name", "url", "kind")
TOML_OPTIONAL = (
    "region",
    "country",
    "language",
    "organisation",
    "selector",
    "url_pattern",
    "interval_s",
    "enabled",
)
TOML_KEYS = frozenset({*TOML_REQUIRED, *TOML_OPTIONAL})
TOML_STRINGS = frozenset({*TOML_REQUIRED, *TOML_OPTIONAL[:-2]})
# OPML attribute (in the osiwire namespace) for each Source field it carries beyond text and xmlUrl.
OPML_ATTRS = {
    "kind": "kind", "region": "region", "country": "country", "language": "language",
    "organisation": "organisation", "selector": "selector", "url_pattern": "urlPattern",
}  # fmt: skip
_DEFAULTS = Source(name="", url="", kind=SourceKind.RSS)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SAFE_PARSER = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}


def validate_source(source: Source) -> Source:
    """The source with its fields normalised; SourceError naming the field when one is wrong."""

    def bad(field: str, reason: str) -> SourceError:
        return SourceError(f"source {source.name!r}: {field}: {reason}")

    for field in ("name", "url", "region", "organisation", "selector", "url_pattern"):
        # They end up in OPML, HTML and log lines, where control characters are invalid or misleading.
        if _CONTROL.search(getattr(source, field)):
            raise bad(field, "contains control characters")
    name, url = source.name.strip(), source.url.strip()
    if not name:
        raise bad("name", "required")
    if not url:
        raise bad("url", "required")
    try:
        kind = SourceKind(source.kind)
    except ValueError:
        raise bad("kind", f"{source.kind!r} is not one of {', '.join(SourceKind)}") from None
    parts = urlsplit(url)
    if kind == SourceKind.FILE:
        # A path, or a file: URL; single letters are Windows drives ("C:\\feeds").
        if parts.scheme and parts.scheme != "file" and len(parts.scheme) != 1:
            raise bad("url", f"a file source takes a local path or file:// URL, got {url!r}")
    elif parts.scheme.lower() not in NETWORK_SCHEMES or not parts.netloc:
        raise bad("url", f"must be an http(s) URL, got {url!r}")
    country = source.country.strip().upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise bad("country", f"must be an ISO 3166-1 alpha-2 code, got {source.country!r}")
    # "ru-RU" and "en_GB" name the language we mean; the region part is the country's business.
    language = re.split(r"[-_]", source.language.strip().lower(), maxsplit=1)[0]
    if language and not re.fullmatch(r"[a-z]{2,3}", language):
        raise bad("language", f"must be an ISO 639 code, got {source.language!r}")
    selector = source.selector.strip()
    if selector:
        try:
            compile_selector(selector)
        except SourceError as exc:
            raise bad("selector", str(exc)) from None
    url_pattern = source.url_pattern.strip()
    try:
        re.compile(url_pattern)
    except re.error as exc:
        raise bad("url_pattern", f"invalid regular expression: {exc}") from None
    interval = source.interval_s
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < MIN_INTERVAL_S:
        raise bad("interval_s", f"must be a whole number of seconds >= {MIN_INTERVAL_S}, got {interval!r}")
    if not isinstance(source.enabled, bool):
        raise bad("enabled", f"must be true or false, got {source.enabled!r}")
    return dataclasses.replace(
        source,
        name=name,
        url=url,
        kind=kind,
        region=source.region.strip(),
        country=country,
        language=language,
        organisation=source.organisation.strip(),
        selector=selector,
        url_pattern=url_pattern,
    )


# -- TOML ------------------------------------------------------------------------------------------------------


def sources_from_toml(text: str) -> list[Source]:
    """Sources of a ``[[source]]`` TOML document, each validated."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"sources TOML: {exc}") from exc
    unknown = set(doc) - {"source"}
    if unknown:
        raise SourceError(
            f"sources TOML: unknown top-level key(s) {', '.join(sorted(unknown))}; expected [[source]]"
        )
    tables = doc.get("source", [])
    if not isinstance(tables, list):
        raise SourceError("sources TOML: 'source' must be an array of tables ([[source]])")
    return [_toml_source(i, table) for i, table in enumerate(tables, start=1)]


def _toml_source(index: int, table: Any) -> Source:
    label = f"sources TOML entry {index}"
    if not isinstance(table, dict):
        raise SourceError(f"{label}: not a table")
    label += f" ({table['name']!r})" if isinstance(table.get("name"), str) else ""
    unknown = sorted(set(table) - TOML_KEYS)
    if unknown:
        raise SourceError(f"{label}: {unknown[0]}: unknown field (known: {', '.join(sorted(TOML_KEYS))})")
    for key in TOML_REQUIRED:
        if key not in table:
            raise SourceError(f"{label}: {key}: required")
    for key in TOML_STRINGS & set(table):
        if not isinstance(table[key], str):
            raise SourceError(f"{label}: {key}: must be a string, got {table[key]!r}")
    try:
        return validate_source(Source(**table))
    except SourceError as exc:
        raise SourceError(f"{label}: {exc}") from None


def sources_to_toml(sources: Iterable[Source]) -> str:
    """A ``[[source]]`` TOML document; fields at their default are left out."""
    tables = []
    for source in sources:
        table: dict[str, Any] = {"name": source.name, "url": source.url, "kind": str(source.kind)}
        for key in TOML_OPTIONAL:
            value = getattr(source, key)
            if value != getattr(_DEFAULTS, key):
                table[key] = value
        tables.append(table)
    return tomli_w.dumps({"source": tables})


def load_default_sources() -> list[Source]:
    """The bundled registry of official sources (``osiwire/data/sources.toml``)."""
    text = resources.files("osiwire").joinpath("data").joinpath("sources.toml").read_text(encoding="utf-8")
    return sources_from_toml(text)


# -- OPML ------------------------------------------------------------------------------------------------------


def sources_to_opml(sources: Iterable[Source], title: str = "osiwire sources") -> str:
    """An OPML 2.0 document: one category outline per run of sources of the same region."""
    root = etree.Element("opml", version="2.0", nsmap={"osiwire": OSIWIRE_NS})
    etree.SubElement(etree.SubElement(root, "head"), "title").text = title
    body = etree.SubElement(root, "body")
    parent, current_region = body, None
    for source in sources:
        # Runs, not groups: the document keeps the registry's order, so an import gives the same list back.
        if source.region != current_region:
            current_region = source.region
            parent = etree.SubElement(body, "outline", text=source.region) if source.region else body
        parent.append(_outline(source))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + str(
        etree.tostring(root, encoding="unicode", pretty_print=True)
    )


def _outline(source: Source) -> etree._Element:
    outline = etree.Element("outline", text=source.name, title=source.name)
    if source.kind in FEED_KINDS:
        outline.set("type", "rss")  # what every reader expects, Atom and JSON Feed included
        outline.set("xmlUrl", source.url)
    else:
        outline.set("type", "link")  # readers must not subscribe to a listing page or sitemap as a feed
        outline.set("url", source.url)
    for field, attr in OPML_ATTRS.items():
        value = str(getattr(source, field))
        if value or field == "kind":
            outline.set(f"{{{OSIWIRE_NS}}}{attr}", value)
    outline.set(f"{{{OSIWIRE_NS}}}interval", str(source.interval_s))
    if not source.enabled:
        outline.set(f"{{{OSIWIRE_NS}}}enabled", "false")
    return outline


def sources_from_opml(data: bytes | str) -> list[Source]:
    """Sources of an OPML document; outlines that do not validate are logged and skipped."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        root = etree.fromstring(raw, parser=etree.XMLParser(**_SAFE_PARSER))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(f"OPML: not well-formed XML: {' '.join(str(exc).split())}") from exc
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise ParseError(f"OPML: expected <opml> with a <body>, got <{root.tag}>")
    sources = []
    for outline, category in _feed_outlines(body, ""):
        try:
            sources.append(validate_source(_outline_source(outline, category)))
        except SourceError as exc:
            logger.warning("OPML outline %r skipped: %s", outline.get("text", ""), exc)
    return sources


def _feed_outlines(parent: etree._Element, category: str) -> Iterator[tuple[etree._Element, str]]:
    """Outlines that name a source, each with its nearest enclosing category's text."""
    for outline in parent.iterchildren("outline"):
        if outline.get("xmlUrl") or outline.get(f"{{{OSIWIRE_NS}}}kind"):
            yield outline, category
        else:
            yield from _feed_outlines(outline, (outline.get("text") or outline.get("title") or "").strip())


def _outline_source(outline: etree._Element, category: str) -> Source:
    def osi(attr: str) -> str:
        return str(outline.get(f"{{{OSIWIRE_NS}}}{attr}", "")).strip()

    name = (outline.get("title") or outline.get("text") or "").strip()
    kind = osi("kind") or ("atom" if outline.get("type", "").lower() == "atom" else "rss")
    interval = osi("interval")
    if interval and not interval.isdigit():
        raise SourceError(f"source {name!r}: interval_s: must be a whole number of seconds, got {interval!r}")
    return Source(
        name=name,
        url=(outline.get("xmlUrl") or outline.get("url") or "").strip(),
        kind=cast(SourceKind, kind),  # checked by validate_source, which names a bad one
        region=osi("region") or category,
        country=osi("country"),
        language=osi("language") or outline.get("language", ""),
        organisation=osi("organisation"),
        selector=osi("selector"),
        url_pattern=osi("urlPattern"),
        interval_s=int(interval) if interval.isdigit() else _DEFAULTS.interval_s,
        enabled=osi("enabled") != "false",
    )
