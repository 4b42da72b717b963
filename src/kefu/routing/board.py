"""The supervisors' live board: queue lengths and waits, agents and their load, who waits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import User
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.conversations.models import Conversation
from kefu.conversations.status import Status
from kefu.customers.models import Customer
from kefu.routing import assign, queues, service, wait
from kefu.routing.board_schemas import Board, BoardAgent, BoardAtRisk, BoardQueue, BoardWaiting
from kefu.routing.models import AgentSkill, AgentState, RoutingQueue
from kefu.sla import service as sla_service

WAITING_SHOWN = 100


async def _agents(session: AsyncSession, *, shop_id: int, now: datetime) -> list[BoardAgent]:
    settings = await service.routing_settings(session, shop_id=shop_id)
    rows = (
        await session.execute(
            select(AgentState, User.name, User.tier)
            .join(User, User.id == AgentState.user_id)
            .where(AgentState.shop_id == shop_id, User.is_active.is_(True))
            .order_by(User.name)
        )
    ).all()
    ids = [state.user_id for state, _, _ in rows]
    available = {
        a.user_id for a in await service.available_agents(session, shop_id=shop_id, now=now)
    }
    loads = await service.load_units(
        session, shop_id=shop_id, user_ids=ids, email_weight=settings.email_weight
    )
    counts = dict(
        (
            await session.execute(
                select(Conversation.assignee_id, func.count())
                .where(
                    Conversation.shop_id == shop_id,
                    Conversation.assignee_id.in_(ids),
                    Conversation.status == Status.OPEN.value,
                )
                .group_by(Conversation.assignee_id)
            )
        )
        .tuples()
        .all()
    )
    skills: dict[int, list[int]] = {}
    for user_id, queue_id in await session.execute(
        select(AgentSkill.user_id, AgentSkill.queue_id).where(AgentSkill.shop_id == shop_id)
    ):
        skills.setdefault(user_id, []).append(queue_id)
    return [
        BoardAgent(
            user_id=state.user_id,
            name=name,
            tier=tier,
            presence=state.presence,
            available=state.user_id in available,
            open_conversations=counts.get(state.user_id, 0),
            load_chats=loads.get(state.user_id, 0) / assign.CHAT_UNITS,
            max_chats=state.max_chats,
            peak_squad=state.peak_squad,
            skills=sorted(skills.get(state.user_id, [])),
        )
        for state, name, tier in rows
    ]


async def board(session: AsyncSession, *, actor: Principal, now: datetime) -> Board:
    """Everything a supervisor watches, for ``actor``'s shop (supervisors and above)."""
    actor.require(Permission.CONVERSATIONS_ASSIGN_ANY)
    shop_id = actor.shop_id
    states = await queues.queue_states(session, shop_id=shop_id, now=now)
    agents = await service.available_agents(session, shop_id=shop_id, now=now)
    rows = {
        q.id: q
        for q in await session.scalars(
            select(RoutingQueue)
            .where(RoutingQueue.shop_id == shop_id)
            .order_by(RoutingQueue.position, RoutingQueue.id)
        )
    }
    board_queues = []
    for queue_id in [*rows, *(q for q in states if q not in rows)]:
        state = states.get(queue_id)
        row = rows.get(queue_id) if queue_id is not None else None
        waiting = state.waiting if state else []
        board_queues.append(
            BoardQueue(
                id=queue_id,
                name=row.name if row else "—",
                skill=row.skill if row else "",
                waiting=len(waiting),
                longest_wait_s=max(
                    ((now - w.queued_at).total_seconds() for w in waiting), default=0
                ),
                expected_wait_s=state.expected_wait() if state else 0.0,
                peak_active=row.peak_active if row else False,
                peak_threshold_s=row.peak_threshold_seconds if row else None,
                serving_agents=sum(1 for a in agents if a.generalist or queue_id in a.skills),
                free_seats=state.load.free_seats if state else 0,
                served_per_minute=round(state.load.served_per_minute, 2) if state else 0.0,
            )
        )
    return Board(
        generated_at=now,
        queues=board_queues,
        agents=await _agents(session, shop_id=shop_id, now=now),
        waiting=await _waiting(session, states=states, now=now),
        at_risk=[
            BoardAtRisk(
                conversation_id=clock.conversation_id,
                metric=clock.metric,
                due_at=clock.due_at,
                remaining_seconds=clock.remaining_seconds,
                warned=clock.warned_at is not None,
            )
            for clock in await sla_service.at_risk(session, actor=actor, now=now)
        ],
    )


async def _waiting(
    session: AsyncSession, *, states: dict[int | None, queues.QueueState], now: datetime
) -> list[BoardWaiting]:
    entries = [
        (index, state, item)
        for state in states.values()
        for index, item in enumerate(state.waiting, start=1)
    ]
    entries.sort(key=lambda e: assign.priority_key(e[2]))
    entries = entries[:WAITING_SHOWN]
    ids = [item.conversation_id for _, _, item in entries]
    info = {
        row.id: row
        for row in await session.execute(
            select(Conversation.id, Conversation.min_tier, Customer.name)
            .join(Customer, Customer.id == Conversation.customer_id)
            .where(Conversation.id.in_(ids))
        )
    }
    return [
        BoardWaiting(
            conversation_id=item.conversation_id,
            customer_name=info[item.conversation_id].name if item.conversation_id in info else "",
            vip_level=item.customer_level,
            angry=item.angry,
            queue_id=state.queue_id,
            position=index,
            waited_s=(now - item.queued_at).total_seconds(),
            expected_wait_s=wait.expected_wait_seconds(index, state.load),
            min_tier=info[item.conversation_id].min_tier if item.conversation_id in info else None,
            sla_due_at=item.sla_due_at,
        )
        for index, state, item in entries
    ]
