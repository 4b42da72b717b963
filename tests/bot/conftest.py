"""Shared fixtures for the bot's pure-model tests: small hand-written intents, shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

INTENT_ROWS: list[tuple[str, str]] = [
    (text, label)
    for label, texts in {
        "track_order": [
            "where is my order",
            "track my parcel please",
            "my package has not arrived",
            "when will my order arrive",
            "has my order shipped yet",
            "order tracking number",
            "where is my delivery",
            "parcel still not delivered",
            "shipping status of my order",
            "how long until my package comes",
        ],
        "refund": [
            "i want a refund",
            "give me my money back",
            "how do i get a refund",
            "refund my purchase",
            "can i be refunded",
            "request a refund for my order",
            "money back please",
            "refund status",
            "i was promised a refund",
            "return and refund",
        ],
        "change_address": [
            "change my delivery address",
            "update shipping address",
            "wrong address on my order",
            "i moved, new address",
            "edit the address for delivery",
            "ship to another address",
            "correct my street name",
            "address change request",
            "deliver to my office instead",
            "modify address before shipping",
        ],
        "查物流": [
            "我的快递到哪了",
            "物流信息怎么查",
            "包裹什么时候到",
            "快递还没到",
            "查一下物流",
            "订单发货了吗",
            "快递单号是多少",
            "怎么还没送到",
            "物流一直没更新",
            "几天能到货",
        ],
        "退款": [
            "我要退款",
            "怎么申请退款",
            "退款什么时候到账",
            "钱退给我",
            "退款进度",
            "申请退货退款",
            "退款失败了",
            "能不能退钱",
            "退款多久到",
            "我想退掉这个订单",
        ],
    }.items()
    for text in texts
]


@pytest.fixture
def shared_data() -> Path:
    """The public data sets beside the checkout; tests using them skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (see ../shared/data/README.md)")
    return SHARED_DATA
