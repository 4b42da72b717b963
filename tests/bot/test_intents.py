"""Built-in intents: keyword cues in Chinese and English, and order numbers in messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.bot.intents import Intent, cue_intent, is_policy_question, known_intent
from kefu.bot.orderno import order_numbers


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("转人工", Intent.HUMAN_REQUEST),
        ("我要投诉，转人工！", Intent.HUMAN_REQUEST),
        ("能不能找个真人", Intent.HUMAN_REQUEST),
        ("I want to talk to a human", Intent.HUMAN_REQUEST),
        ("agent please", Intent.HUMAN_REQUEST),
        ("我的订单到哪了", Intent.ORDER_STATUS),
        ("快递还没收到", Intent.ORDER_STATUS),
        ("Where is my order?", Intent.ORDER_STATUS),
        ("can you track my parcel", Intent.ORDER_STATUS),
        ("我要退货", Intent.RETURN_REQUEST),
        ("衣服不合适想退款", Intent.RETURN_REQUEST),
        ("I'd like to return these shoes", Intent.RETURN_REQUEST),
        ("鞋子小了想换货", Intent.EXCHANGE_REQUEST),
        ("can I exchange it for a bigger size", Intent.EXCHANGE_REQUEST),
        ("我想修改收货地址", Intent.ADDRESS_CHANGE),
        ("地址写错了", Intent.ADDRESS_CHANGE),
        ("I need to change my shipping address", Intent.ADDRESS_CHANGE),
        ("麻烦开一张发票", Intent.INVOICE_REQUEST),
        ("Can I get an invoice?", Intent.INVOICE_REQUEST),
        ("谢谢！", Intent.THANKS),
        ("thank you", Intent.THANKS),
        ("你好", Intent.GREETING),
        ("Hello!", Intent.GREETING),
        ("在吗？", Intent.GREETING),
    ],
)
def test_cues_recognise_built_in_intents(text: str, intent: Intent) -> None:
    assert cue_intent(text) is intent


def test_asking_for_a_person_outranks_every_other_cue() -> None:
    assert cue_intent("退货太麻烦了，转人工") is Intent.HUMAN_REQUEST


def test_a_return_mentioning_delivery_is_a_return() -> None:
    assert cue_intent("快递到了但是坏了，我要退货") is Intent.RETURN_REQUEST


def test_greeting_only_when_the_message_is_just_a_greeting() -> None:
    assert cue_intent("你好，这个耳机支持降噪吗") is None
    assert cue_intent("这个耳机支持降噪吗") is None


def test_full_width_text_is_folded_before_matching() -> None:
    assert cue_intent("ＷＨＥＲＥ ＩＳ ＭＹ ＯＲＤＥＲ") is Intent.ORDER_STATUS


def test_known_intent_maps_classifier_labels() -> None:
    assert known_intent("order_status") is Intent.ORDER_STATUS
    assert known_intent("faq:12") is None
    assert known_intent(None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的订单到哪了 GD24120100012", ["GD24120100012"]),
        ("订单号：no000123，帮我查下", ["no000123", "NO000123"]),
        ("order 20241201-99881 please", ["20241201-99881"]),
        ("ＧＤ２４１２０１００００１", ["GD24120100001"]),
        ("我买了3件，第2件坏了", []),
        ("", []),
    ],
)
def test_order_numbers_are_found_in_messages(text: str, expected: list[str]) -> None:
    assert order_numbers(text) == expected


@given(st.text(max_size=200))
def test_order_number_candidates_always_have_five_digits(text: str) -> None:
    for candidate in order_numbers(text):
        assert sum(ch.isdigit() for ch in candidate) >= 5
        assert candidate.upper() in [c.upper() for c in order_numbers(text)]


@pytest.mark.parametrize(
    ("text", "policy"),
    [
        ("支持七天无理由退货吗？", True),
        ("退货运费谁出", True),
        ("How do returns work?", True),
        ("我要退货", False),
        ("能帮我退货吗", False),
        ("I want to return it", False),
    ],
)
def test_policy_questions_are_told_from_requests(text: str, policy: bool) -> None:
    assert is_policy_question(text) is policy
