"""`kefu bench routing`: one simulated busy day of customers through the real router, timed.

It builds a fresh shop (queues, agents, customers), plays the day of ``routing_day`` against it,
and checks what the router reported independently: by the simulation's own books, and against
the database at the end.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import Shop, User
from kefu.bench.chat import reset_postgres
from kefu.bench.routing_day import (
    DAY,
    EMAIL_WEIGHT,
    PEAK_SQUAD_SHARE,
    PEAK_THRESHOLD_SECONDS,
    QUEUES,
    Arrivals,
    Day,
    World,
    draw_arrivals,
    load_profile,
)
from kefu.conversations.models import Conversation
from kefu.customers.models import Customer
from kefu.migrations import upgrade
from kefu.routing import assign, service
from kefu.routing.assign import Agent, Strategy
from kefu.routing.models import AgentSkill, AgentState, RoutingQueue, RoutingSettings
from kefu.shared.db import Database

BAR_P99_MS = 5.0


def double_assignments(
    reported: Mapping[int, Sequence[tuple[int, datetime]]],
    stored: Mapping[int, tuple[int | None, datetime | None]],
) -> int:
    """Conversations given out more than once: reported assigned twice or more, or held in the
    database by another agent (or since another time) than the one assignment reported, or
    held there without any assignment reported."""
    count = 0
    for conversation_id in reported.keys() | stored.keys():
        seen = reported.get(conversation_id, ())
        held = stored.get(conversation_id, (None, None))
        if len(seen) > 1 or (seen and tuple(seen[0]) != held) or (not seen and held[0]):
            count += 1
    return count


def over_capacity(
    spans: Iterable[tuple[int, datetime, datetime | None, int]], capacity: Mapping[int, int]
) -> int:
    """Assignments that left their agent above capacity, from (agent, assigned, resolved or
    None, units) spans; a conversation resolved at the instant another is assigned frees its
    room first."""
    moves: dict[int, list[tuple[datetime, int, int]]] = defaultdict(list)
    for agent_id, start, end, units in spans:
        moves[agent_id].append((start, 1, units))
        if end is not None:
            moves[agent_id].append((end, 0, -units))
    count = 0
    for agent_id, agent_moves in moves.items():
        load = 0
        for _at, is_start, units in sorted(agent_moves):
            load += units
            count += bool(is_start and load > capacity[agent_id])
    return count


def _tiers(count: int, rng: np.random.Generator) -> list[str]:
    expert = min(count, max(1, round(0.1 * count)))
    senior = min(count - expert, round(0.3 * count))
    tiers = ["expert"] * expert + ["senior"] * senior + ["junior"] * (count - expert - senior)
    return [tiers[i] for i in rng.permutation(count)]


def _skills(tiers: Sequence[str], rng: np.random.Generator) -> list[dict[int, int]]:
    """1-3 queues each (queue index -> proficiency), drawn by the queues' shares, juniors never
    a senior queue; then every queue gets at least one agent of its tier."""
    skills: list[dict[int, int]] = []
    for tier in tiers:
        rank = assign.tier_rank(tier)
        weights = np.array([q[2] * (assign.tier_rank(q[3]) <= rank) for q in QUEUES])
        weights[-1] *= 4  # complaints need the few seniors more than their share says
        size = min(int(rng.integers(1, 4)), int((weights > 0).sum()))
        picks = rng.choice(len(QUEUES), size=size, replace=False, p=weights / weights.sum())
        skills.append({int(q): int(rng.integers(1 + rank, 4 + rank)) for q in picks})
    for q, queue in enumerate(QUEUES):
        able = [i for i, t in enumerate(tiers) if assign.tier_rank(t) >= assign.tier_rank(queue[3])]
        if able and not any(q in skills[i] for i in able):
            skills[min(able, key=lambda i: len(skills[i]))][q] = 3
    return skills


async def _insert_ids(session: AsyncSession, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    statement = insert(table).returning(table.id, sort_by_parameter_order=True)
    return list((await session.scalars(statement, rows)).all())


async def _queues(session: AsyncSession, *, shop_id: int) -> list[int]:
    rows = [
        {
            "shop_id": shop_id,
            "name": name,
            "skill": skill,
            "position": i,
            "base_tier": tier,
            "is_default": i == 0,
            "peak_threshold_seconds": PEAK_THRESHOLD_SECONDS,
            "created_at": DAY,
            "updated_at": DAY,
        }
        for i, (name, skill, _share, tier) in enumerate(QUEUES)
    ]
    return await _insert_ids(session, RoutingQueue, rows)


async def _agents(
    session: AsyncSession, *, shop_id: int, queue_ids: Sequence[int], count: int,
    rng: np.random.Generator,
) -> tuple[dict[int, Agent], set[int]]:  # fmt: skip
    """``count`` online agents with tiers, skills and capacity; returns them as the router
    would see them idle, and the peak squad."""
    tiers = _tiers(count, rng)
    user_ids = await _insert_ids(
        session,
        User,
        [
            {"shop_id": shop_id, "email": f"agent{i}@bench.kefu.test", "name": f"客服{i:03d}",
             "password_hash": "!", "role": "agent", "tier": tier, "created_at": DAY}
            for i, tier in enumerate(tiers)
        ],
    )  # fmt: skip
    skills = [{queue_ids[q]: p for q, p in s.items()} for s in _skills(tiers, rng)]
    squad = {u for u in user_ids if rng.random() < PEAK_SQUAD_SHARE}
    max_chats = [int(rng.integers(3, 6)) for _ in user_ids]
    await session.execute(
        insert(AgentState),
        [
            {"user_id": u, "shop_id": shop_id, "presence": "online", "max_chats": m,
             "peak_squad": u in squad, "last_seen_at": DAY, "updated_at": DAY}
            for u, m in zip(user_ids, max_chats, strict=True)
        ],
    )  # fmt: skip
    await session.execute(
        insert(AgentSkill),
        [
            {"user_id": u, "queue_id": q, "shop_id": shop_id, "proficiency": p}
            for u, s in zip(user_ids, skills, strict=True)
            for q, p in s.items()
        ],
    )
    pool = {
        u: Agent(user_id=u, tier=assign.tier_rank(t), capacity=m * assign.CHAT_UNITS, load=0,
                 skills=s)
        for u, t, m, s in zip(user_ids, tiers, max_chats, skills, strict=True)
    }  # fmt: skip
    return pool, squad


async def build_world(
    session: AsyncSession, *, agents: int, vips: Sequence[int], strategy: Strategy,
    rng: np.random.Generator,
) -> World:  # fmt: skip
    """One shop, its four queues, ``agents`` online agents and a customer per arrival (with
    its VIP level), committed."""
    shop = Shop(slug="bench-routing", name="路由压测店铺", created_at=DAY)
    session.add(shop)
    await session.flush()
    session.add(
        RoutingSettings(
            shop_id=shop.id, strategy=strategy.value, email_weight=EMAIL_WEIGHT, updated_at=DAY
        )
    )
    queue_ids = await _queues(session, shop_id=shop.id)
    pool, squad = await _agents(
        session, shop_id=shop.id, queue_ids=queue_ids, count=agents, rng=rng
    )
    customers = [
        {"shop_id": shop.id, "name": f"顾客{i}", "vip_level": vip, "tags": [], "note": "",
         "created_at": DAY, "updated_at": DAY}
        for i, vip in enumerate(vips)
    ]  # fmt: skip
    customer_ids = await _insert_ids(session, Customer, customers)
    await session.commit()
    return World(
        shop_id=shop.id,
        queue_ids=queue_ids,
        queue_tiers=[assign.tier_rank(q[3]) for q in QUEUES],
        customer_ids=customer_ids,
        base_skills={u: dict(agent.skills) for u, agent in pool.items()},
        squad=squad,
        pool=pool,
    )


async def database_checks(
    session: AsyncSession, *, world: World, reported: Mapping[int, Sequence[tuple[int, datetime]]]
) -> dict[str, int]:
    """Compare the database with what the router reported: conversations never assigned,
    given out more than once, and assignments that left an agent over capacity."""
    rows = (
        await session.execute(
            select(
                Conversation.id,
                Conversation.assignee_id,
                Conversation.assigned_at,
                Conversation.resolved_at,
                Conversation.channel,
            ).where(Conversation.shop_id == world.shop_id)
        )
    ).all()
    capacity = {
        user_id: max_chats * assign.CHAT_UNITS
        for user_id, max_chats in await session.execute(
            select(AgentState.user_id, AgentState.max_chats).where(
                AgentState.shop_id == world.shop_id
            )
        )
    }
    await session.rollback()
    spans = [
        (r.assignee_id, r.assigned_at, r.resolved_at, assign.weight(r.channel, EMAIL_WEIGHT))
        for r in rows
        if r.assignee_id is not None and r.assigned_at is not None
    ]
    stored = {r.id: (r.assignee_id, r.assigned_at) for r in rows}
    return {
        "stored": len(rows),
        "lost": sum(1 for r in rows if r.assignee_id is None or r.id not in reported),
        "double_assigned": double_assignments(reported, stored),
        "over_capacity": over_capacity(spans, capacity),
    }


def _quantile(values: Sequence[float], q: float) -> float:
    return float(np.quantile(values, q)) if values else 0.0


def report(day: Day, checks: Mapping[str, int], *, agents: int, database: str) -> dict[str, Any]:
    books, count = day.books, len(day.arrivals.at)
    waits = list(day.waits.values())
    capacity = sum(agent.capacity for agent in day.world.pool.values())
    p99 = _quantile(books.decision_ms, 0.99)
    decisions = books.route_calls + books.dispatch_calls
    return {
        "benchmark": "routing",
        "database": database,
        "strategy": day.strategy.value,
        "conversations": count,
        "agents": agents,
        "decisions": decisions,
        "route_calls": books.route_calls,
        "dispatch_calls": books.dispatch_calls,
        "p50_ms": round(_quantile(books.decision_ms, 0.5), 3),
        "p99_ms": round(p99, 3),
        "max_ms": round(max(books.decision_ms, default=0.0), 3),
        "route_p50_ms": round(_quantile(books.route_ms, 0.5), 3),
        "route_p99_ms": round(_quantile(books.route_ms, 0.99), 3),
        "dispatch_p50_ms": round(_quantile(books.dispatch_ms, 0.5), 3),
        "dispatch_p99_ms": round(_quantile(books.dispatch_ms, 0.99), 3),
        "decisions_per_s": round(decisions / (sum(books.decision_ms) / 1e3), 1),
        "pure_p50_us": round(_quantile(books.pure_us, 0.5), 2),
        "pure_p99_us": round(_quantile(books.pure_us, 0.99), 2),
        "pure_agreement": round(books.pure_agreed / max(1, books.pure_compared), 4),
        "service_level_60s": round(sum(w <= 60.0 for w in waits) / max(1, count), 4),
        "mean_wait_s": round(sum(waits) / max(1, len(waits)), 1),
        "p90_wait_s": round(_quantile(waits, 0.9), 1),
        "max_wait_s": round(max(waits, default=0.0), 1),
        "max_queue_length": books.max_queue,
        "peak_occupancy": round(books.peak_load / capacity, 3),
        "peak_switches": books.peak_switches,
        "lost": max(checks["lost"], count - len(waits)),
        "double_assigned": checks["double_assigned"],
        "over_capacity": max(books.over_capacity, checks["over_capacity"]),
        "over_capacity_books": books.over_capacity,
        "over_capacity_database": checks["over_capacity"],
        "bar": {"p99_ms": BAR_P99_MS, "met": p99 <= BAR_P99_MS},
    }


async def _simulate(
    url: str, *, conversations: int, agents: int, seed: int, strategy: Strategy
) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    arrivals: Arrivals = draw_arrivals(conversations, load_profile(), rng)
    db = Database(url)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        async with db.session() as session:
            world = await build_world(
                session, agents=agents, vips=arrivals.vip, strategy=strategy, rng=rng
            )
            day = Day(session, world, arrivals, strategy)
            console = Console(stderr=True)
            with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as bar:
                await day.run(bar)
            checks = await database_checks(session, world=world, reported=day.books.reported)
    finally:
        await db.dispose()
    database = "postgres" if url.startswith("postgresql") else "sqlite"
    return report(day, checks, agents=agents, database=database)


def run_routing_bench(
    *,
    conversations: int = 20_000,
    agents: int = 60,
    seed: int = 7,
    database_url: str | None = None,
    strategy: str | None = None,
) -> dict[str, Any]:
    """Simulate one busy day through the router and report latency, service and integrity.

    ``database_url`` None means a fresh SQLite file (removed afterwards); a PostgreSQL URL is
    wiped first. ``strategy`` None keeps the router's default."""
    began = time.perf_counter()
    workdir = None
    url = database_url
    if url is None:
        workdir = Path(tempfile.mkdtemp(prefix="kefu-bench-routing-"))
        url = f"sqlite+aiosqlite:///{workdir / 'kefu.db'}"
    elif url.startswith("postgresql"):
        asyncio.run(reset_postgres(url))
    try:
        upgrade(url)
        result = asyncio.run(
            _simulate(
                url,
                conversations=conversations,
                agents=agents,
                seed=seed,
                strategy=Strategy(strategy) if strategy else service.Settings().strategy,
            )
        )
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    result["wall_seconds"] = round(time.perf_counter() - began, 1)
    return result
