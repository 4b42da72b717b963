"""Agent presence: whether anyone of a shop is at the workspace, so visitors know to wait or to
leave a message.

"Online" means at least one open ``/ws/agent`` socket of the shop. In the embedded mode the
sockets are counted in this process; with Redis each socket is a member of a sorted set per shop,
scored by the moment it stops counting unless its socket refreshes it (``TTL_SECONDS``), so a
worker that dies without saying goodbye stops counting within a minute.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

TTL_SECONDS = 60
REFRESH_SECONDS = 20


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
