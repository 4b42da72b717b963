"""Sentiment and anger on every customer message, in Chinese and English.

Chinese: a logistic regression over hashed word (jieba, 1-2 grams) and character (1-3 grams)
TF-IDF features, trained on e-commerce reviews (`scripts/train_sentiment.py` rebuilds it) and
shipped as `models/sentiment-zh.npz` — plain arrays, no pickle. English: a small lexicon with
negation, since no labelled English sentiment data ships with Kefu. Anger is a negative
message with anger cues: words such as 投诉/差评/骗子/"lawyer", or shouting (!!!, ？？？, CAPS).
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression

from kefu.bot.lexicon import ANGER_EN, ANGER_ZH, NEGATE_EN, NEGATIVE_EN, POSITIVE_EN
from kefu.bot.text import char_ngrams, chinese_share, normalize, word_tokens

MODEL_FILE = "sentiment-zh.npz"
MODEL_VERSION = 1
HASH_BITS = 18
# The Chinese model learnt from reviews, where plain questions ("我的快递到哪了") do not occur
# and lean negative; a wide neutral band keeps them neutral.
_NEGATIVE_AT = 0.8  # P(negative) from which a message reads as negative
_POSITIVE_AT = 0.2
_SHOUT = re.compile(r"[!?]{2,}")
_CAPS_WORD = re.compile(r"\b[A-Z]{4,}\b")

Label = Literal["negative", "neutral", "positive"]


@dataclass(frozen=True)
class Sentiment:
    language: Literal["zh", "en"]
    negative: float  # estimated P(negative), 0..1
    label: Label
    angry: bool
    anger_cues: tuple[str, ...]


def sentiment_tokens(text: str) -> list[str]:
    """Features of one text for the Chinese model: words, word bigrams, character 1-3 grams."""
    normal = normalize(text)
    words = word_tokens(normal, keep_marks=True)
    bigrams = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return words + bigrams + char_ngrams(normal, 1, 3)


def _hasher() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer=sentiment_tokens, n_features=2**HASH_BITS, alternate_sign=False, norm=None
    )


@dataclass(frozen=True)
class ChineseSentimentModel:
    """Hashed TF-IDF (sublinear, L2) weights and a logistic regression; label 1 = positive."""

    idf: NDArray[np.float32]
    coef: NDArray[np.float32]
    intercept: float

    def negative_probability(self, texts: Sequence[str]) -> NDArray[np.float64]:
        counts = sp.csr_matrix(_hasher().transform(list(texts)), dtype=np.float64)
        counts.data = np.log(counts.data) + 1.0
        weighted = sp.csr_matrix(counts @ sp.diags(self.idf.astype(np.float64)))
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        logits = (sp.diags(1.0 / norms) @ weighted) @ self.coef.astype(np.float64)
        return np.asarray(1.0 / (1.0 + np.exp(logits + self.intercept)), dtype=np.float64)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            version=np.array([MODEL_VERSION, HASH_BITS]),
            idf=self.idf.astype(np.float16),
            coef=self.coef.astype(np.float16),
            intercept=np.array([self.intercept]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ChineseSentimentModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            version, bits = (int(v) for v in arrays["version"])
            if version != MODEL_VERSION or bits != HASH_BITS:
                raise ValueError(f"sentiment model version {version}/{bits} is not supported")
            return cls(
                arrays["idf"].astype(np.float32),
                arrays["coef"].astype(np.float32),
                float(arrays["intercept"][0]),
            )


def train_chinese_sentiment(
    texts: Sequence[str], positive: Sequence[int], *, c: float = 3.0
) -> ChineseSentimentModel:
    """Fit the Chinese model on texts labelled 1 (positive) or 0 (negative)."""
    counts = _hasher().transform(list(texts))
    tfidf = TfidfTransformer(sublinear_tf=True)
    features = tfidf.fit_transform(counts)
    classifier = LogisticRegression(C=c, max_iter=2000).fit(features, np.asarray(positive))
    return ChineseSentimentModel(
        idf=tfidf.idf_.astype(np.float32),
        coef=classifier.coef_[0].astype(np.float32),
        intercept=float(classifier.intercept_[0]),
    )


@functools.lru_cache(maxsize=1)
def shipped_model() -> ChineseSentimentModel:
    """The model file that ships in the package, loaded once per process."""
    models = importlib.resources.files("kefu.bot").joinpath("models")
    data = models.joinpath(MODEL_FILE).read_bytes()
    return ChineseSentimentModel.from_bytes(data)


def english_negative_probability(text: str) -> float:
    """Lexicon estimate of P(negative): each cue moves the log-odds by 1.5 (so one clear cue
    word crosses the negative line), a negation in the three words before it flips it."""
    words = word_tokens(normalize(text))
    score = 0.0
    for i, word in enumerate(words):
        polarity = (word in POSITIVE_EN) - (word in NEGATIVE_EN)
        if polarity and any(w in NEGATE_EN for w in words[max(0, i - 3) : i]):
            polarity = -polarity
        score += polarity
    return 1.0 / (1.0 + math.exp(1.5 * score))


def anger_cues(text: str) -> tuple[str, ...]:
    """The anger cues found in a message: cue words in either language, shouting."""
    lowered = normalize(text)
    cues = [cue for cue in ANGER_ZH if cue in lowered]
    words = set(word_tokens(lowered))
    cues += [cue for cue in ANGER_EN if (cue in lowered if " " in cue else cue in words)]
    cues += _SHOUT.findall(lowered)[:1]
    cues += _CAPS_WORD.findall(_fold_width(text))[:1]
    return tuple(cues)


def _fold_width(text: str) -> str:
    """Text with full-width letters folded but case kept, for spotting words in CAPS."""
    return text.translate({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})


def analyse(text: str, *, model: ChineseSentimentModel | None = None) -> Sentiment:
    """Sentiment and anger of one customer message (language chosen by its script)."""
    chinese = chinese_share([text]) > 0.3
    if chinese:
        negative = float((model or shipped_model()).negative_probability([text])[0])
    else:
        negative = english_negative_probability(text)
    cues = anger_cues(text)
    label: Label = (
        "negative"
        if negative >= _NEGATIVE_AT
        else "positive"
        if negative <= _POSITIVE_AT
        else "neutral"
    )
    # Anger cue words are negative by themselves, so two cues mark anger even when the model
    # reads the rest of the message as neutral ("我要投诉！！！").
    angry = bool(cues) and (label == "negative" or len(cues) >= 2)
    return Sentiment("zh" if chinese else "en", round(negative, 4), label, angry, cues)
