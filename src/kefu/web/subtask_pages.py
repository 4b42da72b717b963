"""Escalating a conversation, its sub-tasks for other departments (logistics, warehouse, tech),
and the department staff's task list.

Like the other conversation actions, each form works as a plain post (redirected back) and as
an htmx request (answered with the refreshed sub-tasks card)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.permissions import Department, Permission, Role
from kefu.conversations import assignment, subtasks
from kefu.conversations.schemas import (
    MAX_TRANSFER_NOTE_CHARS,
    EscalateIn,
    SubtaskDoneIn,
    SubtaskIn,
    SubtaskOut,
)
from kefu.conversations.status import SubtaskStatus
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath
from kefu.shared.clock import utcnow
from kefu.shared.errors import InvalidInput
from kefu.web.conversation_view import page_path
from kefu.web.routing import PageRoute, safe_next
from kefu.web.viewer import Viewer, ViewerDep, is_htmx

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DEPARTMENTS = tuple(Department)
LongText = Annotated[str, Form(max_length=8000)]


@dataclass(frozen=True, slots=True)
class SubtaskPanel:
    """The sub-tasks card of the conversation page, with the create form's values and error."""

    conversation_id: int
    tasks: list[SubtaskOut]
    names: dict[int, str]
    finishable: frozenset[int]
    can_create: bool
    form: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    oob: bool = False

    @property
    def open_count(self) -> int:
        return sum(1 for t in self.tasks if t.status == SubtaskStatus.OPEN.value)


async def _names(
    session: AsyncSession, viewer: Viewer, tasks: Sequence[SubtaskOut]
) -> dict[int, str]:
    names: dict[int, str] = {}
    for user_id in {t.assignee_id for t in tasks if t.assignee_id is not None}:
        user = await accounts.get_user(session, user_id)
        if user is not None and user.shop_id == viewer.principal.shop_id:
            names[user_id] = user.name
    return names


def _finishable(viewer: Viewer, tasks: Sequence[SubtaskOut]) -> frozenset[int]:
    """Open tasks the viewer may close: their department's, or any when they manage chats."""
    if viewer.principal.role is Role.DEPARTMENT:
        mine = viewer.user.department
        return frozenset(t.id for t in tasks if t.status == "open" and t.department == mine)
    if viewer.can(Permission.CONVERSATIONS_MANAGE):
        return frozenset(t.id for t in tasks if t.status == "open")
    return frozenset()


async def subtask_panel(
    session: AsyncSession,
    viewer: Viewer,
    conversation_id: int,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
) -> SubtaskPanel:
    rows = await subtasks.conversation_subtasks(
        session, actor=viewer.principal, conversation_id=conversation_id
    )
    now = utcnow()
    tasks = [subtasks.view(task, now) for task in rows]
    return SubtaskPanel(
        conversation_id=conversation_id,
        tasks=tasks,
        names=await _names(session, viewer, tasks),
        finishable=_finishable(viewer, tasks),
        can_create=viewer.can(Permission.CONVERSATIONS_MANAGE),
        form=form or {},
        error=error,
    )


def _render_panel(
    request: Request, viewer: Viewer, panel: SubtaskPanel, *, status_code: int = 200
) -> HTMLResponse:
    return viewer.render(
        request,
        "conversation/_subtasks.html",
        {"subtasks": panel, "departments": DEPARTMENTS},
        status_code=status_code,
        headers={"HX-Retarget": "#subtasks-card", "HX-Reswap": "outerHTML"},
        page_path=page_path(panel.conversation_id),
    )


@router.post("/conversations/{conversation_id}/escalate")
async def escalate(
    conversation_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    note: Annotated[str, Form(max_length=MAX_TRANSFER_NOTE_CHARS * 4)] = "",
) -> Response:
    """To the next tier, back in the queue; the page reloads, as its holder has changed."""
    try:
        data = EscalateIn(note=note)
    except ValidationError:
        raise InvalidInput("say why you escalate", code="escalate_note") from None
    await assignment.escalate_conversation(
        session, actor=viewer.principal, conversation_id=conversation_id, note=data.note,
        now=utcnow(),
    )  # fmt: skip
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": page_path(conversation_id)})
    return RedirectResponse(page_path(conversation_id), status_code=303)


