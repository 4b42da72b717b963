"""Reading ``interval_start,calls`` input into a regular series, and refusing bad input clearly."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from kefu.workforce.series import (
    CallSeries,
    SeriesError,
    parse_duration,
    parse_interval,
    parse_series,
    read_dates,
    read_series,
    resample,
    steps_in,
)


def lines(*rows: str) -> list[str]:
    return ["interval_start,calls", *rows]


@pytest.mark.parametrize("minutes", [15, 30, 60])
def test_the_interval_is_detected_from_the_rows(minutes: int) -> None:
    start = datetime(2024, 3, 1, 9)
    rows = [f"{(start + timedelta(minutes=minutes * i)).isoformat()},{i}" for i in range(4)]
    series = parse_series(lines(*reversed(rows)))
    assert series.interval_minutes == minutes
    assert series.start == start and list(series.calls) == [0, 1, 2, 3]
    assert series.end == start + timedelta(minutes=4 * minutes)


def test_missing_intervals_count_as_zero_and_are_flagged() -> None:
    series = parse_series(
        lines("2024-03-01T09:00:00,5", "2024-03-01T09:30:00,7", "2024-03-01T11:00:00,2.5")
    )
    assert list(series.calls) == [5, 7, 0, 0, 2.5]
    assert list(series.filled) == [False, False, True, True, False]


def test_a_zone_offset_is_dropped_to_local_wall_time() -> None:
    series = parse_series(lines("2024-03-01 09:00+08:00,1", "2024-03-01 09:15+08:00,2"))
    assert series.start == datetime(2024, 3, 1, 9) and series.start.tzinfo is None


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["when,count", "2024-03-01T09:00,1"], "first line must be the header"),
        (lines("2024-03-01T09:00,1", "yesterday,3"), "line 3: 'yesterday' is not an ISO"),
        (lines("2024-03-01T09:00,1", "2024-03-01T09:30,many"), "line 3: 'many' is not a number"),
        (lines("2024-03-01T09:00,1", "2024-03-01T09:30,-2"), "line 3: calls must be"),
        (lines("2024-03-01T09:00,1", "2024-03-01T09:30,nan"), "line 3: calls must be"),
        (
            lines("2024-03-01T09:00,1", "2024-03-01T09:00,2"),
            "line 3: 2024-03-01 09:00:00 appears twice",
        ),
        (lines("2024-03-01T09:00,1", "2024-03-01T09:30,2,3"), "line 3: expected 2 fields"),
        (lines("2024-03-01T09:00,1", "2024-03-01T09:45,2"), "45 minutes apart"),
        (lines("2024-03-01T09:10,1", "2024-03-01T09:40,2"), "not on the 30-minute grid"),
        (lines("2024-03-01T09:00,1"), "at least two rows"),
        (lines(), "has no rows"),
    ],
)
def test_bad_input_is_refused_with_the_line_at_fault(rows: list[str], message: str) -> None:
    with pytest.raises(SeriesError, match=message):
        parse_series(rows)


def test_a_coarser_interval_sums_the_finer_rows() -> None:
    rows = [f"2024-03-01T{9 + i // 4:02d}:{15 * (i % 4):02d},{i}" for i in range(1, 8)]
    series = parse_series(lines(*rows), interval_minutes=60)  # 09:15 .. 10:45
    assert series.start == datetime(2024, 3, 1, 9)
    assert list(series.calls) == [1 + 2 + 3, 4 + 5 + 6 + 7]
    assert list(series.filled) == [False, False]
    with pytest.raises(SeriesError, match="60-minute intervals: cannot make 15-minute ones"):
        parse_series(lines("2024-03-01T09:00,1", "2024-03-01T10:00,2"), interval_minutes=15)


def test_rows_finer_than_15_minutes_are_summed_into_the_asked_interval() -> None:
    rows = [f"2024-03-01T09:{6 * i:02d},{i}" for i in range(10)]  # 6-minute rows, 09:00-09:54
    series = parse_series(lines(*rows), interval_minutes=30)
    assert series.start == datetime(2024, 3, 1, 9) and list(series.calls) == [10, 35]
    with pytest.raises(SeriesError, match="6 minutes apart"):
        parse_series(lines(*rows))
    with pytest.raises(SeriesError, match="6 minutes apart"):
        parse_series(lines(*rows), interval_minutes=15)


def test_resampling_flags_only_wholly_missing_intervals() -> None:
    fine = CallSeries(
        datetime(2024, 3, 1),
        15,
        np.array([1.0, 0, 0, 0, 0, 0, 0, 0]),
        np.array([False, True, True, True, True, True, True, True]),
    )
    coarse = resample(fine, 60)
    assert list(coarse.calls) == [1.0, 0.0] and list(coarse.filled) == [False, True]


def test_read_series_reads_a_file_and_names_unreadable_ones(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("\ufeffinterval_start,calls\n2024-03-01T00:00,3\n2024-03-01T01:00,4\n")
    assert list(read_series(path).calls) == [3, 4]
    with pytest.raises(SeriesError, match="cannot read"):
        read_series(tmp_path / "missing.csv")
    path.write_bytes(b"interval_start,calls\n\xff\xfe\x00")
    with pytest.raises(SeriesError, match="not UTF-8"):
        read_series(path)


def test_durations_and_intervals_parse_and_must_fit() -> None:
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration("2w") == timedelta(days=14)
    assert parse_duration("90min") == timedelta(minutes=90)
    assert parse_interval("1h") == 60 and parse_interval("15m") == 15
    assert steps_in(timedelta(days=7), 30) == 336
    for bad in ("7", "0d", "7 days", ""):
        with pytest.raises(SeriesError, match="is not a duration"):
            parse_duration(bad)
    with pytest.raises(SeriesError, match="15m, 30m or 60m"):
        parse_interval("20m")
    with pytest.raises(SeriesError, match="whole number"):
        steps_in(timedelta(minutes=45), 30)


def test_a_series_must_sit_on_its_grid() -> None:
    with pytest.raises(SeriesError, match="not on the 30-minute grid"):
        CallSeries(datetime(2024, 3, 1, 9, 10), 30, np.zeros(3))
    series = CallSeries(datetime(2024, 3, 1, 9), 30, np.zeros(3))
    assert series.index_of(datetime(2024, 3, 1, 10)) == 2
    with pytest.raises(SeriesError, match="not on the 30-minute grid"):
        series.index_of(datetime(2024, 3, 1, 10, 5))


def test_date_lists_read_closed_days_and_named_promotions(tmp_path: Path) -> None:
    closed = tmp_path / "closed.csv"
    closed.write_text("date\n2024-02-10\n\n2024-02-11\n")
    assert read_dates(closed, with_names=False) == [
        (date(2024, 2, 10), ""),
        (date(2024, 2, 11), ""),
    ]
    events = tmp_path / "promotions.csv"
    events.write_text("date,name\n2024-06-18,618\n2024-11-11,双11\n", encoding="utf-8")
    assert read_dates(events, with_names=True)[1] == (date(2024, 11, 11), "双11")
    events.write_text("2024-06-18\n")
    with pytest.raises(SeriesError, match="line 1: expected 'date,name'"):
        read_dates(events, with_names=True)
    closed.write_text("date\n10/02/2024\n")
    with pytest.raises(SeriesError, match="line 2: '10/02/2024' is not a date"):
        read_dates(closed, with_names=False)
