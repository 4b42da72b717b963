"""SLA clocks at work: reconciling them with conversations, sweeping for warnings and breaches,
and the reads behind the workspace badge, the supervisors' board and analytics.

``reconcile`` works in the caller's transaction; ``sweep`` owns its own. Both announce each
clock's warning or breach once (``sla.warning``, ``sla.breach``), after commit. Policies and
calendars are edited in ``kefu.sla.admin``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.conversations.queries import require_conversation
from kefu.shared.errors import InvalidInput
from kefu.shared.events import Event, emit_on_commit
from kefu.sla import store
from kefu.sla.clock import ClockStatus
from kefu.sla.facts import ConversationFacts
from kefu.sla.models import SlaClock
from kefu.sla.policy import Metric, Policy
from kefu.sla.schemas import AttainmentOut, ClockOut, MetricAttainment
from kefu.sla.track import ClockChange, TrackedClock, earliest_due, latest_cycles, plan

WARNING = "sla.warning"
BREACH = "sla.breach"
MAX_PERIOD = timedelta(days=366)
_RUNNING = ClockStatus.RUNNING.value


@dataclass(frozen=True, slots=True)
class SweepResult:
    warned: int
    breached: int
    # The earliest warning or deadline still to come (at or before now: the limit was hit and
    # there is more to do), None when no clock runs.
    next_at: datetime | None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _event(kind: str, shop_id: int, conversation_id: int, **data: Any) -> Event:
    return Event(type=kind, shop_id=shop_id, conversation_id=conversation_id, data=data)


def _breach_event(
    clock_id: int, shop_id: int, conversation_id: int, tracked: TrackedClock
) -> Event:
    return _event(
        BREACH,
        shop_id,
        conversation_id,
        clock_id=clock_id,
        metric=tracked.metric.value,
        cycle=tracked.cycle,
        target_seconds=tracked.clock.target_seconds,
        due_at=_iso(tracked.due_at),
        breached_at=_iso(tracked.clock.breached_at),
    )


# ---- reconcile ----------------------------------------------------------------------------


async def _insert(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Insert a clock unless another transaction made the same (conversation, metric, cycle)
    first; its id, or None when it lost that race."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(SlaClock)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["conversation_id", "metric", "cycle"])
        .returning(SlaClock.id)
    )
    clock_id: int | None = (await session.execute(statement)).scalar_one_or_none()
    return clock_id


async def _update(
    session: AsyncSession, clock_id: int, values: dict[str, Any], *, guard: bool
) -> bool:
    """Write ``values`` to the clock; with ``guard``, report whether this write is the one that
    breached it (a sweep may have got there first)."""
    statement = update(SlaClock).where(SlaClock.id == clock_id).values(**values)
    options = {"synchronize_session": "fetch"}
    if guard:
        won = await session.execute(
            statement.where(SlaClock.breached_at.is_(None)).execution_options(**options)
        )
        if getattr(won, "rowcount", 0) == 1:
            return True
    await session.execute(statement.execution_options(**options))
    return False


async def _write(
    session: AsyncSession,
    facts: ConversationFacts,
    change: ClockChange,
    rows: dict[tuple[str, int], SlaClock],
    now: datetime,
) -> None:
    after = change.after
    values = store.clock_columns(after) | {"updated_at": now}
    if change.before is None:
        values |= {"shop_id": facts.shop_id, "conversation_id": facts.conversation_id}
        clock_id = await _insert(session, values)
        announce = clock_id is not None
    else:
        clock_id = rows[(after.metric.value, after.cycle)].id
        announce = await _update(session, clock_id, values, guard=change.newly_breached)
    if announce and clock_id is not None and change.newly_breached:
        emit_on_commit(
            session, _breach_event(clock_id, facts.shop_id, facts.conversation_id, after)
        )


async def reconcile(
    session: AsyncSession, *, facts: Sequence[ConversationFacts], now: datetime
) -> dict[int, datetime | None]:
    """Bring each conversation's clocks in line with its facts (create, pause, resume,
    retarget, stop as met or breached) in the caller's transaction, without committing.

    Returns, per conversation, the earliest deadline among its running clocks (None if none
    runs). Idempotent: a second call with the same facts changes nothing. Loads the clocks of
    all the conversations in one query and each shop's policies once. A clock that breaches
    here (a late reply) is announced with ``sla.breach`` when the caller commits."""
    latest_facts = {item.conversation_id: item for item in facts}
    if not latest_facts:
        return {}
    rows: dict[int, list[SlaClock]] = {cid: [] for cid in latest_facts}
    for row in await session.scalars(
        select(SlaClock).where(SlaClock.conversation_id.in_(latest_facts))
    ):
        rows[row.conversation_id].append(row)
    policies = await store.load_policies(session, {item.shop_id for item in facts})
    due: dict[int, datetime | None] = {}
    for conversation_id, item in latest_facts.items():
        mine = {(r.metric, r.cycle): r for r in rows[conversation_id] if r.shop_id == item.shop_id}
        state = {key: store.tracked_value(row) for key, row in mine.items()}
        for change in plan(item, policies.get(item.shop_id, []), list(state.values()), now):
            await _write(session, item, change, mine, now)
            state[(change.after.metric.value, change.after.cycle)] = change.after
        due[conversation_id] = earliest_due(state.values())
    return due


# ---- sweep --------------------------------------------------------------------------------

_RETURNED = (
    SlaClock.id,
    SlaClock.shop_id,
    SlaClock.conversation_id,
    SlaClock.metric,
    SlaClock.cycle,
    SlaClock.target_seconds,
    SlaClock.due_at,
    SlaClock.warn_at,
)


async def _warn(session: AsyncSession, now: datetime, limit: int) -> int:
    candidates = (
        select(SlaClock.id)
        .where(
            SlaClock.status == _RUNNING,
            SlaClock.warned_at.is_(None),
            SlaClock.warn_at <= now,
            SlaClock.due_at > now,
        )
        .order_by(SlaClock.warn_at)
        .limit(limit)
    )
    flagged = await session.execute(
        update(SlaClock)
        .where(
            SlaClock.id.in_(candidates.scalar_subquery()),
            SlaClock.status == _RUNNING,
            SlaClock.warned_at.is_(None),
        )
        .values(warned_at=now, updated_at=now)
        .returning(*_RETURNED)
        .execution_options(synchronize_session=False)
    )
    count = 0
    for row in flagged:
        count += 1
        emit_on_commit(
            session,
            _event(
                WARNING,
                row.shop_id,
                row.conversation_id,
                clock_id=row.id,
                metric=row.metric,
                cycle=row.cycle,
                target_seconds=row.target_seconds,
                warn_at=_iso(row.warn_at),
                due_at=_iso(row.due_at),
            ),
        )
    return count


async def _breach(session: AsyncSession, now: datetime, limit: int) -> int:
    candidates = (
        select(SlaClock.id)
        .where(SlaClock.status == _RUNNING, SlaClock.due_at <= now)
        .order_by(SlaClock.due_at)
        .limit(limit)
    )
    flagged = await session.execute(
        update(SlaClock)
        .where(SlaClock.id.in_(candidates.scalar_subquery()), SlaClock.status == _RUNNING)
        .values(status=ClockStatus.BREACHED.value, breached_at=SlaClock.due_at, updated_at=now)
        .returning(*_RETURNED)
        .execution_options(synchronize_session=False)
    )
    count = 0
    for row in flagged:
        count += 1
        emit_on_commit(
            session,
            _event(
                BREACH,
                row.shop_id,
                row.conversation_id,
                clock_id=row.id,
                metric=row.metric,
                cycle=row.cycle,
                target_seconds=row.target_seconds,
                due_at=_iso(row.due_at),
                breached_at=_iso(row.due_at),
            ),
        )
    return count


async def sweep(session: AsyncSession, *, now: datetime, limit: int = 500) -> SweepResult:
    """Warn running clocks past their warning time (once each) and breach those past their
    deadline (``breached_at`` = the deadline), up to ``limit`` of each, then commit.

    Safe with several sweepers at once: each clock is flipped by one guarded UPDATE, and only
    the rows this call flipped are counted and announced."""
    warned = await _warn(session, now, limit)
    breached = await _breach(session, now, limit)
    await session.commit()
    upcoming = await session.execute(
        select(
            func.min(SlaClock.due_at),
            func.min(case((SlaClock.warned_at.is_(None), SlaClock.warn_at))),
        ).where(SlaClock.status == _RUNNING)
    )
    due_at, warn_at = upcoming.one()
    return SweepResult(warned, breached, min((t for t in (due_at, warn_at) if t), default=None))


# ---- reads --------------------------------------------------------------------------------


def _view(row: SlaClock, policies: dict[int, Policy], now: datetime) -> ClockOut:
    tracked = store.tracked_value(row)
    clock = tracked.clock
    used = clock.consumed(store.calendar_of(tracked, policies), now)
    return ClockOut.model_validate(
        {
            "id": row.id,
            "conversation_id": row.conversation_id,
            "metric": row.metric,
            "cycle": row.cycle,
            "status": clock.status.value,
            "policy_id": row.policy_id,
            "target_seconds": row.target_seconds,
            "elapsed_seconds": used,
            "remaining_seconds": clock.target_seconds - used if clock.adjustable else None,
            "started_at": row.started_at,
            "due_at": row.due_at,
            "warn_at": row.warn_at,
            "warned_at": row.warned_at,
            "breached_at": row.breached_at,
            "met_at": row.met_at,
        }
    )


async def _views(
    session: AsyncSession, shop_id: int, rows: Sequence[SlaClock], now: datetime
) -> list[ClockOut]:
    if not rows:
        return []
    policies = {p.id: p for p in (await store.load_policies(session, {shop_id}))[shop_id]}
    return [_view(row, policies, now) for row in rows]


async def conversation_clocks(
    session: AsyncSession, *, actor: Principal, conversation_id: int, now: datetime
) -> list[ClockOut]:
    """The current cycle of each metric of one conversation, in metric order: the badge in the
    agent's workspace. Anyone who may read the conversation may read its clocks."""
    await require_conversation(session, actor=actor, conversation_id=conversation_id)
    rows = await session.scalars(
        select(SlaClock).where(
            SlaClock.shop_id == actor.shop_id, SlaClock.conversation_id == conversation_id
        )
    )
    by_key = {(row.metric, row.cycle): row for row in rows}
    latest = latest_cycles(store.tracked_value(row) for row in by_key.values())
    current = [by_key[(m.value, latest[m].cycle)] for m in Metric if m in latest]
    return await _views(session, actor.shop_id, current, now)


