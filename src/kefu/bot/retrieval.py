"""BM25 retrieval over a shop's FAQ questions and help articles, in Chinese and English.

Documents are tokenised with `kefu.bot.text` (jieba words for Chinese, words for the rest,
common function words dropped) and indexed with bm25s. BM25 scores have no fixed scale, so
every hit also carries a `relevance` in [0, 1]: its score divided by the score the document
would get for its own title as the query — 1.0 means the message matches the question as
well as the question matches itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN

from kefu.bot.lexicon import STOPWORDS_ZH
from kefu.bot.text import normalize, word_tokens

_STOPWORDS = frozenset(STOPWORDS_EN) | STOPWORDS_ZH
_TITLE_REPEAT = 2  # a title says what a document is about; count its words twice


@dataclass(frozen=True)
class Document:
    """A FAQ entry (question as title, answer as body) or an article."""

    id: str
    title: str
    body: str = ""


@dataclass(frozen=True)
class RetrievalHit:
    id: str
    score: float
    relevance: float


def retrieval_tokens(text: str) -> list[str]:
    """Words used for BM25: normalised, without stop words (all words if that leaves none)."""
    words = word_tokens(normalize(text))
    kept = [word for word in words if word not in _STOPWORDS]
    return kept or words


class FaqIndex:
    """An in-memory BM25 index; build it once per knowledge-base version and share it."""

    def __init__(self, documents: Sequence[Document]) -> None:
        self.documents = list(documents)
        corpus = [
            retrieval_tokens(doc.title) * _TITLE_REPEAT + retrieval_tokens(doc.body)
            for doc in self.documents
        ]
        self._bm25 = bm25s.BM25()
        if self.documents:
            self._bm25.index(corpus, show_progress=False)
        self._self_scores = np.array(
            [self._scores(retrieval_tokens(doc.title))[i] for i, doc in enumerate(self.documents)]
        )

    def _scores(self, tokens: list[str]) -> np.ndarray:
        vocabulary = self._bm25.vocab_dict if self.documents else {}
        known = [token for token in tokens if token in vocabulary]
        if not known:
            return np.zeros(len(self.documents))
        return np.asarray(self._bm25.get_scores(known), dtype=np.float64)

    def search(self, query: str, *, k: int = 3) -> list[RetrievalHit]:
        """The best `k` documents with a positive score, best first."""
        scores = self._scores(retrieval_tokens(query))
        hits: list[RetrievalHit] = []
        for index in np.argsort(-scores, kind="stable")[:k]:
            if scores[index] <= 0:
                break
            ceiling = self._self_scores[index]
            relevance = min(1.0, scores[index] / ceiling) if ceiling > 0 else 0.0
            hits.append(
                RetrievalHit(
                    id=self.documents[index].id,
                    score=round(float(scores[index]), 4),
                    relevance=round(float(relevance), 4),
                )
            )
        return hits
