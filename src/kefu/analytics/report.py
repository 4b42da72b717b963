"""The period report: two periods' KPIs compared (change, and whether it is beyond normal noise),
daily trends, goals, channel, team and agent tables and the top complaint topics, built from two
snapshots. Rendering it (HTML, PDF, XLSX) is ``render``'s job; values here stay raw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.models import Shop
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.analytics import service
from kefu.analytics.compare import Change, compare
from kefu.analytics.export import Cell, Column, ColumnKind, Table, kpi_rows_table, metric_kind
from kefu.analytics.formatting import format_delta, format_value
from kefu.analytics.kpi import Dimension, Grain
from kefu.analytics.metrics import METRICS, Metric, Unit
from kefu.analytics.periods import Period
from kefu.analytics.report_topics import TopicRow, complaint_topics
from kefu.shared.errors import InvalidInput, NotFound

FIRST_YEAR, LAST_YEAR = 2000, 2100
TREND_METRICS = (
    "conversations",
    "first_response_time",
    "resolution_rate",
    "complaint_rate",
    "sla_attainment",
    "csat",
)
CHANNEL_METRICS = (
    "conversations",
    "handled",
    "first_response_time",
    "resolution_rate",
    "complaint_rate",
    "bot_containment",
    "sla_attainment",
    "csat",
)
PEOPLE_METRICS = (
    "conversations",
    "handled",
    "messages_handled",
    "first_response_time",
    "handle_time",
    "resolution_rate",
    "occupancy",
    "sla_attainment",
    "csat",
)


class ReportFormat(StrEnum):
    PDF = "pdf"
    HTML = "html"
    XLSX = "xlsx"


@dataclass(frozen=True, slots=True)
class HeadlineRow:
    metric: Metric
    change: Change
    goal: float | None
    met: bool | None  # the goal, in the reported period


@dataclass(frozen=True, slots=True)
class TrendSeries:
    metric: Metric
    points: tuple[tuple[date, float | None], ...]
    goal: float | None


@dataclass(frozen=True, slots=True)
class Report:
    shop_slug: str
    shop_name: str
    locale: str
    period: Period
    compare: Period
    generated_at: datetime
    headline: tuple[HeadlineRow, ...]
    trends: tuple[TrendSeries, ...]
    channels: Table
    teams: Table
    agents: Table
    topics: tuple[TopicRow, ...] | None  # None: topic mining is not available

    @property
    def zh(self) -> bool:
        return self.locale.startswith("zh")

    def tables(self) -> list[Table]:
        """Every table of the report, for the workbook (raw values, number formats)."""
        out = [headline_table(self), trend_table(self), self.channels, self.teams, self.agents]
        if self.topics is not None:
            out.append(topics_table(self.topics, self.locale))
        return out


# ---- building -----------------------------------------------------------------------------


def _headline(
    current: service.Snapshot, previous: service.Snapshot, goals: Sequence[service.GoalView]
) -> tuple[HeadlineRow, ...]:
    after, before = current.total(), previous.total()
    targets = {g.metric.key: g for g in goals}
    rows = []
    for key, metric in METRICS.items():
        change = compare(
            metric,
            before.stats[key],
            after.stats[key],
            days_before=previous.period.days,
            days_after=current.period.days,
        )
        if change.before is None and change.after is None:
            continue
        goal = targets.get(key)
        rows.append(
            HeadlineRow(
                metric,
                change,
                None if goal is None else goal.target,
                None if goal is None else goal.met,
            )
        )
    return tuple(rows)


def _trends(current: service.Snapshot, goals: dict[str, float]) -> tuple[TrendSeries, ...]:
    days = {
        row.bucket.date(): row.values
        for row in current.table(Dimension.SHOP, Grain.DAY)
        if row.bucket is not None
    }
    period = current.period
    calendar = [period.first_day + timedelta(days=i) for i in range(period.days)]
    out = []
    for key in TREND_METRICS:
        metric = METRICS[key]
        empty = 0.0 if metric.unit is Unit.COUNT else None
        points = tuple((day, days[day][key] if day in days else empty) for day in calendar)
        if all(v is None for _, v in points):
            continue
        out.append(TrendSeries(metric, points, goals.get(key)))
    return tuple(out)


def _people_table(
    rows: Sequence[service.KpiRow], metrics: Sequence[str], title: str, locale: str
) -> Table:
    """The rows as a table, without the metrics no row has a value for (no CSAT before
    surveys, no SLA attainment without policies)."""
    shown = [
        key
        for key in metrics
        if key == "conversations" or any(row.values.get(key) is not None for row in rows)
    ]
    return kpi_rows_table(rows, shown, locale, title)


def _tables(current: service.Snapshot) -> tuple[Table, Table, Table]:
    zh = current.locale.startswith("zh")

    def busiest(rows: list[service.KpiRow]) -> list[service.KpiRow]:
        return sorted(rows, key=lambda r: (-(r.values["conversations"] or 0), r.label))

    channels = busiest(current.table(Dimension.CHANNEL))
    teams = busiest(current.table(Dimension.TEAM))
    agents = busiest([r for r in current.table(Dimension.AGENT) if r.key is not None])
    return (
        _people_table(channels, CHANNEL_METRICS, "渠道" if zh else "Channels", current.locale),
        _people_table(teams, PEOPLE_METRICS, "团队" if zh else "Teams", current.locale),
        _people_table(agents, PEOPLE_METRICS, "客服" if zh else "Agents", current.locale),
    )


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """What a report is built from: both periods' snapshots, the goals and the topics."""

    shop: Shop
    current: service.Snapshot
    previous: service.Snapshot
    goals: Sequence[service.GoalView]
    topics: tuple[TopicRow, ...] | None
    generated_at: datetime


