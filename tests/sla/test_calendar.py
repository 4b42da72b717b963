"""Business-hours arithmetic: agrees with counting minute by minute, across holidays and
daylight-saving changes, and adding business time is the inverse of measuring it."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.sla.calendar import (
    ALWAYS_OPEN,
    BusinessCalendar,
    add_business_seconds,
    business_seconds_between,
    is_open,
    normalize_day,
)
from tests.sla.strategies import scenes

MINUTE = timedelta(minutes=1)
NINE_TO_FIVE = ((540, 1020),)
NEW_YORK = BusinessCalendar("America/New_York", (NINE_TO_FIVE,) * 5 + ((), ()))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def brute_open_seconds(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Open time in ``[start, end)`` by looking at the wall clock once a minute."""
    tz = ZoneInfo(cal.timezone)
    total, moment = 0, start
    while moment < end:
        local = moment.astimezone(tz)
        minute = local.hour * 60 + local.minute
        if local.date() not in cal.holidays and any(
            begin <= minute < finish for begin, finish in cal.weekly[local.weekday()]
        ):
            total += 60
        moment += MINUTE
    return total


@settings(max_examples=200, deadline=None)
@given(scenes(), st.integers(0, 3 * 24 * 60))
def test_business_seconds_agree_with_counting_minute_by_minute(
    scene: tuple[BusinessCalendar, datetime], minutes: int
) -> None:
    cal, start = scene
    end = start + timedelta(minutes=minutes)
    assert business_seconds_between(cal, start, end) == brute_open_seconds(cal, start, end)


