"""The outbound side's bookkeeping: which replies to deliver, which deliveries are due, leasing
one to a worker, and recording each attempt. Every function commits its own transaction.

A reply goes where its conversation's latest inbound event came from: that receipt's channel
and sender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.channels.webhook.models import (
    DeliveryStatus,
    WebhookChannel,
    WebhookDelivery,
    WebhookReceipt,
)
from kefu.channels.webhook.retry import Attempt, RetryPolicy, Verdict, judge
from kefu.conversations.models import Conversation, Message
from kefu.conversations.status import Channel, SenderType

# Messages the customer sees: agents' replies and the bot's answers, never internal notes.
DELIVERED_SENDERS = (SenderType.AGENT.value, SenderType.BOT.value)
MAX_ERROR_CHARS = 2000


@dataclass(frozen=True, slots=True)
class OutboundDelivery:
    """A delivery leased to one worker: where to POST what, signed with which secret."""

    delivery_id: int
    callback_url: str
    secret: str
    payload: dict[str, Any]


async def shops_with_channels(session: AsyncSession) -> tuple[int, ...]:
    """Shops with an enabled webhook channel: the only ones whose events a sender follows."""
    rows = await session.scalars(
        select(WebhookChannel.shop_id)
        .where(WebhookChannel.is_enabled.is_(True))
        .distinct()
        .order_by(WebhookChannel.shop_id)
    )
    return tuple(rows.all())


async def _target(session: AsyncSession, conversation_id: int) -> WebhookReceipt | None:
    receipt: WebhookReceipt | None = await session.scalar(
        select(WebhookReceipt)
        .where(WebhookReceipt.conversation_id == conversation_id)
        .order_by(WebhookReceipt.id.desc())
        .limit(1)
    )
    return receipt


async def claim_delivery(
    session: AsyncSession, *, kefu_message_id: int, now: datetime
) -> int | None:
    """Record the delivery of a reply, due now, and return its id; None when the message is
    not one to deliver (a note, not an IM conversation written to by a webhook) or another
    worker has claimed it. Replies on a disabled channel are recorded dead at once."""
    message = await session.get(Message, kefu_message_id)
    if message is None or message.is_internal or message.sender_type not in DELIVERED_SENDERS:
        return None
    conversation = await session.get(Conversation, message.conversation_id)
    if conversation is None or conversation.channel != Channel.IM.value:
        return None
    target = await _target(session, conversation.id)
    claimed = await session.scalar(
        select(WebhookDelivery.id).where(WebhookDelivery.kefu_message_id == message.id)
    )
    if target is None or claimed is not None:
        return None
    channel = await session.get(WebhookChannel, target.channel_id)
    enabled = channel is not None and channel.is_enabled
    delivery = WebhookDelivery(
        shop_id=message.shop_id,
        channel_id=target.channel_id,
        conversation_id=conversation.id,
        kefu_message_id=message.id,
        recipient=target.sender_id,
        status=DeliveryStatus.PENDING if enabled else DeliveryStatus.DEAD,
        attempts=0,
        next_attempt_at=now if enabled else None,
        last_error=None if enabled else "the channel is disabled",
        created_at=now,
        updated_at=now,
    )
    session.add(delivery)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return None
    return delivery.id if enabled else None


async def unclaimed_replies(session: AsyncSession, *, since: datetime, limit: int) -> Sequence[int]:
    """Ids of replies since ``since`` on conversations a webhook wrote to that have no delivery
    yet: what a sender missed while it was not listening."""
    from_webhook = exists().where(WebhookReceipt.conversation_id == Conversation.id)
    rows = await session.scalars(
        select(Message.id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(WebhookDelivery, WebhookDelivery.kefu_message_id == Message.id)
        .where(
            Conversation.channel == Channel.IM.value,
            Message.sender_type.in_(DELIVERED_SENDERS),
            Message.is_internal.is_(False),
            Message.created_at >= since,
            WebhookDelivery.id.is_(None),
            from_webhook,
        )
        .order_by(Message.id)
        .limit(limit)
    )
    return rows.all()


async def due_deliveries(
    session: AsyncSession, *, now: datetime, limit: int
) -> tuple[Sequence[int], datetime | None]:
    """Ids of deliveries due by ``now`` (oldest first), and when the next one after those falls
    due (None when nothing else is queued)."""
    queued = WebhookDelivery.status.in_(DeliveryStatus.QUEUED)
    rows = await session.scalars(
        select(WebhookDelivery.id)
        .where(queued, WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    due = rows.all()
    later = await session.scalar(
        select(func.min(WebhookDelivery.next_attempt_at)).where(
            queued, WebhookDelivery.next_attempt_at > now
        )
    )
    await session.commit()
    return due, later


def payload(delivery: WebhookDelivery, message: Message) -> dict[str, Any]:
    """The JSON body POSTed to the callback (documented in docs/channels-webhook.md)."""
    return {
        "type": "message",
        "delivery_id": delivery.id,
        "channel_id": delivery.channel_id,
        "conversation_id": delivery.conversation_id,
        "message_id": message.id,
        "recipient": {"id": delivery.recipient},
        "text": message.body,
        "sender_type": message.sender_type,
        "created_at": message.created_at.isoformat(),
    }


async def lease_delivery(
    session: AsyncSession, *, delivery_id: int, now: datetime, lease: timedelta
) -> OutboundDelivery | None:
    """Take a due delivery for one attempt, or None if it is not due (another worker leased
    it, or it is final). The lease moves ``next_attempt_at`` past the attempt, so if this
    worker dies mid-attempt the delivery falls due again by itself."""
    result = await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status.in_(DeliveryStatus.QUEUED),
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + lease, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    if getattr(result, "rowcount", 0) != 1:
        return None
    delivery = await session.get(WebhookDelivery, delivery_id, populate_existing=True)
    assert delivery is not None
    channel = await session.get(WebhookChannel, delivery.channel_id)
    message = await session.get(Message, delivery.kefu_message_id)
    if channel is None or message is None or not channel.is_enabled:
        delivery.status = DeliveryStatus.DEAD
        delivery.next_attempt_at = None
        delivery.last_error = "the channel is disabled"
        await session.commit()
        return None
    return OutboundDelivery(
        delivery_id=delivery.id,
        callback_url=channel.callback_url,
        secret=channel.secret,
        payload=payload(delivery, message),
    )


async def record_attempt(
    session: AsyncSession,
    *,
    delivery_id: int,
    attempt: Attempt,
    policy: RetryPolicy,
    now: datetime,
) -> Verdict:
    """Count one attempt of a leased delivery and move it on: delivered, retrying (due again
    after the backoff) or dead."""
    delivery = await session.get(WebhookDelivery, delivery_id, populate_existing=True)
    assert delivery is not None
    delivery.attempts += 1
    verdict = judge(attempt, attempts_made=delivery.attempts, policy=policy, now=now)
    delivery.status = verdict.status
    delivery.next_attempt_at = verdict.next_attempt_at
    delivery.last_status_code = attempt.status_code
    delivery.last_error = None if attempt.error is None else attempt.error[:MAX_ERROR_CHARS]
    delivery.updated_at = now
    if verdict.status == DeliveryStatus.DELIVERED:
        delivery.delivered_at = now
    await session.commit()
    return verdict
