"""The simulated day of the routing benchmark: arrivals drawn from a real call centre's intraday
profile, and the discrete-event loop that drives the real router in simulated time.

Arrivals follow a non-homogeneous Poisson process with a rate constant over each 30-minute slot
of the packaged profile; given its total, that is ``count`` independent arrival times drawn from
the profile. Only the router calls themselves are timed on the wall clock.
"""

from __future__ import annotations

import heapq
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from importlib import resources

import numpy as np
from rich.progress import Progress
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.conversations.models import Conversation
from kefu.routing import assign, service, wait
from kefu.routing.assign import Agent, Need, Strategy
from kefu.routing.models import AgentState, RoutingQueue

DAY = datetime(2025, 3, 3, tzinfo=UTC)
DAY_SECONDS = 86_400.0
HEARTBEAT_SECONDS = 30.0
PEAK_CHECK_SECONDS = 60.0
PEAK_THRESHOLD_SECONDS = 120
# name, skill, share of conversations, lowest tier that may take them
QUEUES = (
    ("售前", "presales", 0.35, "junior"),
    ("订单物流", "orders", 0.35, "junior"),
    ("售后退换", "aftersales", 0.20, "junior"),
    ("投诉", "complaints", 0.10, "senior"),
)
CHANNELS = ("web", "im", "email")
CHANNEL_SHARES = (0.7, 0.2, 0.1)
EMAIL_WEIGHT = 0.5
VIP_SHARE, ANGRY_SHARE, PEAK_SQUAD_SHARE = 0.04, 0.03, 0.1
# Handle times are lognormal: (median minutes, sigma); e-mails take longer.
CHAT_HANDLE, EMAIL_HANDLE = (5.0, 0.8), (12.0, 0.9)


def load_profile() -> list[float]:
    """The packaged 48 half-hour shares of a working day, summing to 1."""
    raw = resources.files("kefu.bench").joinpath("data/intraday_profile.json").read_text("utf-8")
    shares = [float(share) for share in json.loads(raw)["shares"]]
    total = sum(shares)
    return [share / total for share in shares]


@dataclass(frozen=True, slots=True)
class Arrivals:
    """The day's conversations, by arrival: seconds into the day, channel, queue index, VIP
    level, angry, handle seconds."""

    at: list[float]
    channel: list[str]
    queue: list[int]
    vip: list[int]
    angry: list[bool]
    handle: list[float]


def draw_arrivals(count: int, shares: Sequence[float], rng: np.random.Generator) -> Arrivals:
    """``count`` arrivals in time order: a half-hour slot by ``shares``, then uniform in it."""
    slots = rng.choice(len(shares), size=count, p=np.asarray(shares))
    at = np.sort((slots + rng.random(count)) * (DAY_SECONDS / len(shares)))
    channel = rng.choice(len(CHANNELS), size=count, p=CHANNEL_SHARES)
    queue = rng.choice(len(QUEUES), size=count, p=[q[2] for q in QUEUES])
    vip = np.where(rng.random(count) < VIP_SHARE, rng.integers(1, 4, count), 0)
    email = channel == CHANNELS.index("email")
    median = np.where(email, EMAIL_HANDLE[0], CHAT_HANDLE[0])
    sigma = np.where(email, EMAIL_HANDLE[1], CHAT_HANDLE[1])
    return Arrivals(
        at=at.tolist(),
        channel=[CHANNELS[c] for c in channel],
        queue=queue.tolist(),
        vip=vip.tolist(),
        angry=(rng.random(count) < ANGRY_SHARE).tolist(),
        handle=(60.0 * median * np.exp(sigma * rng.standard_normal(count))).tolist(),
    )


@dataclass
class Books:
    """What the simulation saw, kept apart from the database."""

    reported: dict[int, list[tuple[int, datetime]]] = field(default_factory=dict)
    decision_ms: list[float] = field(default_factory=list)
    # The same calls split by kind: a new conversation routed, or waiting ones given out.
    route_ms: list[float] = field(default_factory=list)
    dispatch_ms: list[float] = field(default_factory=list)
    pure_us: list[float] = field(default_factory=list)
    route_calls: int = 0
    dispatch_calls: int = 0
    pure_agreed: int = 0
    pure_compared: int = 0
    over_capacity: int = 0
    max_queue: int = 0
    peak_switches: int = 0
    load: int = 0  # units in use, all agents together
    peak_load: int = 0


