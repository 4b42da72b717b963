"""Waiting web-chat customers hear their place in the queue and the predicted wait."""

from __future__ import annotations

import asyncio

from kefu.channels.queue_watch import NOT_WAITING, Place, QueueWatch
from kefu.routing import service
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory
from tests.routing.support import make_agent, make_queue, queued


async def test_waiting_customers_hear_their_place_and_then_that_an_agent_took_them(
    db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "订单", "orders")
    first = await queued(factory, shop, queue)
    second = await queued(factory, shop, queue)
    watch = QueueWatch(db, interval=3600)
    async with (
        watch.watch(shop.id, first.customer_id) as first_places,
        watch.watch(shop.id, second.customer_id) as second_places,
    ):
        await watch.check(shop.id)
        told_first = await asyncio.wait_for(anext(first_places), 5)
        told_second = await asyncio.wait_for(anext(second_places), 5)
        # Nobody can serve the queue yet: no prediction, only the place.
        assert told_first == Place(1, None)
        assert told_second == Place(2, None)
        await make_agent(factory, shop, skills={queue.id: 3}, chats=1)
        async with db.session() as session:
            await service.route_conversation(
                session, shop_id=shop.id, conversation_id=first.id, now=utcnow()
            )
        await watch.check(shop.id)
        assert await asyncio.wait_for(anext(first_places), 5) == NOT_WAITING
        moved = await asyncio.wait_for(anext(second_places), 5)
        # Now first in line, with an agent who will free up: a wait in whole minutes.
        assert moved.position == 1 and moved.wait_minutes is not None
        assert moved.wait_minutes >= 1
        assert moved.frame() == {"type": "queue", "position": 1, "wait_minutes": moved.wait_minutes}
    await watch.stop()
