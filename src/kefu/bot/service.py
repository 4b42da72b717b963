"""The bot's turn on one customer message: understand it, answer it (a knowledge-base answer or
a self-service flow) or hand the conversation to people — and log the turn, in one transaction.

Called by the `BotWorker` after the customer's message is committed and acknowledged, never on
the chat's write path. Runs only for shops whose bot is enabled, on web chat and IM
conversations (e-mail stays with people), until the bot hands over or an agent answers.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import Shop
from kefu.bot import decide
from kefu.bot.actions import FlowRequest, run_flow
from kefu.bot.confidence import faq_aliases, resolve_faq_labels
from kefu.bot.engine import BotEngine, Understanding
from kefu.bot.handoff import HandoffFacts, HandoffReason, handoff_reason, looks_like_question
from kefu.bot.handover import Handover, hand_over
from kefu.bot.intents import ORDER_INTENTS, Intent, is_policy_question
from kefu.bot.orderno import order_numbers
from kefu.bot.replies import Language, render
from kefu.bot.retrieval import RetrievalHit
from kefu.bot.tables import BotSession, BotSettings, BotTurn
from kefu.conversations import automation
from kefu.conversations.models import Conversation, Message
from kefu.conversations.status import Channel, SenderType, Status
from kefu.customers.models import Customer
from kefu.knowledge.kb_search import Answer, kb_answers
from kefu.knowledge.placeholders import PlaceholderValues, fill_placeholders

BOT_CHANNELS = frozenset({Channel.WEB.value, Channel.IM.value})
QUESTION_CHARS = 500
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


async def get_settings(session: AsyncSession, *, shop_id: int) -> BotSettings | None:
    return await session.get(BotSettings, shop_id)


async def enabled_shops(session: AsyncSession) -> tuple[int, ...]:
    """Shops whose bot is on: the only ones whose messages the worker follows."""
    rows = await session.scalars(
        select(BotSettings.shop_id)
        .where(BotSettings.enabled.is_(True))
        .order_by(BotSettings.shop_id)
    )
    return tuple(rows.all())


def _language(text: str, fallback: str) -> Language:
    """Chinese if the message has Chinese characters, English if it has English words besides
    order numbers, else the language of the conversation so far."""
    if _CJK.search(text):
        return "zh"
    rest = text
    for number in order_numbers(text):
        rest = rest.replace(number, " ")
    if _LATIN_WORD.search(rest):
        return "en"
    return "en" if fallback == "en" else "zh"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Shanghai")


@dataclass(slots=True)
class _Turn:
    """Everything one turn needs, loaded once."""

    message: Message
    conversation: Conversation
    config: BotSettings
    state: BotSession
    customer: Customer
    shop: Shop
    now: datetime
    agents_online: int


async def _load(
    session: AsyncSession, message_id: int, now: datetime, agents_online: int
) -> _Turn | None:
    """The turn's facts, or None when the bot has nothing to do with this message."""
    message = await session.get(Message, message_id)
    if (
        message is None
        or message.sender_type != SenderType.CUSTOMER.value
        or message.is_internal
        or not message.body.strip()
    ):
        return None
    conversation = await session.get(Conversation, message.conversation_id)
    config = await get_settings(session, shop_id=message.shop_id)
    if conversation is None or conversation.channel not in BOT_CHANNELS:
        return None
    if config is None or not config.enabled:
        return None
    handled = await session.scalar(select(BotTurn.id).where(BotTurn.message_id == message.id))
    state = await session.get(BotSession, conversation.id)
    if handled is not None or (state is not None and state.handed_over_at is not None):
        return None
    if state is None:
        state = BotSession(
            conversation_id=conversation.id,
            shop_id=conversation.shop_id,
            language="zh",
            out_of_scope=0,
            created_at=message.created_at,
            updated_at=now,
        )
        session.add(state)
    customer = await session.get(Customer, conversation.customer_id)
    shop = await session.get(Shop, conversation.shop_id)
    assert customer is not None and shop is not None
    return _Turn(message, conversation, config, state, customer, shop, now, agents_online)


