"""The facts a demo conversation talks about: which order, which parcel, which product, amounts."""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kefu.commerce.states import ReturnKind
from kefu.demo.customers import CustomerFacts
from kefu.demo.names import CARRIER_EN, CITY_EN, address, mobile
from kefu.demo.orders import NO_REASON, OrderFacts, Product
from kefu.demo.shipping import ShipmentFacts, tracking_number
from kefu.demo.shops import ShopSpec
from kefu.demo.staff import Member
from kefu.demo.topic import OrderNeed, Topic

BASE_KEYS = frozenset({
    "shop", "agent", "agent_en", "customer", "city", "city_en", "product", "days", "coupon",
    "threshold", "amount", "size", "size_up", "fabric", "invoice_title", "tax_no", "email",
    "address", "phone", "queue", "return_address",
})  # fmt: skip
ORDER_KEYS = frozenset({"order_no"})
SHIPMENT_KEYS = frozenset({"carrier", "carrier_en", "tracking_no", "hub", "hub_en", "hub_city"})
RETURN_KEYS = frozenset({"reason", "refund", "return_tracking"})


def keys_for(need: OrderNeed) -> frozenset[str]:
    """The placeholders a topic with this need may use."""
    keys = BASE_KEYS
    if need is not OrderNeed.NONE:
        keys |= ORDER_KEYS
    if need in (OrderNeed.SHIPPED, OrderNeed.DELIVERED):
        keys |= SHIPMENT_KEYS
    if need is OrderNeed.DELIVERED:
        keys |= RETURN_KEYS
    return keys


_Test = Callable[[OrderFacts, datetime], bool]


def _paid(o: OrderFacts, at: datetime) -> bool:
    return not o.cancelled and o.paid_at is not None and o.paid_at <= at


def _unshipped(o: OrderFacts, at: datetime) -> bool:
    return _paid(o, at) and (o.shipped_at is None or o.shipped_at > at)


def _shipped(o: OrderFacts, at: datetime) -> bool:
    return o.shipped_at is not None and o.shipped_at + timedelta(hours=2) <= at


def _delivered(o: OrderFacts, at: datetime) -> bool:
    return o.delivered_at is not None and o.delivered_at <= at


# How long before the conversation the order was placed (at least, at most), and what must hold.
_NEEDS: dict[OrderNeed, tuple[timedelta, timedelta, _Test]] = {
    OrderNeed.PAID: (timedelta(0), timedelta(days=30), _paid),
    OrderNeed.UNSHIPPED: (timedelta(0), timedelta(days=4), _unshipped),
    OrderNeed.SHIPPED: (timedelta(hours=4), timedelta(days=10), _shipped),
    OrderNeed.DELIVERED: (timedelta(days=1), timedelta(days=25), _delivered),
}


class OrderIndex:
    """Finds an order that fits a topic at a moment, among orders sorted by ``placed_at``."""

    def __init__(self, orders: list[OrderFacts]) -> None:
        self.orders = orders
        self.placed = [o.placed_at for o in orders]
        self.returns = sorted(
            (o for o in orders if o.returned is not None),
            key=lambda o: o.returned.requested_at if o.returned else o.placed_at,
        )
        self.requested = [o.returned.requested_at for o in self.returns if o.returned]

    def find(self, rng: random.Random, topic: Topic, at: datetime) -> OrderFacts | None:
        """An order the topic fits at ``at``; after-sales topics prefer orders whose return of
        the same kind was asked for around then, and never pick one of the other kind."""
        if topic.needs is OrderNeed.NONE:
            return None
        if topic.return_kind and rng.random() < 0.6:
            lo = bisect_left(self.requested, at - timedelta(days=2))
            hi = bisect_right(self.requested, at)
            for _ in range(4 if lo < hi else 0):
                order = self.returns[rng.randrange(lo, hi)]
                if _same_kind(order, topic):
                    return order
        least, most, test = _NEEDS[topic.needs]
        lo = bisect_left(self.placed, at - most)
        hi = bisect_right(self.placed, at - least)
        for _ in range(8 if lo < hi else 0):
            order = self.orders[rng.randrange(lo, hi)]
            if test(order, at) and (order.returned is None or _same_kind(order, topic)):
                return order
        return None


def _same_kind(order: OrderFacts, topic: Topic) -> bool:
    return order.returned is not None and order.returned.kind.value == topic.return_kind


@dataclass(frozen=True, slots=True)
class Who:
    spec: ShopSpec
    topic: Topic
    agent: Member
    customer: CustomerFacts
    order: OrderFacts | None
    product: Product


def _company(rng: random.Random, city: str) -> str:
    words = ("云帆", "启明", "华信", "拓维", "嘉禾", "博远", "恒通", "睿智", "星辰", "鼎盛")
    trade = ("科技", "贸易", "信息技术", "文化传媒", "电子商务", "咨询")
    return f"{city}{rng.choice(words)}{rng.choice(trade)}有限公司"


