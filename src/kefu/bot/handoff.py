"""When the bot stops and a person takes over, and how long the customer should expect to wait.

Rules in order of precedence:
1. the customer asked for a person;
2. the customer is angry;
3. the customer states something strongly negative: a complaint, not a question and not a
   request the bot serves itself (a return for a broken item goes through the return flow). The
   Chinese sentiment model learnt from product reviews and reads many plain service questions as
   mildly negative, so only P(negative) >= `STRONGLY_NEGATIVE` counts;
4. the customer is a VIP at or above the shop's level (when the shop set one);
5. a flow needs a person (e.g. an order that is not the customer's own);
6. the bot was unsure (a guess, not an answer);
7. the bot failed to understand `max_out_of_scope` times in a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

STRONGLY_NEGATIVE = 0.995
_QUESTION = re.compile(
    r"[?？]|吗|呢|怎么|什么|哪|几|多久|多少|是否|能不能|可不可以|有没有"
    r"|^\s*(how|what|when|where|why|which|who|can|could|do|does|is|are|will)\b",
    re.IGNORECASE,
)


class HandoffReason(StrEnum):
    EXPLICIT_REQUEST = "explicit_request"
    ANGRY = "angry"
    NEGATIVE = "negative"
    VIP = "vip"
    FLOW = "flow"
    LOW_CONFIDENCE = "low_confidence"
    OUT_OF_SCOPE = "out_of_scope"
    AGENT_JOINED = "agent_joined"  # not a rule: an agent answered, the bot steps back


@dataclass(frozen=True, slots=True)
class HandoffFacts:
    """What the rules look at for one customer message (after the bot understood it)."""

    explicit_request: bool = False
    angry: bool = False
    negative: float = 0.0  # P(negative) of the message
    question: bool = False
    self_service: bool = False  # the message is a request one of the bot's flows serves
    vip_level: int = 0
    vip_threshold: int | None = None  # None: VIP customers are served by the bot like anyone
    flow_needs_person: bool = False
    unsure: bool = False
    out_of_scope_count: int = 0  # consecutive, including this message
    max_out_of_scope: int = 2


def handoff_reason(facts: HandoffFacts) -> HandoffReason | None:
    """The first rule (module docstring) that sends this conversation to a person, or None."""
    if facts.explicit_request:
        return HandoffReason.EXPLICIT_REQUEST
    if facts.angry:
        return HandoffReason.ANGRY
    if facts.negative >= STRONGLY_NEGATIVE and not (facts.question or facts.self_service):
        return HandoffReason.NEGATIVE
    if facts.vip_threshold is not None and facts.vip_level >= facts.vip_threshold:
        return HandoffReason.VIP
    if facts.flow_needs_person:
        return HandoffReason.FLOW
    if facts.unsure:
        return HandoffReason.LOW_CONFIDENCE
    if facts.out_of_scope_count >= max(1, facts.max_out_of_scope):
        return HandoffReason.OUT_OF_SCOPE
    return None


def looks_like_question(text: str) -> bool:
    """Whether a message asks something (Chinese or English), by its words and punctuation."""
    return bool(_QUESTION.search(text))
