"""A retried or concurrent send with one idempotency key stores exactly one message."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.conversations import service
from kefu.conversations.models import Message
from kefu.conversations.schemas import MessageIn
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory


async def test_concurrent_sends_with_one_key_store_one_message(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    conversation = await factory.conversation(shop)
    actor = Principal(shop_id=shop.id, role=Role.AGENT, user_id=agent.id)

    async def send() -> tuple[int, bool]:
        async with db.session() as session:
            message, created = await service.post_message(
                session,
                actor=actor,
                conversation_id=conversation.id,
                data=MessageIn(body="马上为您查询", idempotency_key="retry-1"),
                now=utcnow(),
            )
            return message.id, created

    results = await asyncio.gather(*(send() for _ in range(8)))
    assert len({message_id for message_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    async with db.session() as session:
        stored = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.idempotency_key == "retry-1", Message.shop_id == shop.id)
        )
    assert stored == 1


async def test_concurrent_replies_are_all_counted(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    conversation = await factory.conversation(shop, messages=("在吗",))
    actor = Principal(shop_id=shop.id, role=Role.AGENT, user_id=agent.id)

    async def send(i: int) -> None:
        async with db.session() as session:
            await service.post_message(
                session,
                actor=actor,
                conversation_id=conversation.id,
                data=MessageIn(body=f"回复 {i}"),
                now=utcnow(),
            )

    await asyncio.gather(*(send(i) for i in range(10)))
    async with db.session() as session:
        refreshed = await session.get(type(conversation), conversation.id)
        assert refreshed is not None
        stored = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == conversation.id)
        )
    assert refreshed.message_count == stored == 11
    assert refreshed.first_response_at is not None
