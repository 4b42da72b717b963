"""Per-conversation KPI inputs: response times from the hand-over, FCR, repeat complaints and
the 24-hour complaint feedback."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from kefu.analytics.facts import History, RawConversation, RawMessage, derive, response_times

T0 = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)
NO_HISTORY = History(contacts={}, complaints={})


def _raw(**changes: object) -> RawConversation:
    base = RawConversation(
        id=1,
        created_at=T0,
        channel="web",
        customer_id=7,
        assignee_id=3,
        team_id=None,
        queue_id=None,
        queued_at=None,
        assigned_at=T0 + timedelta(seconds=30),
        first_response_at=T0 + timedelta(seconds=60),
        resolved_at=T0 + timedelta(minutes=20),
        reopen_count=0,
        complaint_since=None,
        bot_handled=False,
        bot_handed_over=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _msg(sender: str, seconds: float, user: int | None = None) -> RawMessage:
    return RawMessage(1, T0 + timedelta(seconds=seconds), sender, user)


def test_each_agent_reply_answers_the_oldest_unanswered_customer_message() -> None:
    messages = [
        _msg("customer", 0),
        _msg("customer", 20),
        _msg("agent", 60, 3),
        _msg("agent", 70, 3),  # a second reply answers nothing new
        _msg("customer", 100),
        _msg("agent", 400, 3),
    ]
    assert response_times(messages, None) == [60.0, 300.0]


def test_time_with_the_bot_does_not_count_against_agents() -> None:
    messages = [_msg("customer", 0), _msg("bot", 2), _msg("customer", 30), _msg("agent", 200, 3)]
    handed_over = T0 + timedelta(seconds=120)
    assert response_times(messages, handed_over) == [80.0]
    fact = derive(
        _raw(queued_at=handed_over, bot_handled=True, bot_handed_over=True),
        messages,
        history=NO_HISTORY,
        now=T0 + timedelta(days=1),
    )
    assert fact.response_seconds == (80.0,)
    assert fact.bot_handled and not fact.bot_contained


def test_first_response_counts_from_the_queue_when_the_bot_handed_over() -> None:
    fact = derive(
        _raw(queued_at=T0 + timedelta(seconds=40), first_response_at=T0 + timedelta(seconds=100)),
        [],
        history=NO_HISTORY,
        now=T0,
    )
    assert fact.first_response_seconds == 60.0
    assert fact.handle_seconds == (20 * 60) - 30.0  # from assignment to resolution
    assert fact.resolution_seconds == 20 * 60.0


def test_a_bot_conversation_nobody_answered_is_contained() -> None:
    fact = derive(
        _raw(bot_handled=True, first_response_at=None, assigned_at=None, assignee_id=None),
        [_msg("customer", 0), _msg("bot", 1)],
        history=NO_HISTORY,
        now=T0,
    )
    assert fact.bot_contained and not fact.handled and fact.handle_seconds is None


def test_a_new_contact_within_seven_days_of_resolution_is_not_first_contact_resolution() -> None:
    back_soon = History(contacts={7: [T0, T0 + timedelta(days=3)]}, complaints={})
    back_late = History(contacts={7: [T0, T0 + timedelta(days=8)]}, complaints={})
    other = History(contacts={8: [T0 + timedelta(days=1)]}, complaints={})
    assert derive(_raw(), [], history=back_soon, now=T0).fcr is False
    assert derive(_raw(), [], history=back_late, now=T0).fcr is True
    assert derive(_raw(), [], history=other, now=T0).fcr is True
    assert derive(_raw(reopen_count=1), [], history=NO_HISTORY, now=T0).fcr is False
    assert derive(_raw(resolved_at=None), [], history=NO_HISTORY, now=T0).fcr is None


def test_a_complaint_within_thirty_days_of_another_is_a_repeat() -> None:
    complaint = _raw(complaint_since=T0)
    recent = History(contacts={}, complaints={7: [T0 - timedelta(days=10), T0]})
    old = History(contacts={}, complaints={7: [T0 - timedelta(days=40), T0]})
    assert derive(complaint, [], history=recent, now=T0).repeat_complaint is True
    assert derive(complaint, [], history=old, now=T0).repeat_complaint is False
    assert derive(_raw(), [], history=recent, now=T0).repeat_complaint is False


def test_complaint_feedback_is_decided_by_the_first_agent_reply_within_24_hours() -> None:
    complaint = _raw(complaint_since=T0)
    hours = 3600.0
    on_time = [_msg("customer", 0), _msg("agent", 23 * hours, 3)]
    late = [_msg("customer", 0), _msg("agent", 25 * hours, 3)]
    assert derive(complaint, on_time, history=NO_HISTORY, now=T0).complaint_feedback_24h is True
    assert derive(complaint, late, history=NO_HISTORY, now=T0).complaint_feedback_24h is False
    silent = [_msg("customer", 0)]
    undecided = derive(complaint, silent, history=NO_HISTORY, now=T0 + timedelta(hours=2))
    assert undecided.complaint_feedback_24h is None
    overdue = derive(complaint, silent, history=NO_HISTORY, now=T0 + timedelta(hours=30))
    assert overdue.complaint_feedback_24h is False
    assert derive(_raw(), on_time, history=NO_HISTORY, now=T0).complaint_feedback_24h is None


def test_agent_messages_are_counted_per_sender() -> None:
    messages = [_msg("agent", 1, 3), _msg("agent", 2, 4), _msg("agent", 3, 3), _msg("bot", 4)]
    assert dict(derive(_raw(), messages, history=NO_HISTORY, now=T0).agent_messages) == {3: 2, 4: 1}
