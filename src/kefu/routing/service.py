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
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from kefu.accounts.models import User
from kefu.accounts.permissions import Role
from kefu.conversations.models import Conversation
from kefu.conversations.service import conversation_change_event
from kefu.conversations.status import Channel, Status
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


_SETTINGS_COLUMNS = (
    RoutingSettings.auto_assign,
    RoutingSettings.strategy,
    RoutingSettings.email_weight,
    RoutingSettings.away_after_seconds,
)


# Whether any queue of the conversation's shop has its peak squad on (folded into the first
# query of a routing decision, to spare a round trip when none has).
_PEAKING = aliased(RoutingQueue)
_ANY_PEAK = exists().where(_PEAKING.shop_id == Conversation.shop_id, _PEAKING.peak_active.is_(True))


def _settings_of(row: Any) -> Settings:
    """Settings from a row that outer-joined ``routing_settings`` (defaults when none)."""
    if row.strategy is None:
        return Settings()
    return Settings(
        auto_assign=row.auto_assign,
        strategy=Strategy(row.strategy),
        email_weight=row.email_weight,
        away_after_seconds=row.away_after_seconds,
    )


async def routing_settings(session: AsyncSession, *, shop_id: int) -> Settings:
    row = (
        await session.execute(select(*_SETTINGS_COLUMNS).where(RoutingSettings.shop_id == shop_id))
    ).first()
    return Settings() if row is None else _settings_of(row)


def _units(email_weight: float) -> ColumnElement[int]:
    """A conversation's load units, in SQL (``assign.weight``)."""
    return case(
        (Conversation.channel == Channel.EMAIL.value, assign.weight("email", email_weight)),
        else_=assign.CHAT_UNITS,
    )


def _open_load(shop_id: int, user_id: ColumnElement[int], email_weight: float) -> Select[Any]:
    """Load units of ``user_id``'s open conversations (index ``ix_conversations_shop_open``)."""
    return select(func.coalesce(func.sum(_units(email_weight)), 0)).where(
        Conversation.shop_id == shop_id,
        Conversation.status == Status.OPEN.value,
        Conversation.assignee_id == user_id,
    )


async def available_agents(
    session: AsyncSession,
    *,
    shop_id: int,
    now: datetime,
    settings: Settings | None = None,
    any_peak: bool = True,
) -> list[Agent]:
    """The shop's agents who may be given conversations now (online, heard from lately,
    active) with their load in units, and their skills (peak-squad members gain the queues
    whose peak is on). One query (two while a peak squad exists, one more without
    ``settings``), whatever the number of agents. ``any_peak=False`` (the caller knows no
    queue of the shop is peaking) saves the peak query."""
    settings = settings or await routing_settings(session, shop_id=shop_id)
    load = _open_load(
        shop_id, AgentState.__table__.c.user_id, settings.email_weight
    ).scalar_subquery()
    # One row per (agent, skill), or one with no skill: the load subquery runs per row, which
    # the (shop_id, status, assignee_id) index makes cheap, and saves a round trip.
    found = (
        await session.execute(
            select(AgentState.user_id, AgentState.max_chats, AgentState.last_assigned_at)
            .add_columns(AgentState.peak_squad, User.tier, User.role, load.label("load"))
            .add_columns(AgentSkill.queue_id, AgentSkill.proficiency)
            .join(User, User.id == AgentState.user_id)
            .outerjoin(AgentSkill, AgentSkill.user_id == AgentState.user_id)
            .where(
                AgentState.shop_id == shop_id,
                AgentState.presence == "online",
                AgentState.last_seen_at >= now - SEEN_WITHIN,
                User.is_active.is_(True),
            )
        )
    ).all()
    if not found:
        return []
    skills: dict[int, dict[int, int]] = defaultdict(dict)
    by_agent = {}
    for row in found:
        by_agent[row.user_id] = row
        if row.queue_id is not None:
            skills[row.user_id][row.queue_id] = row.proficiency
    rows = list(by_agent.values())
    if any_peak and any(row.peak_squad for row in rows):
        peaks = await session.scalars(
            select(RoutingQueue.id).where(
                RoutingQueue.shop_id == shop_id, RoutingQueue.peak_active.is_(True)
            )
        )
        for queue_id in peaks:
            for row in rows:
                if row.peak_squad:
                    skills[row.user_id].setdefault(queue_id, PEAK_PROFICIENCY)
    return [
        Agent(
            user_id=row.user_id,
            tier=assign.tier_rank(row.tier),
            capacity=row.max_chats * assign.CHAT_UNITS,
            load=int(row.load),
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
    rows = await session.execute(
        select(Conversation.assignee_id, func.sum(_units(email_weight)))
        .where(
            Conversation.shop_id == shop_id,
            Conversation.status == Status.OPEN.value,
            Conversation.assignee_id.in_(user_ids),
        )
        .group_by(Conversation.assignee_id)
    )
    return {user_id: int(units) for user_id, units in rows}


async def _claim(
    session: AsyncSession, *, shop_id: int, conversation_id: int, agent: Agent, units: int,
    email_weight: float, now: datetime,
) -> bool | None:  # fmt: skip
    """Assign ``conversation_id`` to ``agent`` if they still have room, in the caller's
    transaction: True done, False the agent filled up meanwhile, None the conversation was
    taken (or closed) meanwhile.

    The first statement locks the agent's row until the caller commits (an UPDATE, which also
    notes the assignment time); the recount is a separate statement so that, on PostgreSQL,
    it sees what a competing worker committed while this one waited for the lock."""
    capacity = await session.scalar(
        update(AgentState)
        .where(AgentState.user_id == agent.user_id)
        .values(last_assigned_at=now)
        .returning(AgentState.max_chats)
        .execution_options(synchronize_session=False)
    )
    if capacity is None:
        return False
    load = await session.scalar(_open_load(shop_id, literal(agent.user_id), email_weight))
    if int(load or 0) + units > capacity * assign.CHAT_UNITS:
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
                *_SETTINGS_COLUMNS,
                _ANY_PEAK.label("any_peak"),
            )
            .outerjoin(RoutingQueue, RoutingQueue.id == Conversation.queue_id)
            .outerjoin(RoutingSettings, RoutingSettings.shop_id == Conversation.shop_id)
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
    settings = _settings_of(row)
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
        agents = await available_agents(
            session, shop_id=shop_id, now=now, settings=settings, any_peak=bool(row.any_peak)
        )
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
    agents = await available_agents(session, shop_id=shop_id, now=now, settings=settings)
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
