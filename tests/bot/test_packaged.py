"""The intent models shipped for the demo shops: present, compact, loadable without torch,
and sensible on a few Chinese and English messages they were not trained on verbatim."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kefu.bot.confidence import faq_label
from kefu.bot.intent import IntentModel
from kefu.bot.packaged import (
    DEMO_KINDS,
    demo_model_name,
    packaged_model_path,
    packaged_models,
)

ROOT = Path(__file__).resolve().parents[2]
SIZE_BUDGET = 5 * 1024 * 1024

EXPECTED = {
    "I want to track my order": "order_status",
    "I am not happy with your service, I want to file a complaint": "human_request",
    "I'd like to cancel my order": "cancel_order",  # no flow: the runtime hands it over
    "这个我不想要了": "return_request",
    "我的包裹怎么还没来": "order_status",
    "下单后多久发货": faq_label("下单后多久发货？"),
    "优惠券用不了": faq_label("优惠券用不了是什么原因？"),
}


@pytest.fixture(scope="module", params=DEMO_KINDS)
def demo_model(request: pytest.FixtureRequest) -> IntentModel:
    return IntentModel.load(packaged_model_path(demo_model_name(request.param)))


def test_every_demo_shop_kind_has_a_compact_packaged_model() -> None:
    assert set(packaged_models()) >= {demo_model_name(kind) for kind in DEMO_KINDS}
    for kind in DEMO_KINDS:
        assert packaged_model_path(demo_model_name(kind)).stat().st_size <= SIZE_BUDGET


def test_demo_models_need_no_sentence_embeddings(demo_model: IntentModel) -> None:
    assert demo_model.embedding_package is None


@pytest.mark.parametrize(("text", "label"), EXPECTED.items())
def test_demo_models_answer_english_requests_and_chinese_faqs(
    demo_model: IntentModel, text: str, label: str
) -> None:
    assert demo_model.predict(text).label == label


def test_a_packaged_model_name_cannot_leave_the_package_folder() -> None:
    for bad in ("../secrets", "demo/electronics", "", "Demo"):
        with pytest.raises(ValueError, match="not a packaged model name"):
            packaged_model_path(bad)


def test_training_script_says_where_the_shared_data_should_be(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/train_demo_bot.py"), str(tmp_path / "absent")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "bitext" in result.stderr and "not found" in result.stderr
