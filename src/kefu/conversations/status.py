"""The conversation status machine: open -> pending -> resolved -> closed, with reopen."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    IM = "im"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class SenderType(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


ALLOWED: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.PENDING, Status.RESOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}


def can_transition(current: Status, target: Status) -> bool:
    """True when ``current -> target`` is a legal move; staying put is not a move."""
    return target in ALLOWED[current]


def status_after_customer_message(current: Status) -> Status:
    """A customer writing again reopens a resolved or closed conversation or wakes a pending one."""
    return Status.OPEN if current is not Status.OPEN else current


# Tags that make a conversation a complaint (its 24-hour feedback SLA starts).
COMPLAINT_TAGS = frozenset({"投诉", "complaint"})


class SubtaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
