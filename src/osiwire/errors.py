"""Errors osiwire raises on purpose.

    OsiwireError
     ├── ConfigError          bad osiwire.toml or OSIWIRE_* value
     ├── SourceError          bad source definition, unknown source
     ├── CollectError         a source or page could not be fetched or read
     │    ├── FetchError       network, HTTP, size, redirect, robots.txt refusals
     │    │    └── RobotsRefusal   robots.txt disallows the URL
     │    └── ParseError       a feed, listing page, sitemap or archive line could not be understood
     ├── ExtractError         no usable text in a document
     ├── TmxError             a TMX translation-memory file that cannot be read (names the file and line)
     └── StoreError           the database refused a write or is not an osiwire database

Each carries a one-line message naming the input and the reason; the CLI prints it as is.
"""

from __future__ import annotations


class OsiwireError(Exception):
    """Base of every error osiwire raises on purpose."""


class ConfigError(OsiwireError):
    pass


class SourceError(OsiwireError):
    pass


class CollectError(OsiwireError):
    pass


class FetchError(CollectError):
    pass


class RobotsRefusal(FetchError):
    pass


class ParseError(CollectError):
    pass


class ExtractError(OsiwireError):
    pass


class TmxError(OsiwireError):
    pass


class StoreError(OsiwireError):
    pass
