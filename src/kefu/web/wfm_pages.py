"""The workforce planning pages (排班): create a week's plan with a plain form, then see the
forecast, the requirement against the roster's coverage, the simulation and the roster."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath
from kefu.shared.clock import utcnow
from kefu.shared.errors import KefuError
from kefu.web.i18n import translate
from kefu.web.routing import PageRoute
from kefu.web.viewer import Viewer, ViewerDep
from kefu.workforce import service
from kefu.workforce.models import WfmPlan

router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def planner(viewer: ViewerDep) -> Viewer:
    viewer.principal.require(Permission.ANALYTICS_READ)
    return viewer


PlannerDep = Annotated[Viewer, Depends(planner)]


def _next_monday(viewer: Viewer) -> date:
    today = utcnow().astimezone(viewer.zone).date()
    return today + timedelta(days=7 - today.weekday())


def _form_defaults(week: date) -> dict[str, str]:
    p = service.PlanParams(week_start=week)
    return {
        "week_start": week.isoformat(),
        "interval_minutes": str(p.interval_minutes),
        "aht_seconds": f"{p.aht_seconds:g}",
        "concurrency": str(p.concurrency),
        "target_sl": f"{p.target_sl * 100:g}",
        "answer_seconds": f"{p.answer_seconds:g}",
        "max_occupancy": f"{p.max_occupancy * 100:g}",
        "shrinkage": f"{p.shrinkage * 100:g}",
        "patience_seconds": "",
        "time_limit_seconds": f"{p.time_limit_seconds:g}",
    }


async def _page(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    week = _next_monday(viewer)
    plans = await service.list_plans(session, actor=viewer.principal)
    return viewer.render(
        request,
        "wfm/page.html",
        {
            "plans": plans,
            "values": values or _form_defaults(week),
            "error": error,
            "can_plan": viewer.can(Permission.ANALYTICS_MANAGE),
        },
        status_code=status_code,
    )


@router.get("/wfm")
async def wfm_page(request: Request, viewer: PlannerDep, session: SessionDep) -> HTMLResponse:
    return await _page(request, session, viewer)


class _FormError(Exception):
    pass


def _number(values: dict[str, str], key: str, *, scale: float = 1.0) -> float:
    try:
        return float(values.get(key, "").strip()) * scale
    except ValueError:
        raise _FormError(key) from None


def _params(values: dict[str, str]) -> service.PlanParams:
    try:
        week = date.fromisoformat(values.get("week_start", "").strip())
    except ValueError:
        raise _FormError("week_start") from None
    patience = values.get("patience_seconds", "").strip()
    return service.PlanParams(
        week_start=week,
        interval_minutes=int(_number(values, "interval_minutes")),
        aht_seconds=_number(values, "aht_seconds"),
        concurrency=int(_number(values, "concurrency")),
        target_sl=_number(values, "target_sl", scale=0.01),
        answer_seconds=_number(values, "answer_seconds"),
        max_occupancy=_number(values, "max_occupancy", scale=0.01),
        shrinkage=_number(values, "shrinkage", scale=0.01),
        patience_seconds=_number(values, "patience_seconds") if patience else None,
        time_limit_seconds=_number(values, "time_limit_seconds"),
    )


@router.post("/wfm/plans")
async def create_plan(request: Request, viewer: PlannerDep, session: SessionDep) -> Response:
    """Create a plan from the form; a bad field or an impossible week comes back with the
    values typed and the reason."""
    sent = await request.form()
    values = {key: str(value)[:40] for key, value in sent.items() if key != "csrf_token"}
    try:
        params = _params(values)
        plan = await service.create_plan(
            session, actor=viewer.principal, params=params, now=utcnow()
        )
    except _FormError as field:
        message = translate(viewer.locale, "wfm." + _LABELS.get(str(field), "week_start"))
        return await _page(request, session, viewer, values=values, error=message, status_code=422)
    except KefuError as error:
        if error.status in (401, 403):
            raise
        await session.rollback()
        return await _page(
            request, session, viewer, values=values, error=str(error), status_code=422
        )
    return RedirectResponse(f"/wfm/plans/{plan.id}", status_code=303)


_LABELS = {
    "week_start": "week_start",
    "interval_minutes": "interval",
    "aht_seconds": "aht",
    "concurrency": "concurrency",
    "target_sl": "target_sl",
    "answer_seconds": "answer_seconds",
    "max_occupancy": "max_occupancy",
    "shrinkage": "shrinkage",
    "patience_seconds": "patience",
    "time_limit_seconds": "time_limit",
}


def chart_data(plan: WfmPlan, viewer: Viewer) -> dict[str, object]:
    """The coverage chart's data for kefu-wfm.js (a JSON data block: no inline script)."""
    staffed = {t: s for t, _, s in plan.coverage}
    return {
        "times": [t for t, _ in plan.requirement],
        "required": [a for _, a in plan.requirement],
        "staffed": [staffed.get(t, 0) for t, _ in plan.requirement],
        "forecast": [c for _, c in plan.forecast],
        "labels": {
            "required": translate(viewer.locale, "wfm.series.required"),
            "staffed": translate(viewer.locale, "wfm.series.staffed"),
            "forecast": translate(viewer.locale, "wfm.series.forecast"),
        },
    }


@router.get("/wfm/plans/{plan_id}")
async def plan_page(
    plan_id: IdPath, request: Request, viewer: PlannerDep, session: SessionDep
) -> HTMLResponse:
    plan = await service.require_plan(session, actor=viewer.principal, plan_id=plan_id)
    names = await service.agent_names(session, shop_id=viewer.principal.shop_id)
    shifts = sorted(plan.roster, key=lambda s: (s["start"], names.get(s["agent"], "")))
    return viewer.render(
        request,
        "wfm/plan.html",
        {
            "plan": plan,
            "summary": plan.summary,
            "names": names,
            "shifts": shifts,
            "chart": chart_data(plan, viewer),
        },
    )
