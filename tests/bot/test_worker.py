"""The bot worker: follows customer messages after they are acknowledged and answers them, over
the real event bus and the real web chat socket."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from kefu.accounts.models import Shop
from kefu.app import create_app
from kefu.bot.tables import BotSettings, BotTurn
from kefu.bot.worker import BotWorker
from kefu.channels.presence import MemoryPresence
from kefu.commerce.models import Order, Shipment, TrackingEvent
from kefu.settings import Settings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.events import EventBus
from tests.bot.chat import ENGINE, Chat, enable_bot
from tests.factories import Factory


async def _until_bot_replied(chat: Chat, count: int = 1) -> list[str]:
    for _ in range(200):
        replies = await chat.bot_messages()
        if len(replies) >= count:
            return replies
        await asyncio.sleep(0.05)
    raise AssertionError("the bot did not answer")


async def test_worker_catches_up_then_follows_new_messages(
    factory: Factory, db: Database, bus: EventBus
) -> None:
    shop = await factory.shop()
    await enable_bot(db, shop)
    chat = await Chat.open(factory, shop)
    await chat.write("你好")  # sent while no worker was running
    worker = BotWorker(db, bus.hub, ENGINE, MemoryPresence())
    await worker.start()
    try:
        assert "智能客服" in (await _until_bot_replied(chat))[0]
        await chat.write("谢谢")
        assert "不客气" in (await _until_bot_replied(chat, 2))[1]
    finally:
        await worker.stop()


async def test_worker_ignores_shops_without_the_bot(
    factory: Factory, db: Database, bus: EventBus
) -> None:
    shop = await factory.shop()
    chat = await Chat.open(factory, shop)
    worker = BotWorker(db, bus.hub, ENGINE, MemoryPresence())
    await worker.start()
    try:
        await chat.write("我的订单到哪了")
        await asyncio.sleep(0.3)
        assert await chat.bot_messages() == []
    finally:
        await worker.stop()


def _seed_shop(database_url: str, *, bot: bool) -> str:
    """A shop (bot on or off) with a shipped order NO-<slug>; its slug. Seeded before the app
    starts, so its worker follows the shop from the first event."""
    slug = f"bot-{uuid.uuid4().hex[:8]}"

    async def seed() -> None:
        db = Database(database_url)
        now = utcnow()
        async with db.session() as session:
            shop = Shop(slug=slug, name="机器人店", created_at=now)
            session.add(shop)
            await session.flush()
            if bot:
                session.add(BotSettings(shop_id=shop.id, enabled=True, updated_at=now))
            order = Order(
                shop_id=shop.id,
                order_no=f"GD{shop.id:011d}",
                status="shipped",
                total_cents=9900,
                placed_at=now - timedelta(days=2),
            )
            session.add(order)
            await session.flush()
            shipment = Shipment(
                shop_id=shop.id,
                order_id=order.id,
                carrier="中通快递",
                tracking_no=f"ZT{shop.id}",
                status="in_transit",
                shipped_at=now - timedelta(days=1),
            )
            session.add(shipment)
            await session.flush()
            session.add(
                TrackingEvent(
                    shipment_id=shipment.id,
                    occurred_at=now - timedelta(hours=1),
                    status="in_transit",
                    location="广州",
                    description="快件已从广州转运中心发出",
                )
            )
            await session.commit()
        await db.dispose()

    asyncio.run(seed())
    return slug


def _app(database_url: str) -> Any:
    return create_app(
        Settings(env="test", database_url=database_url, secret_key=SecretStr("b" * 40))
    )


def _frames(ws: Any, until: str) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    for _ in range(30):
        frame = ws.receive_json()
        frames.append(frame)
        if frame["type"] == until or (
            until == "bot"
            and frame["type"] == "message"
            and frame["message"]["sender_type"] == "bot"
        ):
            return frames
    raise AssertionError(f"no {until} frame in {frames}")


def test_customer_asking_where_the_order_is_gets_the_latest_tracking_over_the_socket(
    database_url: str,
) -> None:
    slug = _seed_shop(database_url, bot=True)
    with (
        TestClient(_app(database_url)) as client,
        client.websocket_connect(f"/ws/chat/{slug}") as visitor,
    ):
        assert visitor.receive_json()["type"] == "welcome"

        async def order_number() -> str:
            async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
                shop_id = await session.scalar(select(Shop.id).where(Shop.slug == slug))
                return f"GD{shop_id:011d}"

        order_no = client.portal.call(order_number)  # type: ignore[union-attr]
        visitor.send_json({"type": "send", "client_id": "q1", "body": f"我的订单到哪了 {order_no}"})
        frames = _frames(visitor, "bot")
        kinds = [f["type"] for f in frames]
        # The customer's acknowledgement comes first: the bot never holds up the writer.
        assert kinds.index("ack") < len(kinds) - 1
        reply = frames[-1]["message"]
        assert "快件已从广州转运中心发出" in reply["body"] and order_no in reply["body"]
        visitor.send_json({"type": "send", "client_id": "q2", "body": "转人工"})
        handoff = _frames(visitor, "bot")[-1]["message"]
        assert "人工客服" in handoff["body"]


def test_shop_without_the_bot_gets_no_bot_answer(database_url: str) -> None:
    slug = _seed_shop(database_url, bot=False)
    with (
        TestClient(_app(database_url)) as client,
        client.websocket_connect(f"/ws/chat/{slug}") as visitor,
    ):
        visitor.receive_json()
        visitor.send_json({"type": "send", "client_id": "q1", "body": "我的订单到哪了"})
        assert _frames(visitor, "ack")

        async def turns() -> int:
            await asyncio.sleep(0.3)
            async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
                count = await session.scalar(
                    select(func.count())
                    .select_from(BotTurn)
                    .join(Shop, Shop.id == BotTurn.shop_id)
                    .where(Shop.slug == slug)
                )
                return int(count or 0)

        assert client.portal.call(turns) == 0  # type: ignore[union-attr]
