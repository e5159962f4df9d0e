"""Translation engines, one module each: ``ctranslate2``, ``libretranslate``, ``openai`` and ``none``.

Nothing is imported here on purpose: ``osiwire.translate.registry`` imports an engine's module only when the
engine is first asked for, so a missing optional dependency (ctranslate2, sentencepiece) disables that engine
instead of breaking ``import osiwire``.
"""
