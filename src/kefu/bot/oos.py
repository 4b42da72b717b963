"""Calibrated confidence and the out-of-scope decision for the intent classifier.

The classifier's raw scores (SVM margins, similarity to the nearest training examples) are
turned into one number: the probability that the top intent is the right answer. A logistic
regression learns that mapping from held-out training data in which whole intents were hidden
from the classifier (see `kefu.bot.intent`), so it has seen what an unknown request looks like
without ever looking at test data. The hand-over threshold is then the probability that
maximises the balanced rate of right decisions on the same held-out rows — the mean of
(in-scope rows answered with the right intent) and (hidden-intent rows handed over) — under
one product rule: hand over at most `max_known_handover` (5%) of the in-scope messages that
the classifier gets right (once 5% is at least two held-out rows). A person answering what
the bot knew costs less than a wrong answer, but it still costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

FEATURE_NAMES = ("top_score", "margin_2", "margin_3", "nearest", "nearest_5", "nearest_same")


def confidence_features(
    decision: FloatArray, similarities: FloatArray, same_label_similarity: FloatArray
) -> FloatArray:
    """Build the calibration features, one row per message, in `FEATURE_NAMES` order.

    `decision` holds the classifier's per-intent scores (n, classes), `similarities` the cosine
    similarity to every training example (n, examples), `same_label_similarity` the best
    similarity among examples of the predicted intent (n,).
    """
    ranked = -np.sort(-decision, axis=1)
    top = ranked[:, 0]
    second = ranked[:, 1] if ranked.shape[1] > 1 else top - 1.0
    third = ranked[:, 2] if ranked.shape[1] > 2 else second - 1.0
    k = min(5, similarities.shape[1])
    nearest = -np.sort(-similarities, axis=1)[:, :k]
    return np.column_stack(
        [top, top - second, top - third, nearest[:, 0], nearest.mean(axis=1), same_label_similarity]
    ).astype(np.float64)


@dataclass
class ConfidenceCalibrator:
    """Maps calibration features to P(top intent is right) and holds the hand-over threshold."""

    scaler: StandardScaler | None = None
    model: LogisticRegression | None = None
    threshold: float = 0.0
    max_known_handover: float = 0.05

    def fit(self, features: FloatArray, correct: BoolArray, out_of_scope: BoolArray) -> None:
        """Learn from held-out rows: `correct` marks in-scope rows whose top intent was right.

        In-scope and out-of-scope rows are weighted to count equally, so the probability reads
        as if half the traffic were out of scope; the threshold maximises the balanced rate.
        """
        if features.shape[0] == 0 or correct.all() or not correct.any():
            self.scaler, self.model, self.threshold = None, None, 0.0
            return
        weights = np.ones(len(correct), dtype=np.float64)
        if out_of_scope.any() and (~out_of_scope).any():
            weights[out_of_scope] = 0.5 / out_of_scope.sum()
            weights[~out_of_scope] = 0.5 / (~out_of_scope).sum()
            weights *= len(weights)
        self.scaler = StandardScaler().fit(features)
        self.model = LogisticRegression(C=1.0, max_iter=1000)
        self.model.fit(self.scaler.transform(features), correct, sample_weight=weights)
        self.threshold = choose_threshold(
            self.probability(features), correct, out_of_scope, self.max_known_handover
        )

    def probability(self, features: FloatArray) -> FloatArray:
        """P(the top intent is right) per row; 1.0 when no calibration could be learnt."""
        if self.model is None or self.scaler is None:
            return np.ones(features.shape[0], dtype=np.float64)
        proba = self.model.predict_proba(self.scaler.transform(features))
        column = list(self.model.classes_).index(True)
        return np.asarray(proba[:, column], dtype=np.float64)


def choose_threshold(
    probability: FloatArray,
    correct: BoolArray,
    out_of_scope: BoolArray,
    max_known_handover: float = 1.0,
) -> float:
    """The probability cut that maximises the balanced rate of right decisions.

    A row is answered when its probability is at least the cut. In-scope rows count as right
    when answered with the right intent, out-of-scope rows when handed over. With no
    out-of-scope rows the cut maximises plain accuracy of answer-or-hand-over instead.
    No cut may hand over more than `max_known_handover` of the rows in `correct`, once there
    are enough of them for that share to be at least two rows.
    """
    candidates = np.unique(np.concatenate([[0.0], probability]))
    # The cap is a rate: it needs enough right answers to estimate (two at the cap or more).
    if correct.sum() * max_known_handover >= 2:
        ceiling = float(np.quantile(probability[correct], max_known_handover, method="lower"))
        candidates = candidates[candidates <= ceiling]
    in_scope = ~out_of_scope
    best_cut, best_rate = 0.0, -1.0
    for cut in candidates:
        answered = probability >= cut
        if out_of_scope.any() and in_scope.any():
            rate = 0.5 * (
                float(np.mean(answered[in_scope] & correct[in_scope]))
                + float(np.mean(~answered[out_of_scope]))
            )
        else:
            rate = float(np.mean(answered == correct))
        if rate > best_rate:
            best_cut, best_rate = float(cut), rate
    return best_cut
