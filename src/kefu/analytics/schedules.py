"""Scheduled reports: supervisors' schedules (``analytics.manage``, audited), which ones have a
finished period not yet sent, and sending each report once by e-mail.

Once per period, across restarts and processes: a sender first claims the period with a guarded
UPDATE (``last_period`` still what it read), so of two processes only one wins; a failed send
gives the claim back, to be tried again on the next check. ``last_period`` is also set when a
schedule is created or changes frequency, so the first report is the one for the period running
then (a new monthly schedule does not mail last month at once)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import aiosmtplib
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts import service as accounts
from kefu.accounts.models import Shop, User
from kefu.accounts.permissions import Permission, Role
from kefu.accounts.principal import Principal
from kefu.analytics.models import ReportSchedule
from kefu.analytics.periods import Period, parse_period
from kefu.analytics.render import render_file_async
from kefu.analytics.report import ReportFormat, ReportQuery, report_for_shop
from kefu.analytics.report_mail import MailRelay, compose_report_mail
from kefu.analytics.report_schemas import ScheduleIn, ScheduleOut, ScheduleUpdate
from kefu.analytics.service import shop_zone
from kefu.shared.errors import NotFound

log = logging.getLogger(__name__)

DEFAULT_RECIPIENT_ROLES = (Role.OWNER, Role.ADMIN, Role.SUPERVISOR)
Status = Literal["sent", "taken", "no_recipients", "failed"]


# ---- periods ------------------------------------------------------------------------------


def running_period(frequency: str, tz: ZoneInfo, now: datetime) -> Period:
    """The week, month or quarter holding ``now`` in the shop's time zone."""
    local = now.astimezone(tz)
    if frequency == "weekly":
        year, week, _ = local.isocalendar()
        return parse_period(f"{year}-W{week:02d}", tz)
    if frequency == "quarterly":
        return parse_period(f"{local.year}-Q{(local.month - 1) // 3 + 1}", tz)
    return parse_period(f"{local.year}-{local.month:02d}", tz)


def finished_period(frequency: str, tz: ZoneInfo, now: datetime) -> Period:
    """The latest period of this frequency that has ended by ``now``."""
    return running_period(frequency, tz, now).previous()


def is_due(row: ReportSchedule, tz: ZoneInfo, now: datetime) -> str | None:
    """The finished period ``row`` has yet to send, if any. Labels of one frequency sort in
    time order, so a period older than the last one sent is never sent again."""
    if not row.enabled:
        return None
    label = finished_period(row.frequency, tz, now).label
    return label if row.last_period is None or label > row.last_period else None


def schedule_out(row: ReportSchedule, tz: ZoneInfo, now: datetime) -> ScheduleOut:
    due = is_due(row, tz, now)
    upcoming = due or running_period(row.frequency, tz, now).label
    return ScheduleOut.model_validate(
        {**{c: getattr(row, c) for c in _COLUMNS}, "next_period": upcoming}
    )


_COLUMNS = (
    "id",
    "frequency",
    "format",
    "recipients",
    "enabled",
    "last_period",
    "last_sent_at",
    "created_at",
    "updated_at",
)


# ---- schedules (supervisors) --------------------------------------------------------------


async def _audit(
    session: AsyncSession, actor: Principal, row: ReportSchedule, verb: str, now: datetime
) -> None:
    detail: dict[str, Any] = {"frequency": row.frequency, "format": row.format}
    detail["recipients"] = list(row.recipients)
    await accounts.record_audit(
        session,
        actor=actor,
        action=f"analytics.report_schedule.{verb}",
        target_type="report_schedule",
        target_id=row.id,
        now=now,
        detail=detail,
    )


async def list_schedules(
    session: AsyncSession, *, actor: Principal, now: datetime
) -> list[ScheduleOut]:
    actor.require(Permission.ANALYTICS_MANAGE)
    tz, _ = await shop_zone(session, actor.shop_id)
    rows = await session.scalars(
        select(ReportSchedule)
        .where(ReportSchedule.shop_id == actor.shop_id)
        .order_by(ReportSchedule.id)
    )
    return [schedule_out(row, tz, now) for row in rows]


async def require_schedule(
    session: AsyncSession, *, actor: Principal, schedule_id: int
) -> ReportSchedule:
    """The actor's shop's schedule; another shop's is not found, as if it did not exist."""
    actor.require(Permission.ANALYTICS_MANAGE)
    row = await session.get(ReportSchedule, schedule_id)
    if row is None or row.shop_id != actor.shop_id:
        raise NotFound(f"no report schedule {schedule_id}", code="report_schedule_not_found")
    return row


