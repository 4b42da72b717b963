"""A customer chatting with the bot through the real service and database, for the bot's tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from kefu.accounts.models import Shop
from kefu.bot import service
from kefu.bot.engine import BotEngine
from kefu.bot.tables import BotAction, BotSession, BotSettings, BotTurn
from kefu.commerce.models import Order, Shipment, TrackingEvent
from kefu.conversations import service as conversations
from kefu.conversations.models import Conversation, Message
from kefu.customers.models import Customer
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory

ENGINE = BotEngine(None)


async def enable_bot(db: Database, shop: Shop, **options: object) -> None:
    async with db.session() as session:
        session.add(BotSettings(shop_id=shop.id, enabled=True, updated_at=utcnow(), **options))
        await session.commit()


async def ship(
    db: Database,
    order: Order,
    *,
    status: str = "in_transit",
    delivered_at: datetime | None = None,
    events: tuple[tuple[datetime, str, str], ...] = (),
) -> Shipment:
    """A shipment of ``order`` with tracking ``events`` as ``(time, status, description)``."""
    async with db.session() as session:
        shipment = Shipment(
            shop_id=order.shop_id,
            order_id=order.id,
            carrier="顺丰速运",
            tracking_no=f"SF{order.id:08d}",
            status=status,
            shipped_at=utcnow() - timedelta(days=2),
            delivered_at=delivered_at,
        )
        session.add(shipment)
        await session.flush()
        for at, event_status, description in events:
            session.add(
                TrackingEvent(
                    shipment_id=shipment.id,
                    occurred_at=at,
                    status=event_status,
                    location="杭州",
                    description=description,
                )
            )
        await session.commit()
        return shipment


@dataclass
class Chat:
    db: Database
    shop: Shop
    customer: Customer
    conversation: Conversation
    agents_online: int = 1
    engine: BotEngine = ENGINE

    @classmethod
    async def open(
        cls, factory: Factory, shop: Shop, *, customer: Customer | None = None, channel: str = "web"
    ) -> Chat:
        customer = customer or await factory.customer(shop)
        conversation = await factory.conversation(
            shop, customer=customer, channel=channel, messages=()
        )
        return cls(factory.db, shop, customer, conversation)

    async def write(self, text: str) -> int:
        """The customer's message, stored as the channels store it; its id."""
        async with self.db.session() as session:
            conversation = await session.get(Conversation, self.conversation.id)
            assert conversation is not None
            message, _ = await conversations.add_customer_message(
                session, conversation=conversation, body=text, idempotency_key=None, now=utcnow()
            )
            return message.id

    async def answer(self, message_id: int) -> BotTurn | None:
        async with self.db.session() as session:
            return await service.handle_customer_message(
                session,
                engine=self.engine,
                message_id=message_id,
                now=utcnow(),
                agents_online=self.agents_online,
            )

    async def say(self, text: str) -> BotTurn | None:
        return await self.answer(await self.write(text))

    async def bot_messages(self, *, internal: bool = False) -> list[str]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(Message.body)
                .where(
                    Message.conversation_id == self.conversation.id,
                    Message.sender_type == "bot",
                    Message.is_internal.is_(internal),
                )
                .order_by(Message.id)
            )
            return list(rows.all())

    async def last_reply(self) -> str:
        return (await self.bot_messages())[-1]

    async def state(self) -> BotSession:
        async with self.db.session() as session:
            state = await session.get(BotSession, self.conversation.id)
            assert state is not None
            return state

    async def fresh_conversation(self) -> Conversation:
        async with self.db.session() as session:
            conversation = await session.get(Conversation, self.conversation.id)
            assert conversation is not None
            return conversation

    async def actions(self) -> list[BotAction]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(BotAction)
                .where(BotAction.conversation_id == self.conversation.id)
                .order_by(BotAction.id)
            )
            return list(rows.all())
