"""One conversation: its timeline, the reply box, and the status, assignment and tag actions.

Every action works as a plain form post (answered with a redirect back to the page) and as an
htmx request (answered with the fragment that changed), so the page works without JavaScript.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.attachments.service import attachments_by_message
from kefu.conversations import assignment, queries, service
from kefu.conversations.schemas import (
    MAX_MESSAGE_CHARS,
    MessageIn,
    TagsIn,
)
from kefu.conversations.status import Status
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath
from kefu.shared.clock import utcnow
from kefu.shared.errors import InvalidInput
from kefu.shared.types import MAX_ID, NO_NUL
from kefu.web.conversation_view import (
    TIMELINE_LIMIT,
    agent_names,
    page_path,
    panel_context,
    reply_context,
    summarize,
)
from kefu.web.customer_sidebar import load_sidebar, transfer_form
from kefu.web.routing import PageRoute
from kefu.web.sla_pages import sla_clocks
from kefu.web.subtask_pages import DEPARTMENTS, subtask_panel
from kefu.web.viewer import Viewer, ViewerDep, is_htmx

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FormText = Annotated[str, Form(max_length=MAX_MESSAGE_CHARS * 4)]


async def _render_page(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    conversation_id: int,
    *,
    reply: dict[str, object] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    summary = await summarize(session, viewer, conversation_id)
    messages = await queries.list_messages(
        session,
        actor=viewer.principal,
        conversation_id=conversation_id,
        after_id=None,
        limit=TIMELINE_LIMIT,
    )
    sidebar = await load_sidebar(session, viewer, summary)
    context = {
        **panel_context(viewer, summary),
        "messages": messages,
        "agent_names": await agent_names(session, viewer, messages),
        "attachments": await attachments_by_message(session, [m.id for m in messages]),
        "customer": sidebar.customer,
        "sidebar": sidebar,
        "transfer": await transfer_form(session, viewer, summary),
        "subtasks": await subtask_panel(session, viewer, conversation_id),
        "sla_clocks": await sla_clocks(session, viewer, conversation_id),
        "departments": DEPARTMENTS,
        "customer_name": summary.customer.name,
        # The form asks for what comes after the last message shown, whatever it was given.
        "reply": {
            **(reply or reply_context(viewer, conversation_id)),
            "after_id": messages[-1].id if messages else None,
        },
        "truncated": summary.message_count > len(messages) == TIMELINE_LIMIT,
    }
    return viewer.render(
        request,
        "conversation/page.html",
        context,
        status_code=status_code,
        page_path=page_path(conversation_id),
    )


@router.get("/conversations/{conversation_id}")
async def conversation_page(
    conversation_id: IdPath, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    return await _render_page(request, session, viewer, conversation_id)


@router.get("/conversations/{conversation_id}/messages")
async def messages_after(
    conversation_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> HTMLResponse:
    """The timeline items after ``after_id``, rendered as the reply renders them: how the live
    page catches up on a new message or after a reconnect, without building markup in JS."""
    news = await queries.list_messages(
        session,
        actor=viewer.principal,
        conversation_id=conversation_id,
        after_id=after_id,
        limit=TIMELINE_LIMIT,
    )
    summary = await summarize(session, viewer, conversation_id)
    return viewer.render(
        request,
        "conversation/_messages.html",
        {
            "messages": news,
            "agent_names": await agent_names(session, viewer, news),
            "attachments": await attachments_by_message(session, [m.id for m in news]),
            "customer_name": summary.customer.name,
        },
    )


@router.get("/conversations/{conversation_id}/panel")
async def panel(
    conversation_id: IdPath, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    """The side panel alone, for the live page to refresh after a status or assignee change."""
    summary = await summarize(session, viewer, conversation_id)
    return viewer.render(request, "conversation/_panel.html", panel_context(viewer, summary))


def _reply_error(exc: ValidationError) -> str:
    kinds = {e.get("type") for e in exc.errors()}
    if "string_too_long" in kinds:
        return "reply.error.too_long"
    if "string_pattern_mismatch" in kinds or any(
        tuple(e.get("loc", ()))[:1] == ("attachment_ids",) for e in exc.errors()
    ):
        return "reply.error.invalid"
    return "reply.error.blank"


@router.post("/conversations/{conversation_id}/reply")
async def reply(
    conversation_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    body: FormText = "",
    internal: Annotated[str, Form(max_length=10)] = "",
    idempotency_key: Annotated[str, Form(max_length=100, pattern=NO_NUL)] = "",
    after_id: Annotated[int | None, Form(ge=0, le=MAX_ID)] = None,
    attachment_ids: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """Post a reply or note; the form's idempotency key makes a second post of it a replay.
    ``attachment_ids`` are the agent's uploads (kefu-attach.js adds them to the form)."""
    is_note = internal not in ("", "0", "false")
    try:
        data = MessageIn(
            body=body,
            internal=is_note,
            idempotency_key=idempotency_key or None,
            attachment_ids=attachment_ids,
        )
    except ValidationError as exc:
        form = reply_context(
            viewer,
            conversation_id,
            body=body,
            internal=is_note,
            key=idempotency_key or None,
            after_id=after_id,
            error=_reply_error(exc),
        )
        if not is_htmx(request):
            return await _render_page(
                request, session, viewer, conversation_id, reply=form, status_code=422
            )
        return viewer.render(
            request,
            "conversation/_reply_form.html",
            {"reply": form},
            status_code=422,
            headers={"HX-Retarget": "#reply-form", "HX-Reswap": "outerHTML"},
        )
    message, _created = await service.post_message(
        session, actor=viewer.principal, conversation_id=conversation_id, data=data, now=utcnow()
    )
    if not is_htmx(request):
        return RedirectResponse(
            f"{page_path(conversation_id)}#message-{message.id}", status_code=303
        )
    # Send what the page lacks after the last message it shows: the reply (unless a replay that
    # is already there) and anything that arrived meanwhile. So a retry never shows a copy.
    news = await queries.list_messages(
        session,
        actor=viewer.principal,
        conversation_id=conversation_id,
        after_id=after_id,
        limit=TIMELINE_LIMIT,
    )
    summary = await summarize(session, viewer, conversation_id)
    last_id = news[-1].id if news else after_id
    return viewer.render(
        request,
        "conversation/_reply_result.html",
        {
            **panel_context(viewer, summary),
            "messages": news,
            "agent_names": await agent_names(session, viewer, news),
            "attachments": await attachments_by_message(session, [m.id for m in news]),
            "customer_name": summary.customer.name,
            "reply": {
                **reply_context(viewer, conversation_id, after_id=last_id),
                "oob": True,
                "autofocus": True,
            },
        },
    )


