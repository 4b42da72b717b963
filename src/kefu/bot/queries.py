"""Reading the bot's records: messages still waiting for the bot, and a conversation's turns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.principal import Principal
from kefu.bot.schemas import BotTurnOut, ConversationBotOut
from kefu.bot.service import BOT_CHANNELS
from kefu.bot.tables import BotSession, BotSettings, BotTurn
from kefu.conversations.models import Conversation, Message
from kefu.conversations.queries import require_conversation
from kefu.conversations.status import SenderType


async def unanswered_messages(
    session: AsyncSession, *, since: datetime, limit: int
) -> Sequence[tuple[int, int]]:
    """(message id, shop id) of customer chat messages since ``since``, in shops whose bot is
    on, that have no turn and whose conversation the bot has not handed over: what a worker
    missed while it was not listening. Oldest first."""
    rows = await session.execute(
        select(Message.id, Message.shop_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(BotSettings, BotSettings.shop_id == Message.shop_id)
        .outerjoin(BotTurn, BotTurn.message_id == Message.id)
        .outerjoin(BotSession, BotSession.conversation_id == Conversation.id)
        .where(
            BotSettings.enabled.is_(True),
            Message.created_at >= since,
            Message.sender_type == SenderType.CUSTOMER.value,
            Message.is_internal.is_(False),
            Message.body != "",
            Conversation.channel.in_(sorted(BOT_CHANNELS)),
            BotTurn.id.is_(None),
            BotSession.handed_over_at.is_(None),
        )
        .order_by(Message.id)
        .limit(limit)
    )
    return [(message_id, shop_id) for message_id, shop_id in rows.tuples()]


async def conversation_bot(
    session: AsyncSession, *, actor: Principal, conversation_id: int
) -> ConversationBotOut | None:
    """The bot's state and turns in a conversation the actor may read; None if the bot never
    took part."""
    conversation = await require_conversation(session, actor=actor, conversation_id=conversation_id)
    state = await session.get(BotSession, conversation.id)
    if state is None or state.shop_id != actor.shop_id:
        return None
    turns = await session.scalars(
        select(BotTurn)
        .where(BotTurn.shop_id == actor.shop_id, BotTurn.conversation_id == conversation.id)
        .order_by(BotTurn.id)
    )
    return ConversationBotOut(
        handed_over=state.handed_over_at is not None,
        handoff_reason=state.handoff_reason,
        handed_over_at=state.handed_over_at,
        last_intent=state.last_intent,
        turns=[BotTurnOut.model_validate(t) for t in turns],
    )


async def bot_takes(session: AsyncSession, conversation_id: int) -> bool:
    """Whether the bot will answer this conversation's customer (so routing waits for its
    hand-over): a chat channel, the shop's bot on, and no hand-over yet."""
    row = (
        await session.execute(
            select(Conversation.channel, BotSettings.enabled, BotSession.handed_over_at)
            .join(BotSettings, BotSettings.shop_id == Conversation.shop_id)
            .outerjoin(BotSession, BotSession.conversation_id == Conversation.id)
            .where(Conversation.id == conversation_id)
        )
    ).first()
    return (
        row is not None
        and row.enabled
        and row.channel in BOT_CHANNELS
        and row.handed_over_at is None
    )
