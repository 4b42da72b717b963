"""Scheduled reports in the background: every few minutes, mail the reports whose period has
ended (``schedules.send_due``). Safe with several processes: each report is claimed in the
database before it is sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from kefu.analytics.report_mail import MailRelay
from kefu.analytics.schedules import SendOutcome, send_due
from kefu.settings import Settings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database

log = logging.getLogger(__name__)

CHECK_SECONDS = 300.0


class ReportWorker:
    """One task that checks for due reports, then sleeps; failures are logged and retried."""

    def __init__(
        self,
        db: Database,
        relay: MailRelay,
        *,
        clock: Callable[[], datetime] = utcnow,
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        self.db = db
        self.relay = relay
        self.clock = clock
        self.check_seconds = check_seconds
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="kefu-report-worker")

    async def stop(self) -> None:
        """Cancel the task; a report being sent is given back and sent by the next check."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def tick(self) -> list[SendOutcome]:
        """One check: send what is due now."""
        async with self.db.session() as session:
            outcomes = await send_due(session, relay=self.relay, now=self.clock())
        for outcome in outcomes:
            log.info(
                "report %s of schedule %s: %s",
                outcome.period,
                outcome.schedule_id,
                outcome.status,
            )
        return outcomes

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the report worker could not check its schedules")
            await asyncio.sleep(self.check_seconds)


def relay_from(settings: Settings) -> MailRelay | None:
    """Reports leave through the same relay as agents' e-mail replies; None without one."""
    if settings.email_outbound_host is None:
        return None
    password = settings.email_outbound_password
    return MailRelay(
        host=settings.email_outbound_host,
        port=settings.email_outbound_port,
        sender=f"Kefu <reports@{settings.email_domain}>",
        username=settings.email_outbound_user,
        password=None if password is None else password.get_secret_value(),
        start_tls=settings.email_outbound_starttls,
        timeout_seconds=settings.email_outbound_timeout_seconds,
    )


async def start_report_worker(settings: Settings, db: Database) -> ReportWorker | None:
    """Start mailing scheduled reports, unless ``KEFU_REPORT_WORKER`` is off or no outbound
    relay is set (``KEFU_EMAIL_OUTBOUND_HOST``)."""
    relay = relay_from(settings)
    if not settings.report_worker or relay is None:
        return None
    worker = ReportWorker(db, relay, check_seconds=settings.report_check_seconds)
    await worker.start()
    return worker