async def create_schedule(
    session: AsyncSession, *, actor: Principal, data: ScheduleIn, now: datetime
) -> ScheduleOut:
    actor.require(Permission.ANALYTICS_MANAGE)
    tz, _ = await shop_zone(session, actor.shop_id)
    row = ReportSchedule(
        shop_id=actor.shop_id,
        frequency=data.frequency,
        format=data.format,
        recipients=[str(r) for r in data.recipients],
        enabled=data.enabled,
        last_period=finished_period(data.frequency, tz, now).label,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    await _audit(session, actor, row, "create", now)
    await session.commit()
    return schedule_out(row, tz, now)


async def update_schedule(
    session: AsyncSession,
    *,
    actor: Principal,
    schedule_id: int,
    data: ScheduleUpdate,
    now: datetime,
) -> ScheduleOut:
    """A new frequency starts from the period running now, like a new schedule."""
    row = await require_schedule(session, actor=actor, schedule_id=schedule_id)
    tz, _ = await shop_zone(session, actor.shop_id)
    changes = data.model_dump(exclude_unset=True, mode="json")
    changes = {name: value for name, value in changes.items() if value is not None}
    if changes.get("frequency", row.frequency) != row.frequency:
        row.last_period = finished_period(changes["frequency"], tz, now).label
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = now
    await _audit(session, actor, row, "update", now)
    await session.commit()
    return schedule_out(row, tz, now)


async def delete_schedule(
    session: AsyncSession, *, actor: Principal, schedule_id: int, now: datetime
) -> None:
    row = await require_schedule(session, actor=actor, schedule_id=schedule_id)
    await _audit(session, actor, row, "delete", now)
    await session.delete(row)
    await session.commit()


# ---- sending ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueReport:
    schedule_id: int
    shop_id: int
    format: ReportFormat
    recipients: tuple[str, ...]
    period: str
    last_period: str | None  # as read: the claim only wins if it is still this


@dataclass(frozen=True, slots=True)
class SendOutcome:
    schedule_id: int
    period: str
    status: Status
    recipients: tuple[str, ...] = ()


async def due_schedules(session: AsyncSession, now: datetime) -> list[DueReport]:
    """Every enabled schedule, of every shop, with a finished period not yet sent."""
    rows = await session.execute(
        select(ReportSchedule, Shop.timezone)
        .join(Shop, Shop.id == ReportSchedule.shop_id)
        .where(ReportSchedule.enabled.is_(True))
        .order_by(ReportSchedule.id)
    )
    out = []
    for row, timezone in rows.tuples():
        label = is_due(row, ZoneInfo(timezone), now)
        if label is not None:
            out.append(
                DueReport(
                    schedule_id=row.id,
                    shop_id=row.shop_id,
                    format=ReportFormat(row.format),
                    recipients=tuple(row.recipients),
                    period=label,
                    last_period=row.last_period,
                )
            )
    return out


async def _set_period(
    session: AsyncSession, schedule_id: int, *, old: str | None, new: str | None
) -> bool:
    """``last_period`` from ``old`` to ``new``, only if it is still ``old``; committed."""
    result = await session.execute(
        update(ReportSchedule)
        .where(
            ReportSchedule.id == schedule_id, ReportSchedule.last_period.is_not_distinct_from(old)
        )
        .values(last_period=new)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return getattr(result, "rowcount", 0) == 1


async def claim(session: AsyncSession, due: DueReport) -> bool:
    """Take ``due.period`` for this process; False when another process took it first."""
    return await _set_period(session, due.schedule_id, old=due.last_period, new=due.period)


async def default_recipients(session: AsyncSession, shop_id: int) -> list[str]:
    """Every active supervisor, admin and owner of the shop."""
    rows = await session.scalars(
        select(User.email)
        .where(
            User.shop_id == shop_id,
            User.is_active.is_(True),
            User.role.in_([r.value for r in DEFAULT_RECIPIENT_ROLES]),
        )
        .order_by(User.id)
    )
    return list(rows)


async def _deliver(
    session: AsyncSession, *, due: DueReport, to: list[str], relay: MailRelay, now: datetime
) -> None:
    shop = await accounts.get_shop(session, due.shop_id)
    if shop is None:
        raise NotFound(f"no shop {due.shop_id}", code="shop_not_found")
    built = await report_for_shop(session, shop=shop, query=ReportQuery(due.period), now=now)
    file = await render_file_async(built, due.format)
    mail = compose_report_mail(built, file, sender=relay.sender, recipients=to, now=now)
    await aiosmtplib.send(
        mail,
        recipients=to,
        hostname=relay.host,
        port=relay.port,
        username=relay.username,
        password=relay.password,
        start_tls=relay.start_tls,
        timeout=relay.timeout_seconds,
    )


async def send_one(
    session: AsyncSession, *, due: DueReport, relay: MailRelay, now: datetime
) -> SendOutcome:
    """Claim, build, render and mail one due report; a failure gives the claim back."""
    if not await claim(session, due):
        return SendOutcome(due.schedule_id, due.period, "taken")
    to = list(due.recipients) or await default_recipients(session, due.shop_id)
    if not to:
        log.warning("report schedule %s has nobody to mail %s to", due.schedule_id, due.period)
        return SendOutcome(due.schedule_id, due.period, "no_recipients")
    sent = False
    try:
        await _deliver(session, due=due, to=to, relay=relay, now=now)
        sent = True
    except (aiosmtplib.SMTPException, OSError) as error:
        log.warning("report %s of schedule %s not sent: %s", due.period, due.schedule_id, error)
        return SendOutcome(due.schedule_id, due.period, "failed", tuple(to))
    finally:
        if not sent:
            await session.rollback()
            await _set_period(session, due.schedule_id, old=due.period, new=due.last_period)
    await session.execute(
        update(ReportSchedule)
        .where(ReportSchedule.id == due.schedule_id)
        .values(last_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return SendOutcome(due.schedule_id, due.period, "sent", tuple(to))


async def send_due(session: AsyncSession, *, relay: MailRelay, now: datetime) -> list[SendOutcome]:
    """Send every due report once (see the module docstring); returns what happened to each."""
    due = await due_schedules(session, now)
    await session.rollback()
    return [await send_one(session, due=item, relay=relay, now=now) for item in due]
