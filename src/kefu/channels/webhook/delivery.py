"""Delivering replies to the shops' callbacks: follow ``message.created`` events, record a
delivery for each reply on a webhook conversation, and POST due deliveries, signed, retrying
with backoff until delivered or dead.

The queue lives in the database (``webhook_deliveries``), not in memory: retries, deliveries
re-queued by an admin and those a stopped or crashed worker left behind are all just rows that
fall due."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from kefu import __version__
from kefu.channels.webhook.outbox import (
    OutboundDelivery,
    claim_delivery,
    due_deliveries,
    lease_delivery,
    record_attempt,
    shops_with_channels,
    unclaimed_replies,
)
from kefu.channels.webhook.retry import Attempt, DeliveryStatus, RetryPolicy
from kefu.channels.webhook.signing import signed_headers
from kefu.conversations.status import SenderType
from kefu.settings import Settings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.events import Event, LocalHub

log = logging.getLogger(__name__)

# How far back a starting sender looks for replies it missed, and how many it takes at once.
CATCH_UP = timedelta(hours=24)
BATCH = 100


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """How hard to try, and how often to look: ``poll_seconds`` bounds how late a retry or a
    re-queued dead letter is sent; ``refresh_seconds`` how late a new shop's channel is seen."""

    timeout_seconds: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    poll_seconds: float = 5.0
    refresh_seconds: float = 30.0
    concurrency: int = 10

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=2 * self.timeout_seconds + 5)


