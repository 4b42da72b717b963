"""Intent classification: train on a shop's labelled examples, predict with a calibrated
confidence, and hand over what lies outside the intents it knows.

Features are word TF-IDF (jieba words for Chinese, 1-2 grams) plus character n-gram TF-IDF
(1-3 for mostly-Chinese data, 2-5 otherwise), plus — when a packaged sentence model is
installed and the data is not mostly Chinese — its embedding, weighted `embedding_weight`.
A linear SVM scores every intent. `kefu.bot.oos` turns the scores and the similarity to the
nearest training examples into P(top intent is right); it is fitted on `calibration_folds`
extra fits of the same model, each with one group of intents hidden, so the threshold for
handing over is learnt on held-out training data only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from kefu.bot.embeddings import Embedder, load_embedder
from kefu.bot.oos import ConfidenceCalibrator, confidence_features
from kefu.bot.text import chinese_share, intent_tokens, normalize
from kefu.shared.errors import InvalidInput, KefuError

MODEL_FORMAT = "kefu.bot.intent"
MODEL_VERSION = 1
_CHUNK = 256
_ALTERNATIVE_TEMPERATURE = 0.3

FloatArray = NDArray[np.float64]


class ModelFileError(KefuError):
    code = "bot_model_invalid"


@dataclass(frozen=True)
class IntentConfig:
    """Training settings; the defaults were chosen on splits of BANKING77's training set."""

    svm_c: float = 1.0
    embeddings: Literal["auto", "never"] = "auto"
    embedding_weight: float = 2.0
    calibration_folds: int = 3
    heldout_share: float = 0.2
    seed: int = 0
    alternatives: int = 3


@dataclass(frozen=True)
class IntentPrediction:
    """`label` is None when the message is out of scope and goes to a person."""

    label: str | None
    best: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...]

    @property
    def handover(self) -> bool:
        return self.label is None


class _Features:
    """Word + character TF-IDF and the optional embedding, stacked into one sparse row."""

    def __init__(self, chinese: bool, embedding_weight: float) -> None:
        self.word = TfidfVectorizer(
            tokenizer=intent_tokens,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            sublinear_tf=True,
            dtype=np.float32,
        )
        self.char = TfidfVectorizer(
            preprocessor=normalize,
            analyzer="char_wb",
            ngram_range=(1, 3) if chinese else (2, 5),
            sublinear_tf=True,
            min_df=1 if chinese else 2,
            dtype=np.float32,
        )
        self.embedding_weight = embedding_weight

    def fit_transform(self, texts: Sequence[str], vectors: FloatArray | None) -> sp.csr_matrix:
        return self._stack(self.word.fit_transform(texts), self.char.fit_transform(texts), vectors)

    def transform(self, texts: Sequence[str], vectors: FloatArray | None) -> sp.csr_matrix:
        return self._stack(self.word.transform(texts), self.char.transform(texts), vectors)

    def _stack(
        self, word: sp.csr_matrix, char: sp.csr_matrix, vectors: FloatArray | None
    ) -> sp.csr_matrix:
        parts = [word, char]
        if vectors is not None:
            parts.append(sp.csr_matrix(vectors * self.embedding_weight, dtype=np.float32))
        return sp.csr_matrix(sp.hstack(parts, format="csr"))


class _Core:
    """One fitted classifier plus the training rows it compares new messages with."""

    def __init__(self, config: IntentConfig, chinese: bool) -> None:
        self.features = _Features(chinese, config.embedding_weight)
        self.svm = LinearSVC(C=config.svm_c, random_state=config.seed)  # liblinear shuffles
        self.reference: sp.csr_matrix | NDArray[np.float32] = sp.csr_matrix((0, 0))
        self.reference_labels = np.zeros(0, dtype=np.int64)

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str] | NDArray[np.str_],
        vectors: FloatArray | None,
    ) -> None:
        matrix = self.features.fit_transform(texts, vectors)
        self.svm.fit(matrix, list(labels))
        # Neighbours are found in embedding space when there is one (dense, fast, semantic),
        # else among the TF-IDF rows.
        self.reference = (
            _unit_rows(matrix).T.tocsr() if vectors is None else vectors.astype(np.float32)
        )
        self.reference_labels = np.searchsorted(self.svm.classes_, np.asarray(labels))

    @property
    def classes(self) -> NDArray[np.str_]:
        return np.asarray(self.svm.classes_)

    def score(
        self, texts: Sequence[str], vectors: FloatArray | None
    ) -> tuple[FloatArray, FloatArray]:
        """Per-intent scores and calibration features for a batch of messages."""
        matrix = self.features.transform(texts, vectors)
        decision = np.asarray(self.svm.decision_function(matrix), dtype=np.float64)
        if decision.ndim == 1:  # two intents: sklearn returns one column
            decision = np.column_stack([-decision, decision])
        rows = []
        for start in range(0, matrix.shape[0], _CHUNK):
            chunk = decision[start : start + _CHUNK]
            if isinstance(self.reference, np.ndarray) and vectors is not None:
                part = vectors[start : start + _CHUNK].astype(np.float32)
                sims = (part @ self.reference.T).astype(np.float64)
            else:
                sims = (_unit_rows(matrix[start : start + _CHUNK]) @ self.reference).toarray()
            same = self.reference_labels[None, :] == chunk.argmax(axis=1)[:, None]
            best_same = np.where(same, sims, -1.0).max(axis=1)
            rows.append(confidence_features(chunk, sims.astype(np.float64), best_same))
        return decision, np.vstack(rows)


def _unit_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


