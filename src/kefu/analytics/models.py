"""Tables of the analytics domain: a shop's KPI goals and its scheduled reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kefu.shared.db import Base, UTCDateTime


class KpiGoal(Base):
    """A shop's target for one KPI (``metric`` is a ``kefu.analytics.metrics`` key). Shops
    without a row for a metric use the default plan in ``metrics.DEFAULT_GOALS``."""

    __tablename__ = "kpi_goals"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    target: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReportSchedule(Base):
    """A report e-mailed when each period ends (monthly, quarterly or weekly), comparing it with
    the period before. ``last_period`` is the last period sent, so a restart never sends twice."""

    __tablename__ = "report_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    frequency: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(8), default="pdf")
    # Addresses; empty means every active supervisor and admin of the shop.
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_period: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
