"""How the bot does, for supervisors: containment, hand-over reasons, intents, actions, and the
questions it could not answer (grouped by wording, to grow the FAQ). Read-only.

Containment: of the conversations the bot took a turn in during the period, the share it never
handed over and no person answered — whether the customer then left or said thanks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.bot.handoff import HandoffReason
from kefu.bot.schemas import BotAnalyticsOut, Count, UnansweredOut
from kefu.bot.tables import BotAction, BotSession, BotTurn
from kefu.bot.text import normalize
from kefu.conversations.models import Message
from kefu.conversations.status import SenderType

TOP = 10
UNANSWERED_SCAN = 2000  # the latest unanswered turns grouped; older ones are history
_NOT_WORDS = re.compile(r"[\W_]+")
# Hand-overs that mean "the bot did not know", as opposed to "the customer wanted a person".
_UNKNOWING = (HandoffReason.LOW_CONFIDENCE.value, HandoffReason.OUT_OF_SCOPE.value)


def _in_period(actor: Principal, since: datetime, until: datetime) -> ColumnElement[bool]:
    return and_(
        BotTurn.shop_id == actor.shop_id, BotTurn.created_at >= since, BotTurn.created_at < until
    )


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def _counts(session: AsyncSession, query: Select[Any]) -> list[Count]:
    rows = (await session.execute(query)).tuples().all()
    ranked = sorted(((key or "", count) for key, count in rows), key=lambda r: (-r[1], r[0]))
    return [Count(key=key, count=count) for key, count in ranked[:TOP] if key]


async def analytics(
    session: AsyncSession, *, actor: Principal, since: datetime, until: datetime
) -> BotAnalyticsOut:
    """Figures for turns taken in [since, until)."""
    actor.require(Permission.BOT_ANALYTICS)
    period = _in_period(actor, since, until)
    turns, answered = (
        await session.execute(
            select(func.count(), _count_where(BotTurn.answered.is_(True))).where(period)
        )
    ).one()
    handled = select(BotTurn.conversation_id).where(period).distinct().subquery()
    person_answered = exists().where(
        Message.conversation_id == handled.c.conversation_id,
        Message.sender_type == SenderType.AGENT.value,
        Message.is_internal.is_(False),
    )
    conversations, contained = (
        await session.execute(
            select(
                func.count(),
                _count_where(and_(BotSession.handed_over_at.is_(None), ~person_answered)),
            )
            .select_from(handled)
            .join(BotSession, BotSession.conversation_id == handled.c.conversation_id)
        )
    ).one()
    handoffs = await _counts(
        session,
        select(BotSession.handoff_reason, func.count())
        .where(
            BotSession.conversation_id.in_(select(handled.c.conversation_id)),
            BotSession.handoff_reason.is_not(None),
        )
        .group_by(BotSession.handoff_reason),
    )
    intents = await _counts(
        session,
        select(BotTurn.intent, func.count())
        .where(period, BotTurn.intent.is_not(None))
        .group_by(BotTurn.intent),
    )
    actions = await _counts(
        session,
        select(BotAction.kind, func.count())
        .where(
            BotAction.shop_id == actor.shop_id,
            BotAction.created_at >= since,
            BotAction.created_at < until,
        )
        .group_by(BotAction.kind),
    )
    return BotAnalyticsOut(
        since=since,
        until=until,
        conversations=conversations,
        contained=int(contained),
        containment_rate=round(contained / conversations, 4) if conversations else 0.0,
        turns=turns,
        answered_turns=int(answered),
        handoffs=handoffs,
        top_intents=intents,
        actions=actions,
    )


def question_key(text: str) -> str:
    """Questions that differ only in case, width, spacing or punctuation share a key."""
    return _NOT_WORDS.sub("", normalize(text))


@dataclass(slots=True)
class _Group:
    text: str
    last: datetime
    count: int = 0
    conversations: list[int] = field(default_factory=list)


def group_questions(rows: Sequence[tuple[str, datetime, int]], limit: int) -> list[UnansweredOut]:
    """(question, asked at, conversation id) rows, newest first, grouped by `question_key`;
    groups newest first, each with its latest wording and up to five conversations."""
    groups: dict[str, _Group] = {}
    for text, asked_at, conversation_id in rows:
        key = question_key(text) or text
        group = groups.setdefault(key, _Group(text=text, last=asked_at))
        group.count += 1
        if conversation_id not in group.conversations and len(group.conversations) < 5:
            group.conversations.append(conversation_id)
    ordered = sorted(groups.values(), key=lambda g: g.last, reverse=True)
    return [
        UnansweredOut(
            text=g.text, count=g.count, last_asked_at=g.last, conversation_ids=g.conversations
        )
        for g in ordered[:limit]
    ]


async def unanswered(
    session: AsyncSession, *, actor: Principal, limit: int = 50
) -> list[UnansweredOut]:
    """Customer questions the bot understood nothing of (it said so, or handed over because it
    was unsure or lost), grouped by wording, most recently asked first."""
    actor.require(Permission.BOT_ANALYTICS)
    rows = await session.execute(
        select(BotTurn.question, BotTurn.created_at, BotTurn.conversation_id)
        .where(
            BotTurn.shop_id == actor.shop_id,
            BotTurn.intent.is_(None),
            or_(BotTurn.handoff_reason.is_(None), BotTurn.handoff_reason.in_(_UNKNOWING)),
        )
        .order_by(BotTurn.id.desc())
        .limit(UNANSWERED_SCAN)
    )
    return group_questions(list(rows.tuples()), limit)