@dataclass
class World:
    """The bench shop as built, and the simulation's live view of its agents."""

    shop_id: int
    queue_ids: list[int]
    queue_tiers: list[int]
    customer_ids: list[int]
    base_skills: dict[int, dict[int, int]]
    squad: set[int]
    pool: dict[int, Agent]


def _at(seconds: float) -> datetime:
    return DAY + timedelta(seconds=seconds)


class Day:
    """The discrete-event simulation: arrivals and ends of handling in simulated time; the
    router decides at each arrival (``route_conversation``) and each end (``dispatch``)."""

    def __init__(
        self, session: AsyncSession, world: World, arrivals: Arrivals, strategy: Strategy
    ) -> None:
        self.session, self.world, self.arrivals, self.strategy = session, world, arrivals, strategy
        self.books = Books()
        self.waits: dict[int, float] = {}
        self.arrived: dict[int, int] = {}  # conversation id -> arrival index
        self.waiting: dict[int, tuple[int, float, int]] = {}  # id -> queue, arrived, units
        self.holding: dict[int, tuple[int, int]] = {}  # id -> agent, units
        self.finishes: list[tuple[float, int]] = []
        self.peak_on = [False] * len(QUEUES)
        self.seen_at = self.peaks_at = -DAY_SECONDS
        self.clock = 0.0

    async def run(self, progress: Progress) -> None:
        task = progress.add_task("simulated day", total=len(self.arrivals.at))
        count, i = len(self.arrivals.at), 0
        while True:
            if i < count and (not self.finishes or self.arrivals.at[i] < self.finishes[0][0]):
                await self.arrive(i)
                i += 1
                progress.update(task, advance=1, description=f"{_at(self.clock):%H:%M} simulated")
            elif self.finishes:
                at, conversation_id = heapq.heappop(self.finishes)
                await self.finish(at, conversation_id)
            elif not (self.waiting and await self.dispatch(self.clock + 1.0)):
                break

    async def tick(self, seconds: float) -> None:
        """Advance the clock: agents' workspaces beat every 30 s, peaks are checked each minute."""
        self.clock = seconds
        if seconds - self.seen_at >= HEARTBEAT_SECONDS:
            await self.session.execute(
                update(AgentState)
                .where(AgentState.shop_id == self.world.shop_id)
                .values(last_seen_at=_at(seconds))
            )
            await self.session.commit()
            self.seen_at = seconds
        if seconds - self.peaks_at >= PEAK_CHECK_SECONDS:
            await self.peaks(seconds)

    async def peaks(self, seconds: float) -> None:
        """Switch each queue's peak squad by ``wait.peak_wanted`` on its longest current wait,
        as a supervisor's periodic job would."""
        self.peaks_at = seconds
        oldest: dict[int, float] = {}
        for queue, arrived, _units in self.waiting.values():
            oldest[queue] = min(arrived, oldest.get(queue, arrived))
        changed = []
        for q, queue_id in enumerate(self.world.queue_ids):
            waited = seconds - oldest.get(q, seconds)
            wanted = wait.peak_wanted(self.peak_on[q], waited, PEAK_THRESHOLD_SECONDS)
            if wanted != self.peak_on[q]:
                self.peak_on[q] = wanted
                changed.append((queue_id, wanted))
        for queue_id, wanted in changed:
            await self.session.execute(
                update(RoutingQueue)
                .where(RoutingQueue.id == queue_id)
                .values(peak_active=wanted, peak_changed_at=_at(seconds))
            )
        if changed:
            await self.session.commit()
            self.books.peak_switches += len(changed)
            on = [queue_id for q, queue_id in enumerate(self.world.queue_ids) if self.peak_on[q]]
            for user_id in self.world.squad:
                skills = dict(self.world.base_skills[user_id])
                for queue_id in on:
                    skills.setdefault(queue_id, service.PEAK_PROFICIENCY)
                self.world.pool[user_id] = replace(self.world.pool[user_id], skills=skills)

    async def arrive(self, i: int) -> None:
        seconds, q, channel = self.arrivals.at[i], self.arrivals.queue[i], self.arrivals.channel[i]
        await self.tick(seconds)
        now = _at(seconds)
        conversation_id = await self.session.scalar(
            insert(Conversation)
            .values(shop_id=self.world.shop_id, channel=channel,
                    customer_id=self.world.customer_ids[i], subject=f"咨询 {i}", status="open",
                    priority="normal", message_count=1, created_at=now, updated_at=now,
                    last_message_at=now, queue_id=self.world.queue_ids[q], queued_at=now,
                    angry=self.arrivals.angry[i], awaiting_reply_since=now)
            .returning(Conversation.id)
        )  # fmt: skip
        await self.session.commit()
        assert conversation_id is not None
        units = assign.weight(channel, EMAIL_WEIGHT)
        self.arrived[conversation_id] = i
        self.waiting[conversation_id] = (q, seconds, units)
        self.books.max_queue = max(self.books.max_queue, len(self.waiting))
        need = Need(self.world.queue_ids[q], min_tier=self.world.queue_tiers[q], units=units)
        snapshot = list(self.world.pool.values())
        started = time.perf_counter()
        pick = assign.choose(snapshot, need, self.strategy)
        self.books.pure_us.append((time.perf_counter() - started) * 1e6)
        started = time.perf_counter()
        routed = await service.route_conversation(
            self.session, shop_id=self.world.shop_id, conversation_id=conversation_id, now=now
        )
        self.books.decision_ms.append((time.perf_counter() - started) * 1e3)
        self.books.route_ms.append(self.books.decision_ms[-1])
        self.books.route_calls += 1
        assignee = routed.assignee_id if routed else None
        self.books.pure_compared += 1
        self.books.pure_agreed += (pick.user_id if pick else None) == assignee
        if assignee is not None:
            self.record(conversation_id, assignee, seconds)

    async def finish(self, seconds: float, conversation_id: int) -> None:
        await self.tick(seconds)
        now = _at(seconds)
        await self.session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(status="resolved", resolved_at=now, status_changed_at=now, updated_at=now)
        )
        await self.session.commit()
        agent_id, units = self.holding.pop(conversation_id)
        agent = self.world.pool[agent_id]
        self.world.pool[agent_id] = replace(agent, load=agent.load - units)
        self.books.load -= units
        await self.dispatch(seconds)

    async def dispatch(self, seconds: float) -> int:
        await self.tick(seconds)
        started = time.perf_counter()
        routed = await service.dispatch(self.session, shop_id=self.world.shop_id, now=_at(seconds))
        self.books.decision_ms.append((time.perf_counter() - started) * 1e3)
        self.books.dispatch_ms.append(self.books.decision_ms[-1])
        self.books.dispatch_calls += 1
        for item in routed:
            if item.assignee_id is not None:
                self.record(item.conversation_id, item.assignee_id, seconds)
        return len(routed)

    def record(self, conversation_id: int, agent_id: int, seconds: float) -> None:
        """Book an assignment the router reported, and check the agent's room ourselves."""
        self.books.reported.setdefault(conversation_id, []).append((agent_id, _at(seconds)))
        waiting = self.waiting.pop(conversation_id, None)
        if waiting is None:  # given out again: counted by double_assignments
            return
        _queue, arrived, units = waiting
        agent = self.world.pool[agent_id]
        agent = replace(agent, load=agent.load + units, last_assigned_at=_at(seconds))
        self.world.pool[agent_id] = agent
        self.books.over_capacity += agent.load > agent.capacity
        self.books.load += units
        self.books.peak_load = max(self.books.peak_load, self.books.load)
        self.holding[conversation_id] = (agent_id, units)
        self.waits[conversation_id] = seconds - arrived
        handle = self.arrivals.handle[self.arrived[conversation_id]]
        heapq.heappush(self.finishes, (seconds + handle, conversation_id))
