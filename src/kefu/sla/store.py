"""SLA rows as the domain's pure values: calendars and policies to match and count with, clock
rows to plan from, and the columns a planned clock is written back as."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.sla.calendar import ALWAYS_OPEN, BusinessCalendar
from kefu.sla.clock import Clock
from kefu.sla.models import SlaCalendar, SlaClock, SlaPolicy
from kefu.sla.policy import Metric, Policy
from kefu.sla.track import TrackedClock

log = logging.getLogger(__name__)


def calendar_value(row: SlaCalendar) -> BusinessCalendar:
    """The row as a calendar; rows are checked when written, so a bad one (a time zone gone
    from the system's database) is logged and counted as always open."""
    try:
        return BusinessCalendar(
            timezone=row.timezone,
            weekly=tuple(tuple((start, end) for start, end in day) for day in row.weekly),
            holidays=frozenset(date.fromisoformat(day) for day in row.holidays),
        )
    except (TypeError, ValueError):
        log.exception("SLA calendar %s is unusable; counting it as always open", row.id)
        return ALWAYS_OPEN


def policy_value(row: SlaPolicy, calendar: BusinessCalendar) -> Policy:
    return Policy(
        id=row.id,
        position=row.position,
        priorities=frozenset(row.priorities),
        channels=frozenset(row.channels),
        min_customer_level=row.min_customer_level,
        first_response=row.first_response_seconds,
        next_response=row.next_response_seconds,
        resolution=row.resolution_seconds,
        feedback=row.feedback_seconds,
        business_hours=row.business_hours,
        warn_fraction=row.warn_fraction,
        calendar=calendar,
        enabled=row.enabled,
    )


async def load_policies(
    session: AsyncSession, shop_ids: Collection[int]
) -> dict[int, list[Policy]]:
    """Every policy of each shop (disabled ones too: they match nothing but keep counting the
    clocks they set), calendars resolved: its own, else the shop's default, else 24x7.
    Two queries, whatever the number of shops."""
    if not shop_ids:
        return {}
    calendars: dict[int, BusinessCalendar] = {}
    defaults: dict[int, BusinessCalendar] = {}
    for cal_row in await session.scalars(
        select(SlaCalendar).where(SlaCalendar.shop_id.in_(shop_ids)).order_by(SlaCalendar.id)
    ):
        calendars[cal_row.id] = calendar_value(cal_row)
        if cal_row.is_default:
            defaults.setdefault(cal_row.shop_id, calendars[cal_row.id])
    policies: dict[int, list[Policy]] = {shop_id: [] for shop_id in shop_ids}
    for row in await session.scalars(
        select(SlaPolicy).where(SlaPolicy.shop_id.in_(shop_ids)).order_by(SlaPolicy.id)
    ):
        own = calendars.get(row.calendar_id) if row.calendar_id is not None else None
        calendar = own or defaults.get(row.shop_id) or ALWAYS_OPEN
        policies[row.shop_id].append(policy_value(row, calendar))
    return policies


def tracked_value(row: SlaClock) -> TrackedClock:
    return TrackedClock(
        metric=Metric(row.metric),
        cycle=row.cycle,
        started_at=row.started_at,
        clock=Clock(
            target_seconds=row.target_seconds,
            elapsed_seconds=row.elapsed_seconds,
            running_since=row.running_since,
            met_at=row.met_at,
            breached_at=row.breached_at,
        ),
        policy_id=row.policy_id,
        due_at=row.due_at,
        warn_at=row.warn_at,
        warned_at=row.warned_at,
    )


def clock_columns(tracked: TrackedClock) -> dict[str, Any]:
    """The columns of ``sla_clocks`` that hold ``tracked`` (not its ids or ``updated_at``)."""
    clock = tracked.clock
    return {
        "metric": tracked.metric.value,
        "cycle": tracked.cycle,
        "policy_id": tracked.policy_id,
        "target_seconds": clock.target_seconds,
        "elapsed_seconds": clock.elapsed_seconds,
        "running_since": clock.running_since,
        "started_at": tracked.started_at,
        "due_at": tracked.due_at,
        "warn_at": tracked.warn_at,
        "warned_at": tracked.warned_at,
        "breached_at": clock.breached_at,
        "met_at": clock.met_at,
        "status": clock.status.value,
    }


def calendar_of(tracked: TrackedClock, policies: Mapping[int, Policy]) -> BusinessCalendar:
    """The calendar a clock counts on: its policy's for its metric, 24x7 without one."""
    policy = None if tracked.policy_id is None else policies.get(tracked.policy_id)
    return ALWAYS_OPEN if policy is None else policy.calendar_for(tracked.metric)
