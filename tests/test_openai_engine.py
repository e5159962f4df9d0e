"""OpenAI-compatible engine against a real HTTP server on 127.0.0.1 speaking the chat-completions API."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator

import pytest

from osiwire.config import OpenAIConfig
from osiwire.translate.base import BadResponse, EngineOutput, EngineUnavailable
from osiwire.translate.engines.openai import (
    MAX_HTTP_ATTEMPTS,
    PROMPT_VERSION,
    OpenAIEngine,
    build_messages,
    language_name,
    parse_numbered_lines,
)
from translate_servers import FakeOpenAI

pytestmark = pytest.mark.timeout(10)

KEY = "sk-test-secret-key-4242"
SENTENCES = ["Президент провёл совещание.", "Обсуждены вопросы ОДКБ.", "Заседание завершено."]
MakeEngine = Callable[..., OpenAIEngine]


class Sleeps(list[float]):
    """An injected sleep that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(api_key=KEY)
    with fake.running():
        yield fake


@pytest.fixture
def make_engine(server: FakeOpenAI, sleeps: Sleeps) -> Iterator[MakeEngine]:
    engines: list[OpenAIEngine] = []

    def make(environ: dict[str, str] | None = None, **settings: object) -> OpenAIEngine:
        values = {"base_url": server.url + "/v1", "api_key": KEY, "model": "test-model", "timeout_s": 5.0}
        engine = OpenAIEngine(OpenAIConfig(**{**values, **settings}), sleep=sleeps, environ=environ or {})
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()


def completions(server: FakeOpenAI) -> int:
    return len(server.requests_to("/v1/chat/completions"))


def test_translates_with_the_fixed_prompt(server: FakeOpenAI, make_engine: MakeEngine) -> None:
    engine = make_engine()
    out = engine.translate(SENTENCES, "ru", "en")
    assert out == [EngineOutput(f"[en] {s}", None) for s in SENTENCES]
    seen = server.requests_to("/v1/chat/completions")[0]
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.body["model"] == "test-model"
    assert seen.body["temperature"] == 0
    system, lines = server.prompts()[0]
    assert "official government releases from Russian into English" in system
    assert "exactly 3 lines" in system
    assert lines == [f"{n}\t{s}" for n, s in enumerate(SENTENCES, 1)]
    assert engine.name == "openai"
    assert engine.model_id("ru", "en") == f"openai:test-model@p{PROMPT_VERSION}"


def test_glossary_terms_in_the_prompt_inflected_forms_too(
    server: FakeOpenAI, make_engine: MakeEngine
) -> None:
    glossary = {
        "ОДКБ": "CSTO",
        "Совет Безопасности Российской Федерации": "Security Council of the Russian Federation",
        "Евразийский экономический союз": "Eurasian Economic Union",  # not in the text: left out
    }
    sentences = ["Заседание Совета Безопасности Российской Федерации.", "Саммит ОДКБ."]
    make_engine().translate(sentences, "ru", "en", glossary)
    system, _ = server.prompts()[0]
    assert "MUST be rendered exactly" in system
    assert "ОДКБ => CSTO" in system
    assert "Совет Безопасности Российской Федерации => Security Council of the Russian Federation" in system
    assert "Евразийский" not in system


def test_no_glossary_no_glossary_section(server: FakeOpenAI, make_engine: MakeEngine) -> None:
    make_engine().translate(["Мир."], "ru", "en", {})
    assert "MUST" not in server.prompts()[0][0]


def test_batches_of_batch_size_and_blanks_kept(server: FakeOpenAI, make_engine: MakeEngine) -> None:
    sentences = ["", *[f"Предложение {n}." for n in range(5)], "  "]
    out = make_engine(batch_size=2).translate(sentences, "kk", "en")
    assert [o.text for o in out] == ["", *[f"[en] Предложение {n}." for n in range(5)], ""]
    assert [len(lines) for _, lines in server.prompts()] == [2, 2, 1]
    assert "from Kazakh into English" in server.prompts()[0][0]


def test_line_breaks_inside_a_sentence_are_flattened(server: FakeOpenAI, make_engine: MakeEngine) -> None:
    out = make_engine().translate(["Первая строка\nвторая\tстрока"], "ru", "en")
    assert out[0].text == "[en] Первая строка вторая строка"


def test_code_fence_around_the_answer_is_accepted(server: FakeOpenAI, make_engine: MakeEngine) -> None:
    server.plan = ["fenced"]
    assert [o.text for o in make_engine().translate(SENTENCES, "ru", "en")] == [
        f"[en] {s}" for s in SENTENCES
    ]
    assert completions(server) == 1


@pytest.mark.parametrize("action", ["wrong_count", "unnumbered"])
def test_wrong_answer_once_then_right(
    action: str, server: FakeOpenAI, make_engine: MakeEngine, caplog: pytest.LogCaptureFixture
) -> None:
    server.plan = [action]
    out = make_engine().translate(SENTENCES, "ru", "en")
    assert [o.text for o in out] == [f"[en] {s}" for s in SENTENCES]
    assert completions(server) == 2
    assert "answer rejected (attempt 1 of 3)" in caplog.text


