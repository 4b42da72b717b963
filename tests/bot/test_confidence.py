from __future__ import annotations

from kefu.bot.confidence import (
    Decision,
    combine,
    faq_aliases,
    faq_label,
    faq_training_rows,
    resolve_faq_labels,
)
from kefu.bot.intent import IntentPrediction
from kefu.bot.retrieval import Document, RetrievalHit


def prediction(best: str, confidence: float, answered: bool) -> IntentPrediction:
    return IntentPrediction(best if answered else None, best, confidence, ((best, 1.0),))


def test_agreeing_faq_raises_confidence_by_noisy_or() -> None:
    decision = combine(prediction("faq:ship", 0.6, True), [RetrievalHit("ship", 3.0, 0.5)])
    assert decision == Decision("faq", "ship", 0.8)


def test_answered_intent_keeps_its_calibrated_confidence() -> None:
    decision = combine(prediction("refund", 0.9, True), [RetrievalHit("ship", 1.0, 0.9)])
    assert decision == Decision("intent", "refund", 0.9)


def test_strong_retrieval_answers_when_the_classifier_hands_over() -> None:
    decision = combine(prediction("refund", 0.1, False), [RetrievalHit("new-faq", 2.0, 0.7)])
    assert decision == Decision("faq", "new-faq", 0.7)


def test_weak_evidence_hands_over() -> None:
    decision = combine(prediction("refund", 0.1, False), [RetrievalHit("x", 0.5, 0.2)])
    assert decision.action == "handover"
    assert decision.target is None


def test_faq_questions_become_training_rows() -> None:
    rows = faq_training_rows([Document("a", "How to pay?"), Document("b", "  ")])
    assert rows == [("How to pay?", "faq:a")]


def test_faq_labels_by_main_question_resolve_to_the_document_id() -> None:
    prediction = IntentPrediction(
        label=faq_label("下单后多久发货？"),
        best=faq_label("下单后多久发货？"),
        confidence=0.9,
        alternatives=(
            (faq_label("下单后多久发货？"), 0.8),
            ("order_status", 0.1),
            ("faq:17", 0.05),
            (faq_label("Unknown question?"), 0.05),
        ),
    )
    # Full-width and half-width punctuation, case: the same question after normalisation.
    aliases = faq_aliases({"12": "下单后多久发货?", "17": "Other"})
    resolved = resolve_faq_labels(prediction, aliases)
    assert resolved.label == resolved.best == "faq:12"
    assert [label for label, _ in resolved.alternatives] == [
        "faq:12",
        "order_status",
        "faq:17",
        "faq:Unknown question?",
    ]
    assert combine(resolved, [RetrievalHit("12", 5.0, 0.5)]).target == "12"
