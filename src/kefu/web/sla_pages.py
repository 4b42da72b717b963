"""The SLA settings page (服务时效): admins edit business calendars and policies with plain
forms; supervisors see how often the promises were kept. Also the conversation's SLA card.

A form that does not validate comes back with what was typed and the reason; a saved one
redirects back with a notice. Every change goes through ``kefu.sla.admin``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath, OptionalIdQuery
from kefu.shared.clock import utcnow
from kefu.shared.errors import KefuError
from kefu.sla import admin, service
from kefu.sla.policy import CHANNELS, PRIORITIES
from kefu.sla.schemas import AttainmentOut, CalendarUpdate, ClockOut, PolicyUpdate
from kefu.web.i18n import CATALOG
from kefu.web.routing import PageRoute
from kefu.web.sla_forms import (
    DAYS,
    METRICS,
    TIMEZONES,
    UNITS,
    FormError,
    Values,
    calendar_form,
    calendar_input,
    calendar_values,
    error_of,
    policy_form,
    policy_input,
    policy_values,
)
from kefu.web.viewer import Viewer, ViewerDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

BASE = "/admin/sla"
NOTICE = "sla_notice"
PERIODS = (7, 30)
# Form fields are short; holidays (up to 1000 dates) are the longest.
MAX_FIELD_CHARS = 20_000


async def sla_reader(viewer: ViewerDep) -> Viewer:
    """The viewer, if they may see service levels (supervisors and above)."""
    viewer.principal.require(Permission.SLA_MONITOR)
    return viewer


async def sla_manager(viewer: ViewerDep) -> Viewer:
    """The viewer, if they may change calendars and policies (owners and admins)."""
    admin.access_sla_settings(viewer.principal)
    return viewer


ReaderDep = Annotated[Viewer, Depends(sla_reader)]
ManagerDep = Annotated[Viewer, Depends(sla_manager)]


def _done(request: Request, notice: str, anchor: str) -> RedirectResponse:
    request.session[NOTICE] = notice
    return RedirectResponse(f"{BASE}#{anchor}", status_code=303)


def _take_notice(request: Request) -> str | None:
    key = request.session.pop(NOTICE, None)
    return key if isinstance(key, str) and key in CATALOG else None


async def _sent(request: Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The posted form: its single values (cut to a sane length) and its ticked lists."""
    sent = await request.form()
    single = {key: str(value)[:MAX_FIELD_CHARS] for key, value in sent.items()}
    lists = {
        key: [str(v)[:20] for v in sent.getlist(key)][:10] for key in ("priorities", "channels")
    }
    return single, lists


async def _attainment(session: AsyncSession, viewer: Viewer) -> list[AttainmentOut]:
    now = utcnow()
    return [
        await service.attainment(
            session, actor=viewer.principal, since=now - timedelta(days=days), until=now
        )
        for days in PERIODS
    ]


