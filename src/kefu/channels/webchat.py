"""Web chat use cases: recognise the visitor, take their messages, give them their history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.service import require_shop_by_slug
from kefu.channels.visitor import VisitorClaim
from kefu.conversations import service as conversations
from kefu.conversations.models import Conversation, Message
from kefu.conversations.schemas import ConversationCreate
from kefu.conversations.status import Channel, Priority, Status
from kefu.customers.schemas import IdentityKind
from kefu.customers.service import find_or_create_by_identity

HISTORY_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Visitor:
    shop_id: int
    customer_id: int
    visitor_id: str


async def shop_id_for_slug(session: AsyncSession, slug: str) -> int:
    return (await require_shop_by_slug(session, slug)).id


def visitor_name(visitor_id: str) -> str:
    return f"访客 {visitor_id[:6].upper()}"


async def recognise_visitor(
    session: AsyncSession, *, claim: VisitorClaim, now: datetime
) -> Visitor:
    """The customer behind a visitor id, created on first contact (identity kind ``web``) and
    named like "访客 3F1C2A" (the shop may rename them) rather than by the raw visitor id."""
    customer, _ = await find_or_create_by_identity(
        session,
        shop_id=claim.shop_id,
        kind=IdentityKind.WEB,
        value=claim.visitor_id,
        name=visitor_name(claim.visitor_id),
        now=now,
    )
    return Visitor(shop_id=claim.shop_id, customer_id=customer.id, visitor_id=claim.visitor_id)


@dataclass(frozen=True, slots=True)
class Thread:
    """The few facts about a conversation that taking a message needs."""

    id: int
    shop_id: int
    customer_id: int
    status: str


async def current_conversation(session: AsyncSession, *, visitor: Visitor) -> Thread | None:
    """The visitor's latest web conversation unless it is closed (then the next message opens
    a new one)."""
    latest = (
        await session.execute(
            select(Conversation.id, Conversation.status)
            .where(
                Conversation.shop_id == visitor.shop_id,
                Conversation.customer_id == visitor.customer_id,
                Conversation.channel == Channel.WEB.value,
            )
            .order_by(Conversation.id.desc())
            .limit(1)
        )
    ).first()
    if latest is None or latest.status == Status.CLOSED.value:
        return None
    return Thread(
        id=latest.id, shop_id=visitor.shop_id, customer_id=visitor.customer_id, status=latest.status
    )


def message_key(visitor: Visitor, client_id: str) -> str:
    """Idempotency key of a visitor's send: a resent frame never stores a second message."""
    return f"web:{visitor.visitor_id}:{client_id}"


async def receive_message(
    session: AsyncSession,
    *,
    visitor: Visitor,
    body: str,
    client_id: str,
    now: datetime,
    attachment_ids: Sequence[int] = (),
) -> tuple[Message, bool]:
    """Store a visitor's message (committed before this returns) and whether it is new; it may
    carry the visitor's own unsent uploads."""
    key = message_key(visitor, client_id)
    conversation = await current_conversation(session, visitor=visitor)
    if conversation is not None:
        return await conversations.add_customer_message(
            session,
            conversation=conversation,
            body=body,
            idempotency_key=key,
            now=now,
            attachment_ids=attachment_ids,
        )
    if body.strip():
        data = ConversationCreate(
            customer_id=visitor.customer_id, channel=Channel.WEB, body=body, idempotency_key=key
        )
    else:
        # Files without text: the API's shape for opening a conversation refuses an empty body,
        # but the send frame that carries the files was validated already.
        data = ConversationCreate.model_construct(
            customer_id=visitor.customer_id,
            channel=Channel.WEB,
            subject="",
            priority=Priority.NORMAL,
            body="",
            idempotency_key=key,
        )
    _conversation, created = await conversations.start_conversation(
        session, shop_id=visitor.shop_id, data=data, now=now, attachment_ids=attachment_ids
    )
    message = await session.scalar(
        select(Message).where(Message.shop_id == visitor.shop_id, Message.idempotency_key == key)
    )
    assert message is not None
    return message, created


async def history(session: AsyncSession, *, visitor: Visitor, after_id: int) -> Sequence[Message]:
    """Messages the visitor may see (no internal notes) on their web conversations, after
    ``after_id``: what a reconnecting widget missed."""
    rows = await session.scalars(
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.shop_id == visitor.shop_id,
            Conversation.customer_id == visitor.customer_id,
            Conversation.channel == Channel.WEB.value,
            Message.is_internal.is_(False),
            Message.id > after_id,
        )
        .order_by(Message.id)
        .limit(HISTORY_LIMIT)
    )
    return rows.all()
