"""Rolling-origin backtest of the forecast against the weekly seasonal naive forecast.

Origins fall every 7 days from the test start while a whole horizon of actuals follows. At
each origin both forecasts see only the history before it. Errors are scored as

* **MASE** of an origin: the forecast's mean absolute error over the horizon divided by the
  in-sample MAE of the weekly seasonal naive forecast on the origin's training window
  (``mean |y[t] - y[t - one week]|``); the reported ``mase`` is the mean over origins, and the
  same scale divides the naive forecast's error for ``naive_mase``;
* **WAPE**: the sum of absolute errors over all origins divided by the sum of actual calls.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import numpy as np

from kefu.workforce.forecast import ForecastRequest, ModelSettings, forecast
from kefu.workforce.promotions import Promotion
from kefu.workforce.series import CallSeries, FloatArray, SeriesError

DAYS_PER_WEEK = 7
MODEL = "weekday profile x AutoETS daily level (statsforecast)"
MASE_DEFINITION = (
    "per origin: MAE over the horizon / in-sample MAE of the weekly seasonal naive forecast "
    "on the training window; mean over origins"
)


@dataclass(frozen=True)
class BacktestRequest:
    """Origins every week from ``test_start``; each forecasts ``horizon_steps`` intervals."""

    horizon_steps: int
    test_start: datetime
    closed: frozenset[date] = frozenset()
    promotions: tuple[Promotion, ...] = ()
    default_promotions: bool = True
    settings: ModelSettings = field(default_factory=ModelSettings)


@dataclass(frozen=True)
class OriginScore:
    origin: datetime
    abs_error: float
    naive_abs_error: float
    actual: float
    scale: float
    steps: int

    @property
    def mase(self) -> float:
        return self.abs_error / self.steps / self.scale

    @property
    def naive_mase(self) -> float:
        return self.naive_abs_error / self.steps / self.scale


@dataclass(frozen=True)
class BacktestResult:
    scores: tuple[OriginScore, ...]
    interval_minutes: int
    horizon_steps: int
    seconds: float

    @property
    def mase(self) -> float:
        return float(np.mean([s.mase for s in self.scores]))

    @property
    def naive_mase(self) -> float:
        return float(np.mean([s.naive_mase for s in self.scores]))

    @property
    def wape(self) -> float:
        return wape_of(sum(s.abs_error for s in self.scores), sum(s.actual for s in self.scores))

    @property
    def naive_wape(self) -> float:
        return wape_of(
            sum(s.naive_abs_error for s in self.scores), sum(s.actual for s in self.scores)
        )

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape of ``kefu wfm backtest --json``."""
        return {
            "mase": round(self.mase, 4),
            "wape": round(self.wape, 4),
            "naive_mase": round(self.naive_mase, 4),
            "naive_wape": round(self.naive_wape, 4),
            "origins": len(self.scores),
            "mase_vs_naive": round(self.mase / self.naive_mase, 4),
            "model": MODEL,
            "mase_definition": MASE_DEFINITION,
            "interval_minutes": self.interval_minutes,
            "horizon_intervals": self.horizon_steps,
            "first_origin": self.scores[0].origin.isoformat(),
            "last_origin": self.scores[-1].origin.isoformat(),
            "fit_seconds": round(self.seconds, 2),
            "per_origin": [
                {
                    "origin": s.origin.isoformat(),
                    "mase": round(s.mase, 4),
                    "naive_mase": round(s.naive_mase, 4),
                    "wape": round(wape_of(s.abs_error, s.actual), 4),
                    "naive_wape": round(wape_of(s.naive_abs_error, s.actual), 4),
                }
                for s in self.scores
            ],
        }


def seasonal_naive(history: FloatArray, steps: int, season: int) -> FloatArray:
    """Each future interval repeats the same interval of the last season in ``history``."""
    if len(history) < season:
        raise SeriesError("the seasonal naive forecast needs at least one season of history")
    last = history[len(history) - season :]
    return np.asarray([last[h % season] for h in range(steps)], dtype=np.float64)


def naive_scale(history: FloatArray, season: int) -> float:
    """In-sample MAE of the seasonal naive forecast: mean ``|y[t] - y[t - season]|``."""
    if len(history) <= season:
        raise SeriesError("the MASE scale needs more than one season of history")
    return float(np.mean(np.abs(history[season:] - history[:-season])))


def mase_of(actual: FloatArray, predicted: FloatArray, scale: float) -> float:
    return float(np.mean(np.abs(actual - predicted))) / scale


def wape_of(abs_error: float, actual_total: float) -> float:
    """Absolute error as a share of the actual calls; NaN when there were none."""
    return abs_error / actual_total if actual_total > 0 else float("nan")


def origins(series: CallSeries, test_start: datetime, horizon_steps: int) -> list[int]:
    """Indices of the weekly origins from ``test_start`` with a whole horizon after them."""
    first = series.index_of(test_start)
    week = DAYS_PER_WEEK * series.per_day
    if first <= week:
        raise SeriesError(
            f"the test start {test_start} leaves less than a week of history before it"
        )
    found = list(range(first, len(series) - horizon_steps + 1, week))
    if not found:
        raise SeriesError(
            f"no origin: the history ends before {test_start} plus one horizon "
            f"({horizon_steps} intervals)"
        )
    return found


def run_backtest(
    series: CallSeries,
    request: BacktestRequest,
    progress: Callable[[int, int], None] | None = None,
) -> BacktestResult:
    """Score the forecast and the seasonal naive forecast at every origin; ``progress`` is
    called with (origins done, origins in all)."""
    points = origins(series, request.test_start, request.horizon_steps)
    season = DAYS_PER_WEEK * series.per_day
    asked = ForecastRequest(
        steps=request.horizon_steps,
        closed=request.closed,
        promotions=request.promotions,
        default_promotions=request.default_promotions,
        settings=request.settings,
    )
    scores: list[OriginScore] = []
    started = clock.perf_counter()
    for done, index in enumerate(points, start=1):
        history = series.head(index)
        actual = series.calls[index : index + request.horizon_steps]
        predicted = forecast(history, replace(asked, start=history.end)).calls
        naive = seasonal_naive(history.calls, request.horizon_steps, season)
        scale = naive_scale(history.calls, season)
        if scale <= 0:
            raise SeriesError(
                "the history before an origin repeats exactly every week: MASE is undefined"
            )
        scores.append(
            OriginScore(
                origin=history.end,
                abs_error=float(np.abs(actual - predicted).sum()),
                naive_abs_error=float(np.abs(actual - naive).sum()),
                actual=float(actual.sum()),
                scale=scale,
                steps=request.horizon_steps,
            )
        )
        if progress is not None:
            progress(done, len(points))
    return BacktestResult(
        tuple(scores),
        series.interval_minutes,
        request.horizon_steps,
        clock.perf_counter() - started,
    )
