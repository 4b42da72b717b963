"""Routing use cases: put a conversation in its queue, give it to the right agent, and give
waiting conversations to agents as they free up.

Safe under concurrency (several workers, PostgreSQL): before assigning, the router locks the
agent's ``routing_agents`` row (``SELECT ... FOR UPDATE``) and recounts their load, and the
assignment itself is ``UPDATE ... WHERE assignee_id IS NULL``; so two workers never assign
one conversation twice and never push an agent over capacity. Each assignment is its own
transaction, so locks are held for one agent at a time and cannot deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import User
from kefu.accounts.permissions import Role
from kefu.conversations.models import Conversation
from kefu.conversations.service import conversation_change_event
from kefu.conversations.status import Status
from kefu.customers.models import Customer
from kefu.routing import assign
from kefu.routing.assign import Agent, Need, Strategy, Waiting
from kefu.routing.models import AgentSkill, AgentState, RoutingQueue, RoutingSettings
from kefu.shared.events import emit_on_commit

# An agent whose workspace has not been heard from for this long is not given conversations.
SEEN_WITHIN = timedelta(seconds=90)
PEAK_PROFICIENCY = 1


@dataclass(frozen=True, slots=True)
class Settings:
    auto_assign: bool = True
    strategy: Strategy = Strategy.LEAST_LOADED
    email_weight: float = 0.5
    away_after_seconds: int = 600


@dataclass(frozen=True, slots=True)
class Routed:
    """What became of one conversation: its queue, and its agent if one took it."""

    conversation_id: int
    queue_id: int | None
    assignee_id: int | None


async def routing_settings(session: AsyncSession, *, shop_id: int) -> Settings:
    row = await session.get(RoutingSettings, shop_id)
    if row is None:
        return Settings()
    return Settings(
        auto_assign=row.auto_assign,
        strategy=Strategy(row.strategy),
        email_weight=row.email_weight,
        away_after_seconds=row.away_after_seconds,
    )


async def available_agents(session: AsyncSession, *, shop_id: int, now: datetime) -> list[Agent]:
    """The shop's agents who may be given conversations now (online, heard from lately,
    active), with their skills (peak-squad members gain the queues whose peak is on) and
    their load in units. Three queries, whatever the number of agents."""
    rows = (
        await session.execute(
            select(AgentState.user_id, AgentState.max_chats, AgentState.last_assigned_at)
            .add_columns(AgentState.peak_squad, User.tier, User.role)
            .join(User, User.id == AgentState.user_id)
            .where(
                AgentState.shop_id == shop_id,
                AgentState.presence == "online",
                AgentState.last_seen_at >= now - SEEN_WITHIN,
                User.is_active.is_(True),
            )
        )
    ).all()
    if not rows:
        return []
    ids = [row.user_id for row in rows]
    skills: dict[int, dict[int, int]] = defaultdict(dict)
    for user_id, queue_id, proficiency in await session.execute(
        select(AgentSkill.user_id, AgentSkill.queue_id, AgentSkill.proficiency).where(
            AgentSkill.shop_id == shop_id, AgentSkill.user_id.in_(ids)
        )
    ):
        skills[user_id][queue_id] = proficiency
    if any(row.peak_squad for row in rows):
        peaks = await session.scalars(
            select(RoutingQueue.id).where(
                RoutingQueue.shop_id == shop_id, RoutingQueue.peak_active.is_(True)
            )
        )
        for queue_id in peaks:
            for row in rows:
                if row.peak_squad:
                    skills[row.user_id].setdefault(queue_id, PEAK_PROFICIENCY)
    settings = await routing_settings(session, shop_id=shop_id)
    loads = await load_units(
        session, shop_id=shop_id, user_ids=ids, email_weight=settings.email_weight
    )
    return [
        Agent(
            user_id=row.user_id,
            tier=assign.tier_rank(row.tier),
            capacity=row.max_chats * assign.CHAT_UNITS,
            load=loads.get(row.user_id, 0),
            skills=skills.get(row.user_id, {}),
            last_assigned_at=row.last_assigned_at,
            # Supervisors take conversations only through skills or the peak squad.
            generalist=(
                row.user_id not in skills and not row.peak_squad and row.role == Role.AGENT.value
            ),
        )
        for row in rows
    ]


async def load_units(
    session: AsyncSession, *, shop_id: int, user_ids: list[int], email_weight: float
) -> dict[int, int]:
    """Load units of each agent: their open conversations, e-mail weighted lower."""
    loads: dict[int, int] = defaultdict(int)
    for user_id, channel, count in await session.execute(
        select(Conversation.assignee_id, Conversation.channel, func.count())
        .where(
            Conversation.shop_id == shop_id,
            Conversation.assignee_id.in_(user_ids),
            Conversation.status == Status.OPEN.value,
        )
        .group_by(Conversation.assignee_id, Conversation.channel)
    ):
        loads[user_id] += assign.weight(channel, email_weight) * count
    return loads


async def _claim(
    session: AsyncSession, *, shop_id: int, conversation_id: int, agent: Agent, units: int,
    email_weight: float, now: datetime,
) -> bool | None:  # fmt: skip
    """Assign ``conversation_id`` to ``agent`` if they still have room, in the caller's
    transaction: True done, False the agent filled up meanwhile, None the conversation was
    taken (or closed) meanwhile. Locks the agent's row until the caller commits."""
    capacity = await session.scalar(
        select(AgentState.max_chats).where(AgentState.user_id == agent.user_id).with_for_update()
    )
    if capacity is None:
        return False
    load = (
        await load_units(
            session, shop_id=shop_id, user_ids=[agent.user_id], email_weight=email_weight
        )
    ).get(agent.user_id, 0)
    if load + units > capacity * assign.CHAT_UNITS:
        return False
    row = (
        await session.execute(
            update(Conversation)
            .where(
                Conversation.id == conversation_id,
                Conversation.assignee_id.is_(None),
                Conversation.status == Status.OPEN.value,
            )
            .values(assignee_id=agent.user_id, assigned_at=now, updated_at=now)
            .returning(
                Conversation.customer_id,
                Conversation.status,
                Conversation.priority,
                Conversation.team_id,
            )
            .execution_options(synchronize_session=False)
        )
    ).first()
    if row is None:
        return None
    await session.execute(
        update(AgentState)
        .where(AgentState.user_id == agent.user_id)
        .values(last_assigned_at=now)
        .execution_options(synchronize_session=False)
    )
    emit_on_commit(
        session,
        conversation_change_event(
            shop_id=shop_id,
            conversation_id=conversation_id,
            customer_id=row.customer_id,
            change="assignment",
            status=row.status,
            priority=row.priority,
            assignee_id=agent.user_id,
            team_id=row.team_id,
        ),
    )
    return True


