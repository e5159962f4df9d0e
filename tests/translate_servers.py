"""Real HTTP servers on 127.0.0.1 speaking LibreTranslate's and OpenAI's formats, with scripted failures.

Each server answers from a plan: a list of actions consumed one per translate request ("ok" once the list is
empty, or ``always`` when set). Every request is recorded for assertions.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The real servers' error texts, so the engines are tested against what they will meet.
LT_MISSING_KEY = "Please contact the server operator to get an API key"
LT_INVALID_KEY = "Invalid API key"
OPENAI_BAD_KEY = "Incorrect API key provided: {masked}. You can find your API key at https://platform.openai.com/account/api-keys."


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, or None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        seen = Seen(method, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        app = self.server.app
        with app.lock:
            app.seen.append(seen)
        try:
            app.handle(self, seen)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout tests)

    def send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Send JSON (or raw bytes/str as is) with Content-Length."""
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up on a slow answer is what the timeout tests do


class FakeServer:
    """A server in a thread on an ephemeral port; subclasses answer in ``handle``."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.plan: list[str] = []
        self.always: str | None = None
        self.retry_after = "2"  # the Retry-After header of a scripted 429
        self.slow_s = 5.0  # how long a "slow" action keeps the client waiting
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.app = self
        # A short poll interval: shutdown() waits for the next poll, and tests start and stop many servers.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def next_action(self) -> str:
        with self.lock:
            if self.always is not None:
                return self.always
            return self.plan.pop(0) if self.plan else "ok"

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def handle(self, handler: _Handler, seen: Seen) -> None:
        raise NotImplementedError

    @contextmanager
    def running(self) -> Iterator[FakeServer]:
        self._thread.start()
        try:
            yield self
        finally:
            self.stopping.set()  # wake slow handlers so they finish
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()


class FakeLibreTranslate(FakeServer):
    """LibreTranslate: /languages and /translate (uppercases each text); ``api_key`` set means keys are on.

    Actions: ok, 429 (Retry-After: ``retry_after``), 500, 503, malformed, wrong_count, unsupported, slow
    (answers after ``slow_s``); a batch over ``batch_limit`` texts gets the server's "exceeds text limit".
    """

    def __init__(self, api_key: str = "") -> None:
        super().__init__()
        self.api_key = api_key
        self.languages = [
            {"code": "en", "name": "English", "targets": ["kk", "ru"]},
            {"code": "kk", "name": "Kazakh", "targets": ["en"]},
            {"code": "ru", "name": "Russian", "targets": ["en", "kk"]},
        ]
        self.batch_limit = -1  # like --batch-limit; -1 is the server's default (none)

    def handle(self, handler: _Handler, seen: Seen) -> None:
        if seen.method == "GET" and seen.path == "/languages":
            handler.send(200, self.languages)
            return
        if seen.method != "POST" or seen.path != "/translate":
            handler.send(404, {"error": "Not Found"})
            return
        body = seen.body if isinstance(seen.body, dict) else {}
        if self.api_key and body.get("api_key") != self.api_key:
            if body.get("api_key"):
                handler.send(403, {"error": LT_INVALID_KEY})
            else:
                handler.send(400, {"error": LT_MISSING_KEY})
            return
        q = body.get("q")
        if not q:
            handler.send(400, {"error": "Invalid request: missing q parameter"})
            return
        texts = q if isinstance(q, list) else [q]
        if self.batch_limit != -1 and len(texts) > self.batch_limit:
            handler.send(
                400,
                {"error": f"Invalid request: request ({len(texts)}) exceeds text limit ({self.batch_limit})"},
            )
            return
        action = self.next_action()
        if action == "429":
            handler.send(429, {"error": "Slowdown: 1 per 1 second"}, {"Retry-After": self.retry_after})
        elif action in ("500", "503"):
            handler.send(int(action), {"error": "Cannot translate text: model crashed"})
        elif action == "malformed":
            handler.send(200, b'{"translatedText": ["HALF')
        elif action == "wrong_count":
            handler.send(200, {"translatedText": [text.upper() for text in texts[:-1]]})
        elif action == "unsupported":
            handler.send(
                400, {"error": "English (en) is not available as a target language from Kazakh (kk)"}
            )
        elif action == "slow" and self.stopping.wait(self.slow_s):
            return
        else:
            translated = [text.upper() for text in texts]
            handler.send(200, {"translatedText": translated if isinstance(q, list) else translated[0]})


_PROMPT_LINE = re.compile(r"(\d+)\t(.*)")


class FakeOpenAI(FakeServer):
    """POST /v1/chat/completions answering each numbered prompt line with ``N<TAB>[en] text``.

    Actions: ok, wrong_count (one line short), fenced (ok inside a ``` fence), unnumbered, 401, 429
    (Retry-After: ``retry_after``), quota (429 insufficient_quota), 500, slow (answers after ``slow_s``), length (one line
    short and finish_reason "length"), malformed (cut-off JSON). A model outside ``models`` gets OpenAI's 404.
    """

    def __init__(self, api_key: str = "", models: tuple[str, ...] = ("test-model",)) -> None:
        super().__init__()
        self.api_key = api_key
        self.models = models
        self.mask_key = (
            True  # OpenAI echoes a wrong key masked; False echoes it whole, as a careless server might
        )

    def prompts(self) -> list[tuple[str, list[str]]]:
        """(system prompt, numbered user lines) of every completion request."""
        out = []
        for seen in self.requests_to("/v1/chat/completions"):
            messages = seen.body["messages"]
            out.append((messages[0]["content"], messages[-1]["content"].split("\n")))
        return out

    def handle(self, handler: _Handler, seen: Seen) -> None:
        if seen.method != "POST" or seen.path != "/v1/chat/completions":
            handler.send(404, _error("Unknown request URL", "invalid_request_error", "unknown_url"))
            return
        if self.api_key and seen.headers.get("authorization") != f"Bearer {self.api_key}":
            sent = seen.headers.get("authorization", "").removeprefix("Bearer ")
            masked = f"{sent[:3]}***{sent[-2:]}" if sent and self.mask_key else sent
            handler.send(
                401, _error(OPENAI_BAD_KEY.format(masked=masked), "invalid_request_error", "invalid_api_key")
            )
            return
        body = seen.body
        if body["model"] not in self.models:
            message = f"The model `{body['model']}` does not exist or you do not have access to it."
            handler.send(404, _error(message, "invalid_request_error", "model_not_found"))
            return
        action = self.next_action()
        lines = [
            m.groups() for m in map(_PROMPT_LINE.fullmatch, body["messages"][-1]["content"].split("\n")) if m
        ]
        answer = [f"{n}\t[en] {text}" for n, text in lines]
        finish = "stop"
        if action == "401":
            handler.send(
                401,
                _error(OPENAI_BAD_KEY.format(masked="sk-***"), "invalid_request_error", "invalid_api_key"),
            )
            return
        if action == "429":
            message = f"Rate limit reached for requests. Please try again in {self.retry_after}s."
            handler.send(
                429, _error(message, "requests", "rate_limit_exceeded"), {"Retry-After": self.retry_after}
            )
            return
        if action == "quota":
            message = "You exceeded your current quota, please check your plan and billing details."
            handler.send(429, _error(message, "insufficient_quota", "insufficient_quota"))
            return
        if action == "500":
            handler.send(
                500, _error("The server had an error while processing your request.", "server_error", None)
            )
            return
        if action == "slow" and self.stopping.wait(self.slow_s):
            return
        if action == "malformed":
            handler.send(200, b'{"id": "chatcmpl-test", "choices": [')
            return
        if action in ("wrong_count", "length"):
            answer = answer[:-1]
            finish = "length" if action == "length" else finish
        elif action == "unnumbered":
            answer = [line.split("\t", 1)[1] for line in answer]
        elif action == "fenced":
            answer = ["```", *answer, "```"]
        handler.send(200, _completion(body["model"], "\n".join(answer), finish))


def _error(message: str, kind: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _completion(model: str, content: str, finish_reason: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
