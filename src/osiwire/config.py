"""Settings: ``osiwire.toml`` in the data directory, overridden by ``OSIWIRE_*`` environment variables.

Nested settings use a double underscore in the environment: ``OSIWIRE_FETCH__USER_AGENT=...``.
Loaded once (in the CLI or the web app factory) and passed down as an argument.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.engine import URL

from osiwire.errors import ConfigError

ENV_PREFIX = "OSIWIRE_"
# Variables with the prefix that are no setting: the data directory (--data-dir), and where the test suite
# finds ../shared/data (tests/conftest.py). Any other unknown OSIWIRE_* is an error (a mistyped setting).
NOT_SETTINGS = frozenset({ENV_PREFIX + "DATA_DIR", ENV_PREFIX + "SHARED_DATA"})
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
        20, description="Titles shorter than this take the body's language (too short to tell)."
    )


class CTranslate2Config(_Section):
    """The local CTranslate2 engine (OPUS-MT / Argos / NLLB models under ``<data_dir>/models``)."""

    device: str = Field("cpu", description="cpu, cuda or auto.")
    compute_type: str = Field(
        "default", description="default: int8 on CPU, float16 on CUDA; or int8, float32, ..."
    )
    inter_threads: int = Field(1, description="Batches translated in parallel.")
    intra_threads: int = Field(0, description="Threads per batch (0: one per core).")
    beam_size: int = Field(4, description="Beam width (1: greedy, fastest).")
    max_batch_tokens: int = Field(2048, description="Batches are cut at this many source tokens.")
    max_input_tokens: int = Field(200, description="Longer sentences are split before translation.")


class LibreTranslateConfig(_Section):
    """A LibreTranslate server."""

    url: str = Field("", description="Base URL, e.g. http://127.0.0.1:5000 (empty: engine off).")
    api_key: str = Field("", description="API key, when the server wants one.")
    timeout_s: float = Field(60.0, description="Seconds per request.")
    batch_size: int = Field(32, description="Sentences per request.")


class OpenAIConfig(_Section):
    """Any OpenAI-compatible chat-completions endpoint (hosted or local)."""

    base_url: str = Field(
        "", description="e.g. https://api.openai.com/v1 or http://127.0.0.1:8080/v1 (empty: off)."
    )
    api_key: str = Field("", description="Bearer token (or the OPENAI_API_KEY environment variable).")
    model: str = Field("gpt-4o-mini", description="Model name sent with each request.")
    timeout_s: float = Field(120.0, description="Seconds per request.")
    batch_size: int = Field(40, description="Sentences per request.")
    max_attempts: int = Field(3, description="Attempts when the answer has the wrong number of lines.")


class TranslateConfig(_Section):
    """Translation: engines, fallbacks, memory and glossary."""

    target_language: str = Field("en", description="Language releases are translated into.")
    engines: list[str] = Field(
        ["ctranslate2", "libretranslate", "openai", "none"],
        description="Engines tried in order for any pair; unconfigured or unsupporting ones are skipped.",
    )
    pairs: dict[str, list[str]] = Field(
        default_factory=dict, description='Per-pair order, e.g. {"kk-en" = ["openai", "none"]}.'
    )
    glossary_file: str = Field(
        "",
        description="A TOML glossary used beside the bundled one (default: glossary.toml in the data dir).",
    )
    retry_after_s: int = Field(
        3600, description="A failed translation is retried after this long (doubling)."
    )
    ctranslate2: CTranslate2Config = CTranslate2Config()
    libretranslate: LibreTranslateConfig = LibreTranslateConfig()
    openai: OpenAIConfig = OpenAIConfig()


class EnrichConfig(_Section):
    """Entities, people, participants, topics, countries."""

    enabled: bool = Field(True, description="Run the enrich stage on new releases.")
    topics_file: str = Field("", description="A topic taxonomy (TOML) used instead of the bundled one.")
    countries_file: str = Field(
        "", description="A country-name table (TOML) used instead of the bundled one."
    )
    max_chars: int = Field(
        200_000, description="Longer texts are enriched up to this many characters (and say so)."
    )
    names_in_glossary: bool = Field(
        True, description="Feed the English names of the people found to the translation glossary."
    )


class StoriesConfig(_Section):
    """Duplicates and story clusters across sources."""

    enabled: bool = Field(
        True, description="Run the stories stage (duplicates, story clusters) on new releases."
    )
    spike_window_hours: int = Field(
        3, ge=1, le=168, description="Spikes: the window's length in hours (hourly buckets)."
    )
    spike_baseline_hours: int = Field(
        168, ge=1, le=24 * 90, description="Spikes: the baseline before the window, in hours."
    )
    spike_factor: float = Field(
        3.0, gt=0, description="Spikes: the window holds at least this many times the baseline's rate."
    )
    spike_min_count: int = Field(5, ge=1, description="Spikes: at least this many releases in the window.")
    spike_min_sources: int = Field(
        2, ge=1, description="Spikes: from at least this many sources (a source's own spike excepted)."
    )
    breaking_sources: int = Field(3, ge=2, description="Breaking story: this many distinct sources ...")
    breaking_minutes: int = Field(60, ge=1, description="Breaking story: ... within this many minutes.")


class WebConfig(_Section):
    """The web UI and API."""

    host: str = Field("127.0.0.1", description="Address `osiwire serve` listens on.")
    port: int = Field(8000, description="Port `osiwire serve` listens on.")
    page_size: int = Field(30, description="Releases per page.")
    workers: int = Field(
        1,
        ge=0,
        description="Server processes of `osiwire serve` (each keeps its own search cache); 0: one per CPU.",
    )
    search_max_stale_s: float = Field(
        30.0,
        ge=0,
        description="After the data changes, a kept search that took 20 ms or more to evaluate or has 1,000 "
        "matches or more is still answered for up to this many seconds after its evaluation (evaluated again "
        "in the background past 30-70 % of it); 0: always the data as it is.",
    )
    threads: int = Field(
        4, ge=1, description="Requests served at once per server process (threads; more wait their turn)."
    )
    search_cache: int = Field(
        256,
        ge=0,
        description="Searches kept evaluated (hits, facets) per server process until the data changes; 0: none.",
    )
    api_token: str = Field(
        "",
        description="Bearer token of the write API (add, edit, remove sources); empty: read-only public mode.",
    )


class SearchConfig(_Section):
    """Full-text search: the engine behind the web, the API, feeds and ``osiwire search``."""

    engine: Literal["tantivy", "fts5"] = Field(
        "tantivy",
        description="tantivy: an index under index_dir, derived from the store and following its writes; "
        "fts5: SQLite's FTS5 tables with postings in memory (the earlier path, holds to ~100k releases).",
    )
    index_dir: str = Field(
        "search", description="Where the tantivy index lives, relative to the data directory (or absolute)."
    )


class PipelineConfig(_Section):
    """How the pipeline runs on this machine."""

    workers: int = Field(
        0,
        ge=0,
        description="Processes that extract and enrich pages in parallel (models loaded once in each); the "
        "main process fetches, stores and runs the later stages. 0: one per core; 1: all in one process.",
    )


class Settings(_Section):
    """Everything osiwire reads from ``osiwire.toml`` and ``OSIWIRE_*``."""

    data_dir: Path = Field(Path(DEFAULT_DATA_DIR), description="Holds the database and osiwire.toml.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in the data directory.")
    default_interval_s: int = Field(3600, description="Check interval of sources that set none.")
    fetch: FetchConfig = FetchConfig()
    extract: ExtractConfig = ExtractConfig()
    translate: TranslateConfig = TranslateConfig()
    enrich: EnrichConfig = EnrichConfig()
    stories: StoriesConfig = StoriesConfig()
    web: WebConfig = WebConfig()
    search: SearchConfig = SearchConfig()
    pipeline: PipelineConfig = PipelineConfig()

    @property
    def search_index_dir(self) -> Path | None:
        """The tantivy index's directory, or None when search runs on FTS5."""
        return self.data_dir / self.search.index_dir if self.search.engine == "tantivy" else None

    @property
    def database(self) -> str:
        if self.database_url:
            return self.database_url
        # Built, not formatted: a data directory may hold "%", "?" or "#", which a URL must escape.
        path = str((self.data_dir / "osiwire.db").resolve())
        return URL.create("sqlite", database=path).render_as_string(hide_password=False)


def _database_section(values: dict[str, Any]) -> None:
    """``[database] url = ...`` (``OSIWIRE_DATABASE__URL``) is ``database_url`` spelled as a table."""
    section = values.pop("database", None)
    if section is None:
        return
    if not isinstance(section, dict) or set(section) - {"url"}:
        raise ConfigError(f"setting 'database': expected a table with only 'url', got {section!r}")
    if section.get("url") and not values.get("database_url"):
        values["database_url"] = section["url"]


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key in NOT_SETTINGS:
            continue
        path = key[len(ENV_PREFIX) :].lower().split("__")
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = _env_value(key, value)
    return out


def _env_value(key: str, value: str) -> Any:
    # Lists and tables come as JSON: OSIWIRE_TRANSLATE__ENGINES='["openai", "none"]'.
    if value.lstrip().startswith(("[", "{")):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{key}: not valid JSON: {exc.msg}") from exc
    return value


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
    _database_section(values)
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{config_path} / {ENV_PREFIX}*: setting {where!r}: {first['msg']}") from exc
