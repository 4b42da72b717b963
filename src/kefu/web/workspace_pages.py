"""The agent's workspace on the conversation page: canned-reply suggestions for the reply box
and handing the conversation to a colleague or team.

Like the other page actions, a transfer works as a plain form post (redirected back) and as an
htmx request (answered with the refreshed panel, form and the note it wrote).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from kefu.conversations import assignment
from kefu.conversations.schemas import MAX_TRANSFER_NOTE_CHARS, TransferIn
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath
from kefu.knowledge import service as knowledge
from kefu.shared.clock import utcnow
from kefu.shared.errors import InvalidInput
from kefu.shared.types import MAX_ID, NO_NUL
from kefu.web.conversation_view import agent_names, page_path, panel_context, summarize
from kefu.web.customer_sidebar import transfer_form
from kefu.web.routing import PageRoute
from kefu.web.viewer import ViewerDep, is_htmx

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SUGGESTIONS = 8


@router.get("/conversations/{conversation_id}/canned")
async def canned_suggestions(
    conversation_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100, pattern=NO_NUL)] = "",
) -> HTMLResponse:
    """The replies matching what follows ``/`` in the reply box, with their placeholders already
    filled for this conversation, as a list the reply box's script shows."""
    values = await knowledge.placeholder_values(
        session, actor=viewer.principal, conversation_id=conversation_id
    )
    replies = await knowledge.list_canned_replies(
        session, actor=viewer.principal, query=q, limit=SUGGESTIONS
    )
    suggestions = [
        {
            "id": r.id,
            "shortcut": r.shortcut,
            "title": r.title,
            "body": knowledge.render_canned_reply(r, values),
        }
        for r in replies
    ]
    return viewer.render(
        request,
        "conversation/_canned_suggestions.html",
        {"suggestions": suggestions, "query": q},
    )


def _parse_target(target: str) -> dict[str, int]:
    """``user:7``, ``team:2`` or ``queue:3`` as TransferIn fields; anything else names nobody."""
    kind, _, raw = target.partition(":")
    fields = {"user": "assignee_id", "team": "team_id", "queue": "queue_id"}
    if kind in fields and raw.isdigit() and 1 <= int(raw) <= MAX_ID:
        return {fields[kind]: int(raw)}
    return {}


@router.post("/conversations/{conversation_id}/transfer")
async def transfer(
    conversation_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    target: Annotated[str, Form(max_length=30)] = "",
    note: Annotated[str, Form(max_length=MAX_TRANSFER_NOTE_CHARS * 4)] = "",
) -> Response:
    try:
        data = TransferIn(note=note, **_parse_target(target))
    except ValidationError as exc:
        fields = {str(e["loc"][0]) if e["loc"] else "" for e in exc.errors()}
        error = "transfer.error.note" if "note" in fields else "transfer.error.target"
        if not is_htmx(request):
            raise InvalidInput(
                "choose a colleague or team and say why", code="invalid_input"
            ) from None
        summary = await summarize(session, viewer, conversation_id)
        form = await transfer_form(session, viewer, summary, target=target, note=note, error=error)
        return viewer.render(
            request,
            "conversation/_transfer.html",
            {"transfer": form},
            status_code=422,
            headers={"HX-Retarget": "#transfer-card", "HX-Reswap": "outerHTML"},
            page_path=page_path(conversation_id),
        )
    _conversation, message = await assignment.transfer_conversation(
        session, actor=viewer.principal, conversation_id=conversation_id, data=data, now=utcnow()
    )
    if not is_htmx(request):
        return RedirectResponse(
            f"{page_path(conversation_id)}#message-{message.id}", status_code=303
        )
    summary = await summarize(session, viewer, conversation_id)
    return viewer.render(
        request,
        "conversation/_transfer_result.html",
        {
            **panel_context(viewer, summary),
            "transfer": await transfer_form(session, viewer, summary, oob=True),
            "messages": [message],
            "agent_names": await agent_names(session, viewer, [message]),
            "customer_name": summary.customer.name,
        },
    )