async def _agent_answered(session: AsyncSession, conversation_id: int) -> bool:
    answered = await session.scalar(
        select(
            exists().where(
                Message.conversation_id == conversation_id,
                Message.sender_type == SenderType.AGENT.value,
                Message.is_internal.is_(False),
            )
        )
    )
    return bool(answered)


async def handle_customer_message(
    session: AsyncSession,
    *,
    engine: BotEngine,
    message_id: int,
    now: datetime,
    agents_online: int,
) -> BotTurn | None:
    """Take the bot's turn on the customer's message ``message_id`` and commit; None when the
    bot stays silent (bot off, not a chat, handed over, already handled by another worker).
    ``agents_online`` (from the presence board) sizes the expected wait on a hand-over."""
    turn = await _load(session, message_id, now, agents_online)
    if turn is None:
        await session.rollback()
        return None
    if await _agent_answered(session, turn.conversation.id):
        turn.state.handed_over_at = now
        turn.state.handoff_reason = HandoffReason.AGENT_JOINED.value
        turn.state.updated_at = now
        return await _commit(session, None)
    understanding = await asyncio.to_thread(
        engine.understand,
        turn.conversation.shop_id,
        turn.message.body,
        turn.config.packaged_model,
    )
    try:
        record = await _take_turn(session, turn, understanding)
    except IntegrityError:
        # Another worker claimed this message (or opened this conversation's state) first.
        await session.rollback()
        return None
    return await _commit(session, record)


async def _commit(session: AsyncSession, record: BotTurn | None) -> BotTurn | None:
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return None
    return record


async def _knowledge(
    session: AsyncSession, shop_id: int, text: str, language: Language
) -> tuple[list[RetrievalHit], dict[str, Answer]]:
    answers = await kb_answers(session, shop_id, text, 3, language=language)
    hits = [RetrievalHit(str(a.article_id), a.relevance, a.relevance) for a in answers]
    return hits, {str(a.article_id): a for a in answers}


async def _route(
    session: AsyncSession,
    turn: _Turn,
    understanding: Understanding,
    numbers: tuple[str, ...],
    language: Language,
) -> tuple[decide.Route, dict[str, Answer], str | None]:
    """The route, the knowledge-base answers it may use, and the slot this message fills (an
    order number or a new address the bot asked for), checked before cues, model and KB."""
    state, cue = turn.state, understanding.cue
    if cue is not Intent.HUMAN_REQUEST and state.flow is not None:
        if state.pending == "order_no" and numbers:
            return decide.Route("intent", state.flow, 1.0), {}, state.pending
        if state.pending == "address" and cue is None:
            return decide.Route("intent", state.flow, 1.0), {}, state.pending
    if cue is None and numbers:
        return decide.Route("intent", Intent.ORDER_STATUS.value, 0.9), {}, None
    hits: list[RetrievalHit] = []
    answers: dict[str, Answer] = {}
    policy = cue in ORDER_INTENTS and not numbers and is_policy_question(turn.message.body)
    if cue is None or policy:
        hits, answers = await _knowledge(session, turn.shop.id, turn.message.body, language)
    if policy and hits and hits[0].relevance >= decide.FAQ_RELEVANCE:
        return decide.Route("faq", hits[0].id, hits[0].relevance), answers, None
    prediction = understanding.prediction
    if prediction is not None:
        # Models trained without the database name FAQs by their main question.
        titles = {doc_id: answer.title for doc_id, answer in answers.items()}
        prediction = resolve_faq_labels(prediction, faq_aliases(titles))
    routed = decide.route(cue, prediction, hits)
    if routed.kind == "faq" and routed.target not in answers:
        routed = decide.Route("guess", None, routed.confidence)
    return routed, answers, None


