"""Importing the shop's commerce data: validate a whole file, then write it in one transaction.

Rows are upserted by their natural key (product SKU, customer e-mail, order number, tracking
number; a tracking event by tracking number, time and status; a return by order number, kind and
request time), so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from kefu.accounts import service as accounts
from kefu.accounts.permissions import Permission, Role
from kefu.accounts.principal import Principal
from kefu.commerce import importers
from kefu.commerce.import_rows import (
    CustomerRow,
    OrderRow,
    ProductRow,
    ReturnRow,
    ShipmentRow,
    TrackingRow,
)
from kefu.commerce.importers import ImportFormat, ImportKind, Parsed, RowError
from kefu.commerce.models import Order, OrderItem, Product, ReturnRequest, Shipment, TrackingEvent
from kefu.commerce.schemas import ImportResult
from kefu.customers import service as customers
from kefu.customers.models import Customer
from kefu.customers.schemas import CustomerCreate, CustomerUpdate

CHUNK = 500
Keyed = TypeVar("Keyed", Product, Order, Shipment)


@dataclass(slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    customers_created: int = 0


def operator(shop_id: int) -> Principal:
    """The operator at the command line: every right in the shop, as neither user nor token
    (audit rows show no actor)."""
    return Principal(shop_id=shop_id, role=Role.OWNER)


async def import_file(
    session: AsyncSession,
    *,
    actor: Principal,
    kind: ImportKind,
    fmt: ImportFormat,
    data: bytes,
    now: datetime,
) -> ImportResult:
    """Import one file into the actor's shop: all of it, or, on any error, nothing.

    Raises ``InvalidInput`` with code ``bad_file`` for an unreadable file and ``import_invalid``
    with every row's errors (``{row, field, message}``) otherwise. Writes an ``import.<kind>``
    audit row with the counts and commits."""
    actor.require(Permission.COMMERCE_IMPORT)
    shop_id = actor.shop_id
    rows, counts = 0, Counts()
    try:
        match kind:
            case ImportKind.PRODUCTS:
                products = importers.parse_products(data, fmt)
                rows, counts = products.rows, await _products(session, shop_id, products)
            case ImportKind.CUSTOMERS:
                people = importers.parse_customers(data, fmt)
                rows, counts = people.rows, await _customers(session, shop_id, people, now)
            case ImportKind.ORDERS:
                orders = importers.parse_orders(data, fmt)
                rows, counts = orders.rows, await _orders(session, shop_id, orders, now)
            case ImportKind.SHIPMENTS:
                shipments = importers.parse_shipments(data, fmt)
                rows, counts = shipments.rows, await _shipments(session, shop_id, shipments)
            case ImportKind.TRACKING:
                events = importers.parse_tracking(data, fmt)
                rows, counts = events.rows, await _tracking(session, shop_id, events)
            case ImportKind.RETURNS:
                returns = importers.parse_returns(data, fmt)
                rows, counts = returns.rows, await _returns(session, shop_id, returns)
        result = ImportResult(
            kind=kind,
            format=fmt,
            rows=rows,
            created=counts.created,
            updated=counts.updated,
            customers_created=counts.customers_created,
        )
        await accounts.record_audit(
            session,
            actor=actor,
            action=f"import.{kind}",
            target_type="import",
            target_id=None,
            now=now,
            detail=result.model_dump(mode="json"),
        )
        await session.commit()
    except Exception:
        await session.rollback()
        raise
    return result


def _stop_on(errors: list[RowError]) -> None:
    if errors:
        raise importers.refuse(errors)


def _chunks(values: Collection[Any]) -> Iterator[list[Any]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


async def _by_key(
    session: AsyncSession,
    model: type[Keyed],
    column: InstrumentedAttribute[str],
    shop_id: int,
    keys: Collection[str],
) -> dict[str, Keyed]:
    """The shop's rows by ``column``; where several share a key (tracking numbers may repeat),
    the oldest wins."""
    found: dict[str, Keyed] = {}
    for chunk in _chunks(keys):
        for row in await session.scalars(
            select(model)
            .where(model.shop_id == shop_id, column.in_(chunk))
            .order_by(model.id.desc())
        ):
            found[getattr(row, column.key)] = row
    return found


def _unknown(
    records: Sequence[tuple[int, Any]], known: Collection[str], field: str, what: str
) -> list[RowError]:
    return [
        RowError(row=number, field=field, message=f"no {what} '{getattr(r, field)}' in this shop")
        for number, r in records
        if getattr(r, field) not in known
    ]


async def _products(session: AsyncSession, shop_id: int, parsed: Parsed[ProductRow]) -> Counts:
    existing = await _by_key(
        session, Product, Product.sku, shop_id, [r.sku for _, r in parsed.records]
    )
    _stop_on(parsed.errors)
    counts = Counts()
    for _, row in parsed.records:
        product = existing.get(row.sku)
        if product is None:
            counts.created += 1
            product = Product(
                shop_id=shop_id, sku=row.sku, category="", currency="CNY", active=True
            )
            session.add(product)
        else:
            counts.updated += 1
        product.name, product.price_cents = row.name, row.price_cents
        if row.category is not None:
            product.category = row.category
        if row.currency is not None:
            product.currency = row.currency
        if row.active is not None:
            product.active = row.active
    return counts


def _fallback_name(email: str) -> str:
    return email.split("@", 1)[0][:100] or email[:100]


async def _customers(
    session: AsyncSession, shop_id: int, parsed: Parsed[CustomerRow], now: datetime
) -> Counts:
    lookup = await customers.customers_by_email(
        session, shop_id=shop_id, emails=[r.email for _, r in parsed.records]
    )
    _stop_on(parsed.errors)
    counts = Counts()
    for _, row in parsed.records:
        customer = lookup.customers.get(row.email)
        given = row.model_dump(exclude={"email"}, exclude_none=True)
        if customer is None:
            counts.created += 1
            data = CustomerCreate(email=row.email, **{"name": _fallback_name(row.email), **given})
            await customers.add_customer(session, shop_id=shop_id, data=data, now=now)
            continue
        counts.updated += 1
        customers.apply_update(customer, CustomerUpdate(**given), now)
        if row.email in lookup.without_identity:
            customers.add_email_identity(session, customer=customer, email=row.email, now=now)
    return counts


async def _orders(
    session: AsyncSession, shop_id: int, parsed: Parsed[OrderRow], now: datetime
) -> Counts:
    records = parsed.records
    existing = await _by_key(
        session, Order, Order.order_no, shop_id, [r.order_no for _, r in records]
    )
    products = await _by_key(
        session, Product, Product.sku, shop_id, {i.sku for _, r in records for i in r.items}
    )
    lookup = await customers.customers_by_email(
        session, shop_id=shop_id, emails={r.customer_email for _, r in records if r.customer_email}
    )
    _stop_on(parsed.errors)
    counts = Counts()
    people = dict(lookup.customers)
    placed: list[tuple[Order, OrderRow]] = []
    for _, row in records:
        customer = await _order_customer(session, shop_id, row, people, counts, now)
        order = existing.get(row.order_no)
        if order is None:
            counts.created += 1
            order = Order(shop_id=shop_id, order_no=row.order_no)
            session.add(order)
        else:
            counts.updated += 1
        order.customer_id = customer.id if customer else None
        order.status, order.currency = row.status.value, row.currency
        order.total_cents = row.total_cents()
        order.placed_at, order.paid_at = row.placed_at, row.paid_at
        order.shipping_name, order.shipping_phone = row.shipping_name, row.shipping_phone
        order.shipping_address = row.shipping_address
        placed.append((order, row))
    # The file lists each order's items in full: they replace what the order had.
    for chunk in _chunks([o.id for o in existing.values()]):
        await session.execute(delete(OrderItem).where(OrderItem.order_id.in_(chunk)))
    await session.flush()
    for order, row in placed:
        for item in row.items:
            product = products.get(item.sku)
            session.add(
                OrderItem(
                    order_id=order.id,
                    product_id=product.id if product else None,
                    sku=item.sku,
                    name=item.name or (product.name if product else item.sku),
                    quantity=item.quantity,
                    unit_price_cents=item.unit_price_cents,
                )
            )
    return counts


async def _order_customer(
    session: AsyncSession,
    shop_id: int,
    row: OrderRow,
    people: dict[str, Customer],
    counts: Counts,
    now: datetime,
) -> Customer | None:
    """The order's customer by e-mail, created (with an e-mail identity) when the shop has none;
    a known customer's profile is left as it is."""
    email = row.customer_email
    if email is None:
        return None
    if email not in people:
        data = CustomerCreate(
            email=email,
            name=row.customer_name or _fallback_name(email),
            phone=row.customer_phone,
        )
        people[email] = await customers.add_customer(session, shop_id=shop_id, data=data, now=now)
        counts.customers_created += 1
    return people[email]


