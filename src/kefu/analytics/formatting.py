"""Numbers as people read them in reports (pure): durations in minutes and seconds
(``4 分 12 秒`` / ``4 min 12 s``), ratios as percentages, counts with separators, and changes
as signed amounts (percentage points for rates)."""

from __future__ import annotations

from kefu.analytics.compare import Change
from kefu.analytics.export import ColumnKind
from kefu.analytics.metrics import Metric, Unit


def format_seconds(seconds: float, locale: str) -> str:
    """``4 分 12 秒`` / ``4 min 12 s``; hours and days for longer spans."""
    zh = locale.startswith("zh")
    total = round(seconds)
    units = (("天", "d", 86400), ("小时", "h", 3600), ("分", "min", 60), ("秒", "s", 1))
    for i, (_zh, _en, size) in enumerate(units):
        if total >= size or size == 1:
            major, rest = divmod(total, size)
            parts = [(major, units[i])]
            if i + 1 < len(units):
                minor = rest // units[i + 1][2]
                if minor:
                    parts.append((minor, units[i + 1]))
            return " ".join(f"{n} {u[0] if zh else u[1]}" for n, u in parts)
    return ""


def format_value(value: float | None, unit: Unit | ColumnKind, locale: str) -> str:
    if value is None:
        return "—"
    if unit in (Unit.SECONDS, ColumnKind.SECONDS):
        return format_seconds(value, locale)
    if unit in (Unit.RATIO, ColumnKind.RATIO):
        return f"{value * 100:.1f}%"
    if unit is ColumnKind.NUMBER:
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def format_delta(change: Change, metric: Metric, locale: str) -> str:
    """The change as a signed amount: time, percentage points (rates) or a count."""
    if change.delta is None:
        return "—"
    sign = "+" if change.delta > 0 else "-" if change.delta < 0 else "±"
    size = abs(change.delta)
    if metric.unit is Unit.SECONDS:
        return sign + format_seconds(size, locale)
    if metric.unit is Unit.RATIO:
        return f"{sign}{size * 100:.1f} " + ("个百分点" if locale.startswith("zh") else "pp")
    return f"{sign}{size:,.0f}"


def format_relative(relative: float | None) -> str:
    return "—" if relative is None else f"{relative * 100:+.1f}%"
