"""Agent presence: whether anyone of a shop is at the workspace, so visitors know to wait or to
leave a message.

"Online" means at least one open ``/ws/agent`` socket of the shop. In the embedded mode the
sockets are counted in this process; with Redis each socket is a member of a sorted set per shop,
scored by the moment it stops counting unless its socket refreshes it (``TTL_SECONDS``), so a
worker that dies without saying goodbye stops counting within a minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

from redis.asyncio import Redis

TTL_SECONDS = 60
REFRESH_SECONDS = 20
CHECK_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Seat:
    """One agent socket's place in the registry."""

    shop_id: int
    key: str


class AgentPresence(Protocol):
    async def join(self, shop_id: int) -> Seat: ...
    async def refresh(self, seat: Seat) -> None: ...
    async def leave(self, seat: Seat) -> None: ...
    async def online(self, shop_id: int) -> bool: ...


class MemoryPresence:
    """Counts agent sockets of this process: right for the single-process embedded mode."""

    def __init__(self) -> None:
        self._sockets: Counter[int] = Counter()

    async def join(self, shop_id: int) -> Seat:
        self._sockets[shop_id] += 1
        return Seat(shop_id=shop_id, key=uuid.uuid4().hex)

    async def refresh(self, seat: Seat) -> None:
        return None

    async def leave(self, seat: Seat) -> None:
        self._sockets[seat.shop_id] -= 1
        if self._sockets[seat.shop_id] <= 0:
            del self._sockets[seat.shop_id]

    async def online(self, shop_id: int) -> bool:
        return self._sockets[shop_id] > 0


class RedisPresence:
    """Shared by every worker: ``kefu:agents:<shop id>`` holds one member per agent socket."""

    def __init__(self, redis: Redis, prefix: str = "kefu:agents:") -> None:
        self.redis = redis
        self.prefix = prefix

    def _name(self, shop_id: int) -> str:
        return f"{self.prefix}{shop_id}"

    async def join(self, shop_id: int) -> Seat:
        seat = Seat(shop_id=shop_id, key=uuid.uuid4().hex)
        await self.refresh(seat)
        return seat

    async def refresh(self, seat: Seat) -> None:
        now = time.time()
        name = self._name(seat.shop_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(name, {seat.key: now + TTL_SECONDS})
            pipe.zremrangebyscore(name, "-inf", now)
            pipe.expire(name, TTL_SECONDS * 2)
            await pipe.execute()

    async def leave(self, seat: Seat) -> None:
        await self.redis.zrem(self._name(seat.shop_id), seat.key)

    async def online(self, shop_id: int) -> bool:
        count = await self.redis.zcount(self._name(shop_id), time.time(), "+inf")
        return int(count) > 0


@dataclass(eq=False)
class _Shop:
    online: bool
    # One mailbox per watching socket, holding only the latest answer it has not read yet.
    mailboxes: set[asyncio.Queue[bool]] = field(default_factory=set)

    def tell(self, online: bool) -> None:
        self.online = online
        for mailbox in self.mailboxes:
            if mailbox.full():
                mailbox.get_nowait()
            mailbox.put_nowait(online)


class PresenceBoard:
    """What visitor sockets watch: one check per shop every ``interval`` seconds for the whole
    process, however many visitors of that shop are connected, and a wake-up for each of them
    only when the answer changes (so idle sockets cost no timers and no Redis calls)."""

    def __init__(self, presence: AgentPresence, interval: float = CHECK_SECONDS) -> None:
        self.presence = presence
        self.interval = interval
        self._shops: dict[int, _Shop] = {}
        self._poller: asyncio.Task[None] | None = None

    async def online(self, shop_id: int) -> bool:
        """A fresh answer (one registry call), passed on to the shop's watchers if it changed."""
        online = await self.presence.online(shop_id)
        shop = self._shops.get(shop_id)
        if shop is not None and online != shop.online:
            shop.tell(online)
        return online

    async def join(self, shop_id: int) -> Seat:
        """Count an agent socket of this process; its shop's visitors here hear it at once
        (visitors on other workers within one check interval)."""
        seat = await self.presence.join(shop_id)
        await self.online(shop_id)
        return seat

    async def leave(self, seat: Seat) -> None:
        await self.presence.leave(seat)
        await self.online(seat.shop_id)

    @contextlib.asynccontextmanager
    async def watch(self, shop_id: int) -> AsyncIterator[AsyncIterator[bool]]:
        """Within the block, iterate to get each new answer for ``shop_id`` as it changes;
        a reader that falls behind gets the latest answer, not every one."""
        shop = self._shops.get(shop_id)
        if shop is None:
            shop = self._shops[shop_id] = _Shop(online=await self.presence.online(shop_id))
        mailbox: asyncio.Queue[bool] = asyncio.Queue(maxsize=1)
        shop.mailboxes.add(mailbox)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(), name="kefu-presence-board")
        try:
            yield self._read(mailbox)
        finally:
            shop.mailboxes.discard(mailbox)
            if not shop.mailboxes and self._shops.get(shop_id) is shop:
                del self._shops[shop_id]

    @staticmethod
    async def _read(mailbox: asyncio.Queue[bool]) -> AsyncIterator[bool]:
        while True:
            yield await mailbox.get()

    async def _poll(self) -> None:
        while self._shops:
            await asyncio.sleep(self.interval)
            for shop_id, shop in list(self._shops.items()):
                online = await self.presence.online(shop_id)
                if online != shop.online:
                    shop.tell(online)

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
