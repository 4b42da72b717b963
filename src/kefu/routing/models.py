"""Tables of the routing domain: queues, the rules that choose them, agents' skills and state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.shared.db import Base, UTCDateTime


class RoutingQueue(Base):
    """A queue of conversations needing one skill (pre-sales, orders and logistics, ...)."""

    __tablename__ = "routing_queues"
    __table_args__ = (UniqueConstraint("shop_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # A stable code for rules and reports ("presales", "complaints", ...).
    skill: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Conversations start at this tier; the router falls back to higher ones.
    base_tier: Mapped[str] = mapped_column(String(20), default="junior")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # The peak squad joins when the expected wait passes this; None: no peak squad.
    peak_threshold_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    peak_active: Mapped[bool] = mapped_column(Boolean, default=False)
    peak_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RoutingRule(Base):
    """If a conversation matches (every non-empty condition), it goes to ``queue_id``.
    Rules are tried by ``position``; the shop's default queue takes the rest."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    intents: Mapped[list[str]] = mapped_column(JSON, default=list)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_customer_level: Mapped[int] = mapped_column(Integer, default=0)
    queue_id: Mapped[int] = mapped_column(ForeignKey("routing_queues.id", ondelete="CASCADE"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgentSkill(Base):
    """An agent serves a queue with a proficiency from 1 (learning) to 5 (best)."""

    __tablename__ = "routing_agent_skills"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    queue_id: Mapped[int] = mapped_column(
        ForeignKey("routing_queues.id", ondelete="CASCADE"), primary_key=True
    )
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    proficiency: Mapped[int] = mapped_column(Integer, default=3)


class AgentState(Base):
    """An agent's routing state: presence, capacity, peak-squad membership.

    The row is also the lock the router takes (``SELECT ... FOR UPDATE``) before counting the
    agent's load and assigning, so concurrent workers never push an agent over capacity."""

    __tablename__ = "routing_agents"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    presence: Mapped[str] = mapped_column(String(16), default="offline")
    # True when inactivity (not the agent) set the presence; activity then restores "online".
    presence_auto: Mapped[bool] = mapped_column(Boolean, default=False)
    presence_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Last heartbeat of the agent's workspace; the router ignores agents silent too long.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    max_chats: Mapped[int] = mapped_column(Integer, default=5)
    peak_squad: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RoutingSettings(Base):
    """A shop's routing choices."""

    __tablename__ = "routing_settings"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    auto_assign: Mapped[bool] = mapped_column(Boolean, default=True)
    strategy: Mapped[str] = mapped_column(String(20), default="least_loaded")
    # An e-mail counts as this fraction of a chat against an agent's capacity.
    email_weight: Mapped[float] = mapped_column(Float, default=0.5)
    away_after_seconds: Mapped[int] = mapped_column(Integer, default=600)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PresenceSpan(Base):
    """A stretch of time an agent was online or away (offline time has no row); the open span
    has no ``ended_at``. Analytics reads these for occupancy and logged-in hours."""

    __tablename__ = "routing_presence_spans"
    __table_args__ = (
        Index("ix_routing_presence_spans_shop_started", "shop_id", "started_at"),
        Index("ix_routing_presence_spans_user_open", "user_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    presence: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