def _tax_no(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "91" + f"{rng.randrange(110000, 660000)}" + "".join(rng.choices(alphabet, k=10))


_SIZES = ("S", "M", "L", "XL", "XXL", "XXXL")


def _bigger(size: str) -> str:
    if size.isdigit():
        return str(int(size) + 1)
    return _SIZES[min(_SIZES.index(size) + 1, len(_SIZES) - 1)] if size in _SIZES else size


class Facts(dict[str, str]):
    """The placeholder values of one conversation, each drawn the first time a template uses
    it; order and parcel keys exist only when the conversation has an order (and a parcel)."""

    def __init__(self, rng: random.Random, who: Who) -> None:
        super().__init__()
        self.rng, self.who = rng, who

    def __missing__(self, key: str) -> str:
        order = self.who.order
        if key in ORDER_KEYS | RETURN_KEYS and order is None:
            raise KeyError(key)
        if key in SHIPMENT_KEYS and (order is None or order.shipment is None):
            raise KeyError(key)
        value = _MAKERS[key](self.rng, self.who, self)
        self[key] = value
        return value


def make_facts(rng: random.Random, who: Who) -> Facts:
    return Facts(rng, who)


def _order(who: Who) -> OrderFacts:
    assert who.order is not None
    return who.order


def _shipment(who: Who) -> ShipmentFacts:
    shipment = _order(who).shipment
    assert shipment is not None
    return shipment


def _size(rng: random.Random, who: Who) -> str:
    return who.order.size if who.order is not None and who.order.size else rng.choice(_SIZES[:4])


def _reason(rng: random.Random, who: Who) -> str:
    returned = _order(who).returned
    if returned is not None:
        return returned.reason
    reasons = [reason for reason, _ in who.spec.return_reasons]
    if who.topic.return_kind == ReturnKind.EXCHANGE.value:
        reasons.remove(NO_REASON)  # nobody swaps an item for no reason
    return rng.choice(reasons)


def _refund(who: Who) -> str:
    order = _order(who)
    if order.returned is not None and order.returned.refund_cents:
        cents = order.returned.refund_cents
    else:
        _, quantity, price, _ = order.items[0]
        cents = quantity * price
    return f"{cents / 100:.2f}".removesuffix(".00")


_Maker = Callable[[random.Random, Who, Facts], str]
_MAKERS: dict[str, _Maker] = {
    "shop": lambda r, w, f: w.spec.name,
    "agent": lambda r, w, f: w.agent.name,
    "agent_en": lambda r, w, f: w.agent.english_name,
    "customer": lambda r, w, f: w.customer.name,
    "city": lambda r, w, f: w.customer.address.city,
    "city_en": lambda r, w, f: CITY_EN.get(f["city"], f["city"]),
    "product": lambda r, w, f: w.order.first_item if w.order else w.product.item.name,
    "days": lambda r, w, f: str(r.randint(1, 3)),
    "coupon": lambda r, w, f: str(r.choice((5, 10, 20, 30, 50, 100))),
    "threshold": lambda r, w, f: str(r.choice((199, 299, 399, 599, 999))),
    "amount": lambda r, w, f: str(r.choice((5, 10, 20, 30, 50, 100, 200))),
    "size": lambda r, w, f: _size(r, w),
    "size_up": lambda r, w, f: _bigger(f["size"]),
    "fabric": lambda r, w, f: r.choice(w.spec.fabrics) if w.spec.fabrics else "",
    "invoice_title": lambda r, w, f: _company(r, f["city"]),
    "tax_no": lambda r, w, f: _tax_no(r),
    "email": lambda r, w, f: w.customer.email or f"{w.customer.handle}@163.com",
    "address": lambda r, w, f: address(r).text,
    "phone": lambda r, w, f: mobile(r),
    "queue": lambda r, w, f: str(r.randint(1, 15)),
    "return_address": lambda r, w, f: w.spec.return_address,
    "order_no": lambda r, w, f: _order(w).order_no,
    "carrier": lambda r, w, f: _shipment(w).carrier,
    "carrier_en": lambda r, w, f: CARRIER_EN[_shipment(w).carrier],
    "tracking_no": lambda r, w, f: _shipment(w).tracking_no,
    "hub": lambda r, w, f: f"{f['hub_city']}转运中心",
    "hub_en": lambda r, w, f: CITY_EN.get(f["hub_city"], f["hub_city"]),
    "hub_city": lambda r, w, f: r.choice(_shipment(w).hubs[1:] or _shipment(w).hubs),
    "reason": lambda r, w, f: _reason(r, w),
    "refund": lambda r, w, f: _refund(w),
    "return_tracking": lambda r, w, f: tracking_number(r, "中通快递"),
}
