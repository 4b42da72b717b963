"""The supervisors' live board (a page whose fragment htmx polls every few seconds, so it works
across workers without extra machinery) and the agents' presence switch in the header."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.conversations import assignment
from kefu.conversations.schemas import TransferIn
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath
from kefu.routing import board, presence
from kefu.shared.clock import utcnow
from kefu.shared.errors import InvalidInput
from kefu.shared.types import MAX_ID
from kefu.web.i18n import Locale, translate
from kefu.web.routing import PageRoute, safe_next
from kefu.web.viewer import Viewer, ViewerDep, is_htmx

router = APIRouter(route_class=PageRoute, include_in_schema=False)

POLL_SECONDS = 5


def wait_text(seconds: float | None, *, locale: Locale) -> str:
    """``3分12秒`` / ``3m 12s``; ``—`` when there is no estimate."""
    if seconds is None:
        return translate(locale, "board.none")
    total = max(0, round(seconds))
    if total < 60:
        return translate(locale, "board.wait.seconds", s=total)
    if total < 3600:
        minutes, rest = divmod(total, 60)
        return translate(locale, "board.wait.minutes", m=minutes, s=rest)
    hours, rest = divmod(total, 3600)
    return translate(locale, "board.wait.hours", h=hours, m=rest // 60)


async def _board_context(
    session: AsyncSession, viewer: Viewer, *, assigned: int | None = None
) -> dict[str, object]:
    data = await board.board(session, actor=viewer.principal, now=utcnow())
    return {
        "board": data,
        "queue_names": {q.id: q.name for q in data.queues},
        "wait": partial(wait_text, locale=viewer.locale),
        "poll_seconds": POLL_SECONDS,
        "assigned": assigned,
    }


@router.get("/board")
async def board_page(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    """Queues, agents, who waits and SLAs at risk (supervisors and above)."""
    return viewer.render(request, "board/page.html", await _board_context(session, viewer))


@router.get("/board/live")
async def board_live(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    """The board's fragment, which the page polls."""
    return viewer.render(request, "board/_live.html", await _board_context(session, viewer))


@router.post("/board/conversations/{conversation_id}/assign")
async def assign_by_hand(
    conversation_id: IdPath,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    agent: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    """A supervisor gives a waiting conversation to an agent: a transfer, so it is noted in the
    thread and audited like any other."""
    viewer.principal.require(Permission.CONVERSATIONS_ASSIGN_ANY)
    data = TransferIn(assignee_id=agent, note=translate(viewer.locale, "board.waiting.note"))
    await assignment.transfer_conversation(
        session, actor=viewer.principal, conversation_id=conversation_id, data=data, now=utcnow()
    )
    if not is_htmx(request):
        return RedirectResponse("/board", status_code=303)
    context = await _board_context(session, viewer, assigned=conversation_id)
    return viewer.render(request, "board/_live.html", context, page_path="/board")


def _back(request: Request) -> str:
    """The page the switch was used on (same site only), else the conversation list."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc:
        return safe_next(None)
    return safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))


@router.post("/presence")
async def set_presence(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    presence_: Annotated[str, Form(alias="presence", max_length=10)] = "",
    auto: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """The header's switch (online, away, offline), as the presence API but from a form."""
    if presence_ not in set(presence.Presence):
        raise InvalidInput(f"unknown presence '{presence_}'", code="invalid_input")
    state = await presence.set_presence(
        session,
        actor=viewer.principal,
        presence=presence.Presence(presence_),
        auto=auto in ("1", "true"),
        now=utcnow(),
    )
    if not is_htmx(request):
        return RedirectResponse(_back(request), status_code=303)
    updated = dataclasses.replace(
        viewer, presence=presence.Presence(state.presence), presence_auto=state.presence_auto
    )
    return updated.render(request, "_presence.html", {})
