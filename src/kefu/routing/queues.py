"""The live state of a shop's queues: who waits where, at which position, for how long, and
the expected wait that customers see and that calls in the peak squad."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.conversations.models import Conversation
from kefu.routing import assign, service, wait
from kefu.routing.assign import Agent, Waiting
from kefu.routing.models import RoutingQueue
from kefu.shared.events import Event, emit_on_commit

RECENT = timedelta(minutes=15)
HANDLE_SAMPLE = 200
DEFAULT_HANDLE_MINUTES = 6.0


@dataclass(frozen=True, slots=True)
class Position:
    queue_id: int | None
    position: int
    wait_seconds: float | None


@dataclass(frozen=True, slots=True)
class QueueState:
    queue_id: int | None
    waiting: list[Waiting]
    load: wait.QueueLoad

    def expected_wait(self) -> float | None:
        """The wait of the last customer in the queue (0 when nobody waits)."""
        return wait.expected_wait_seconds(len(self.waiting), self.load) if self.waiting else 0.0


async def _served_per_minute(
    session: AsyncSession, *, shop_id: int, now: datetime
) -> dict[int | None, float]:
    rows = await session.execute(
        select(Conversation.queue_id, func.count())
        .where(Conversation.shop_id == shop_id, Conversation.assigned_at >= now - RECENT)
        .group_by(Conversation.queue_id)
    )
    minutes = RECENT.total_seconds() / 60
    return {queue_id: count / minutes for queue_id, count in rows}


async def _handle_minutes(session: AsyncSession, *, shop_id: int) -> float:
    """Mean minutes from assignment to resolution over the shop's latest resolutions."""
    rows = await session.execute(
        select(Conversation.assigned_at, Conversation.resolved_at)
        .where(
            Conversation.shop_id == shop_id,
            Conversation.resolved_at.is_not(None),
            Conversation.assigned_at.is_not(None),
        )
        .order_by(Conversation.resolved_at.desc())
        .limit(HANDLE_SAMPLE)
    )
    spans = [
        (resolved - assigned).total_seconds() / 60
        for assigned, resolved in rows
        if resolved is not None and assigned is not None and resolved > assigned
    ]
    return sum(spans) / len(spans) if spans else DEFAULT_HANDLE_MINUTES


def _seats(agents: list[Agent], queue_id: int | None) -> tuple[int, int]:
    """(free chat seats, all chat seats) of the agents who serve ``queue_id``."""
    serving = [a for a in agents if queue_id is None or a.generalist or queue_id in a.skills]
    seats = sum(a.capacity for a in serving) // assign.CHAT_UNITS
    free = sum(max(0, a.room()) for a in serving) // assign.CHAT_UNITS
    return free, seats


async def queue_states(
    session: AsyncSession, *, shop_id: int, now: datetime
) -> dict[int | None, QueueState]:
    """Each queue of the shop that has waiting customers or agents, keyed by queue id (None:
    conversations queued before the shop had queues)."""
    settings = await service.routing_settings(session, shop_id=shop_id)
    waiting = await service.waiting_list(session, shop_id=shop_id, settings=settings)
    agents = await service.available_agents(session, shop_id=shop_id, now=now, settings=settings)
    served = await _served_per_minute(session, shop_id=shop_id, now=now)
    handle = await _handle_minutes(session, shop_id=shop_id)
    by_queue: dict[int | None, list[Waiting]] = defaultdict(list)
    for item in waiting:
        by_queue[item.need.queue_id or None].append(item)
    queue_ids = set(
        await session.scalars(select(RoutingQueue.id).where(RoutingQueue.shop_id == shop_id))
    )
    states = {}
    for queue_id in queue_ids | set(by_queue):
        free, seats = _seats(agents, queue_id)
        load = wait.QueueLoad(
            served_per_minute=served.get(queue_id, 0.0),
            free_seats=free,
            seats=seats,
            handle_minutes=handle,
        )
        states[queue_id] = QueueState(queue_id, by_queue.get(queue_id, []), load)
    return states


async def positions(session: AsyncSession, *, shop_id: int, now: datetime) -> dict[int, Position]:
    """Every waiting conversation's place in its queue (1 = next) and predicted wait."""
    result = {}
    for queue_id, state in (await queue_states(session, shop_id=shop_id, now=now)).items():
        for index, item in enumerate(state.waiting, start=1):
            result[item.conversation_id] = Position(
                queue_id, index, wait.expected_wait_seconds(index, state.load)
            )
    return result


async def evaluate_peaks(session: AsyncSession, *, shop_id: int, now: datetime) -> list[int]:
    """Call the peak squad in to queues whose expected wait passed their threshold, and out
    of those that calmed down; commits, returns the queues that changed. Guarded, so two
    workers deciding at once announce each change once."""
    rows = (
        await session.execute(
            select(RoutingQueue.id, RoutingQueue.peak_active, RoutingQueue.peak_threshold_seconds)
            .where(RoutingQueue.shop_id == shop_id)
            .where(RoutingQueue.peak_threshold_seconds.is_not(None))
        )
    ).all()
    if not rows:
        await session.rollback()
        return []
    states = await queue_states(session, shop_id=shop_id, now=now)
    changed = []
    for queue_id, active, threshold in rows:
        state = states.get(queue_id)
        expected = state.expected_wait() if state is not None else 0.0
        wanted = wait.peak_wanted(active, expected, threshold)
        if wanted == active:
            continue
        flipped = await session.execute(
            update(RoutingQueue)
            .where(RoutingQueue.id == queue_id, RoutingQueue.peak_active.is_(active))
            .values(peak_active=wanted, peak_changed_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(flipped, "rowcount", 0):
            changed.append(queue_id)
            emit_on_commit(
                session,
                Event(
                    type="queue.peak",
                    shop_id=shop_id,
                    data={"queue_id": queue_id, "active": wanted, "expected_wait_s": expected},
                ),
            )
    await session.commit()
    return changed


async def peak_shops(session: AsyncSession) -> list[int]:
    """Shops with a queue that has a peak squad threshold."""
    rows = await session.scalars(
        select(RoutingQueue.shop_id)
        .where(RoutingQueue.peak_threshold_seconds.is_not(None))
        .distinct()
    )
    return list(rows)


async def customer_positions(
    session: AsyncSession, *, shop_id: int, now: datetime
) -> dict[int, Position]:
    """Waiting customers' places (customer id -> the position of their waiting conversation);
    what the chat widget shows."""
    by_conversation = await positions(session, shop_id=shop_id, now=now)
    if not by_conversation:
        return {}
    rows = await session.execute(
        select(Conversation.id, Conversation.customer_id).where(
            Conversation.id.in_(list(by_conversation))
        )
    )
    return {customer_id: by_conversation[cid] for cid, customer_id in rows}
