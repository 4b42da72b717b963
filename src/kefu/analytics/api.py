"""HTTP routes of analytics: KPI tables (JSON, CSV or XLSX), heatmap, distributions, goals and
the live wallboard figures. Supervisors and admins only."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from kefu.accounts.principal import Principal
from kefu.analytics import service
from kefu.analytics.kpi import TIME_EDGES, Dimension, Grain, Window, distribution, heatmap
from kefu.analytics.metrics import METRICS
from kefu.analytics.periods import Period
from kefu.analytics.schemas import (
    DistributionOut,
    GoalOut,
    GoalsIn,
    HeatmapOut,
    KpiRowOut,
    KpiTableOut,
    LiveOut,
    LiveQueueOut,
    MetricOut,
    PeriodOut,
)
from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.shared.clock import utcnow

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])

PeriodQuery = Annotated[
    str, Query(max_length=40, description="2026-10, 2026-Q3, 2026-W40, 2026-10-05 or a..b")
]
TimeMetric = Literal["first_response_time", "avg_response_time", "handle_time", "resolution_time"]


def period_out(period: Period) -> PeriodOut:
    return PeriodOut(
        label=period.label,
        first_day=period.first_day,
        last_day=period.last_day,
        start=period.start,
        end=period.end,
        timezone=str(period.tz),
    )


def metrics_out(locale: str) -> list[MetricOut]:
    return [
        MetricOut(
            key=m.key,
            label=m.label(locale),
            unit=m.unit.value,
            higher_is_better=m.higher_is_better,
        )
        for m in METRICS.values()
    ]


def table_out(snap: service.Snapshot, dimension: Dimension, grain: Grain | None) -> KpiTableOut:
    rows = snap.table(dimension, grain)
    return KpiTableOut(
        period=period_out(snap.period),
        dimension=dimension.value,
        grain=None if grain is None else grain.value,
        metrics=metrics_out(snap.locale),
        rows=[
            KpiRowOut(
                key=row.key,
                label=row.label,
                bucket=row.bucket,
                values=row.values,
                samples={key: stat.n for key, stat in row.stats.items()},
            )
            for row in rows
        ],
    )


async def _snapshot(session: SessionDep, principal: Principal, text: str) -> service.Snapshot:
    period = await service.period_for(session, shop_id=principal.shop_id, text=text)
    return await service.snapshot(session, actor=principal, period=period, now=utcnow())


@router.get("/kpis", response_model=KpiTableOut)
async def kpis(
    principal: CurrentPrincipal,
    session: SessionDep,
    period: PeriodQuery,
    dimension: Dimension = Dimension.SHOP,
    grain: Grain | None = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> KpiTableOut | Response:
    """KPIs of conversations started in the period, by dimension and (optionally) time grain."""
    snap = await _snapshot(session, principal, period)
    if format == "json":
        return table_out(snap, dimension, grain)
    from kefu.analytics import export

    table = export.kpi_rows_table(snap.table(dimension, grain), list(METRICS), snap.locale)
    name = f"kpis-{snap.period.label}-{dimension.value}"
    if format == "csv":
        return Response(
            export.table_csv(table),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        export.tables_xlsx([table]),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{name}.xlsx"'},
    )


@router.get("/heatmap", response_model=HeatmapOut)
async def volume_heatmap(
    principal: CurrentPrincipal, session: SessionDep, period: PeriodQuery
) -> HeatmapOut:
    snap = await _snapshot(session, principal, period)
    window = Window(snap.period.start, snap.period.end, snap.period.tz)
    return HeatmapOut(period=period_out(snap.period), counts=heatmap(snap.facts, window))


@router.get("/distribution", response_model=DistributionOut)
async def time_distribution(
    principal: CurrentPrincipal,
    session: SessionDep,
    period: PeriodQuery,
    metric: TimeMetric = "first_response_time",
) -> DistributionOut:
    snap = await _snapshot(session, principal, period)
    window = Window(snap.period.start, snap.period.end, snap.period.tz)
    return DistributionOut(
        period=period_out(snap.period),
        metric=metric,
        edges_seconds=list(TIME_EDGES),
        counts=distribution(snap.facts, window, metric),
    )


def goals_out(goals: list[service.GoalView], locale: str) -> list[GoalOut]:
    return [
        GoalOut(
            metric=g.metric.key,
            label=g.metric.label(locale),
            unit=g.metric.unit.value,
            target=g.target,
            is_default=g.is_default,
            value=g.value,
            met=g.met,
        )
        for g in goals
    ]


@router.get("/goals", response_model=list[GoalOut])
async def read_goals(
    principal: CurrentPrincipal, session: SessionDep, period: PeriodQuery | None = None
) -> list[GoalOut]:
    """The shop's goals; with ``period``, each with that period's value and whether it is met."""
    _, locale = await service.shop_zone(session, principal.shop_id)
    if period is None:
        return goals_out(await service.goals(session, actor=principal), locale)
    snap = await _snapshot(session, principal, period)
    goals = await service.goals_for_shop(session, shop_id=principal.shop_id, current=snap.total())
    return goals_out(goals, locale)


@router.put("/goals", response_model=list[GoalOut])
async def write_goals(
    body: GoalsIn, principal: CurrentPrincipal, session: SessionDep
) -> list[GoalOut]:
    goals = await service.set_goals(session, actor=principal, targets=body.targets, now=utcnow())
    _, locale = await service.shop_zone(session, principal.shop_id)
    return goals_out(goals, locale)


@router.get("/live", response_model=LiveOut)
async def live(principal: CurrentPrincipal, session: SessionDep) -> LiveOut:
    """Wallboard figures: agents on, queues, and today's KPIs so far."""
    data = await service.live(session, actor=principal, now=utcnow())
    return LiveOut(
        generated_at=data.generated_at,
        agents_online=data.count("online"),
        agents_away=data.count("away"),
        agents_busy=data.busy,
        waiting=data.waiting,
        longest_wait_s=data.longest_wait_s,
        queues=[
            LiveQueueOut(
                name=q.name,
                waiting=q.waiting,
                longest_wait_s=q.longest_wait_s,
                expected_wait_s=q.expected_wait_s,
            )
            for q in data.board.queues
        ],
        today=data.today,
    )