async def at_risk(
    session: AsyncSession,
    *,
    actor: Principal,
    now: datetime,
    within_minutes: int = 30,
    limit: int = 50,
) -> list[ClockOut]:
    """Running clocks already warned or due within ``within_minutes``, soonest deadline first:
    the supervisors' board."""
    actor.require(Permission.SLA_MONITOR)
    rows = await session.scalars(
        select(SlaClock)
        .where(
            SlaClock.shop_id == actor.shop_id,
            SlaClock.status == _RUNNING,
            or_(
                SlaClock.warned_at.is_not(None),
                SlaClock.due_at <= now + timedelta(minutes=within_minutes),
            ),
        )
        .order_by(SlaClock.due_at, SlaClock.id)
        .limit(limit)
    )
    return await _views(session, actor.shop_id, rows.all(), now)


async def attainment(
    session: AsyncSession, *, actor: Principal, since: datetime, until: datetime
) -> AttainmentOut:
    """Per metric, the clocks met and breached in ``[since, until)`` (each counted when it was
    met, or when it breached) and the share met."""
    actor.require(Permission.SLA_MONITOR)
    if not since < until or until - since > MAX_PERIOD:
        raise InvalidInput("since must be before until, at most 366 days apart", code="bad_period")
    met = and_(
        SlaClock.status == ClockStatus.MET.value, SlaClock.met_at >= since, SlaClock.met_at < until
    )
    breached = and_(SlaClock.breached_at >= since, SlaClock.breached_at < until)
    rows = await session.execute(
        select(
            SlaClock.metric,
            func.sum(case((met, 1), else_=0)),
            func.sum(case((breached, 1), else_=0)),
        )
        .where(SlaClock.shop_id == actor.shop_id, or_(met, breached))
        .group_by(SlaClock.metric)
    )
    counts = {metric: (int(m or 0), int(b or 0)) for metric, m, b in rows}
    metrics = []
    for metric in Metric:
        m, b = counts.get(metric.value, (0, 0))
        ratio = round(m / (m + b), 4) if m + b else None
        metrics.append(MetricAttainment(metric=metric.value, met=m, breached=b, attainment=ratio))
    return AttainmentOut(since=since, until=until, metrics=metrics)


async def breached_among(
    session: AsyncSession, *, actor: Principal, conversation_ids: Sequence[int]
) -> set[int]:
    """Which of these conversations of ``actor``'s shop have breached an SLA (for the inbox
    badge: ``sla_due_at`` moves on to the next running deadline once one breaches)."""
    if not conversation_ids:
        return set()
    rows = await session.scalars(
        select(SlaClock.conversation_id)
        .where(
            SlaClock.shop_id == actor.shop_id,
            SlaClock.conversation_id.in_(list(conversation_ids)),
            SlaClock.status == "breached",
        )
        .distinct()
    )
    return set(rows)
