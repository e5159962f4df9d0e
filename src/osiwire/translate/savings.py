"""How much translation work the memory saved: the share of sentences and tokens no engine had to translate."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from osiwire.model import Translation

# Words and punctuation marks, roughly what an MT tokenizer sees before subword splitting; enough to weigh a
# one-word "Спасибо." against a 60-word protocol sentence, which counting sentences alone does not.
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class MemorySavings:
    """Sentences (and their tokens) that needed translation, and how many of them the memory served."""

    sentences: int
    sentences_from_memory: int
    tokens: int
    tokens_from_memory: int

    @property
    def sentence_share(self) -> float:
        return self.sentences_from_memory / self.sentences if self.sentences else 0.0

    @property
    def token_share(self) -> float:
        return self.tokens_from_memory / self.tokens if self.tokens else 0.0

    def describe(self) -> str:
        """One line for reports: shares, then counts."""
        return (
            f"translation memory served {self.sentence_share:.1%} of sentences "
            f"({self.sentences_from_memory:,} of {self.sentences:,}) and {self.token_share:.1%} of tokens "
            f"({self.tokens_from_memory:,} of {self.tokens:,})"
        )


def count_tokens(text: str) -> int:
    """Words and punctuation marks in ``text``."""
    return len(_TOKEN.findall(text))


def memory_savings(translations: Iterable[Translation]) -> MemorySavings:
    """Add up, over translations made in order with one memory, the work the memory saved.

    Counted: sentences that needed an engine (not those kept because already in the target language or
    without letters). A sentence repeated within an article counts as served, like a memory hit: it was sent
    to the engine once.
    """
    sentences = served = tokens = served_tokens = 0
    for translation in translations:
        for pair in translation.sentences:
            if not pair.engine:
                continue
            n = count_tokens(pair.source)
            sentences += 1
            tokens += n
            if pair.from_memory:
                served += 1
                served_tokens += n
    return MemorySavings(sentences, served, tokens, served_tokens)
