"""API shapes of the supervisors' live board and of agents' presence."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from kefu.routing.presence import Presence


class PresenceIn(BaseModel):
    """``auto``: the workspace sets it (away after inactivity, online on return); a later
    heartbeat or activity may undo an automatic change, never the agent's own."""

    model_config = ConfigDict(extra="forbid")

    presence: Presence
    auto: bool = False


class PresenceOut(BaseModel):
    user_id: int
    presence: Presence
    auto: bool
    max_chats: int
    peak_squad: bool


class BoardQueue(BaseModel):
    id: int | None
    name: str
    skill: str
    waiting: int
    longest_wait_s: float
    expected_wait_s: float | None
    peak_active: bool
    peak_threshold_s: int | None
    serving_agents: int
    free_seats: int
    served_per_minute: float


class BoardAgent(BaseModel):
    user_id: int
    name: str
    tier: str | None
    presence: str
    available: bool
    open_conversations: int
    load_chats: float
    max_chats: int
    peak_squad: bool
    skills: list[int]


class BoardWaiting(BaseModel):
    conversation_id: int
    customer_name: str
    vip_level: int
    angry: bool
    queue_id: int | None
    position: int
    waited_s: float
    expected_wait_s: float | None
    min_tier: str | None
    sla_due_at: datetime | None


class BoardAtRisk(BaseModel):
    """A running SLA clock already warned or due soon."""

    conversation_id: int
    metric: str
    due_at: datetime | None
    remaining_seconds: float | None
    warned: bool


class Board(BaseModel):
    generated_at: datetime
    queues: list[BoardQueue]
    agents: list[BoardAgent]
    waiting: list[BoardWaiting]
    at_risk: list[BoardAtRisk]
