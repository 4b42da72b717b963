"""SLA policies as plain values: which conversations a policy covers, its targets per metric,
and which calendar each metric counts on. The first enabled policy (by position) that matches
a conversation governs it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from kefu.sla.calendar import ALWAYS_OPEN, BusinessCalendar
from kefu.sla.facts import ConversationFacts

PRIORITIES = ("low", "normal", "high", "urgent")
CHANNELS = ("web", "email", "im")
DEFAULT_FEEDBACK_SECONDS = 24 * 3600
DEFAULT_WARN_FRACTION = 0.8


class Metric(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"
    # A complaint's promise ("we settle complaints within 24 hours"), in wall-clock time.
    FEEDBACK = "feedback"


@dataclass(frozen=True, slots=True)
class Policy:
    """Empty ``priorities`` or ``channels`` match any. A target of None is not tracked.
    ``calendar`` is the business calendar used when ``business_hours`` is set."""

    id: int
    position: int = 0
    priorities: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    min_customer_level: int = 0
    first_response: int | None = None
    next_response: int | None = None
    resolution: int | None = None
    feedback: int | None = DEFAULT_FEEDBACK_SECONDS
    business_hours: bool = True
    warn_fraction: float = DEFAULT_WARN_FRACTION
    calendar: BusinessCalendar = ALWAYS_OPEN
    # A disabled policy matches nothing, but still lends its calendar to the clocks it set.
    enabled: bool = True

    def matches(self, facts: ConversationFacts) -> bool:
        return (
            self.enabled
            and (not self.priorities or facts.priority in self.priorities)
            and (not self.channels or facts.channel in self.channels)
            and facts.customer_level >= self.min_customer_level
        )

    def target(self, metric: Metric) -> int | None:
        targets = {
            Metric.FIRST_RESPONSE: self.first_response,
            Metric.NEXT_RESPONSE: self.next_response,
            Metric.RESOLUTION: self.resolution,
            Metric.FEEDBACK: self.feedback,
        }
        return targets[metric]

    def calendar_for(self, metric: Metric) -> BusinessCalendar:
        """Feedback always counts around the clock; the others on business hours if set."""
        if metric is Metric.FEEDBACK or not self.business_hours:
            return ALWAYS_OPEN
        return self.calendar


def match_policy(policies: Iterable[Policy], facts: ConversationFacts) -> Policy | None:
    """The first enabled policy by ``(position, id)`` that covers ``facts``; None if none does."""
    for policy in sorted(policies, key=lambda p: (p.position, p.id)):
        if policy.matches(facts):
            return policy
    return None
