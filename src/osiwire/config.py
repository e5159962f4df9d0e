"""Settings: ``osiwire.toml`` in the data directory, overridden by ``OSIWIRE_*`` environment variables.

Nested settings use a double underscore in the environment: ``OSIWIRE_FETCH__USER_AGENT=...``.
Loaded once (in the CLI or the web app factory) and passed down as an argument.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from osiwire.errors import ConfigError

ENV_PREFIX = "OSIWIRE_"
CONFIG_FILE = "osiwire.toml"
DEFAULT_DATA_DIR = "./osiwire-data"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FetchConfig(_Section):
    """The polite fetcher."""

    user_agent: str = Field(
        "osiwire/0.1 (+https://github.com/osiwire/osiwire; self-hosted newswire)",
        description="User-Agent sent with every request and matched against robots.txt.",
    )
    connect_timeout_s: float = Field(10.0, description="Seconds to open a connection.")
    read_timeout_s: float = Field(30.0, description="Seconds to wait for each chunk of a response.")
    total_timeout_s: float = Field(60.0, description="Seconds one request may take in all, retries excluded.")
    max_body_bytes: int = Field(10_000_000, description="Largest (decompressed) body accepted.")
    max_redirects: int = Field(5, description="Redirects followed before giving up.")
    retries: int = Field(3, description="Retries after a network error, 429 or 5xx.")
    backoff_s: float = Field(2.0, description="First retry delay; doubles each retry. Retry-After wins.")
    max_retry_after_s: float = Field(300.0, description="Longest Retry-After honoured within one pass.")
    per_host_interval_s: float = Field(1.0, description="Minimum seconds between two requests to one host.")
    respect_robots: bool = Field(True, description="Obey robots.txt.")
    allow_private_addresses: bool = Field(
        False, description="Allow loopback and private network addresses (off: refuse them, as SSRF defence)."
    )
    concurrency: int = Field(8, description="Pages fetched at once (across hosts).")


class ExtractConfig(_Section):
    """Main text and language."""

    min_paragraph_chars: int = Field(2, description="Shorter paragraphs are dropped.")
    title_min_chars_for_language: int = Field(
        40, description="Titles shorter than this take the body's language (detection is weak on short text)."
    )


class WebConfig(_Section):
    """The web UI and API."""

    host: str = Field("127.0.0.1", description="Address `osiwire serve` listens on.")
    port: int = Field(8000, description="Port `osiwire serve` listens on.")
    page_size: int = Field(30, description="Releases per page.")


class Settings(_Section):
    """Everything osiwire reads from ``osiwire.toml`` and ``OSIWIRE_*``."""

    data_dir: Path = Field(Path(DEFAULT_DATA_DIR), description="Holds the database and osiwire.toml.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in the data directory.")
    default_interval_s: int = Field(3600, description="Check interval of sources that set none.")
    fetch: FetchConfig = FetchConfig()
    extract: ExtractConfig = ExtractConfig()
    web: WebConfig = WebConfig()

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'osiwire.db').resolve()}"


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key == ENV_PREFIX + "DATA_DIR":
            continue
        path = key[len(ENV_PREFIX) :].lower().split("__")
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return out


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(
    data_dir: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Read settings for ``data_dir`` (else ``$OSIWIRE_DATA_DIR``, else ``./osiwire-data``)."""
    env = os.environ if environ is None else environ
    directory = Path(data_dir or env.get(ENV_PREFIX + "DATA_DIR") or DEFAULT_DATA_DIR)
    values: dict[str, Any] = {}
    config_path = directory / CONFIG_FILE
    if config_path.exists():
        try:
            values = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config_path}: not valid TOML: {exc}") from exc
    values = _merge(values, _env_overrides(env))
    values = _merge(values, overrides)
    values["data_dir"] = directory
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{config_path} / {ENV_PREFIX}*: setting {where!r}: {first['msg']}") from exc
