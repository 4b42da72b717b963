"""Demo customers: names, contact details, VIP levels, tags and their identities per channel."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kefu.demo.context import Build
from kefu.demo.names import Address, address, email_for, mobile, person
from kefu.demo.weighted import Weighted

VIP_LEVELS = Weighted(enumerate((80, 8, 5, 3.5, 2.2, 1.3)))


@dataclass(slots=True)
class CustomerFacts:
    """A customer while the shop is generated; identities appear as channels get used."""

    id: int
    name: str
    handle: str
    vip: int
    created_at: datetime
    address: Address
    phone: str | None
    email: str | None = None
    web_id: str | None = None
    im_id: str | None = None
    tags: set[str] = field(default_factory=set)
    orders: int = 0
    returns: int = 0


class Contacts:
    """Keeps e-mail addresses, phones and channel ids unique within the shop."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def email(self, customer: CustomerFacts) -> str:
        while (value := email_for(self.rng, customer.handle)) in self.seen:
            pass
        self.seen.add(value)
        return value

    def phone(self) -> str:
        while (value := mobile(self.rng)) in self.seen:
            pass
        self.seen.add(value)
        return value

    def web_id(self) -> str:
        return f"v_{self.rng.getrandbits(64):016x}"

    def im_id(self) -> str:
        return f"wx_o{self.rng.getrandbits(96):024x}"

    def ensure(self, customer: CustomerFacts, channel: str) -> None:
        """Give the customer the identity a conversation on ``channel`` needs."""
        if channel == "email" and customer.email is None:
            customer.email = self.email(customer)
        elif channel == "im" and customer.im_id is None:
            customer.im_id = self.im_id()
        elif channel == "web" and customer.web_id is None and self.rng.random() < 0.8:
            customer.web_id = self.web_id()


def draw_customers(build: Build, contacts: Contacts) -> list[CustomerFacts]:
    """Customers who joined over the past two years; orders may move a join date earlier."""
    rng = build.rng("customers")
    customers: list[CustomerFacts] = []
    for _ in range(build.scaled(build.spec.customers)):
        who = person(rng)
        joined = build.now - timedelta(days=rng.uniform(3, 730))
        customer = CustomerFacts(
            id=build.ids.take("customers"),
            name=who.name,
            handle=who.handle,
            vip=VIP_LEVELS.pick(rng),
            created_at=joined,
            address=address(rng),
            phone=contacts.phone() if rng.random() < 0.85 else None,
        )
        if rng.random() < 0.6:
            customer.email = contacts.email(customer)
        if rng.random() < 0.35:
            customer.web_id = contacts.web_id()
        if rng.random() < 0.15:
            customer.im_id = contacts.im_id()
        if customer.phone is None and customer.email is None:
            customer.web_id = customer.web_id or contacts.web_id()
        customers.append(customer)
    return customers


def _tags(rng: random.Random, customer: CustomerFacts, key: str) -> list[str]:
    tags = set(customer.tags)
    if customer.vip >= 3:
        tags.add("高价值")
    if customer.orders >= 3:
        tags.add("老客户")
    if customer.returns >= 2:
        tags.add("退货较多")
    roll = rng.random()
    if roll < 0.04:
        tags.add("企业采购" if key == "electronics" else "团购")
    elif roll < 0.09:
        tags.add("学生")
    elif roll < 0.10:
        tags.add("敏感客户")
    return sorted(tags)


_VIP_NOTES = ("偏好顺丰配送", "请优先安排资深客服", "生日在12月，可赠送生日券", "曾参与新品内测")


def emit_customers(build: Build, customers: list[CustomerFacts]) -> None:
    """Customer and identity rows, once orders and conversations have shaped each customer."""
    rng = build.rng("customer-rows")
    for c in customers:
        updated = min(build.now, c.created_at + timedelta(days=rng.uniform(0, 200)))
        build.rows.add(
            "customers",
            {
                "id": c.id, "shop_id": build.shop_id, "name": c.name, "email": c.email,
                "phone": c.phone, "vip_level": c.vip, "tags": _tags(rng, c, build.spec.key),
                "note": rng.choice(_VIP_NOTES) if c.vip >= 4 else "",
                "created_at": c.created_at, "updated_at": updated,
            },
        )  # fmt: skip
        for kind, value in (
            ("phone", c.phone), ("email", c.email), ("web", c.web_id), ("im", c.im_id),
        ):  # fmt: skip
            if value is not None:
                build.rows.add(
                    "customer_identities",
                    {
                        "id": build.ids.take("customer_identities"), "shop_id": build.shop_id,
                        "customer_id": c.id, "kind": kind, "value": value,
                        "created_at": c.created_at,
                    },
                )  # fmt: skip
