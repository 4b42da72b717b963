"""The event bus: events reach subscribers only after commit, in-process and through Redis."""

from __future__ import annotations

import asyncio
import os

import pytest
from redis.asyncio import Redis

from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.conversations import service
from kefu.conversations.schemas import MessageIn
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.events import Event, MemoryEventBus, RedisEventBus, emit_on_commit
from tests.factories import Factory


async def test_committed_message_is_published_and_rolled_back_event_is_not(
    database_url: str,
) -> None:
    bus = MemoryEventBus()
    db = Database(database_url, bus=bus)
    try:
        factory = Factory(db)
        shop = await factory.shop()
        agent = await factory.user(shop)
        conversation = await factory.conversation(shop)
        actor = Principal(shop_id=shop.id, role=Role.AGENT, user_id=agent.id)
        with bus.hub.subscribe(f"conversation:{conversation.id}") as sub:
            async with db.session() as session:
                emit_on_commit(session, Event(type="never", shop_id=shop.id))
                await session.rollback()
            async with db.session() as session:
                message, _ = await service.post_message(
                    session,
                    actor=actor,
                    conversation_id=conversation.id,
                    data=MessageIn(body="您的包裹已发出"),
                    now=utcnow(),
                )
            event = await asyncio.wait_for(sub.get(), timeout=2)
        assert event.type == "message.created"
        assert event.data["id"] == message.id
        assert event.data["body"] == "您的包裹已发出"
        assert sub.queue.empty()
    finally:
        await db.dispose()


def test_slow_subscriber_is_cut_off_instead_of_blocking() -> None:
    bus = MemoryEventBus()
    with bus.hub.subscribe("shop:1") as sub:
        for i in range(1001):
            bus.hub.deliver(Event(type="x", shop_id=1, data={"i": i}))
        assert sub.overflowed
    assert bus.hub.subscriber_count() == 0


@pytest.mark.skipif(not os.environ.get("KEFU_TEST_REDIS_URL"), reason="needs KEFU_TEST_REDIS_URL")
async def test_redis_bus_delivers_between_two_buses() -> None:
    url = os.environ["KEFU_TEST_REDIS_URL"]
    publisher_redis, reader_redis = Redis.from_url(url), Redis.from_url(url)
    publisher, reader = RedisEventBus(publisher_redis), RedisEventBus(reader_redis)
    await reader.start()
    try:
        with reader.hub.subscribe("shop:77") as sub:
            await publisher.publish([Event(type="message.created", shop_id=77, data={"b": "你好"})])
            event = await asyncio.wait_for(sub.get(), timeout=5)
        assert event.data == {"b": "你好"}
    finally:
        await reader.stop()
        await publisher_redis.aclose()
        await reader_redis.aclose()
