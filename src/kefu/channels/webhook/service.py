"""Webhook channel use cases: shops' integrations (admin only), signed inbound events stored
exactly once, and the dead-letter list of deliveries.

Each write use case commits its own transaction; an inbound event is acknowledged only once
``receive_event`` has returned."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.accounts.service import record_audit
from kefu.channels.webhook import signing
from kefu.channels.webhook.models import (
    DeliveryStatus,
    WebhookChannel,
    WebhookDelivery,
    WebhookReceipt,
)
from kefu.channels.webhook.schemas import InboundEvent, WebhookChannelCreate, WebhookChannelUpdate
from kefu.conversations import service as conversations
from kefu.conversations.models import Conversation, Message
from kefu.conversations.schemas import ConversationCreate
from kefu.conversations.status import Channel, Status
from kefu.customers.schemas import IdentityKind
from kefu.customers.service import find_or_create_by_identity
from kefu.shared.errors import Conflict, Forbidden, NotFound

MAX_KEY_CHARS = 100
# After a rotation the old secret still verifies inbound events this long.
SECRET_GRACE = timedelta(hours=24)


def identity_value(platform: str, sender_id: str) -> str:
    """The customer identity (kind ``im``) of a sender on a platform: ``wechat:wxid_abc``."""
    return f"{platform}:{sender_id}"


def event_key(channel_id: int, event_id: str) -> str:
    """Idempotency key of an inbound event's message: one message per channel and event id."""
    key = f"im:{channel_id}:{event_id}"
    if len(key) <= MAX_KEY_CHARS:
        return key
    return f"im:{channel_id}:sha256:" + hashlib.sha256(event_id.encode()).hexdigest()


# --- integrations (shop admins) ---


async def list_channels(session: AsyncSession, *, actor: Principal) -> Sequence[WebhookChannel]:
    actor.require(Permission.CHANNELS_MANAGE)
    rows = await session.scalars(
        select(WebhookChannel)
        .where(WebhookChannel.shop_id == actor.shop_id)
        .order_by(WebhookChannel.id)
    )
    return rows.all()


async def require_channel(
    session: AsyncSession, *, actor: Principal, channel_id: int
) -> WebhookChannel:
    actor.require(Permission.CHANNELS_MANAGE)
    channel = await session.get(WebhookChannel, channel_id)
    if channel is None or channel.shop_id != actor.shop_id:
        raise NotFound(f"no webhook channel {channel_id}", code="webhook_channel_not_found")
    return channel


async def create_channel(
    session: AsyncSession, *, actor: Principal, data: WebhookChannelCreate, now: datetime
) -> WebhookChannel:
    """Create an integration with a new secret (in ``secret``, to show the admin once)."""
    actor.require(Permission.CHANNELS_MANAGE)
    channel = WebhookChannel(
        shop_id=actor.shop_id,
        name=data.name,
        platform=data.platform,
        callback_url=data.callback_url,
        secret=signing.new_secret(),
        is_enabled=True,
        created_at=now,
        updated_at=now,
    )
    session.add(channel)
    await session.flush()
    await record_audit(
        session,
        actor=actor,
        action="webhook_channel.create",
        target_type="webhook_channel",
        target_id=channel.id,
        now=now,
        detail={"name": data.name, "platform": data.platform, "callback_url": data.callback_url},
    )
    await session.commit()
    return channel


async def update_channel(
    session: AsyncSession,
    *,
    actor: Principal,
    channel_id: int,
    data: WebhookChannelUpdate,
    now: datetime,
) -> WebhookChannel:
    channel = await require_channel(session, actor=actor, channel_id=channel_id)
    changes = data.model_dump(exclude_unset=True)
    if "enabled" in changes:
        changes["is_enabled"] = changes.pop("enabled")
    changed = {k: v for k, v in changes.items() if getattr(channel, k) != v}
    if not changed:
        return channel
    for field, value in changed.items():
        setattr(channel, field, value)
    channel.updated_at = now
    await record_audit(
        session,
        actor=actor,
        action="webhook_channel.update",
        target_type="webhook_channel",
        target_id=channel.id,
        now=now,
        detail=changed,
    )
    await session.commit()
    return channel


