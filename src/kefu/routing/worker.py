"""The router in the background: route conversations as events say they need people, give
waiting ones out as agents free up, and sweep every few seconds so nothing is forgotten.

Safe with several workers: every worker sees every event, and every step is guarded in the
database (see ``kefu.routing.service``), so a duplicate attempt changes nothing. The sweep is
the safety net: a lost event delays a conversation by at most ``SWEEP_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from kefu.accounts.models import Shop
from kefu.conversations.status import SenderType, Status
from kefu.routing import intake, presence, queues, service
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.events import Event, LocalHub
from kefu.shared.follow import ShopFollower
from kefu.sla import service as sla_service
from kefu.sla import sync as sla_sync

log = logging.getLogger(__name__)

SWEEP_SECONDS = 5.0
SLA_BATCH_SECONDS = 1.0
# The first sweep re-checks the SLA clocks of conversations changed this long ago; later ones
# overlap the previous sweep by a little, for changes committed while it ran.
SLA_CATCH_UP = timedelta(hours=1)
SLA_OVERLAP = timedelta(seconds=30)
SETTLED_LIMIT = 50_000
DISPATCH_DELAY_SECONDS = 0.05
STOP_ATTEMPTS = 20
STOP_WAIT_SECONDS = 0.5
REFRESH_SECONDS = 30.0
_FREEING = frozenset({"status", "assignment", "transfer", "escalation", "handover"})
_FREEING = frozenset({"status", "assignment", "transfer", "escalation", "queued", "handover"})


class RoutingWorker:
    """One follower task and one sweep task per process; failures are logged and retried."""

    def __init__(
        self,
        db: Database,
        hub: LocalHub,
        *,
        bot_takes: intake.BotTakes | None = None,
        clock: Callable[[], datetime] = utcnow,
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self.db = db
        self.bot_takes = bot_takes
        self.clock = clock
        self.sweep_seconds = sweep_seconds
        self._tasks: list[asyncio.Task[None]] = []
        # Conversations known queued or held (insertion-ordered, bounded), and those whose
        # SLA clocks need a look.
        self._settled: dict[int, bool] = {}
        self._sla_dirty: set[int] = set()
        self._swept_at: datetime | None = None
        # Shops with a dispatch on its way (True: more events came meanwhile: run again).
        self._dispatching: dict[int, bool] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._follower = ShopFollower(
            name="router",
            hub=hub,
            topics=self._shop_topics,
            catch_up=self.sweep,
            handle=self._on_event,
            refresh_seconds=REFRESH_SECONDS,
        )
        self.ready = self._follower.ready

    async def start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._follower.run(), name="kefu-router"),
                asyncio.create_task(self._sweep_forever(), name="kefu-router-sweep"),
                asyncio.create_task(self._track_sla_forever(), name="kefu-sla-track"),
            ]
            await asyncio.wait_for(self.ready.wait(), timeout=30)

    async def stop(self) -> None:
        """Cancel the tasks and wait for them. Cancels again while any is still running: a
        cancellation that lands inside a library's own timeout handling can be absorbed."""
        pending = {task for task in (*self._tasks, *self._background) if not task.done()}
        for _ in range(STOP_ATTEMPTS):
            if not pending:
                break
            for task in pending:
                task.cancel()
            _done, pending = await asyncio.wait(pending, timeout=STOP_WAIT_SECONDS)
        if pending:
            log.warning("router tasks still running after stop: %s", pending)
        self._tasks = []

    async def _shop_topics(self) -> tuple[str, ...]:
        async with self.db.session() as session:
            ids = await session.scalars(select(Shop.id).order_by(Shop.id))
            return tuple(f"shop:{shop_id}" for shop_id in ids)

    async def _on_event(self, event: Event) -> None:
        try:
            await self._react(event)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the router could not handle %s", event.type)

    async def _react(self, event: Event) -> None:
        data, now, conversation_id = event.data, self.clock(), event.conversation_id
        if conversation_id is None:
            if event.type == "routing.changed" or (
                event.type == "agent.presence" and data.get("presence") == "online"
            ):
                await self._dispatch(event.shop_id, now)
            return
        if event.type == "message.created":
            if data.get("is_internal"):
                return
            self._sla_dirty.add(conversation_id)
            if data.get("sender_type") == SenderType.CUSTOMER.value:
                await self._take_in(event.shop_id, conversation_id, now)
            return
        if event.type == "conversation.updated":
            self._settled.pop(conversation_id, None)
            self._sla_dirty.add(conversation_id)
            # "queued" comes from take_in, which has just routed it; a new conversation is not
            # queued yet (its first message, just behind, is what take_in looks at).
            if (
                data.get("assignee_id") is None
                and data.get("status") == Status.OPEN.value
                and data.get("change") not in ("queued", "created")
            ):
                async with self.db.session() as session:
                    await service.route_conversation(
                        session, shop_id=event.shop_id, conversation_id=conversation_id, now=now
                    )
            if data.get("change") in _FREEING:
                await self._dispatch(event.shop_id, now)

    async def _take_in(self, shop_id: int, conversation_id: int, now: datetime) -> None:
        """Queue and route a customer's conversation, unless this process already knows it
        is queued or held (the common case while a chat goes on): saves a query per message.
        Any change to the conversation (an event) makes it unknown again."""
        if conversation_id in self._settled:
            return
        async with self.db.session() as session:
            routed = await intake.take_in(
                session,
                shop_id=shop_id,
                conversation_id=conversation_id,
                now=now,
                bot_takes=self.bot_takes,
            )
        if routed is not None:
            if len(self._settled) >= SETTLED_LIMIT:
                self._settled.clear()
            self._settled[conversation_id] = True

    async def _track_sla_forever(self) -> None:
        """Reconcile the SLA clocks of conversations that changed, in batches."""
        while True:
            await asyncio.sleep(SLA_BATCH_SECONDS)
            if not self._sla_dirty:
                continue
            batch, self._sla_dirty = self._sla_dirty, set()
            try:
                async with self.db.session() as session:
                    await sla_sync.track(session, conversation_ids=sorted(batch), now=self.clock())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("SLA tracking failed for %d conversations", len(batch))

    async def _dispatch(self, shop_id: int, now: datetime) -> None:
        """Give out the shop's waiting conversations soon: events come in bursts (a chat
        opening queues, routes and assigns at once), and one dispatch after the burst does
        what one per event would, at a fraction of the queries."""
        if shop_id in self._dispatching:
            self._dispatching[shop_id] = True
            return
        self._dispatching[shop_id] = False
        task = asyncio.create_task(self._dispatch_after_burst(shop_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _dispatch_after_burst(self, shop_id: int) -> None:
        try:
            while True:
                await asyncio.sleep(DISPATCH_DELAY_SECONDS)
                self._dispatching[shop_id] = False
                async with self.db.session() as session:
                    await service.dispatch(session, shop_id=shop_id, now=self.clock())
                if not self._dispatching.get(shop_id):
                    break
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("dispatch failed for shop %s", shop_id)
        finally:
            self._dispatching.pop(shop_id, None)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds)
            with contextlib.suppress(Exception):
                await self.sweep()

    async def sweep(self) -> None:
        """One pass of the safety net: silent agents go offline, forgotten conversations are
        queued, peak squads join or leave, waiting conversations are given out."""
        now = self.clock()
        try:
            async with self.db.session() as session:
                await presence.expire_silent(session, now=now)
            async with self.db.session() as session:
                stale = await intake.forgotten(session, now=now)
            for conversation_id, shop_id in stale:
                async with self.db.session() as session:
                    await intake.take_in(
                        session, shop_id=shop_id, conversation_id=conversation_id, now=now
                    )
            async with self.db.session() as session:
                waiting = await intake.shops_waiting(session)
                peaked = await queues.peak_shops(session)
            for shop_id in sorted(set(peaked)):
                async with self.db.session() as session:
                    await queues.evaluate_peaks(session, shop_id=shop_id, now=now)
            for shop_id in waiting:
                await self._dispatch(shop_id, now)
            async with self.db.session() as session:
                await sla_service.sweep(session, now=now)
            since = self._swept_at or now - SLA_CATCH_UP
            async with self.db.session() as session:
                await sla_sync.track_recent(session, since=since - SLA_OVERLAP, now=now)
            self._swept_at = now
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the router's sweep failed; it runs again shortly")
            raise
