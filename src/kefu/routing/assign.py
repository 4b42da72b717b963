"""Who should take a conversation, and in which order waiting ones are served: pure, no I/O.

Capacity is counted in load units so that an e-mail can weigh less than a chat: a chat is
``CHAT_UNITS``, an e-mail ``email_weight * CHAT_UNITS``, and an agent with ``max_chats`` has
``max_chats * CHAT_UNITS``. The router never picks an agent the conversation would push over
capacity; among those with room it serves the lowest tier the conversation allows first and
falls back to higher tiers, so seniors and experts keep room for escalations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

CHAT_UNITS = 100
# The queue id of a conversation queued before its shop had queues: any agent may take it.
NO_QUEUE = 0
TIERS = ("junior", "senior", "expert")
_NEVER = datetime.min.replace(tzinfo=UTC)
_FAR = datetime.max.replace(tzinfo=UTC)


class Strategy(StrEnum):
    LEAST_LOADED = "least_loaded"
    LONGEST_IDLE = "longest_idle"


def tier_rank(tier: str | None) -> int:
    """junior 0, senior 1, expert 2; an agent with no tier counts as junior."""
    return TIERS.index(tier) if tier in TIERS else 0


def weight(channel: str, email_weight: float) -> int:
    """A conversation's load units: e-mail weighs ``email_weight`` of a chat, at least 1 unit."""
    if channel == "email":
        return max(1, round(email_weight * CHAT_UNITS))
    return CHAT_UNITS


@dataclass(frozen=True, slots=True)
class Agent:
    """An available agent as the router sees them. ``skills``: queue id -> proficiency (1-5)."""

    user_id: int
    tier: int
    capacity: int
    load: int
    skills: Mapping[int, int]
    last_assigned_at: datetime | None = None
    # An agent no admin gave any skill serves every queue (a small shop's set-up).
    generalist: bool = False

    def room(self) -> int:
        return self.capacity - self.load


@dataclass(frozen=True, slots=True)
class Need:
    """What a conversation asks of its agent."""

    queue_id: int
    min_tier: int = 0
    units: int = CHAT_UNITS


def qualified(agent: Agent, need: Need) -> bool:
    """Has the skill (or serves every queue, or the conversation has no queue), the tier and
    the room."""
    skilled = agent.generalist or need.queue_id == NO_QUEUE or need.queue_id in agent.skills
    return skilled and agent.tier >= need.min_tier and agent.room() >= need.units


def choose(agents: Iterable[Agent], need: Need, strategy: Strategy) -> Agent | None:
    """The agent to take ``need``: qualified, with room, lowest tier first, then by strategy
    (least loaded by share of capacity, or longest since their last assignment), then the
    more proficient, then the lower id so the choice is deterministic. None: nobody fits."""
    fits = [agent for agent in agents if qualified(agent, need)]
    if not fits:
        return None
    lowest = min(agent.tier for agent in fits)
    return min((agent for agent in fits if agent.tier == lowest), key=_ranking(need, strategy))


def ranked(agents: Iterable[Agent], need: Need, strategy: Strategy) -> list[Agent]:
    """Every qualified agent in the order ``choose`` would try them (for retries after a race)."""
    fits = [agent for agent in agents if qualified(agent, need)]
    order = _ranking(need, strategy)
    return sorted(fits, key=lambda agent: (agent.tier, order(agent)))


def _ranking(need: Need, strategy: Strategy) -> Callable[[Agent], tuple[object, ...]]:
    def key(agent: Agent) -> tuple[object, ...]:
        share = agent.load / agent.capacity if agent.capacity else 1.0
        idle = agent.last_assigned_at or _NEVER
        skill = -agent.skills.get(need.queue_id, 0)
        if strategy is Strategy.LONGEST_IDLE:
            return (idle, share, skill, agent.user_id)
        return (share, idle, skill, agent.user_id)

    return key


@dataclass(frozen=True, slots=True)
class Waiting:
    """A conversation waiting in a queue, with what orders it."""

    conversation_id: int
    need: Need
    queued_at: datetime
    customer_level: int = 0
    angry: bool = False
    sla_due_at: datetime | None = None


def priority_key(waiting: Waiting) -> tuple[object, ...]:
    """Queue order: higher VIP level first, then angry customers, then the nearest SLA
    deadline, then the longest wait (and the older conversation on a tie)."""
    return (
        -waiting.customer_level,
        not waiting.angry,
        waiting.sla_due_at or _FAR,
        waiting.queued_at,
        waiting.conversation_id,
    )


def in_order(waiting: Iterable[Waiting]) -> list[Waiting]:
    return sorted(waiting, key=priority_key)


@dataclass(slots=True)
class Plan:
    """Assignments for a batch of waiting conversations, and those left waiting."""

    assignments: list[tuple[int, int]] = field(default_factory=list)
    left: list[int] = field(default_factory=list)


def plan(
    waiting: Sequence[Waiting], agents: Sequence[Agent], strategy: Strategy, now: datetime
) -> Plan:
    """Serve ``waiting`` in priority order, each to ``choose``'s pick among agents whose load
    counts the assignments already planned (made at ``now``). Greedy on purpose: the most
    urgent customer gets the best available agent, as a supervisor would do by hand."""
    pool = {agent.user_id: agent for agent in agents}
    result = Plan()
    for item in in_order(waiting):
        agent = choose(pool.values(), item.need, strategy)
        if agent is None:
            result.left.append(item.conversation_id)
            continue
        result.assignments.append((item.conversation_id, agent.user_id))
        pool[agent.user_id] = Agent(
            user_id=agent.user_id,
            tier=agent.tier,
            capacity=agent.capacity,
            load=agent.load + item.need.units,
            skills=agent.skills,
            last_assigned_at=now,
            generalist=agent.generalist,
        )
    return result
