"""Failure counters for rate limits: in-process by default, in Redis when processes share them."""

from __future__ import annotations

import time
from collections import deque
from typing import Protocol

from redis.asyncio import Redis


class FailureCounter(Protocol):
    async def count(self, key: str) -> int: ...
    async def add(self, key: str) -> int: ...
    async def clear(self, key: str) -> None: ...


class MemoryFailureCounter:
    """Sliding window of failure times per key, kept in this process."""

    def __init__(self, window_seconds: int) -> None:
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}

    def _live(self, key: str) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        horizon = time.monotonic() - self.window
        while hits and hits[0] < horizon:
            hits.popleft()
        return hits

    async def count(self, key: str) -> int:
        return len(self._live(key))

    async def add(self, key: str) -> int:
        hits = self._live(key)
        hits.append(time.monotonic())
        return len(hits)

    async def clear(self, key: str) -> None:
        self._hits.pop(key, None)


class RedisFailureCounter:
    """Fixed window per key in Redis, shared by every worker process."""

    def __init__(self, redis: Redis, window_seconds: int, prefix: str = "kefu:fail:") -> None:
        self.redis = redis
        self.window = window_seconds
        self.prefix = prefix

    async def count(self, key: str) -> int:
        value = await self.redis.get(self.prefix + key)
        return int(value or 0)

    async def add(self, key: str) -> int:
        name = self.prefix + key
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, self.window, nx=True)
            hits, _ = await pipe.execute()
        return int(hits)

    async def clear(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)
