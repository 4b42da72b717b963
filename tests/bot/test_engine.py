"""`BotEngine` finds a shop's model: its own file first, else the packaged model its settings
name; a file replaced on disk is read again on the next message."""

from __future__ import annotations

import os
from pathlib import Path

from kefu.bot.engine import BotEngine
from kefu.bot.intent import IntentConfig, IntentModel
from kefu.bot.packaged import demo_model_name

from .conftest import INTENT_ROWS

CONFIG = IntentConfig(embeddings="never")


def _model(rows: list[tuple[str, str]]) -> IntentModel:
    return IntentModel(CONFIG).fit([t for t, _ in rows], [y for _, y in rows])


def test_a_shop_without_its_own_model_uses_the_packaged_one(tmp_path: Path) -> None:
    engine = BotEngine(tmp_path)
    demo = demo_model_name("electronics")
    assert engine.model(1) is None
    packaged = engine.model(1, demo)
    assert packaged is not None and "order_status" in packaged.labels
    understanding = engine.understand(1, "这个我不想要了", demo)
    assert understanding.prediction is not None
    assert understanding.prediction.label == "return_request"


def test_the_shops_own_model_wins_over_the_packaged_one(tmp_path: Path) -> None:
    _model(INTENT_ROWS).save(tmp_path / "7.joblib")
    model = BotEngine(tmp_path).model(7, demo_model_name("electronics"))
    assert model is not None and "order_status" not in model.labels


def test_an_unknown_packaged_name_means_no_model(tmp_path: Path) -> None:
    assert BotEngine(tmp_path).model(1, "no-such-model") is None
    assert BotEngine(tmp_path).model(1, "../escape") is None


def test_a_retrained_model_file_is_picked_up(tmp_path: Path) -> None:
    path = tmp_path / "3.joblib"
    engine = BotEngine(tmp_path)
    _model(INTENT_ROWS).save(path)
    first = engine.model(3)
    assert engine.model(3) is first  # unchanged file: no reload
    fewer = [row for row in INTENT_ROWS if row[1] != INTENT_ROWS[0][1]]
    _model(fewer).save(path)
    stamp = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))  # coarse file-system clocks: make the change visible
    second = engine.model(3)
    assert second is not first and second is not None
    assert INTENT_ROWS[0][1] not in second.labels
    path.unlink()
    assert engine.model(3) is None
