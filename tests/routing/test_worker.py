"""The router in the background: events route conversations, the sweep catches the rest, and
SLA clocks follow the conversations they time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import select

from kefu.accounts.service import principal_for_user
from kefu.conversations.models import Conversation
from kefu.conversations.schemas import ConversationCreate
from kefu.conversations.service import start_conversation
from kefu.conversations.status import Channel
from kefu.routing.admin import update_agent_profile
from kefu.routing.models import AgentState
from kefu.routing.schemas import AgentProfileUpdate
from kefu.routing.worker import RoutingWorker
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.events import EventBus
from kefu.sla.admin import add_default_policies
from kefu.sla.models import SlaClock
from tests.factories import Factory
from tests.routing.support import make_agent, make_queue, queued


async def _eventually(check: Callable[[], Awaitable[bool]], seconds: float = 8.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the router did not get there in time")


async def test_an_email_is_queued_routed_and_timed_as_it_arrives(
    db: Database, factory: Factory, bus: EventBus
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "综合", "general", default=True)
    agent = await make_agent(factory, shop, skills={queue.id: 3})
    async with db.session() as session:
        await add_default_policies(session, shop_id=shop.id, now=utcnow())
        await session.commit()
    customer = await factory.customer(shop)
    worker = RoutingWorker(db, bus.hub, sweep_seconds=3600)
    await worker.start()
    try:
        async with db.session() as session:
            conversation, _ = await start_conversation(
                session,
                shop_id=shop.id,
                data=ConversationCreate(
                    customer_id=customer.id, channel=Channel.EMAIL, body="发票开错了，请帮我改"
                ),
                now=utcnow(),
            )

        async def assigned_and_timed() -> bool:
            async with db.session() as session:
                row = await session.get(Conversation, conversation.id, populate_existing=True)
                clocks = (
                    await session.scalars(
                        select(SlaClock.metric).where(SlaClock.conversation_id == conversation.id)
                    )
                ).all()
            assert row is not None
            return row.assignee_id == agent.id and "first_response" in clocks

        await _eventually(assigned_and_timed)
        async with db.session() as session:
            row = await session.get(Conversation, conversation.id)
            assert row is not None
            assert row.queue_id == queue.id and row.sla_due_at is not None
    finally:
        await worker.stop()


async def test_the_sweep_queues_what_the_bot_never_answered(
    db: Database, factory: Factory, bus: EventBus
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "综合", "general", default=True)
    agent = await make_agent(factory, shop, skills={queue.id: 3})
    stale = await factory.conversation(shop, at=utcnow() - timedelta(minutes=5))
    worker = RoutingWorker(db, bus.hub, sweep_seconds=3600)
    await worker.start()  # starting runs one sweep (the catch-up)
    try:

        async def assigned() -> bool:
            async with db.session() as session:
                row = await session.get(Conversation, stale.id, populate_existing=True)
            return row is not None and row.assignee_id == agent.id

        await _eventually(assigned)
    finally:
        await worker.stop()


async def test_silent_agents_go_offline_and_get_nothing(
    db: Database, factory: Factory, bus: EventBus
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "综合", "general", default=True)
    silent = await make_agent(
        factory, shop, skills={queue.id: 3}, now=utcnow() - timedelta(minutes=5)
    )
    stale = await factory.conversation(shop, at=utcnow() - timedelta(minutes=5))
    worker = RoutingWorker(db, bus.hub, sweep_seconds=3600)
    await worker.start()
    await worker.stop()
    async with db.session() as session:
        row = await session.get(Conversation, stale.id)
        assert row is not None and row.queued_at is not None and row.assignee_id is None
        state = await session.get(AgentState, silent.id)
        assert state is not None and state.presence == "offline" and state.presence_auto


async def test_raising_an_agents_capacity_gives_out_waiting_conversations_at_once(
    db: Database, factory: Factory, bus: EventBus
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "综合", "general", default=True)
    agent = await make_agent(factory, shop, skills={queue.id: 3}, chats=0)
    waiting = await queued(factory, shop, queue)
    admin = principal_for_user(await factory.user(shop, role="admin"))
    worker = RoutingWorker(db, bus.hub, sweep_seconds=3600)
    await worker.start()
    try:
        async with db.session() as session:
            before = await session.get(Conversation, waiting.id)
            assert before is not None and before.assignee_id is None
            await update_agent_profile(
                session,
                actor=admin,
                user_id=agent.id,
                data=AgentProfileUpdate(max_chats=2),
                now=utcnow(),
            )

        async def assigned() -> bool:
            async with db.session() as session:
                row = await session.get(Conversation, waiting.id, populate_existing=True)
            return row is not None and row.assignee_id == agent.id

        await _eventually(assigned)  # long before the hour-long sweep
    finally:
        await worker.stop()
