"""How conversations enter the human queue: the shop's rules choose the queue, a customer's
message queues a conversation the bot does not take, and the sweep finds forgotten ones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.conversations.models import Conversation, Message
from kefu.conversations.service import conversation_event
from kefu.conversations.status import SenderType, Status
from kefu.customers.models import Customer
from kefu.routing.models import RoutingQueue, RoutingRule
from kefu.routing.rules import Rule, Subject, choose_queue
from kefu.routing.service import Routed, route_conversation
from kefu.shared.events import emit_on_commit

COMPLAINT_SKILL = "complaints"


async def _rules(
    session: AsyncSession, *, shop_id: int
) -> tuple[list[Rule], int | None, dict[int, str]]:
    """The shop's enabled rules in order, its default queue, and every queue's skill: two
    queries, since routing a new conversation is on the chat's busy path."""
    rows = await session.execute(
        select(
            RoutingRule.queue_id,
            RoutingRule.intents,
            RoutingRule.channels,
            RoutingRule.keywords,
            RoutingRule.min_customer_level,
        )
        .where(RoutingRule.shop_id == shop_id, RoutingRule.enabled.is_(True))
        .order_by(RoutingRule.position, RoutingRule.id)
    )
    rules = [
        Rule(
            queue_id=row.queue_id,
            intents=frozenset(row.intents),
            channels=frozenset(row.channels),
            keywords=tuple(row.keywords),
            min_customer_level=row.min_customer_level,
        )
        for row in rows
    ]
    queues = (
        await session.execute(
            select(RoutingQueue.id, RoutingQueue.skill)
            .where(RoutingQueue.shop_id == shop_id)
            .order_by(RoutingQueue.is_default.desc(), RoutingQueue.position, RoutingQueue.id)
        )
    ).all()
    skills = {queue_id: skill for queue_id, skill in queues}
    return rules, queues[0].id if queues else None, skills


async def _subject_text(session: AsyncSession, conversation: Conversation) -> str:
    bodies = await session.scalars(
        select(Message.body)
        .where(
            Message.conversation_id == conversation.id,
            Message.sender_type == SenderType.CUSTOMER.value,
        )
        .order_by(Message.id.desc())
        .limit(5)
    )
    return "\n".join([conversation.subject, *bodies])


async def enqueue(
    session: AsyncSession,
    *,
    conversation: Conversation,
    now: datetime,
    queue_id: int | None = None,
    restart: bool = False,
) -> None:
    """Put ``conversation`` in the human queue, in the caller's transaction: in ``queue_id``,
    else the one it was in, else the queue the shop's rules choose. It waits from ``now``
    unless it was already waiting (``restart``: from ``now`` anyway, as after a transfer)."""
    skills: dict[int, str] | None = None
    if queue_id is None and conversation.queue_id is None:
        rules, default, skills = await _rules(session, shop_id=conversation.shop_id)
        level = 0
        if any(rule.min_customer_level for rule in rules):
            level = (
                await session.scalar(
                    select(Customer.vip_level).where(Customer.id == conversation.customer_id)
                )
                or 0
            )
        subject = Subject(
            channel=conversation.channel,
            intent=conversation.intent,
            customer_level=level,
            text=await _subject_text(session, conversation)
            if any(r.keywords for r in rules)
            else "",
        )
        queue_id = choose_queue(rules, subject, default)
    if queue_id is not None:
        conversation.queue_id = queue_id
    if restart or conversation.queued_at is None:
        conversation.queued_at = now
    if conversation.queue_id is not None and conversation.complaint_since is None:
        skill = (
            skills.get(conversation.queue_id)
            if skills is not None
            else await session.scalar(
                select(RoutingQueue.skill).where(RoutingQueue.id == conversation.queue_id)
            )
        )
        if skill == COMPLAINT_SKILL:
            conversation.complaint_since = now


BotTakes = Callable[[AsyncSession, int], Awaitable[bool]]
# A conversation the bot should have answered by now but has not is given to people anyway.
BOT_GRACE = timedelta(seconds=60)


async def take_in(
    session: AsyncSession,
    *,
    shop_id: int,
    conversation_id: int,
    now: datetime,
    bot_takes: BotTakes | None = None,
) -> Routed | None:
    """A customer wrote: if the conversation is open, nobody holds it and it is not queued
    yet, queue it for people (unless ``bot_takes`` says the bot will answer) and route it.
    Returns where it is (an agent already holding it counts), or None when it is not for
    routing (not open, another shop's, or the bot's)."""
    conversation = await session.get(Conversation, conversation_id)
    if (
        conversation is None
        or conversation.shop_id != shop_id
        or conversation.status != Status.OPEN.value
    ):
        await session.rollback()
        return None
    if conversation.assignee_id is not None:
        held = Routed(conversation.id, conversation.queue_id, conversation.assignee_id)
        await session.rollback()
        return held
    if conversation.queued_at is None:
        if bot_takes is not None and await bot_takes(session, conversation_id):
            await session.rollback()
            return None
        await enqueue(session, conversation=conversation, now=now)
        emit_on_commit(session, conversation_event(conversation, "queued"))
        await session.commit()
    return await route_conversation(
        session, shop_id=shop_id, conversation_id=conversation_id, now=now
    )


async def forgotten(
    session: AsyncSession, *, now: datetime, limit: int = 200
) -> list[Row[tuple[int, int]]]:
    """Open conversations nobody holds, not queued, whose last message is older than
    ``BOT_GRACE``: the bot did not take them (off, failed, or crashed). (id, shop id) rows."""
    rows = await session.execute(
        select(Conversation.id, Conversation.shop_id)
        .where(
            Conversation.status == Status.OPEN.value,
            Conversation.assignee_id.is_(None),
            Conversation.queued_at.is_(None),
            Conversation.last_message_at < now - BOT_GRACE,
        )
        .order_by(Conversation.last_message_at)
        .limit(limit)
    )
    return list(rows.all())


async def shops_waiting(session: AsyncSession) -> list[int]:
    """Shops with conversations waiting for people."""
    rows = await session.scalars(
        select(Conversation.shop_id)
        .where(
            Conversation.status == Status.OPEN.value,
            Conversation.assignee_id.is_(None),
            Conversation.queued_at.is_not(None),
        )
        .distinct()
    )
    return list(rows)
