"""API shapes of reports: report schedules (a report mailed when each period ends)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

MAX_RECIPIENTS = 50

Frequency = Literal["weekly", "monthly", "quarterly"]
FormatName = Literal["pdf", "html", "xlsx"]


class ScheduleIn(BaseModel):
    """No recipients: every active supervisor, admin and owner of the shop."""

    model_config = ConfigDict(extra="forbid")

    frequency: Frequency = "monthly"
    format: FormatName = "pdf"
    recipients: list[EmailStr] = Field(default_factory=list, max_length=MAX_RECIPIENTS)
    enabled: bool = True


class ScheduleUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    frequency: Frequency | None = None
    format: FormatName | None = None
    recipients: list[EmailStr] | None = Field(default=None, max_length=MAX_RECIPIENTS)
    enabled: bool | None = None


class ScheduleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    frequency: Frequency
    format: FormatName
    recipients: list[str]
    enabled: bool
    last_period: str | None = Field(description="the last period sent (or skipped at set-up)")
    last_sent_at: datetime | None
    next_period: str = Field(description="the period the next report covers")
    created_at: datetime
    updated_at: datetime
