"""Which queue a conversation goes to, by the rules an admin edits: pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """Every non-empty condition must hold: the bot's intent is one of ``intents``, the
    channel one of ``channels``, the text contains one of ``keywords`` (case-insensitive),
    and the customer's VIP level is at least ``min_customer_level``."""

    queue_id: int
    intents: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()
    min_customer_level: int = 0


@dataclass(frozen=True, slots=True)
class Subject:
    """What the rules look at."""

    channel: str
    intent: str | None = None
    customer_level: int = 0
    text: str = ""


def matches(rule: Rule, subject: Subject) -> bool:
    if rule.intents and subject.intent not in rule.intents:
        return False
    if rule.channels and subject.channel not in rule.channels:
        return False
    if subject.customer_level < rule.min_customer_level:
        return False
    if rule.keywords:
        text = subject.text.casefold()
        return any(keyword.casefold() in text for keyword in rule.keywords if keyword)
    return True


def choose_queue(rules: Iterable[Rule], subject: Subject, default: int | None) -> int | None:
    """The first matching rule's queue (rules in the admin's order), else ``default``."""
    for rule in rules:
        if matches(rule, subject):
            return rule.queue_id
    return default
