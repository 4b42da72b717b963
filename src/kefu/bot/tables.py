"""Tables of the bot runtime: per-shop settings, per-conversation state, and the logs of every
turn and every action (named `tables`, not `models`: `kefu/bot/models/` holds model files)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kefu.shared.db import Base, UTCDateTime


class BotSettings(Base):
    """One row per shop that configured its bot; no row means the bot is off."""

    __tablename__ = "bot_settings"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    handoff_vip_level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_out_of_scope: Mapped[int] = mapped_column(Integer, default=2)
    return_window_days: Mapped[int] = mapped_column(Integer, default=7)
    greeting_zh: Mapped[str] = mapped_column(Text, default="")
    greeting_en: Mapped[str] = mapped_column(Text, default="")
    # A model shipped in the package (`kefu.bot.packaged`), used while the shop has no model
    # file of its own; the demo shops name theirs.
    packaged_model: Mapped[str | None] = mapped_column(String(64), nullable=True, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BotSession(Base):
    """The bot's state in one conversation: the flow waiting for an answer, how often in a row
    it did not understand, and whether it has handed the conversation to people."""

    __tablename__ = "bot_sessions"
    __table_args__ = (Index("ix_bot_sessions_shop_handoff", "shop_id", "handed_over_at"),)

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2), default="zh")
    flow: Mapped[str | None] = mapped_column(String(32), nullable=True)
    pending: Mapped[str | None] = mapped_column(String(16), nullable=True)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), nullable=True
    )
    out_of_scope: Mapped[int] = mapped_column(Integer, default=0)
    last_intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    handoff_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BotTurn(Base):
    """One customer message the bot handled. Unique per message: inserting it is how a worker
    claims the message, so two workers never answer the same message twice."""

    __tablename__ = "bot_turns"
    __table_args__ = (
        Index("ix_bot_turns_shop_created", "shop_id", "created_at"),
        Index("ix_bot_turns_conversation", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    question: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(2))
    intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    action: Mapped[str] = mapped_column(String(16))  # answer, ask, flow, handover, fallback
    flow: Mapped[str | None] = mapped_column(String(32), nullable=True)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    emotion: Mapped[str] = mapped_column(String(16))
    angry: Mapped[bool] = mapped_column(Boolean, default=False)
    handoff_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reply_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BotAction(Base):
    """Everything a flow did or refused on the shop's data, with what it saw and changed."""

    __tablename__ = "bot_actions"
    __table_args__ = (Index("ix_bot_actions_shop_created", "shop_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    turn_id: Mapped[int] = mapped_column(ForeignKey("bot_turns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), nullable=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
