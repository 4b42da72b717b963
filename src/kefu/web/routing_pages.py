"""The routing settings page (智能分流设置): supervisors see queues, rules, agents' profiles and
the shop's choices; owners and admins change them with plain forms.

A form that does not validate comes back on the page with what was typed and the reason; a
saved one redirects back with a notice. Every change goes through ``kefu.routing.admin``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission, Tier
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath, OptionalIdQuery
from kefu.routing import admin
from kefu.routing.assign import Strategy
from kefu.routing.models import RoutingQueue, RoutingRule
from kefu.routing.schemas import (
    CHANNELS,
    AgentProfileUpdate,
    QueueIn,
    QueueUpdate,
    RoutingSettingsUpdate,
    RuleIn,
    RuleUpdate,
)
from kefu.shared.clock import utcnow
from kefu.shared.errors import Conflict
from kefu.web.i18n import CATALOG
from kefu.web.routing import PageRoute
from kefu.web.viewer import Viewer, ViewerDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

BASE = "/admin/routing"
NOTICE = "routing_notice"
Short = Annotated[str, Form(max_length=400)]
Long = Annotated[str, Form(max_length=4000)]
Checkbox = Annotated[bool, Form()]
_SPLIT = re.compile(r"[,，、;；\n]+")
Values = dict[str, object]


async def routing_reader(viewer: ViewerDep) -> Viewer:
    """The viewer, if they may see the routing settings (supervisors and above)."""
    admin.access_routing(viewer.principal)
    return viewer


async def routing_manager(viewer: ViewerDep) -> Viewer:
    """The viewer, if they may change the routing settings (owners and admins)."""
    admin.access_routing(viewer.principal, write=True)
    return viewer


ReaderDep = Annotated[Viewer, Depends(routing_reader)]
ManagerDep = Annotated[Viewer, Depends(routing_manager)]


def _done(request: Request, notice: str, anchor: str) -> RedirectResponse:
    request.session[NOTICE] = notice
    return RedirectResponse(f"{BASE}#{anchor}", status_code=303)


def _take_notice(request: Request) -> str | None:
    key = request.session.pop(NOTICE, None)
    return key if isinstance(key, str) and key in CATALOG else None


def _words(text: str) -> list[str]:
    return [word.strip() for word in _SPLIT.split(text) if word.strip()]


def _error_key(exc: ValidationError) -> str:
    """The catalog key naming the first field at fault."""
    for error in exc.errors():
        for part in error["loc"]:
            key = f"routing.error.{part}"
            if key in CATALOG:
                return key
    return "routing.error.generic"


def _queue_values(queue: RoutingQueue | None) -> Values:
    """A queue's fields as its form shows them; blank for a new queue."""
    if queue is None:
        return queue_form() | {"id": None, "error": None}
    return {
        "id": queue.id,
        "name": queue.name,
        "skill": queue.skill,
        "position": queue.position,
        "base_tier": queue.base_tier,
        "is_default": queue.is_default,
        "peak_threshold_seconds": queue.peak_threshold_seconds or "",
        "error": None,
    }


def _rule_values(rule: RoutingRule | None) -> Values:
    """A rule's fields as its form shows them (lists comma-separated); blank for a new rule."""
    if rule is None:
        return rule_form(enabled=True) | {"id": None, "error": None}
    return {
        "id": rule.id,
        "name": rule.name,
        "queue_id": rule.queue_id,
        "intents": ", ".join(rule.intents),
        "channels": rule.channels,
        "keywords": ", ".join(rule.keywords),
        "min_customer_level": rule.min_customer_level,
        "enabled": rule.enabled,
        "error": None,
    }


