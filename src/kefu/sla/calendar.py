"""Business-hours arithmetic: when a shop is open, and how much open time lies between instants.

A calendar is a weekly pattern of local opening windows plus whole-day holidays, in one IANA
time zone. An instant is open when its local wall time (date and time of day) falls inside a
window of that weekday and its local date is not a holiday. That one rule settles daylight
saving time: an hour skipped in spring is never open, an hour repeated in autumn is open
twice when a window covers it.

Sums walk the range one stretch of constant UTC offset at a time, and within it one local day
at a time, so a month-long target costs a few hundred small steps, not tens of thousands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

MINUTES_PER_DAY = 24 * 60
DAYS_PER_WEEK = 7

Window = tuple[int, int]
"""Opening hours of one day as local minutes since midnight: ``(540, 1080)`` is 09:00–18:00."""
DayWindows = tuple[Window, ...]

# A UTC offset is assumed to change at most once within this step; real zones change it at
# most a few times a year.
_PROBE = timedelta(days=1)
_DAY = timedelta(days=1)


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


@lru_cache(maxsize=128)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ``ValueError`` if there is no such zone."""
    if name not in _known_zones():
        raise ValueError(f"unknown time zone '{name}'")
    return ZoneInfo(name)


def normalize_day(windows: Iterable[Window]) -> DayWindows:
    """``windows`` sorted, with overlapping or touching ones merged; ``ValueError`` if one is
    outside 00:00–24:00 or does not end after it starts."""
    merged: list[Window] = []
    for start, end in sorted(windows):
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"window {start}-{end} is not within one day (0-1440 minutes)")
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Weekly opening windows (``weekly[0]`` is Monday) in ``timezone``, closed on ``holidays``
    (local dates). A day may have no windows (closed every week)."""

    timezone: str
    weekly: tuple[DayWindows, ...]
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.weekly) != DAYS_PER_WEEK:
            raise ValueError("a week has 7 days of windows, Monday first")
        for day in self.weekly:
            if normalize_day(day) != tuple(day):
                raise ValueError("windows of a day must be sorted and must not overlap")
        zone(self.timezone)

    @property
    def never_open(self) -> bool:
        return not any(self.weekly)

    @property
    def always_open(self) -> bool:
        return not self.holidays and all(day == ((0, MINUTES_PER_DAY),) for day in self.weekly)


ALWAYS_OPEN = BusinessCalendar("UTC", (((0, MINUTES_PER_DAY),),) * DAYS_PER_WEEK)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: pass timezone-aware UTC datetimes")
    return value.astimezone(UTC)


def is_open(cal: BusinessCalendar, at: datetime) -> bool:
    local = _utc(at).astimezone(zone(cal.timezone))
    if local.date() in cal.holidays:
        return False
    minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
    return any(start <= minute < end for start, end in cal.weekly[local.weekday()])


def _offset(tz: ZoneInfo, at: datetime) -> timedelta:
    offset = at.astimezone(tz).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


def _first_change(tz: ZoneInfo, before: datetime, after: datetime, offset: timedelta) -> datetime:
    """The instant in ``(before, after]`` where the offset stops being ``offset``; zones change
    offsets on whole seconds, so search those."""
    low, high = math.floor(before.timestamp()), math.ceil(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(tz, datetime.fromtimestamp(middle, UTC)) == offset:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def _runs(tz: ZoneInfo, start: datetime) -> Iterator[tuple[datetime, datetime, timedelta]]:
    """Consecutive UTC stretches from ``start`` on, each at one UTC offset of ``tz`` (endless)."""
    cursor, offset = start, _offset(tz, start)
    while True:
        probe = cursor + _PROBE
        if _offset(tz, probe) == offset:
            yield cursor, probe, offset
            cursor = probe
            continue
        change = _first_change(tz, cursor, probe, offset)
        yield cursor, change, offset
        cursor, offset = change, _offset(tz, change)


def _open_spans(
    cal: BusinessCalendar, low: datetime, high: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Open stretches of naive local wall time within ``[low, high)``, in order."""
    day = low.date()
    while (midnight := datetime.combine(day, time())) < high:
        if day not in cal.holidays:
            for start, end in cal.weekly[day.weekday()]:
                begin = max(low, midnight + timedelta(minutes=start))
                finish = min(high, midnight + timedelta(minutes=end))
                if begin < finish:
                    yield begin, finish
        day += _DAY


def _local(instant: datetime, offset: timedelta) -> datetime:
    return (instant + offset).replace(tzinfo=None)


def business_seconds_between(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Open seconds in ``[start, end)``; 0 when ``end <= start``."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return 0.0
    if cal.always_open:
        return (end - start).total_seconds()
    total = timedelta()
    for low, high, offset in _runs(zone(cal.timezone), start):
        if low >= end:
            break
        for begin, finish in _open_spans(cal, _local(low, offset), _local(min(high, end), offset)):
            total += finish - begin
    return total.total_seconds()


def add_business_seconds(cal: BusinessCalendar, start: datetime, seconds: float) -> datetime:
    """The earliest instant by which ``seconds`` of open time have passed since ``start``:
    ``start`` itself for 0 (open or not), otherwise an instant inside or at the end of a window.
    ``ValueError`` for a calendar with no windows at all (it would never get there)."""
    start = _utc(start)
    if seconds <= 0:
        return start
    if cal.always_open:
        return start + timedelta(seconds=seconds)
    if cal.never_open:
        raise ValueError("the calendar has no opening hours")
    remaining = timedelta(seconds=seconds)
    for low, high, offset in _runs(zone(cal.timezone), start):
        for begin, finish in _open_spans(cal, _local(low, offset), _local(high, offset)):
            if finish - begin >= remaining:
                return (begin + remaining - offset).replace(tzinfo=UTC)
            remaining -= finish - begin
    raise AssertionError("unreachable: _runs is endless")  # pragma: no cover
