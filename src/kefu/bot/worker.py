"""The bot in the background: follow ``message.created`` events of the shops whose bot is on,
and take the bot's turn on each customer message — after the message is committed and
acknowledged, off the chat writer's path.

Safe with several workers: every worker sees every event, but a turn is claimed in the database
(one `BotTurn` per message), so only one worker answers. On start, and whenever it fell behind,
a worker catches up on recent customer messages nobody answered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from kefu.bot import queries, service
from kefu.bot.engine import BotEngine
from kefu.channels.presence import AgentPresence
from kefu.conversations.status import SenderType
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.events import Event, LocalHub
from kefu.shared.follow import ShopFollower

log = logging.getLogger(__name__)

REFRESH_SECONDS = 30.0
# Older unanswered messages are left to people: an answer an hour late helps nobody.
CATCH_UP = timedelta(minutes=10)
CATCH_UP_BATCH = 100


def is_customer_message(event: Event) -> bool:
    data = event.data
    return (
        event.type == "message.created"
        and data.get("sender_type") == SenderType.CUSTOMER.value
        and data.get("is_internal") is False
    )


class BotWorker:
    """One background task per process; a failure is logged and the task resumes."""

    def __init__(
        self,
        db: Database,
        hub: LocalHub,
        engine: BotEngine,
        presence: AgentPresence,
        *,
        clock: Callable[[], datetime] = utcnow,
        refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:
        self.db = db
        self.hub = hub
        self.engine = engine
        self.presence = presence
        self.clock = clock
        self.refresh_seconds = refresh_seconds
        self._task: asyncio.Task[None] | None = None
        self._follower = ShopFollower(
            name="bot worker",
            hub=hub,
            topics=self._shop_topics,
            catch_up=self._catch_up,
            handle=self._on_event,
            refresh_seconds=refresh_seconds,
        )
        self.ready = self._follower.ready

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._follower.run(), name="kefu-bot")
            await asyncio.wait_for(self.ready.wait(), timeout=30)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _shop_topics(self) -> tuple[str, ...]:
        async with self.db.session() as session:
            return tuple(f"shop:{shop_id}" for shop_id in await service.enabled_shops(session))

    async def _on_event(self, event: Event) -> None:
        if is_customer_message(event):
            await self.handle(int(event.data["id"]), event.shop_id)

    async def _catch_up(self) -> None:
        since = self.clock() - CATCH_UP
        async with self.db.session() as session:
            pending = await queries.unanswered_messages(session, since=since, limit=CATCH_UP_BATCH)
        for message_id, shop_id in pending:
            await self.handle(message_id, shop_id)

    async def handle(self, message_id: int, shop_id: int) -> None:
        """Take the bot's turn on one message; errors are logged, never raised."""
        try:
            online = 1 if await self.presence.online(shop_id) else 0
            async with self.db.session() as session:
                await service.handle_customer_message(
                    session,
                    engine=self.engine,
                    message_id=message_id,
                    now=self.clock(),
                    agents_online=online,
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the bot could not answer message %s", message_id)


async def start_bot_worker(
    db: Database, hub: LocalHub, engine: BotEngine, presence: AgentPresence
) -> BotWorker:
    worker = BotWorker(db, hub, engine, presence)
    await worker.start()
    return worker
