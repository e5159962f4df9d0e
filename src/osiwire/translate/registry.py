"""Which engines exist, built on first use, and in which order they are tried for a language pair.

An engine's module is imported only when the engine is first asked for (``importlib``), so a missing optional
dependency (ctranslate2) or an unconfigured server disables that one engine with a logged reason instead of
breaking ``import osiwire`` or the other engines.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import cast

from osiwire.config import TranslateConfig
from osiwire.translate.base import Engine
from osiwire.translate.engines.none import NoneEngine

logger = logging.getLogger(__name__)

NONE_ENGINE = "none"

EngineFactory = Callable[[], Engine]


class _Unconfigured(Exception):
    """Raised by a factory whose engine is switched off in the settings (the message says which)."""


class EngineSet:
    """Engines by name, each built on first use; an engine that cannot be built is skipped with its reason."""

    def __init__(
        self,
        factories: Mapping[str, EngineFactory],
        order: Sequence[str],
        pairs: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._factories = dict(factories)
        self._order = list(order)
        self._pairs = {key: list(names) for key, names in (pairs or {}).items()}
        self._built: dict[str, Engine] = {}
        self._unavailable: dict[str, str] = {}
        self._lock = threading.Lock()  # two threads asking at once must not load a model twice

    def get(self, name: str) -> Engine | None:
        """The engine called ``name``, built now if need be; None when it cannot be (see ``unavailable``)."""
        with self._lock:
            return self._get(name)

    def _get(self, name: str) -> Engine | None:
        if name in self._built:
            return self._built[name]
        if name in self._unavailable:
            return None
        factory = self._factories.get(name)
        if factory is None:
            self._unavailable[name] = "unknown engine"
        else:
            try:
                self._built[name] = factory()
                return self._built[name]
            except _Unconfigured as exc:
                self._unavailable[name] = str(exc)
            except ImportError as exc:
                self._unavailable[name] = f"not installed ({exc})"
            except Exception as exc:  # any failure of an optional engine must leave the others working
                self._unavailable[name] = f"failed to start: {type(exc).__name__}: {exc}"
        self._unavailable[name] = " ".join(self._unavailable[name].split())
        logger.info("translation engine %s skipped: %s", name, self._unavailable[name])
        return None

    def unavailable(self) -> dict[str, str]:
        """Engines that could not be built so far, with the reason."""
        return dict(self._unavailable)

    def names_for(self, source_lang: str, target_lang: str) -> list[str]:
        """The configured order for a pair: ``pairs["ru-en"]`` or the general order, ``none`` last."""
        names = self._pairs.get(f"{source_lang}-{target_lang}", self._order)
        names = list(dict.fromkeys(names))
        if NONE_ENGINE in names:
            names = [n for n in names if n != NONE_ENGINE] + [NONE_ENGINE]
        return names

    def order_for(self, source_lang: str, target_lang: str) -> list[Engine]:
        """The engines to try for a pair, in order, leaving out those that cannot be built or lack the pair."""
        engines = []
        for name in self.names_for(source_lang, target_lang):
            engine = self.get(name)
            if engine is None:
                continue
            try:
                supported = engine.supports(source_lang, target_lang)
            except Exception as exc:  # an engine that cannot even answer this cannot translate either
                logger.warning(
                    "translation engine %s: supports(%s, %s) failed: %s", name, source_lang, target_lang, exc
                )
                supported = False
            if supported:
                engines.append(engine)
        return engines

    def only(self, name: str) -> EngineSet:
        """The same engines restricted to ``name`` for every pair (``osiwire translate --engine E``)."""
        restricted = EngineSet(self._factories, [name])
        restricted._built = self._built  # share what is already loaded: models load once per process
        restricted._unavailable = self._unavailable
        restricted._lock = self._lock
        return restricted

    def close(self) -> None:
        """Close every engine built so far."""
        for name, engine in list(self._built.items()):
            try:
                engine.close()
            except Exception as exc:  # closing is best effort: the process is usually ending
                logger.warning("translation engine %s: close failed: %s", name, exc)
        self._built.clear()


def _load(module: str, cls: str) -> Callable[..., Engine]:
    # Imported here, not at the top: see the module docstring.
    return cast("Callable[..., Engine]", getattr(importlib.import_module(module), cls))


def build_engines(cfg: TranslateConfig, models_dir: Path) -> EngineSet:
    """The engines of ``cfg``, each built on first use."""

    def ctranslate2() -> Engine:
        return _load("osiwire.translate.engines.ctranslate2", "CTranslate2Engine")(
            cfg.ctranslate2, models_dir
        )

    def libretranslate() -> Engine:
        if not cfg.libretranslate.url:
            raise _Unconfigured("translate.libretranslate.url is not set")
        return _load("osiwire.translate.engines.libretranslate", "LibreTranslateEngine")(cfg.libretranslate)

    def openai() -> Engine:
        if not cfg.openai.base_url:
            raise _Unconfigured("translate.openai.base_url is not set")
        return _load("osiwire.translate.engines.openai", "OpenAIEngine")(cfg.openai)

    factories: dict[str, EngineFactory] = {
        "ctranslate2": ctranslate2,
        "libretranslate": libretranslate,
        "openai": openai,
        NONE_ENGINE: NoneEngine,
    }
    return EngineSet(factories, cfg.engines, cfg.pairs)
