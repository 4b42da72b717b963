"""What the bot makes of one message: a built-in intent, a knowledge-base answer, a guess it
should not answer, or nothing — from the keyword cues, the shop's classifier (if it has one)
and knowledge-base retrieval.

Cues win (transactional intents and "转人工" are never left to a model). Then the classifier
and retrieval are merged by `kefu.bot.confidence.combine`; knowledge-base hits carry the
article id as their document id, so a shop model names FAQs `faq:<article id>` (the service
first rewrites `faq:<main question>` labels, see `confidence.resolve_faq_labels`). Without a
shop model, retrieval alone answers when its relevance reaches `FAQ_RELEVANCE`. Below that, a
hit of at least `GUESS_RELEVANCE` is a guess: the bot is unsure and hands over; with nothing
at all, the message is out of scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kefu.bot.confidence import combine
from kefu.bot.intent import IntentPrediction
from kefu.bot.intents import Intent, known_intent
from kefu.bot.retrieval import RetrievalHit

FAQ_RELEVANCE = 0.6
GUESS_RELEVANCE = 0.3

RouteKind = Literal["intent", "faq", "unsupported", "guess", "unknown"]


@dataclass(frozen=True, slots=True)
class Route:
    """`target`: the intent for `intent`, the article id for `faq`, the classifier's label
    for `unsupported` (an intent the bot knows but has no answer for), else None."""

    kind: RouteKind
    target: str | None
    confidence: float

    @property
    def intent(self) -> Intent | None:
        return known_intent(self.target) if self.kind == "intent" else None


def _unsure(hits: Sequence[RetrievalHit], confidence: float) -> Route:
    top = hits[0] if hits else None
    if top is not None and top.relevance >= GUESS_RELEVANCE:
        return Route("guess", None, top.relevance)
    return Route("unknown", None, confidence)


def route(
    cue: Intent | None,
    prediction: IntentPrediction | None,
    hits: Sequence[RetrievalHit],
) -> Route:
    """One route for a message (rules in the module docstring)."""
    if cue is not None:
        return Route("intent", cue.value, 1.0)
    if prediction is None:
        top = hits[0] if hits else None
        if top is not None and top.relevance >= FAQ_RELEVANCE:
            return Route("faq", top.id, top.relevance)
        return _unsure(hits, 0.0)
    decision = combine(prediction, hits, faq_relevance=FAQ_RELEVANCE)
    if decision.action == "faq":
        return Route("faq", decision.target, decision.confidence)
    if decision.action == "intent":
        intent = known_intent(decision.target)
        if intent is not None:
            return Route("intent", intent.value, decision.confidence)
        return Route("unsupported", decision.target, decision.confidence)
    return _unsure(hits, prediction.confidence)
