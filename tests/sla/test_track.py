"""Planning a conversation's clocks from its facts: the four metrics, pausing, cycles, policy
changes, and idempotence over any sequence of conversation events."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.sla.calendar import BusinessCalendar
from kefu.sla.clock import ClockStatus
from kefu.sla.facts import ConversationFacts
from kefu.sla.policy import Metric, Policy, match_policy
from kefu.sla.track import DONE_STATUSES, ClockChange, TrackedClock, earliest_due, plan

HOUR = 3600
SHANGHAI = BusinessCalendar("Asia/Shanghai", (((540, 1380),),) * 7)
CHAT = Policy(
    id=1,
    position=1,
    channels=frozenset({"web", "im"}),
    first_response=120,
    next_response=180,
    resolution=24 * HOUR,
    calendar=SHANGHAI,
)
URGENT = Policy(
    id=2,
    position=0,
    priorities=frozenset({"urgent"}),
    first_response=60,
    next_response=60,
    resolution=4 * HOUR,
    calendar=SHANGHAI,
)
POLICIES = (URGENT, CHAT)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


T0 = utc(2026, 6, 1, 2)  # Monday 10:00 in Shanghai


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def facts(**changes: object) -> ConversationFacts:
    base = ConversationFacts(
        conversation_id=1,
        shop_id=1,
        channel="web",
        priority="normal",
        customer_level=0,
        status="open",
        status_changed_at=None,
        queued_at=T0,
        first_response_at=None,
        awaiting_reply_since=T0,
        last_agent_reply_at=None,
        resolved_at=None,
        complaint_since=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass
class Board:
    """The clock rows of one conversation, kept as the service would keep them."""

    policies: tuple[Policy, ...] = POLICIES
    clocks: dict[tuple[Metric, int], TrackedClock] = field(default_factory=dict)

    def see(self, seen: ConversationFacts, now: datetime) -> list[ClockChange]:
        changes = plan(seen, self.policies, list(self.clocks.values()), now)
        for change in changes:
            self.clocks[(change.after.metric, change.after.cycle)] = change.after
        assert plan(seen, self.policies, list(self.clocks.values()), now) == []
        return changes

    def clock(self, metric: Metric, cycle: int = 1) -> TrackedClock:
        return self.clocks[(metric, cycle)]

    def status(self, metric: Metric, cycle: int = 1) -> ClockStatus:
        return self.clock(metric, cycle).clock.status


def test_first_response_clock_starts_when_queued_and_is_met_by_the_first_reply() -> None:
    board = Board()
    board.see(facts(), now=T0)
    first = board.clock(Metric.FIRST_RESPONSE)
    assert (first.started_at, first.due_at, first.policy_id) == (T0, minutes(2), CHAT.id)
    assert first.warn_at == minutes(1.6)
    board.see(facts(first_response_at=minutes(1), awaiting_reply_since=None), now=minutes(1))
    assert board.status(Metric.FIRST_RESPONSE) is ClockStatus.MET
    assert board.clock(Metric.RESOLUTION).clock.status is ClockStatus.RUNNING


def test_conversation_with_the_bot_has_no_clock_yet() -> None:
    board = Board()
    assert board.see(facts(queued_at=None, awaiting_reply_since=None), now=T0) == []


def test_paused_conversation_does_not_breach_sla() -> None:
    board = Board()
    board.see(facts(), now=T0)
    board.see(facts(status="pending", status_changed_at=minutes(1)), now=minutes(1))
    first = board.clock(Metric.FIRST_RESPONSE)
    assert first.clock.status is ClockStatus.PAUSED and first.due_at is None
    assert first.clock.elapsed_seconds == 60
    assert not first.clock.is_breached(SHANGHAI, minutes(600))
    assert earliest_due(board.clocks.values()) is None
    # Back to open an hour later: one minute was used, one is left.
    board.see(facts(status="open", status_changed_at=minutes(60)), now=minutes(60))
    assert board.clock(Metric.FIRST_RESPONSE).due_at == minutes(61)


def test_late_first_reply_is_breached_at_the_due_time() -> None:
    board = Board()
    board.see(facts(), now=T0)
    changes = board.see(
        facts(first_response_at=minutes(5), awaiting_reply_since=None), now=minutes(5)
    )
    late = next(c for c in changes if c.after.metric is Metric.FIRST_RESPONSE)
    assert late.newly_breached
    assert (late.after.clock.breached_at, late.after.clock.met_at) == (minutes(2), minutes(5))


def test_each_wait_for_an_agent_is_a_next_response_cycle() -> None:
    board = Board()
    answered = facts(
        first_response_at=minutes(1), awaiting_reply_since=None, last_agent_reply_at=minutes(1)
    )
    board.see(answered, now=minutes(1))
    assert (Metric.NEXT_RESPONSE, 1) not in board.clocks
    board.see(replace(answered, awaiting_reply_since=minutes(10)), now=minutes(10))
    assert board.clock(Metric.NEXT_RESPONSE).due_at == minutes(13)
    board.see(replace(answered, last_agent_reply_at=minutes(12)), now=minutes(12))
    assert board.status(Metric.NEXT_RESPONSE) is ClockStatus.MET
    board.see(
        replace(answered, last_agent_reply_at=minutes(12), awaiting_reply_since=minutes(20)),
        now=minutes(20),
    )
    second = board.clock(Metric.NEXT_RESPONSE, 2)
    assert (second.started_at, second.clock.status) == (minutes(20), ClockStatus.RUNNING)


def test_reopening_a_resolved_conversation_starts_a_new_resolution_cycle() -> None:
    board = Board()
    done = facts(
        status="resolved",
        status_changed_at=minutes(30),
        resolved_at=minutes(30),
        first_response_at=minutes(1),
        awaiting_reply_since=None,
    )
    board.see(done, now=minutes(30))
    assert board.status(Metric.RESOLUTION) is ClockStatus.MET
    reopened = replace(
        done,
        status="open",
        status_changed_at=minutes(90),
        resolved_at=None,
        awaiting_reply_since=minutes(90),
    )
    board.see(reopened, now=minutes(90))
    second = board.clock(Metric.RESOLUTION, 2)
    assert (second.started_at, second.clock.status) == (minutes(90), ClockStatus.RUNNING)
    assert board.clock(Metric.NEXT_RESPONSE).started_at == minutes(90)


def test_resolving_stops_the_response_clocks() -> None:
    board = Board()
    board.see(facts(), now=T0)
    board.see(
        facts(status="resolved", status_changed_at=minutes(1), resolved_at=minutes(1)),
        now=minutes(1),
    )
    assert {c.clock.status for c in board.clocks.values()} == {ClockStatus.MET}


def test_feedback_counts_wall_clock_time_and_is_never_paused() -> None:
    board = Board((replace(CHAT, feedback=24 * HOUR),))
    complaint = facts(complaint_since=minutes(0))
    board.see(complaint, now=T0)
    assert board.clock(Metric.FEEDBACK).due_at == T0 + timedelta(hours=24)
    board.see(replace(complaint, status="pending", status_changed_at=minutes(5)), now=minutes(5))
    assert board.status(Metric.FEEDBACK) is ClockStatus.RUNNING
    assert board.status(Metric.RESOLUTION) is ClockStatus.PAUSED


def test_priority_change_retargets_running_clocks_keeping_elapsed() -> None:
    board = Board()
    board.see(facts(), now=T0)
    board.see(facts(status="pending", status_changed_at=minutes(20)), now=minutes(20))
    board.see(
        facts(status="open", status_changed_at=minutes(30), priority="urgent"), now=minutes(30)
    )
    resolution = board.clock(Metric.RESOLUTION)
    assert (resolution.policy_id, resolution.clock.target_seconds) == (URGENT.id, 4 * HOUR)
    assert resolution.clock.elapsed_seconds == 20 * 60
    assert resolution.due_at == minutes(30 + 4 * 60 - 20)


def test_without_a_matching_policy_no_clock_starts() -> None:
    board = Board()
    assert board.see(facts(channel="email"), now=T0) == []


def test_existing_clocks_keep_following_the_facts_when_no_policy_matches() -> None:
    board = Board()
    board.see(facts(), now=T0)
    board.see(
        facts(channel="email", first_response_at=minutes(1), awaiting_reply_since=None),
        now=minutes(1),
    )
    first = board.clock(Metric.FIRST_RESPONSE)
    assert (first.clock.status, first.clock.target_seconds) == (ClockStatus.MET, 120)


def test_first_matching_policy_by_position_wins() -> None:
    vip = Policy(id=3, position=5, min_customer_level=3, first_response=30)
    off = Policy(id=4, position=-1, first_response=1, enabled=False)
    policies = [CHAT, URGENT, vip, off]
    assert match_policy(policies, facts(priority="urgent")) == URGENT
    assert match_policy(policies, facts()) == CHAT
    assert match_policy(policies, facts(channel="email", customer_level=3)) == vip
    assert match_policy(policies, facts(channel="email", customer_level=2)) is None


# ---- any sequence of events ---------------------------------------------------------------

EVENTS = ("customer", "reply", "pending", "open", "resolve", "close", "priority", "complaint")


def _next(state: ConversationFacts, event: str, at: datetime, priority: str) -> ConversationFacts:
    """The facts after ``event`` at ``at``, as the conversation's owner would report them."""
    status = state.status
    if event == "customer":
        reopen = status != "open"
        return replace(
            state,
            status="open",
            status_changed_at=at if reopen else state.status_changed_at,
            resolved_at=None,
            queued_at=state.queued_at or at,
            awaiting_reply_since=state.awaiting_reply_since or at,
        )
    if event == "reply" and status not in DONE_STATUSES:
        return replace(
            state,
            first_response_at=state.first_response_at or at,
            last_agent_reply_at=at,
            awaiting_reply_since=None,
        )
    moves = {
        ("pending", "open"): "pending",
        ("open", "pending"): "open",
        ("close", "resolved"): "closed",
    }
    if (event, status) in moves:
        return replace(state, status=moves[(event, status)], status_changed_at=at)
    if event == "resolve" and status in ("open", "pending"):
        return replace(state, status="resolved", status_changed_at=at, resolved_at=at)
    if event == "priority":
        return replace(state, priority=priority)
    if event == "complaint":
        return replace(state, complaint_since=state.complaint_since or at)
    return state


