"""Before/after comparison of two periods' KPIs, and whether a change is beyond normal noise
(pure). Averages: Welch's t-test on the items; rates: a two-proportion z-test; counts: an exact
test that the daily rate changed (conditional binomial). Occupancy is measured in seconds, not
trials, so it gets no test."""

from __future__ import annotations

from dataclasses import dataclass

from kefu.analytics.kpi import Stat
from kefu.analytics.metrics import Kind, Metric

ALPHA = 0.05
UNTESTED = frozenset({"occupancy"})


@dataclass(frozen=True, slots=True)
class Change:
    metric: str
    before: float | None
    after: float | None
    delta: float | None
    relative: float | None  # delta / before
    p_value: float | None
    significant: bool
    improved: bool | None  # None when unchanged or unknown


def _welch(a: Stat, b: Stat) -> float | None:
    from scipy import stats as scipy_stats  # 1 s to import: only when comparing

    va, vb = a.variance(), b.variance()
    if va is None or vb is None:
        return None
    se2 = va / a.n + vb / b.n
    if se2 <= 0:
        return None if a.total / a.n == b.total / b.n else 0.0
    t = (b.total / b.n - a.total / a.n) / se2**0.5
    df = se2**2 / ((va / a.n) ** 2 / (a.n - 1) + (vb / b.n) ** 2 / (b.n - 1))
    return float(2 * scipy_stats.t.sf(abs(t), df))


def _proportions(a: Stat, b: Stat) -> float | None:
    from scipy import stats as scipy_stats  # 1 s to import: only when comparing

    if a.n < 1 or b.n < 1:
        return None
    pooled = (a.total + b.total) / (a.n + b.n)
    se2 = pooled * (1 - pooled) * (1 / a.n + 1 / b.n)
    if se2 <= 0:
        return None
    z = (b.total / b.n - a.total / a.n) / se2**0.5
    return float(2 * scipy_stats.norm.sf(abs(z)))


def _counts(a: Stat, b: Stat, days_a: float, days_b: float) -> float | None:
    from scipy import stats as scipy_stats  # 1 s to import: only when comparing

    k1, k2 = round(a.total), round(b.total)
    if k1 + k2 == 0 or days_a <= 0 or days_b <= 0:
        return None
    result = scipy_stats.binomtest(k2, k1 + k2, days_b / (days_a + days_b))
    return float(result.pvalue)


def compare(
    metric: Metric, before: Stat, after: Stat, *, days_before: float, days_after: float
) -> Change:
    """How ``metric`` moved from ``before`` to ``after``; counts are compared per day, so
    ``relative`` is the change in the daily rate for them."""
    a, b = before.value(metric.kind), after.value(metric.kind)
    if metric.key in UNTESTED:
        p = None
    elif metric.kind is Kind.MEAN:
        p = _welch(before, after)
    elif metric.kind is Kind.RATE:
        p = _proportions(before, after)
    else:
        p = _counts(before, after, days_before, days_after)
    delta = None if a is None or b is None else b - a
    relative = None if delta is None or not a else delta / a
    if metric.kind is Kind.TOTAL and a and b is not None and days_before > 0 and days_after > 0:
        # Periods differ in length (February against March): compare the daily rates.
        relative = (b / days_after) / (a / days_before) - 1
    improved = None
    if delta:
        improved = delta > 0 if metric.higher_is_better else delta < 0
    return Change(
        metric=metric.key,
        before=a,
        after=b,
        delta=delta,
        relative=relative,
        p_value=p,
        significant=p is not None and p < ALPHA,
        improved=improved,
    )
