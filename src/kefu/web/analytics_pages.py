"""The analytics dashboard: a period against a compare period, headline KPI cards with the
shop's goals, charts (ECharts draws them from a JSON block, each with a data table as its text
fallback) and agent and team tables. KPI values are formatted here for every analytics page."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from kefu.accounts.permissions import Permission
from kefu.analytics import service
from kefu.analytics.compare import Change, compare
from kefu.analytics.kpi import (
    TIME_EDGES,
    Dimension,
    Facts,
    Grain,
    Window,
    compute,
    distribution,
    heatmap,
)
from kefu.analytics.kpi import values as kpi_values
from kefu.analytics.metrics import METRICS, Metric, Unit
from kefu.analytics.periods import Period, parse_period
from kefu.http.deps import SessionDep
from kefu.shared.clock import utcnow
from kefu.shared.errors import InvalidInput
from kefu.web.board_pages import wait_text
from kefu.web.i18n import CATALOG, Locale, translate
from kefu.web.routing import PageRoute
from kefu.web.viewer import Viewer, ViewerDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

COMPARE_MODES = ("previous", "year", "none")
CARD_METRICS = (
    "conversations", "first_response_time", "avg_response_time", "handle_time",
    "resolution_rate", "fcr", "csat", "complaint_rate", "complaint_feedback_24h",
    "sla_attainment", "bot_containment", "occupancy",
)  # fmt: skip
TREND_METRICS = (
    "conversations", "first_response_time", "avg_response_time", "handle_time",
    "resolution_rate", "fcr", "csat", "complaint_rate", "sla_attainment", "bot_containment",
)  # fmt: skip
TABLE_METRICS = (
    "handled", "messages_handled", "first_response_time", "handle_time", "resolution_rate",
    "fcr", "occupancy", "sla_attainment", "csat",
)  # fmt: skip
DIST_METRICS = ("first_response_time", "handle_time")
DAILY_UP_TO = 93  # longer periods trend by week
NONE = "—"


async def analytics_reader(viewer: ViewerDep) -> Viewer:
    """The viewer, if they may read the shop's KPIs (supervisors and above)."""
    viewer.principal.require(Permission.ANALYTICS_READ)
    return viewer


ReaderDep = Annotated[Viewer, Depends(analytics_reader)]


# ---- formatting ----------------------------------------------------------------------------


def percent(ratio: float) -> str:
    return f"{ratio * 100:.1f}".removesuffix(".0") + "%"


def value_text(metric: Metric, value: float | None, locale: Locale) -> str:
    """``4分12秒`` / ``4m 12s`` for times, ``92.5%`` for ratios, ``1,234`` for counts."""
    if value is None:
        return NONE
    if metric.unit is Unit.SECONDS:
        return wait_text(value, locale=locale)
    if metric.unit is Unit.RATIO:
        return percent(value)
    return f"{round(value):,}"


def missing_hint(metric: Metric, locale: Locale) -> str:
    """Why a KPI has no value (CSAT before any survey, SLA attainment without clocks...)."""
    key = f"analytics.missing.{metric.key}"
    return translate(locale, key if key in CATALOG else "analytics.missing.default")


def short_duration(seconds: float, locale: Locale) -> str:
    if seconds < 60:
        return translate(locale, "analytics.short.s", n=round(seconds))
    if seconds < 3600:
        return translate(locale, "analytics.short.m", n=f"{seconds / 60:g}")
    return translate(locale, "analytics.short.h", n=f"{seconds / 3600:g}")


def target_text(metric: Metric, target: float, locale: Locale) -> str:
    """``≤ 5分钟``, ``≥ 90%``: the goal with the direction that meets it."""
    if metric.unit is Unit.SECONDS and target % 60 == 0:
        shown = translate(locale, "analytics.short.m", n=f"{target / 60:g}")
    else:
        shown = value_text(metric, target, locale)
    key = "analytics.goal.at_least" if metric.higher_is_better else "analytics.goal.at_most"
    return translate(locale, key, value=shown)


@dataclass(frozen=True, slots=True)
class ChangeView:
    text: str  # +12.3% / +2.1 个百分点
    arrow: str
    verdict: str  # better / worse / same
    before: str
    significant: bool
    p_value: str | None
    per_day: bool


