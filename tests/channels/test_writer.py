"""Group commit: concurrent web-chat sends are each stored exactly once, in the right
conversation, with counters that match, whatever state the visitors' conversations are in."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select, update

from kefu.channels import webchat
from kefu.channels.visitor import VisitorClaim
from kefu.channels.writer import MessageWriter
from kefu.conversations.models import Conversation, Message
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.events import MemoryEventBus
from tests.factories import Factory


async def test_concurrent_sends_are_stored_once_each_and_counted(database_url: str) -> None:
    bus = MemoryEventBus()
    db = Database(database_url, bus=bus)
    writer = MessageWriter(db)
    try:
        shop = await Factory(db).shop()
        visitors = []
        async with db.session() as session:
            for _ in range(12):
                claim = VisitorClaim(shop_id=shop.id, visitor_id=uuid.uuid4().hex)
                visitors.append(await webchat.recognise_visitor(session, claim=claim, now=utcnow()))
        # Give some visitors an open, a resolved and a closed conversation before the burst.
        for visitor in visitors[:6]:
            await writer.send(visitor=visitor, body="开场", client_id="warm")
        async with db.session() as session:
            for visitor, status in zip(
                visitors[:4], ("resolved", "closed", "pending", "open"), strict=True
            ):
                await session.execute(
                    update(Conversation)
                    .where(Conversation.customer_id == visitor.customer_id)
                    .values(status=status)
                )
            await session.commit()
        with bus.hub.subscribe(f"shop:{shop.id}") as sub:
            sends = [
                writer.send(visitor=v, body=f"消息{i}", client_id=f"m{i}")
                for v in visitors
                for i in range(5)
            ]
            # A resend of an already stored message must not store a copy.
            sends.append(writer.send(visitor=visitors[0], body="开场", client_id="warm"))
            results = await asyncio.gather(*sends)
            events = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
        assert [created for _, created in results].count(False) == 1
        acked = {message.id for message, _ in results}
        async with db.session() as session:
            stored = (
                await session.execute(
                    select(Message.id, Message.conversation_id).where(Message.shop_id == shop.id)
                )
            ).all()
            conversations = (
                await session.scalars(select(Conversation).where(Conversation.shop_id == shop.id))
            ).all()
            for conversation in conversations:
                count = await session.scalar(
                    select(func.count())
                    .select_from(Message)
                    .where(Message.conversation_id == conversation.id)
                )
                assert conversation.message_count == count
        assert acked <= {row.id for row in stored}
        assert len(stored) == 6 + 12 * 5
        # The visitor whose conversation was closed got a new one; everyone else kept theirs.
        assert len(conversations) == 12 + 1
        reopened_elsewhere = [c for c in conversations if c.customer_id == visitors[1].customer_id]
        assert sorted(c.message_count for c in reopened_elsewhere) == [1, 5]
        # The writer remembered the warm-up conversations; the ones no longer open were noticed
        # and reopened by the general path, not written to as if nothing had happened.
        status_of = {c.customer_id: c.status for c in conversations if c.message_count > 1}
        assert status_of[visitors[0].customer_id] == "open"  # was resolved
        assert status_of[visitors[2].customer_id] == "open"  # was pending
        published = [e.data["id"] for e in events if e.type == "message.created"]
        assert sorted(published) == sorted(m.id for m, created in results if created)
    finally:
        await writer.stop()
        await db.dispose()
