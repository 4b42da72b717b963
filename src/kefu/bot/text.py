"""Text normalisation and mixed Chinese/English tokenisation shared by the bot's models.

Every model in `kefu.bot` sees text through these functions, so a message is normalised the
same way at training and at prediction time: NFKC folds full-width letters, digits and
punctuation to their half-width forms, then the text is lower-cased and its whitespace
collapsed. Chinese runs are cut into words by jieba; Latin runs are split on word boundaries.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

import jieba

_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK_CLASS}]")
# A token is a run of Chinese characters (cut further by jieba), a Latin/digit word (with an
# optional apostrophe part such as "don't"), or one of the punctuation marks that carry tone.
_RUNS = re.compile(f"([{_CJK_CLASS}]+)|([a-z0-9]+(?:'[a-z]+)?)|([!?])")
_SPACES = re.compile(r"\s+")

_jieba_lock = threading.Lock()
_jieba_ready = False


def normalize(text: str) -> str:
    """Return `text` folded to half-width (NFKC), lower-cased, with single spaces."""
    folded = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return _SPACES.sub(" ", folded).strip()


def _ensure_jieba() -> None:
    # jieba builds its prefix dictionary on first use and logs at DEBUG to stderr; quieten it
    # once, on first use rather than at import, and build it under a lock so two threads
    # never race to initialise it.
    global _jieba_ready
    if _jieba_ready:
        return
    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba_ready = True


def cut_chinese(run: str) -> list[str]:
    """Cut a run of Chinese characters into words with jieba (HMM on for unknown words)."""
    _ensure_jieba()
    return [word for word in jieba.lcut(run, HMM=True) if word.strip()]


def word_tokens(text: str, *, keep_marks: bool = False) -> list[str]:
    """Split normalised text into words: jieba words for Chinese, word runs for the rest.

    `keep_marks` keeps "!" and "?" as tokens (useful for tone, noise for intents).
    Call on `normalize(text)`; raw text works too but full-width forms are not folded.
    """
    tokens: list[str] = []
    for chinese, latin, mark in _RUNS.findall(text):
        if chinese:
            tokens.extend(cut_chinese(chinese))
        elif latin:
            tokens.append(latin)
        elif keep_marks:
            tokens.append(mark)
    return tokens


def intent_tokens(text: str) -> list[str]:
    """Tokenizer for intent features: normalised words without punctuation."""
    return word_tokens(normalize(text))


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams of the normalised text within word boundaries (padded by spaces)."""
    grams: list[str] = []
    for word in normalize(text).split(" "):
        padded = f" {word} "
        for size in range(low, high + 1):
            grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return grams


def chinese_share(texts: Iterable[str]) -> float:
    """Fraction of non-space characters in `texts` that are Chinese (0.0 for no text)."""
    chinese = total = 0
    for text in texts:
        stripped = text.replace(" ", "")
        total += len(stripped)
        chinese += len(_CJK_CHAR.findall(stripped))
    return chinese / total if total else 0.0
