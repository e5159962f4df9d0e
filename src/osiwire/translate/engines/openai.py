"""Any OpenAI-compatible chat-completions endpoint (hosted, or a local llama.cpp/vLLM/Ollama server) as an engine.

API used: ``POST {base_url}/chat/completions`` with ``{"model", "messages", "temperature"}`` and a Bearer key →
``{"choices": [{"message": {"content": "..."}, "finish_reason": "stop"}]}``; errors are
``{"error": {"message", "type", "param", "code"}}`` (401 bad key, 403, 404 unknown model, 429 rate limit or
``insufficient_quota``, 5xx). The model gets a fixed, versioned prompt and numbered lines; its answer is
accepted only with exactly one numbered line per input, in order.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from osiwire.config import OpenAIConfig
from osiwire.retry import retry_after_seconds
from osiwire.translate.base import BadResponse, EngineOutput, EngineUnavailable
from osiwire.translate.engines.retrying import CONNECT_TIMEOUT_S, MAX_ATTEMPTS, send_with_retries

logger = logging.getLogger(__name__)

# Part of model_id, so the translation memory never mixes answers to different prompts: bump it whenever
# SYSTEM_PROMPT, GLOSSARY_PROMPT or the line format changes.
PROMPT_VERSION = 1
SYSTEM_PROMPT = (
    "You translate official government releases from {source} into {target}.\n"
    "Translate every numbered line faithfully and completely, in the formal register of official documents: "
    "keep names, titles, figures, dates and quotations; add nothing and leave nothing out.\n"
    "Answer with exactly {count} lines, one per input line, in the same order. Start each line with its "
    "number, then a tab, then the translation. Keep the numbers exactly as given; do not merge, split, "
    "skip or renumber lines.\n"
    "Write only those lines: no commentary, notes, headings or explanations."
)
GLOSSARY_PROMPT = (
    "\n\nThese terms MUST be rendered exactly as given, whatever grammatical form they take in the source "
    "(source term => {target} rendering):\n{terms}"
)
TEMPERATURE = 0  # the same sentence should get the same translation; creativity is not wanted here
# A second wrong answer for the same batch suggests the batch itself is the trouble (too long, one odd
# sentence): after that many mismatches the batch is split in halves, which share the attempts left.
SPLIT_AFTER_MISMATCHES = 2
MAX_HTTP_ATTEMPTS = MAX_ATTEMPTS  # tries per request on 429/5xx/timeouts
RETRY_STATUSES = frozenset({408, 409, 429})  # besides 5xx: what OpenAI's own client retries
# Russian declension changes the last letter or two of a word (Совет → Совета, Безопасность →
# Безопасности): a glossary term is offered to the model when every word's stem occurs in the batch.
GLOSSARY_STEM_TRIM = 2
LANGUAGE_NAMES = {
    "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian", "bg": "Bulgarian", "cs": "Czech",
    "de": "German", "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fr": "French",
    "hy": "Armenian", "it": "Italian", "ja": "Japanese", "ka": "Georgian", "kk": "Kazakh", "ko": "Korean",
    "ky": "Kyrgyz", "lt": "Lithuanian", "lv": "Latvian", "mn": "Mongolian", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sr": "Serbian", "tg": "Tajik", "tk": "Turkmen",
    "tr": "Turkish", "uk": "Ukrainian", "uz": "Uzbek", "zh": "Chinese",
}  # fmt: skip
_NUMBERED = re.compile(r"(\d+)(?:\t|[.):]?[ \t]+|[.):]?$)(.*)")


class _Mismatch(Exception):
    """The model's answer is not one numbered line per input."""