async def _give(
    session: AsyncSession,
    *,
    shop_id: int,
    waiting: Waiting,
    agents: list[Agent],
    settings: Settings,
    now: datetime,
) -> int | None:
    """Try the qualified agents in the router's order until one takes ``waiting``; commits
    on success. Returns the agent's id, or None (still waiting, or taken by someone else)."""
    for agent in assign.ranked(agents, waiting.need, settings.strategy):
        claimed = await _claim(
            session,
            shop_id=shop_id,
            conversation_id=waiting.conversation_id,
            agent=agent,
            units=waiting.need.units,
            email_weight=settings.email_weight,
            now=now,
        )
        if claimed:
            await session.commit()
            return agent.user_id
        await session.rollback()
        if claimed is None:
            return None
    return None


def _need(
    *, queue_id: int | None, channel: str, min_tier: str | None, base_tier: str | None,
    settings: Settings,
) -> Need:  # fmt: skip
    tier = max(assign.tier_rank(min_tier), assign.tier_rank(base_tier))
    return Need(
        queue_id=queue_id or assign.NO_QUEUE,
        min_tier=tier,
        units=assign.weight(channel, settings.email_weight),
    )


async def route_conversation(
    session: AsyncSession, *, shop_id: int, conversation_id: int, now: datetime
) -> Routed | None:
    """Give a conversation that waits for people to an agent, or leave it queued; commits.
    None when it does not wait for people (not open, already assigned, or not queued: the
    bot has it). Never drops it: a conversation nobody can take stays in its queue, and
    ``dispatch`` gives it out as agents free up."""
    row = (
        await session.execute(
            select(
                Conversation.id,
                Conversation.queue_id,
                Conversation.channel,
                Conversation.min_tier,
                Conversation.queued_at,
                Conversation.angry,
                Conversation.sla_due_at,
                RoutingQueue.base_tier,
            )
            .outerjoin(RoutingQueue, RoutingQueue.id == Conversation.queue_id)
            .where(
                Conversation.id == conversation_id,
                Conversation.shop_id == shop_id,
                Conversation.status == Status.OPEN.value,
                Conversation.assignee_id.is_(None),
                Conversation.queued_at.is_not(None),
            )
        )
    ).first()
    if row is None:
        await session.rollback()
        return None
    settings = await routing_settings(session, shop_id=shop_id)
    assignee = None
    if settings.auto_assign:
        waiting = Waiting(
            conversation_id=row.id,
            need=_need(
                queue_id=row.queue_id,
                channel=row.channel,
                min_tier=row.min_tier,
                base_tier=row.base_tier,
                settings=settings,
            ),
            queued_at=row.queued_at,
        )
        agents = await available_agents(session, shop_id=shop_id, now=now)
        assignee = await _give(
            session, shop_id=shop_id, waiting=waiting, agents=agents, settings=settings, now=now
        )
    if assignee is None:
        await session.rollback()
    return Routed(conversation_id=row.id, queue_id=row.queue_id, assignee_id=assignee)


