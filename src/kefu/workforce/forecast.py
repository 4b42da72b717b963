"""Contact-volume forecasting: how many conversations (or calls) arrive in each future interval.

The model is top-down, as workforce planners do by hand, with statsforecast for the level:

1. **Days left out of the fit**: closed days and promotion days from the calendar, and
   *unusual* days found in the history (a day far below or above the median of the same
   weekday in the weeks around it: holidays, outages, unlisted sales). They neither shape the
   profile nor drag the level.
2. **Intraday profile per weekday** (daily and weekly seasonality): the recency-weighted mean
   of each interval over the last ``profile_weeks`` usable days of that weekday, lightly
   smoothed across neighbouring intervals.
3. **Daily level**: AutoETS (weekly season) on the last ``level_weeks`` of daily totals, left-out
   days replaced by their profile total, blended half and half with the profile's own total.
4. **Forecast**: each future day's profile scaled to its level; promotion days multiplied by
   the uplift learned from past occurrences; closed days 0. Values are never negative.

The choice among candidates (MSTL, sqrt-MSTL, profile alone, ensembles) is documented in
docs/decisions/0015-forecast-model.md; it was made on data before the reported test period.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt

from kefu.workforce.promotions import (
    Promotion,
    Uplift,
    by_name,
    default_promotions,
    merge,
    uplift_factor,
)
from kefu.workforce.series import BoolArray, CallSeries, FloatArray, SeriesError

DAYS_PER_WEEK = 7
_SMOOTHING = np.array([0.25, 0.5, 0.25])


@dataclass(frozen=True)
class ModelSettings:
    """The model's knobs; the defaults were chosen on the call-centre data before 1999-07-01."""

    profile_weeks: int = 8
    decay: float = 0.8
    level_weeks: int = 12
    level_mix: float = 0.5
    level_cap: float = 2.0
    min_level_days: int = 21
    unusual_low: float = 0.6
    unusual_high: float = 2.0
    unusual_weeks: int = 8


@dataclass(frozen=True)
class ForecastRequest:
    """What to forecast: ``steps`` intervals from ``start`` (default: the end of the history),
    with known closed days and promotions (added to 618 and 双11 unless switched off)."""

    steps: int
    start: datetime | None = None
    closed: frozenset[date] = frozenset()
    promotions: tuple[Promotion, ...] = ()
    default_promotions: bool = True
    settings: ModelSettings = field(default_factory=ModelSettings)


@dataclass(frozen=True)
class Forecast:
    start: datetime
    interval_minutes: int
    calls: FloatArray
    uplifts: tuple[Uplift, ...]
    closed_days: tuple[date, ...]
    excluded_days: tuple[date, ...]
    notes: tuple[str, ...]

    def times(self) -> list[datetime]:
        step = timedelta(minutes=self.interval_minutes)
        return [self.start + i * step for i in range(len(self.calls))]


