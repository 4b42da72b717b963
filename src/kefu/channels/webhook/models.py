"""Tables of the IM / social webhook channel: the shops' integrations, the inbound events
already stored (replay refusal) and the outbound deliveries of agents' replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.channels.webhook.retry import DeliveryStatus
from kefu.shared.db import Base, UTCDateTime

__all__ = ["DeliveryStatus", "WebhookChannel", "WebhookDelivery", "WebhookReceipt"]


class WebhookChannel(Base):
    """One integration of a shop with an IM platform (or a bridge in front of one).

    ``secret`` signs both directions, so it is stored as is (HMAC needs it, unlike a token
    hash). After a rotation ``previous_secret`` still verifies inbound events until
    ``previous_secret_expires_at``, so the sender can switch without losing messages."""

    __tablename__ = "webhook_channels"
    __table_args__ = (Index("ix_webhook_channels_shop", "shop_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str] = mapped_column(String(32))
    callback_url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))
    previous_secret: Mapped[str | None] = mapped_column(String(128), nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True
    )
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookReceipt(Base):
    """An inbound event stored as a Kefu message; its ``event_id`` is refused ever after.

    The latest receipt of a conversation also says where replies go: its channel and sender."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (
        UniqueConstraint("channel_id", "event_id"),
        Index("ix_webhook_receipts_conversation", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("webhook_channels.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(200))
    sender_id: Mapped[str] = mapped_column(String(200))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    kefu_message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """One agent reply to POST to a channel's callback URL, and how that went.

    One row per Kefu message, which is how several workers agree on who delivers it; a worker
    leases a due row by moving ``next_attempt_at`` forward before it sends."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("kefu_message_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_channel", "channel_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("webhook_channels.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    kefu_message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
