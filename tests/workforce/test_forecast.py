"""The contact-volume forecast on synthetic series whose true rates, closed days and promotion
uplifts are known."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest

from kefu.workforce.backtest import seasonal_naive
from kefu.workforce.forecast import ForecastRequest, forecast
from kefu.workforce.promotions import Promotion, default_promotions
from kefu.workforce.series import CallSeries, FloatArray, SeriesError

WEEKDAY_FACTOR = np.array([1.0, 1.1, 1.0, 0.95, 0.9, 0.4, 0.2])  # Monday .. Sunday
MONDAY = datetime(2024, 1, 1)


def true_rates(start: datetime, count: int, interval: int = 30) -> FloatArray:
    """Expected calls per interval: none from 22:00 to 07:00, a daytime hump, weekly factors."""
    rates = np.zeros(count)
    for i in range(count):
        moment = start + timedelta(minutes=interval * i)
        hour = moment.hour + moment.minute / 60
        daytime = 0.0 if hour < 7 or hour >= 22 else np.sin(np.pi * (hour - 7) / 15) ** 1.5
        rates[i] = 40 * interval / 60 * daytime * WEEKDAY_FACTOR[moment.weekday()]
    return rates


def synthetic(
    weeks: int, *, interval: int = 30, seed: int = 0, start: datetime = MONDAY
) -> tuple[CallSeries, FloatArray]:
    """A Poisson series of ``weeks`` weeks, and the true rates for it plus one more week."""
    steps = weeks * 7 * 24 * 60 // interval
    rates = true_rates(start, steps + 7 * 24 * 60 // interval, interval)
    calls = np.random.default_rng(seed).poisson(rates[:steps]).astype(np.float64)
    return CallSeries(start, interval, calls), rates[steps:]


def day_slice(series_start: datetime, day: date, interval: int = 30) -> slice:
    first = int(
        (datetime.combine(day, datetime.min.time()) - series_start) / timedelta(minutes=interval)
    )
    return slice(first, first + 24 * 60 // interval)


def wape(predicted: FloatArray, truth: FloatArray) -> float:
    return float(np.abs(predicted - truth).sum() / truth.sum())


@pytest.mark.parametrize("seed", [1, 2])
def test_known_daily_and_weekly_seasonality_is_forecast_closely(seed: int) -> None:
    series, truth = synthetic(10, seed=seed)
    result = forecast(series, ForecastRequest(steps=len(truth), default_promotions=False))
    naive = seasonal_naive(series.calls, len(truth), len(truth))
    assert result.start == series.end == datetime(2024, 3, 11)
    assert wape(result.calls, truth) < 0.10
    assert wape(result.calls, truth) < 0.5 * wape(naive, truth)


def test_nights_without_calls_stay_zero_and_nothing_is_negative() -> None:
    series, truth = synthetic(6, interval=15, seed=3)
    result = forecast(series, ForecastRequest(steps=len(truth)))
    nights = [i for i, t in enumerate(result.times()) if t.hour < 6]
    assert result.calls.min() >= 0.0
    assert np.all(result.calls[nights] == 0.0)


def test_closed_calendar_days_are_forecast_as_zero() -> None:
    series, truth = synthetic(8, seed=4)
    wednesday = date(2024, 2, 28)
    result = forecast(series, ForecastRequest(steps=len(truth), closed=frozenset({wednesday})))
    closed = day_slice(result.start, wednesday)
    assert result.closed_days == (wednesday,)
    assert np.all(result.calls[closed] == 0.0)
    thursday = day_slice(result.start, wednesday + timedelta(days=1))
    assert result.calls[thursday].sum() == pytest.approx(truth[thursday].sum(), rel=0.15)


def test_a_holiday_in_the_history_does_not_drag_that_weekday_down() -> None:
    series, truth = synthetic(8, seed=5)
    holiday = date(2024, 2, 19)  # the last Monday of the history, nearly no calls
    calls = series.calls.copy()
    calls[day_slice(series.start, holiday)] *= 0.05
    result = forecast(CallSeries(series.start, 30, calls), ForecastRequest(steps=len(truth)))
    assert holiday in result.excluded_days
    assert any("unusual days" in note and "2024-02-19" in note for note in result.notes)
    monday = day_slice(result.start, date(2024, 2, 26))
    assert result.calls[monday].sum() == pytest.approx(truth[monday].sum(), rel=0.1)


def test_a_spike_in_the_history_is_left_out_of_the_fit() -> None:
    series, truth = synthetic(8, seed=6)
    spike = date(2024, 2, 21)
    calls = series.calls.copy()
    calls[day_slice(series.start, spike)] *= 6
    result = forecast(CallSeries(series.start, 30, calls), ForecastRequest(steps=len(truth)))
    assert spike in result.excluded_days
    wednesday = day_slice(result.start, date(2024, 2, 28))
    assert result.calls[wednesday].sum() == pytest.approx(truth[wednesday].sum(), rel=0.1)


def test_a_known_promotion_uplift_is_learned_and_applied_to_its_next_day() -> None:
    series, truth = synthetic(10, seed=7)
    past = [date(2024, 1, 24), date(2024, 2, 14)]  # two Wednesdays at 2.5 times the usual
    calls = series.calls.copy()
    rng = np.random.default_rng(8)
    rates = true_rates(series.start, len(calls))
    for day in past:
        window = day_slice(series.start, day)
        calls[window] = rng.poisson(2.5 * rates[window])
    upcoming = date(2024, 3, 13)
    events = tuple(Promotion(day, "大促") for day in [*past, upcoming])
    result = forecast(
        CallSeries(series.start, 30, calls),
        ForecastRequest(steps=len(truth), promotions=events, default_promotions=False),
    )
    (uplift,) = result.uplifts
    assert uplift.name == "大促" and uplift.learned_from == tuple(past)
    assert uplift.factor == pytest.approx(2.5, rel=0.1)
    assert uplift.applied_to == (upcoming,)
    promoted = day_slice(result.start, upcoming)
    assert result.calls[promoted].sum() == pytest.approx(2.5 * truth[promoted].sum(), rel=0.15)
    assert set(past) <= set(result.excluded_days)


def test_an_event_never_seen_before_gets_no_uplift_and_says_so() -> None:
    start = datetime(2024, 9, 30)
    series, truth = synthetic(6, start=start, seed=9)  # ends 2024-11-11, the day 双11 starts
    with_calendar = forecast(series, ForecastRequest(steps=len(truth)))
    without = forecast(series, ForecastRequest(steps=len(truth), default_promotions=False))
    (singles_day,) = with_calendar.uplifts
    assert singles_day.name == "双11" and singles_day.factor is None
    assert singles_day.applied_to == (date(2024, 11, 11),)
    assert "no past occurrence" in singles_day.note and singles_day.note in with_calendar.notes
    assert np.array_equal(with_calendar.calls, without.calls)


def test_the_default_calendar_holds_618_and_singles_day_every_year() -> None:
    events = default_promotions(date(2023, 7, 1), date(2024, 12, 31))
    assert [(p.day, p.name) for p in events] == [
        (date(2023, 11, 11), "双11"),
        (date(2024, 6, 18), "618"),
        (date(2024, 11, 11), "双11"),
    ]


def test_a_later_start_forecasts_from_there_on() -> None:
    series, _ = synthetic(5, seed=10)
    later = series.end + timedelta(days=2, hours=9)
    result = forecast(series, ForecastRequest(steps=48, start=later))
    assert result.start == later and len(result.calls) == 48
    assert result.times()[-1] == later + timedelta(hours=23, minutes=30)


def test_a_short_history_falls_back_to_the_profile() -> None:
    series, _ = synthetic(1, seed=11)
    short = series.head(5 * 48 + 20)  # Monday to Saturday 10:00
    result = forecast(short, ForecastRequest(steps=3 * 48))
    assert any("profile only" in note for note in result.notes)
    assert result.calls.sum() > 0 and result.calls.min() >= 0


def test_a_start_inside_the_history_is_refused() -> None:
    series, _ = synthetic(2, seed=12)
    with pytest.raises(SeriesError, match="at or after the history's end"):
        forecast(series, ForecastRequest(steps=48, start=series.end - timedelta(hours=1)))
