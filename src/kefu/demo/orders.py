"""Demo products, orders, order items and returns, with statuses that follow each order's age."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kefu.commerce.states import OrderStatus, ReturnKind, ReturnStatus
from kefu.demo.catalog import CLOTHING_SIZES, SHOE_SIZES, CatalogItem, build_catalog
from kefu.demo.context import Build
from kefu.demo.customers import CustomerFacts
from kefu.demo.names import mobile, person
from kefu.demo.shipping import ShipmentFacts, ship
from kefu.demo.timing import CHINA, Calendar, moments_on
from kefu.demo.weighted import Weighted

ORDER_DAYS = 120
_ITEM_COUNTS = Weighted(((1, 65), (2, 22), (3, 9), (4, 4)))
_CHEAP_QUANTITIES = Weighted(((1, 60), (2, 30), (3, 10)))
_QUANTITIES = Weighted(((1, 92), (2, 7), (3, 1)))
NO_REASON = "七天无理由"
_SIZES: dict[tuple[str, ...], Weighted[str]] = {
    sizes: Weighted(zip(sizes, weights, strict=True))
    for sizes, weights in (
        (CLOTHING_SIZES, (10, 30, 30, 20, 10)),
        (SHOE_SIZES, (4, 8, 12, 14, 16, 16, 14, 10, 6)),
    )
}


@dataclass(frozen=True, slots=True)
class Product:
    id: int
    item: CatalogItem


@dataclass(frozen=True, slots=True)
class ReturnFacts:
    kind: ReturnKind
    reason: str
    requested_at: datetime
    refund_cents: int


@dataclass(slots=True)
class OrderFacts:
    id: int
    order_no: str
    customer: CustomerFacts
    placed_at: datetime
    total_cents: int = 0
    first_item: str = ""
    size: str = ""
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled: bool = False
    confirm_after: timedelta = timedelta(days=10)
    shipment: ShipmentFacts | None = None
    returned: ReturnFacts | None = None
    items: list[tuple[Product, int, int, str]] = field(default_factory=list)


def emit_products(build: Build) -> list[Product]:
    products = []
    for item in build_catalog(build.rng("catalog"), build.spec.catalog, build.spec.sku_prefix):
        product = Product(build.ids.take("products"), item)
        products.append(product)
        build.rows.add(
            "products",
            {
                "id": product.id, "shop_id": build.shop_id, "sku": item.sku, "name": item.name,
                "category": item.category, "price_cents": item.price_cents, "currency": "CNY",
                "active": item.active,
            },
        )  # fmt: skip
    return products


def _placements(build: Build, rng: random.Random, cal: Calendar) -> list[datetime]:
    """Order times over the past 120 days; promotions lift orders even more than contacts."""
    days = cal.days()
    picks = Counter(rng.choices(days, weights=[cal.factor(d) ** 1.4 for d in days],
                                k=build.scaled(build.spec.orders)))  # fmt: skip
    start = build.now - timedelta(days=ORDER_DAYS)
    moments = itertools.chain.from_iterable(
        moments_on(rng, cal, day, picks[day]) for day in days if picks[day]
    )
    return sorted(m for m in moments if start <= m <= build.now - timedelta(minutes=2))


def draw_orders(
    build: Build, cal: Calendar, customers: list[CustomerFacts], products: list[Product]
) -> list[OrderFacts]:
    """Orders sorted by ``placed_at``, each written with its items, shipment and return."""
    rng = build.rng("orders")
    moments = _placements(build, rng, cal)
    # A quarter of the customers are regulars who order several times.
    weights = [3.0 if rng.random() < 0.25 else 1.0 for _ in customers]
    buyers = rng.choices(customers, cum_weights=list(itertools.accumulate(weights)), k=len(moments))
    selling = [p for p in products if p.item.active]
    cum_popularity = list(itertools.accumulate(p.item.popularity for p in selling))
    orders = []
    for index, (placed, buyer) in enumerate(zip(moments, buyers, strict=True)):
        local = placed.astimezone(CHINA)
        order = OrderFacts(
            id=build.ids.take("orders"),
            order_no=f"{build.spec.sku_prefix}{local:%y%m%d}{index:05d}{rng.randrange(10)}",
            customer=buyer,
            placed_at=placed,
        )
        buyer.orders += 1
        buyer.created_at = min(buyer.created_at, placed - timedelta(hours=rng.uniform(1, 24 * 60)))
        offset = cal.promotion_offset(local.date())
        _add_items(build, rng, order, rng.choices(selling, cum_weights=cum_popularity, k=4),
                   discount=offset is not None and offset <= 1)  # fmt: skip
        _advance(rng, order, build.now)
        if order.shipped_at is not None:
            order.shipment = ship(
                build, rng, order_id=order.id, destination=buyer.address.city,
                shipped_at=order.shipped_at,
            )  # fmt: skip
            order.delivered_at = order.shipment.delivered_at
        _emit_order(build, rng, order)
        _maybe_return(build, rng, order)
        orders.append(order)
    return orders


def _size(rng: random.Random, item: CatalogItem) -> str:
    return _SIZES[item.sizes].pick(rng) if item.sizes else ""


def _add_items(
    build: Build, rng: random.Random, order: OrderFacts, candidates: list[Product], *,
    discount: bool,
) -> None:  # fmt: skip
    count = _ITEM_COUNTS.pick(rng)
    chosen = list(dict.fromkeys(p.id for p in candidates))[:count]
    by_id = {p.id: p for p in candidates}
    for product_id in chosen:
        product = by_id[product_id]
        cheap = product.item.price_cents < 100_00
        quantity = (_CHEAP_QUANTITIES if cheap else _QUANTITIES).pick(rng)
        price = product.item.price_cents
        if discount:  # promotion price
            price = max(990, round(price * 0.9 / 100) * 100 - 10)
        size = _size(rng, product.item)
        order.items.append((product, quantity, price, size))
        order.total_cents += quantity * price
    first = order.items[0]
    order.first_item, order.size = first[0].item.name, first[3]


def _advance(rng: random.Random, order: OrderFacts, now: datetime) -> None:
    """Pay, cancel or ship the order as its age allows."""
    roll = rng.random()
    if roll < 0.03:
        # Never paid: the platform cancels unpaid orders after a day.
        order.cancelled = now - order.placed_at > timedelta(days=1)
        return
    order.paid_at = order.placed_at + timedelta(seconds=rng.uniform(10, 1200))
    if order.paid_at > now:
        order.paid_at = None
        return
    if roll < 0.05:
        order.cancelled = True  # paid, then cancelled before shipping
        return
    # Customers confirm receipt within days, or the platform confirms after ten.
    order.confirm_after = timedelta(days=rng.uniform(1, 5) if rng.random() < 0.35 else 10)
    shipped = order.paid_at + timedelta(hours=rng.lognormvariate(2.8, 0.6))
    if shipped <= now:
        order.shipped_at = shipped


def status_at(order: OrderFacts, now: datetime) -> OrderStatus:
    if order.cancelled:
        return OrderStatus.CANCELLED
    if order.paid_at is None:
        return OrderStatus.PENDING_PAYMENT
    if order.shipped_at is None:
        return OrderStatus.PAID
    if order.delivered_at is None or order.delivered_at > now:
        return OrderStatus.SHIPPED
    if order.delivered_at + order.confirm_after <= now:
        return OrderStatus.COMPLETED
    return OrderStatus.DELIVERED


def _emit_order(build: Build, rng: random.Random, order: OrderFacts) -> None:
    buyer = order.customer
    someone_else = rng.random() < 0.1
    build.rows.add(
        "orders",
        {
            "id": order.id, "shop_id": build.shop_id, "order_no": order.order_no,
            "customer_id": buyer.id, "status": status_at(order, build.now).value,
            "currency": "CNY", "total_cents": order.total_cents, "placed_at": order.placed_at,
            "paid_at": order.paid_at,
            "shipping_name": person(rng).name if someone_else else buyer.name,
            "shipping_phone": buyer.phone if buyer.phone and not someone_else else mobile(rng),
            "shipping_address": buyer.address.text,
        },
    )  # fmt: skip
    for product, quantity, price, size in order.items:
        build.rows.add(
            "order_items",
            {
                "id": build.ids.take("order_items"), "order_id": order.id,
                "product_id": product.id,
                "sku": f"{product.item.sku}-{size}" if size else product.item.sku,
                "name": f"{product.item.name} {size}码" if size else product.item.name,
                "quantity": quantity, "unit_price_cents": price,
            },
        )  # fmt: skip


def _return_status(kind: ReturnKind, age: timedelta, rejected: bool) -> ReturnStatus:
    if age < timedelta(hours=12):
        return ReturnStatus.REQUESTED
    if rejected:
        return ReturnStatus.REJECTED
    if age < timedelta(days=2):
        return ReturnStatus.APPROVED
    if age < timedelta(days=4):
        return ReturnStatus.RECEIVED
    return ReturnStatus.REFUNDED if kind is ReturnKind.RETURN else ReturnStatus.COMPLETED


def _maybe_return(build: Build, rng: random.Random, order: OrderFacts) -> None:
    spec = build.spec
    if order.delivered_at is None or rng.random() >= spec.return_rate:
        return
    requested = order.delivered_at + timedelta(hours=rng.uniform(3, 6.5 * 24))
    if requested > build.now:
        return
    reasons = spec.return_reasons
    reason = rng.choices([r for r, _ in reasons], weights=[w for _, w in reasons])[0]
    # "Seven days, no reason" means the money back, never a swap.
    exchange = reason != NO_REASON and rng.random() < spec.exchange_share
    kind = ReturnKind.EXCHANGE if exchange else ReturnKind.RETURN
    status = _return_status(kind, build.now - requested, rejected=rng.random() < 0.06)
    _, quantity, price, _ = order.items[0]
    refund = quantity * price if kind is ReturnKind.RETURN else 0
    done = status in (ReturnStatus.REFUNDED, ReturnStatus.COMPLETED, ReturnStatus.REJECTED)
    resolved = requested + (build.now - requested) * rng.uniform(0.5, 1.0) if done else None
    order.returned = ReturnFacts(kind, reason, requested, refund)
    order.customer.returns += 1
    build.rows.add(
        "returns",
        {
            "id": build.ids.take("returns"), "shop_id": build.shop_id, "order_id": order.id,
            "kind": kind.value, "reason": reason, "status": status.value,
            "refund_cents": 0 if status is ReturnStatus.REJECTED else refund,
            "requested_at": requested, "resolved_at": resolved,
        },
    )  # fmt: skip