async def rotate_secret(
    session: AsyncSession, *, actor: Principal, channel_id: int, now: datetime
) -> WebhookChannel:
    """Give the channel a new secret; the old one verifies inbound events for ``SECRET_GRACE``
    more, while outbound deliveries are signed with the new one at once."""
    channel = await require_channel(session, actor=actor, channel_id=channel_id)
    channel.previous_secret = channel.secret
    channel.previous_secret_expires_at = now + SECRET_GRACE
    channel.secret = signing.new_secret()
    channel.updated_at = now
    await record_audit(
        session,
        actor=actor,
        action="webhook_channel.rotate_secret",
        target_type="webhook_channel",
        target_id=channel.id,
        now=now,
    )
    await session.commit()
    return channel


# --- inbound events (public, signed) ---


def _secrets(channel: WebhookChannel, now: datetime) -> list[str]:
    expires = channel.previous_secret_expires_at
    if channel.previous_secret and expires is not None and now < expires:
        return [channel.secret, channel.previous_secret]
    return [channel.secret]


async def authenticate_inbound(
    session: AsyncSession,
    *,
    channel_id: int,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: datetime,
) -> WebhookChannel:
    """The channel ``body`` was posted to, once its signature is checked; raises
    ``NotAuthenticated`` (bad, missing or stale signature) or ``Forbidden`` (disabled)."""
    channel = await session.get(WebhookChannel, channel_id)
    if channel is None:
        raise NotFound(f"no webhook channel {channel_id}", code="webhook_channel_not_found")
    signing.verify(
        _secrets(channel, now), timestamp=timestamp, signature_header=signature, body=body, now=now
    )
    if not channel.is_enabled:
        raise Forbidden("this webhook channel is disabled", code="channel_disabled")
    return channel


@dataclass(frozen=True, slots=True)
class InboundOutcome:
    duplicate: bool
    customer_id: int
    conversation_id: int
    message_id: int


async def _receipt(
    session: AsyncSession, *, channel_id: int, event_id: str
) -> WebhookReceipt | None:
    receipt: WebhookReceipt | None = await session.scalar(
        select(WebhookReceipt).where(
            WebhookReceipt.channel_id == channel_id, WebhookReceipt.event_id == event_id
        )
    )
    return receipt


async def _message_by_key(session: AsyncSession, *, shop_id: int, key: str) -> Message | None:
    message: Message | None = await session.scalar(
        select(Message).where(Message.shop_id == shop_id, Message.idempotency_key == key)
    )
    return message


async def _open_thread(
    session: AsyncSession, *, channel: WebhookChannel, customer_id: int
) -> Conversation | None:
    """The customer's latest IM conversation that is not closed and that no other webhook
    channel writes to (replies go back where the customer wrote from)."""
    elsewhere = exists().where(
        WebhookReceipt.conversation_id == Conversation.id,
        WebhookReceipt.channel_id != channel.id,
    )
    conversation: Conversation | None = await session.scalar(
        select(Conversation)
        .where(
            Conversation.shop_id == channel.shop_id,
            Conversation.customer_id == customer_id,
            Conversation.channel == Channel.IM.value,
            Conversation.status != Status.CLOSED.value,
            ~elsewhere,
        )
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(1)
    )
    return conversation


async def _store_message(
    session: AsyncSession,
    *,
    channel: WebhookChannel,
    customer_id: int,
    event: InboundEvent,
    now: datetime,
) -> tuple[Message, bool]:
    key = event_key(channel.id, event.event_id)
    thread = await _open_thread(session, channel=channel, customer_id=customer_id)
    if thread is not None:
        return await conversations.add_customer_message(
            session, conversation=thread, body=event.text, idempotency_key=key, now=now
        )
    data = ConversationCreate(
        customer_id=customer_id,
        channel=Channel.IM,
        subject=channel.name,
        body=event.text,
        idempotency_key=key,
    )
    _conversation, created = await conversations.start_conversation(
        session, shop_id=channel.shop_id, data=data, now=now
    )
    message = await _message_by_key(session, shop_id=channel.shop_id, key=key)
    assert message is not None
    return message, created


