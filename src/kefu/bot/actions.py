"""Running the self-service flows on a shop's commerce data: find the order the customer means,
hand its facts to the pure flow (`kefu.bot.flows`), perform the one checked change the flow
decided through `kefu.commerce.selfservice`, and log every lookup, change and refusal as a
`BotAction` of the turn. Works in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kefu.bot import flows
from kefu.bot.intents import Intent
from kefu.bot.replies import Language
from kefu.bot.tables import BotAction, BotTurn
from kefu.commerce import selfservice
from kefu.commerce.models import Order
from kefu.commerce.schemas import OrderDetail
from kefu.commerce.states import ReturnKind
from kefu.shared.errors import Conflict


@dataclass(frozen=True, slots=True)
class FlowRequest:
    """One customer message on a transactional intent, with what the conversation knows."""

    shop_id: int
    customer_id: int
    intent: Intent
    text: str
    order_numbers: tuple[str, ...]
    remembered_order_id: int | None  # the order this conversation was last about
    pending: str | None  # the slot the bot asked for last turn
    language: Language
    zone: tzinfo
    now: datetime
    return_window_days: int


@dataclass(slots=True)
class FlowResult:
    """The reply; `asked`: it is a question (the bot waits for `pending`); `needs_person`:
    the flow cannot go on without a person (no reply then)."""

    reply: str = ""
    asked: bool = False
    pending: str | None = None
    order_id: int | None = None
    needs_person: bool = False
    logged: list[str] = field(default_factory=list)


def _facts(order: Order, detail: OrderDetail, customer_id: int) -> flows.OrderFacts:
    shipments = tuple(
        flows.ShipmentFact(
            carrier=s.carrier,
            tracking_no=s.tracking_no,
            status=s.status.value,
            shipped_at=s.shipped_at,
            delivered_at=s.delivered_at,
            latest=(
                flows.TrackingFact(
                    occurred_at=s.events[-1].occurred_at,
                    status=s.events[-1].status.value,
                    location=s.events[-1].location,
                    description=s.events[-1].description,
                )
                if s.events
                else None
            ),
        )
        for s in detail.shipments
    )
    returns = tuple(flows.ReturnFact(r.id, r.kind.value, r.status.value) for r in detail.returns)
    return flows.OrderFacts(
        id=order.id,
        order_no=order.order_no,
        status=order.status,
        placed_at=order.placed_at,
        shipping_address=order.shipping_address,
        owned=order.customer_id == customer_id,
        shipments=shipments,
        returns=returns,
    )


def _log(
    session: AsyncSession,
    turn: BotTurn,
    result: FlowResult,
    kind: str,
    order_id: int | None,
    payload: dict[str, Any],
) -> None:
    session.add(
        BotAction(
            shop_id=turn.shop_id,
            conversation_id=turn.conversation_id,
            turn_id=turn.id,
            kind=kind,
            order_id=order_id,
            payload=payload,
            created_at=turn.created_at,
        )
    )
    result.logged.append(kind)


async def _find_order(
    session: AsyncSession, request: FlowRequest, result: FlowResult
) -> Order | None:
    """The order meant: one named in the message, else the one this conversation is about,
    else the customer's only order. None when the bot has asked (`result` says so)."""
    if request.order_numbers:
        found = await selfservice.orders_by_number(
            session, shop_id=request.shop_id, order_nos=request.order_numbers
        )
        if found:
            return found[0]
        outcome = flows.order_not_found(request.order_numbers[0], request.language)
        result.reply, result.asked, result.pending = outcome.reply, True, outcome.pending
        return None
    if request.remembered_order_id is not None:
        order = await selfservice.get_order(
            session, shop_id=request.shop_id, order_id=request.remembered_order_id
        )
        if order is not None:
            return order
    recent = await selfservice.recent_orders(
        session, shop_id=request.shop_id, customer_id=request.customer_id
    )
    if len(recent) == 1:
        return recent[0]
    outcome = flows.ask_for_order([o.order_no for o in recent], request.language)
    result.reply, result.asked, result.pending = outcome.reply, True, outcome.pending
    return None


