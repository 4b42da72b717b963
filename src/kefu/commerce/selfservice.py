"""The checked changes customer self-service (the bot) may make to a shop's orders, and the
reads it needs. Every function works in the caller's transaction (the bot service logs each
change beside it and commits once) and scopes every query by shop.

These are the only writes the bot makes to commerce data: opening a return or exchange case
and changing the delivery address of an order not yet dispatched. Each re-checks its rule
under a row lock, whatever the caller decided, so a shipment imported a moment ago wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.commerce.models import Order, ReturnRequest, Shipment
from kefu.commerce.queries import describe_order
from kefu.commerce.schemas import OrderDetail
from kefu.commerce.states import OrderStatus, ReturnKind, ReturnStatus, ShipmentStatus
from kefu.shared.errors import Conflict, NotFound

ADDRESS_CHANGEABLE = frozenset({OrderStatus.PENDING_PAYMENT.value, OrderStatus.PAID.value})


async def orders_by_number(
    session: AsyncSession, *, shop_id: int, order_nos: Sequence[str]
) -> list[Order]:
    """The shop's orders whose numbers are among ``order_nos``, in the order given."""
    if not order_nos:
        return []
    rows = await session.scalars(
        select(Order).where(Order.shop_id == shop_id, Order.order_no.in_(list(order_nos)))
    )
    found = {order.order_no: order for order in rows}
    return [found[no] for no in dict.fromkeys(order_nos) if no in found]


async def recent_orders(
    session: AsyncSession, *, shop_id: int, customer_id: int, limit: int = 3
) -> list[Order]:
    """The customer's latest orders, newest first."""
    rows = await session.scalars(
        select(Order)
        .where(Order.shop_id == shop_id, Order.customer_id == customer_id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(limit)
    )
    return list(rows.all())


async def get_order(session: AsyncSession, *, shop_id: int, order_id: int) -> Order | None:
    order = await session.get(Order, order_id)
    return order if order is not None and order.shop_id == shop_id else None


async def order_detail(session: AsyncSession, *, order: Order) -> OrderDetail:
    """The order with items, shipments (tracking oldest first) and returns."""
    return await describe_order(session, order)


async def _locked_order(session: AsyncSession, shop_id: int, order_id: int) -> Order:
    order: Order | None = await session.scalar(
        select(Order).where(Order.id == order_id, Order.shop_id == shop_id).with_for_update()
    )
    if order is None:
        raise NotFound(f"no order {order_id}", code="order_not_found")
    return order


async def open_return(
    session: AsyncSession,
    *,
    shop_id: int,
    order_id: int,
    kind: ReturnKind,
    reason: str,
    now: datetime,
) -> ReturnRequest:
    """Open a return or exchange case on a delivered order (the window is the caller's rule,
    taken from the shop's bot settings). Raises ``Conflict`` if the order is not delivered."""
    order = await _locked_order(session, shop_id, order_id)
    if order.status not in (OrderStatus.DELIVERED.value, OrderStatus.COMPLETED.value):
        raise Conflict(
            f"order {order.order_no} is {order.status}, not delivered",
            code="order_not_delivered",
        )
    case = ReturnRequest(
        shop_id=shop_id,
        order_id=order.id,
        kind=kind.value,
        reason=reason[:500],
        status=ReturnStatus.REQUESTED.value,
        refund_cents=0,
        requested_at=now,
    )
    session.add(case)
    await session.flush()
    return case


async def change_shipping_address(
    session: AsyncSession, *, shop_id: int, order_id: int, address: str
) -> str:
    """Set the delivery address of an order that has not been dispatched; returns the old one.
    Raises ``Conflict`` (``order_dispatched``) once the order or any shipment of it moved."""
    order = await _locked_order(session, shop_id, order_id)
    moving = await session.scalar(
        select(Shipment.id)
        .where(
            Shipment.order_id == order.id,
            (Shipment.shipped_at.is_not(None)) | (Shipment.status != ShipmentStatus.PENDING.value),
        )
        .limit(1)
    )
    if order.status not in ADDRESS_CHANGEABLE or moving is not None:
        raise Conflict(
            f"order {order.order_no} is {order.status}; its address can no longer change",
            code="order_dispatched",
        )
    old = order.shipping_address
    order.shipping_address = address
    await session.flush()
    return old
