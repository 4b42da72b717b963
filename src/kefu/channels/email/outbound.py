"""Mailing agents' replies: follow ``message.created`` events, claim each reply, send it
through the SMTP relay with retries, and record the outcome."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosmtplib
from sqlalchemy import select

from kefu.accounts.models import Shop
from kefu.channels.email.compose import compose_reply
from kefu.channels.email.service import (
    OutboundReply,
    claim_reply,
    reclaim_stale_replies,
    record_attempt,
    unsent_replies,
)
from kefu.conversations.status import SenderType
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.events import Event, LocalHub
from kefu.shared.follow import ShopFollower

log = logging.getLogger(__name__)

# How often the sender looks for new shops to follow, and how far back it looks for replies
# it missed (while stopped, or cut off for reading too slowly).
REFRESH_SECONDS = 30.0
CATCH_UP = timedelta(hours=24)
CATCH_UP_BATCH = 100
MIN_STALE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class RelayConfig:
    """The SMTP server replies are handed to, and how hard to try."""

    host: str
    port: int
    domain: str  # of the shops' addresses and of Kefu's Message-IDs
    username: str | None = None
    password: str | None = None
    start_tls: bool = True
    timeout_seconds: float = 30.0
    attempts: int = 6
    backoff_seconds: float = 5.0

    @property
    def stale_after(self) -> timedelta:
        """How long a reply may sit in ``sending`` untouched before another worker takes it
        over: well past the longest wait between two attempts of a live worker."""
        longest_wait = self.backoff_seconds * 2 ** max(self.attempts - 2, 0) + self.timeout_seconds
        return max(MIN_STALE, timedelta(seconds=2 * longest_wait))


def is_reply_to_mail(event: Event) -> bool:
    """A customer-visible agent message: mailed if its conversation is an e-mail one."""
    data = event.data
    return (
        event.type == "message.created"
        and data.get("sender_type") == SenderType.AGENT.value
        and data.get("is_internal") is False
    )


def is_permanent(error: Exception) -> bool:
    """A 5xx answer will not change on retry; anything else (4xx, network) may."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(r.code >= 500 for r in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500


class ReplySender:
    """One background task following the event bus, plus one task per reply being sent.

    Safe with several workers: every worker sees every event, but a reply is claimed in the
    database (one mail row per Kefu message) before it is sent, so only one worker sends it."""

    def __init__(
        self,
        db: Database,
        hub: LocalHub,
        relay: RelayConfig,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.hub = hub
        self.relay = relay
        self.clock = clock
        self._listener: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()
        self._follower = ShopFollower(
            name="e-mail sender",
            hub=hub,
            topics=self._shop_topics,
            catch_up=self._catch_up,
            handle=self._on_event,
            refresh_seconds=REFRESH_SECONDS,
            idle=self._reclaim,
        )
        self.ready = self._follower.ready

    async def start(self) -> None:
        if self._listener is None:
            self._listener = asyncio.create_task(self._follower.run(), name="kefu-email-sender")
            await asyncio.wait_for(self.ready.wait(), timeout=30)

    async def stop(self) -> None:
        """Stop listening and abandon retries; unsent replies stay ``sending`` until a worker
        takes them over as stale (``RelayConfig.stale_after``)."""
        tasks = [t for t in (self._listener, *self._sending) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._listener = None

    async def _shop_topics(self) -> tuple[str, ...]:
        async with self.db.session() as session:
            ids = await session.scalars(select(Shop.id).order_by(Shop.id))
            return tuple(f"shop:{shop_id}" for shop_id in ids)

    async def _on_event(self, event: Event) -> None:
        if is_reply_to_mail(event):
            await self.handle(int(event.data["id"]))

    async def _reclaim(self) -> None:
        """Send the replies a dead worker claimed and never finished."""
        now = self.clock()
        async with self.db.session() as session:
            replies = await reclaim_stale_replies(
                session,
                stale_before=now - self.relay.stale_after,
                domain=self.relay.domain,
                now=now,
                limit=CATCH_UP_BATCH,
            )
        for reply in replies:
            self._start_sending(reply)

    async def _catch_up(self) -> None:
        await self._reclaim()
        since = self.clock() - CATCH_UP
        while True:
            async with self.db.session() as session:
                ids = await unsent_replies(session, since=since, limit=CATCH_UP_BATCH)
            for message_id in ids:
                await self.handle(message_id)
            if len(ids) < CATCH_UP_BATCH:
                return

    async def handle(self, message_id: int) -> None:
        """Claim the reply ``message_id`` and send it in the background, if it is ours to mail."""
        async with self.db.session() as session:
            reply = await claim_reply(
                session, kefu_message_id=message_id, domain=self.relay.domain, now=self.clock()
            )
        if reply is not None:
            self._start_sending(reply)

    def _start_sending(self, reply: OutboundReply) -> None:
        task = asyncio.create_task(self._send(reply), name=f"kefu-email-{reply.record_id}")
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _record(self, reply: OutboundReply, error: str | None, *, final: bool) -> None:
        async with self.db.session() as session:
            await record_attempt(
                session, record_id=reply.record_id, error=error, final=final, now=self.clock()
            )

    async def _send(self, reply: OutboundReply) -> None:
        mail = compose_reply(reply, now=self.clock())
        relay = self.relay
        for attempt in range(1, relay.attempts + 1):
            try:
                await aiosmtplib.send(
                    mail,
                    recipients=[reply.recipient],
                    hostname=relay.host,
                    port=relay.port,
                    username=relay.username,
                    password=relay.password,
                    start_tls=relay.start_tls,
                    timeout=relay.timeout_seconds,
                )
            except (aiosmtplib.SMTPException, OSError) as error:
                final = attempt == relay.attempts or is_permanent(error)
                await self._record(reply, f"{type(error).__name__}: {error}"[:2000], final=final)
                if final:
                    log.warning("giving up mailing %s: %s", reply.message_id, error)
                    return
                await asyncio.sleep(relay.backoff_seconds * 2 ** (attempt - 1))
            else:
                await self._record(reply, None, final=True)
                return

    async def idle(self) -> None:
        """Wait until every reply being sent is sent or given up (tests, shutdown)."""
        while self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)
