"""API shapes of the SLA domain: calendars, policies, clocks and attainment."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.shared.types import NO_NUL, DbId
from kefu.sla.calendar import MINUTES_PER_DAY
from kefu.sla.policy import DEFAULT_FEEDBACK_SECONDS, DEFAULT_WARN_FRACTION

MAX_TARGET_SECONDS = 366 * 24 * 3600
MAX_WINDOWS_PER_DAY = 8
MAX_HOLIDAYS = 1000
# "09:00"; a window may end at "24:00" (midnight at the end of the day).
HHMM = r"^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$"
TIMEZONE = r"^[A-Za-z0-9_+\-/]+$"

PriorityName = Literal["low", "normal", "high", "urgent"]
ChannelName = Literal["web", "email", "im"]
MetricName = Literal["first_response", "next_response", "resolution", "feedback"]
Seconds = Annotated[int, Field(ge=1, le=MAX_TARGET_SECONDS)]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]


def to_minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def to_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class Window(BaseModel):
    """Local opening hours within one day, e.g. 09:00–18:00."""

    model_config = ConfigDict(extra="forbid")

    start: str = Field(pattern=HHMM, examples=["09:00"])
    end: str = Field(pattern=HHMM, examples=["18:00"])

    def minutes(self) -> tuple[int, int]:
        return to_minutes(self.start), to_minutes(self.end)

    @classmethod
    def of(cls, start: int, end: int) -> Window:
        return cls(start=to_hhmm(start), end=to_hhmm(min(end, MINUTES_PER_DAY)))


DayHours = Annotated[list[Window], Field(max_length=MAX_WINDOWS_PER_DAY)]
Weekly = Annotated[
    list[DayHours],
    Field(min_length=7, max_length=7, description="seven days of windows, Monday first"),
]


def _no_null(value: object) -> object:
    if value is None:
        raise ValueError("cannot be null")
    return value


class CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    timezone: str = Field(default="Asia/Shanghai", min_length=1, max_length=64, pattern=TIMEZONE)
    weekly: Weekly
    holidays: list[date] = Field(default_factory=list, max_length=MAX_HOLIDAYS)
    is_default: bool = False


class CalendarUpdate(BaseModel):
    """Only the fields sent change; none of them may be null."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    timezone: str | None = Field(default=None, min_length=1, max_length=64, pattern=TIMEZONE)
    weekly: Weekly | None = None
    holidays: list[date] | None = Field(default=None, max_length=MAX_HOLIDAYS)
    is_default: bool | None = None

    @field_validator("name", "timezone", "weekly", "holidays", "is_default", mode="before")
    @classmethod
    def _present(cls, value: object) -> object:
        return _no_null(value)


class CalendarOut(BaseModel):
    id: int
    name: str
    timezone: str
    weekly: list[list[Window]]
    holidays: list[date]
    is_default: bool
    created_at: datetime
    updated_at: datetime


class PolicyIn(BaseModel):
    """Empty ``priorities``/``channels`` match any; a target left out (null) is not tracked."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    position: int | None = Field(default=None, ge=0, le=10_000, description="default: last")
    priorities: list[PriorityName] = Field(default_factory=list, max_length=4)
    channels: list[ChannelName] = Field(default_factory=list, max_length=3)
    min_customer_level: int = Field(default=0, ge=0, le=100)
    calendar_id: DbId | None = Field(default=None, description="default: the shop's default")
    business_hours: bool = True
    warn_fraction: float = Field(default=DEFAULT_WARN_FRACTION, gt=0, lt=1, allow_inf_nan=False)
    first_response_seconds: Seconds | None = None
    next_response_seconds: Seconds | None = None
    resolution_seconds: Seconds | None = None
    feedback_seconds: Seconds | None = DEFAULT_FEEDBACK_SECONDS
    enabled: bool = True


NULLABLE_POLICY_FIELDS = frozenset(
    {
        "calendar_id",
        "first_response_seconds",
        "next_response_seconds",
        "resolution_seconds",
        "feedback_seconds",
    }
)


class PolicyUpdate(BaseModel):
    """Only the fields sent change; the calendar and the targets may be set to null."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)
    priorities: list[PriorityName] | None = Field(default=None, max_length=4)
    channels: list[ChannelName] | None = Field(default=None, max_length=3)
    min_customer_level: int | None = Field(default=None, ge=0, le=100)
    calendar_id: DbId | None = None
    business_hours: bool | None = None
    warn_fraction: float | None = Field(default=None, gt=0, lt=1, allow_inf_nan=False)
    first_response_seconds: Seconds | None = None
    next_response_seconds: Seconds | None = None
    resolution_seconds: Seconds | None = None
    feedback_seconds: Seconds | None = None
    enabled: bool | None = None

    @field_validator(
        "name",
        "position",
        "priorities",
        "channels",
        "min_customer_level",
        "business_hours",
        "warn_fraction",
        "enabled",
        mode="before",
    )
    @classmethod
    def _present(cls, value: object) -> object:
        return _no_null(value)


class PolicyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    position: int
    priorities: list[str]
    channels: list[str]
    min_customer_level: int
    calendar_id: int | None
    business_hours: bool
    warn_fraction: float
    first_response_seconds: int | None
    next_response_seconds: int | None
    resolution_seconds: int | None
    feedback_seconds: int | None
    enabled: bool
    created_at: datetime
    updated_at: datetime


class ClockOut(BaseModel):
    """One SLA clock. ``remaining_seconds`` is business time left (negative: overdue, not yet
    swept); None once met or breached."""

    id: int
    conversation_id: int
    metric: MetricName
    cycle: int
    status: Literal["running", "paused", "met", "breached"]
    policy_id: int | None
    target_seconds: int
    elapsed_seconds: float
    remaining_seconds: float | None
    started_at: datetime
    due_at: datetime | None
    warn_at: datetime | None
    warned_at: datetime | None
    breached_at: datetime | None
    met_at: datetime | None


class MetricAttainment(BaseModel):
    metric: MetricName
    met: int
    breached: int
    attainment: float | None = Field(description="met / (met + breached); null with neither")


class AttainmentOut(BaseModel):
    since: datetime
    until: datetime
    metrics: list[MetricAttainment]
