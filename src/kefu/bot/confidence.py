"""One decision from the intent classifier and FAQ retrieval: answer an intent, answer a FAQ,
or hand over to a person — with one confidence in [0, 1].

The classifier's confidence is calibrated (`kefu.bot.oos`): it estimates P(top intent is
right). FAQ questions are also trained as intents labelled `faq:<document id>`, so a FAQ
the classifier recognises is answered like any intent. Retrieval then adjusts:
- when the top retrieved FAQ is the one the classifier names, the two pieces of evidence are
  combined by noisy-OR, 1 - (1 - p)(1 - relevance): agreement raises confidence;
- when the classifier hands over but retrieval finds a FAQ (or article) whose relevance is at
  least `faq_relevance` (0.6: the message matches the question at least 60% as well as the
  question matches itself), that document is answered with confidence = its relevance.
  Relevance is not calibrated; this path exists for FAQs added since the last training.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from kefu.bot.intent import IntentPrediction
from kefu.bot.retrieval import Document, RetrievalHit
from kefu.bot.text import normalize

FAQ_PREFIX = "faq:"
Action = Literal["intent", "faq", "handover"]


@dataclass(frozen=True)
class Decision:
    """`target` is an intent label, a document id, or None for a hand-over."""

    action: Action
    target: str | None
    confidence: float


def faq_training_rows(documents: Sequence[Document]) -> list[tuple[str, str]]:
    """(text, label) rows that teach the classifier each FAQ question as its own intent."""
    return [(doc.title, f"{FAQ_PREFIX}{doc.id}") for doc in documents if doc.title.strip()]


def faq_label(question: str) -> str:
    """The label of a FAQ named by its main question, for models trained without a database
    (the shipped demo models, a shop's own CSV): `faq:<main question>`. At run time
    `resolve_faq_labels` turns it into `faq:<document id>`."""
    return f"{FAQ_PREFIX}{question.strip()}"


def faq_aliases(titles: Mapping[str, str]) -> dict[str, str]:
    """{normalised main question: document id} from {document id: main question}."""
    return {normalize(title): doc_id for doc_id, title in titles.items() if title.strip()}


def resolve_faq_labels(
    prediction: IntentPrediction, aliases: Mapping[str, str]
) -> IntentPrediction:
    """`prediction` with each `faq:<main question>` that `aliases` knows rewritten to
    `faq:<document id>`; `faq:<document id>` labels and other labels are left alone."""

    def resolve(label: str) -> str:
        if not label.startswith(FAQ_PREFIX):
            return label
        doc_id = aliases.get(normalize(label[len(FAQ_PREFIX) :]))
        return label if doc_id is None else f"{FAQ_PREFIX}{doc_id}"

    return replace(
        prediction,
        label=None if prediction.label is None else resolve(prediction.label),
        best=resolve(prediction.best),
        alternatives=tuple((resolve(label), share) for label, share in prediction.alternatives),
    )


def combine(
    prediction: IntentPrediction,
    hits: Sequence[RetrievalHit],
    *,
    faq_relevance: float = 0.6,
) -> Decision:
    """Merge a classifier prediction with retrieval hits into one decision (rules above)."""
    top = hits[0] if hits else None
    named_faq = (
        prediction.best[len(FAQ_PREFIX) :] if prediction.best.startswith(FAQ_PREFIX) else None
    )
    if top is not None and named_faq == top.id:
        confidence = 1.0 - (1.0 - prediction.confidence) * (1.0 - top.relevance)
        return Decision("faq", top.id, round(confidence, 4))
    if prediction.label is not None:
        if named_faq is not None:
            return Decision("faq", named_faq, prediction.confidence)
        return Decision("intent", prediction.label, prediction.confidence)
    if top is not None and top.relevance >= faq_relevance:
        return Decision("faq", top.id, top.relevance)
    return Decision("handover", None, round(1.0 - prediction.confidence, 4))