def change_view(
    metric: Metric, change: Change, locale: Locale, *, per_day: bool
) -> ChangeView | None:
    if change.before is None or change.after is None:
        return None
    delta = change.delta or 0.0
    if metric.unit is Unit.RATIO:
        text = translate(locale, "analytics.change.points", n=f"{delta * 100:+.1f}")
    elif change.relative is not None:
        text = f"{change.relative * 100:+.1f}%"
    else:
        text = ("+" if delta >= 0 else "−") + value_text(metric, abs(delta), locale)
    return ChangeView(
        text=text,
        arrow="↑" if delta > 0 else "↓" if delta < 0 else "→",
        verdict="same" if change.improved is None else "better" if change.improved else "worse",
        before=value_text(metric, change.before, locale),
        significant=change.significant,
        p_value=None if change.p_value is None else f"{change.p_value:.3g}",
        per_day=per_day and metric.unit is Unit.COUNT,
    )


# ---- periods -------------------------------------------------------------------------------


def preset_periods(today: date, tz: ZoneInfo) -> dict[str, Period]:
    month = parse_period(f"{today:%Y-%m}", tz)
    quarter = parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}", tz)
    return {
        "this_month": month,
        "last_month": month.previous(),
        "this_quarter": quarter,
        "last_quarter": quarter.previous(),
        "last_7_days": parse_period(f"{today - timedelta(days=6)}..{today}", tz),
        "last_30_days": parse_period(f"{today - timedelta(days=29)}..{today}", tz),
    }


def _minus_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_before(period: Period) -> Period:
    """The same month or quarter a year earlier; the same dates otherwise."""
    if m := re.match(r"^(\d{4})-(\d{2}|Q[1-4])$", period.label):
        return parse_period(f"{int(m[1]) - 1}-{m[2]}", period.tz)
    first, last = _minus_year(period.first_day), _minus_year(period.last_day)
    return parse_period(f"{first}..{last}", period.tz)


@dataclass(frozen=True, slots=True)
class Choice:
    period: Period
    against: Period | None
    compare: str
    preset: str | None
    invalid: bool = False


def canonical(period: Period) -> Period:
    """A range that is exactly a month or a quarter becomes that month or quarter, so its
    compare period is the month or quarter before (not the same number of days)."""
    first, last, tz = period.first_day, period.last_day, period.tz
    if first.day != 1:
        return period
    for text in (f"{first:%Y-%m}", f"{first.year}-Q{(first.month - 1) // 3 + 1}"):
        whole = parse_period(text, tz)
        if (whole.first_day, whole.last_day) == (first, last):
            return whole
    return period


def choose(
    presets: dict[str, Period], text: str | None, span: tuple[date | None, date | None], mode: str
) -> Choice:
    """The period asked for (a preset's label, any ``parse_period`` text, or a start..end
    range), this month when nothing or nothing valid was asked, and its compare period."""
    period, invalid = presets["this_month"], False
    start, end = span
    wanted = f"{start}..{end}" if start and end else text
    if wanted:
        try:
            period = canonical(parse_period(wanted, period.tz))
        except InvalidInput:
            invalid = True
    mode = mode if mode in COMPARE_MODES else "previous"
    against = None
    if mode != "none":
        against = period.previous() if mode == "previous" else year_before(period)
    days = (period.first_day, period.last_day)
    preset = next((k for k, p in presets.items() if (p.first_day, p.last_day) == days), None)
    return Choice(period, against, mode, preset, invalid)


def elapsed_days(period: Period, now: datetime) -> float:
    """Days of the period already lived (a running month is compared per day so far)."""
    seconds = (min(period.end, now) - period.start).total_seconds()
    return period.days if seconds <= 0 else max(seconds, 3600.0) / 86400


# ---- dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Card:
    metric: Metric
    value: str
    missing: str | None
    change: ChangeView | None
    goal: service.GoalView | None
    goal_text: str | None


@dataclass(frozen=True, slots=True)
class Totals:
    """A period's whole-shop row, and how many of its days have been lived."""

    row: service.KpiRow
    days: float


