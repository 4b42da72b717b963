"""HTTP routes of reports: a period's report as a download (PDF, HTML or XLSX) and the schedules
that mail one when each period ends. Supervisors and admins only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from kefu.analytics import schedules
from kefu.analytics.render import MEDIA_TYPES, render_file_async
from kefu.analytics.report import ReportFormat, ReportQuery, report
from kefu.analytics.report_schemas import ScheduleIn, ScheduleOut, ScheduleUpdate
from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.http.params import IdPath
from kefu.shared.clock import utcnow

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])
NO_CONTENT = status.HTTP_204_NO_CONTENT
PERIOD_HELP = "2026-10, 2026-Q3, 2026-W40, 2026-10-05 or 2026-10-01..2026-10-15"

ReportPeriod = Annotated[str, Query(min_length=1, max_length=40, description=PERIOD_HELP)]
ComparePeriod = Annotated[
    str | None, Query(min_length=1, max_length=40, description="default: the period before")
]


@router.get(
    "/report",
    response_class=Response,
    responses={
        200: {
            "description": "The report file, as an attachment.",
            "content": {media: {} for media in MEDIA_TYPES.values()},
        }
    },
)
async def download_report(
    principal: CurrentPrincipal,
    session: SessionDep,
    period: ReportPeriod,
    compare: ComparePeriod = None,
    format: ReportFormat = ReportFormat.PDF,
    locale: Annotated[str | None, Query(pattern="^(zh|en)$")] = None,
) -> Response:
    """The period's report compared with another period: key figures and whether each change
    is beyond normal noise, daily trends, goals, complaint topics, channel, team and agent
    tables."""
    query = ReportQuery(period=period, compare=compare, locale=locale)
    built = await report(session, actor=principal, query=query, now=utcnow())
    file = await render_file_async(built, format)
    return Response(
        file.content,
        media_type=file.media_type,
        headers={"content-disposition": f'attachment; filename="{file.filename}"'},
    )


@router.get("/report-schedules", response_model=list[ScheduleOut])
async def list_report_schedules(
    principal: CurrentPrincipal, session: SessionDep
) -> list[ScheduleOut]:
    return await schedules.list_schedules(session, actor=principal, now=utcnow())


@router.post("/report-schedules", response_model=ScheduleOut, status_code=status.HTTP_201_CREATED)
async def create_report_schedule(
    body: ScheduleIn, principal: CurrentPrincipal, session: SessionDep
) -> ScheduleOut:
    """The first report covers the period running now, mailed once it ends."""
    return await schedules.create_schedule(session, actor=principal, data=body, now=utcnow())


@router.patch("/report-schedules/{schedule_id}", response_model=ScheduleOut)
async def update_report_schedule(
    schedule_id: IdPath, body: ScheduleUpdate, principal: CurrentPrincipal, session: SessionDep
) -> ScheduleOut:
    return await schedules.update_schedule(
        session, actor=principal, schedule_id=schedule_id, data=body, now=utcnow()
    )


@router.delete("/report-schedules/{schedule_id}", status_code=NO_CONTENT)
async def delete_report_schedule(
    schedule_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    await schedules.delete_schedule(session, actor=principal, schedule_id=schedule_id, now=utcnow())
    return Response(status_code=NO_CONTENT)