async def _render(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    *,
    edit: Mapping[str, int | None] | None = None,
    forms: Mapping[str, Values] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The page; ``edit`` opens a queue, rule or agent for editing, ``forms`` holds what was
    typed into a form that did not validate (its values and its error)."""
    actor = viewer.principal
    queues = await admin.list_queues(session, actor=actor)
    rules = await admin.list_rules(session, actor=actor)
    agents = await admin.list_agent_profiles(session, actor=actor)
    settings = await admin.read_settings(session, actor=actor)
    edit, forms = edit or {}, forms or {}
    queue = next((q for q in queues if q.id == edit.get("queue")), None)
    rule = next((r for r in rules if r.id == edit.get("rule")), None)
    context = {
        "queues": queues,
        "queue_names": {queue.id: queue.name for queue in queues},
        "rules": rules,
        "agents": agents,
        "settings": settings,
        "queue_form": forms.get("queue") or _queue_values(queue),
        "rule_form": forms.get("rule") or _rule_values(rule),
        "agent": next((a for a in agents if a.user_id == edit.get("agent")), None),
        "agent_error": forms.get("agent", {}).get("error"),
        "settings_form": forms.get("settings")
        or settings.model_dump(mode="json") | {"error": None},
        "can_manage": viewer.can(Permission.ROUTING_MANAGE),
        "tiers": [tier.value for tier in Tier],
        "strategies": [strategy.value for strategy in Strategy],
        "channels": CHANNELS,
        "notice": _take_notice(request),
    }
    return viewer.render(
        request, "routing/page.html", context, status_code=status_code, page_path=BASE
    )


@router.get(BASE)
async def routing_page(
    request: Request,
    viewer: ReaderDep,
    session: SessionDep,
    queue: OptionalIdQuery = None,
    rule: OptionalIdQuery = None,
    agent: OptionalIdQuery = None,
) -> HTMLResponse:
    edit = {"queue": queue, "rule": rule, "agent": agent}
    return await _render(request, session, viewer, edit=edit)


# ---- queues ------------------------------------------------------------------------------


async def _save_queue(
    request: Request, session: AsyncSession, viewer: Viewer, queue_id: int | None, form: Values
) -> Response:
    """Create (``queue_id`` None) or update a queue from the form's values."""
    values = {**form, "peak_threshold_seconds": form["peak_threshold_seconds"] or None}
    values["position"] = values["position"] or 0
    try:
        data = QueueIn.model_validate(values)
        if queue_id is None:
            await admin.create_queue(session, actor=viewer.principal, data=data, now=utcnow())
        else:
            await admin.update_queue(
                session,
                actor=viewer.principal,
                queue_id=queue_id,
                data=QueueUpdate.model_validate(data.model_dump()),
                now=utcnow(),
            )
    except (ValidationError, Conflict) as exc:
        error = _error_key(exc) if isinstance(exc, ValidationError) else f"routing.error.{exc.code}"
        forms = {"queue": {**form, "id": queue_id, "error": error}}
        status = 422 if isinstance(exc, ValidationError) else 409
        edit = {"queue": queue_id}
        return await _render(request, session, viewer, edit=edit, forms=forms, status_code=status)
    return _done(request, "routing.notice.queue_saved", "queues")


def queue_form(
    name: Short = "",
    skill: Short = "",
    position: Short = "",
    base_tier: Short = "junior",
    is_default: Checkbox = False,
    peak_threshold_seconds: Short = "",
) -> Values:
    """A queue form's fields as typed (the dependency of the queue forms' posts)."""
    return {
        "name": name,
        "skill": skill.strip(),
        "position": position.strip(),
        "base_tier": base_tier,
        "is_default": is_default,
        "peak_threshold_seconds": peak_threshold_seconds.strip(),
    }


QueueForm = Annotated[Values, Depends(queue_form)]


@router.post(BASE + "/queues")
async def create_queue(
    request: Request, viewer: ManagerDep, session: SessionDep, form: QueueForm
) -> Response:
    return await _save_queue(request, session, viewer, None, form)


@router.post(BASE + "/queues/{queue_id}")
async def update_queue(
    queue_id: IdPath, request: Request, viewer: ManagerDep, session: SessionDep, form: QueueForm
) -> Response:
    return await _save_queue(request, session, viewer, queue_id, form)


@router.post(BASE + "/queues/{queue_id}/delete")
async def delete_queue(
    queue_id: IdPath, request: Request, viewer: ManagerDep, session: SessionDep
) -> Response:
    await admin.delete_queue(session, actor=viewer.principal, queue_id=queue_id, now=utcnow())
    return _done(request, "routing.notice.queue_deleted", "queues")


# ---- rules -------------------------------------------------------------------------------


async def _save_rule(
    request: Request, session: AsyncSession, viewer: Viewer, rule_id: int | None, form: Values
) -> Response:
    values = {
        **form,
        "intents": _words(str(form["intents"])),
        "keywords": _words(str(form["keywords"])),
        "min_customer_level": form["min_customer_level"] or 0,
        "queue_id": form["queue_id"] or None,
    }
    try:
        data = RuleIn.model_validate(values)
        if rule_id is None:
            await admin.create_rule(session, actor=viewer.principal, data=data, now=utcnow())
        else:
            update = RuleUpdate.model_validate(data.model_dump(exclude={"position"}))
            await admin.update_rule(
                session, actor=viewer.principal, rule_id=rule_id, data=update, now=utcnow()
            )
    except ValidationError as exc:
        forms = {"rule": {**form, "id": rule_id, "error": _error_key(exc)}}
        edit = {"rule": rule_id}
        return await _render(request, session, viewer, edit=edit, forms=forms, status_code=422)
    return _done(request, "routing.notice.rule_saved", "rules")


def rule_form(
    name: Short = "",
    queue_id: Short = "",
    intents: Long = "",
    channels: Annotated[list[str] | None, Form(max_length=len(CHANNELS) * 2)] = None,
    keywords: Long = "",
    min_customer_level: Short = "",
    enabled: Checkbox = False,
) -> Values:
    """A rule form's fields as typed (the dependency of the rule forms' posts)."""
    return {
        "name": name,
        "queue_id": queue_id.strip(),
        "intents": intents,
        "channels": channels or [],
        "keywords": keywords,
        "min_customer_level": min_customer_level.strip(),
        "enabled": enabled,
    }


RuleForm = Annotated[Values, Depends(rule_form)]


@router.post(BASE + "/rules")
async def create_rule(
    request: Request, viewer: ManagerDep, session: SessionDep, form: RuleForm
) -> Response:
    """A new rule is on (its form has no switch) and tried last."""
    return await _save_rule(request, session, viewer, None, form | {"enabled": True})


@router.post(BASE + "/rules/{rule_id}")
async def update_rule(
    rule_id: IdPath, request: Request, viewer: ManagerDep, session: SessionDep, form: RuleForm
) -> Response:
    return await _save_rule(request, session, viewer, rule_id, form)


@router.post(BASE + "/rules/{rule_id}/move")
async def move_rule(
    rule_id: IdPath,
    request: Request,
    viewer: ManagerDep,
    session: SessionDep,
    direction: Annotated[Literal["up", "down"], Form()] = "up",
) -> Response:
    step = -1 if direction == "up" else 1
    await admin.move_rule(session, actor=viewer.principal, rule_id=rule_id, step=step, now=utcnow())
    return _done(request, "routing.notice.rule_moved", "rules")


@router.post(BASE + "/rules/{rule_id}/delete")
async def delete_rule(
    rule_id: IdPath, request: Request, viewer: ManagerDep, session: SessionDep
) -> Response:
    await admin.delete_rule(session, actor=viewer.principal, rule_id=rule_id, now=utcnow())
    return _done(request, "routing.notice.rule_deleted", "rules")


# ---- agents and settings -------------------------------------------------------------------


@router.post(BASE + "/agents/{user_id}")
async def update_agent(
    user_id: IdPath, request: Request, viewer: ManagerDep, session: SessionDep
) -> Response:
    """Tier, max chats, peak squad, and ``skill_<queue id>`` (0: not served, else 1-5)."""
    sent = await request.form()
    skills = {
        key.removeprefix("skill_"): value
        for key, value in sent.items()
        if key.startswith("skill_") and value not in ("", "0")
    }
    values = {
        "tier": sent.get("tier") or None,
        "max_chats": sent.get("max_chats") or None,
        "peak_squad": sent.get("peak_squad") == "true",
        "skills": skills,
    }
    try:
        data = AgentProfileUpdate.model_validate(values)
    except ValidationError as exc:
        forms: dict[str, Values] = {"agent": {"error": _error_key(exc)}}
        edit = {"agent": user_id}
        return await _render(request, session, viewer, edit=edit, forms=forms, status_code=422)
    await admin.update_agent_profile(
        session, actor=viewer.principal, user_id=user_id, data=data, now=utcnow()
    )
    return _done(request, "routing.notice.agent_saved", "agents")


@router.post(BASE + "/settings")
async def update_settings(
    request: Request,
    viewer: ManagerDep,
    session: SessionDep,
    auto_assign: Checkbox = False,
    strategy: Short = "",
    email_weight: Short = "",
    away_after_seconds: Short = "",
) -> Response:
    form: Values = {
        "auto_assign": auto_assign,
        "strategy": strategy,
        "email_weight": email_weight.strip(),
        "away_after_seconds": away_after_seconds.strip(),
    }
    try:
        values = {name: value or None for name, value in form.items()}
        data = RoutingSettingsUpdate.model_validate({**values, "auto_assign": auto_assign})
    except ValidationError as exc:
        forms = {"settings": {**form, "error": _error_key(exc)}}
        return await _render(request, session, viewer, forms=forms, status_code=422)
    await admin.update_settings(session, actor=viewer.principal, data=data, now=utcnow())
    return _done(request, "routing.notice.settings_saved", "settings")
