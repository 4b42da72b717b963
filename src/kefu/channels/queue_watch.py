"""Queue positions for waiting web-chat customers: one query per shop every few seconds for the
whole process, however many of its customers wait, and a frame to a customer only when their
position or predicted wait changes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime

from kefu.routing import queues
from kefu.routing.wait import rounded_minutes
from kefu.shared.clock import utcnow
from kefu.shared.db import Database

log = logging.getLogger(__name__)

CHECK_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class Place:
    """What a waiting customer is told: 0 = not waiting (any more)."""

    position: int
    wait_minutes: int | None

    def frame(self) -> dict[str, object]:
        return {"type": "queue", "position": self.position, "wait_minutes": self.wait_minutes}


NOT_WAITING = Place(0, None)


@dataclass(eq=False)
class _Watcher:
    customer_id: int
    told: Place = NOT_WAITING
    mailbox: asyncio.Queue[Place] = field(default_factory=lambda: asyncio.Queue(maxsize=1))

    def tell(self, place: Place) -> None:
        if place == self.told:
            return
        self.told = place
        if self.mailbox.full():
            self.mailbox.get_nowait()
        self.mailbox.put_nowait(place)


class QueueWatch:
    """Shared by the visitor sockets of one process."""

    def __init__(
        self,
        db: Database,
        interval: float = CHECK_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.interval = interval
        self.clock = clock
        self._shops: dict[int, set[_Watcher]] = {}
        self._poller: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def watch(self, shop_id: int, customer_id: int) -> AsyncIterator[AsyncIterator[Place]]:
        """Within the block, iterate to get the customer's place each time it changes."""
        watcher = _Watcher(customer_id)
        self._shops.setdefault(shop_id, set()).add(watcher)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(), name="kefu-queue-watch")
        try:
            yield self._read(watcher)
        finally:
            watchers = self._shops.get(shop_id)
            if watchers is not None:
                watchers.discard(watcher)
                if not watchers:
                    del self._shops[shop_id]

    @staticmethod
    async def _read(watcher: _Watcher) -> AsyncIterator[Place]:
        while True:
            yield await watcher.mailbox.get()

    async def check(self, shop_id: int) -> None:
        """One positions query for ``shop_id``, passed on to its watching customers."""
        watchers = self._shops.get(shop_id)
        if not watchers:
            return
        async with self.db.session() as session:
            places = await queues.customer_positions(session, shop_id=shop_id, now=self.clock())
        for watcher in list(watchers):
            found = places.get(watcher.customer_id)
            if found is None:
                watcher.tell(NOT_WAITING)
                continue
            minutes = None if found.wait_seconds is None else rounded_minutes(found.wait_seconds)
            watcher.tell(Place(found.position, minutes))

    async def _poll(self) -> None:
        while self._shops:
            for shop_id in list(self._shops):
                try:
                    await self.check(shop_id)
                except Exception:
                    log.exception("queue positions of shop %s failed", shop_id)
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
