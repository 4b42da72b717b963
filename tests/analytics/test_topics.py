"""The topic report on the database: only customers' own messages of the shop, product links from
orders, complaints, comparison with the period before; and the product-link rule itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from kefu.accounts.models import Shop
from kefu.analytics.topics import CustomerOrder, ProductRef, link_product, topic_report
from kefu.commerce.models import Order, OrderItem, Product
from kefu.conversations.models import Conversation, Message
from kefu.customers.models import Customer
from kefu.shared.db import Database
from kefu.shared.errors import InvalidInput
from tests.factories import Factory

# A Monday in the past; the report covers one week, compared with the week before.
START = datetime(2026, 3, 2, tzinfo=UTC)
END = START + timedelta(days=7)
EARBUDS = ProductRef(1, "EB-100", "无线耳机")
LAMP = ProductRef(2, "LP-200", "护眼台灯")


def day(n: float) -> datetime:
    return START + timedelta(days=n)


async def add_messages(
    db: Database, conversation: Conversation, *rows: tuple[str, str, bool]
) -> None:
    """(sender type, body, internal) messages one minute after the conversation started."""
    async with db.session() as session:
        for i, (sender, body, internal) in enumerate(rows):
            session.add(
                Message(
                    shop_id=conversation.shop_id,
                    conversation_id=conversation.id,
                    sender_type=sender,
                    body=body,
                    is_internal=internal,
                    created_at=conversation.created_at + timedelta(minutes=1 + i),
                )
            )
        await session.commit()


async def mark_complaint(db: Database, conversation: Conversation) -> None:
    async with db.session() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id)
            .values(complaint_since=conversation.created_at)
        )
        await session.commit()


async def order(
    db: Database, shop: Shop, customer: Customer, placed_at: datetime, *names: str
) -> list[int]:
    """An order of `customer` holding one new product per name; returns the product ids."""
    async with db.session() as session:
        products = [
            Product(shop_id=shop.id, sku=f"SKU-{shop.id}-{name}", name=name, price_cents=9900)
            for name in names
        ]
        row = Order(
            shop_id=shop.id,
            order_no=f"NO-{customer.id}-{placed_at.timestamp():.0f}",
            customer_id=customer.id,
            status="delivered",
            total_cents=9900 * len(names),
            placed_at=placed_at,
        )
        session.add_all([*products, row])
        await session.flush()
        for product in products:
            session.add(
                OrderItem(
                    order_id=row.id,
                    product_id=product.id,
                    sku=product.sku,
                    name=product.name,
                    quantity=1,
                    unit_price_cents=9900,
                )
            )
        await session.commit()
        return [p.id for p in products]


async def test_only_customer_messages_of_the_shop_are_mined(factory: Factory, db: Database) -> None:
    shop, other = await factory.shop(), await factory.shop()
    talk = await factory.conversation(shop, messages=("物流太慢了，等了一周",), at=day(1))
    await add_messages(
        db,
        talk,
        ("agent", "包装很差，抱歉", False),
        ("bot", "屏幕很差的话可以退货", False),
        ("customer", "客服态度差", True),  # an internal note is never the customer's voice
    )
    await factory.conversation(other, messages=("质量太差",), at=day(1))
    async with db.session() as session:
        result = await topic_report(session, shop_id=shop.id, start=START, end=END)
    assert result.documents == 1
    assert [row.key for row in result.to_fix] == ["delivery"]
    [delivery] = result.to_fix
    assert (delivery.label, delivery.documents, delivery.share, delivery.previous) == (
        "物流/delivery",
        1,
        1.0,
        0,
    )
    assert delivery.examples == ("物流太慢了",)
    assert result.praised == ()


async def test_conversations_link_to_the_product_of_the_customers_order(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    single, named, unknown = [await factory.customer(shop) for _ in range(3)]
    [earbuds] = await order(db, shop, single, day(-3), "无线耳机")
    _, lamp = await order(db, shop, named, day(-5), "无线鼠标", "护眼台灯")
    await factory.conversation(shop, customer=single, messages=("音质很差",), at=day(2))
    await factory.conversation(shop, customer=named, messages=("护眼台灯的包装破了",), at=day(2))
    await factory.conversation(shop, customer=unknown, messages=("物流很快",), at=day(2))
    async with db.session() as session:
        result = await topic_report(session, shop_id=shop.id, start=START, end=END)
    assert (result.documents, result.linked) == (3, 2)
    by_product = {p.product_id: p for p in result.products}
    assert set(by_product) == {earbuds, lamp}
    assert [s.key for s in by_product[earbuds].negative] == ["performance"]
    assert by_product[lamp].name == "护眼台灯"
    assert [s.key for s in by_product[lamp].negative] == ["packaging"]


async def test_complaints_only_reads_complaint_conversations(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    complaint = await factory.conversation(shop, messages=("退款一直不处理，差评",), at=day(3))
    await mark_complaint(db, complaint)
    await factory.conversation(shop, messages=("包装破了",), at=day(3))
    async with db.session() as session:
        everything = await topic_report(session, shop_id=shop.id, start=START, end=END)
        complaints = await topic_report(
            session, shop_id=shop.id, start=START, end=END, complaints_only=True
        )
    assert (everything.documents, everything.complaints) == (2, 1)
    assert {row.key for row in everything.to_fix} == {"after_sales", "packaging"}
    assert (complaints.documents, complaints.complaints) == (1, 1)
    assert [row.key for row in complaints.to_fix] == ["after_sales"]


async def test_topics_rising_against_the_week_before_trend(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    for i in range(4):
        await factory.conversation(shop, messages=("快递太慢了，还没到",), at=day(1 + i))
    await factory.conversation(shop, messages=("颜色好看",), at=day(5))
    await factory.conversation(shop, messages=("颜色好看",), at=day(-3))
    await factory.conversation(shop, messages=("快递太慢了",), at=day(-2))
    async with db.session() as session:
        result = await topic_report(session, shop_id=shop.id, start=START, end=END)
    assert (result.compare_start, result.compare_end) == (START - timedelta(days=7), START)
    assert result.previous_documents == 2
    [delivery] = [row for row in result.to_fix if row.key == "delivery"]
    assert (delivery.documents, delivery.previous) == (4, 1)
    assert [t.key for t in result.trending_aspects] == ["delivery:-1"]
    assert result.trending_aspects[0].label == "物流/delivery −"
    assert "快递" in {t.key for t in result.trending_keywords}


async def test_an_empty_period_gives_an_empty_report(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    async with db.session() as session:
        result = await topic_report(session, shop_id=shop.id, start=START, end=END)
    assert (result.documents, result.to_fix, result.products, result.keywords) == (0, (), (), ())


async def test_a_period_must_end_after_it_starts(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    async with db.session() as session:
        with pytest.raises(InvalidInput):
            await topic_report(session, shop_id=shop.id, start=END, end=START)
        with pytest.raises(InvalidInput):
            await topic_report(session, shop_id=shop.id, start=START, end=END, compare_start=START)


def test_a_text_naming_one_ordered_product_links_to_it() -> None:
    orders = [CustomerOrder(day(-2), (EARBUDS, LAMP))]
    assert link_product("台灯不亮了", day(0), orders) is None
    assert link_product("护眼台灯不亮了", day(0), orders) == LAMP
    assert link_product("lp-200 坏了", day(0), orders) == LAMP


def test_the_latest_order_links_when_it_holds_one_product() -> None:
    orders = [CustomerOrder(day(-10), (LAMP,)), CustomerOrder(day(-2), (EARBUDS,))]
    assert link_product("坏了", day(0), orders) == EARBUDS


def test_orders_after_the_message_or_too_old_do_not_link() -> None:
    assert link_product("坏了", day(0), [CustomerOrder(day(1), (EARBUDS,))]) is None
    assert link_product("坏了", day(0), [CustomerOrder(day(-91), (EARBUDS,))]) is None


def test_naming_two_ordered_products_links_to_neither() -> None:
    orders = [CustomerOrder(day(-2), (EARBUDS,)), CustomerOrder(day(-5), (LAMP,))]
    assert link_product("无线耳机和护眼台灯都坏了", day(0), orders) is None