@settings(max_examples=200, deadline=None)
@given(scenes(), st.integers(0, 10 * 24 * 3600))
def test_adding_business_seconds_is_the_inverse_of_measuring_them(
    scene: tuple[BusinessCalendar, datetime], seconds: int
) -> None:
    cal, start = scene
    due = add_business_seconds(cal, start, seconds)
    assert business_seconds_between(cal, start, due) == seconds
    if seconds:  # the earliest such instant: one second sooner is not enough
        assert business_seconds_between(cal, start, due - timedelta(seconds=1)) < seconds
        assert is_open(cal, due - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(scenes(), st.integers(0, 4 * 24 * 60))
def test_adding_the_measured_time_lands_no_later_than_the_end(
    scene: tuple[BusinessCalendar, datetime], minutes: int
) -> None:
    cal, start = scene
    end = start + timedelta(minutes=minutes)
    measured = business_seconds_between(cal, start, end)
    back = add_business_seconds(cal, start, measured)
    assert back <= end
    assert business_seconds_between(cal, back, end) == 0


@settings(max_examples=200, deadline=None)
@given(scenes())
def test_is_open_agrees_with_the_minute_count(scene: tuple[BusinessCalendar, datetime]) -> None:
    cal, moment = scene
    assert is_open(cal, moment) == (brute_open_seconds(cal, moment, moment + MINUTE) == 60)


def test_a_business_week_in_new_york_spans_the_spring_clock_change() -> None:
    # Friday 7 March 2025 07:00 EST to Tuesday 11 March 08:00 EDT: Friday and Monday, 8 h each.
    start, end = utc(2025, 3, 7, 12), utc(2025, 3, 11, 12)
    assert business_seconds_between(NEW_YORK, start, end) == 16 * 3600
    # Eight business hours from Friday 07:00 EST end at 17:00 EST.
    assert add_business_seconds(NEW_YORK, start, 8 * 3600) == utc(2025, 3, 7, 22)
    # Nine run into Monday, which is on summer time: 10:00 EDT is 14:00 UTC.
    assert add_business_seconds(NEW_YORK, start, 9 * 3600) == utc(2025, 3, 10, 14)


def test_a_whole_local_day_has_23_or_25_hours_when_the_clocks_change() -> None:
    cal = BusinessCalendar("America/New_York", (((0, 1440),),) * 7, frozenset({date(2020, 1, 1)}))
    spring = business_seconds_between(cal, utc(2025, 3, 9, 5), utc(2025, 3, 10, 4))
    autumn = business_seconds_between(cal, utc(2025, 11, 2, 4), utc(2025, 11, 3, 5))
    assert (spring, autumn) == (23 * 3600, 25 * 3600)


def test_the_repeated_autumn_hour_is_open_twice_and_the_skipped_spring_hour_never() -> None:
    one_to_two = BusinessCalendar("America/New_York", (((60, 120),),) * 7)
    autumn = business_seconds_between(one_to_two, utc(2025, 11, 2, 4), utc(2025, 11, 3, 4))
    assert autumn == 2 * 3600
    two_to_three = BusinessCalendar("America/New_York", (((120, 180),),) * 7)
    assert business_seconds_between(two_to_three, utc(2025, 3, 9, 5), utc(2025, 3, 10, 4)) == 0


def test_holidays_are_closed_all_day() -> None:
    cal = BusinessCalendar("Asia/Shanghai", (NINE_TO_FIVE,) * 7, frozenset({date(2026, 2, 17)}))
    # 17 Feb 2026 (Spring Festival) in Shanghai: nothing; the next day counts as usual.
    assert business_seconds_between(cal, utc(2026, 2, 16, 16), utc(2026, 2, 17, 16)) == 0
    assert business_seconds_between(cal, utc(2026, 2, 17, 16), utc(2026, 2, 18, 16)) == 8 * 3600
    assert not is_open(cal, utc(2026, 2, 17, 3))
    assert is_open(cal, utc(2026, 2, 18, 3))


def test_always_open_counts_wall_clock_time() -> None:
    start = utc(2025, 3, 9, 1)
    assert business_seconds_between(ALWAYS_OPEN, start, start + timedelta(hours=30)) == 30 * 3600
    assert add_business_seconds(ALWAYS_OPEN, start, 90) == start + timedelta(seconds=90)


def test_adding_nothing_while_closed_stays_put_and_anything_waits_for_the_opening() -> None:
    saturday_noon = utc(2025, 6, 21, 16)
    assert add_business_seconds(NEW_YORK, saturday_noon, 0) == saturday_noon
    assert add_business_seconds(NEW_YORK, saturday_noon, 60) == utc(2025, 6, 23, 13, 1)


def test_a_month_long_target_on_sparse_hours_is_fast() -> None:
    one_hour_on_mondays = BusinessCalendar("Europe/London", (((600, 660),),) + ((),) * 6)
    began = time.perf_counter()
    due = add_business_seconds(one_hour_on_mondays, utc(2025, 1, 1), 30 * 24 * 3600)
    measured = business_seconds_between(one_hour_on_mondays, utc(2025, 1, 1), due)
    assert measured == 30 * 24 * 3600
    assert time.perf_counter() - began < 1.0  # 720 weeks of calendar, walked by the day


def test_a_calendar_that_never_opens_has_no_due_time() -> None:
    closed = BusinessCalendar("UTC", ((),) * 7)
    assert closed.never_open
    with pytest.raises(ValueError, match="no opening hours"):
        add_business_seconds(closed, utc(2025, 1, 1), 1)


def test_windows_are_merged_and_bad_ones_refused() -> None:
    assert normalize_day([(600, 700), (540, 610), (700, 720)]) == ((540, 720),)
    with pytest.raises(ValueError):
        normalize_day([(600, 600)])
    with pytest.raises(ValueError):
        BusinessCalendar("UTC", (((600, 700), (650, 800)),) + ((),) * 6)
    with pytest.raises(ValueError, match="unknown time zone"):
        BusinessCalendar("Mars/Olympus", ((),) * 7)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        business_seconds_between(ALWAYS_OPEN, datetime(2025, 1, 1), utc(2025, 1, 2))
