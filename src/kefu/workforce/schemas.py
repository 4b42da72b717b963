"""API shapes of workforce management."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class PlanIn(BaseModel):
    week_start: date = Field(description="the Monday the plan's week starts (shop time)")
    interval_minutes: int = Field(30, description="15, 30 or 60")
    aht_seconds: float = Field(300.0, gt=0, le=24 * 3600)
    concurrency: int = Field(2, ge=1, le=20, description="chats an agent handles at once")
    target_sl: float = Field(0.8, ge=0, lt=1)
    answer_seconds: float = Field(60.0, ge=0, le=3600)
    max_occupancy: float = Field(0.85, gt=0, le=1)
    shrinkage: float = Field(0.1, ge=0, lt=1, description="unplanned: absence, meetings")
    patience_seconds: float | None = Field(None, gt=0, description="Erlang A when set")
    time_limit_seconds: float = Field(20.0, ge=1, le=120)


class PlanSummaryOut(BaseModel):
    id: int
    week_start: date
    interval_minutes: int
    status: str
    created_at: datetime
    agents_used: int | None = None
    min_coverage: float | None = None


class PlanOut(PlanSummaryOut):
    params: dict[str, Any]
    summary: dict[str, Any]
    forecast: list[list[Any]] = Field(description="[interval_start, forecast contacts]")
    requirement: list[list[Any]] = Field(description="[interval_start, agents required]")
    coverage: list[list[Any]] = Field(description="[interval_start, required, staffed]")
    roster: list[dict[str, Any]]


class ErlangOut(BaseModel):
    model: str
    agents: int
    agents_with_shrinkage: int
    service_level: float
    occupancy: float
    wait_probability: float
    asa_seconds: float
    abandon_probability: float
    traffic_erlangs: float
