"""Leaving a message while no agent is online: stored as a web conversation the inbox shows,
with the contact details the visitor gave on their customer profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.channels import webchat
from kefu.channels.webchat_schemas import LeaveMessageIn
from kefu.conversations import service as conversations
from kefu.conversations.models import Message
from kefu.conversations.schemas import ConversationCreate
from kefu.conversations.status import Channel
from kefu.customers import service as customers
from kefu.customers.schemas import IdentityKind
from kefu.shared.errors import NotFound, RateLimited
from kefu.shared.ratelimit import FailureCounter

SUBJECT = "留言 / Message left"


@dataclass(frozen=True, slots=True)
class LeaveLimit:
    """At most ``per_visitor`` messages per visitor and ``per_address`` per client address in
    the counter's window: the form is public."""

    counter: FailureCounter
    window_seconds: int
    per_visitor: int = 5
    per_address: int = 20


async def _check_limit(limit: LeaveLimit, *, visitor_id: str, address: str) -> None:
    keys = ((f"leave:v:{visitor_id}", limit.per_visitor), (f"leave:a:{address}", limit.per_address))
    for key, most in keys:
        if await limit.counter.count(key) >= most:
            raise RateLimited(
                "too many messages left; try again later", retry_after=limit.window_seconds
            )
    for key, _most in keys:
        await limit.counter.add(key)


async def leave_message(
    session: AsyncSession,
    *,
    visitor: webchat.Visitor,
    data: LeaveMessageIn,
    limit: LeaveLimit,
    address: str,
    now: datetime,
) -> tuple[Message, bool]:
    """Record the contact details, then store the message (committed before this returns) in
    the visitor's current web conversation or a new one; and whether it is new."""
    await _check_limit(limit, visitor_id=visitor.visitor_id, address=address)
    await _record_contact(session, visitor=visitor, data=data, now=now)
    key = f"leave:{visitor.visitor_id}:{data.client_id}" if data.client_id else None
    current = await webchat.current_conversation(session, visitor=visitor)
    if current is not None:
        return await conversations.add_customer_message(
            session, conversation=current, body=data.body, idempotency_key=key, now=now
        )
    create = ConversationCreate(
        customer_id=visitor.customer_id,
        channel=Channel.WEB,
        subject=SUBJECT,
        body=data.body,
        idempotency_key=key,
    )
    conversation, created = await conversations.start_conversation(
        session, shop_id=visitor.shop_id, data=create, now=now
    )
    message = await session.scalar(
        select(Message)
        .where(Message.shop_id == visitor.shop_id, Message.conversation_id == conversation.id)
        .order_by(Message.id)
        .limit(1)
    )
    assert message is not None
    return message, created


async def _record_contact(
    session: AsyncSession, *, visitor: webchat.Visitor, data: LeaveMessageIn, now: datetime
) -> None:
    """Name, e-mail and phone onto the profile where it has none, and as identities where no
    other customer holds them. They are unverified: nothing is merged on their say-so."""
    customer = await customers.get_customer(
        session, shop_id=visitor.shop_id, customer_id=visitor.customer_id
    )
    if customer is None:
        raise NotFound("the visitor's customer is gone", code="customer_not_found")
    if customer.name in ("", visitor.visitor_id, webchat.visitor_name(visitor.visitor_id)):
        customer.name = data.name
    if data.email and customer.email is None:
        customer.email = data.email.lower()
    if data.phone and customer.phone is None:
        customer.phone = data.phone
    customer.updated_at = now
    await session.commit()
    for kind, value in ((IdentityKind.EMAIL, data.email), (IdentityKind.PHONE, data.phone)):
        if value:
            await customers.claim_identity(
                session, customer=customer, kind=kind, value=value, now=now
            )
