from __future__ import annotations

import numpy as np

from kefu.bot.oos import ConfidenceCalibrator, choose_threshold, confidence_features


def test_threshold_separates_right_answers_from_unknown_intents() -> None:
    probability = np.array([0.9, 0.8, 0.7, 0.2, 0.1, 0.3])
    correct = np.array([True, True, True, False, False, False])
    out = np.array([False, False, False, True, True, True])
    assert choose_threshold(probability, correct, out) == 0.7


def test_threshold_hands_over_at_most_the_allowed_share_of_right_answers() -> None:
    probability = np.array([0.9, 0.8, 0.4, 0.35, 0.3, 0.2])
    correct = np.array([True, True, True, False, False, False])
    out = np.array([False, False, False, True, True, True])
    cut = choose_threshold(probability, correct, out, max_known_handover=0.0)
    assert cut <= 0.4


def test_calibrator_learns_that_higher_scores_mean_right_answers() -> None:
    rng = np.random.default_rng(0)
    decision = np.vstack([rng.normal(2.0, 0.3, (50, 4)), rng.normal(0.0, 0.3, (50, 4))])
    sims = np.vstack([rng.uniform(0.7, 1.0, (50, 10)), rng.uniform(0.0, 0.4, (50, 10))])
    features = confidence_features(decision, sims, sims.max(axis=1))
    correct = np.arange(100) < 50
    calibrator = ConfidenceCalibrator()
    calibrator.fit(features, correct, ~correct)
    probability = calibrator.probability(features)
    assert probability[:50].mean() > 0.8 > 0.2 > probability[50:].mean()


def test_calibrator_without_wrong_examples_answers_everything() -> None:
    calibrator = ConfidenceCalibrator()
    features = np.ones((3, 6))
    calibrator.fit(features, np.ones(3, dtype=bool), np.zeros(3, dtype=bool))
    assert calibrator.probability(features).tolist() == [1.0, 1.0, 1.0]
    assert calibrator.threshold == 0.0