def build_report(inputs: ReportInputs) -> Report:
    """The report (pure: no database)."""
    current = inputs.current
    channels, teams, agents = _tables(current)
    return Report(
        shop_slug=inputs.shop.slug,
        shop_name=inputs.shop.name,
        locale=current.locale,
        period=current.period,
        compare=inputs.previous.period,
        generated_at=inputs.generated_at,
        headline=_headline(current, inputs.previous, inputs.goals),
        trends=_trends(current, {g.metric.key: g.target for g in inputs.goals}),
        channels=channels,
        teams=teams,
        agents=agents,
        topics=inputs.topics,
    )


# ---- tables of the workbook ---------------------------------------------------------------


def headline_table(report: Report) -> Table:
    zh = report.zh
    columns = [
        Column("metric", "指标" if zh else "Metric"),
        Column("before", f"{report.compare.label}"),
        Column("after", f"{report.period.label}"),
        Column("delta", "变化" if zh else "Change"),
        Column("relative", "相对变化" if zh else "Relative change", ColumnKind.RATIO),
        Column("p_value", "p 值" if zh else "p-value", ColumnKind.NUMBER),
        Column("significant", "超出正常波动" if zh else "Beyond noise", ColumnKind.BOOL),
        Column("improved", "改善" if zh else "Improved", ColumnKind.BOOL),
        Column("goal", "目标" if zh else "Goal"),
        Column("met", "达成" if zh else "Met", ColumnKind.BOOL),
    ]
    rows: list[list[Cell]] = []
    for row in report.headline:
        m, c = row.metric, row.change
        goal = None if row.goal is None else format_value(row.goal, m.unit, report.locale)
        rows.append(
            [
                m.label(report.locale),
                format_value(c.before, m.unit, report.locale),
                format_value(c.after, m.unit, report.locale),
                format_delta(c, m, report.locale),
                c.relative,
                c.p_value,
                c.significant,
                c.improved,
                goal,
                row.met,
            ]
        )
    return Table("核心指标" if zh else "Key figures", columns, rows, report.locale)


def trend_table(report: Report) -> Table:
    columns = [Column("day", "日期" if report.zh else "Day", ColumnKind.DATE)]
    columns += [
        Column(s.metric.key, s.metric.label(report.locale), metric_kind(s.metric.unit))
        for s in report.trends
    ]
    days = [day for day, _ in report.trends[0].points] if report.trends else []
    rows: list[list[Cell]] = [
        [day, *(s.points[i][1] for s in report.trends)] for i, day in enumerate(days)
    ]
    return Table("每日趋势" if report.zh else "Daily trend", columns, rows, report.locale)