async def _render(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    *,
    edit: Mapping[str, int | None] | None = None,
    forms: Mapping[str, Values] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The page; ``edit`` opens a calendar or a policy for editing, ``forms`` holds what was
    typed into a form that did not validate (its values and its error)."""
    edit, forms = edit or {}, forms or {}
    can_manage = viewer.can(Permission.SLA_MANAGE)
    calendars = await admin.list_calendars(session, actor=viewer.principal) if can_manage else []
    policies = await admin.list_policies(session, actor=viewer.principal) if can_manage else []
    calendar = next((c for c in calendars if c.id == edit.get("calendar")), None)
    policy = next((p for p in policies if p.id == edit.get("policy")), None)
    zones = list(TIMEZONES) + sorted({c.timezone for c in calendars} - set(TIMEZONES))
    context = {
        "can_manage": can_manage,
        "calendars": calendars,
        "calendar_names": {c.id: c.name for c in calendars},
        "policies": policies,
        "calendar_form": forms.get("calendar") or calendar_values(calendar),
        "policy_form": forms.get("policy") or policy_values(policy),
        "calendar_error": forms.get("calendar_delete"),
        "attainment": list(zip(PERIODS, await _attainment(session, viewer), strict=True)),
        "timezones": zones,
        "days": DAYS,
        "metrics": METRICS,
        "units": UNITS,
        "priorities": PRIORITIES,
        "channels": CHANNELS,
        "notice": _take_notice(request),
    }
    return viewer.render(request, "sla/page.html", context, status_code=status_code, page_path=BASE)


@router.get(BASE)
async def sla_page(
    request: Request,
    viewer: ReaderDep,
    session: SessionDep,
    calendar: OptionalIdQuery = None,
    policy: OptionalIdQuery = None,
) -> HTMLResponse:
    return await _render(request, session, viewer, edit={"calendar": calendar, "policy": policy})


def _status(exc: Exception) -> int:
    return exc.status if isinstance(exc, KefuError) else 422


# ---- calendars ---------------------------------------------------------------------------


async def _save_calendar(
    request: Request, session: AsyncSession, viewer: Viewer, calendar_id: int | None
) -> Response:
    """Create (``calendar_id`` None) or update a calendar from the posted form."""
    sent, _ = await _sent(request)
    form = calendar_form(sent)
    actor, now = viewer.principal, utcnow()
    try:
        data = calendar_input(form)
        if calendar_id is None:
            await admin.create_calendar(session, actor=actor, data=data, now=now)
        else:
            update = CalendarUpdate.model_validate(data.model_dump())
            await admin.update_calendar(
                session, actor=actor, calendar_id=calendar_id, data=update, now=now
            )
    except (FormError, ValidationError, KefuError) as exc:
        if isinstance(exc, KefuError) and exc.status not in (409, 422):
            raise
        error = error_of(exc)
        forms = {"calendar": {**form, "id": calendar_id, "error": error}}
        edit = {"calendar": calendar_id}
        return await _render(
            request, session, viewer, edit=edit, forms=forms, status_code=_status(exc)
        )
    return _done(request, "sla.notice.calendar_saved", "calendars")


@router.post(BASE + "/calendars")
async def create_calendar(request: Request, viewer: ManagerDep, session: SessionDep) -> Response:
    return await _save_calendar(request, session, viewer, None)


@router.post(BASE + "/calendars/{calendar_id}")
async def update_calendar(
    calendar_id: IdPath, request: Request, viewer: ManagerDep, session: SessionDep
) -> Response:
    return await _save_calendar(request, session, viewer, calendar_id)


@router.post(BASE + "/calendars/{calendar_id}/delete")
async def delete_calendar(
    calendar_id: IdPath, request: Request, viewer: ManagerDep, session: SessionDep
) -> Response:
    """Refused while a policy uses the calendar: the page says how many do."""
    try:
        await admin.delete_calendar(
            session, actor=viewer.principal, calendar_id=calendar_id, now=utcnow()
        )
    except KefuError as exc:
        if exc.code != "sla_calendar_in_use":
            raise
        forms: dict[str, Values] = {"calendar_delete": {"id": calendar_id, "error": error_of(exc)}}
        return await _render(request, session, viewer, forms=forms, status_code=exc.status)
    return _done(request, "sla.notice.calendar_deleted", "calendars")


# ---- policies ----------------------------------------------------------------------------


async def _save_policy(
    request: Request, session: AsyncSession, viewer: Viewer, policy_id: int | None
) -> Response:
    """Create (``policy_id`` None) or update a policy from the posted form; a blank position
    puts a new policy last and leaves an edited one where it is."""
    sent, lists = await _sent(request)
    form = policy_form(sent, lists)
    actor, now = viewer.principal, utcnow()
    try:
        data = policy_input(form)
        if policy_id is None:
            await admin.create_policy(session, actor=actor, data=data, now=now)
        else:
            changes = data.model_dump(exclude={"position"} if data.position is None else set())
            update = PolicyUpdate.model_validate(changes)
            await admin.update_policy(
                session, actor=actor, policy_id=policy_id, data=update, now=now
            )
    except (FormError, ValidationError, KefuError) as exc:
        if isinstance(exc, KefuError) and exc.status not in (404, 409, 422):
            raise
        error = error_of(exc)
        if isinstance(exc, KefuError) and exc.code == "sla_calendar_not_found":
            error = FormError("sla.error.calendar_id")
        forms = {"policy": {**form, "id": policy_id, "error": error}}
        edit = {"policy": policy_id}
        status = 422 if isinstance(exc, KefuError) and exc.status == 404 else _status(exc)
        return await _render(request, session, viewer, edit=edit, forms=forms, status_code=status)
    return _done(request, "sla.notice.policy_saved", "policies")


@router.post(BASE + "/policies")
async def create_policy(request: Request, viewer: ManagerDep, session: SessionDep) -> Response:
    return await _save_policy(request, session, viewer, None)


@router.post(BASE + "/policies/{policy_id}")
async def update_policy(
    policy_id: IdPath, request: Request, viewer: ManagerDep, session: SessionDep
) -> Response:
    return await _save_policy(request, session, viewer, policy_id)


@router.post(BASE + "/policies/{policy_id}/delete")
async def delete_policy(
    policy_id: IdPath, request: Request, viewer: ManagerDep, session: SessionDep
) -> Response:
    await admin.delete_policy(session, actor=viewer.principal, policy_id=policy_id, now=utcnow())
    return _done(request, "sla.notice.policy_deleted", "policies")


# ---- the conversation's card -------------------------------------------------------------


async def sla_clocks(session: AsyncSession, viewer: Viewer, conversation_id: int) -> list[ClockOut]:
    """The conversation's clocks for its SLA card (anyone who may read the conversation)."""
    return await service.conversation_clocks(
        session, actor=viewer.principal, conversation_id=conversation_id, now=utcnow()
    )


@router.get("/conversations/{conversation_id}/sla")
async def sla_card(
    conversation_id: IdPath, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    """The card alone, for the live page to refresh on a warning or a breach."""
    clocks = await sla_clocks(session, viewer, conversation_id)
    context = {"sla_clocks": clocks, "conversation_id": conversation_id}
    return viewer.render(request, "conversation/_sla.html", context)
