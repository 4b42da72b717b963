"""Editing a shop's SLA calendars and policies (``sla.manage``: admins and owners), each change
audited, and the defaults a new shop can start from. Write use cases commit their transaction;
clocks pick changes up at their conversation's next reconcile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.shared.errors import Conflict, InvalidInput, NotFound
from kefu.sla.calendar import BusinessCalendar, normalize_day
from kefu.sla.models import SlaCalendar, SlaPolicy
from kefu.sla.policy import CHANNELS, PRIORITIES
from kefu.sla.schemas import (
    CalendarIn,
    CalendarOut,
    CalendarUpdate,
    PolicyIn,
    PolicyUpdate,
    Window,
)


def access_sla_settings(actor: Principal) -> None:
    actor.require(Permission.SLA_MANAGE)


# ---- calendars ----------------------------------------------------------------------------


def calendar_out(row: SlaCalendar) -> CalendarOut:
    return CalendarOut(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        weekly=[[Window.of(start, end) for start, end in day] for day in row.weekly],
        holidays=sorted(date.fromisoformat(day) for day in row.holidays),
        is_default=row.is_default,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _weekly(days: Sequence[Sequence[Window]]) -> list[list[list[int]]]:
    try:
        normalized = [normalize_day(w.minutes() for w in day) for day in days]
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid_windows") from None
    return [[[start, end] for start, end in day] for day in normalized]


def _check_calendar(timezone: str, weekly: list[list[list[int]]], holidays: list[str]) -> None:
    """Refuse a calendar the clocks could not count on."""
    try:
        calendar = BusinessCalendar(
            timezone,
            tuple(tuple((s, e) for s, e in day) for day in weekly),
            frozenset(date.fromisoformat(day) for day in holidays),
        )
    except ValueError as exc:
        raise InvalidInput(str(exc), code="unknown_timezone") from None
    # An hour a week keeps the longest target (366 days) within a couple of centuries.
    if sum(end - start for day in calendar.weekly for start, end in day) < 60:
        raise InvalidInput(
            "a calendar needs at least an hour of opening a week", code="calendar_never_open"
        )


async def list_calendars(session: AsyncSession, *, actor: Principal) -> Sequence[SlaCalendar]:
    access_sla_settings(actor)
    rows = await session.scalars(
        select(SlaCalendar).where(SlaCalendar.shop_id == actor.shop_id).order_by(SlaCalendar.id)
    )
    return rows.all()


async def require_calendar(
    session: AsyncSession, *, actor: Principal, calendar_id: int
) -> SlaCalendar:
    access_sla_settings(actor)
    row = await session.get(SlaCalendar, calendar_id)
    if row is None or row.shop_id != actor.shop_id:
        raise NotFound(f"no SLA calendar {calendar_id}", code="sla_calendar_not_found")
    return row


async def _commit(session: AsyncSession, name: str) -> None:
    try:
        await session.commit()
    except IntegrityError:  # another admin took the name meanwhile
        await session.rollback()
        raise Conflict(f"a calendar named '{name}' exists", code="sla_calendar_exists") from None


async def _check_name_free(
    session: AsyncSession, shop_id: int, name: str, except_id: int | None = None
) -> None:
    holder = await session.scalar(
        select(SlaCalendar.id).where(SlaCalendar.shop_id == shop_id, SlaCalendar.name == name)
    )
    if holder is not None and holder != except_id:
        raise Conflict(f"a calendar named '{name}' exists", code="sla_calendar_exists")


async def _make_default(session: AsyncSession, row: SlaCalendar) -> None:
    await session.execute(
        update(SlaCalendar)
        .where(SlaCalendar.shop_id == row.shop_id, SlaCalendar.id != row.id)
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )
    row.is_default = True


async def _audit(
    session: AsyncSession,
    actor: Principal,
    row: SlaCalendar | SlaPolicy,
    now: datetime,
    action: str,
    **detail: Any,
) -> None:
    target = "sla_calendar" if isinstance(row, SlaCalendar) else "sla_policy"
    await accounts.record_audit(
        session,
        actor=actor,
        action=f"{target}.{action}",
        target_type=target,
        target_id=row.id,
        now=now,
        detail={"name": row.name, **detail},
    )


async def create_calendar(
    session: AsyncSession, *, actor: Principal, data: CalendarIn, now: datetime
) -> SlaCalendar:
    """A new calendar; the shop's first one becomes its default."""
    access_sla_settings(actor)
    weekly, holidays = _weekly(data.weekly), sorted({d.isoformat() for d in data.holidays})
    _check_calendar(data.timezone, weekly, holidays)
    await _check_name_free(session, actor.shop_id, data.name)
    has_default = await session.scalar(
        select(SlaCalendar.id).where(SlaCalendar.shop_id == actor.shop_id, SlaCalendar.is_default)
    )
    row = SlaCalendar(
        shop_id=actor.shop_id,
        name=data.name,
        timezone=data.timezone,
        weekly=weekly,
        holidays=holidays,
        is_default=False,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    if data.is_default or has_default is None:
        await _make_default(session, row)
    await _audit(session, actor, row, now, "create", timezone=row.timezone)
    await _commit(session, row.name)
    return row


async def update_calendar(
    session: AsyncSession,
    *,
    actor: Principal,
    calendar_id: int,
    data: CalendarUpdate,
    now: datetime,
) -> SlaCalendar:
    row = await require_calendar(session, actor=actor, calendar_id=calendar_id)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"weekly", "holidays"})
    if data.weekly is not None:
        changes["weekly"] = _weekly(data.weekly)
    if data.holidays is not None:
        changes["holidays"] = sorted({d.isoformat() for d in data.holidays})
    changed = [name for name, value in changes.items() if getattr(row, name) != value]
    if not changed:
        return row
    _check_calendar(
        changes.get("timezone", row.timezone),
        changes.get("weekly", row.weekly),
        changes.get("holidays", row.holidays),
    )
    if "name" in changed:
        await _check_name_free(session, actor.shop_id, changes["name"], except_id=row.id)
    for name in changed:
        setattr(row, name, changes[name])
    if changes.get("is_default"):
        await _make_default(session, row)
    row.updated_at = now
    await _audit(session, actor, row, now, "update", fields=changed)
    await _commit(session, row.name)
    return row


