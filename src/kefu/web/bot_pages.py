"""The bot in the workspace: a small block beside a conversation the bot handled (intent,
emotion, why it handed over), and the supervisors' page of bot figures and unanswered questions."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kefu.bot import analytics, queries
from kefu.http.deps import SessionDep
from kefu.http.params import IdPath
from kefu.shared.clock import utcnow
from kefu.web.routing import PageRoute
from kefu.web.viewer import ViewerDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PERIOD = timedelta(days=7)
UNANSWERED_SHOWN = 50


@router.get("/conversations/{conversation_id}/bot-panel")
async def bot_panel(
    conversation_id: IdPath, request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    found = await queries.conversation_bot(
        session, actor=viewer.principal, conversation_id=conversation_id
    )
    last = found.turns[-1] if found is not None and found.turns else None
    return viewer.render(request, "conversation/_bot.html", {"bot": found, "last": last})


@router.get("/bot")
async def bot_page(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    until = utcnow()
    figures = await analytics.analytics(
        session, actor=viewer.principal, since=until - PERIOD, until=until
    )
    questions = await analytics.unanswered(session, actor=viewer.principal, limit=UNANSWERED_SHOWN)
    return viewer.render(
        request,
        "bot/page.html",
        {"figures": figures, "questions": questions, "days": PERIOD.days},
    )
