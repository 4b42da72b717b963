"""HTTP routes of workforce management: weekly plans (forecast, staffing, roster, coverage,
simulation) with CSV exports, and an Erlang calculator."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from kefu.accounts.permissions import Permission
from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.http.params import IdPath
from kefu.shared.clock import utcnow
from kefu.shared.errors import InvalidInput
from kefu.workforce import erlang, service
from kefu.workforce.models import WfmPlan
from kefu.workforce.schemas import ErlangOut, PlanIn, PlanOut, PlanSummaryOut

router = APIRouter(prefix="/api/v1/wfm", tags=["workforce"])


def summary_out(plan: WfmPlan) -> PlanSummaryOut:
    return PlanSummaryOut(
        id=plan.id,
        week_start=plan.week_start,
        interval_minutes=plan.interval_minutes,
        status=plan.status,
        created_at=plan.created_at,
        agents_used=plan.summary.get("agents_used"),
        min_coverage=plan.summary.get("min_coverage"),
    )


def plan_out(plan: WfmPlan) -> PlanOut:
    return PlanOut(
        **summary_out(plan).model_dump(),
        params=plan.params,
        summary=plan.summary,
        forecast=plan.forecast,
        requirement=plan.requirement,
        coverage=plan.coverage,
        roster=plan.roster,
    )


@router.post("/plans", response_model=PlanOut, status_code=status.HTTP_201_CREATED)
async def create_plan(body: PlanIn, principal: CurrentPrincipal, session: SessionDep) -> PlanOut:
    """Forecast the week from the shop's history, staff it (Erlang), roster the shop's agents
    (CP-SAT, within ``time_limit_seconds``) and simulate it. Takes seconds."""
    params = service.PlanParams(**body.model_dump())
    plan = await service.create_plan(session, actor=principal, params=params, now=utcnow())
    return plan_out(plan)


@router.get("/plans", response_model=list[PlanSummaryOut])
async def list_plans(principal: CurrentPrincipal, session: SessionDep) -> list[PlanSummaryOut]:
    return [summary_out(p) for p in await service.list_plans(session, actor=principal)]


@router.get("/plans/{plan_id}", response_model=PlanOut)
async def read_plan(plan_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> PlanOut:
    return plan_out(await service.require_plan(session, actor=principal, plan_id=plan_id))


def _csv(text: str, name: str) -> Response:
    return Response(
        "\ufeff" + text,  # a BOM, so spreadsheet programs read the Chinese names right
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/plans/{plan_id}/roster.csv", response_class=Response)
async def roster_csv(plan_id: IdPath, principal: CurrentPrincipal, session: SessionDep) -> Response:
    plan = await service.require_plan(session, actor=principal, plan_id=plan_id)
    names = await service.agent_names(session, shop_id=principal.shop_id)
    return _csv(service.roster_csv(plan, names), f"roster-{plan.week_start}.csv")


@router.get("/plans/{plan_id}/coverage.csv", response_class=Response)
async def coverage_csv(
    plan_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    plan = await service.require_plan(session, actor=principal, plan_id=plan_id)
    return _csv(service.coverage_csv(plan), f"coverage-{plan.week_start}.csv")


@router.get("/erlang", response_model=ErlangOut)
async def erlang_calculator(
    principal: CurrentPrincipal,
    volume: Annotated[float, Query(ge=0, le=1e6)],
    aht_seconds: Annotated[float, Query(gt=0, le=86400)] = 180.0,
    interval_minutes: Annotated[int, Query(ge=1, le=1440)] = 30,
    target_sl: Annotated[float, Query(ge=0, lt=1)] = 0.8,
    answer_seconds: Annotated[float, Query(ge=0, le=3600)] = 20.0,
    max_occupancy: Annotated[float, Query(gt=0, le=1)] = 0.85,
    shrinkage: Annotated[float, Query(ge=0, lt=1)] = 0.3,
    concurrency: Annotated[int, Query(ge=1, le=20)] = 1,
    patience_seconds: Annotated[float | None, Query(gt=0)] = None,
) -> ErlangOut:
    """Agents for one interval (Erlang C, or Erlang A with ``patience_seconds``)."""
    principal.require(Permission.ANALYTICS_READ)
    try:
        channel = erlang.Channel(
            interval_minutes * 60.0, aht_seconds, patience_seconds, concurrency
        )
        targets = erlang.Targets(target_sl, answer_seconds, max_occupancy, shrinkage)
        staffing = erlang.required_agents(erlang.Workload(volume, channel), targets)
    except ValueError as error:
        raise InvalidInput(str(error), code="invalid_parameters") from None
    m = staffing.metrics
    return ErlangOut(
        model=m.model,
        agents=m.agents,
        agents_with_shrinkage=staffing.agents_with_shrinkage,
        service_level=m.service_level,
        occupancy=m.occupancy,
        wait_probability=m.wait_probability,
        asa_seconds=m.asa_seconds,
        abandon_probability=m.abandon_probability,
        traffic_erlangs=m.traffic_erlangs,
    )
