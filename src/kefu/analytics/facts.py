"""Per-conversation facts the KPIs are computed from, derived from raw rows (pure: no database).

``queries`` reads the raw rows; this module turns each conversation and its messages into one
``ConversationFact`` whose fields are the per-item inputs of every KPI (docs/metrics.md), so the
KPI engine only groups and adds."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

FCR_WINDOW = timedelta(days=7)  # a new contact within this after resolution is not FCR
REPEAT_WINDOW = timedelta(days=30)  # a complaint after another within this is a repeat
FEEDBACK_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class RawConversation:
    id: int
    created_at: datetime
    channel: str
    customer_id: int
    assignee_id: int | None
    team_id: int | None
    queue_id: int | None
    queued_at: datetime | None
    assigned_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    reopen_count: int
    complaint_since: datetime | None
    bot_handled: bool
    bot_handed_over: bool


@dataclass(frozen=True, slots=True)
class RawMessage:
    conversation_id: int
    created_at: datetime
    sender_type: str  # customer / agent / bot / system (internal notes are never read)
    sender_user_id: int | None


@dataclass(frozen=True, slots=True)
class ConversationFact:
    id: int
    created_at: datetime
    channel: str
    customer_id: int
    assignee_id: int | None
    team_id: int | None
    queue_id: int | None
    handled: bool  # a person replied
    first_response_seconds: float | None
    response_seconds: tuple[float, ...]
    handle_seconds: float | None
    resolution_seconds: float | None
    resolved: bool
    reopened: bool
    fcr: bool | None  # None unless resolved
    complaint: bool
    repeat_complaint: bool
    complaint_feedback_24h: bool | None  # None unless a complaint whose 24 h are decided
    bot_handled: bool
    bot_contained: bool
    sla_met: int = 0
    sla_breached: int = 0
    agent_messages: Mapping[int, int] = field(default_factory=dict)  # sender -> count


@dataclass(frozen=True, slots=True)
class History:
    """What lies outside the period but decides FCR and repeat complaints: the customers' other
    conversation starts (sorted) and earlier complaint times (sorted)."""

    contacts: Mapping[int, Sequence[datetime]]
    complaints: Mapping[int, Sequence[datetime]]


def _seconds(end: datetime | None, start: datetime | None) -> float | None:
    if end is None or start is None:
        return None
    return max(0.0, (end - start).total_seconds())


def response_times(messages: Iterable[RawMessage], person_from: datetime | None) -> list[float]:
    """Seconds from each customer message no person had answered yet to the next agent reply.
    Waiting starts no earlier than ``person_from`` (the hand-over to people), so time the bot
    was answering does not count against agents."""
    waiting: datetime | None = None
    times: list[float] = []
    for message in messages:
        if message.sender_type == "customer":
            waiting = waiting or message.created_at
        elif message.sender_type == "agent" and waiting is not None:
            start = max(waiting, person_from) if person_from else waiting
            times.append(max(0.0, (message.created_at - start).total_seconds()))
            waiting = None
    return times


def _feedback(raw: RawConversation, messages: Sequence[RawMessage], now: datetime) -> bool | None:
    if raw.complaint_since is None:
        return None
    deadline = raw.complaint_since + FEEDBACK_WINDOW
    for message in messages:
        if message.sender_type == "agent" and message.created_at >= raw.complaint_since:
            return message.created_at <= deadline
    return False if now >= deadline else None


def _fcr(raw: RawConversation, history: History) -> bool | None:
    if raw.resolved_at is None:
        return None
    if raw.reopen_count:
        return False
    later = history.contacts.get(raw.customer_id, ())
    i = bisect_right(later, raw.created_at)
    return not (i < len(later) and later[i] <= raw.resolved_at + FCR_WINDOW)


def _repeat(raw: RawConversation, history: History) -> bool:
    if raw.complaint_since is None:
        return False
    earlier = history.complaints.get(raw.customer_id, ())
    i = bisect_right(earlier, raw.complaint_since - REPEAT_WINDOW)
    return any(t < raw.complaint_since for t in earlier[i:])


def derive(
    raw: RawConversation,
    messages: Sequence[RawMessage],
    *,
    history: History,
    sla: tuple[int, int] = (0, 0),
    now: datetime,
) -> ConversationFact:
    """One conversation's KPI inputs. ``messages`` in order, internal notes excluded;
    ``sla`` is (clocks met, clocks breached)."""
    person_from = raw.queued_at if raw.bot_handled else None
    handled = raw.first_response_at is not None
    started = raw.queued_at or raw.created_at
    senders: dict[int, int] = {}
    for message in messages:
        if message.sender_type == "agent" and message.sender_user_id is not None:
            senders[message.sender_user_id] = senders.get(message.sender_user_id, 0) + 1
    return ConversationFact(
        id=raw.id,
        created_at=raw.created_at,
        channel=raw.channel,
        customer_id=raw.customer_id,
        assignee_id=raw.assignee_id,
        team_id=raw.team_id,
        queue_id=raw.queue_id,
        handled=handled,
        first_response_seconds=_seconds(raw.first_response_at, started),
        response_seconds=tuple(response_times(messages, person_from)),
        handle_seconds=_seconds(raw.resolved_at, raw.assigned_at or raw.first_response_at)
        if handled
        else None,
        resolution_seconds=_seconds(raw.resolved_at, raw.created_at),
        resolved=raw.resolved_at is not None,
        reopened=raw.reopen_count > 0,
        fcr=_fcr(raw, history),
        complaint=raw.complaint_since is not None,
        repeat_complaint=_repeat(raw, history),
        complaint_feedback_24h=_feedback(raw, messages, now),
        bot_handled=raw.bot_handled,
        bot_contained=raw.bot_handled and not raw.bot_handed_over and not handled,
        sla_met=sla[0],
        sla_breached=sla[1],
        agent_messages=senders,
    )
