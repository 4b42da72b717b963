"""Report periods in the shop's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kefu.analytics.periods import parse_period
from kefu.shared.errors import InvalidInput

TZ = ZoneInfo("Asia/Shanghai")


def test_a_month_runs_from_local_midnight_to_local_midnight() -> None:
    october = parse_period("2026-10", TZ)
    assert (october.first_day, october.last_day, october.days) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
        31,
    )
    assert october.start == datetime(2026, 10, 1, tzinfo=TZ)
    assert october.end == datetime(2026, 11, 1, tzinfo=TZ)
    assert october.previous().label == "2026-09"
    assert parse_period("2026-01", TZ).previous().label == "2025-12"


def test_quarters_weeks_days_and_ranges() -> None:
    q3 = parse_period("2026-q3", TZ)
    assert (q3.label, q3.first_day, q3.last_day) == ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))
    assert parse_period("2026-Q1", TZ).previous().label == "2025-Q4"
    week = parse_period("2026-W40", TZ)
    assert week.first_day == date(2026, 9, 28) and week.days == 7
    assert week.previous().label == "2026-W39"
    assert parse_period("2026-10-05", TZ).days == 1
    span = parse_period("2026-10-01..2026-10-15", TZ)
    assert span.days == 15 and span.previous().label == "2026-09-16..2026-09-30"


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-W60",
        "2026-10-32",
        "October",
        "2026-10-15..2026-10-01",
        "",
        "0000-01",
        "9999-12",
        "9999-Q4",
        "9999-12-31",
        "1999-12-01..2000-01-05",
    ],
)
def test_unknown_periods_are_refused_clearly(text: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_period(text, TZ)
    assert error.value.code == "invalid_period"
