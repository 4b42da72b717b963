"""Following the events of a changing set of shops: what background senders and workers share.

Subscribe to the shops' topics first, then catch up on what was missed, then handle events as
they come; re-subscribe when the set of shops changes or the subscription overflowed (a reader
too slow to keep up), and resume after a pause when anything fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from kefu.shared.events import Event, LocalHub

log = logging.getLogger(__name__)


@dataclass
class ShopFollower:
    """``topics`` says which shop topics to follow now; ``catch_up`` runs after each
    subscription; ``handle`` gets every event; ``idle`` (optional) runs every
    ``refresh_seconds`` without events while the topics stay the same. ``ready`` is set once
    the first catch-up has run (or failed)."""

    name: str
    hub: LocalHub
    topics: Callable[[], Awaitable[tuple[str, ...]]]
    catch_up: Callable[[], Awaitable[None]]
    handle: Callable[[Event], Awaitable[None]]
    refresh_seconds: float
    idle: Callable[[], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        self.ready = asyncio.Event()

    async def run(self) -> None:
        """Follow until cancelled."""
        while True:
            try:
                topics = await self.topics()
                subscription: Any
                with self.hub.subscribe(*topics) as subscription:
                    # Subscribed first, then caught up: nothing falls between the two.
                    await self.catch_up()
                    self.ready.set()
                    await self._follow(subscription, topics)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s failed; resuming shortly", self.name)
                self.ready.set()
                await asyncio.sleep(self.refresh_seconds)

    async def _follow(self, subscription: Any, topics: tuple[str, ...]) -> None:
        """Handle events until the shops change or the subscription overflows."""
        while not subscription.overflowed:
            try:
                event: Event = await asyncio.wait_for(subscription.get(), self.refresh_seconds)
            except TimeoutError:
                if await self.topics() != topics:
                    return
                if self.idle is not None:
                    await self.idle()
                continue
            await self.handle(event)
