"""Hypothesis strategies for business calendars and instants around daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from kefu.sla.calendar import BusinessCalendar, DayWindows, normalize_day

ZONES = (
    "UTC",
    "Asia/Shanghai",
    "America/New_York",  # DST: 02:00 skipped in March, 01:00-02:00 repeated in November
    "Europe/London",
    "Australia/Lord_Howe",  # DST moves the clock by 30 minutes
    "Asia/Kathmandu",  # +05:45
)
# Days on or next to offset changes in 2025 (US, EU, Lord Howe), and two ordinary ones.
ANCHORS = tuple(
    datetime(2025, month, day, tzinfo=UTC)
    for month, day in ((3, 9), (11, 2), (3, 30), (10, 26), (4, 6), (10, 5), (6, 18), (1, 1))
)
# Windows that straddle the hours clocks jump (01:00-03:00), plus ordinary ones.
COMMON = ((0, 1440), (60, 180), (90, 150), (120, 180), (0, 120), (540, 1080), (1380, 1440))

window = st.one_of(
    st.sampled_from(COMMON),
    st.tuples(st.integers(0, 1440), st.integers(0, 1440))
    .filter(lambda pair: pair[0] != pair[1])
    .map(lambda pair: (min(pair), max(pair))),
)
day_windows: st.SearchStrategy[DayWindows] = st.lists(window, max_size=3).map(normalize_day)


@st.composite
def calendars(
    draw: st.DrawFn, *, zones: tuple[str, ...] = ZONES, near: datetime | None = None
) -> BusinessCalendar:
    """A calendar in one of ``zones``, open on some day, with up to 3 holidays near ``near``."""
    weekly = tuple(draw(day_windows) for _ in range(7))
    if not any(weekly):
        weekly = (((540, 1080),), *weekly[1:])
    anchor = (near or draw(st.sampled_from(ANCHORS))).date()
    days = st.integers(-4, 4).map(lambda d: anchor + timedelta(days=d))
    holidays = draw(st.frozensets(days, max_size=3))
    return BusinessCalendar(draw(st.sampled_from(zones)), weekly, holidays)


@st.composite
def scenes(
    draw: st.DrawFn, *, spread_minutes: int = 3 * 24 * 60
) -> tuple[BusinessCalendar, datetime]:
    """A calendar and a minute-aligned UTC instant near one of its holidays' anchor."""
    anchor = draw(st.sampled_from(ANCHORS))
    start = anchor + timedelta(minutes=draw(st.integers(-spread_minutes, spread_minutes)))
    return draw(calendars(near=anchor)), start
