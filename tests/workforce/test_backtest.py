"""The rolling-origin backtest: the error arithmetic on hand-made numbers, origins that see only
their past, and the bar on real call-centre data (MASE at least 10% below seasonal naive)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from kefu.workforce.backtest import (
    BacktestRequest,
    BacktestResult,
    OriginScore,
    mase_of,
    naive_scale,
    origins,
    run_backtest,
    seasonal_naive,
    wape_of,
)
from kefu.workforce.series import CallSeries, SeriesError, read_series
from tests.workforce.test_forecast import synthetic

CALLCENTER = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "callcenter"
    / "anonymous_bank_1999_jan_sep_30min.csv"
)
WEEK_30 = 7 * 48


def test_seasonal_naive_repeats_the_last_season() -> None:
    history = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert list(seasonal_naive(history, 5, 2)) == [4.0, 5.0, 4.0, 5.0, 4.0]
    with pytest.raises(SeriesError):
        seasonal_naive(history[:1], 3, 2)


def test_mase_and_wape_on_a_hand_made_example() -> None:
    history = np.array([1.0, 2.0, 3.0, 4.0])
    scale = naive_scale(history, 2)  # |3-1|, |4-2|
    assert scale == 2.0
    actual = np.array([5.0, 4.0, 3.0])
    naive = seasonal_naive(history, 3, 2)  # 3, 4, 3
    assert mase_of(actual, naive, scale) == pytest.approx((2 + 0 + 0) / 3 / 2)
    assert mase_of(actual, np.array([5.0, 5.0, 5.0]), scale) == pytest.approx((0 + 1 + 2) / 3 / 2)
    assert wape_of(2.0, 12.0) == pytest.approx(1 / 6)
    assert np.isnan(wape_of(1.0, 0.0))


def test_mase_averages_origins_and_wape_pools_them() -> None:
    first = OriginScore(datetime(2024, 1, 8), 10.0, 20.0, actual=100.0, scale=1.0, steps=10)
    second = OriginScore(datetime(2024, 1, 15), 30.0, 30.0, actual=50.0, scale=3.0, steps=10)
    result = BacktestResult((first, second), interval_minutes=60, horizon_steps=10, seconds=0.0)
    assert (first.mase, second.mase) == (1.0, 1.0)
    assert result.mase == pytest.approx(1.0)
    assert result.naive_mase == pytest.approx((2.0 + 1.0) / 2)
    assert result.wape == pytest.approx(40 / 150)
    assert result.naive_wape == pytest.approx(50 / 150)
    report = result.to_dict()
    assert report["origins"] == 2 and report["mase_vs_naive"] == pytest.approx(2 / 3, abs=1e-4)
    assert {"mase", "wape", "naive_mase", "naive_wape"} <= set(report)


def test_origins_fall_weekly_from_the_test_start_while_a_horizon_fits() -> None:
    series = CallSeries(datetime(2024, 1, 1), 30, np.ones(5 * WEEK_30))
    found = origins(series, datetime(2024, 1, 15), WEEK_30)
    assert [series.time_at(i) for i in found] == [
        datetime(2024, 1, 15),
        datetime(2024, 1, 22),
        datetime(2024, 1, 29),
    ]
    with pytest.raises(SeriesError, match="less than a week of history"):
        origins(series, datetime(2024, 1, 5), WEEK_30)
    with pytest.raises(SeriesError, match="no origin"):
        origins(series, datetime(2024, 2, 1), WEEK_30)


def test_each_origin_is_fitted_only_on_the_data_before_it() -> None:
    series, _ = synthetic(7, seed=20)
    spiked = series.calls.copy()
    spike_at = series.index_of(datetime(2024, 2, 13, 12))  # inside the last origin's week
    spiked[spike_at : spike_at + 6] = 5000.0
    request = BacktestRequest(horizon_steps=WEEK_30, test_start=datetime(2024, 1, 22))
    clean = run_backtest(series, request)
    dirty = run_backtest(CallSeries(series.start, 30, spiked), request)
    assert len(clean.scores) == len(dirty.scores) == 4
    for before, after in zip(clean.scores[:3], dirty.scores[:3], strict=True):
        assert before == after  # the spike lies after these origins' horizons: unseen
    assert dirty.scores[3].abs_error > clean.scores[3].abs_error + 20000


def test_progress_is_reported_for_every_origin() -> None:
    series, _ = synthetic(5, seed=21)
    seen: list[tuple[int, int]] = []
    request = BacktestRequest(horizon_steps=WEEK_30, test_start=datetime(2024, 1, 15))
    run_backtest(series, request, lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_on_known_seasonality_the_forecast_beats_seasonal_naive() -> None:
    series, _ = synthetic(12, seed=22)
    request = BacktestRequest(horizon_steps=WEEK_30, test_start=datetime(2024, 2, 19))
    result = run_backtest(series, request)
    assert len(result.scores) == 5
    # Against Poisson noise even the true rates score about 0.71 x naive (sqrt 2 less noise).
    assert result.mase <= 0.8 * result.naive_mase
    assert result.wape < result.naive_wape


def test_on_the_bank_call_centre_mase_is_at_least_ten_percent_below_seasonal_naive() -> None:
    if not CALLCENTER.is_file():
        pytest.skip(f"shared data not found at {CALLCENTER} (see ../shared/data/README.md)")
    series = read_series(CALLCENTER)
    request = BacktestRequest(horizon_steps=WEEK_30, test_start=datetime(1999, 7, 1))
    result = run_backtest(series, request)
    assert len(result.scores) == 13
    assert result.scores[-1].origin + timedelta(days=7) <= series.end
    assert result.mase <= 0.9 * result.naive_mase, result.to_dict()
    assert result.wape < result.naive_wape