def is_reply(event: Event) -> bool:
    """A customer-visible message that, on a webhook conversation, is delivered."""
    return (
        event.type == "message.created"
        and event.data.get("sender_type") in (SenderType.AGENT.value, SenderType.BOT.value)
        and event.data.get("is_internal") is False
    )


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class DeliveryWorker:
    """One task following the event bus and polling for due deliveries, plus one task per
    delivery attempt in flight (at most ``concurrency``).

    Safe with several workers: each reply has one delivery row, and each attempt is leased in
    the database before it is made. With no enabled channel in any shop it only looks for one
    every ``refresh_seconds``."""

    def __init__(
        self,
        db: Database,
        hub: LocalHub,
        config: DeliveryConfig,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.hub = hub
        self.config = config
        self.clock = clock
        self.ready = asyncio.Event()
        self._client: httpx.AsyncClient | None = None
        self._runner: asyncio.Task[None] | None = None
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(config.concurrency)

    async def start(self) -> None:
        if self._runner is None:
            self._client = httpx.AsyncClient(
                timeout=self.config.timeout_seconds,
                follow_redirects=False,
                headers={"User-Agent": f"Kefu-Webhook/{__version__}"},
            )
            self._runner = asyncio.create_task(self._run(), name="kefu-webhook-sender")
            await asyncio.wait_for(self.ready.wait(), timeout=30)

    async def stop(self) -> None:
        """Stop at once; attempts cut short are leased and fall due again after the lease."""
        tasks = [t for t in (self._runner, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._runner = None
        self._in_flight.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        while True:
            try:
                shops = await self._shops()
                if not shops:
                    self.ready.set()
                    await asyncio.sleep(self.config.refresh_seconds)
                    continue
                topics = tuple(f"shop:{shop_id}" for shop_id in shops)
                subscription: Any
                with self.hub.subscribe(*topics) as subscription:
                    # Subscribed first, then caught up: no reply falls between the two.
                    await self._catch_up()
                    self.ready.set()
                    await self._follow(subscription, shops)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook sender failed; resuming shortly")
                self.ready.set()
                await asyncio.sleep(self.config.poll_seconds)

    async def _shops(self) -> tuple[int, ...]:
        async with self.db.session() as session:
            return await shops_with_channels(session)

    async def _follow(self, subscription: Any, shops: tuple[int, ...]) -> None:
        """Claim replies as they come and send what falls due, until the shops with channels
        change or the subscription overflows (then the caller catches up again). Other events
        (typing, status) cost nothing: the queue is read when a claim or a due time says so."""
        refresh_at = time.monotonic() + self.config.refresh_seconds
        check_at = 0.0
        while not subscription.overflowed:
            if time.monotonic() >= check_at:
                check_at = time.monotonic() + await self._send_due()
            try:
                event: Event = await asyncio.wait_for(
                    subscription.get(), max(check_at - time.monotonic(), 0.01)
                )
            except TimeoutError:
                if time.monotonic() >= refresh_at:
                    if await self._shops() != shops:
                        return
                    refresh_at = time.monotonic() + self.config.refresh_seconds
                continue
            if is_reply(event) and await self.claim(int(event.data["id"])):
                check_at = 0.0

    async def _catch_up(self) -> None:
        since = self.clock() - CATCH_UP
        while True:
            async with self.db.session() as session:
                ids = await unclaimed_replies(session, since=since, limit=BATCH)
            for message_id in ids:
                await self.claim(message_id)
            if len(ids) < BATCH:
                return

    async def claim(self, message_id: int) -> bool:
        """Record the delivery of reply ``message_id``, due now, if it is one to deliver and no
        worker has yet; whether this one did."""
        async with self.db.session() as session:
            delivery_id = await claim_delivery(
                session, kefu_message_id=message_id, now=self.clock()
            )
        return delivery_id is not None

    async def _send_due(self) -> float:
        """Start an attempt for every due delivery not already in flight here; return how long
        to wait before looking again."""
        now = self.clock()
        async with self.db.session() as session:
            due, later = await due_deliveries(session, now=now, limit=BATCH)
        for delivery_id in due:
            if delivery_id not in self._in_flight:
                self._launch(delivery_id)
        wait = self.config.poll_seconds
        if later is not None:
            wait = min(wait, (later - now).total_seconds())
        return max(wait, 0.01)

    def _launch(self, delivery_id: int) -> None:
        task = asyncio.create_task(
            self._attempt(delivery_id), name=f"kefu-webhook-delivery-{delivery_id}"
        )
        self._in_flight[delivery_id] = task

        def forget(_task: asyncio.Task[None]) -> None:
            self._in_flight.pop(delivery_id, None)

        task.add_done_callback(forget)

    async def _attempt(self, delivery_id: int) -> None:
        async with self._slots:
            async with self.db.session() as session:
                leased = await lease_delivery(
                    session, delivery_id=delivery_id, now=self.clock(), lease=self.config.lease
                )
            if leased is None:
                return
            attempt = await self._post(leased)
            async with self.db.session() as session:
                verdict = await record_attempt(
                    session,
                    delivery_id=delivery_id,
                    attempt=attempt,
                    policy=self.config.retry,
                    now=self.clock(),
                )
            if verdict.status == DeliveryStatus.DEAD:
                log.warning("webhook delivery %s is dead: %s", delivery_id, attempt.error)

    async def _post(self, delivery: OutboundDelivery) -> Attempt:
        assert self._client is not None
        body = encode(delivery.payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Kefu-Delivery": str(delivery.delivery_id),
            **signed_headers(delivery.secret, body, now=self.clock()),
        }
        try:
            response = await self._client.post(delivery.callback_url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return Attempt(None, f"{type(error).__name__}: {error}")
        if 200 <= response.status_code < 300:
            return Attempt(response.status_code, None)
        return Attempt(response.status_code, f"HTTP {response.status_code}: {response.text[:500]}")

    async def idle(self) -> None:
        """Wait until no attempt is in flight (tests, shutdown)."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight.values(), return_exceptions=True)


def config_from(settings: Settings) -> DeliveryConfig:
    return DeliveryConfig(
        timeout_seconds=settings.webhook_timeout_seconds,
        retry=RetryPolicy(
            attempts=settings.webhook_attempts, backoff_seconds=settings.webhook_backoff_seconds
        ),
        poll_seconds=settings.webhook_poll_seconds,
    )


async def start_webhook_sender(settings: Settings, db: Database) -> DeliveryWorker | None:
    """Start delivering replies unless ``KEFU_WEBHOOK_OUTBOUND`` is off or there is no event
    bus. Call from the application's lifespan after the bus has started; ``stop()`` the worker
    before the bus stops and the database is disposed."""
    if not settings.webhook_outbound or db.bus is None:
        return None
    worker = DeliveryWorker(db, db.bus.hub, config_from(settings))
    await worker.start()
    return worker