def cards(
    after: Totals, before: Totals | None, goals: list[service.GoalView], locale: Locale
) -> list[Card]:
    """The headline KPIs: value, change against ``before`` and the goal. ``goals`` carry the
    period's values (``goals_for_shop(current=...)``)."""
    per_day = before is not None and abs(after.days - before.days) > 0.01
    by_metric = {g.metric.key: g for g in goals}
    out = []
    for key in CARD_METRICS:
        metric, value = METRICS[key], after.row.values.get(key)
        change = None
        if before is not None:
            stats = (before.row.stats[key], after.row.stats[key])
            moved = compare(metric, *stats, days_before=before.days, days_after=after.days)
            change = change_view(metric, moved, locale, per_day=per_day)
        goal = by_metric.get(key)
        out.append(
            Card(
                metric=metric,
                value=value_text(metric, value, locale),
                missing=missing_hint(metric, locale) if value is None else None,
                change=change,
                goal=goal,
                goal_text=None if goal is None else target_text(metric, goal.target, locale),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    sort: str  # the number tables sort by; empty when missing
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class TableRow:
    label: str
    cells: list[Cell]


def table_rows(rows: list[service.KpiRow], locale: Locale, *, skip_none: bool) -> list[TableRow]:
    """Rows sorted by conversations handled, most first; ``skip_none`` drops the row of no
    key (conversations nobody was assigned)."""
    kept = [r for r in rows if not (skip_none and r.key is None)]
    kept.sort(
        key=lambda r: (-(r.values.get("handled") or 0), -(r.values.get("conversations") or 0))
    )
    out = []
    for row in kept:
        cells = []
        for key in TABLE_METRICS:
            metric, value = METRICS[key], row.values.get(key)
            hint = missing_hint(metric, locale) if value is None else None
            sort = "" if value is None else f"{value:.6g}"
            cells.append(Cell(value_text(metric, value, locale), sort, hint))
        out.append(TableRow(row.label, cells))
    return out


def _round(metric: Metric, value: float | None) -> float | None:
    if value is None:
        return None
    return round(value, 4) if metric.unit is Unit.RATIO else round(value, 1)


@dataclass(frozen=True, slots=True)
class Series:
    labels: list[str]
    values: dict[str, list[float | None]]


def series(snap: service.Snapshot, grain: Grain, now: datetime) -> Series:
    """Each trend metric per bucket: counts are 0 on a quiet past day, other KPIs None;
    buckets still in the future are None. Occupancy is not on the trend, so its presence
    spans are left out (splitting them into days is the slow part of the engine)."""
    period = snap.period
    window = Window(period.start, period.end, period.tz, grain)
    facts = Facts(conversations=snap.facts.conversations)
    grouped = compute(facts, dimension=Dimension.SHOP, window=window)
    rows = {start: kpi_values(stats) for (_, start), stats in grouped.items()}
    starts = [start for start, _, _ in window.buckets() if start is not None]
    values: dict[str, list[float | None]] = {}
    for key in TREND_METRICS:
        metric = METRICS[key]
        column: list[float | None] = []
        for start in starts:
            row = rows.get(start)
            if start > now:
                column.append(None)
            elif row is None:
                column.append(0.0 if metric.unit is Unit.COUNT else None)
            else:
                column.append(_round(metric, row.get(key)))
        values[key] = column
    return Series([f"{s:%m-%d}" for s in starts], values)


def grain_of(period: Period) -> Grain:
    return Grain.DAY if period.days <= DAILY_UP_TO else Grain.WEEK


def distribution_labels(locale: Locale) -> list[str]:
    """``≤ 30秒``, ``30秒–1分钟``, ... ``> 24小时``: the bars of ``TIME_EDGES``."""
    edges = [short_duration(e, locale) for e in TIME_EDGES]
    middle = [
        translate(locale, "analytics.span.between", a=a, b=b) for a, b in itertools.pairwise(edges)
    ]
    first = translate(locale, "analytics.span.upto", a=edges[0])
    return [first, *middle, translate(locale, "analytics.span.over", a=edges[-1])]


def heatmap_data(snap: service.Snapshot, locale: Locale) -> dict[str, object]:
    period = snap.period
    grid = heatmap(snap.facts, Window(period.start, period.end, period.tz))
    days = [translate(locale, f"analytics.weekday.{d}") for d in range(7)]
    n, d, h = max((n, -d, -h) for d, row in enumerate(grid) for h, n in enumerate(row))
    busiest = translate(locale, "analytics.heatmap.busiest", day=days[-d], hour=-h, n=n)
    return {
        "days": days,
        "grid": grid,
        "cells": [[h, d, n] for d, row in enumerate(grid) for h, n in enumerate(row)],
        "max": n,
        "busiest": busiest if n else translate(locale, "analytics.heatmap.quiet"),
    }


def chart_texts(locale: Locale) -> dict[str, str]:
    """Words the charts draw, and the duration patterns the board uses (``4分12秒``)."""
    texts = {
        key: translate(locale, f"analytics.chart.{key}")
        for key in ("current", "previous", "minutes", "share", "count")
    }
    for key in ("seconds", "minutes", "hours"):
        texts[f"wait_{key}"] = CATALOG[f"board.wait.{key}"][0 if locale == "zh" else 1]
    return texts


def chart_data(
    snap: service.Snapshot, current: Series, previous: Series | None, locale: Locale
) -> dict[str, object]:
    """What kefu-analytics.js draws: trend, distributions, channel mix and heatmap (no text
    here comes from customers or agents; the JSON is escaped for the page anyway)."""
    window = Window(snap.period.start, snap.period.end, snap.period.tz)
    channels = snap.table(Dimension.CHANNEL)
    channels.sort(key=lambda r: -(r.values["conversations"] or 0))
    return {
        "trend": {
            "labels": current.labels,
            "metrics": [
                {"key": k, "label": METRICS[k].label(locale), "unit": METRICS[k].unit.value}
                for k in TREND_METRICS
            ],
            "current": current.values,
            "previous": None if previous is None else previous.values,
        },
        "distribution": {
            "labels": distribution_labels(locale),
            "metrics": [
                {
                    "key": k,
                    "label": METRICS[k].label(locale),
                    "counts": distribution(snap.facts, window, k),
                }
                for k in DIST_METRICS
            ],
        },
        "channels": [{"name": r.label, "value": r.values["conversations"] or 0} for r in channels],
        "heatmap": heatmap_data(snap, locale),
        "text": chart_texts(locale),
    }


def trend_rows(current: Series, locale: Locale) -> list[list[str]]:
    """The trend chart's text fallback: per bucket, conversations, FRT and resolution rate."""
    keys = ("conversations", "first_response_time", "resolution_rate")
    rows = []
    for i, label in enumerate(current.labels):
        values = [current.values[key][i] for key in keys]
        if any(v is not None for v in values):
            texts = [value_text(METRICS[k], v, locale) for k, v in zip(keys, values, strict=True)]
            rows.append([label, *texts])
    return rows


def download_url(period: Period, dimension: Dimension, fmt: str) -> str:
    query = urlencode({"period": period.label, "dimension": dimension.value, "format": fmt})
    return f"/api/v1/analytics/kpis?{query}"


def range_text(period: Period, locale: Locale) -> str:
    if period.first_day == period.last_day:
        return period.first_day.isoformat()
    first, last = period.first_day.isoformat(), period.last_day.isoformat()
    return translate(locale, "analytics.period.range", first=first, last=last)


def preset_url(period: Period, mode: str) -> str:
    return "/analytics?" + urlencode({"period": period.label, "compare": mode})


async def dashboard_context(
    session: SessionDep, viewer: Viewer, choice: Choice, now: datetime
) -> dict[str, object]:
    actor, locale = viewer.principal, viewer.locale
    snap = await service.snapshot(
        session, actor=actor, period=choice.period, now=now, locale=locale
    )
    before = None
    if choice.against is not None:
        before = await service.snapshot(
            session, actor=actor, period=choice.against, now=now, locale=locale
        )
    total = Totals(snap.total(), elapsed_days(snap.period, now))
    prior = None if before is None else Totals(before.total(), elapsed_days(before.period, now))
    goals = await service.goals_for_shop(session, shop_id=actor.shop_id, current=total.row)
    grain = grain_of(choice.period)
    current = series(snap, grain, now)
    previous = None if before is None else series(before, grain, now)
    return {
        "choice": choice,
        "period_range": range_text(choice.period, locale),
        "against_range": None if choice.against is None else range_text(choice.against, locale),
        "running": choice.period.start <= now < choice.period.end,
        "cards": cards(total, prior, goals, locale),
        "chart_data": chart_data(snap, current, previous, locale),
        "trend_rows": trend_rows(current, locale),
        "grain": grain.value,
        "channel_total": total.row.values["conversations"] or 0,
        "empty": not total.row.values["conversations"],
        "agents": table_rows(snap.table(Dimension.AGENT), locale, skip_none=True),
        "teams": table_rows(snap.table(Dimension.TEAM), locale, skip_none=False),
        "table_metrics": TABLE_METRICS,
        "download": lambda dimension, fmt: download_url(choice.period, Dimension(dimension), fmt),
    }


@router.get("/analytics")
async def analytics_page(
    request: Request,
    viewer: ReaderDep,
    session: SessionDep,
    period: Annotated[str | None, Query(max_length=40)] = None,
    start: date | None = None,
    end: date | None = None,
    compare_mode: Annotated[str, Query(alias="compare", max_length=10)] = "previous",
) -> HTMLResponse:
    """KPIs of the period (this month unless asked) against the compare period."""
    now = utcnow()
    tz, _ = await service.shop_zone(session, viewer.shop.id)
    presets = preset_periods(now.astimezone(tz).date(), tz)
    choice = choose(presets, period, (start, end), compare_mode)
    context = await dashboard_context(session, viewer, choice, now)
    context |= {
        "presets": [(name, preset_url(p, choice.compare)) for name, p in presets.items()],
        "compare_modes": COMPARE_MODES,
    }
    return viewer.render(request, "analytics/page.html", context)