async def waiting_list(
    session: AsyncSession, *, shop_id: int, settings: Settings, limit: int = 500
) -> list[Waiting]:
    """The shop's conversations waiting for people, in queue order (``assign.priority_key``),
    at most ``limit`` of the longest waiting."""
    rows = await session.execute(
        select(
            Conversation.id,
            Conversation.queue_id,
            Conversation.channel,
            Conversation.min_tier,
            Conversation.queued_at,
            Conversation.angry,
            Conversation.sla_due_at,
            Customer.vip_level,
            RoutingQueue.base_tier,
        )
        .join(Customer, Customer.id == Conversation.customer_id)
        .outerjoin(RoutingQueue, RoutingQueue.id == Conversation.queue_id)
        .where(
            Conversation.shop_id == shop_id,
            Conversation.status == Status.OPEN.value,
            Conversation.assignee_id.is_(None),
            Conversation.queued_at.is_not(None),
        )
        .order_by(Conversation.queued_at, Conversation.id)
        .limit(limit)
    )
    return assign.in_order(
        Waiting(
            conversation_id=row.id,
            need=_need(
                queue_id=row.queue_id,
                channel=row.channel,
                min_tier=row.min_tier,
                base_tier=row.base_tier,
                settings=settings,
            ),
            queued_at=row.queued_at,
            customer_level=row.vip_level,
            angry=row.angry,
            sla_due_at=row.sla_due_at,
        )
        for row in rows
    )


async def dispatch(
    session: AsyncSession, *, shop_id: int, now: datetime, limit: int = 500
) -> list[Routed]:
    """Give waiting conversations to agents with room, most urgent first (one transaction
    per assignment); returns the assignments made. Call when agents free up or come online,
    and periodically as the safety net that keeps queued conversations from being forgotten."""
    settings = await routing_settings(session, shop_id=shop_id)
    if not settings.auto_assign:
        await session.rollback()
        return []
    waiting = await waiting_list(session, shop_id=shop_id, settings=settings, limit=limit)
    if not waiting:
        await session.rollback()
        return []
    agents = await available_agents(session, shop_id=shop_id, now=now)
    await session.rollback()
    # The pure plan says which of them can be served; each is then claimed for real (the
    # claim recounts the agent's load under lock, since other workers assign too).
    planned = {c for c, _ in assign.plan(waiting, agents, settings.strategy, now).assignments}
    pool = {agent.user_id: agent for agent in agents}
    done = []
    for item in waiting:
        if item.conversation_id not in planned:
            continue
        assignee = await _give(
            session, shop_id=shop_id, waiting=item, agents=list(pool.values()),
            settings=settings, now=now,
        )  # fmt: skip
        if assignee is None:
            continue
        agent = pool[assignee]
        pool[assignee] = replace(agent, load=agent.load + item.need.units, last_assigned_at=now)
        done.append(Routed(item.conversation_id, item.need.queue_id or None, assignee))
    return done
