"""Contact-volume series: reading and validating ``interval_start,calls`` data into a regular grid.

A series is counted in local wall time (the shop's clock, no zone): interval ``i`` starts at
``start + i * interval``. Intervals are 15, 30 or 60 minutes and lie on the grid from local
midnight. Intervals missing from the input count as 0 calls and are flagged in ``filled``
(exports often skip empty intervals).
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kefu.shared.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

INTERVALS = (15, 30, 60)
MINUTES_PER_DAY = 24 * 60
HEADER = ("interval_start", "calls")
_DURATION = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNIT_MINUTES = {"m": 1, "min": 1, "h": 60, "d": MINUTES_PER_DAY, "w": 7 * MINUTES_PER_DAY}


class SeriesError(InvalidInput):
    """Input that cannot become a series; the message names the line or value at fault."""

    code = "bad_series"


@dataclass(frozen=True)
class CallSeries:
    """Calls per interval on a regular local grid; ``filled`` marks intervals absent from the
    input (counted as 0)."""

    start: datetime
    interval_minutes: int
    calls: FloatArray
    filled: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        if self.interval_minutes not in INTERVALS:
            raise SeriesError(f"interval must be one of {INTERVALS} minutes")
        if self.start.tzinfo is not None:
            raise SeriesError("a series is counted in local wall time: give a naive start")
        if _minute_of_day(self.start) % self.interval_minutes or self.start.second:
            raise SeriesError(f"{self.start} is not on the {self.interval_minutes}-minute grid")
        if len(self.filled) != len(self.calls):
            object.__setattr__(self, "filled", np.zeros(len(self.calls), dtype=bool))

    def __len__(self) -> int:
        return len(self.calls)

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=self.interval_minutes)

    @property
    def per_day(self) -> int:
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def end(self) -> datetime:
        """Where the series stops (exclusive): the start of the first interval not in it."""
        return self.start + len(self) * self.step

    @property
    def first_slot(self) -> int:
        """The interval of the day (0 at midnight) in which the series starts."""
        return _minute_of_day(self.start) // self.interval_minutes

    def time_at(self, index: int) -> datetime:
        return self.start + index * self.step

    def index_of(self, moment: datetime) -> int:
        """The index of the interval starting at ``moment`` (may lie outside the series)."""
        offset = (moment - self.start) / self.step
        if moment.tzinfo is not None or offset != int(offset):
            raise SeriesError(f"{moment} is not on the {self.interval_minutes}-minute grid")
        return int(offset)

    def head(self, count: int) -> CallSeries:
        """The first ``count`` intervals: what was known before ``time_at(count)``."""
        return CallSeries(
            self.start, self.interval_minutes, self.calls[:count], self.filled[:count]
        )

    def times(self) -> list[datetime]:
        return [self.time_at(i) for i in range(len(self))]


def _minute_of_day(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def parse_duration(text: str) -> timedelta:
    """``15m``, ``30min``, ``1h``, ``7d`` or ``2w`` as a duration; ``SeriesError`` otherwise."""
    match = _DURATION.match(text)
    if match is None or int(match.group(1)) == 0:
        raise SeriesError(f"'{text}' is not a duration such as 30m, 1h, 7d or 2w")
    return timedelta(minutes=int(match.group(1)) * _UNIT_MINUTES[match.group(2).lower()])


def parse_interval(text: str) -> int:
    """``15m``, ``30m`` or ``60m`` (or ``1h``) as minutes."""
    minutes = int(parse_duration(text).total_seconds()) // 60
    if minutes not in INTERVALS:
        raise SeriesError(f"interval must be 15m, 30m or 60m, not '{text}'")
    return minutes


def steps_in(duration: timedelta, interval_minutes: int) -> int:
    """How many intervals make ``duration``; it must be a whole number of them."""
    steps = duration / timedelta(minutes=interval_minutes)
    if steps != int(steps) or steps < 1:
        raise SeriesError(
            f"{duration} is not a whole number of {interval_minutes}-minute intervals"
        )
    return int(steps)


def read_series(path: Path, *, interval_minutes: int | None = None) -> CallSeries:
    """The series in the CSV at ``path`` (header ``interval_start,calls``)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return parse_series(handle, interval_minutes=interval_minutes, source=str(path))
    except OSError as exc:
        raise SeriesError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SeriesError(f"{path} is not UTF-8 text") from exc