async def _shipments(session: AsyncSession, shop_id: int, parsed: Parsed[ShipmentRow]) -> Counts:
    records = parsed.records
    orders = await _by_key(
        session, Order, Order.order_no, shop_id, [r.order_no for _, r in records]
    )
    parsed.errors.extend(_unknown(records, orders, "order_no", "order"))
    existing = await _by_key(
        session, Shipment, Shipment.tracking_no, shop_id, [r.tracking_no for _, r in records]
    )
    _stop_on(parsed.errors)
    counts = Counts()
    placed: list[tuple[Shipment, ShipmentRow]] = []
    for _, row in records:
        shipment = existing.get(row.tracking_no)
        if shipment is None:
            counts.created += 1
            shipment = Shipment(shop_id=shop_id, tracking_no=row.tracking_no)
            session.add(shipment)
        else:
            counts.updated += 1
        shipment.order_id = orders[row.order_no].id
        shipment.carrier, shipment.status = row.carrier, row.status.value
        shipment.shipped_at, shipment.delivered_at = row.shipped_at, row.delivered_at
        placed.append((shipment, row))
    # Events given in the file replace the shipment's; left out, the shipment keeps its own.
    replaced = [s.id for s, row in placed if row.events is not None and s.id is not None]
    for chunk in _chunks(replaced):
        await session.execute(delete(TrackingEvent).where(TrackingEvent.shipment_id.in_(chunk)))
    await session.flush()
    for shipment, row in placed:
        for event in row.events or ():
            session.add(
                TrackingEvent(
                    shipment_id=shipment.id,
                    occurred_at=event.occurred_at,
                    status=event.status.value,
                    location=event.location,
                    description=event.description,
                )
            )
    return counts


