"""API shapes of the analytics domain."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class MetricOut(BaseModel):
    key: str
    label: str
    unit: str
    higher_is_better: bool


class PeriodOut(BaseModel):
    label: str
    first_day: date
    last_day: date
    start: datetime
    end: datetime
    timezone: str


class KpiRowOut(BaseModel):
    key: str | None = Field(description="team / agent / queue id or channel; null for the shop")
    label: str
    bucket: datetime | None = Field(description="start of the hour/day/week/month, shop time")
    values: dict[str, float | None]
    samples: dict[str, float] = Field(description="items behind each value (trials for rates)")


class KpiTableOut(BaseModel):
    period: PeriodOut
    dimension: str
    grain: str | None
    metrics: list[MetricOut]
    rows: list[KpiRowOut]


class GoalOut(BaseModel):
    metric: str
    label: str
    unit: str
    target: float
    is_default: bool
    value: float | None = None
    met: bool | None = None


class GoalsIn(BaseModel):
    """Targets by metric key; null resets a metric to the default plan."""

    targets: dict[str, float | None] = Field(min_length=1, max_length=40)


class HeatmapOut(BaseModel):
    period: PeriodOut
    counts: list[list[int]] = Field(description="7 rows (Monday first) x 24 hours, shop time")


class DistributionOut(BaseModel):
    period: PeriodOut
    metric: str
    edges_seconds: list[float]
    counts: list[int] = Field(description="len(edges)+1 bars; the last is open-ended")


class LiveQueueOut(BaseModel):
    name: str
    waiting: int
    longest_wait_s: float
    expected_wait_s: float | None


class LiveOut(BaseModel):
    generated_at: datetime
    agents_online: int
    agents_away: int
    agents_busy: int
    waiting: int
    longest_wait_s: float
    queues: list[LiveQueueOut]
    today: dict[str, float | None]
