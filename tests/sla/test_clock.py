"""One SLA clock: business time counted while running, banked while paused, never breached while
paused, stopped as met or breached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.sla.calendar import ALWAYS_OPEN, BusinessCalendar
from kefu.sla.clock import Clock, ClockStatus, start
from tests.sla.strategies import scenes

SHANGHAI_9_TO_18 = BusinessCalendar("Asia/Shanghai", (((540, 1080),),) * 5 + ((), ()))
HOUR = 3600


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Friday 5 June 2026, 17:00 in Shanghai.
FRIDAY_5PM = utc(2026, 6, 5, 9)


def test_paused_conversation_does_not_breach_sla() -> None:
    clock = start(2 * HOUR, at=utc(2026, 6, 1, 0)).pause(ALWAYS_OPEN, utc(2026, 6, 1, 1))
    assert clock.status is ClockStatus.PAUSED
    assert clock.elapsed_seconds == HOUR
    assert clock.due_at(ALWAYS_OPEN) is None
    assert not clock.is_breached(ALWAYS_OPEN, utc(2027, 1, 1))


def test_resumed_clock_counts_only_the_time_it_ran() -> None:
    clock = start(2 * HOUR, at=utc(2026, 6, 1, 0)).pause(ALWAYS_OPEN, utc(2026, 6, 1, 1))
    clock = clock.resume(utc(2026, 6, 3, 0))
    assert clock.due_at(ALWAYS_OPEN) == utc(2026, 6, 3, 1)
    assert not clock.is_breached(ALWAYS_OPEN, utc(2026, 6, 3, 0, 59))
    assert clock.is_breached(ALWAYS_OPEN, utc(2026, 6, 3, 1))


def test_due_time_skips_the_weekend_on_business_hours() -> None:
    clock = start(2 * HOUR, at=FRIDAY_5PM)
    # One hour on Friday, the second from 09:00 on Monday: due 10:00 Monday in Shanghai.
    assert clock.due_at(SHANGHAI_9_TO_18) == utc(2026, 6, 8, 2)
    assert clock.warn_at(SHANGHAI_9_TO_18, 0.8) == utc(2026, 6, 8, 1, 36)
    assert not clock.is_breached(SHANGHAI_9_TO_18, utc(2026, 6, 7, 23))


def test_reply_in_time_is_met_and_late_reply_is_breached_at_the_due_time() -> None:
    clock = start(HOUR, at=utc(2026, 6, 1, 0))
    met = clock.stop(ALWAYS_OPEN, utc(2026, 6, 1, 0, 30))
    assert (met.status, met.met_at, met.elapsed_seconds) == (
        ClockStatus.MET,
        utc(2026, 6, 1, 0, 30),
        1800,
    )
    late = clock.stop(ALWAYS_OPEN, utc(2026, 6, 1, 2))
    assert late.status is ClockStatus.BREACHED
    assert (late.breached_at, late.met_at) == (utc(2026, 6, 1, 1), utc(2026, 6, 1, 2))


def test_pausing_after_the_deadline_breaches_instead() -> None:
    clock = start(HOUR, at=utc(2026, 6, 1, 0)).pause(ALWAYS_OPEN, utc(2026, 6, 1, 3))
    assert clock.status is ClockStatus.BREACHED
    assert clock.breached_at == utc(2026, 6, 1, 1)


def test_retarget_keeps_the_time_already_used() -> None:
    clock = start(4 * HOUR, at=utc(2026, 6, 1, 0)).pause(ALWAYS_OPEN, utc(2026, 6, 1, 1))
    urgent = clock.retarget(2 * HOUR).resume(utc(2026, 6, 1, 5))
    assert urgent.elapsed_seconds == HOUR
    assert urgent.due_at(ALWAYS_OPEN) == utc(2026, 6, 1, 6)


def test_a_swept_clock_records_the_late_completion() -> None:
    breached = Clock(HOUR, running_since=utc(2026, 6, 1, 0), breached_at=utc(2026, 6, 1, 1))
    done = breached.stop(ALWAYS_OPEN, utc(2026, 6, 1, 4))
    assert done.status is ClockStatus.BREACHED and done.met_at == utc(2026, 6, 1, 4)
    assert done.pause(ALWAYS_OPEN, utc(2026, 6, 2)) == done
    assert done.retarget(10 * HOUR) == done


def test_a_breach_swept_before_an_on_time_reply_was_known_is_undone() -> None:
    swept = Clock(HOUR, running_since=utc(2026, 6, 1, 0), breached_at=utc(2026, 6, 1, 1))
    replied = swept.stop(ALWAYS_OPEN, utc(2026, 6, 1, 0, 59))
    assert (replied.status, replied.breached_at) == (ClockStatus.MET, None)
    paused = swept.pause(ALWAYS_OPEN, utc(2026, 6, 1, 0, 30))
    assert (paused.status, paused.elapsed_seconds) == (ClockStatus.PAUSED, 1800)


Step = tuple[str, int, int]  # (operation, minutes later, new target)
steps = st.lists(
    st.tuples(
        st.sampled_from(["pause", "resume", "retarget", "stop", "wait"]),
        st.integers(0, 3 * 24 * 60),
        st.integers(1, 2 * 24 * HOUR),
    ),
    max_size=8,
)


def _apply(clock: Clock, cal: BusinessCalendar, step: Step, now: datetime) -> Clock:
    operation, _minutes, target = step
    if operation == "pause":
        return clock.pause(cal, now)
    if operation == "resume":
        return clock.resume(now)
    if operation == "retarget":
        return clock.retarget(target)
    if operation == "stop":
        return clock.stop(cal, now)
    return clock


def _check(clock: Clock, cal: BusinessCalendar, now: datetime) -> None:
    probes = (now, now + timedelta(hours=5), now + timedelta(days=40))
    if clock.status is ClockStatus.PAUSED:
        assert not any(clock.is_breached(cal, t) for t in probes)
    if clock.status is ClockStatus.RUNNING:
        due = clock.due_at(cal)
        warn = clock.warn_at(cal, 0.8)
        assert due is not None and warn is not None and warn <= due
        for t in probes:
            assert clock.is_breached(cal, t) == (t >= due)


@settings(max_examples=200, deadline=None)
@given(scenes(), st.integers(1, 2 * 24 * HOUR), steps)
def test_elapsed_never_decreases_and_a_paused_clock_never_breaches(
    scene: tuple[BusinessCalendar, datetime], target: int, plan: list[Step]
) -> None:
    cal, now = scene
    clock = start(target, now)
    for step in plan:
        now += timedelta(minutes=step[1])
        after = _apply(clock, cal, step, now)
        assert after.elapsed_seconds >= clock.elapsed_seconds
        if clock.status in (ClockStatus.MET, ClockStatus.BREACHED):
            assert after.status is clock.status  # stopped clocks stay stopped
        _check(after, cal, now)
        clock = after
