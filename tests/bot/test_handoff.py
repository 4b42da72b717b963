"""Hand-over rules, the expected wait, and routing a message to an intent, FAQ or person."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kefu.bot.decide import route
from kefu.bot.handoff import (
    HandoffFacts,
    HandoffReason,
    handoff_reason,
    looks_like_question,
)
from kefu.bot.intent import IntentPrediction
from kefu.bot.intents import Intent
from kefu.bot.retrieval import RetrievalHit


def test_nothing_to_hand_over_by_default() -> None:
    assert handoff_reason(HandoffFacts()) is None


def test_explicit_request_wins_over_everything() -> None:
    facts = HandoffFacts(explicit_request=True, angry=True, vip_level=9, vip_threshold=1)
    assert handoff_reason(facts) is HandoffReason.EXPLICIT_REQUEST


def test_anger_hands_over() -> None:
    assert handoff_reason(HandoffFacts(angry=True)) is HandoffReason.ANGRY


def test_a_strongly_negative_statement_hands_over_but_a_question_does_not() -> None:
    complaint = HandoffFacts(negative=0.9995, question=looks_like_question("质量很差"))
    assert handoff_reason(complaint) is HandoffReason.NEGATIVE
    # Review-trained, the model reads plain service questions as somewhat negative.
    asking = HandoffFacts(negative=0.998, question=looks_like_question("退货地址是哪里？"))
    assert handoff_reason(asking) is None
    assert handoff_reason(HandoffFacts(negative=0.95)) is None
    assert handoff_reason(HandoffFacts(negative=0.999, self_service=True)) is None
    assert looks_like_question("How do I return this") and not looks_like_question("It broke.")


def test_vip_hand_over_is_configurable() -> None:
    assert handoff_reason(HandoffFacts(vip_level=3, vip_threshold=None)) is None
    assert handoff_reason(HandoffFacts(vip_level=3, vip_threshold=4)) is None
    assert handoff_reason(HandoffFacts(vip_level=3, vip_threshold=3)) is HandoffReason.VIP


def test_out_of_scope_hands_over_on_the_configured_count() -> None:
    assert handoff_reason(HandoffFacts(out_of_scope_count=1, max_out_of_scope=2)) is None
    reason = handoff_reason(HandoffFacts(out_of_scope_count=2, max_out_of_scope=2))
    assert reason is HandoffReason.OUT_OF_SCOPE


def test_unsure_hands_over_at_once() -> None:
    assert handoff_reason(HandoffFacts(unsure=True)) is HandoffReason.LOW_CONFIDENCE


@given(
    st.booleans(), st.booleans(), st.floats(0, 1), st.booleans(), st.booleans(), st.integers(0, 5),
    st.one_of(st.none(), st.integers(0, 5)), st.booleans(), st.booleans(), st.integers(0, 5),
    st.integers(1, 5),
)  # fmt: skip
def test_a_reason_is_given_exactly_when_some_rule_applies(
    explicit: bool,
    angry: bool,
    negative: float,
    question: bool,
    self_service: bool,
    vip: int,
    threshold: int | None,
    flow: bool,
    unsure: bool,
    misses: int,
    limit: int,
) -> None:
    facts = HandoffFacts(
        explicit_request=explicit,
        angry=angry,
        negative=negative,
        question=question,
        self_service=self_service,
        vip_level=vip,
        vip_threshold=threshold,
        flow_needs_person=flow,
        unsure=unsure,
        out_of_scope_count=misses,
        max_out_of_scope=limit,
    )
    applies = (
        explicit
        or angry
        or (negative >= 0.995 and not (question or self_service))
        or (threshold is not None and vip >= threshold)
        or flow
        or unsure
        or misses >= limit
    )
    assert (handoff_reason(facts) is not None) == applies


def _prediction(label: str | None, best: str, confidence: float) -> IntentPrediction:
    return IntentPrediction(label, best, confidence, ())


def test_cue_wins_over_model_and_knowledge_base() -> None:
    routed = route(
        Intent.ORDER_STATUS, _prediction("faq:1", "faq:1", 0.99), [RetrievalHit("1", 9, 1)]
    )
    assert (routed.kind, routed.intent) == ("intent", Intent.ORDER_STATUS)


def test_without_a_model_retrieval_answers_confident_hits_only() -> None:
    assert route(None, None, [RetrievalHit("7", 5.0, 0.8)]).kind == "faq"
    assert route(None, None, [RetrievalHit("7", 2.0, 0.4)]).kind == "guess"
    assert route(None, None, [RetrievalHit("7", 0.5, 0.1)]).kind == "unknown"
    assert route(None, None, []).kind == "unknown"


def test_model_labels_without_a_flow_are_unsupported() -> None:
    routed = route(None, _prediction("warranty", "warranty", 0.9), [])
    assert (routed.kind, routed.target) == ("unsupported", "warranty")
    assert (
        route(None, _prediction("order_status", "order_status", 0.9), []).intent
        is Intent.ORDER_STATUS
    )


def test_model_and_retrieval_agree_on_a_faq() -> None:
    routed = route(None, _prediction("faq:3", "faq:3", 0.7), [RetrievalHit("3", 4.0, 0.5)])
    assert routed.kind == "faq" and routed.target == "3" and routed.confidence > 0.7