async def receive_event(
    session: AsyncSession, *, channel: WebhookChannel, event: InboundEvent, now: datetime
) -> InboundOutcome:
    """Store an authenticated inbound event as the sender's message, committed before this
    returns, in their open IM conversation or a new one. An event id seen before stores
    nothing and answers with the original message (``duplicate``)."""
    known = await _receipt(session, channel_id=channel.id, event_id=event.event_id)
    if known is not None:
        conversation = await session.get(Conversation, known.conversation_id)
        assert conversation is not None
        return InboundOutcome(
            True, conversation.customer_id, conversation.id, known.kefu_message_id
        )
    customer, _ = await find_or_create_by_identity(
        session,
        shop_id=channel.shop_id,
        kind=IdentityKind.IM,
        value=identity_value(channel.platform, event.sender.id),
        name=event.sender.name,
        now=now,
    )
    key = event_key(channel.id, event.event_id)
    # A sender that timed out before our receipt was committed: its message may be stored.
    message = await _message_by_key(session, shop_id=channel.shop_id, key=key)
    created = False
    if message is None:
        message, created = await _store_message(
            session, channel=channel, customer_id=customer.id, event=event, now=now
        )
    session.add(
        WebhookReceipt(
            shop_id=channel.shop_id,
            channel_id=channel.id,
            event_id=event.event_id,
            sender_id=event.sender.id,
            conversation_id=message.conversation_id,
            kefu_message_id=message.id,
            received_at=now,
        )
    )
    try:
        await session.commit()
    except IntegrityError:
        # The same event, delivered twice at once, stored its receipt first.
        await session.rollback()
    return InboundOutcome(not created, customer.id, message.conversation_id, message.id)


# --- dead letters (shop admins) ---


async def list_deliveries(
    session: AsyncSession,
    *,
    actor: Principal,
    channel_id: int,
    status: str | None,
    limit: int,
    before_id: int | None,
) -> Sequence[WebhookDelivery]:
    """The channel's deliveries, newest first; ``status='dead'`` is the dead-letter list."""
    channel = await require_channel(session, actor=actor, channel_id=channel_id)
    query = select(WebhookDelivery).where(WebhookDelivery.channel_id == channel.id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if before_id is not None:
        query = query.where(WebhookDelivery.id < before_id)
    rows = await session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit))
    return rows.all()


async def dead_letter_counts(session: AsyncSession, *, actor: Principal) -> dict[int, int]:
    """How many dead deliveries each of the shop's channels has (channels with none absent)."""
    actor.require(Permission.CHANNELS_MANAGE)
    rows = await session.execute(
        select(WebhookDelivery.channel_id, func.count())
        .where(
            WebhookDelivery.shop_id == actor.shop_id,
            WebhookDelivery.status == DeliveryStatus.DEAD,
        )
        .group_by(WebhookDelivery.channel_id)
    )
    return dict(rows.tuples().all())


async def delivery_texts(
    session: AsyncSession,
    *,
    actor: Principal,
    deliveries: Sequence[WebhookDelivery],
    max_chars: int,
) -> dict[int, str]:
    """The text of each delivery's reply by delivery id, cut to ``max_chars`` (with "…"), so
    an admin can tell the dead letters apart; only the actor's shop's messages are read."""
    actor.require(Permission.CHANNELS_MANAGE)
    by_message = {d.kefu_message_id: d.id for d in deliveries}
    if not by_message:
        return {}
    rows = await session.execute(
        select(Message.id, func.substr(Message.body, 1, max_chars + 1)).where(
            Message.shop_id == actor.shop_id, Message.id.in_(by_message)
        )
    )
    texts: dict[int, str] = {}
    for message_id, head in rows.tuples():
        text = str(head or "")
        texts[by_message[message_id]] = text[:max_chars] + "…" if len(text) > max_chars else text
    return texts


async def retry_delivery(
    session: AsyncSession, *, actor: Principal, delivery_id: int, now: datetime
) -> WebhookDelivery:
    """Queue a dead delivery again, due now, with a fresh round of attempts."""
    actor.require(Permission.CHANNELS_MANAGE)
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.shop_id != actor.shop_id:
        raise NotFound(f"no webhook delivery {delivery_id}", code="webhook_delivery_not_found")
    if delivery.status != DeliveryStatus.DEAD:
        raise Conflict(
            f"delivery {delivery_id} is {delivery.status}; only dead deliveries are retried",
            code="delivery_not_dead",
        )
    channel = await session.get(WebhookChannel, delivery.channel_id)
    if channel is None or not channel.is_enabled:
        raise Conflict("enable the channel before retrying its deliveries", code="channel_disabled")
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.updated_at = now
    await record_audit(
        session,
        actor=actor,
        action="webhook_delivery.retry",
        target_type="webhook_delivery",
        target_id=delivery.id,
        now=now,
    )
    await session.commit()
    return delivery
