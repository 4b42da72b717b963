"""Before/after comparison: the same p-values as SciPy's tests on the raw items, and changes
called significant only beyond noise."""

from __future__ import annotations

import random

import pytest
from scipy import stats as scipy_stats

from kefu.analytics.compare import compare
from kefu.analytics.kpi import Stat
from kefu.analytics.metrics import METRICS


def _stat(items: list[float]) -> Stat:
    stat = Stat()
    for item in items:
        stat.add(item)
    return stat


def _rate(successes: int, trials: int) -> Stat:
    return _stat([1.0] * successes + [0.0] * (trials - successes))


def test_averages_use_welch_and_match_scipy_on_the_raw_items() -> None:
    rng = random.Random(7)
    before = [rng.expovariate(1 / 300) for _ in range(400)]
    after = [rng.expovariate(1 / 240) for _ in range(350)]
    change = compare(
        METRICS["avg_response_time"], _stat(before), _stat(after), days_before=30, days_after=31
    )
    expected = scipy_stats.ttest_ind(before, after, equal_var=False).pvalue
    assert change.p_value == pytest.approx(expected, rel=1e-6)
    assert change.delta == pytest.approx(sum(after) / 350 - sum(before) / 400)
    assert change.improved is (change.delta < 0)  # faster answers are better


def test_rates_use_a_two_proportion_test() -> None:
    metric = METRICS["resolution_rate"]
    big = compare(metric, _rate(500, 1000), _rate(600, 1000), days_before=30, days_after=30)
    small = compare(metric, _rate(50, 100), _rate(52, 100), days_before=30, days_after=30)
    assert big.significant and big.improved is True and big.p_value is not None
    assert big.p_value < 1e-5
    assert not small.significant and small.p_value is not None and small.p_value > 0.5
    worse = compare(METRICS["complaint_rate"], _rate(30, 1000), _rate(60, 1000), days_before=30,
                    days_after=30)  # fmt: skip
    assert worse.significant and worse.improved is False


def test_counts_compare_daily_rates_so_a_longer_month_is_not_growth() -> None:
    metric = METRICS["conversations"]
    same_pace = compare(metric, _count(3000), _count(3100), days_before=30, days_after=31)
    assert same_pace.relative == pytest.approx(0.0, abs=1e-9)
    assert not same_pace.significant
    doubled = compare(metric, _count(3000), _count(6000), days_before=30, days_after=30)
    assert doubled.significant and doubled.relative == pytest.approx(1.0)


def test_nothing_to_compare_is_not_significant() -> None:
    change = compare(METRICS["csat"], Stat(), Stat(), days_before=30, days_after=30)
    assert change.before is None and change.after is None and change.delta is None
    assert not change.significant and change.improved is None
    occupancy = compare(METRICS["occupancy"], _rate(5, 10), _rate(9, 10), days_before=1,
                        days_after=1)  # fmt: skip
    assert occupancy.p_value is None and not occupancy.significant


def _count(total: int) -> Stat:
    stat = Stat()
    stat.total = float(total)
    stat.n = float(total)
    return stat