@dataclass(frozen=True)
class _Baseline:
    calls: FloatArray
    excluded: tuple[date, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class DayGrid:
    """The series as one row per local day (NaN outside the series)."""

    first: date
    values: FloatArray

    @property
    def days(self) -> int:
        return int(self.values.shape[0])

    def date_of(self, index: int) -> date:
        return self.first + timedelta(days=index)

    def weekday(self, index: int) -> int:
        return self.date_of(index).weekday()

    def full(self) -> BoolArray:
        """Which days the series covers completely."""
        return np.asarray(~np.isnan(self.values).any(axis=1), dtype=np.bool_)


def day_grid(series: CallSeries) -> DayGrid:
    lead = series.first_slot
    tail = -(lead + len(series)) % series.per_day
    padded = np.concatenate([np.full(lead, np.nan), series.calls, np.full(tail, np.nan)])
    return DayGrid(series.start.date(), padded.reshape(-1, series.per_day))


def forecast(series: CallSeries, request: ForecastRequest) -> Forecast:
    """Forecast ``request.steps`` intervals after the history in ``series``; only ``series`` is
    looked at, so a backtest passes the history before its origin."""
    start = request.start or series.end
    series.index_of(start)  # on the grid
    if start < series.end:
        raise SeriesError(f"the forecast must start at or after the history's end ({series.end})")
    if request.steps < 1:
        raise SeriesError("the horizon must be at least one interval")
    last_day = (start + (request.steps - 1) * series.step).date()
    defaults = (
        default_promotions(series.start.date(), last_day) if request.default_promotions else ()
    )
    calendar = merge(request.promotions, defaults)
    skip = request.closed | {p.day for p in calendar}
    base = baseline(series, start=start, steps=request.steps, skip=skip, settings=request.settings)
    calls = base.calls.copy()
    first_day = start.date()
    offsets = _day_offsets(series, start, request.steps)
    window = {first_day + timedelta(days=int(k)) for k in np.unique(offsets)}
    uplifts = []
    for name, event_days in by_name(calendar).items():
        open_days = [day for day in event_days if day not in request.closed]
        learned = _learn(series, name, open_days, skip=skip, settings=request.settings)
        applied = tuple(day for day in open_days if day in window)
        if learned.factor is not None:
            for day in applied:
                calls[offsets == (day - first_day).days] *= learned.factor
        uplifts.append(Uplift(name, learned.factor, learned.learned_from, applied))
    closed = tuple(sorted(day for day in request.closed if day in window))
    for day in closed:
        calls[offsets == (day - first_day).days] = 0.0
    notes = base.notes + tuple(uplift.note for uplift in uplifts)
    filled = int(series.filled.sum())
    if filled:
        notes += (f"{filled} intervals missing from the history were counted as 0 calls",)
    return Forecast(
        start, series.interval_minutes, calls, tuple(uplifts), closed, base.excluded, notes
    )


def _day_offsets(series: CallSeries, start: datetime, steps: int) -> npt.NDArray[np.int64]:
    """For each forecast interval, its day counted from the start's day (0, 1, ...)."""
    first = series.index_of(start) - series.index_of(datetime.combine(start.date(), time()))
    return (first + np.arange(steps, dtype=np.int64)) // series.per_day


def _learn(
    series: CallSeries,
    name: str,
    event_days: list[date],
    *,
    skip: frozenset[date],
    settings: ModelSettings,
) -> Uplift:
    """The uplift of ``name`` from its days that lie wholly in the history with at least a week
    of data before them; each day's baseline is fitted on the data before that day only."""
    actual: list[float] = []
    expected: list[float] = []
    learned: list[date] = []
    for day in event_days:
        index = series.index_of(datetime.combine(day, time()))
        if index < DAYS_PER_WEEK * series.per_day or index + series.per_day > len(series):
            continue
        before = series.head(index)
        fitted = baseline(
            before, start=before.end, steps=series.per_day, skip=skip, settings=settings
        )
        actual.append(float(series.calls[index : index + series.per_day].sum()))
        expected.append(float(fitted.calls.sum()))
        learned.append(day)
    return Uplift(name, uplift_factor(actual, expected) if learned else None, tuple(learned), ())


def baseline(
    series: CallSeries,
    *,
    start: datetime,
    steps: int,
    skip: frozenset[date],
    settings: ModelSettings,
) -> _Baseline:
    """The forecast without promotions or closed days, fitted on ``series`` minus the ``skip``
    days and the unusual ones."""
    grid = day_grid(series)
    skipped = {i for i in range(grid.days) if grid.date_of(i) in skip}
    unusual = unusual_days(grid, skipped, settings)
    excluded = skipped | unusual
    profiles = weekday_profiles(grid, excluded, settings)
    if series.interval_minutes <= 30:
        profiles = np.stack([_smooth(row) for row in profiles])
    first_day = start.date()
    last_day = (start + (steps - 1) * series.step).date()
    totals, level_note = _levels(grid, excluded, profiles, (first_day, last_day), settings)
    rows = []
    for offset, total in enumerate(totals):
        profile = profiles[(first_day + timedelta(days=offset)).weekday()]
        profile_total = float(profile.sum())
        rows.append(profile * (total / profile_total) if profile_total > 0 else profile)
    skip_slots = series.index_of(start) - series.index_of(datetime.combine(first_day, time()))
    calls = np.maximum(np.concatenate(rows)[skip_slots : skip_slots + steps], 0.0)
    notes = [level_note]
    if unusual:
        listed = ", ".join(grid.date_of(i).isoformat() for i in sorted(unusual))
        notes.append(f"unusual days left out of the fit: {listed}")
    return _Baseline(calls, tuple(grid.date_of(i) for i in sorted(excluded)), tuple(notes))


def unusual_days(grid: DayGrid, known: set[int], settings: ModelSettings) -> set[int]:
    """Complete days whose total is far from the median of the same weekday within
    ``unusual_weeks`` weeks either side: below ``unusual_low`` or above ``unusual_high`` times
    it, and by more than Poisson noise (3 standard deviations) so quiet days are not flagged."""
    full = grid.full()
    totals = np.nansum(grid.values, axis=1)
    usable = [i for i in range(grid.days) if full[i] and i not in known]
    reach = settings.unusual_weeks * DAYS_PER_WEEK
    found: set[int] = set()
    for i in usable:
        same = [
            totals[j]
            for j in range(i - reach, i + reach + 1, DAYS_PER_WEEK)
            if j != i and 0 <= j < grid.days and full[j] and j not in known
        ]
        if len(same) < 2:
            continue
        median = float(np.median(same))
        noise = 3.0 * math.sqrt(max(median, 1.0))
        low = totals[i] < settings.unusual_low * median and median - totals[i] > noise
        high = totals[i] > settings.unusual_high * median and totals[i] - median > noise
        if low or high:
            found.add(i)
    return found


def weekday_profiles(grid: DayGrid, excluded: set[int], settings: ModelSettings) -> FloatArray:
    """Calls per interval for each weekday (rows Monday..Sunday): the mean of the last
    ``profile_weeks`` usable days of that weekday, each older one weighted ``decay`` times
    the next. A weekday never seen takes the mean of all usable days; no usable day, zeros."""
    per_day = grid.values.shape[1]
    usable = [i for i in range(grid.days - 1, -1, -1) if i not in excluded]
    everyday = _weighted(
        grid, usable[: settings.profile_weeks * DAYS_PER_WEEK], settings.decay ** (1 / 7)
    )
    if everyday is None:
        everyday = np.zeros(per_day)
    rows = []
    for weekday in range(DAYS_PER_WEEK):
        days = [i for i in usable if grid.weekday(i) == weekday][: settings.profile_weeks]
        row = _weighted(grid, days, settings.decay)
        rows.append(everyday if row is None else row)
    return np.stack(rows)


def _weighted(grid: DayGrid, days: list[int], decay: float) -> FloatArray | None:
    """Per-interval weighted mean of ``days`` (newest first), ignoring NaN; None if no data."""
    if not days:
        return None
    values = grid.values[days]
    weights = (decay ** np.arange(len(days)))[:, None] * ~np.isnan(values)
    total = weights.sum(axis=0)
    if not total.any():
        return None
    mean = np.nansum(np.nan_to_num(values) * weights, axis=0) / np.where(total > 0, total, 1.0)
    fallback = float(np.nanmean(values)) if np.isfinite(values).any() else 0.0
    return np.where(total > 0, mean, fallback)


def _smooth(row: FloatArray) -> FloatArray:
    padded = np.concatenate([row[:1], row, row[-1:]])
    return np.convolve(padded, _SMOOTHING, mode="valid")


def _levels(
    grid: DayGrid,
    excluded: set[int],
    profiles: FloatArray,
    span: tuple[date, date],
    settings: ModelSettings,
) -> tuple[list[float], str]:
    """Total calls of each day in ``span`` (first and last day): the blend of AutoETS on the
    recent daily totals and the weekday profile's total (the profile alone on short history)."""
    first_day, last_day = span
    days = (last_day - first_day).days + 1
    profile_totals = [
        float(profiles[(first_day + timedelta(days=k)).weekday()].sum()) for k in range(days)
    ]
    full = np.flatnonzero(grid.full())
    if len(full) < settings.min_level_days or settings.level_mix <= 0:
        return profile_totals, "level: weekday profile only (under 3 weeks of complete days)"
    last = int(full[-1])
    complete = set(full.tolist())
    earliest = last - settings.level_weeks * DAYS_PER_WEEK + 1
    window = [i for i in range(earliest, last + 1) if i in complete]
    totals = np.array(
        [
            float(profiles[grid.weekday(i)].sum()) if i in excluded else float(grid.values[i].sum())
            for i in window
        ]
    )
    gap = (first_day - grid.date_of(last)).days
    ets = ets_forecast(totals, gap - 1 + days)[gap - 1 :]
    mix = settings.level_mix
    # A trend extrapolated far ahead (a late --start) is capped: at most level_cap x the profile.
    blended = [
        mix * min(max(float(e), 0.0), settings.level_cap * p) + (1 - mix) * p
        for e, p in zip(ets, profile_totals, strict=True)
    ]
    return blended, f"level: AutoETS on {len(window)} daily totals blended with the weekday profile"


def ets_forecast(totals: FloatArray, horizon: int) -> FloatArray:
    """AutoETS with a weekly season (statsforecast) on daily totals, ``horizon`` days ahead."""
    from statsforecast.models import AutoETS  # importing statsforecast takes ~2 s: only when used

    model = AutoETS(season_length=DAYS_PER_WEEK)
    with warnings.catch_warnings():
        # Candidate models with a zero-valued state divide by zero while being scored; the
        # selection discards them, and the warning says nothing about the chosen one.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = model.forecast(y=totals.astype(np.float64), h=horizon)
    return np.asarray(result["mean"], dtype=np.float64)