async def _after_action(
    request: Request, session: AsyncSession, viewer: Viewer, conversation_id: int
) -> Response:
    """htmx gets the refreshed side panel; a plain form goes back to the page."""
    if not is_htmx(request):
        return RedirectResponse(page_path(conversation_id), status_code=303)
    summary = await summarize(session, viewer, conversation_id)
    return viewer.render(request, "conversation/_panel.html", panel_context(viewer, summary))


@router.post("/conversations/{conversation_id}/status")
async def change_status(
    conversation_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    status: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    if status not in set(Status):
        raise InvalidInput(f"unknown status '{status}'", code="invalid_input")
    await service.change_status(
        session,
        actor=viewer.principal,
        conversation_id=conversation_id,
        status=Status(status),
        now=utcnow(),
    )
    return await _after_action(request, session, viewer, conversation_id)


@router.post("/conversations/{conversation_id}/assign")
async def assign(
    conversation_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    assignee: Annotated[str, Form(max_length=10)] = "me",
) -> Response:
    """Agents take a conversation ("me") or let it go ("none"); others' need the supervisor API."""
    if assignee not in ("me", "none"):
        raise InvalidInput("assignee is 'me' or 'none'", code="invalid_input")
    await assignment.assign_conversation(
        session,
        actor=viewer.principal,
        conversation_id=conversation_id,
        assignee_id=viewer.user.id if assignee == "me" else None,
        team_id=None,
        now=utcnow(),
    )
    return await _after_action(request, session, viewer, conversation_id)


@router.post("/conversations/{conversation_id}/tags")
async def change_tags(
    conversation_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    add: Annotated[str, Form(max_length=200, pattern=NO_NUL)] = "",
    remove: Annotated[str, Form(max_length=200, pattern=NO_NUL)] = "",
) -> Response:
    try:
        tags = TagsIn(add=[add] if add or not remove else [], remove=[remove] if remove else [])
    except ValidationError:
        if not is_htmx(request):
            raise InvalidInput("a tag has 1 to 50 characters", code="invalid_input") from None
        summary = await summarize(session, viewer, conversation_id)
        context = {**panel_context(viewer, summary), "tag_error": "panel.tag_error"}
        return viewer.render(request, "conversation/_panel.html", context, status_code=422)
    await service.change_tags(
        session,
        actor=viewer.principal,
        conversation_id=conversation_id,
        add=tags.add,
        remove=tags.remove,
        now=utcnow(),
    )
    return await _after_action(request, session, viewer, conversation_id)