def parse_series(
    lines: Iterable[str], *, interval_minutes: int | None = None, source: str = "input"
) -> CallSeries:
    """Rows of ``interval_start,calls`` (any order) as a series. Times are local wall times
    (a zone offset, if given, is dropped); the interval is the smallest step between rows
    unless given, and a coarser ``interval_minutes`` sums the rows into it."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None or tuple(cell.strip().lower() for cell in header) != HEADER:
        raise SeriesError(f"{source}: the first line must be the header 'interval_start,calls'")
    points: dict[datetime, float] = {}
    for row in reader:
        if not row or all(not cell.strip() for cell in row):
            continue
        moment, calls = _parse_row(row, reader.line_num)
        if moment in points:
            raise SeriesError(f"{source} line {reader.line_num}: {moment} appears twice")
        points[moment] = calls
    if not points:
        raise SeriesError(f"{source} has no rows")
    detected = detect_interval(points, source=source, hint=interval_minutes)
    if detected not in INTERVALS:  # e.g. 6-minute rows summed into the asked-for interval
        assert interval_minutes is not None
        return _summed(points, interval_minutes)
    series = from_counts(points, interval_minutes=detected)
    if interval_minutes is not None and interval_minutes != detected:
        series = resample(series, interval_minutes)
    return series


def _summed(points: Mapping[datetime, float], interval_minutes: int) -> CallSeries:
    """Finer rows summed into ``interval_minutes`` intervals (flagged filled when none fell in)."""
    buckets: dict[datetime, float] = {}
    for moment, calls in points.items():
        start = moment - timedelta(minutes=_minute_of_day(moment) % interval_minutes)
        buckets[start] = buckets.get(start, 0.0) + calls
    return from_counts(buckets, interval_minutes=interval_minutes)


def _parse_row(row: list[str], line: int) -> tuple[datetime, float]:
    if len(row) != 2:
        raise SeriesError(f"line {line}: expected 2 fields (interval_start,calls), got {len(row)}")
    stamp, count = (cell.strip() for cell in row)
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        raise SeriesError(f"line {line}: '{stamp}' is not an ISO date-time") from None
    try:
        calls = float(count)
    except ValueError:
        raise SeriesError(f"line {line}: '{count}' is not a number of calls") from None
    if not math.isfinite(calls) or calls < 0:
        raise SeriesError(f"line {line}: calls must be a finite number >= 0, got '{count}'")
    return moment.replace(tzinfo=None), calls


def detect_interval(
    points: Iterable[datetime], *, source: str = "input", hint: int | None = None
) -> int:
    """The interval of the rows' grid: the smallest step between them, which every row must lie
    on (counted from midnight). With one row, ``hint`` is used. Steps other than 15, 30 or 60
    minutes (say 6) are accepted only when ``hint`` is a multiple of them to sum into."""
    moments = sorted(points)
    steps = {int((b - a).total_seconds()) for a, b in itertools.pairwise(moments)}
    if not steps:
        if hint is None:
            raise SeriesError(f"{source}: need at least two rows to detect the interval")
        return hint
    smallest = min(steps)
    if smallest % 60 or (smallest // 60 not in INTERVALS and (hint or 1) % (smallest // 60)):
        raise SeriesError(
            f"{source}: rows are {smallest / 60:g} minutes apart; intervals must be 15, 30 or "
            "60 minutes (or finer ones that --interval sums into them)"
        )
    minutes = smallest // 60
    for moment in moments:
        if moment.second or moment.microsecond or _minute_of_day(moment) % minutes:
            raise SeriesError(f"{source}: {moment} is not on the {minutes}-minute grid")
    if hint is not None and (hint < minutes or hint % minutes):
        raise SeriesError(
            f"{source} has {minutes}-minute intervals: cannot make {hint}-minute ones from them"
        )
    return minutes


def from_counts(
    points: Mapping[datetime, float],
    *,
    interval_minutes: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> CallSeries:
    """A series from ``{interval start: calls}`` on the grid, spanning ``start``..``end``
    (default: the first and last point); intervals without a point are 0 and flagged."""
    if not points and (start is None or end is None):
        raise SeriesError("no intervals to make a series from")
    step = timedelta(minutes=interval_minutes)
    first = start if start is not None else min(points)
    stop = end if end is not None else max(points) + step
    count = int((stop - first) / step)
    calls = np.zeros(count, dtype=np.float64)
    filled = np.ones(count, dtype=bool)
    for moment, value in points.items():
        offset = (moment - first) / step
        if offset != int(offset):
            raise SeriesError(f"{moment} is not on the {interval_minutes}-minute grid")
        if 0 <= offset < count:
            calls[int(offset)] = value
            filled[int(offset)] = False
    return CallSeries(first, interval_minutes, calls, filled)


def resample(series: CallSeries, interval_minutes: int) -> CallSeries:
    """``series`` summed into coarser intervals; an interval is flagged as filled only when
    every finer interval in it was."""
    if interval_minutes == series.interval_minutes:
        return series
    if interval_minutes % series.interval_minutes:
        raise SeriesError(
            f"cannot make {interval_minutes}-minute intervals from "
            f"{series.interval_minutes}-minute ones"
        )
    factor = interval_minutes // series.interval_minutes
    lead = series.first_slot % factor
    padded_calls = np.concatenate([np.zeros(lead), series.calls])
    padded_filled = np.concatenate([np.ones(lead, dtype=bool), series.filled])
    tail = -len(padded_calls) % factor
    padded_calls = np.concatenate([padded_calls, np.zeros(tail)])
    padded_filled = np.concatenate([padded_filled, np.ones(tail, dtype=bool)])
    return CallSeries(
        series.start - lead * series.step,
        interval_minutes,
        padded_calls.reshape(-1, factor).sum(axis=1),
        np.asarray(padded_filled.reshape(-1, factor).all(axis=1), dtype=np.bool_),
    )


def read_dates(path: Path, *, with_names: bool) -> list[tuple[date, str]]:
    """Dated entries from a CSV: ``date`` (closed days) or ``date,name`` (promotions); a header
    row starting with ``date`` is skipped. Names are empty when ``with_names`` is false."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SeriesError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SeriesError(f"{path} is not UTF-8 text") from exc
    entries: list[tuple[date, str]] = []
    for line, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [cell.strip() for cell in row]
        if not cells or not cells[0] or (line == 1 and cells[0].lower() == "date"):
            continue
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            raise SeriesError(
                f"{path} line {line}: '{cells[0]}' is not a date (YYYY-MM-DD)"
            ) from None
        name = cells[1] if len(cells) > 1 else ""
        if with_names and not name:
            raise SeriesError(f"{path} line {line}: expected 'date,name'")
        entries.append((day, name))
    return entries