class OpenAIEngine:
    """Translate through an OpenAI-compatible chat-completions endpoint with a fixed prompt."""

    name = "openai"

    def __init__(
        self,
        cfg: OpenAIConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        base_url = cfg.base_url.strip().rstrip("/")
        if not base_url:
            raise EngineUnavailable("openai: no base_url configured")
        self._where = f"openai: {httpx.URL(base_url).copy_with(userinfo=b'')}"
        self._model = cfg.model
        self._api_key = cfg.api_key or environ.get("OPENAI_API_KEY", "")
        self._batch_size = max(1, cfg.batch_size)
        self._max_attempts = max(1, cfg.max_attempts)
        self._timeout_s = cfg.timeout_s
        self._sleep = sleep
        # Local servers usually want no key at all.
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        self._client = httpx.Client(
            base_url=base_url + "/",
            transport=transport,
            headers=headers,
            timeout=httpx.Timeout(cfg.timeout_s, connect=min(CONNECT_TIMEOUT_S, cfg.timeout_s)),
        )

    def model_id(self, source_lang: str, target_lang: str) -> str:
        """``openai:<model>@p<prompt version>``."""
        return f"openai:{self._model}@p{PROMPT_VERSION}"

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Any pair of two different languages: a general LLM has no per-pair models."""
        return bool(source_lang) and bool(target_lang) and source_lang.lower() != target_lang.lower()

    def translate(
        self,
        sentences: Sequence[str],
        source_lang: str,
        target_lang: str,
        glossary: Mapping[str, str] | None = None,
    ) -> list[EngineOutput]:
        """One output per sentence, in batches of ``batch_size``; glossary terms travel in the prompt."""
        # One sentence is one line of the prompt: line breaks and tabs inside it would break the numbering.
        texts = [" ".join(sentence.split()) for sentence in sentences]
        todo = [i for i, text in enumerate(texts) if text]  # blank in, blank out: nothing to ask about
        done = [""] * len(texts)
        for start in range(0, len(todo), self._batch_size):
            batch = todo[start : start + self._batch_size]
            batch_texts = [texts[i] for i in batch]
            terms = _relevant_terms(glossary or {}, batch_texts)
            translated = self._translate_lines(
                batch_texts, source_lang, target_lang, terms, self._max_attempts
            )
            for i, text in zip(batch, translated, strict=True):
                done[i] = text
        return [EngineOutput(text) for text in done]

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def _translate_lines(
        self, texts: list[str], source_lang: str, target_lang: str, terms: Mapping[str, str], attempts: int
    ) -> list[str]:
        """Ask until the answer has one numbered line per input; split the batch on repeated mismatch."""
        problem = ""
        for attempt in range(1, attempts + 1):
            content, finish_reason = self._complete(build_messages(texts, source_lang, target_lang, terms))
            cut_off = finish_reason == "length"  # ran out of output tokens: a smaller batch will fit
            try:
                return parse_numbered_lines(content, len(texts))
            except _Mismatch as exc:
                problem = f"{exc}{' (answer cut off)' if cut_off else ''}"
            logger.warning(
                "%s: answer rejected (attempt %d of %d): %s", self._where, attempt, attempts, problem
            )
            if len(texts) > 1 and attempt < attempts and (cut_off or attempt >= SPLIT_AFTER_MISMATCHES):
                half, left = len(texts) // 2, attempts - attempt
                return self._translate_lines(
                    texts[:half], source_lang, target_lang, terms, left
                ) + self._translate_lines(texts[half:], source_lang, target_lang, terms, left)
        raise BadResponse(f"{self._where}: no valid answer for {len(texts)} sentences: {problem}")

    def _complete(self, messages: list[dict[str, str]]) -> tuple[str, str | None]:
        """The first choice's content and finish_reason; BadResponse when the envelope is not a completion."""
        response = self._post({"model": self._model, "messages": messages, "temperature": TEMPERATURE})
        try:
            body = response.json()
            choice = body["choices"][0]
            content = choice["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise BadResponse(
                f"{self._where}: not a chat completion: {_one_line(response.text)[:120]}"
            ) from exc
        if content is not None and not isinstance(content, str):
            raise BadResponse(f"{self._where}: message content is not text")
        finish_reason = choice.get("finish_reason") if isinstance(choice, dict) else None
        # content is null when the model refuses: an empty answer, rejected like any wrong one.
        return content or "", finish_reason if isinstance(finish_reason, str) else None

    def _post(self, payload: dict[str, Any]) -> httpx.Response:
        """POST with bounded retries on 408/409/429/5xx and timeouts; EngineUnavailable for the rest."""

        def retry_reason(response: httpx.Response) -> str | None:
            status = response.status_code
            if status < 400:
                return None
            message, code = self._error(response)
            if status in (401, 403):
                raise EngineUnavailable(
                    f"{self._where}: HTTP {status}: {message}; check api_key (or OPENAI_API_KEY)"
                )
            if status == 404:
                raise EngineUnavailable(
                    f"{self._where}: HTTP 404: {message}; check model {self._model!r} and base_url"
                )
            if status == 429 and code == "insufficient_quota":  # no retry will refill the account
                raise EngineUnavailable(f"{self._where}: HTTP 429: {message}")
            if status not in RETRY_STATUSES and status < 500:
                raise EngineUnavailable(f"{self._where}: request refused (HTTP {status}): {message}")
            return f"HTTP {status}: {message}"

        return send_with_retries(
            lambda: self._client.post("chat/completions", json=payload),
            where=self._where,
            what="",
            timeout_s=self._timeout_s,
            retry_reason=retry_reason,
            wait_for=lambda response: _retry_after_s(response.headers),
            sleep=self._sleep,
            attempts=MAX_HTTP_ATTEMPTS,
        )

    def _error(self, response: httpx.Response) -> tuple[str, str | None]:
        """Message and code of an error body, one line, with the api key blanked should the server echo it."""
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):  # OpenAI: {"error": {"message", "type", "param", "code"}}
            message, code = error.get("message"), error.get("code")
        else:  # other compatible servers: {"error": "..."}, {"message": "..."}, {"detail": "..."}
            fallback = (body.get("message") or body.get("detail")) if isinstance(body, dict) else None
            message, code = error or fallback, None
        text = _one_line(str(message) if message else response.text[:200] or response.reason_phrase)
        if self._api_key:
            text = text.replace(self._api_key, "***")
        return text, code if isinstance(code, str) else None


