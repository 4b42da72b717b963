"""Agent presence: a shop is online while one of its agent sockets is open, in one process and,
with Redis, across processes."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from redis.asyncio import Redis

from kefu.channels.presence import AgentPresence, MemoryPresence, PresenceBoard, RedisPresence


async def _check(presence: AgentPresence) -> None:
    shop, other = 1, 2
    assert not await presence.online(shop)
    first = await presence.join(shop)
    second = await presence.join(shop)
    assert await presence.online(shop) and not await presence.online(other)
    await presence.leave(first)
    await presence.refresh(second)
    assert await presence.online(shop)
    await presence.leave(second)
    assert not await presence.online(shop)


async def test_memory_presence_counts_the_shops_sockets() -> None:
    await _check(MemoryPresence())


async def test_redis_presence_is_shared_by_workers() -> None:
    url = os.environ.get("KEFU_TEST_REDIS_URL")
    if not url:
        pytest.skip("set KEFU_TEST_REDIS_URL to test presence in Redis")
    redis = Redis.from_url(url)
    prefix = f"kefu:test-agents:{uuid.uuid4().hex}:"
    try:
        await _check(RedisPresence(redis, prefix=prefix))
        worker_a, worker_b = (
            RedisPresence(redis, prefix=prefix),
            RedisPresence(redis, prefix=prefix),
        )
        seat = await worker_a.join(7)
        assert await worker_b.online(7)
        await worker_a.leave(seat)
        assert not await worker_b.online(7)
    finally:
        await redis.aclose()


class CountingPresence(MemoryPresence):
    """Counts how often the registry is asked, to show the board asks once per shop."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    async def online(self, shop_id: int) -> bool:
        self.asked += 1
        return await super().online(shop_id)


async def test_board_tells_every_watcher_of_a_change_and_asks_once_per_shop() -> None:
    presence = CountingPresence()
    board = PresenceBoard(presence, interval=0.01)
    try:
        async with board.watch(7) as first, board.watch(7) as second:
            assert not await board.online(7)
            seat = await presence.join(7)
            assert await asyncio.wait_for(anext(first), 2) is True
            assert await asyncio.wait_for(anext(second), 2) is True
            asked = presence.asked
            await asyncio.sleep(0.1)  # about ten checks: one call each, not one per watcher
            assert presence.asked - asked <= 12
            await presence.leave(seat)
            assert await asyncio.wait_for(anext(first), 2) is False
        assert await board.online(7) is False  # not watched any more: asked afresh
    finally:
        await board.stop()


async def test_an_agent_joining_in_this_process_is_announced_without_waiting() -> None:
    board = PresenceBoard(MemoryPresence(), interval=3600)  # the poller would be far too late
    try:
        async with board.watch(9) as changes:
            seat = await board.join(9)
            assert await asyncio.wait_for(anext(changes), 1) is True
            assert await board.online(9) is True
            await board.leave(seat)
            assert await asyncio.wait_for(anext(changes), 1) is False
    finally:
        await board.stop()