def test_repeated_mismatch_splits_the_batch(server: FakeOpenAI, make_engine: MakeEngine) -> None:
    server.plan = ["wrong_count", "wrong_count"]
    sentences = [f"Фраза {n}." for n in range(4)]
    out = make_engine(max_attempts=3).translate(sentences, "ru", "en")
    assert [o.text for o in out] == [f"[en] {s}" for s in sentences]
    assert [len(lines) for _, lines in server.prompts()] == [4, 4, 2, 2]


def test_cut_off_answer_splits_at_once(server: FakeOpenAI, make_engine: MakeEngine) -> None:
    server.plan = ["length"]
    out = make_engine().translate(SENTENCES, "ru", "en")
    assert len(out) == 3
    assert [len(lines) for _, lines in server.prompts()] == [3, 1, 2]


def test_always_wrong_is_bad_response_bounded(server: FakeOpenAI, make_engine: MakeEngine) -> None:
    server.always = "wrong_count"
    with pytest.raises(BadResponse, match="no valid answer") as caught:
        make_engine(max_attempts=3).translate([f"Фраза {n}." for n in range(4)], "ru", "en")
    assert completions(server) == 3  # 4, 4, then the first half once
    assert_one_line_naming_engine(str(caught.value), server.url)


def test_429_honours_retry_after(server: FakeOpenAI, make_engine: MakeEngine, sleeps: Sleeps) -> None:
    server.plan = ["429", "500"]
    assert make_engine().translate(["Мир."], "ru", "en")[0].text == "[en] Мир."
    assert sleeps == [2.0, 2.0]  # Retry-After: 2, then backoff 1 * 2 for the second retry
    assert completions(server) == 3


def test_always_429_gives_up(server: FakeOpenAI, make_engine: MakeEngine, sleeps: Sleeps) -> None:
    server.always = "429"
    with pytest.raises(EngineUnavailable, match="HTTP 429: Rate limit reached") as caught:
        make_engine().translate(["Мир."], "ru", "en")
    assert completions(server) == MAX_HTTP_ATTEMPTS
    assert len(sleeps) == MAX_HTTP_ATTEMPTS - 1
    assert_one_line_naming_engine(str(caught.value), server.url)


def test_long_retry_after_is_not_waited_for(
    server: FakeOpenAI, make_engine: MakeEngine, sleeps: Sleeps
) -> None:
    server.always = "429"
    server.retry_after = "600"
    with pytest.raises(EngineUnavailable, match="asks to wait 600 s"):
        make_engine().translate(["Мир."], "ru", "en")
    assert (sleeps, completions(server)) == ([], 1)


def test_insufficient_quota_is_not_retried(
    server: FakeOpenAI, make_engine: MakeEngine, sleeps: Sleeps
) -> None:
    server.always = "quota"
    with pytest.raises(EngineUnavailable, match="exceeded your current quota"):
        make_engine().translate(["Мир."], "ru", "en")
    assert (sleeps, completions(server)) == ([], 1)


def test_timeout_retried_then_unavailable(
    server: FakeOpenAI, make_engine: MakeEngine, sleeps: Sleeps
) -> None:
    server.always = "slow"
    with pytest.raises(EngineUnavailable, match=r"timed out after 0\.1 s") as caught:
        make_engine(timeout_s=0.1).translate(["Мир."], "ru", "en")
    assert completions(server) == MAX_HTTP_ATTEMPTS
    assert_one_line_naming_engine(str(caught.value), server.url)


def test_unknown_model_is_unavailable(server: FakeOpenAI, make_engine: MakeEngine, sleeps: Sleeps) -> None:
    with pytest.raises(EngineUnavailable, match="model `gpt-nope` does not exist") as caught:
        make_engine(model="gpt-nope").translate(["Мир."], "ru", "en")
    assert "check model 'gpt-nope'" in str(caught.value)
    assert sleeps == []
    assert_one_line_naming_engine(str(caught.value), server.url)


@pytest.mark.parametrize(
    ("api_key", "environ"), [("sk-wrong-key-000", {}), ("", {}), ("", {"OPENAI_API_KEY": "sk-bad-env"})]
)
def test_bad_key_says_check_api_key(
    api_key: str, environ: dict[str, str], server: FakeOpenAI, make_engine: MakeEngine, sleeps: Sleeps
) -> None:
    with pytest.raises(EngineUnavailable, match=r"HTTP 401: Incorrect API key.*check api_key") as caught:
        make_engine(api_key=api_key, environ=environ).translate(["Мир."], "ru", "en")
    assert sleeps == []
    assert "sk-wrong-key-000" not in str(caught.value)
    assert "sk-bad-env" not in str(caught.value)
    assert_one_line_naming_engine(str(caught.value), server.url)


def test_key_from_environment(server: FakeOpenAI, make_engine: MakeEngine) -> None:
    make_engine(api_key="", environ={"OPENAI_API_KEY": KEY}).translate(["Мир."], "ru", "en")
    assert server.seen[0].headers["authorization"] == f"Bearer {KEY}"


