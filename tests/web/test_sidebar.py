"""The conversation page's sidebar: this customer's identities, other conversations, orders with
tracking and returns; never another customer's or another shop's, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import event

from kefu.accounts.models import Shop
from kefu.commerce.models import Order, OrderItem, ReturnRequest, Shipment, TrackingEvent
from kefu.customers.models import Customer, CustomerIdentity
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.web.customer_sidebar import RECENT_ORDERS
from tests.factories import Factory
from tests.web.support import web_login


async def _orders(
    db: Database, shop: Shop, customer: Customer, prefix: str, count: int = 1
) -> list[int]:
    """``count`` shipped orders, each with an item, a shipment with three tracking events and,
    on the first, a return."""
    now = utcnow()
    ids = []
    async with db.session() as session:
        for n in range(count):
            order = Order(
                shop_id=shop.id,
                order_no=f"{prefix}{n}",
                customer_id=customer.id,
                status="shipped",
                total_cents=129900 + n,
                placed_at=now - timedelta(days=n + 1),
            )
            session.add(order)
            await session.flush()
            ids.append(order.id)
            session.add(
                OrderItem(
                    order_id=order.id,
                    sku=f"SKU-{prefix}{n}",
                    name=f"{prefix}降噪耳机",
                    quantity=2,
                    unit_price_cents=64950,
                )
            )
            shipment = Shipment(
                shop_id=shop.id,
                order_id=order.id,
                carrier="顺丰速运",
                tracking_no=f"SF{prefix}{n}",
                status="in_transit",
                shipped_at=now - timedelta(days=n + 1),
            )
            session.add(shipment)
            await session.flush()
            for step, (where, text) in enumerate(
                (("深圳", "已揽收"), ("广州", f"{prefix}到达转运中心"), ("杭州", f"{prefix}派送中"))
            ):
                session.add(
                    TrackingEvent(
                        shipment_id=shipment.id,
                        occurred_at=now - timedelta(hours=30 - step * 10),
                        status="in_transit",
                        location=where,
                        description=text,
                    )
                )
            if n == 0:
                session.add(
                    ReturnRequest(
                        shop_id=shop.id,
                        order_id=order.id,
                        kind="exchange",
                        reason=f"{prefix}尺码不合适",
                        status="approved",
                        requested_at=now,
                    )
                )
        await session.commit()
    return ids


async def _identity(db: Database, customer: Customer, kind: str, value: str) -> None:
    async with db.session() as session:
        session.add(
            CustomerIdentity(
                shop_id=customer.shop_id,
                customer_id=customer.id,
                kind=kind,
                value=value,
                created_at=utcnow(),
            )
        )
        await session.commit()


@contextmanager
def _counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


async def test_sidebar_shows_this_customers_history_orders_tracking_and_returns(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    customer = await factory.customer(shop, name="张伟", vip_level=3)
    await _identity(db, customer, "im", "wxid_zhangwei")
    earlier = await factory.conversation(
        shop,
        customer=customer,
        channel="email",
        subject="发票怎么开",
        status="closed",
        at=utcnow() - timedelta(days=20),
    )
    current = await factory.conversation(shop, customer=customer, subject="耳机还没到")
    await _orders(db, shop, customer, "MINE")
    neighbour = await factory.customer(shop, name="王芳")
    await factory.conversation(shop, customer=neighbour, subject="邻居的会话")
    await _orders(db, shop, neighbour, "NEIGHBOUR")
    other = await factory.shop("别家店")
    stranger = await factory.customer(other, name="张伟")
    await factory.conversation(other, customer=stranger, subject="别家店的会话")
    await _orders(db, other, stranger, "OTHERSHOP")

    await web_login(client, await factory.user(shop))
    page = (await client.get(f"/conversations/{current.id}")).text

    assert "wxid_zhangwei" in page
    assert f'href="/conversations/{earlier.id}"' in page and "发票怎么开" in page
    assert f'href="/conversations/{current.id}" aria-current="page"' in page
    assert "MINE0" in page and "MINE降噪耳机" in page and "SFMINE0" in page
    assert "¥1,299.00" in page
    # The latest tracking event is shown; all three are a click away, newest first.
    assert "MINE派送中" in page
    assert page.index("MINE派送中", page.index("tracking-events")) < page.index("MINE到达转运中心")
    assert "MINE尺码不合适" in page and "换货" in page and "已同意" in page
    for foreign in ("NEIGHBOUR", "邻居的会话", "OTHERSHOP", "别家店的会话"):
        assert foreign not in page, foreign


async def test_sidebar_reads_a_fixed_number_of_queries_whatever_the_history(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await web_login(client, await factory.user(shop))
    small = await factory.customer(shop, name="少")
    big = await factory.customer(shop, name="多")
    await _orders(db, shop, small, "S", count=1)
    await _orders(db, shop, big, "B", count=RECENT_ORDERS + 3)
    small_chat = await factory.conversation(shop, customer=small)
    big_chat = await factory.conversation(shop, customer=big)
    for _ in range(12):
        await factory.conversation(shop, customer=big)
    counts = []
    for conversation in (small_chat, big_chat):
        with _counting(db) as statements:
            response = await client.get(f"/conversations/{conversation.id}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    page = response.text
    assert page.count('class="order"') == RECENT_ORDERS
    assert page.count('class="history-item') == 10


async def test_department_staff_see_the_sidebar_and_no_transfer_form(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    customer = await factory.customer(shop)
    await _orders(db, shop, customer, "DEPT")
    conversation = await factory.conversation(shop, customer=customer)
    await web_login(client, await factory.user(shop, role="department"))
    page = (await client.get(f"/conversations/{conversation.id}")).text
    assert "DEPT0" in page
    assert "transfer-form" not in page
