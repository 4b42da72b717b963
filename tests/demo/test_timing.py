"""The demo's rhythms: promotions inside or outside the window, daily peaks, response delays."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime, timedelta

from kefu.demo.timing import (
    CHINA,
    HOURLY,
    calendar,
    first_response_delay,
    moments_on,
)


def test_a_window_over_november_peaks_on_double_11() -> None:
    now = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
    cal = calendar(now - timedelta(days=90), now)
    assert cal.peaks == {date(2026, 11, 11): "双11"}
    peak = date(2026, 11, 11)
    assert cal.factor(peak) > 3 * max(cal.factor(date(2026, 10, d)) for d in range(1, 29))
    assert cal.promotion_name(date(2026, 11, 15)) == "双11"
    assert cal.promotion_offset(date(2026, 11, 9)) == -2


def test_a_window_without_a_promotion_has_no_peak() -> None:
    now = datetime(2026, 9, 30, tzinfo=UTC)
    cal = calendar(now - timedelta(days=90), now)
    assert cal.peaks == {}
    assert cal.promotion_name(date(2026, 8, 1)) is None
    factors = [cal.factor(day) for day in cal.days()]
    assert max(factors) / min(factors) < 1.3  # only the weekly rhythm remains


def test_the_window_follows_the_date_it_is_given() -> None:
    now = datetime(2027, 12, 20, tzinfo=UTC)
    cal = calendar(now - timedelta(days=90), now)
    assert set(cal.peaks) == {date(2027, 11, 11), date(2027, 12, 12)}


def test_evenings_and_late_mornings_are_busiest_in_china_time() -> None:
    busiest = sorted(range(24), key=lambda h: HOURLY[h], reverse=True)[:4]
    assert set(busiest) <= {10, 11, 20, 21, 22}
    rng = random.Random(5)
    now = datetime(2026, 11, 24, tzinfo=UTC)
    cal = calendar(now - timedelta(days=90), now)
    moments = moments_on(rng, cal, date(2026, 10, 14), 2000)
    assert moments == sorted(moments)
    hours = [m.astimezone(CHINA).hour for m in moments]
    assert all(m.astimezone(CHINA).date() == date(2026, 10, 14) for m in moments)
    assert hours.count(21) > 10 * hours.count(4)


def test_first_responses_take_longer_at_the_peak_and_by_email() -> None:
    rng = random.Random(9)
    now = datetime(2026, 11, 24, tzinfo=UTC)
    cal = calendar(now - timedelta(days=90), now)
    quiet = datetime(2026, 10, 14, 7, tzinfo=UTC)  # 15:00 in China, an ordinary Wednesday
    peak = datetime(2026, 11, 11, 13, tzinfo=UTC)  # 21:00 in China on 双11

    def median(channel: str, at: datetime) -> float:
        return statistics.median(first_response_delay(rng, cal, channel, at) for _ in range(500))

    assert median("web", quiet) < 120
    assert median("web", peak) > 3 * median("web", quiet)
    assert median("email", quiet) > 30 * median("web", quiet)
