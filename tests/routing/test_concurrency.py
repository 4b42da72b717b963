"""Two routers racing on one database never assign a conversation twice or overfill an agent.

On PostgreSQL (``make test`` runs the suite there too) the two ``Database`` objects are two
connection pools, as two worker processes would have, and the calls truly overlap (the test
fails if the router's row lock is removed); on SQLite the calls interleave on the one
connection of the embedded mode, and the test checks the same outcome.
"""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import func, select

from kefu.conversations.models import Conversation
from kefu.routing import service
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory
from tests.routing.support import make_agent, make_queue, queued

AGENTS, CHATS, CONVERSATIONS = 5, 2, 30


async def test_racing_routers_never_double_assign_or_overfill_an_agent(
    db: Database, factory: Factory, database_url: str
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "订单", "orders")
    agents = [
        await make_agent(factory, shop, skills={queue.id: 3}, chats=CHATS) for _ in range(AGENTS)
    ]
    conversations = [await queued(factory, shop, queue) for _ in range(CONVERSATIONS)]
    # Two pools on PostgreSQL, as two processes have. SQLite is the single-process mode with
    # one connection (docs/decisions/0005): there the racers share it, as they would.
    postgres = database_url.startswith("postgresql")
    workers = [Database(database_url), Database(database_url)] if postgres else [db, db]
    now = utcnow()

    async def route(worker: Database, conversation_id: int) -> int | None:
        async with worker.session() as session:
            routed = await service.route_conversation(
                session, shop_id=shop.id, conversation_id=conversation_id, now=now
            )
        return conversation_id if routed and routed.assignee_id else None

    async def dispatch(worker: Database) -> list[int]:
        async with worker.session() as session:
            done = await service.dispatch(session, shop_id=shop.id, now=now)
        return [r.conversation_id for r in done]

    # Every conversation is routed by both workers at once, with dispatches in between.
    calls = [route(w, c.id) for c in conversations for w in workers]
    calls += [dispatch(w) for w in workers for _ in range(3)]
    random.Random(5).shuffle(calls)
    try:
        results = await asyncio.gather(*calls)
    finally:
        if postgres:
            for worker in workers:
                await worker.dispose()

    claimed = [r for r in results if isinstance(r, int)]
    claimed += [c for r in results if isinstance(r, list) for c in r]
    async with db.session() as session:
        loads = dict(
            (
                await session.execute(
                    select(Conversation.assignee_id, func.count())
                    .where(Conversation.shop_id == shop.id, Conversation.status == "open")
                    .group_by(Conversation.assignee_id)
                )
            )
            .tuples()
            .all()
        )
    assert all(loads.get(agent.id, 0) == CHATS for agent in agents)
    assert loads[None] == CONVERSATIONS - AGENTS * CHATS
    # Each assignment is claimed by exactly one call: a conversation claimed twice (a double
    # assignment) would appear twice here.
    assert len(claimed) == len(set(claimed)) == AGENTS * CHATS