class IntentModel:
    """Fit on (text, label) examples, then `predict` one message at a time."""

    def __init__(self, config: IntentConfig | None = None) -> None:
        self.config = config or IntentConfig()
        self.embedding_package: str | None = None
        self._embedder: Embedder | None = None
        self._core: _Core | None = None
        self.calibrator = ConfidenceCalibrator()

    @property
    def labels(self) -> list[str]:
        return [] if self._core is None else [str(c) for c in self._core.classes]

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> IntentModel:
        """Train the classifier and its calibration; needs at least two distinct labels."""
        if len(texts) != len(labels) or len(set(labels)) < 2:
            raise InvalidInput("intent training needs texts with at least two distinct labels")
        chinese = chinese_share(texts) > 0.3
        self._embedder = None if chinese or self.config.embeddings == "never" else load_embedder()
        self.embedding_package = self._embedder.package if self._embedder else None
        vectors = self._encode(list(texts))
        self._fit_calibration(list(texts), np.asarray(labels), vectors, chinese)
        self._core = _Core(self.config, chinese)
        self._core.fit(texts, labels, vectors)
        return self

    def _encode(self, texts: list[str]) -> FloatArray | None:
        if self._embedder is None:
            return None
        return self._embedder.encode(texts).astype(np.float64)

    def _fit_calibration(
        self, texts: list[str], labels: NDArray[np.str_], vectors: FloatArray | None, chinese: bool
    ) -> None:
        rng = np.random.default_rng(self.config.seed)
        classes = np.unique(labels)
        folds = min(self.config.calibration_folds, len(classes) // 2)
        collected: list[tuple[FloatArray, NDArray[np.bool_], NDArray[np.bool_]]] = []
        for hidden in np.array_split(rng.permutation(classes), max(folds, 1)):
            out = np.isin(labels, hidden) if folds > 0 else np.zeros(len(labels), dtype=bool)
            heldout = (~out) & (rng.random(len(labels)) < self.config.heldout_share)
            train = ~out & ~heldout
            if len(np.unique(labels[train])) < 2 or not heldout.any():
                continue
            core = _Core(self.config, chinese)
            core.fit(
                [texts[i] for i in np.flatnonzero(train)],
                labels[train],
                None if vectors is None else vectors[train],
            )
            rows = np.flatnonzero(heldout | out)
            decision, features = core.score(
                [texts[i] for i in rows], None if vectors is None else vectors[rows]
            )
            correct = (core.classes[decision.argmax(axis=1)] == labels[rows]) & ~out[rows]
            collected.append((features, correct, out[rows]))
        if collected:
            self.calibrator.fit(
                np.vstack([c[0] for c in collected]),
                np.concatenate([c[1] for c in collected]),
                np.concatenate([c[2] for c in collected]),
            )

    def predict(self, text: str) -> IntentPrediction:
        """Classify one message; `label` is None (hand over) below the calibrated threshold."""
        return self.predict_many([text])[0]

    def predict_pair(self, text: str) -> tuple[str, str | None]:
        """(best intent, that intent or None when handed over) for one message."""
        prediction = self.predict(text)
        return prediction.best, prediction.label

    def predict_many(self, texts: Sequence[str]) -> list[IntentPrediction]:
        """Classify a batch (same answers as `predict` one by one, faster for evaluation)."""
        if self._core is None:
            raise InvalidInput("the intent model is not trained")
        if not texts:
            return []
        decision, features = self._core.score(texts, self._encode(list(texts)))
        confidence = self.calibrator.probability(features)
        classes = self._core.classes
        shares = np.exp((decision - decision.max(axis=1, keepdims=True)) / _ALTERNATIVE_TEMPERATURE)
        shares /= shares.sum(axis=1, keepdims=True)
        predictions = []
        for row in range(len(texts)):
            order = np.argsort(-decision[row])[: self.config.alternatives]
            best = str(classes[order[0]])
            answered = confidence[row] >= self.calibrator.threshold
            predictions.append(
                IntentPrediction(
                    label=best if answered else None,
                    best=best,
                    confidence=round(float(confidence[row]), 4),
                    alternatives=tuple(
                        (str(classes[i]), round(float(shares[row, i]), 4)) for i in order
                    ),
                )
            )
        return predictions

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_embedder"] = None  # the sentence model is reloaded from its package
        return state

    def save(self, path: Path) -> None:
        """Write the model as one compressed joblib file with a format/version header."""
        header = {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "sklearn": sklearn.__version__,
            "config": dataclasses.asdict(self.config),
        }
        joblib.dump({"header": header, "model": self}, path, compress=3)

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        """Read a file written by `save`. Only load files you wrote: joblib runs pickle."""
        payload = joblib.load(path)
        header = payload.get("header", {}) if isinstance(payload, dict) else {}
        if header.get("format") != MODEL_FORMAT or header.get("version") != MODEL_VERSION:
            raise ModelFileError(f"{path} is not a Kefu intent model of version {MODEL_VERSION}")
        # Pickles of one scikit-learn minor version load in its patch releases (not across
        # minor versions, whose estimators change); pyproject pins the range the shipped files need.
        if _minor(str(header.get("sklearn"))) != _minor(sklearn.__version__):
            raise ModelFileError(
                f"{path} was trained with scikit-learn {header.get('sklearn')}, "
                f"this is {sklearn.__version__}: retrain it"
            )
        model = payload["model"]
        if not isinstance(model, cls):
            raise ModelFileError(f"{path} holds no intent model")
        if model.embedding_package is not None:
            model._embedder = load_embedder(model.embedding_package)
            if model._embedder is None:
                raise ModelFileError(
                    f"{path} needs the embedding package {model.embedding_package}"
                )
        return model


def _minor(version: str) -> str:
    """``1.9`` of ``1.9.1``."""
    return ".".join(version.split(".")[:2])
