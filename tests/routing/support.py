"""Building routing set-ups for tests: queues, agents with skills and presence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from kefu.accounts.models import Shop, User
from kefu.conversations.models import Conversation, Subtask
from kefu.routing.models import AgentSkill, AgentState, RoutingQueue, RoutingRule
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory


async def make_queue(
    db: Database, shop: Shop, name: str, skill: str, *, default: bool = False, **kw: object
) -> RoutingQueue:
    now = utcnow()
    async with db.session() as session:
        queue = RoutingQueue(
            shop_id=shop.id,
            name=name,
            skill=skill,
            is_default=default,
            created_at=now,
            updated_at=now,
            **kw,
        )
        session.add(queue)
        await session.commit()
        return queue


async def make_rule(db: Database, shop: Shop, queue: RoutingQueue, **kw: object) -> RoutingRule:
    now = utcnow()
    async with db.session() as session:
        rule = RoutingRule(
            shop_id=shop.id,
            name=f"to {queue.name}",
            queue_id=queue.id,
            created_at=now,
            updated_at=now,
            **kw,
        )
        session.add(rule)
        await session.commit()
        return rule


async def make_agent(
    factory: Factory,
    shop: Shop,
    *,
    skills: dict[int, int],
    tier: str = "junior",
    chats: int = 3,
    online: bool = True,
    peak_squad: bool = False,
    now: datetime | None = None,
) -> User:
    now = now or utcnow()
    user = await factory.user(shop, tier=tier)
    async with factory.db.session() as session:
        session.add(
            AgentState(
                user_id=user.id,
                shop_id=shop.id,
                presence="online" if online else "offline",
                presence_auto=False,
                last_seen_at=now,
                max_chats=chats,
                peak_squad=peak_squad,
                updated_at=now,
            )
        )
        for queue_id, proficiency in skills.items():
            session.add(
                AgentSkill(
                    user_id=user.id, queue_id=queue_id, shop_id=shop.id, proficiency=proficiency
                )
            )
        await session.commit()
    return user


async def queued(
    factory: Factory,
    shop: Shop,
    queue: RoutingQueue | None,
    *,
    at: datetime | None = None,
    channel: str = "web",
    **kw: object,
) -> Conversation:
    """An open conversation waiting for people in ``queue`` since ``at``."""
    at = at or utcnow()
    conversation = await factory.conversation(shop, channel=channel, at=at)
    values = {"queue_id": queue.id if queue else None, "queued_at": at, **kw}
    async with factory.db.session() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == conversation.id).values(**values)
        )
        await session.commit()
    return conversation


async def assignee_of(db: Database, conversation_id: int) -> int | None:
    async with db.session() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation.assignee_id


async def make_subtask(
    db: Database,
    conversation: Conversation,
    *,
    department: str = "logistics",
    title: str = "查询包裹",
    due_at: datetime | None = None,
    status: str = "open",
    **kw: object,
) -> Subtask:
    """An open sub-task of ``conversation`` for ``department``."""
    now = utcnow()
    async with db.session() as session:
        task = Subtask(
            shop_id=conversation.shop_id,
            conversation_id=conversation.id,
            department=department,
            title=title,
            note="",
            due_at=due_at,
            status=status,
            result="",
            created_at=now,
            updated_at=now,
            **kw,
        )
        session.add(task)
        await session.commit()
        return task
