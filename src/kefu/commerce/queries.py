"""Reading the shop's commerce data: products, orders with their items, shipments and returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.commerce.models import Order, OrderItem, Product, ReturnRequest, Shipment, TrackingEvent
from kefu.commerce.schemas import (
    OrderDetail,
    OrderItemOut,
    OrderOut,
    ReturnOut,
    ShipmentOut,
    TrackingEventOut,
)
from kefu.commerce.states import OrderStatus, ReturnKind, ReturnStatus, ShipmentStatus
from kefu.shared.errors import NotFound

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ProductFilter:
    query: str | None = None  # substring of name or SKU
    category: str | None = None


@dataclass(frozen=True, slots=True)
class OrderFilter:
    customer_id: int | None = None
    status: OrderStatus | None = None
    query: str | None = None  # substring of the order number


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _page(
    session: AsyncSession,
    query: Select[tuple[T]],
    order_by: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]],
    limit: int,
    offset: int,
) -> tuple[list[T], int]:
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(*order_by).limit(limit).offset(offset))
    return list(rows.all()), total


async def list_products(
    session: AsyncSession, *, actor: Principal, filters: ProductFilter, limit: int, offset: int
) -> tuple[list[Product], int]:
    """One page by SKU, and the total number matching."""
    actor.require(Permission.COMMERCE_READ)
    query = select(Product).where(Product.shop_id == actor.shop_id)
    if filters.query:
        pattern = _like(filters.query.strip())
        query = query.where(
            or_(Product.name.ilike(pattern, escape="\\"), Product.sku.ilike(pattern, escape="\\"))
        )
    if filters.category:
        query = query.where(Product.category == filters.category)
    return await _page(session, query, (Product.sku, Product.id), limit, offset)


async def list_orders(
    session: AsyncSession, *, actor: Principal, filters: OrderFilter, limit: int, offset: int
) -> tuple[list[Order], int]:
    """One page, most recently placed first, and the total number matching."""
    actor.require(Permission.COMMERCE_READ)
    query = select(Order).where(Order.shop_id == actor.shop_id)
    if filters.customer_id is not None:
        query = query.where(Order.customer_id == filters.customer_id)
    if filters.status is not None:
        query = query.where(Order.status == filters.status.value)
    if filters.query:
        query = query.where(Order.order_no.ilike(_like(filters.query.strip()), escape="\\"))
    return await _page(session, query, (Order.placed_at.desc(), Order.id.desc()), limit, offset)


def _order_not_found(key: object) -> NotFound:
    return NotFound(f"no order {key}", code="order_not_found")


async def require_order(session: AsyncSession, *, actor: Principal, order_id: int) -> Order:
    actor.require(Permission.COMMERCE_READ)
    order = await session.get(Order, order_id)
    if order is None or order.shop_id != actor.shop_id:
        raise _order_not_found(order_id)
    return order


async def require_order_by_number(
    session: AsyncSession, *, actor: Principal, order_no: str
) -> Order:
    actor.require(Permission.COMMERCE_READ)
    order: Order | None = await session.scalar(
        select(Order).where(Order.shop_id == actor.shop_id, Order.order_no == order_no)
    )
    if order is None:
        raise _order_not_found(f"'{order_no}'")
    return order


async def _describe_shipments(
    session: AsyncSession, shipments: Sequence[Shipment], order_nos: dict[int, str]
) -> list[ShipmentOut]:
    """Shipments with their tracking events, oldest event first, in one query for the events."""
    events: dict[int, list[TrackingEventOut]] = {s.id: [] for s in shipments}
    if shipments:
        for event in await session.scalars(
            select(TrackingEvent)
            .where(TrackingEvent.shipment_id.in_(events))
            .order_by(TrackingEvent.occurred_at, TrackingEvent.id)
        ):
            events[event.shipment_id].append(TrackingEventOut.model_validate(event))
    return [
        ShipmentOut(
            id=s.id,
            order_id=s.order_id,
            order_no=order_nos[s.order_id],
            carrier=s.carrier,
            tracking_no=s.tracking_no,
            status=ShipmentStatus(s.status),
            shipped_at=s.shipped_at,
            delivered_at=s.delivered_at,
            events=events[s.id],
        )
        for s in shipments
    ]


def _describe_return(ret: ReturnRequest, order_no: str) -> ReturnOut:
    return ReturnOut(
        id=ret.id,
        order_id=ret.order_id,
        order_no=order_no,
        kind=ReturnKind(ret.kind),
        reason=ret.reason,
        status=ReturnStatus(ret.status),
        refund_cents=ret.refund_cents,
        requested_at=ret.requested_at,
        resolved_at=ret.resolved_at,
    )


async def describe_order(session: AsyncSession, order: Order) -> OrderDetail:
    """The order with its items, shipments (with tracking) and returns."""
    items = await session.scalars(
        select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.id)
    )
    shipments = await session.scalars(
        select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id)
    )
    returns = await session.scalars(
        select(ReturnRequest)
        .where(ReturnRequest.order_id == order.id)
        .order_by(ReturnRequest.requested_at, ReturnRequest.id)
    )
    return OrderDetail(
        **OrderOut.model_validate(order).model_dump(),
        items=[OrderItemOut.model_validate(i) for i in items],
        shipments=await _describe_shipments(
            session, list(shipments.all()), {order.id: order.order_no}
        ),
        returns=[_describe_return(r, order.order_no) for r in returns],
    )


async def require_shipment(
    session: AsyncSession, *, actor: Principal, shipment_id: int
) -> ShipmentOut:
    actor.require(Permission.COMMERCE_READ)
    shipment = await session.get(Shipment, shipment_id)
    if shipment is None or shipment.shop_id != actor.shop_id:
        raise NotFound(f"no shipment {shipment_id}", code="shipment_not_found")
    order = await session.get(Order, shipment.order_id)
    assert order is not None
    return (await _describe_shipments(session, [shipment], {order.id: order.order_no}))[0]


async def list_returns(
    session: AsyncSession,
    *,
    actor: Principal,
    status: ReturnStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[ReturnOut], int]:
    """One page, most recently requested first, and the total number matching."""
    actor.require(Permission.COMMERCE_READ)
    query = select(ReturnRequest).where(ReturnRequest.shop_id == actor.shop_id)
    if status is not None:
        query = query.where(ReturnRequest.status == status.value)
    returns, total = await _page(
        session,
        query,
        (ReturnRequest.requested_at.desc(), ReturnRequest.id.desc()),
        limit,
        offset,
    )
    order_nos: dict[int, str] = {}
    if returns:
        order_nos = dict(
            (
                await session.execute(
                    select(Order.id, Order.order_no).where(
                        Order.id.in_({r.order_id for r in returns})
                    )
                )
            )
            .tuples()
            .all()
        )
    return [_describe_return(r, order_nos[r.order_id]) for r in returns], total


async def list_customer_orders(
    session: AsyncSession, *, actor: Principal, customer_id: int, limit: int
) -> list[OrderDetail]:
    """The customer's latest ``limit`` orders with items, shipments (tracking oldest first) and
    returns, in five queries whatever the number of orders."""
    actor.require(Permission.COMMERCE_READ)
    orders = list(
        (
            await session.scalars(
                select(Order)
                .where(Order.shop_id == actor.shop_id, Order.customer_id == customer_id)
                .order_by(Order.placed_at.desc(), Order.id.desc())
                .limit(limit)
            )
        ).all()
    )
    if not orders:
        return []
    ids = [o.id for o in orders]
    order_nos = {o.id: o.order_no for o in orders}
    items: dict[int, list[OrderItemOut]] = {i: [] for i in ids}
    for item in await session.scalars(
        select(OrderItem).where(OrderItem.order_id.in_(ids)).order_by(OrderItem.id)
    ):
        items[item.order_id].append(OrderItemOut.model_validate(item))
    shipments: dict[int, list[ShipmentOut]] = {i: [] for i in ids}
    rows = await session.scalars(
        select(Shipment).where(Shipment.order_id.in_(ids)).order_by(Shipment.id)
    )
    for shipment in await _describe_shipments(session, list(rows.all()), order_nos):
        shipments[shipment.order_id].append(shipment)
    returns: dict[int, list[ReturnOut]] = {i: [] for i in ids}
    for ret in await session.scalars(
        select(ReturnRequest)
        .where(ReturnRequest.order_id.in_(ids))
        .order_by(ReturnRequest.requested_at, ReturnRequest.id)
    ):
        returns[ret.order_id].append(_describe_return(ret, order_nos[ret.order_id]))
    return [
        OrderDetail(
            **OrderOut.model_validate(o).model_dump(),
            items=items[o.id],
            shipments=shipments[o.id],
            returns=returns[o.id],
        )
        for o in orders
    ]