async def delete_calendar(
    session: AsyncSession, *, actor: Principal, calendar_id: int, now: datetime
) -> None:
    """Refused while a policy names the calendar."""
    row = await require_calendar(session, actor=actor, calendar_id=calendar_id)
    users = await session.scalar(
        select(func.count()).select_from(SlaPolicy).where(SlaPolicy.calendar_id == row.id)
    )
    if users:
        raise Conflict(
            f"{users} SLA policies use this calendar",
            code="sla_calendar_in_use",
            details={"policies": users},
        )
    await _audit(session, actor, row, now, "delete")
    await session.delete(row)
    await session.commit()


# ---- policies -----------------------------------------------------------------------------


async def list_policies(session: AsyncSession, *, actor: Principal) -> Sequence[SlaPolicy]:
    """In the order they are tried."""
    access_sla_settings(actor)
    rows = await session.scalars(
        select(SlaPolicy)
        .where(SlaPolicy.shop_id == actor.shop_id)
        .order_by(SlaPolicy.position, SlaPolicy.id)
    )
    return rows.all()


async def require_policy(session: AsyncSession, *, actor: Principal, policy_id: int) -> SlaPolicy:
    access_sla_settings(actor)
    row = await session.get(SlaPolicy, policy_id)
    if row is None or row.shop_id != actor.shop_id:
        raise NotFound(f"no SLA policy {policy_id}", code="sla_policy_not_found")
    return row


def _ordered(values: Sequence[str], order: tuple[str, ...]) -> list[str]:
    return [name for name in order if name in set(values)]


