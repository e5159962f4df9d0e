"""LibreTranslate engine against a real HTTP server on 127.0.0.1 speaking LibreTranslate's API."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator

import pytest

from osiwire.config import LibreTranslateConfig
from osiwire.translate.base import BadResponse, EngineOutput, EngineUnavailable, UnsupportedPair
from osiwire.translate.engines.libretranslate import LibreTranslateEngine
from osiwire.translate.engines.retrying import MAX_ATTEMPTS
from translate_servers import FakeLibreTranslate

pytestmark = pytest.mark.timeout(10)

MakeEngine = Callable[..., LibreTranslateEngine]
KEY = "lt-secret-key-4242"
SENTENCES = ["Президент провёл совещание.", "Обсуждены вопросы ОДКБ.", "Заседание завершено."]


@pytest.fixture
def server() -> Iterator[FakeLibreTranslate]:
    fake = FakeLibreTranslate()
    with fake.running():
        yield fake


class Sleeps(list[float]):
    """An injected sleep that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_engine(server: FakeLibreTranslate, sleeps: Sleeps) -> Iterator[Callable[..., LibreTranslateEngine]]:
    engines: list[LibreTranslateEngine] = []

    def make(**settings: object) -> LibreTranslateEngine:
        cfg = LibreTranslateConfig(**{"url": server.url, "timeout_s": 5.0, **settings})
        engine = LibreTranslateEngine(cfg, sleep=sleeps)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()


def translate_calls(server: FakeLibreTranslate) -> int:
    return len(server.requests_to("/translate"))


def test_translates_a_list_in_one_request(server: FakeLibreTranslate, make_engine: MakeEngine) -> None:
    engine = make_engine()
    out = engine.translate(SENTENCES, "ru", "en")
    assert out == [EngineOutput(s.upper(), None) for s in SENTENCES]
    body = server.requests_to("/translate")[0].body
    assert body == {"q": SENTENCES, "source": "ru", "target": "en", "format": "text"}  # no api_key when unset
    assert engine.name == "libretranslate"


def test_batches_of_batch_size(server: FakeLibreTranslate, make_engine: MakeEngine) -> None:
    sentences = [f"Предложение {n}." for n in range(7)]
    out = make_engine(batch_size=3).translate(sentences, "ru", "en")
    assert [o.text for o in out] == [s.upper() for s in sentences]
    assert [len(seen.body["q"]) for seen in server.requests_to("/translate")] == [3, 3, 1]


def test_blank_sentences_are_kept_and_not_sent(server: FakeLibreTranslate, make_engine: MakeEngine) -> None:
    out = make_engine().translate(["", "Текст.", "  "], "ru", "en")
    assert [o.text for o in out] == ["", "ТЕКСТ.", ""]
    assert server.requests_to("/translate")[0].body["q"] == ["Текст."]
    assert make_engine().translate([], "ru", "en") == []


def test_languages_fetched_once_and_pairs_from_targets(
    server: FakeLibreTranslate, make_engine: MakeEngine
) -> None:
    engine = make_engine()
    assert engine.supports("ru", "en")
    assert engine.supports("kk", "en")
    assert not engine.supports("kk", "ru")  # kk lists only en as a target
    assert not engine.supports("hy", "en")
    engine.translate(["Да."], "ru", "en")
    assert len(server.requests_to("/languages")) == 1


def test_model_id_names_the_server(server: FakeLibreTranslate, make_engine: MakeEngine) -> None:
    port = server.url.rsplit(":", 1)[1]
    assert make_engine().model_id("ru", "en") == f"libretranslate@127.0.0.1:{port}"


def test_api_key_sent_in_body_and_never_logged(caplog: pytest.LogCaptureFixture, sleeps: Sleeps) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeLibreTranslate(api_key=KEY)
    fake.plan = ["503"]
    with fake.running():
        engine = LibreTranslateEngine(LibreTranslateConfig(url=fake.url, api_key=KEY), sleep=sleeps)
        try:
            assert engine.translate(["Мир."], "ru", "en")[0].text == "МИР."
        finally:
            engine.close()
        assert [seen.body["api_key"] for seen in fake.requests_to("/translate")] == [KEY, KEY]
    assert "retry 1 of" in caplog.text  # the retry was logged ...
    assert KEY not in caplog.text  # ... without the key


@pytest.mark.parametrize(
    ("api_key", "expected"),
    [("", "Please contact the server operator"), ("wrong-key", "check api_key")],
)
def test_missing_or_wrong_key_is_unavailable(api_key: str, expected: str, sleeps: Sleeps) -> None:
    fake = FakeLibreTranslate(api_key=KEY)
    with fake.running():
        engine = LibreTranslateEngine(LibreTranslateConfig(url=fake.url, api_key=api_key), sleep=sleeps)
        try:
            with pytest.raises(EngineUnavailable, match=expected) as caught:
                engine.translate(["Мир."], "ru", "en")
        finally:
            engine.close()
    assert_one_line_naming_engine(str(caught.value), fake.url)
    assert sleeps == []  # refusals are not retried


