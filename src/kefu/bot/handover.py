"""Handing a conversation from the bot to people, in the caller's transaction: the conversation
goes back to the open queue (priority raised for an angry customer), agents get an internal
note with the detected intent, emotion, reason and the bot's transcript so nobody asks again,
and the customer is told the expected wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.bot.handoff import HandoffReason
from kefu.bot.replies import Language, render
from kefu.bot.sentiment import Sentiment
from kefu.bot.tables import BotSession
from kefu.conversations import automation
from kefu.conversations.models import Conversation, Message
from kefu.conversations.status import Priority, SenderType, Status
from kefu.routing import intake, queues, wait

TRANSCRIPT_MESSAGES = 12
TRANSCRIPT_CHARS = 200

REASON_LABELS: dict[HandoffReason, str] = {
    HandoffReason.EXPLICIT_REQUEST: "客户要求人工",
    HandoffReason.ANGRY: "客户情绪激动",
    HandoffReason.VIP: "VIP 客户",
    HandoffReason.FLOW: "需要人工处理",
    HandoffReason.LOW_CONFIDENCE: "机器人没有把握",
    HandoffReason.OUT_OF_SCOPE: "多次无法理解",
    HandoffReason.AGENT_JOINED: "客服已接入",
}
_SPEAKERS = {
    SenderType.CUSTOMER.value: "客户",
    SenderType.BOT.value: "机器人",
    SenderType.AGENT.value: "客服",
}


@dataclass(frozen=True, slots=True)
class Handover:
    """What the note says: why, what the bot understood, how the customer feels."""

    reason: HandoffReason
    intent: str | None
    sentiment: Sentiment
    language: Language
    agents_online: int


async def transcript(session: AsyncSession, *, state: BotSession) -> str:
    """The last customer and bot messages since the bot started, oldest first, one a line."""
    rows = await session.scalars(
        select(Message)
        .where(
            Message.conversation_id == state.conversation_id,
            Message.is_internal.is_(False),
            Message.created_at >= state.created_at,
        )
        .order_by(Message.id.desc())
        .limit(TRANSCRIPT_MESSAGES)
    )
    lines = []
    for message in reversed(rows.all()):
        body = " ".join(message.body.split())
        if len(body) > TRANSCRIPT_CHARS:
            body = body[: TRANSCRIPT_CHARS - 1] + "…"
        lines.append(f"{_SPEAKERS.get(message.sender_type, message.sender_type)}：{body}")
    return "\n".join(lines)


def note_text(handover: Handover, conversation_transcript: str) -> str:
    """The internal note for agents (in Chinese, with the stable codes in brackets)."""
    sentiment = handover.sentiment
    cues = f"（{'、'.join(sentiment.anger_cues)}）" if sentiment.anger_cues else ""
    emotion = f"{sentiment.label}{'，愤怒' if sentiment.angry else ''}{cues}"
    return "\n".join(
        [
            f"机器人转人工 [{handover.reason.value}]：{REASON_LABELS[handover.reason]}",
            f"识别意图：{handover.intent or '未识别'}",
            f"客户情绪：{emotion}（负面概率 {sentiment.negative:.2f}）",
            "机器人对话记录：",
            conversation_transcript or "（无）",
        ]
    )


async def _predicted_minutes(
    session: AsyncSession, conversation: Conversation, handover: Handover, now: datetime
) -> int | None:
    """The wait the router predicts for this conversation in its queue (the figure the chat
    widget then keeps up to date); None when nobody online can take it."""
    if handover.agents_online <= 0:
        return None
    await session.flush()
    place = (await queues.positions(session, shop_id=conversation.shop_id, now=now)).get(
        conversation.id
    )
    if place is None:  # the router already gave it to someone, or it is not queued
        return 1
    if place.wait_seconds is None:
        return None
    return wait.rounded_minutes(place.wait_seconds)


async def hand_over(
    session: AsyncSession,
    *,
    conversation: Conversation,
    state: BotSession,
    handover: Handover,
    now: datetime,
) -> Message:
    """Hand the conversation to people; returns the message telling the customer the wait."""
    state.handed_over_at = now
    state.handoff_reason = handover.reason.value
    state.flow = state.pending = None
    state.updated_at = now
    automation.move_status(conversation, Status.OPEN, now)
    if handover.sentiment.angry:
        automation.raise_priority(conversation, Priority.HIGH, now)
        conversation.angry = True
    conversation.intent = handover.intent
    # Into the human queue the shop's rules choose from the intent; the router (which
    # follows this event) gives it to an agent.
    await intake.enqueue(session, conversation=conversation, now=now)
    automation.announce(session, conversation, "handover")
    note = note_text(handover, await transcript(session, state=state))
    await automation.add_bot_message(
        session, conversation=conversation, body=note, now=now, internal=True
    )
    language = handover.language
    apology = render("handoff_angry", language) if handover.sentiment.angry else ""
    minutes = await _predicted_minutes(session, conversation, handover, now)
    if minutes is not None:
        told = render("handoff", language, minutes=minutes)
    elif handover.agents_online > 0:
        told = render("handoff_busy", language)
    else:
        told = render("handoff_offline", language)
    return await automation.add_bot_message(
        session, conversation=conversation, body=apology + told, now=now
    )
