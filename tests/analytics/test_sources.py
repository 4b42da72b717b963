"""What analytics reads is recorded where it happens: presence spans for occupancy, and a
reopen counted each time a resolved or closed conversation opens again."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from kefu.conversations import service as conversations
from kefu.conversations.models import Conversation
from kefu.routing.models import PresenceSpan
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory, login


async def _spans(db: Database, user_id: int) -> list[tuple[str, bool]]:
    async with db.session() as session:
        rows = await session.scalars(
            select(PresenceSpan).where(PresenceSpan.user_id == user_id).order_by(PresenceSpan.id)
        )
        return [(row.presence, row.ended_at is None) for row in rows]


async def test_presence_changes_open_and_close_spans(
    client: httpx.AsyncClient, db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    await login(client, agent)
    for presence in ("online", "online", "away", "offline", "online"):
        response = await client.put("/api/v1/routing/presence", json={"presence": presence})
        assert response.status_code == 200, response.text
    assert await _spans(db, agent.id) == [("online", False), ("away", False), ("online", True)]


async def test_a_conversation_opened_again_counts_a_reopen(
    client: httpx.AsyncClient, db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    conversation = await factory.conversation(shop, assignee=agent, status="resolved")
    async with db.session() as session:
        row = await session.get(Conversation, conversation.id)
        assert row is not None
        await conversations.add_customer_message(
            session, conversation=row, body="还是没收到", idempotency_key=None, now=utcnow()
        )
        await session.commit()
    await login(client, agent)
    path = f"/api/v1/conversations/{conversation.id}/status"
    assert (await client.post(path, json={"status": "resolved"})).status_code == 200
    assert (await client.post(path, json={"status": "open"})).status_code == 200
    async with db.session() as session:
        row = await session.get(Conversation, conversation.id)
        assert row is not None and row.reopen_count == 2 and row.status == "open"
