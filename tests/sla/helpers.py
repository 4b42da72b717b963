"""A shop with an SLA policy, and conversation facts to reconcile, for the SLA service tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from kefu.accounts.models import Shop
from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.shared.db import Database
from kefu.shared.events import Event, Subscription
from kefu.sla import admin, service
from kefu.sla.facts import ConversationFacts
from kefu.sla.models import SlaClock
from kefu.sla.schemas import PolicyIn
from tests.factories import Factory

MINUTE = 60


@dataclass
class SlaShop:
    db: Database
    factory: Factory
    shop: Shop
    admin: Principal
    supervisor: Principal
    policy_id: int

    @classmethod
    async def create(
        cls, factory: Factory, db: Database, now: datetime, **policy: object
    ) -> SlaShop:
        """A shop whose one policy (24x7 unless told) covers every conversation: first response
        10 min, next response 15 min, resolution 1 h, feedback 24 h."""
        shop = await factory.shop()
        owner = await factory.user(shop, role="admin")
        lead = await factory.user(shop, role="supervisor")
        actor = Principal(shop_id=shop.id, role=Role.ADMIN, user_id=owner.id)
        values: dict[str, object] = {
            "name": "全部会话",
            "business_hours": False,
            "first_response_seconds": 10 * MINUTE,
            "next_response_seconds": 15 * MINUTE,
            "resolution_seconds": 60 * MINUTE,
        }
        values.update(policy)
        async with db.session() as session:
            row = await admin.create_policy(
                session, actor=actor, data=PolicyIn.model_validate(values), now=now
            )
        supervisor = Principal(shop_id=shop.id, role=Role.SUPERVISOR, user_id=lead.id)
        return cls(db, factory, shop, actor, supervisor, row.id)

    async def facts(self, queued_at: datetime, **changes: object) -> ConversationFacts:
        """Facts of a new open conversation of this shop, waiting since ``queued_at``."""
        conversation = await self.factory.conversation(self.shop)
        base = ConversationFacts(
            conversation_id=conversation.id,
            shop_id=self.shop.id,
            channel="web",
            priority="normal",
            customer_level=0,
            status="open",
            status_changed_at=None,
            queued_at=queued_at,
            first_response_at=None,
            awaiting_reply_since=queued_at,
            last_agent_reply_at=None,
            resolved_at=None,
            complaint_since=None,
        )
        return replace(base, **changes)  # type: ignore[arg-type]

    async def reconcile(
        self, facts: list[ConversationFacts], now: datetime
    ) -> dict[int, datetime | None]:
        async with self.db.session() as session:
            due = await service.reconcile(session, facts=facts, now=now)
            await session.commit()
            return due

    async def clocks(self, conversation_id: int) -> dict[tuple[str, int], SlaClock]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(SlaClock).where(SlaClock.conversation_id == conversation_id)
            )
            return {(row.metric, row.cycle): row for row in rows}


async def events(sub: Subscription, count: int) -> list[Event]:
    """The next ``count`` events, then nothing more for a moment."""
    found = [await asyncio.wait_for(sub.get(), timeout=3) for _ in range(count)]
    await asyncio.sleep(0.2)
    assert sub.queue.empty(), [e.type for e in found] + [sub.queue.get_nowait().type]
    return found
