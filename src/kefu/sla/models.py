"""Tables of the SLA domain: business calendars, policies and one row per clock and cycle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kefu.shared.db import Base, UTCDateTime


class SlaCalendar(Base):
    """Opening hours of a shop: ``weekly`` holds 7 lists (Monday first) of ``[start, end]``
    local minutes, ``holidays`` ISO dates closed all day."""

    __tablename__ = "sla_calendars"
    __table_args__ = (UniqueConstraint("shop_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    weekly: Mapped[list[list[list[int]]]] = mapped_column(JSON)
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The calendar of the shop's business-hours policies that name none.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SlaPolicy(Base):
    """Targets for the conversations it matches; the first enabled match by position wins."""

    __tablename__ = "sla_policies"
    __table_args__ = (Index("ix_sla_policies_shop_position", "shop_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Empty lists match any priority or channel.
    priorities: Mapped[list[str]] = mapped_column(JSON, default=list)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_customer_level: Mapped[int] = mapped_column(Integer, default=0)
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_calendars.id", ondelete="SET NULL"), nullable=True
    )
    business_hours: Mapped[bool] = mapped_column(Boolean, default=True)
    warn_fraction: Mapped[float] = mapped_column(Float, default=0.8)
    first_response_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_response_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resolution_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feedback_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SlaClock(Base):
    """One metric's clock for one cycle of a conversation (see ``kefu.sla.track``).

    ``status`` is running, paused, met or breached; ``due_at``/``warn_at`` are set while running
    so the sweep finds what falls due with an index, not by recomputing business hours."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        UniqueConstraint("conversation_id", "metric", "cycle"),
        Index("ix_sla_clocks_status_warn", "status", "warn_at"),
        Index("ix_sla_clocks_status_due", "status", "due_at"),
        Index("ix_sla_clocks_shop_conversation", "shop_id", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(20))
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL"), nullable=True
    )
    target_seconds: Mapped[int] = mapped_column(Integer)
    elapsed_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    running_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
