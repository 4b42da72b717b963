"""Builders of commerce test data: products, orders with items, shipments, tracking, returns."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from kefu.accounts.models import Shop
from kefu.commerce.models import Order, OrderItem, Product, ReturnRequest, Shipment, TrackingEvent
from kefu.customers.models import Customer
from kefu.shared.clock import utcnow
from kefu.shared.db import Database

_seq = itertools.count(1)


@dataclass
class Commerce:
    db: Database

    async def product(
        self, shop: Shop, *, sku: str | None = None, name: str = "无线耳机", category: str = "耳机"
    ) -> Product:
        async with self.db.session() as session:
            product = Product(
                shop_id=shop.id,
                sku=sku or f"SKU-{next(_seq)}",
                name=name,
                category=category,
                price_cents=19900,
                currency="CNY",
                active=True,
            )
            session.add(product)
            await session.commit()
            return product

    async def order(
        self,
        shop: Shop,
        *,
        customer: Customer | None = None,
        order_no: str | None = None,
        status: str = "paid",
        placed_at: datetime | None = None,
        items: tuple[tuple[str, int, int], ...] = (("SKU-A", 1, 19900),),
    ) -> Order:
        """An order with ``items`` as ``(sku, quantity, unit price in cents)``."""
        async with self.db.session() as session:
            order = Order(
                shop_id=shop.id,
                order_no=order_no or f"NO{next(_seq):06d}",
                customer_id=customer.id if customer else None,
                status=status,
                currency="CNY",
                total_cents=sum(q * p for _, q, p in items),
                placed_at=placed_at or utcnow(),
            )
            session.add(order)
            await session.flush()
            for sku, quantity, price in items:
                session.add(
                    OrderItem(
                        order_id=order.id,
                        sku=sku,
                        name=f"商品 {sku}",
                        quantity=quantity,
                        unit_price_cents=price,
                    )
                )
            await session.commit()
            return order

    async def shipment(
        self,
        order: Order,
        *,
        tracking_no: str | None = None,
        events: tuple[tuple[datetime, str, str], ...] = (),
    ) -> Shipment:
        """A shipment of ``order`` with tracking ``events`` as ``(time, status, description)``."""
        async with self.db.session() as session:
            shipment = Shipment(
                shop_id=order.shop_id,
                order_id=order.id,
                carrier="顺丰速运",
                tracking_no=tracking_no or f"SF{next(_seq):010d}",
                status="in_transit",
                shipped_at=utcnow() - timedelta(days=1),
            )
            session.add(shipment)
            await session.flush()
            for at, status, description in events:
                session.add(
                    TrackingEvent(
                        shipment_id=shipment.id,
                        occurred_at=at,
                        status=status,
                        location="上海",
                        description=description,
                    )
                )
            await session.commit()
            return shipment

    async def return_request(
        self, order: Order, *, status: str = "requested", kind: str = "return"
    ) -> ReturnRequest:
        async with self.db.session() as session:
            ret = ReturnRequest(
                shop_id=order.shop_id,
                order_id=order.id,
                kind=kind,
                reason="质量问题",
                status=status,
                refund_cents=0,
                requested_at=utcnow(),
            )
            session.add(ret)
            await session.commit()
            return ret
