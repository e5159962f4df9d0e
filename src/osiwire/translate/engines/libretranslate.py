"""A LibreTranslate server (https://github.com/LibreTranslate/LibreTranslate) as a translation engine.

API used: ``GET /languages`` → ``[{"code", "name", "targets"}]``; ``POST /translate`` with JSON
``{"q": [...], "source", "target", "format": "text", "api_key"}`` → ``{"translatedText": [...]}`` (a list
for list input); errors are ``{"error": "..."}`` with 400 (bad request, unsupported language, text limit,
missing key), 403 (invalid key, banned), 429 (slow down) and 500 (translation failed).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from osiwire.config import LibreTranslateConfig
from osiwire.retry import retry_after_seconds
from osiwire.translate.base import BadResponse, EngineOutput, EngineUnavailable, UnsupportedPair
from osiwire.translate.engines.retrying import CONNECT_TIMEOUT_S, send_with_retries

logger = logging.getLogger(__name__)

# LibreTranslate's 400 messages for a pair it cannot translate ("xx is not supported", "English (en) is not
# available as a target language from Kazakh (kk)") and for a batch over its --char-limit/--batch-limit.
UNSUPPORTED_MARKERS = ("not supported", "not available as a target language")
TOO_LONG_MARKER = "exceeds text limit"


class LibreTranslateEngine:
    """Translate through a LibreTranslate server's HTTP API."""

    name = "libretranslate"

    def __init__(
        self,
        cfg: LibreTranslateConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        url = cfg.url.strip().rstrip("/")
        if not url:
            raise EngineUnavailable("libretranslate: no url configured")
        self._url = url
        self._shown_url = _without_userinfo(url)
        self._api_key = cfg.api_key
        self._batch_size = max(1, cfg.batch_size)
        self._timeout_s = cfg.timeout_s
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=url,
            transport=transport,
            timeout=httpx.Timeout(cfg.timeout_s, connect=min(CONNECT_TIMEOUT_S, cfg.timeout_s)),
        )
        self._targets: dict[str, frozenset[str]] | None = None  # /languages, fetched once

    def model_id(self, source_lang: str, target_lang: str) -> str:
        """``libretranslate@host:port``: the server reports no model version, so the server stands for it."""
        parsed = httpx.URL(self._url)
        port = f":{parsed.port}" if parsed.port else ""
        return f"libretranslate@{parsed.host}{port}"

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Whether ``/languages`` lists the pair; False (and a warning) while the server is unreachable."""
        try:
            targets = self._language_targets()
        except (EngineUnavailable, BadResponse) as exc:
            logger.warning("%s", exc)
            return False
        return target_lang in targets.get(source_lang, frozenset())

    def translate(
        self,
        sentences: Sequence[str],
        source_lang: str,
        target_lang: str,
        glossary: Mapping[str, str] | None = None,
    ) -> list[EngineOutput]:
        """One output per sentence, in batches of ``batch_size``; the glossary is left to the translator."""
        if not sentences:
            return []
        if target_lang not in self._language_targets().get(source_lang, frozenset()):
            raise UnsupportedPair(f"{self._where()}: no model for {source_lang}->{target_lang}")
        texts = list(sentences)
        # Blank sentences are not sent: the server refuses an empty q and has nothing to translate anyway.
        todo = [i for i, text in enumerate(texts) if text.strip()]
        done = [""] * len(texts)
        for start in range(0, len(todo), self._batch_size):
            batch = todo[start : start + self._batch_size]
            for i, text in zip(
                batch, self._translate_batch([texts[i] for i in batch], source_lang, target_lang), strict=True
            ):
                done[i] = text
        return [EngineOutput(text) for text in done]

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        payload: dict[str, Any] = {"q": texts, "source": source_lang, "target": target_lang, "format": "text"}
        if self._api_key:
            payload["api_key"] = self._api_key
        response = self._request("POST", "/translate", payload)
        if response.status_code == 400:
            message = _error_message(response)
            lowered = message.lower()
            if any(marker in lowered for marker in UNSUPPORTED_MARKERS):
                raise UnsupportedPair(f"{self._where()}: {source_lang}->{target_lang}: {message}")
            if TOO_LONG_MARKER in lowered and len(texts) > 1:
                # The server's --char-limit/--batch-limit is below our batch: halve until it fits.
                half = len(texts) // 2
                return self._translate_batch(texts[:half], source_lang, target_lang) + self._translate_batch(
                    texts[half:], source_lang, target_lang
                )
            raise EngineUnavailable(f"{self._where()}: request refused (HTTP 400): {message}")
        self._raise_for_refusal(response)
        body = _json(response, self._where())
        translated = body.get("translatedText") if isinstance(body, dict) else None
        if not isinstance(translated, list) or not all(isinstance(text, str) for text in translated):
            raise BadResponse(f"{self._where()}: translatedText is not a list of strings")
        if len(translated) != len(texts):
            raise BadResponse(f"{self._where()}: {len(translated)} translations for {len(texts)} sentences")
        return translated

    def _language_targets(self) -> dict[str, frozenset[str]]:
        if self._targets is None:
            response = self._request("GET", "/languages", None)
            self._raise_for_refusal(response)
            self._targets = _parse_languages(response, self._where())
        return self._targets

    def _request(self, method: str, path: str, payload: dict[str, Any] | None) -> httpx.Response:
        """Send with bounded retries on 429, 5xx and timeouts; EngineUnavailable when they run out."""

        def retry_reason(response: httpx.Response) -> str | None:
            if response.status_code != 429 and response.status_code < 500:
                return None
            return f"{path} answered HTTP {response.status_code}: {_error_message(response)}"

        return send_with_retries(
            lambda: self._client.request(method, path, json=payload),
            where=self._where(),
            what=f"{path} ",
            timeout_s=self._timeout_s,
            retry_reason=retry_reason,
            wait_for=lambda response: retry_after_seconds(response.headers.get("retry-after")),
            sleep=self._sleep,
        )

    def _raise_for_refusal(self, response: httpx.Response) -> None:
        if response.status_code == 403:
            raise EngineUnavailable(
                f"{self._where()}: access denied (HTTP 403): {_error_message(response)}; check api_key"
            )
        if response.status_code >= 400:
            raise EngineUnavailable(
                f"{self._where()}: HTTP {response.status_code}: {_error_message(response)}"
            )

    def _where(self) -> str:
        return f"libretranslate: {self._shown_url}"


def _parse_languages(response: httpx.Response, where: str) -> dict[str, frozenset[str]]:
    """``/languages`` as {source: targets}; servers older than 1.3 list no targets and translate any pair."""
    languages = _json(response, where)
    if not isinstance(languages, list) or not all(
        isinstance(lang, dict) and isinstance(lang.get("code"), str) for lang in languages
    ):
        raise BadResponse(f"{where}: /languages is not a list of languages")
    codes = frozenset(str(lang["code"]) for lang in languages)
    targets: dict[str, frozenset[str]] = {}
    for lang in languages:
        listed = lang.get("targets")
        listed_ok = isinstance(listed, list) and all(isinstance(t, str) for t in listed)
        targets[str(lang["code"])] = frozenset(listed) if listed_ok else codes - {lang["code"]}
    return targets


def _json(response: httpx.Response, where: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise BadResponse(f"{where}: {response.request.url.path} answered malformed JSON") from exc


def _error_message(response: httpx.Response) -> str:
    """The server's ``{"error": "..."}`` text, else the start of the body, on one line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    message = body.get("error") if isinstance(body, dict) else None
    text = str(message) if message else response.text[:200] or response.reason_phrase
    return " ".join(text.split())


def _without_userinfo(url: str) -> str:
    """The URL for messages and logs, without any user:password in it."""
    return str(httpx.URL(url).copy_with(userinfo=b""))
