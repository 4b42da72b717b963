"""What a demo conversation is about: the topic vocabulary that dialogue corpora fill in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OrderNeed(StrEnum):
    """Which of the customer's orders a topic talks about, judged at the conversation's start."""

    NONE = "none"
    PAID = "paid"
    UNSHIPPED = "unshipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"


Exchange = tuple[str, str]  # (customer, agent)
Note = tuple[str, str]  # (text, department asked to help, or "")


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    tag: str
    team: str
    needs: OrderNeed
    subjects: tuple[str, ...]
    openers: tuple[str, ...]
    replies: tuple[str, ...]
    exchanges: tuple[Exchange, ...]
    notes: tuple[Note, ...] = ()
    return_kind: str = ""  # "return" or "exchange" for after-sales topics


@dataclass(frozen=True, slots=True)
class Corpus:
    """One language's phrasing around the topics: bots, greetings, closings, department notes."""

    topics: tuple[Topic, ...]
    bot_greetings: tuple[str, ...]
    bot_handoffs: tuple[str, ...]
    customer_prefixes: tuple[str, ...]
    agent_prefixes: tuple[str, ...]
    agent_intros: tuple[str, ...]
    customer_closings: tuple[str, ...]
    agent_closings: tuple[str, ...]
    department_answers: dict[str, tuple[str, ...]]
    email_customer: str
    email_agent: str