async def _take_turn(session: AsyncSession, turn: _Turn, understanding: Understanding) -> BotTurn:
    state, message, sentiment = turn.state, turn.message, understanding.sentiment
    language = _language(message.body, state.language)
    numbers = tuple(order_numbers(message.body))
    routed, answers, continuing = await _route(session, turn, understanding, numbers, language)
    state.language, state.updated_at = language, turn.now
    state.out_of_scope = state.out_of_scope + 1 if routed.kind == "unknown" else 0
    record = BotTurn(
        shop_id=message.shop_id,
        conversation_id=message.conversation_id,
        message_id=message.id,
        question=message.body[:QUESTION_CHARS],
        language=language,
        intent=routed.target if routed.kind in ("intent", "unsupported") else _faq(routed),
        confidence=round(routed.confidence, 4),
        action="answer",
        emotion=sentiment.label,
        angry=sentiment.angry,
        created_at=turn.now,
    )
    session.add(record)
    await session.flush()  # claims the message: a second worker's flush fails here
    state.last_intent = record.intent
    facts = HandoffFacts(
        explicit_request=routed.intent is Intent.HUMAN_REQUEST,
        angry=sentiment.angry,
        negative=sentiment.negative,
        question=looks_like_question(message.body),
        self_service=routed.kind == "intent",
        vip_level=turn.customer.vip_level,
        vip_threshold=turn.config.handoff_vip_level,
        flow_needs_person=routed.kind == "unsupported",
        unsure=routed.kind == "guess",
        out_of_scope_count=state.out_of_scope,
        max_out_of_scope=turn.config.max_out_of_scope,
    )
    reason = handoff_reason(facts)
    reply: str | None = None
    if reason is None:
        reply, reason = await _answer(session, turn, record, routed, answers, numbers, continuing)
    if reason is not None:
        return await _hand_over(session, turn, record, reason, understanding, language)
    assert reply is not None
    sent = await automation.add_bot_message(
        session, conversation=turn.conversation, body=reply, now=turn.now
    )
    record.reply_message_id = sent.id
    if automation.move_status(turn.conversation, Status.PENDING, turn.now):
        automation.announce(session, turn.conversation, "status")
    return record


def _faq(routed: decide.Route) -> str | None:
    return f"faq:{routed.target}" if routed.kind == "faq" else None


async def _answer(
    session: AsyncSession,
    turn: _Turn,
    record: BotTurn,
    routed: decide.Route,
    answers: dict[str, Answer],
    numbers: tuple[str, ...],
    continuing: str | None,
) -> tuple[str | None, HandoffReason | None]:
    """The reply for an understood message, or the reason a person must take over."""
    state, language = turn.state, record.language
    lang: Language = "en" if language == "en" else "zh"
    intent = routed.intent
    if routed.kind == "faq":
        record.answered = True
        assert routed.target is not None
        answer = answers[routed.target]
        values = PlaceholderValues(
            customer_name=turn.customer.name,
            agent_name=render("bot_name", lang),
            shop_name=turn.shop.name,
        )
        return fill_placeholders(answer.answer_text, values, lang), None
    if intent is None:
        record.action = "fallback"
        return render("not_understood", lang), None
    record.answered = True
    if intent is Intent.GREETING:
        greeting = turn.config.greeting_en if lang == "en" else turn.config.greeting_zh
        return greeting.strip() or render("greeting", lang), None
    if intent is Intent.THANKS or intent not in ORDER_INTENTS:
        return render("thanks", lang), None
    request = FlowRequest(
        shop_id=turn.shop.id,
        customer_id=turn.customer.id,
        intent=intent,
        text=turn.message.body,
        order_numbers=numbers,
        remembered_order_id=state.order_id,
        pending=continuing,
        language=lang,
        zone=_zone(turn.shop.timezone),
        now=turn.now,
        return_window_days=turn.config.return_window_days,
    )
    result = await run_flow(session, turn=record, request=request)
    record.flow = intent.value
    if result.needs_person:
        record.answered = False
        return None, HandoffReason.FLOW
    state.flow = intent.value if result.pending else None
    state.pending = result.pending
    state.order_id = result.order_id or state.order_id
    record.action = "ask" if result.asked else "flow"
    return result.reply, None


async def _hand_over(
    session: AsyncSession,
    turn: _Turn,
    record: BotTurn,
    reason: HandoffReason,
    understanding: Understanding,
    language: Language,
) -> BotTurn:
    record.action, record.answered, record.handoff_reason = "handover", False, reason.value
    told = await hand_over(
        session,
        conversation=turn.conversation,
        state=turn.state,
        handover=Handover(
            reason=reason,
            intent=record.intent,
            sentiment=understanding.sentiment,
            language=language,
            agents_online=turn.agents_online,
        ),
        now=turn.now,
    )
    record.reply_message_id = told.id
    return record
