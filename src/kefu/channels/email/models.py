"""Tables of the e-mail channel: the Message-IDs that thread mail into conversations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.shared.db import Base, UTCDateTime


class MailDirection:
    IN = "in"
    OUT = "out"


class MailStatus:
    """Outbound states; inbound mail is ``received``. ``failed`` rows are the dead letters."""

    RECEIVED = "received"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class MailRecord(Base):
    """One e-mail, in or out, and the Kefu message it carries.

    ``message_id`` is the Message-ID without angle brackets (hashed when very long), unique per
    shop: replies find their conversation through it. Each Kefu message has at most one mail,
    which is also how several workers agree on who sends an agent's reply."""

    __tablename__ = "email_messages"
    __table_args__ = (
        UniqueConstraint("shop_id", "message_id"),
        UniqueConstraint("kefu_message_id"),
        Index("ix_email_messages_conversation", "conversation_id", "id"),
        Index("ix_email_messages_status", "direction", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(255))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    kefu_message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    # The customer's address: From of inbound mail, To of outbound mail.
    address: Mapped[str] = mapped_column(String(254))
    in_reply_to: Mapped[str | None] = mapped_column(String(255), nullable=True)
    references: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