async def _tracking(session: AsyncSession, shop_id: int, parsed: Parsed[TrackingRow]) -> Counts:
    records = parsed.records
    shipments = await _by_key(
        session, Shipment, Shipment.tracking_no, shop_id, [r.tracking_no for _, r in records]
    )
    parsed.errors.extend(_unknown(records, shipments, "tracking_no", "shipment with tracking_no"))
    _stop_on(parsed.errors)
    existing: dict[tuple[int, datetime, str], TrackingEvent] = {}
    for chunk in _chunks([s.id for s in shipments.values()]):
        for known in await session.scalars(
            select(TrackingEvent).where(TrackingEvent.shipment_id.in_(chunk))
        ):
            existing.setdefault((known.shipment_id, known.occurred_at, known.status), known)
    counts = Counts()
    for _, row in records:
        shipment_id = shipments[row.tracking_no].id
        event = existing.get((shipment_id, row.occurred_at, row.status.value))
        if event is None:
            counts.created += 1
            event = TrackingEvent(
                shipment_id=shipment_id, occurred_at=row.occurred_at, status=row.status.value
            )
            session.add(event)
        else:
            counts.updated += 1
        event.location, event.description = row.location, row.description
    return counts


async def _returns(session: AsyncSession, shop_id: int, parsed: Parsed[ReturnRow]) -> Counts:
    records = parsed.records
    orders = await _by_key(
        session, Order, Order.order_no, shop_id, [r.order_no for _, r in records]
    )
    parsed.errors.extend(_unknown(records, orders, "order_no", "order"))
    _stop_on(parsed.errors)
    existing: dict[tuple[int, str, datetime], ReturnRequest] = {}
    for chunk in _chunks([o.id for o in orders.values()]):
        for known in await session.scalars(
            select(ReturnRequest).where(ReturnRequest.order_id.in_(chunk))
        ):
            existing.setdefault((known.order_id, known.kind, known.requested_at), known)
    counts = Counts()
    for _, row in records:
        order = orders[row.order_no]
        ret = existing.get((order.id, row.kind.value, row.requested_at))
        if ret is None:
            counts.created += 1
            ret = ReturnRequest(
                shop_id=shop_id,
                order_id=order.id,
                kind=row.kind.value,
                requested_at=row.requested_at,
            )
            session.add(ret)
        else:
            counts.updated += 1
        ret.reason, ret.status, ret.refund_cents = row.reason, row.status.value, row.refund_cents
        ret.resolved_at = row.resolved_at
    return counts
