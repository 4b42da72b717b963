"""The event bus: realtime events (new message, assignment, status) fanned out to subscribers.

Services queue events on their session with ``emit_on_commit``; they are published only once the
transaction commits, and dropped on rollback. Each process keeps one local hub of subscriber
queues by topic; the Redis bus adds one pub/sub connection per process so that every process's
subscribers see every process's events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from redis.asyncio import Redis
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

PENDING = "kefu_pending_events"
BUS = "kefu_event_bus"
QUEUE_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    shop_id: int
    conversation_id: int | None = None
    customer_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def topics(self) -> list[str]:
        """``shop:`` for agents' inboxes, ``conversation:`` for open views, ``customer:`` for
        the customer's own chat (which follows them from one conversation to the next)."""
        topics = [f"shop:{self.shop_id}"]
        if self.conversation_id is not None:
            topics.append(f"conversation:{self.conversation_id}")
        if self.customer_id is not None:
            topics.append(f"customer:{self.customer_id}")
        return topics

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, default=str)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event:
        return cls(**json.loads(raw))


class Subscription:
    """A bounded queue of events for one subscriber; a subscriber too slow to drain it is cut off
    (``overflowed``) rather than slowing every publisher down."""

    def __init__(self, hub: LocalHub, topics: tuple[str, ...]) -> None:
        self.hub = hub
        self.topics = topics
        self.queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_LIMIT)
        self.overflowed = False

    async def get(self) -> Event:
        return await self.queue.get()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while not self.overflowed:
            yield await self.queue.get()


class LocalHub:
    """Subscriber queues of this process, by topic."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = {}

    def deliver(self, event: Event) -> None:
        seen: set[int] = set()
        for topic in event.topics():
            for sub in list(self._subscribers.get(topic, ())):
                if id(sub) in seen:
                    continue
                seen.add(id(sub))
                try:
                    sub.queue.put_nowait(event)
                except asyncio.QueueFull:
                    sub.overflowed = True

    @contextlib.contextmanager
    def subscribe(self, *topics: str) -> Any:
        sub = Subscription(self, topics)
        for topic in topics:
            self._subscribers.setdefault(topic, set()).add(sub)
        try:
            yield sub
        finally:
            for topic in topics:
                subs = self._subscribers.get(topic)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._subscribers[topic]

    def subscriber_count(self) -> int:
        return len({id(s) for subs in self._subscribers.values() for s in subs})


class EventBus(Protocol):
    hub: LocalHub

    async def publish(self, events: list[Event]) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


class MemoryEventBus:
    """The embedded default: events reach subscribers of this process only."""

    def __init__(self) -> None:
        self.hub = LocalHub()

    async def publish(self, events: list[Event]) -> None:
        for event in events:
            self.hub.deliver(event)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class RedisEventBus:
    """Scale mode: publish through Redis pub/sub; one reader task per process feeds the hub."""

    CHANNEL = "kefu:events"

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.hub = LocalHub()
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def publish(self, events: list[Event]) -> None:
        if len(events) == 1:
            await self.redis.publish(self.CHANNEL, events[0].to_json())
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for event in events:
                pipe.publish(self.CHANNEL, event.to_json())
            await pipe.execute()

    async def start(self) -> None:
        if self._reader is None:
            self._reader = asyncio.create_task(self._read(), name="kefu-event-reader")
            await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None

    async def _read(self) -> None:
        while True:
            try:
                async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.CHANNEL)
                    self._ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self.hub.deliver(Event.from_json(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # the connection dropped: resubscribe after a pause
                log.exception("event reader lost Redis; reconnecting")
                await asyncio.sleep(1)


def emit_on_commit(session: AsyncSession, event: Event) -> None:
    """Queue ``event`` to be published when ``session`` commits (and forgotten on rollback)."""
    session.sync_session.info.setdefault(PENDING, []).append(event)


_tasks: set[asyncio.Task[None]] = set()


@sa_event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    events: list[Event] = session.info.pop(PENDING, [])
    bus: EventBus | None = session.info.get(BUS)
    if not events or bus is None:
        return
    task = asyncio.get_running_loop().create_task(bus.publish(events))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(PENDING, None)
