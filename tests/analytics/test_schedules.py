"""Scheduled reports: which period is due in the shop's time zone, mailing it over real SMTP to
supervisors and admins, and never twice, across checks and across processes."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.smtp import SMTP, Envelope
from openpyxl import load_workbook
from sqlalchemy import select, update

from kefu.accounts.models import AuditEvent, User
from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.analytics.models import ReportSchedule
from kefu.analytics.report_mail import MailRelay
from kefu.analytics.report_schemas import ScheduleIn, ScheduleUpdate
from kefu.analytics.schedules import (
    create_schedule,
    due_schedules,
    finished_period,
    require_schedule,
    send_due,
    send_one,
    update_schedule,
)
from kefu.shared.db import Database
from kefu.shared.errors import Forbidden, NotFound
from tests.analytics.test_report import seed
from tests.channels.email.conftest import Capture
from tests.factories import Factory

SHANGHAI = ZoneInfo("Asia/Shanghai")
OCT_15 = datetime(2026, 10, 15, 4, 0, tzinfo=UTC)
LAST_MINUTE_OF_OCTOBER = datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI)
FIRST_HOUR_OF_NOVEMBER = datetime(2026, 11, 1, 0, 30, tzinfo=SHANGHAI)
NOV_3 = datetime(2026, 11, 3, 4, 0, tzinfo=UTC)


@pytest.fixture
async def mail_server() -> AsyncIterator[tuple[Capture, int]]:
    """A mail server on a free loopback port keeping every mail it is given."""
    capture = Capture()
    loop = asyncio.get_running_loop()
    connections: list[SMTP] = []

    def protocol() -> SMTP:
        smtp = SMTP(capture, hostname="mx.example.com", loop=loop)
        connections.append(smtp)
        return smtp

    server = await loop.create_server(protocol, host="127.0.0.1", port=0)
    yield capture, server.sockets[0].getsockname()[1]
    server.close()
    for smtp in connections:
        if smtp.transport is not None:
            smtp.transport.close()
    await server.wait_closed()
    for _ in range(3):
        await asyncio.sleep(0)


def relay(port: int) -> MailRelay:
    return MailRelay(
        host="127.0.0.1", port=port, sender="Kefu <reports@kefu.test>", start_tls=False
    )


def mails_to(capture: Capture, *addresses: str) -> list[tuple[Envelope, EmailMessage]]:
    """The captured mails for ``addresses`` (other tests' due schedules are sent too: sending
    covers every shop)."""
    return [(e, m) for e, m in capture.mails if set(e.rcpt_tos) & set(addresses)]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def supervisor_of(user: User) -> Principal:
    return Principal(shop_id=user.shop_id, role=Role(user.role), user_id=user.id)


async def schedule_row(db: Database, schedule_id: int) -> ReportSchedule:
    async with db.session() as session:
        row = await session.get(ReportSchedule, schedule_id)
        assert row is not None
        return row


@pytest.mark.parametrize(
    ("frequency", "now", "label"),
    [
        ("monthly", LAST_MINUTE_OF_OCTOBER, "2026-09"),
        ("monthly", FIRST_HOUR_OF_NOVEMBER, "2026-10"),  # still 31 October in UTC
        ("monthly", datetime(2027, 1, 1, 0, 0, tzinfo=SHANGHAI), "2026-12"),
        ("quarterly", FIRST_HOUR_OF_NOVEMBER, "2026-Q3"),
        ("quarterly", datetime(2026, 1, 2, tzinfo=SHANGHAI), "2025-Q4"),
        ("weekly", datetime(2026, 10, 5, 0, 1, tzinfo=SHANGHAI), "2026-W40"),  # a Monday
        ("weekly", datetime(2026, 10, 4, 23, 59, tzinfo=SHANGHAI), "2026-W39"),
    ],
)
def test_the_due_period_is_the_last_one_ended_in_the_shops_time_zone(
    frequency: str, now: datetime, label: str
) -> None:
    assert finished_period(frequency, SHANGHAI, now.astimezone(UTC)).label == label


async def test_a_new_schedule_first_sends_the_period_running_when_it_was_made(
    db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    actor = supervisor_of(await factory.user(shop, role="supervisor"))
    async with db.session() as session:
        made = await create_schedule(session, actor=actor, data=ScheduleIn(), now=OCT_15)
    assert made.last_period == "2026-09" and made.next_period == "2026-10"
    async with db.session() as session:
        ours = [
            d for d in await due_schedules(session, LAST_MINUTE_OF_OCTOBER) if d.shop_id == shop.id
        ]
        assert ours == []
        (due,) = [
            d for d in await due_schedules(session, FIRST_HOUR_OF_NOVEMBER) if d.shop_id == shop.id
        ]
    assert due.period == "2026-10" and due.last_period == "2026-09"


async def test_a_due_report_is_mailed_once_to_supervisors_and_admins(
    db: Database, factory: Factory, mail_server: tuple[Capture, int]
) -> None:
    capture, port = mail_server
    seeded = await seed(db, factory)
    admin = await factory.user(seeded.shop, role="admin")
    gone = await factory.user(seeded.shop, role="supervisor")
    async with db.session() as session:
        await session.execute(update(User).where(User.id == gone.id).values(is_active=False))
        await session.commit()
        made = await create_schedule(
            session,
            actor=supervisor_of(seeded.supervisor),
            data=ScheduleIn(format="xlsx"),
            now=OCT_15,
        )
    async with db.session() as session:
        outcomes = await send_due(session, relay=relay(port), now=NOV_3)
    mine = [o for o in outcomes if o.schedule_id == made.id]
    assert [(o.status, o.period) for o in mine] == [("sent", "2026-10")]
    assert set(mine[0].recipients) == {seeded.supervisor.email, admin.email}

    ours = (seeded.supervisor.email, admin.email)
    ((envelope, mail),) = mails_to(capture, *ours)
    assert set(envelope.rcpt_tos) == {seeded.supervisor.email, admin.email}
    assert "2026-10" in mail["Subject"] and "报表测试店" in mail["Subject"]
    assert isinstance(mail, EmailMessage)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and "首次响应时长" in body.get_content()
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename().endswith("-2026-10.xlsx")
    workbook = load_workbook(io.BytesIO(attachment.get_content()))
    assert "核心指标" in workbook.sheetnames

    row = await schedule_row(db, made.id)
    assert row.last_period == "2026-10" and row.last_sent_at == NOV_3
    async with db.session() as session:
        again = await send_due(session, relay=relay(port), now=NOV_3)
    assert [o for o in again if o.schedule_id == made.id] == []
    assert len(mails_to(capture, *ours)) == 1


async def test_two_processes_mail_a_due_report_only_once(
    database_url: str, db: Database, factory: Factory, mail_server: tuple[Capture, int]
) -> None:
    capture, port = mail_server
    shop = await factory.shop()
    actor = supervisor_of(await factory.user(shop, role="supervisor"))
    async with db.session() as session:
        made = await create_schedule(
            session,
            actor=actor,
            data=ScheduleIn(format="html", recipients=["boss@example.com"]),
            now=OCT_15,
        )
    first, second = Database(database_url), Database(database_url)

    async def check(database: Database) -> list[str]:
        async with database.session() as session:
            outcomes = await send_due(session, relay=relay(port), now=NOV_3)
        return [o.status for o in outcomes if o.schedule_id == made.id]

    try:
        statuses = await asyncio.gather(check(first), check(second))
    finally:
        await first.dispose()
        await second.dispose()
    assert sorted(s for both in statuses for s in both) in (["sent"], ["sent", "taken"])
    assert len(mails_to(capture, "boss@example.com")) == 1


async def test_a_period_claimed_by_another_process_is_not_sent_again(
    db: Database, factory: Factory, mail_server: tuple[Capture, int]
) -> None:
    capture, port = mail_server
    shop = await factory.shop()
    actor = supervisor_of(await factory.user(shop, role="supervisor"))
    async with db.session() as session:
        made = await create_schedule(
            session,
            actor=actor,
            data=ScheduleIn(format="html", recipients=["once@example.com"]),
            now=OCT_15,
        )
        (stale,) = [d for d in await due_schedules(session, NOV_3) if d.schedule_id == made.id]
    async with db.session() as session:
        first = await send_one(session, due=stale, relay=relay(port), now=NOV_3)
        late = await send_one(session, due=stale, relay=relay(port), now=NOV_3)
    assert (first.status, late.status) == ("sent", "taken")
    assert len(mails_to(capture, "once@example.com")) == 1


async def test_a_failed_send_gives_the_period_back_for_the_next_check(
    db: Database, factory: Factory, mail_server: tuple[Capture, int]
) -> None:
    capture, port = mail_server
    shop = await factory.shop()
    actor = supervisor_of(await factory.user(shop, role="supervisor"))
    async with db.session() as session:
        made = await create_schedule(
            session,
            actor=actor,
            data=ScheduleIn(format="html", recipients=["retry@example.com"]),
            now=OCT_15,
        )
    async with db.session() as session:
        failed = await send_due(session, relay=relay(closed_port()), now=NOV_3)
    assert [o.status for o in failed if o.schedule_id == made.id] == ["failed"]
    row = await schedule_row(db, made.id)
    assert row.last_period == "2026-09" and row.last_sent_at is None
    async with db.session() as session:
        retried = await send_due(session, relay=relay(port), now=NOV_3)
    assert [o.status for o in retried if o.schedule_id == made.id] == ["sent"]
    assert len(mails_to(capture, "retry@example.com")) == 1


async def test_disabled_schedules_and_new_frequencies_send_nothing_old(
    db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    actor = supervisor_of(await factory.user(shop, role="supervisor"))
    async with db.session() as session:
        made = await create_schedule(session, actor=actor, data=ScheduleIn(), now=OCT_15)
        paused = await update_schedule(
            session,
            actor=actor,
            schedule_id=made.id,
            data=ScheduleUpdate(enabled=False),
            now=OCT_15,
        )
    assert not paused.enabled
    async with db.session() as session:
        assert [d for d in await due_schedules(session, NOV_3) if d.shop_id == shop.id] == []
        weekly = await update_schedule(
            session,
            actor=actor,
            schedule_id=made.id,
            data=ScheduleUpdate(enabled=True, frequency="weekly"),
            now=NOV_3,
        )
    assert weekly.last_period == "2026-W44" and weekly.next_period == "2026-W45"
    async with db.session() as session:
        actions = await session.scalars(
            select(AuditEvent.action).where(AuditEvent.shop_id == shop.id)
        )
        assert list(actions).count("analytics.report_schedule.update") == 2


async def test_agents_and_other_shops_cannot_touch_a_schedule(
    db: Database, factory: Factory
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    actor = supervisor_of(await factory.user(shop, role="supervisor"))
    async with db.session() as session:
        made = await create_schedule(session, actor=actor, data=ScheduleIn(), now=OCT_15)
    stranger = supervisor_of(await factory.user(other, role="owner"))
    agent = supervisor_of(await factory.user(shop, role="agent"))
    async with db.session() as session:
        with pytest.raises(NotFound):
            await require_schedule(session, actor=stranger, schedule_id=made.id)
        with pytest.raises(Forbidden):
            await require_schedule(session, actor=agent, schedule_id=made.id)