def topics_table(topics: Sequence[TopicRow], locale: str) -> Table:
    zh = locale.startswith("zh")
    columns = [
        Column("topic", "话题" if zh else "Topic"),
        Column("mentions", "提及次数" if zh else "Mentions", ColumnKind.COUNT),
        Column("share", "占比" if zh else "Share", ColumnKind.RATIO),
        Column("previous", "上期提及" if zh else "Mentions before", ColumnKind.COUNT),
        Column("example", "示例" if zh else "Example"),
    ]
    rows: list[list[Cell]] = [
        [t.label, t.mentions, t.share, t.previous, t.examples[0] if t.examples else None]
        for t in topics
    ]
    return Table("投诉热点" if zh else "Complaint topics", columns, rows, locale)


# ---- use cases ----------------------------------------------------------------------------


async def choose_shop(session: AsyncSession, slug: str | None) -> Shop:
    """The shop named ``slug``, or the only shop when none is named."""
    if slug is not None:
        return await accounts.require_shop_by_slug(session, slug)
    shops = list(await session.scalars(select(Shop).order_by(Shop.id).limit(2)))
    if not shops:
        raise NotFound("there is no shop yet", code="shop_not_found")
    if len(shops) > 1:
        raise InvalidInput("there are several shops: name one", code="shop_required")
    return shops[0]


async def _period(session: AsyncSession, shop_id: int, text: str) -> Period:
    try:
        period = await service.period_for(session, shop_id=shop_id, text=text)
    except (ValueError, OverflowError):  # a date the calendar has no room for (year 0)
        raise InvalidInput(f"no such period: {text!r}", code="invalid_period") from None
    _check_years(period)
    return period


def _check_years(period: Period) -> None:
    if not (period.first_day.year >= FIRST_YEAR and period.last_day.year <= LAST_YEAR):
        raise InvalidInput(
            f"{period.label} is outside the years {FIRST_YEAR}..{LAST_YEAR}",
            code="invalid_period",
        )


async def report_periods(
    session: AsyncSession, *, shop_id: int, period: str, compare_with: str | None
) -> tuple[Period, Period]:
    """The reported period and the one it is compared with (by default the one before);
    ``InvalidInput`` (code ``invalid_period``) naming the text that is not a period."""
    current = await _period(session, shop_id, period)
    if compare_with is not None:
        return current, await _period(session, shop_id, compare_with)
    try:
        before = current.previous()
    except (ValueError, OverflowError):
        raise InvalidInput(f"no period before {period!r}", code="invalid_period") from None
    _check_years(before)
    return current, before


@dataclass(frozen=True, slots=True)
class ReportQuery:
    period: str
    compare: str | None = None
    locale: str | None = None


async def report_for_shop(
    session: AsyncSession, *, shop: Shop, query: ReportQuery, now: datetime
) -> Report:
    """The report of ``shop`` (no permission check: for the CLI and scheduled reports). Ends
    the session's transaction (it only read), so rendering, which takes seconds, holds no
    database connection; ORM objects read before are expired."""
    current_period, previous_period = await report_periods(
        session, shop_id=shop.id, period=query.period, compare_with=query.compare
    )
    locale = query.locale or shop.locale
    current = await service.snapshot_for_shop(
        session, shop_id=shop.id, period=current_period, now=now, locale=locale
    )
    previous = await service.snapshot_for_shop(
        session, shop_id=shop.id, period=previous_period, now=now, locale=locale
    )
    goals = await service.goals_for_shop(session, shop_id=shop.id, current=current.total())
    topics = await complaint_topics(
        session, shop_id=shop.id, period=current_period, previous=previous_period, locale=locale
    )
    built = build_report(ReportInputs(shop, current, previous, goals, topics, now))
    await session.rollback()
    return built


async def report(
    session: AsyncSession, *, actor: Principal, query: ReportQuery, now: datetime
) -> Report:
    """The report of the actor's shop; needs ``analytics.read``."""
    actor.require(Permission.ANALYTICS_READ)
    shop = await accounts.get_shop(session, actor.shop_id)
    if shop is None:
        raise NotFound(f"no shop {actor.shop_id}", code="shop_not_found")
    return await report_for_shop(session, shop=shop, query=query, now=now)
