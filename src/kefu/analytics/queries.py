"""Reads what the KPI engine needs for one shop and period: conversations created in it with
their messages, SLA clocks and bot sessions, the customers' nearby contacts and complaints,
agents' presence and busy spans. The same statements on SQLite and PostgreSQL; grouping
happens in Python (``kpi``), which keeps the metric definitions in one place."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import User
from kefu.analytics.facts import (
    FCR_WINDOW,
    REPEAT_WINDOW,
    ConversationFact,
    History,
    RawConversation,
    RawMessage,
    derive,
)
from kefu.analytics.kpi import Facts, Span
from kefu.bot.tables import BotSession
from kefu.conversations.models import Conversation, Message
from kefu.routing.models import PresenceSpan
from kefu.sla.models import SlaClock

CHUNK = 500  # ids per IN (...) list


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


async def _raw_conversations(
    session: AsyncSession, shop_id: int, start: datetime, end: datetime
) -> list[RawConversation]:
    c = Conversation
    rows = await session.execute(
        select(
            c.id,
            c.created_at,
            c.channel,
            c.customer_id,
            c.assignee_id,
            c.team_id,
            c.queue_id,
            c.queued_at,
            c.assigned_at,
            c.first_response_at,
            c.resolved_at,
            c.reopen_count,
            c.complaint_since,
            BotSession.conversation_id.is_not(None),
            BotSession.handed_over_at.is_not(None),
        )
        .outerjoin(BotSession, BotSession.conversation_id == c.id)
        .where(c.shop_id == shop_id, c.created_at >= start, c.created_at < end)
        .order_by(c.id)
    )
    out = []
    for row in rows:
        bot, handed_over = bool(row[13]), bool(row[14])
        out.append(
            RawConversation(
                id=row[0],
                created_at=row[1],
                channel=row[2],
                customer_id=row[3],
                assignee_id=row[4],
                team_id=row[5],
                queue_id=row[6],
                queued_at=row[7],
                assigned_at=row[8],
                first_response_at=row[9],
                resolved_at=row[10],
                reopen_count=row[11] or 0,
                complaint_since=row[12],
                bot_handled=bot,
                bot_handed_over=bot and handed_over,
            )
        )
    return out


async def _messages(
    session: AsyncSession, shop_id: int, ids: Sequence[int]
) -> dict[int, list[RawMessage]]:
    out: dict[int, list[RawMessage]] = defaultdict(list)
    for chunk in _chunks(ids):
        rows = await session.execute(
            select(
                Message.conversation_id,
                Message.created_at,
                Message.sender_type,
                Message.sender_user_id,
            )
            .where(
                Message.shop_id == shop_id,
                Message.conversation_id.in_(chunk),
                Message.is_internal.is_(False),
            )
            .order_by(Message.conversation_id, Message.id)
        )
        for row in rows:
            out[row[0]].append(RawMessage(*row))
    return out


async def _sla(
    session: AsyncSession, shop_id: int, ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for chunk in _chunks(ids):
        rows = await session.execute(
            select(
                SlaClock.conversation_id,
                func.sum(case((SlaClock.status == "met", 1), else_=0)),
                func.sum(case((SlaClock.status == "breached", 1), else_=0)),
            )
            .where(SlaClock.shop_id == shop_id, SlaClock.conversation_id.in_(chunk))
            .group_by(SlaClock.conversation_id)
        )
        for conversation_id, met, breached in rows:
            out[conversation_id] = (int(met or 0), int(breached or 0))
    return out


async def _history(session: AsyncSession, shop_id: int, start: datetime, end: datetime) -> History:
    c = Conversation
    contacts: dict[int, list[datetime]] = defaultdict(list)
    complaints: dict[int, list[datetime]] = defaultdict(list)
    rows = await session.execute(
        select(c.customer_id, c.created_at, c.complaint_since).where(
            c.shop_id == shop_id,
            or_(
                and_(c.created_at >= start, c.created_at < end + FCR_WINDOW),
                and_(c.complaint_since >= start - REPEAT_WINDOW, c.complaint_since < end),
            ),
        )
    )
    for customer_id, created_at, complaint_since in rows:
        contacts[customer_id].append(created_at)
        if complaint_since is not None:
            complaints[customer_id].append(complaint_since)
    for values in (*contacts.values(), *complaints.values()):
        values.sort()
    return History(contacts=contacts, complaints=complaints)


async def _online(
    session: AsyncSession, shop_id: int, start: datetime, end: datetime, now: datetime
) -> list[Span]:
    rows = await session.execute(
        select(PresenceSpan.user_id, PresenceSpan.started_at, PresenceSpan.ended_at).where(
            PresenceSpan.shop_id == shop_id,
            PresenceSpan.presence == "online",
            PresenceSpan.started_at < end,
            or_(PresenceSpan.ended_at.is_(None), PresenceSpan.ended_at > start),
        )
    )
    return [Span(u, s, e or min(now, end)) for u, s, e in rows if (e or min(now, end)) > s]


async def _busy(
    session: AsyncSession, shop_id: int, start: datetime, end: datetime, now: datetime
) -> list[Span]:
    """Each assigned conversation from assignment to resolution (or now), per assignee."""
    c = Conversation
    assigned = func.coalesce(c.assigned_at, c.first_response_at)
    rows = await session.execute(
        select(c.assignee_id, assigned, c.resolved_at, c.closed_at).where(
            c.shop_id == shop_id,
            c.assignee_id.is_not(None),
            assigned.is_not(None),
            assigned < end,
            or_(c.resolved_at.is_(None), c.resolved_at > start),
        )
    )
    spans = []
    for user_id, began, resolved, closed in rows:
        finished = resolved or closed or min(now, end)
        if finished > began:
            spans.append(Span(user_id, began, finished))
    return spans


async def agent_teams(session: AsyncSession, shop_id: int) -> dict[int, int | None]:
    rows = await session.execute(select(User.id, User.team_id).where(User.shop_id == shop_id))
    return {user_id: team_id for user_id, team_id in rows}


async def load_facts(
    session: AsyncSession, *, shop_id: int, start: datetime, end: datetime, now: datetime
) -> Facts:
    """Everything ``kpi.compute`` needs for conversations created in [start, end)."""
    raws = await _raw_conversations(session, shop_id, start, end)
    ids = [r.id for r in raws]
    messages = await _messages(session, shop_id, ids)
    sla = await _sla(session, shop_id, ids)
    history = await _history(session, shop_id, start, end)
    conversations: list[ConversationFact] = [
        derive(r, messages.get(r.id, ()), history=history, sla=sla.get(r.id, (0, 0)), now=now)
        for r in raws
    ]
    return Facts(
        conversations=conversations,
        online=await _online(session, shop_id, start, end, now),
        busy=await _busy(session, shop_id, start, end, now),
        agent_teams=await agent_teams(session, shop_id),
    )