def build_messages(
    texts: Sequence[str], source_lang: str, target_lang: str, terms: Mapping[str, str]
) -> list[dict[str, str]]:
    """The chat messages for one batch: the fixed prompt (with glossary) and the numbered lines."""
    target = language_name(target_lang)
    system = SYSTEM_PROMPT.format(source=language_name(source_lang), target=target, count=len(texts))
    if terms:
        listed = "\n".join(f"{_one_line(src)} => {_one_line(dst)}" for src, dst in terms.items())
        system += GLOSSARY_PROMPT.format(target=target, terms=listed)
    numbered = "\n".join(f"{n}\t{text}" for n, text in enumerate(texts, 1))
    return [{"role": "system", "content": system}, {"role": "user", "content": numbered}]


def parse_numbered_lines(content: str, count: int) -> list[str]:
    """The texts of ``count`` lines numbered 1..count, in order, none empty; _Mismatch otherwise."""
    # Blank lines and a Markdown code fence around the answer are harmless wrapping; anything else is not.
    lines = [line.strip() for line in content.splitlines()]
    lines = [line for line in lines if line and not line.startswith("```")]
    if len(lines) != count:
        raise _Mismatch(f"{len(lines)} lines for {count} sentences")
    texts = []
    for expected, line in enumerate(lines, 1):
        match = _NUMBERED.fullmatch(line)
        if match is None or int(match.group(1)) != expected:
            raise _Mismatch(f"line {expected} does not start with number {expected}: {line[:60]!r}")
        text = match.group(2).strip()
        if not text:
            raise _Mismatch(f"line {expected} is empty")
        texts.append(text)
    return texts


def language_name(code: str) -> str:
    """English name of a language code ("ru" → "Russian"), or the code itself when unknown."""
    return LANGUAGE_NAMES.get(code.split("-")[0].lower(), f"the language with code {code!r}")


def _relevant_terms(glossary: Mapping[str, str], texts: Sequence[str]) -> dict[str, str]:
    """The glossary entries whose words (give or take an ending) all occur in the batch."""
    haystack = " ".join(texts).casefold()

    def present(term: str) -> bool:
        words = term.casefold().split()
        return bool(words) and all(w[: max(3, len(w) - GLOSSARY_STEM_TRIM)] in haystack for w in words)

    return {src: dst for src, dst in glossary.items() if present(src)}


def _retry_after_s(headers: httpx.Headers) -> float | None:
    """Seconds from retry-after-ms (OpenAI's) or Retry-After; None when absent."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    return retry_after_seconds(headers.get("retry-after"))


def _one_line(text: str) -> str:
    return " ".join(text.split())