def test_no_key_sends_no_authorization(sleeps: Sleeps) -> None:
    fake = FakeOpenAI()  # a local server that wants no key
    with fake.running():
        engine = OpenAIEngine(
            OpenAIConfig(base_url=fake.url + "/v1/", model="test-model"), sleep=sleeps, environ={}
        )
        try:
            assert engine.translate(["Мир."], "ru", "en")[0].text == "[en] Мир."
        finally:
            engine.close()
    assert "authorization" not in fake.seen[0].headers


def test_key_never_logged(
    server: FakeOpenAI, make_engine: MakeEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx and httpcore included
    server.plan = ["500", "wrong_count"]
    engine = make_engine()
    engine.translate(SENTENCES, "ru", "en")
    server.always = "401"
    with pytest.raises(EngineUnavailable) as caught:
        engine.translate(SENTENCES, "ru", "en")
    assert "retry 1 of" in caplog.text and "answer rejected" in caplog.text
    assert KEY not in caplog.text
    assert KEY not in str(caught.value)


def test_echoed_key_is_blanked(sleeps: Sleeps) -> None:
    fake = FakeOpenAI(api_key="expected-key")
    fake.mask_key = False  # a server that echoes the whole wrong key back
    with fake.running():
        engine = OpenAIEngine(
            OpenAIConfig(base_url=fake.url + "/v1", api_key="sk-leaky"), sleep=sleeps, environ={}
        )
        try:
            with pytest.raises(EngineUnavailable, match=r"Incorrect API key provided: \*\*\*\.") as caught:
                engine.translate(["Мир."], "ru", "en")
        finally:
            engine.close()
    assert "sk-leaky" not in str(caught.value)


def test_malformed_completion_is_bad_response(server: FakeOpenAI, make_engine: MakeEngine) -> None:
    server.always = "malformed"
    with pytest.raises(BadResponse, match="not a chat completion") as caught:
        make_engine().translate(["Мир."], "ru", "en")
    assert completions(server) == 1
    assert_one_line_naming_engine(str(caught.value), server.url)


def test_wrong_path_is_unavailable(server: FakeOpenAI, make_engine: MakeEngine) -> None:
    engine = make_engine(base_url=server.url + "/v1/elsewhere")
    with pytest.raises(EngineUnavailable, match="HTTP 404: Unknown request URL"):
        engine.translate(["Мир."], "ru", "en")


def test_nothing_listening_is_unavailable_at_once(sleeps: Sleeps) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
        engine = OpenAIEngine(OpenAIConfig(base_url=url), sleep=sleeps, environ={})
        try:
            with pytest.raises(EngineUnavailable, match="cannot connect"):
                engine.translate(["Мир."], "ru", "en")
        finally:
            engine.close()
    assert sleeps == []


def test_no_base_url() -> None:
    with pytest.raises(EngineUnavailable, match=r"^openai: no base_url configured$"):
        OpenAIEngine(OpenAIConfig(base_url=""), environ={})


def test_supports_any_pair_of_two_languages(make_engine: MakeEngine) -> None:
    engine = make_engine()
    assert engine.supports("ru", "en") and engine.supports("hy", "en") and engine.supports("xx", "en")
    assert not engine.supports("en", "en")
    assert not engine.supports("EN", "en")


@pytest.mark.parametrize(
    ("content", "count", "expected"),
    [
        ("1\tA\n2\tB", 2, ["A", "B"]),
        ("1. A\n\n2) B\n", 2, ["A", "B"]),
        ("```\n1\tA\n```", 1, ["A"]),
        ("1\t2024 year", 1, ["2024 year"]),
    ],
)
def test_parse_numbered_lines_accepts(content: str, count: int, expected: list[str]) -> None:
    assert parse_numbered_lines(content, count) == expected


@pytest.mark.parametrize(
    ("content", "count"),
    [
        ("1\tA", 2),  # too few
        ("1\tA\n2\tB\n3\tC", 2),  # too many
        ("2\tB\n1\tA", 2),  # out of order
        ("1\tA\n1\tB", 2),  # duplicate number
        ("A\nB", 2),  # no numbers
        ("1\tA\n2\t", 2),  # empty translation
        ("Here is the translation:\n1\tA", 1),  # commentary
        ("", 1),
    ],
)
def test_parse_numbered_lines_rejects(content: str, count: int) -> None:
    with pytest.raises(Exception, match=r"lines for|does not start|is empty"):
        parse_numbered_lines(content, count)


def test_prompt_text_is_stable() -> None:
    messages = build_messages(["Текст."], "ru", "en", {"ОДКБ": "CSTO"})
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[1]["content"] == "1\tТекст."
    assert "one per input line, in the same order" in messages[0]["content"]
    assert "no commentary" in messages[0]["content"]
    assert language_name("hy") == "Armenian" and language_name("zh-Hans") == "Chinese"
    assert language_name("xx") == "the language with code 'xx'"


def assert_one_line_naming_engine(message: str, url: str) -> None:
    assert "\n" not in message
    assert message.startswith(f"openai: {url}/v1")
