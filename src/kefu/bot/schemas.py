"""API shapes of the bot runtime: settings, a conversation's turns, analytics, unanswered."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kefu.shared.types import NO_NUL


class BotSettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    enabled: bool = False
    handoff_vip_level: int | None = Field(
        None, description="customers at this VIP level or above go straight to people; null: off"
    )
    max_out_of_scope: int = 2
    return_window_days: int = 7
    greeting_zh: str = ""
    greeting_en: str = ""
    packaged_model: str | None = Field(
        None, description="a model shipped with Kefu, used while the shop has none of its own"
    )
    has_model: bool = Field(False, description="a trained intent model file exists for the shop")


class BotSettingsUpdate(BaseModel):
    """Fields to change; one left out keeps its value (null switches VIP hand-over off)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    handoff_vip_level: int | None = Field(None, ge=0, le=100)
    max_out_of_scope: int | None = Field(None, ge=1, le=10)
    return_window_days: int | None = Field(None, ge=0, le=365)
    greeting_zh: str | None = Field(None, max_length=1000, pattern=NO_NUL)
    greeting_en: str | None = Field(None, max_length=1000, pattern=NO_NUL)
    packaged_model: str | None = Field(
        None,
        max_length=64,
        description="name of a shipped model (demo-electronics, ...); null: none",
    )


class BotTurnOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    message_id: int
    question: str
    language: str
    intent: str | None
    confidence: float
    action: str = Field(description="answer, ask, flow, fallback or handover")
    flow: str | None
    answered: bool
    emotion: str
    angry: bool
    handoff_reason: str | None
    reply_message_id: int | None
    created_at: datetime


class ConversationBotOut(BaseModel):
    handed_over: bool
    handoff_reason: str | None
    handed_over_at: datetime | None
    last_intent: str | None
    turns: list[BotTurnOut]


class Count(BaseModel):
    key: str
    count: int


class BotAnalyticsOut(BaseModel):
    since: datetime
    until: datetime
    conversations: int = Field(description="conversations the bot took a turn in")
    contained: int = Field(description="of those, never handed over and never answered by a person")
    containment_rate: float
    turns: int
    answered_turns: int
    handoffs: list[Count] = Field(description="conversations handed over, by reason")
    top_intents: list[Count]
    actions: list[Count] = Field(description="flow actions taken or refused, by kind")


class UnansweredOut(BaseModel):
    text: str = Field(description="the latest wording of the question")
    count: int
    last_asked_at: datetime
    conversation_ids: list[int]
