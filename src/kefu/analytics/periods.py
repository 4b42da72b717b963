"""Report periods in a shop's time zone (pure): a month ``2026-10``, a quarter ``2026-Q3``, an ISO
week ``2026-W40``, a day ``2026-10-05`` or a range ``2026-10-01..2026-10-15`` (end inclusive)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kefu.shared.errors import InvalidInput

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_WEEK = re.compile(r"^(\d{4})-[Ww](\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    first_day: date
    last_day: date  # inclusive
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time(), self.tz)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), datetime.min.time(), self.tz)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> Period:
        """The period of the same kind just before (the month, quarter or week before; a range
        of the same length otherwise)."""
        if _MONTH.match(self.label):
            return parse_period(_shift_month(self.first_day, -1).strftime("%Y-%m"), self.tz)
        if m := _QUARTER.match(self.label):
            year, q = int(m[1]), int(m[2]) - 1
            year, q = (year - 1, 4) if q == 0 else (year, q)
            return parse_period(f"{year}-Q{q}", self.tz)
        last = self.first_day - timedelta(days=1)
        first = last - timedelta(days=self.days - 1)
        if _WEEK.match(self.label):
            year, week, _ = first.isocalendar()
            return parse_period(f"{year}-W{week:02d}", self.tz)
        return Period(_range_label(first, last), first, last, self.tz)


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _range_label(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"not a date: {text!r}", code="invalid_period") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(
            f"periods lie between {FIRST_YEAR} and {LAST_YEAR}", code="invalid_period"
        )
    return day


FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_period(text: str, tz: ZoneInfo) -> Period:
    """The period ``text`` names; ``InvalidInput`` (code ``invalid_period``) otherwise."""
    period = _parse(text.strip(), tz)
    if not (period.first_day.year >= FIRST_YEAR and period.last_day.year <= LAST_YEAR):
        raise InvalidInput(
            f"periods lie between {FIRST_YEAR} and {LAST_YEAR}", code="invalid_period"
        )
    return period


def _parse(text: str, tz: ZoneInfo) -> Period:
    year = _MONTH.match(text) or _QUARTER.match(text) or _WEEK.match(text)
    if year and not FIRST_YEAR <= int(year[1]) <= LAST_YEAR:
        raise InvalidInput(
            f"periods lie between {FIRST_YEAR} and {LAST_YEAR}", code="invalid_period"
        )
    if m := _MONTH.match(text):
        if not 1 <= int(m[2]) <= 12:
            raise InvalidInput(f"no month {m[2]} in {text!r}", code="invalid_period")
        first = date(int(m[1]), int(m[2]), 1)
        return Period(text, first, _shift_month(first, 1) - timedelta(days=1), tz)
    if m := _QUARTER.match(text):
        first = date(int(m[1]), 3 * int(m[2]) - 2, 1)
        label = f"{m[1]}-Q{m[2]}"
        return Period(label, first, _shift_month(first, 3) - timedelta(days=1), tz)
    if m := _WEEK.match(text):
        try:
            first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError:
            raise InvalidInput(f"no week {m[2]} in {m[1]}", code="invalid_period") from None
        return Period(text.upper(), first, first + timedelta(days=6), tz)
    if _DAY.match(text):
        day = _day(text)
        return Period(text, day, day, tz)
    if ".." in text:
        a, b = (part.strip() for part in text.split("..", 1))
        first, last = _day(a), _day(b)
        if last < first:
            raise InvalidInput(f"{text!r} ends before it starts", code="invalid_period")
        if (last - first).days > 366:
            raise InvalidInput("a period is at most one year", code="invalid_period")
        return Period(_range_label(first, last), first, last, tz)
    raise InvalidInput(
        f"unknown period {text!r}: use 2026-10, 2026-Q3, 2026-W40, 2026-10-05 or "
        "2026-10-01..2026-10-15",
        code="invalid_period",
    )


def month_containing(moment: datetime, tz: ZoneInfo) -> Period:
    local = moment.astimezone(tz)
    return parse_period(f"{local.year}-{local.month:02d}", tz)
