"""Scheduled reports in the UI (定期报表): supervisors list, add, pause and delete the reports
e-mailed when each week, month or quarter ends. Every change goes through
``kefu.analytics.schedules`` (audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.analytics import schedules
from kefu.analytics.report_schemas import ScheduleIn, ScheduleUpdate
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath
from kefu.shared.clock import utcnow
from kefu.web.routing import PageRoute
from kefu.web.viewer import Viewer, ViewerDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

BASE = "/analytics/reports"
MAX_FIELD_CHARS = 4000


async def _page(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rows = await schedules.list_schedules(session, actor=viewer.principal, now=utcnow())
    return viewer.render(
        request,
        "reports/schedules.html",
        {"schedules": rows, "values": values or {}, "error": error},
        status_code=status_code,
    )


@router.get(BASE)
async def schedules_page(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    return await _page(request, session, viewer)


@router.post(BASE)
async def add_schedule(request: Request, viewer: ViewerDep, session: SessionDep) -> Response:
    """Add a schedule; a bad address comes back with what was typed and the reason."""
    sent = await request.form()
    values = {k: str(v)[:MAX_FIELD_CHARS] for k, v in sent.items() if k != "csrf_token"}
    recipients = [
        part.strip()
        for part in values.get("recipients", "").replace("，", ",").replace("\n", ",").split(",")
        if part.strip()
    ]
    try:
        data = ScheduleIn.model_validate(
            {
                "frequency": values.get("frequency", "monthly"),
                "format": values.get("format", "pdf"),
                "recipients": recipients,
            }
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return await _page(
            request, session, viewer, values=values, error=f"{where}: {first['msg']}",
            status_code=422,
        )  # fmt: skip
    await schedules.create_schedule(session, actor=viewer.principal, data=data, now=utcnow())
    return RedirectResponse(BASE, status_code=303)


@router.post(BASE + "/{schedule_id}/toggle")
async def toggle_schedule(
    schedule_id: IdPath, viewer: ViewerDep, session: SessionDep
) -> RedirectResponse:
    row = await schedules.require_schedule(session, actor=viewer.principal, schedule_id=schedule_id)
    await schedules.update_schedule(
        session,
        actor=viewer.principal,
        schedule_id=schedule_id,
        data=ScheduleUpdate(enabled=not row.enabled),
        now=utcnow(),
    )
    return RedirectResponse(BASE, status_code=303)


@router.post(BASE + "/{schedule_id}/delete")
async def delete_schedule(
    schedule_id: IdPath, viewer: ViewerDep, session: SessionDep
) -> RedirectResponse:
    await schedules.delete_schedule(
        session, actor=viewer.principal, schedule_id=schedule_id, now=utcnow()
    )
    return RedirectResponse(BASE, status_code=303)