@pytest.mark.parametrize(
    ("plan", "waits"),
    [
        (["429"], [2.0]),  # Retry-After honoured
        (["500", "500"], [1.0, 2.0]),  # exponential backoff without Retry-After
    ],
)
def test_retries_then_succeeds(
    plan: list[str], waits: list[float], server: FakeLibreTranslate, make_engine: MakeEngine, sleeps: Sleeps
) -> None:
    server.plan = list(plan)
    out = make_engine().translate(["Мир."], "ru", "en")
    assert out[0].text == "МИР."
    assert sleeps == waits
    assert translate_calls(server) == len(plan) + 1


def test_always_503_gives_up_bounded(
    server: FakeLibreTranslate, make_engine: MakeEngine, sleeps: Sleeps
) -> None:
    server.always = "503"
    with pytest.raises(EngineUnavailable, match="HTTP 503") as caught:
        make_engine().translate(["Мир."], "ru", "en")
    assert translate_calls(server) == MAX_ATTEMPTS
    assert len(sleeps) == MAX_ATTEMPTS - 1
    assert_one_line_naming_engine(str(caught.value), server.url)


def test_long_retry_after_is_not_waited_for(
    server: FakeLibreTranslate, make_engine: MakeEngine, sleeps: Sleeps
) -> None:
    server.always = "429"
    server.retry_after = "3600"
    with pytest.raises(EngineUnavailable, match="asks to wait 3600 s"):
        make_engine().translate(["Мир."], "ru", "en")
    assert sleeps == []
    assert translate_calls(server) == 1


def test_unsupported_pair_from_languages_sends_nothing(
    server: FakeLibreTranslate, make_engine: MakeEngine
) -> None:
    with pytest.raises(UnsupportedPair, match="hy->en") as caught:
        make_engine().translate(["Բարեւ"], "hy", "en")
    assert translate_calls(server) == 0
    assert_one_line_naming_engine(str(caught.value), server.url)


def test_unsupported_pair_from_translate_400(server: FakeLibreTranslate, make_engine: MakeEngine) -> None:
    server.plan = ["unsupported"]
    with pytest.raises(UnsupportedPair, match="not available as a target language") as caught:
        make_engine().translate(["Сәлем"], "kk", "en")
    assert_one_line_naming_engine(str(caught.value), server.url)


@pytest.mark.parametrize(
    ("action", "match"), [("malformed", "malformed JSON"), ("wrong_count", "1 translations for 2")]
)
def test_bad_responses(action: str, match: str, server: FakeLibreTranslate, make_engine: MakeEngine) -> None:
    server.plan = [action]
    with pytest.raises(BadResponse, match=match) as caught:
        make_engine().translate(["Один.", "Два."], "ru", "en")
    assert_one_line_naming_engine(str(caught.value), server.url)


def test_batch_over_server_limit_is_halved(server: FakeLibreTranslate, make_engine: MakeEngine) -> None:
    server.batch_limit = 2
    sentences = [f"Фраза {n}." for n in range(5)]
    out = make_engine(batch_size=5).translate(sentences, "ru", "en")
    assert [o.text for o in out] == [s.upper() for s in sentences]
    assert [len(seen.body["q"]) for seen in server.requests_to("/translate")] == [5, 2, 3, 1, 2]


def test_timeout_is_retried_then_unavailable(
    server: FakeLibreTranslate, make_engine: MakeEngine, sleeps: Sleeps
) -> None:
    server.always = "slow"
    with pytest.raises(EngineUnavailable, match=r"timed out after 0\.1 s") as caught:
        make_engine(timeout_s=0.1).translate(["Мир."], "ru", "en")
    assert translate_calls(server) == MAX_ATTEMPTS
    assert len(sleeps) == MAX_ATTEMPTS - 1
    assert_one_line_naming_engine(str(caught.value), server.url)


def test_nothing_listening_is_unavailable_at_once(sleeps: Sleeps) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"  # bound, not listening: connection refused
        engine = LibreTranslateEngine(LibreTranslateConfig(url=url), sleep=sleeps)
        try:
            assert not engine.supports("ru", "en")
            with pytest.raises(EngineUnavailable, match="cannot connect") as caught:
                engine.translate(["Мир."], "ru", "en")
        finally:
            engine.close()
    assert sleeps == []
    assert_one_line_naming_engine(str(caught.value), url)


def test_no_url_configured() -> None:
    with pytest.raises(EngineUnavailable, match=r"^libretranslate: no url configured$"):
        LibreTranslateEngine(LibreTranslateConfig(url="  "))


def assert_one_line_naming_engine(message: str, url: str) -> None:
    assert "\n" not in message
    assert message.startswith(f"libretranslate: {url}")
