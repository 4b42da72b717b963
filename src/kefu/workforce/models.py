"""Tables of workforce management: a shop's saved weekly plans (forecast, requirement, roster)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kefu.shared.db import Base, UTCDateTime


class WfmPlan(Base):
    """One planning run for a week: the forecast it used, the staffing requirement per interval
    (Erlang), and the CP-SAT roster with its coverage. Kept as JSON documents: a plan is read
    and exported whole, never queried by its parts."""

    __tablename__ = "wfm_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    week_start: Mapped[date] = mapped_column(Date)
    interval_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    forecast: Mapped[list[Any]] = mapped_column(JSON, default=list)
    requirement: Mapped[list[Any]] = mapped_column(JSON, default=list)
    roster: Mapped[list[Any]] = mapped_column(JSON, default=list)
    coverage: Mapped[list[Any]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
