"""HTTP routes of the bot: settings, analytics, unanswered questions, a conversation's turns."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from kefu.bot import admin, analytics, queries
from kefu.bot.engine import BotEngine
from kefu.bot.schemas import (
    BotAnalyticsOut,
    BotSettingsOut,
    BotSettingsUpdate,
    ConversationBotOut,
    UnansweredOut,
)
from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.http.params import IdPath
from kefu.shared.clock import as_utc, utcnow

router = APIRouter(tags=["bot"])
DEFAULT_PERIOD = timedelta(days=7)


def _engine(request: Request) -> BotEngine:
    engine: BotEngine = request.app.state.bot_engine
    return engine


EngineDep = Annotated[BotEngine, Depends(_engine)]


@router.get("/api/v1/bot/settings", response_model=BotSettingsOut)
async def read_bot_settings(
    principal: CurrentPrincipal, session: SessionDep, engine: EngineDep
) -> BotSettingsOut:
    return await admin.read_settings(session, actor=principal, engine=engine)


@router.patch("/api/v1/bot/settings", response_model=BotSettingsOut)
async def update_bot_settings(
    body: BotSettingsUpdate, principal: CurrentPrincipal, session: SessionDep, engine: EngineDep
) -> BotSettingsOut:
    return await admin.update_settings(
        session, actor=principal, data=body, now=utcnow(), engine=engine
    )


@router.get("/api/v1/bot/analytics", response_model=BotAnalyticsOut)
async def bot_analytics(
    principal: CurrentPrincipal,
    session: SessionDep,
    since: Annotated[datetime | None, Query(description="default: a week before until")] = None,
    until: Annotated[datetime | None, Query(description="default: now")] = None,
) -> BotAnalyticsOut:
    end = as_utc(until) if until is not None else utcnow()
    start = as_utc(since) if since is not None else end - DEFAULT_PERIOD
    return await analytics.analytics(session, actor=principal, since=start, until=end)


@router.get("/api/v1/bot/unanswered", response_model=list[UnansweredOut])
async def unanswered_questions(
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[UnansweredOut]:
    return await analytics.unanswered(session, actor=principal, limit=limit)


@router.get("/api/v1/conversations/{conversation_id}/bot", response_model=ConversationBotOut)
async def conversation_bot(
    conversation_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> ConversationBotOut:
    found = await queries.conversation_bot(
        session, actor=principal, conversation_id=conversation_id
    )
    return found or ConversationBotOut(
        handed_over=False, handoff_reason=None, handed_over_at=None, last_intent=None, turns=[]
    )