def parse_due(value: str, viewer: Viewer) -> datetime | None:
    """A ``datetime-local`` value, read in the shop's time zone; ValueError when it is not one."""
    if not value.strip():
        return None
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=viewer.zone)
    return moment.astimezone(UTC)


def _subtask_error(exc: ValidationError) -> str:
    fields = {str(e["loc"][0]) if e["loc"] else "" for e in exc.errors()}
    for name in ("department", "title"):
        if name in fields:
            return f"subtasks.error.{name}"
    return "subtasks.error.generic"


@router.post("/conversations/{conversation_id}/subtasks")
async def create_subtask(
    conversation_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    department: Annotated[str, Form(max_length=20)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    note: LongText = "",
    due: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    values = {"department": department, "title": title.strip(), "note": note, "due": due}
    error = None
    try:
        data = SubtaskIn.model_validate(
            {"department": department, "title": title.strip(), "note": note,
             "due_at": parse_due(due, viewer)}
        )  # fmt: skip
        if data.due_at is not None and data.due_at <= utcnow():
            error = "subtasks.error.due"
    except ValidationError as exc:
        error = _subtask_error(exc)
    except ValueError:
        error = "subtasks.error.due"
    if error is not None:
        if not is_htmx(request):
            raise InvalidInput("the sub-task form does not validate", code="invalid_input")
        panel = await subtask_panel(session, viewer, conversation_id, form=values, error=error)
        return _render_panel(request, viewer, panel, status_code=422)
    await subtasks.create_subtask(
        session, actor=viewer.principal, conversation_id=conversation_id, data=data, now=utcnow()
    )
    if not is_htmx(request):
        return RedirectResponse(f"{page_path(conversation_id)}#subtasks-card", status_code=303)
    return _render_panel(request, viewer, await subtask_panel(session, viewer, conversation_id))


@router.post("/subtasks/{subtask_id}/finish")
async def finish_subtask(
    subtask_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    result: LongText = "",
    cancel: Annotated[str, Form(max_length=5)] = "",
    back: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Done (or cancelled) with a result, from the conversation page or the task list."""
    try:
        data = SubtaskDoneIn(result=result, cancel=cancel in ("1", "true"))
    except ValidationError:
        raise InvalidInput("the result is too long", code="invalid_input") from None
    task = await subtasks.finish_subtask(
        session, actor=viewer.principal, subtask_id=subtask_id, data=data, now=utcnow()
    )
    if back.startswith("/tasks"):
        return RedirectResponse(safe_next(back), status_code=303)
    if not is_htmx(request):
        return RedirectResponse(f"{page_path(task.conversation_id)}#subtasks-card", status_code=303)
    panel = await subtask_panel(session, viewer, task.conversation_id)
    return _render_panel(request, viewer, panel)


@router.get("/tasks")
async def task_list(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    department_: Annotated[str, Query(alias="department", max_length=20)] = "",
    open_only: Annotated[bool, Query(alias="open")] = True,
) -> HTMLResponse:
    """Department staff see their department's sub-tasks; others choose a department or all."""
    department = Department(department_) if department_ in set(Department) else None
    rows = await subtasks.department_subtasks(
        session,
        actor=viewer.principal,
        department=department.value if department else None,
        only_open=open_only,
    )
    now = utcnow()
    tasks = [subtasks.view(task, now) for task in rows]
    own = viewer.user.department if viewer.principal.role is Role.DEPARTMENT else None
    query = request.url.query
    return viewer.render(
        request,
        "tasks/page.html",
        {
            "tasks": tasks,
            "names": await _names(session, viewer, tasks),
            "finishable": _finishable(viewer, tasks),
            "own_department": own,
            "departments": DEPARTMENTS,
            "department": department.value if department else "",
            "open_only": open_only,
            "back": "/tasks" + (f"?{query}" if query else ""),
        },
    )
