"""HTTP routes of the SLA domain: calendars and policies (admins), a conversation's clocks, the
at-risk board and attainment (supervisors)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.http.params import IdPath
from kefu.shared.clock import as_utc, utcnow
from kefu.shared.errors import InvalidInput
from kefu.sla import admin, service
from kefu.sla.schemas import (
    AttainmentOut,
    CalendarIn,
    CalendarOut,
    CalendarUpdate,
    ClockOut,
    PolicyIn,
    PolicyOut,
    PolicyUpdate,
)

router = APIRouter(prefix="/api/v1/sla", tags=["sla"])
DEFAULT_PERIOD = timedelta(days=7)
NO_CONTENT = status.HTTP_204_NO_CONTENT


# ---- calendars ----------------------------------------------------------------------------


@router.get("/calendars", response_model=list[CalendarOut])
async def list_calendars(principal: CurrentPrincipal, session: SessionDep) -> list[CalendarOut]:
    rows = await admin.list_calendars(session, actor=principal)
    return [admin.calendar_out(row) for row in rows]


@router.post("/calendars", response_model=CalendarOut, status_code=status.HTTP_201_CREATED)
async def create_calendar(
    body: CalendarIn, principal: CurrentPrincipal, session: SessionDep
) -> CalendarOut:
    row = await admin.create_calendar(session, actor=principal, data=body, now=utcnow())
    return admin.calendar_out(row)


@router.get("/calendars/{calendar_id}", response_model=CalendarOut)
async def read_calendar(
    calendar_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> CalendarOut:
    row = await admin.require_calendar(session, actor=principal, calendar_id=calendar_id)
    return admin.calendar_out(row)


@router.patch("/calendars/{calendar_id}", response_model=CalendarOut)
async def update_calendar(
    calendar_id: IdPath, body: CalendarUpdate, principal: CurrentPrincipal, session: SessionDep
) -> CalendarOut:
    row = await admin.update_calendar(
        session, actor=principal, calendar_id=calendar_id, data=body, now=utcnow()
    )
    return admin.calendar_out(row)


@router.delete("/calendars/{calendar_id}", status_code=NO_CONTENT)
async def delete_calendar(
    calendar_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    await admin.delete_calendar(session, actor=principal, calendar_id=calendar_id, now=utcnow())
    return Response(status_code=NO_CONTENT)


# ---- policies -----------------------------------------------------------------------------


@router.get("/policies", response_model=list[PolicyOut])
async def list_policies(principal: CurrentPrincipal, session: SessionDep) -> list[PolicyOut]:
    rows = await admin.list_policies(session, actor=principal)
    return [PolicyOut.model_validate(row) for row in rows]


@router.post("/policies", response_model=PolicyOut, status_code=status.HTTP_201_CREATED)
async def create_policy(
    body: PolicyIn, principal: CurrentPrincipal, session: SessionDep
) -> PolicyOut:
    row = await admin.create_policy(session, actor=principal, data=body, now=utcnow())
    return PolicyOut.model_validate(row)


@router.get("/policies/{policy_id}", response_model=PolicyOut)
async def read_policy(
    policy_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> PolicyOut:
    row = await admin.require_policy(session, actor=principal, policy_id=policy_id)
    return PolicyOut.model_validate(row)


@router.patch("/policies/{policy_id}", response_model=PolicyOut)
async def update_policy(
    policy_id: IdPath, body: PolicyUpdate, principal: CurrentPrincipal, session: SessionDep
) -> PolicyOut:
    row = await admin.update_policy(
        session, actor=principal, policy_id=policy_id, data=body, now=utcnow()
    )
    return PolicyOut.model_validate(row)


@router.delete("/policies/{policy_id}", status_code=NO_CONTENT)
async def delete_policy(
    policy_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    await admin.delete_policy(session, actor=principal, policy_id=policy_id, now=utcnow())
    return Response(status_code=NO_CONTENT)


# ---- clocks -------------------------------------------------------------------------------


@router.get("/conversations/{conversation_id}", response_model=list[ClockOut])
async def conversation_clocks(
    conversation_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> list[ClockOut]:
    return await service.conversation_clocks(
        session, actor=principal, conversation_id=conversation_id, now=utcnow()
    )


@router.get("/at-risk", response_model=list[ClockOut])
async def at_risk(
    principal: CurrentPrincipal,
    session: SessionDep,
    within_minutes: Annotated[int, Query(ge=0, le=24 * 60)] = 30,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ClockOut]:
    return await service.at_risk(
        session, actor=principal, now=utcnow(), within_minutes=within_minutes, limit=limit
    )


@router.get("/attainment", response_model=AttainmentOut)
async def attainment(
    principal: CurrentPrincipal,
    session: SessionDep,
    since: Annotated[datetime | None, Query(description="default: a week before until")] = None,
    until: Annotated[datetime | None, Query(description="default: now")] = None,
) -> AttainmentOut:
    try:
        end = as_utc(until) if until is not None else utcnow()
        start = as_utc(since) if since is not None else end - DEFAULT_PERIOD
    except OverflowError:
        raise InvalidInput("that date is out of range", code="bad_period") from None
    return await service.attainment(session, actor=principal, since=start, until=end)
