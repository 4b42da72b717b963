"""Self-service flows as pure decisions: facts about one order (and the time) in, the reply and
at most one checked action out.

Nothing here changes data. An `Outcome` names the action (`create_return`, `change_address`,
`record_invoice`, ...) and the bot service performs exactly that, through the commerce
service, in the same transaction that logs it — so the only ways the bot changes an order are
the ones decided here, and each is tested without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from kefu.bot.replies import Language, render, word

# Order states from `kefu.commerce.states`, repeated as plain strings: this module is pure.
_NOT_SHIPPED = frozenset({"pending_payment", "paid"})
_DELIVERED = frozenset({"delivered", "completed"})
_OPEN_RETURNS = frozenset({"requested", "approved", "received"})
_INVOICEABLE = frozenset({"paid", "shipped", "delivered", "completed"})
MIN_ADDRESS_CHARS = 8
MAX_ADDRESS_CHARS = 500


@dataclass(frozen=True, slots=True)
class TrackingFact:
    occurred_at: datetime
    status: str
    location: str
    description: str


@dataclass(frozen=True, slots=True)
class ShipmentFact:
    carrier: str
    tracking_no: str
    status: str
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    latest: TrackingFact | None = None


@dataclass(frozen=True, slots=True)
class ReturnFact:
    id: int
    kind: str
    status: str


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """One order as the flows see it. `owned`: the order is the customer's own (only then may
    a flow change anything)."""

    id: int
    order_no: str
    status: str
    placed_at: datetime
    shipping_address: str = ""
    owned: bool = True
    shipments: tuple[ShipmentFact, ...] = ()
    returns: tuple[ReturnFact, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """The reply, the action to perform (None: only answer) with its payload, and the slot the
    bot waits for next (`order_no`, `address`) if any."""

    reply: str
    action: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    pending: str | None = None


def _time(value: datetime, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def ask_for_order(recent: Sequence[str], language: Language) -> Outcome:
    """Which order? List the customer's recent order numbers when there are any."""
    if recent:
        return Outcome(
            render("ask_which_order", language, orders="、".join(recent[:3])), pending="order_no"
        )
    return Outcome(render("ask_order", language), pending="order_no")


def order_not_found(order_no: str, language: Language) -> Outcome:
    return Outcome(render("order_not_found", language, order_no=order_no), pending="order_no")


def order_status(order: OrderFacts, language: Language, zone: tzinfo) -> Outcome:
    """Where the order is: its latest shipment and that shipment's latest tracking event."""
    facts: dict[str, object] = {
        "order_no": order.order_no,
        "status": word(order.status, language),
    }
    if order.status == "cancelled":
        return Outcome(render("status_cancelled", language, **facts))
    shipment = order.shipments[-1] if order.shipments else None
    if shipment is None:
        return Outcome(render("status_unshipped", language, **facts))
    facts |= {
        "carrier": shipment.carrier,
        "tracking_no": shipment.tracking_no,
        "shipment_status": word(shipment.status, language),
    }
    event = shipment.latest
    if event is None:
        return Outcome(render("status_shipment_no_events", language, **facts))
    location = f"【{event.location}】" if event.location else ""
    return Outcome(
        render(
            "status_shipment",
            language,
            **facts,
            event_time=_time(event.occurred_at, zone),
            location=location,
            description=event.description,
        ),
        action="order_status",
        payload={"order_no": order.order_no, "tracking_event": event.description},
    )


def delivered_at(order: OrderFacts) -> datetime | None:
    """When the order arrived: its latest shipment delivery; for a delivered order with no
    recorded delivery, its placing time (the earliest it can have arrived: the window closes
    sooner, never later)."""
    times = [s.delivered_at for s in order.shipments if s.delivered_at is not None]
    if times:
        return max(times)
    return order.placed_at if order.status in _DELIVERED else None


def return_request(
    order: OrderFacts,
    *,
    kind: str,
    reason: str,
    now: datetime,
    window_days: int,
    language: Language,
    zone: tzinfo,
) -> Outcome:
    """A return or exchange (`kind`): open a case when the order was delivered within
    `window_days` and has none in progress, or explain why not."""
    facts: dict[str, object] = {
        "order_no": order.order_no,
        "status": word(order.status, language),
        "kind": word(kind, language),
    }
    in_progress = [r for r in order.returns if r.status in _OPEN_RETURNS]
    if in_progress:
        return Outcome(render("return_open", language, **facts, case_id=in_progress[-1].id))
    if order.status == "cancelled":
        return Outcome(render("return_not_possible", language, **facts))
    arrived = delivered_at(order)
    if order.status not in _DELIVERED and arrived is None:
        return Outcome(render("return_not_delivered", language, **facts))
    assert arrived is not None
    if now - arrived > timedelta(days=window_days):
        return Outcome(
            render(
                "return_expired",
                language,
                **facts,
                delivered=arrived.astimezone(zone).strftime("%Y-%m-%d"),
                days=window_days,
            )
        )
    return Outcome(
        "",  # the reply names the new case, known once it is created: see `return_created`
        action=f"create_{kind}",
        payload={"order_no": order.order_no, "kind": kind, "reason": reason[:MAX_ADDRESS_CHARS]},
    )


def return_created(order: OrderFacts, *, kind: str, case_id: int, language: Language) -> str:
    return render(
        "return_created",
        language,
        order_no=order.order_no,
        kind=word(kind, language),
        case_id=case_id,
    )


def _shipped(order: OrderFacts) -> bool:
    return order.status not in _NOT_SHIPPED or any(
        s.shipped_at is not None or s.status != "pending" for s in order.shipments
    )


def address_change(order: OrderFacts, language: Language) -> Outcome:
    """Before dispatch: ask for the new address. After: refuse."""
    if order.status == "cancelled" or _shipped(order):
        return Outcome(
            render(
                "address_refused",
                language,
                order_no=order.order_no,
                status=word(order.status, language),
            )
        )
    return Outcome(render("ask_address", language, order_no=order.order_no), pending="address")


def new_address(order: OrderFacts, text: str, language: Language) -> Outcome:
    """The customer sent the new address: change it if the order still has not shipped."""
    refused = address_change(order, language)
    if refused.pending is None:
        return refused
    address = " ".join(text.split())[:MAX_ADDRESS_CHARS]
    if len(address) < MIN_ADDRESS_CHARS:
        return Outcome(render("address_too_short", language), pending="address")
    return Outcome(
        render("address_changed", language, order_no=order.order_no, address=address),
        action="change_address",
        payload={"order_no": order.order_no, "old": order.shipping_address, "new": address},
    )


def invoice_request(order: OrderFacts, *, text: str, language: Language) -> Outcome:
    """Record the request for the finance team; the order itself does not change."""
    facts = {"order_no": order.order_no, "status": word(order.status, language)}
    if order.status not in _INVOICEABLE:
        return Outcome(render("invoice_refused", language, **facts))
    return Outcome(
        render("invoice_recorded", language, **facts),
        action="record_invoice",
        payload={"order_no": order.order_no, "request": text[:MAX_ADDRESS_CHARS]},
    )