async def _policy_changes(
    session: AsyncSession, actor: Principal, data: dict[str, Any]
) -> dict[str, Any]:
    """``data`` as columns: lists deduplicated in a fixed order, the calendar checked to be the
    shop's own."""
    if "priorities" in data:
        data["priorities"] = _ordered(data["priorities"], PRIORITIES)
    if "channels" in data:
        data["channels"] = _ordered(data["channels"], CHANNELS)
    if data.get("calendar_id") is not None:
        await require_calendar(session, actor=actor, calendar_id=data["calendar_id"])
    return data


async def create_policy(
    session: AsyncSession, *, actor: Principal, data: PolicyIn, now: datetime
) -> SlaPolicy:
    access_sla_settings(actor)
    values = await _policy_changes(session, actor, data.model_dump())
    if values["position"] is None:
        last = await session.scalar(
            select(func.max(SlaPolicy.position)).where(SlaPolicy.shop_id == actor.shop_id)
        )
        values["position"] = 0 if last is None else last + 1
    row = SlaPolicy(shop_id=actor.shop_id, created_at=now, updated_at=now, **values)
    session.add(row)
    await session.flush()
    await _audit(session, actor, row, now, "create", position=row.position)
    await session.commit()
    return row


async def update_policy(
    session: AsyncSession, *, actor: Principal, policy_id: int, data: PolicyUpdate, now: datetime
) -> SlaPolicy:
    row = await require_policy(session, actor=actor, policy_id=policy_id)
    changes = await _policy_changes(session, actor, data.model_dump(exclude_unset=True))
    changed = [name for name, value in changes.items() if getattr(row, name) != value]
    if not changed:
        return row
    for name in changed:
        setattr(row, name, changes[name])
    row.updated_at = now
    await _audit(session, actor, row, now, "update", fields=changed)
    await session.commit()
    return row


async def delete_policy(
    session: AsyncSession, *, actor: Principal, policy_id: int, now: datetime
) -> None:
    """Its clocks keep counting on the targets they have (on 24x7 time) until they stop."""
    row = await require_policy(session, actor=actor, policy_id=policy_id)
    await _audit(session, actor, row, now, "delete")
    await session.delete(row)
    await session.commit()


# ---- defaults -----------------------------------------------------------------------------

HOUR = 3600


@dataclass(frozen=True, slots=True)
class DefaultSla:
    calendar: CalendarIn
    policies: tuple[PolicyIn, ...]


def default_policy_values() -> DefaultSla:
    """A sensible start: chat answered in minutes and e-mail in hours, within business hours
    09:00–23:00 China time every day; complaints settled within 24 hours."""
    day = [Window(start="09:00", end="23:00")]
    return DefaultSla(
        calendar=CalendarIn(
            name="营业时间", timezone="Asia/Shanghai", weekly=[day] * 7, is_default=True
        ),
        policies=(
            PolicyIn(
                name="在线咨询",
                position=0,
                channels=["web", "im"],
                first_response_seconds=2 * 60,
                next_response_seconds=3 * 60,
                resolution_seconds=24 * HOUR,
                feedback_seconds=24 * HOUR,
            ),
            PolicyIn(
                name="邮件工单",
                position=1,
                channels=["email"],
                first_response_seconds=4 * HOUR,
                next_response_seconds=8 * HOUR,
                resolution_seconds=72 * HOUR,
                feedback_seconds=24 * HOUR,
            ),
        ),
    )


async def add_default_policies(
    session: AsyncSession, *, shop_id: int, now: datetime
) -> list[SlaPolicy]:
    """Write ``default_policy_values()`` for a new shop in the caller's transaction (no commit,
    no audit: the shop is being set up, not changed by someone)."""
    defaults = default_policy_values()
    calendar = SlaCalendar(
        shop_id=shop_id,
        name=defaults.calendar.name,
        timezone=defaults.calendar.timezone,
        weekly=_weekly(defaults.calendar.weekly),
        holidays=[],
        is_default=True,
        created_at=now,
        updated_at=now,
    )
    session.add(calendar)
    await session.flush()
    policies = [
        SlaPolicy(shop_id=shop_id, created_at=now, updated_at=now, **policy.model_dump())
        for policy in defaults.policies
    ]
    session.add_all(policies)
    await session.flush()
    return policies