def _check(
    board: Board, seen: ConversationFacts, before: dict[tuple[Metric, int], TrackedClock]
) -> None:
    for key, tracked in board.clocks.items():
        old = before.get(key)
        if old is not None:
            assert tracked.clock.elapsed_seconds >= old.clock.elapsed_seconds
            if not old.clock.adjustable:
                assert not tracked.clock.adjustable  # stopped clocks stay stopped
        if tracked.clock.status is ClockStatus.RUNNING:
            assert tracked.due_at is not None
            assert seen.status not in DONE_STATUSES
            if tracked.metric is not Metric.FEEDBACK:
                assert seen.status != "pending"
    for metric in Metric:
        cycles = sorted(cycle for m, cycle in board.clocks if m is metric)
        assert cycles == list(range(1, len(cycles) + 1))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(EVENTS),
            st.one_of(st.integers(0, 3), st.integers(0, 36 * 60)),
            st.sampled_from(["low", "normal", "high", "urgent"]),
        ),
        max_size=14,
    ),
    st.booleans(),
)
def test_any_event_sequence_plans_idempotently_and_elapsed_never_decreases(
    events: list[tuple[str, int, str]], feedback: bool
) -> None:
    board = Board((URGENT, replace(CHAT, feedback=24 * HOUR if feedback else None)))
    seen, now = facts(), T0
    board.see(seen, now)
    for event, gap, priority in events:
        now += timedelta(minutes=gap)
        seen = _next(seen, event, now, priority)
        before = dict(board.clocks)
        board.see(seen, now)
        _check(board, seen, before)