async def run_flow(session: AsyncSession, *, turn: BotTurn, request: FlowRequest) -> FlowResult:
    """Answer a transactional intent; every lookup, change and refusal is logged on `turn`."""
    result = FlowResult()
    order = await _find_order(session, request, result)
    if order is None:
        return result
    result.order_id = order.id
    facts = _facts(order, await selfservice.order_detail(session, order=order), request.customer_id)
    if request.intent is not Intent.ORDER_STATUS and not facts.owned:
        # Knowing an order number is enough to track a parcel, never to change an order.
        _log(session, turn, result, "not_owner", order.id, {"order_no": order.order_no})
        result.needs_person = True
        return result
    match request.intent:
        case Intent.ORDER_STATUS:
            outcome = flows.order_status(facts, request.language, request.zone)
            _log(session, turn, result, "order_status", order.id, {"reply": outcome.reply})
            result.reply = outcome.reply
        case Intent.RETURN_REQUEST | Intent.EXCHANGE_REQUEST:
            await _return(session, turn, request, facts, result)
        case Intent.ADDRESS_CHANGE:
            await _address(session, turn, request, facts, result)
        case Intent.INVOICE_REQUEST:
            outcome = flows.invoice_request(facts, text=request.text, language=request.language)
            kind = "invoice_requested" if outcome.action else "invoice_refused"
            _log(session, turn, result, kind, order.id, outcome.payload or {"reply": outcome.reply})
            result.reply = outcome.reply
        case _:
            raise ValueError(f"{request.intent} is not a flow")
    return result


async def _return(
    session: AsyncSession,
    turn: BotTurn,
    request: FlowRequest,
    facts: flows.OrderFacts,
    result: FlowResult,
) -> None:
    kind = ReturnKind.EXCHANGE if request.intent is Intent.EXCHANGE_REQUEST else ReturnKind.RETURN
    outcome = flows.return_request(
        facts,
        kind=kind.value,
        reason=request.text,
        now=request.now,
        window_days=request.return_window_days,
        language=request.language,
        zone=request.zone,
    )
    if outcome.action is None:
        _log(session, turn, result, f"{kind.value}_refused", facts.id, {"reply": outcome.reply})
        result.reply = outcome.reply
        return
    try:
        case = await selfservice.open_return(
            session,
            shop_id=request.shop_id,
            order_id=facts.id,
            kind=kind,
            reason=request.text,
            now=request.now,
        )
    except Conflict as refused:
        _log(session, turn, result, f"{kind.value}_refused", facts.id, {"error": refused.code})
        result.needs_person = True
        return
    _log(
        session,
        turn,
        result,
        f"{kind.value}_created",
        facts.id,
        {**outcome.payload, "case_id": case.id},
    )
    result.reply = flows.return_created(
        facts, kind=kind.value, case_id=case.id, language=request.language
    )


async def _address(
    session: AsyncSession,
    turn: BotTurn,
    request: FlowRequest,
    facts: flows.OrderFacts,
    result: FlowResult,
) -> None:
    if request.pending != "address":
        outcome = flows.address_change(facts, request.language)
        if outcome.pending is None:
            _log(session, turn, result, "address_refused", facts.id, {"status": facts.status})
        result.reply, result.pending, result.asked = (
            outcome.reply,
            outcome.pending,
            outcome.pending is not None,
        )
        return
    outcome = flows.new_address(facts, request.text, request.language)
    if outcome.action is None:
        if outcome.pending is None:
            _log(session, turn, result, "address_refused", facts.id, {"status": facts.status})
        result.reply, result.pending, result.asked = (
            outcome.reply,
            outcome.pending,
            outcome.pending is not None,
        )
        return
    try:
        old = await selfservice.change_shipping_address(
            session, shop_id=request.shop_id, order_id=facts.id, address=outcome.payload["new"]
        )
    except Conflict:
        refused = flows.address_change(replace(facts, status="shipped"), request.language)
        _log(session, turn, result, "address_refused", facts.id, {"status": "dispatched"})
        result.reply = refused.reply
        return
    _log(session, turn, result, "address_changed", facts.id, {**outcome.payload, "old": old})
    result.reply = outcome.reply
