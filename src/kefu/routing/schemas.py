"""API shapes of the routing domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.accounts.permissions import Tier
from kefu.routing.assign import Strategy
from kefu.shared.types import NO_NUL, DbId

# ---- routing admin: queues, rules, agents' routing profiles, the shop's settings ----------

MAX_NAME_CHARS = 100
MAX_LIST_ITEMS = 50
MAX_KEYWORD_CHARS = 50
MAX_POSITION = 10_000
MAX_CUSTOMER_LEVEL = 100
SKILL_PATTERN = r"^[a-z0-9_]{1,32}$"
INTENT_PATTERN = r"^[a-z0-9_.\-]{1,64}$"
CHANNELS = ("web", "email", "im")

Channel = Literal["web", "email", "im"]
Proficiency = Annotated[int, Field(ge=1, le=5)]
PeakThreshold = Annotated[int, Field(ge=10, le=86_400)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS, pattern=NO_NUL)]
Skill = Annotated[str, Field(pattern=SKILL_PATTERN, description="a-z, 0-9 and _; 1-32")]
Position = Annotated[int, Field(ge=0, le=MAX_POSITION)]
Intent = Annotated[str, Field(pattern=INTENT_PATTERN)]
Keyword = Annotated[str, Field(min_length=1, max_length=MAX_KEYWORD_CHARS, pattern=NO_NUL)]
CustomerLevel = Annotated[int, Field(ge=0, le=MAX_CUSTOMER_LEVEL)]
MaxChats = Annotated[int, Field(ge=1, le=50)]
EmailWeight = Annotated[float, Field(ge=0.1, le=1.0)]
AwayAfter = Annotated[int, Field(ge=60, le=7200)]


def _name(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
    return value


def _no_null(value: object) -> object:
    if value is None:
        raise ValueError("cannot be null")
    return value


def _unique(values: object) -> object:
    """Strip, drop blanks and repeats, keep the order: ``[" 退款", "退款"]`` is ``["退款"]``."""
    if not isinstance(values, list):
        return values
    seen: list[object] = []
    for value in values:
        item = value.strip() if isinstance(value, str) else value
        if item != "" and item not in seen:
            seen.append(item)
    return seen


class QueueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    skill: Skill
    position: Position = 0
    base_tier: Tier = Tier.JUNIOR
    is_default: bool = Field(False, description="take conversations no rule matches")
    peak_threshold_seconds: PeakThreshold | None = Field(
        None, description="call in the peak squad above this expected wait; null: never"
    )

    strip_name = field_validator("name", mode="before")(_name)


class QueueUpdate(BaseModel):
    """Fields to change; null is refused except for ``peak_threshold_seconds`` (off)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    skill: Skill | None = None
    position: Position | None = None
    base_tier: Tier | None = None
    is_default: bool | None = None
    peak_threshold_seconds: PeakThreshold | None = None

    strip_name = field_validator("name", mode="before")(_name)
    refuse_null = field_validator(
        "name", "skill", "position", "base_tier", "is_default", mode="before"
    )(_no_null)


class QueueOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    skill: str
    position: int
    base_tier: str
    is_default: bool
    peak_threshold_seconds: int | None
    peak_active: bool
    created_at: datetime
    updated_at: datetime


class RuleIn(BaseModel):
    """Every non-empty condition must hold; ``position`` left out puts the rule last."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    queue_id: DbId
    position: Position | None = None
    intents: list[Intent] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    channels: list[Channel] = Field(default_factory=list, max_length=len(CHANNELS))
    keywords: list[Keyword] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    min_customer_level: CustomerLevel = 0
    enabled: bool = True

    strip_name = field_validator("name", mode="before")(_name)
    clean_lists = field_validator("intents", "channels", "keywords", mode="before")(_unique)


class RuleUpdate(BaseModel):
    """Fields to change; none may be null (an empty list clears a condition)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    queue_id: DbId | None = None
    position: Position | None = None
    intents: list[Intent] | None = Field(None, max_length=MAX_LIST_ITEMS)
    channels: list[Channel] | None = Field(None, max_length=len(CHANNELS))
    keywords: list[Keyword] | None = Field(None, max_length=MAX_LIST_ITEMS)
    min_customer_level: CustomerLevel | None = None
    enabled: bool | None = None

    strip_name = field_validator("name", mode="before")(_name)
    refuse_null = field_validator(
        "name",
        "queue_id",
        "position",
        "intents",
        "channels",
        "keywords",
        "min_customer_level",
        "enabled",
        mode="before",
    )(_no_null)
    clean_lists = field_validator("intents", "channels", "keywords", mode="before")(_unique)


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    position: int
    queue_id: int
    intents: list[str]
    channels: list[str]
    keywords: list[str]
    min_customer_level: int
    enabled: bool
    created_at: datetime
    updated_at: datetime


class RuleOrder(BaseModel):
    """Every rule of the shop, once each, in the order they are to be tried."""

    model_config = ConfigDict(extra="forbid")

    rule_ids: list[DbId] = Field(max_length=1000)


class AgentProfileOut(BaseModel):
    user_id: int
    name: str
    email: str
    role: str
    tier: str | None
    presence: str = Field(description="online, away or offline")
    max_chats: int
    peak_squad: bool
    skills: dict[int, int] = Field(description="queue id -> proficiency, 1 (learning) to 5")


class AgentProfileUpdate(BaseModel):
    """Fields to change; ``skills`` replaces the agent's skills as a whole."""

    model_config = ConfigDict(extra="forbid")

    tier: Tier | None = None
    max_chats: MaxChats | None = None
    peak_squad: bool | None = None
    skills: dict[DbId, Proficiency] | None = Field(None, max_length=200)

    refuse_null = field_validator("tier", "max_chats", "peak_squad", "skills", mode="before")(
        _no_null
    )


class RoutingSettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    auto_assign: bool = True
    strategy: Strategy = Strategy.LEAST_LOADED
    email_weight: float = Field(0.5, description="an e-mail counts as this share of a chat")
    away_after_seconds: int = 600
    updated_at: datetime | None = None


class RoutingSettingsUpdate(BaseModel):
    """Fields to change; none may be null."""

    model_config = ConfigDict(extra="forbid")

    auto_assign: bool | None = None
    strategy: Strategy | None = None
    email_weight: EmailWeight | None = None
    away_after_seconds: AwayAfter | None = None

    refuse_null = field_validator(
        "auto_assign", "strategy", "email_weight", "away_after_seconds", mode="before"
    )(_no_null)


# ---- end of routing admin -------------------------------------------------------------------
