from __future__ import annotations

from pathlib import Path

import pytest

from kefu.bot.intent import IntentConfig, IntentModel, ModelFileError
from kefu.shared.errors import InvalidInput

from .conftest import INTENT_ROWS

CONFIG = IntentConfig(embeddings="never")


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return IntentModel(CONFIG).fit([t for t, _ in INTENT_ROWS], [y for _, y in INTENT_ROWS])


def test_predicts_the_intent_of_close_paraphrases(model: IntentModel) -> None:
    assert model.predict("where is my parcel now").best == "track_order"
    assert model.predict("I'd like a refund please").best == "refund"
    assert model.predict("快递到哪里了").best == "查物流"
    assert model.predict("申请退款").best == "退款"


def test_prediction_ranks_alternatives_and_bounds_confidence(model: IntentModel) -> None:
    prediction = model.predict("please change the address")
    assert prediction.alternatives[0][0] == prediction.best == "change_address"
    assert len(prediction.alternatives) == CONFIG.alternatives
    assert 0.0 <= prediction.confidence <= 1.0


def test_unrelated_message_is_handed_over(model: IntentModel) -> None:
    prediction = model.predict("what is the capital of mongolia")
    assert prediction.handover
    assert prediction.label is None


def test_save_and_load_give_the_same_predictions(model: IntentModel, tmp_path: Path) -> None:
    path = tmp_path / "intent.joblib"
    model.save(path)
    loaded = IntentModel.load(path)
    for text in ["where is my order", "退款多久到", "hello there"]:
        assert loaded.predict(text) == model.predict(text)


def test_loading_a_foreign_file_is_refused(tmp_path: Path) -> None:
    import joblib

    path = tmp_path / "other.joblib"
    joblib.dump({"header": {"format": "something"}, "model": None}, path)
    with pytest.raises(ModelFileError):
        IntentModel.load(path)


def test_training_needs_two_labels() -> None:
    with pytest.raises(InvalidInput):
        IntentModel(CONFIG).fit(["a", "b"], ["x", "x"])


def test_predicting_before_training_is_refused() -> None:
    with pytest.raises(InvalidInput):
        IntentModel(CONFIG).predict("hello")
