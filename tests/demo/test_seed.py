"""The demo generator on the test database, at a small scale: deterministic, complete, consistent
and tenant-isolated."""

from __future__ import annotations

import asyncio
import re
import statistics
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.models import User
from kefu.accounts.permissions import Department, Role, Tier
from kefu.commerce.models import Order, Product
from kefu.conversations.models import Conversation, Message
from kefu.customers.models import Customer
from kefu.demo import DEMO_PASSWORD, DemoSummary, seed_demo
from kefu.demo.timing import CHINA
from kefu.routing.models import AgentSkill, AgentState, RoutingQueue
from kefu.shared.db import Database

# Late November 2026, when the demo usually runs: the last 90 days include 双11.
NOW = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
SCALE = 0.05


@dataclass(frozen=True)
class Seeded:
    summary: DemoSummary
    suffix: str

    def shop_id(self, base_slug: str) -> int:
        return next(s.id for s in self.summary.shops if s.slug == base_slug + self.suffix)

    @property
    def ids(self) -> tuple[int, int]:
        first, second = self.summary.shops
        return first.id, second.id


async def _seed(url: str, suffix: str, *, through_session: bool = False) -> DemoSummary:
    database = Database(url)
    try:
        if through_session:
            async with database.session() as session:
                return await seed_demo(session, now=NOW, scale=SCALE, slug_suffix=suffix)
        return await seed_demo(database.engine, now=NOW, scale=SCALE, slug_suffix=suffix)
    finally:
        await database.dispose()


def _suffix() -> str:
    return f"-t{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def seeded(database_url: str) -> Seeded:
    suffix = _suffix()
    return Seeded(asyncio.run(_seed(database_url, suffix)), suffix)


async def _rows(session: AsyncSession, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in (await session.execute(text(sql), params)).all()]


async def _fingerprint(db: Database, shop_id: int) -> dict[str, Any]:
    """What must not change between two runs with the same seed (ids and slugs may)."""
    async with db.session() as session:
        customers = await session.execute(
            select(Customer.name, Customer.email, Customer.phone, Customer.vip_level,
                   Customer.tags, Customer.created_at)
            .where(Customer.shop_id == shop_id).order_by(Customer.id).limit(20)
        )  # fmt: skip
        products = await session.execute(
            select(Product.sku, Product.name, Product.price_cents)
            .where(Product.shop_id == shop_id).order_by(Product.id).limit(20)
        )  # fmt: skip
        orders = await session.execute(
            select(Order.order_no, Order.status, Order.total_cents, Order.placed_at)
            .where(Order.shop_id == shop_id).order_by(Order.id).limit(20)
        )  # fmt: skip
        conversations = await session.execute(
            select(Conversation.subject, Conversation.status, Conversation.channel,
                   Conversation.created_at, Conversation.message_count)
            .where(Conversation.shop_id == shop_id).order_by(Conversation.id).limit(20)
        )  # fmt: skip
        messages = await session.execute(
            select(Message.sender_type, Message.body, Message.created_at)
            .where(Message.shop_id == shop_id).order_by(Message.id).limit(40)
        )  # fmt: skip
        return {
            "customers": customers.all(),
            "products": products.all(),
            "orders": orders.all(),
            "conversations": conversations.all(),
            "messages": messages.all(),
        }


async def test_same_seed_gives_the_same_data(database_url: str, db: Database) -> None:
    first = await _seed(database_url, _suffix())
    second = await _seed(database_url, _suffix(), through_session=True)
    assert first.created and second.created
    assert [s.counts for s in first.shops] == [s.counts for s in second.shops]
    for a, b in zip(first.shops, second.shops, strict=True):
        assert await _fingerprint(db, a.id) == await _fingerprint(db, b.id)


async def test_seeding_again_reports_the_existing_demo(database_url: str, seeded: Seeded) -> None:
    again = await _seed(database_url, seeded.suffix)
    assert not again.created
    assert {s.slug for s in again.shops} == {s.slug for s in seeded.summary.shops}
    assert {login.email for login in again.logins} == {
        login.email for login in seeded.summary.logins
    }


async def test_both_shops_have_every_role_tier_and_department(db: Database, seeded: Seeded) -> None:
    async with db.session() as session:
        for slug, agents in (("geek-digital", range(12, 16)), ("jianyi-fashion", range(8, 11))):
            shop_id = seeded.shop_id(slug)
            users = (
                (await session.execute(select(User).where(User.shop_id == shop_id))).scalars().all()
            )
            roles = Counter(u.role for u in users)
            assert set(roles) == {role.value for role in Role}
            assert roles[Role.AGENT] in agents
            assert {u.tier for u in users if u.role == Role.AGENT} == {t.value for t in Tier}
            assert {u.department for u in users if u.role == Role.DEPARTMENT} == {
                d.value for d in Department
            }
            assert f"owner@{slug}{seeded.suffix}.demo" in {u.email for u in users}
    logins = seeded.summary.highlights()
    assert len(logins) == 2 * 7  # owner, admin, supervisor, three tiers, department


async def test_every_agent_serves_a_queue_and_conversations_sit_in_queues(
    db: Database, seeded: Seeded
) -> None:
    async with db.session() as session:
        for slug in ("geek-digital", "jianyi-fashion"):
            shop_id = seeded.shop_id(slug)
            queues = (
                await session.scalars(select(RoutingQueue).where(RoutingQueue.shop_id == shop_id))
            ).all()
            assert {q.skill for q in queues} == {"presales", "orders", "aftersales", "complaints"}
            assert [q.skill for q in queues if q.is_default] == ["presales"]
            agents = (
                await session.scalars(
                    select(User.id).where(User.shop_id == shop_id, User.role == Role.AGENT)
                )
            ).all()
            skilled = set(
                await session.scalars(
                    select(AgentSkill.user_id).where(AgentSkill.shop_id == shop_id)
                )
            )
            assert set(agents) <= skilled
            states = await session.scalar(
                select(func.count()).select_from(AgentState).where(AgentState.shop_id == shop_id)
            )
            assert states == len(agents) + 2  # and the two supervisors, the peak squad
            unqueued = await session.scalar(
                select(func.count())
                .select_from(Conversation)
                .where(Conversation.shop_id == shop_id, Conversation.queue_id.is_(None))
            )
            assert unqueued == 0


async def test_demo_logins_work_and_see_only_their_shop(
    client: httpx.AsyncClient, db: Database, seeded: Seeded
) -> None:
    login = next(
        x for x in seeded.summary.highlights()
        if x.tier == Tier.SENIOR and x.shop.startswith("jianyi-fashion")
    )  # fmt: skip
    response = await client.post(
        "/api/v1/auth/login", json={"email": login.email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    listed = await client.get("/api/v1/conversations", params={"limit": 100})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    ids = [item["id"] for item in page["items"]]
    async with db.session() as session:
        shops = set(
            (await session.execute(select(Conversation.shop_id).where(Conversation.id.in_(ids))))
            .scalars()
            .all()
        )
        total = await session.scalar(
            select(func.count()).where(Conversation.shop_id == seeded.shop_id("jianyi-fashion"))
        )
    assert shops == {seeded.shop_id("jianyi-fashion")}
    assert page["total"] == total


async def test_inbox_has_unassigned_open_conversations_now(db: Database, seeded: Seeded) -> None:
    async with db.session() as session:
        for shop_id in seeded.ids:
            waiting = (
                (
                    await session.execute(
                        select(Conversation).where(
                            Conversation.shop_id == shop_id,
                            Conversation.status == "open",
                            Conversation.assignee_id.is_(None),
                        )
                    )
                )
                .scalars()
                .all()
            )
            assert len(waiting) >= 3
            assert all(c.first_response_at is None and c.created_at <= NOW for c in waiting)


async def test_conversations_span_ninety_days_with_a_double_11_peak(
    db: Database, seeded: Seeded
) -> None:
    async with db.session() as session:
        created = (
            (
                await session.execute(
                    select(Conversation.created_at).where(
                        Conversation.shop_id == seeded.shop_id("geek-digital")
                    )
                )
            )
            .scalars()
            .all()
        )
    assert min(created) >= NOW - timedelta(days=90)
    assert min(created) < NOW - timedelta(days=89)
    assert NOW - timedelta(days=1) < max(created) <= NOW
    per_day = Counter(moment.astimezone(CHINA).date() for moment in created)
    peak = per_day[datetime(2026, 11, 11).date()]
    ordinary = statistics.median(
        count for day, count in per_day.items() if day.month != 11 or not 7 <= day.day <= 21
    )
    assert peak > 2.5 * ordinary
    by_hour = Counter(moment.astimezone(CHINA).hour for moment in created)
    assert by_hour[10] + by_hour[21] > 5 * (by_hour[3] + by_hour[4])


async def test_message_counts_match_the_messages(db: Database, seeded: Seeded) -> None:
    async with db.session() as session:
        wrong = await _rows(
            session,
            """
            SELECT c.id FROM conversations c
            LEFT JOIN messages m ON m.conversation_id = c.id
            WHERE c.shop_id IN (:a, :b)
            GROUP BY c.id, c.message_count
            HAVING COUNT(m.id) <> c.message_count
            """,
            a=seeded.ids[0],
            b=seeded.ids[1],
        )
        short = await _rows(
            session,
            "SELECT COUNT(*) FROM conversations WHERE shop_id IN (:a, :b) "
            "AND (message_count < 1 OR message_count > 12)",
            a=seeded.ids[0],
            b=seeded.ids[1],
        )
    assert wrong == []
    assert short == [(0,)]


# Each query lists rows of shop :a that point at something belonging to another shop.
CROSS_SHOP = {
    "conversation customer": "SELECT c.id FROM conversations c JOIN customers x "
    "ON x.id = c.customer_id WHERE c.shop_id = :a AND x.shop_id <> :a",
    "conversation assignee": "SELECT c.id FROM conversations c JOIN users x "
    "ON x.id = c.assignee_id WHERE c.shop_id = :a AND x.shop_id <> :a",
    "conversation team": "SELECT c.id FROM conversations c JOIN teams x "
    "ON x.id = c.team_id WHERE c.shop_id = :a AND x.shop_id <> :a",
    "message conversation": "SELECT m.id FROM messages m JOIN conversations x "
    "ON x.id = m.conversation_id WHERE m.shop_id = :a AND x.shop_id <> :a",
    "message sender": "SELECT m.id FROM messages m JOIN users x "
    "ON x.id = m.sender_user_id WHERE m.shop_id = :a AND x.shop_id <> :a",
    "tag conversation": "SELECT t.conversation_id FROM conversation_tags t JOIN conversations x "
    "ON x.id = t.conversation_id WHERE t.shop_id = :a AND x.shop_id <> :a",
    "order customer": "SELECT o.id FROM orders o JOIN customers x "
    "ON x.id = o.customer_id WHERE o.shop_id = :a AND x.shop_id <> :a",
    "item product": "SELECT i.id FROM order_items i JOIN orders o ON o.id = i.order_id "
    "JOIN products x ON x.id = i.product_id WHERE o.shop_id = :a AND x.shop_id <> :a",
    "shipment order": "SELECT s.id FROM shipments s JOIN orders x "
    "ON x.id = s.order_id WHERE s.shop_id = :a AND x.shop_id <> :a",
    "return order": "SELECT r.id FROM returns r JOIN orders x "
    "ON x.id = r.order_id WHERE r.shop_id = :a AND x.shop_id <> :a",
    "identity customer": "SELECT i.id FROM customer_identities i JOIN customers x "
    "ON x.id = i.customer_id WHERE i.shop_id = :a AND x.shop_id <> :a",
    "user team": "SELECT u.id FROM users u JOIN teams x "
    "ON x.id = u.team_id WHERE u.shop_id = :a AND x.shop_id <> :a",
}


@pytest.mark.parametrize("relation", sorted(CROSS_SHOP))
async def test_no_row_of_one_shop_points_into_another(
    db: Database, seeded: Seeded, relation: str
) -> None:
    async with db.session() as session:
        for shop_id in seeded.ids:
            assert await _rows(session, CROSS_SHOP[relation], a=shop_id) == []


ORDER_NO = re.compile(r"(?:GD|JY)\d{12}")


async def test_orders_mentioned_in_a_conversation_are_the_customers_own(
    db: Database, seeded: Seeded
) -> None:
    async with db.session() as session:
        for shop_id in seeded.ids:
            owners = dict(
                (await session.execute(
                    select(Order.order_no, Order.customer_id).where(Order.shop_id == shop_id)
                )).tuples().all()
            )  # fmt: skip
            mentions = (
                (
                    await session.execute(
                        select(Message.body, Conversation.customer_id)
                        .join(Conversation, Conversation.id == Message.conversation_id)
                        .where(Message.shop_id == shop_id)
                    )
                )
                .tuples()
                .all()
            )
            found = [(no, customer) for body, customer in mentions for no in ORDER_NO.findall(body)]
            assert found
            assert all(owners.get(no) == customer for no, customer in found)


async def test_statuses_and_timestamps_are_consistent(db: Database, seeded: Seeded) -> None:
    async with db.session() as session:
        conversations = (
            (
                await session.execute(
                    select(Conversation).where(Conversation.shop_id.in_(seeded.ids))
                )
            )
            .scalars()
            .all()
        )
        messages = (
            (await session.execute(select(Message).where(Message.shop_id.in_(seeded.ids))))
            .scalars()
            .all()
        )
    by_conversation: dict[int, list[Message]] = {}
    for message in messages:
        by_conversation.setdefault(message.conversation_id, []).append(message)
    statuses = Counter(c.status for c in conversations)
    assert statuses["closed"] > statuses["resolved"] > 0
    assert statuses["open"] > 0
    for c in conversations:
        _check_conversation(c, sorted(by_conversation[c.id], key=lambda m: m.id))


def _check_conversation(c: Conversation, messages: list[Message]) -> None:
    public = [m for m in messages if not m.is_internal]
    answers = [m for m in public if m.sender_type == "agent"]
    assert [m.created_at for m in messages] == sorted(m.created_at for m in messages)
    assert messages[0].created_at == c.created_at
    assert c.last_message_at == max(m.created_at for m in public)
    assert c.first_response_at == (answers[0].created_at if answers else None)
    assert c.updated_at >= c.last_message_at and c.updated_at <= NOW
    if c.status == "closed":
        assert c.resolved_at is not None and c.closed_at is not None
        assert c.last_message_at <= c.resolved_at < c.closed_at <= NOW
    elif c.status == "resolved":
        assert c.resolved_at is not None and c.closed_at is None
    else:
        assert c.resolved_at is None and c.closed_at is None
    if c.assignee_id is not None:
        assert {m.sender_user_id for m in answers} <= {c.assignee_id}
    else:
        assert c.status == "open" and not answers


async def test_order_statuses_follow_their_shipments(db: Database, seeded: Seeded) -> None:
    async with db.session() as session:
        rows = await _rows(
            session,
            """
            SELECT o.status, s.status, COUNT(*) FROM orders o
            LEFT JOIN shipments s ON s.order_id = o.id
            WHERE o.shop_id IN (:a, :b) GROUP BY o.status, s.status
            """,
            a=seeded.ids[0],
            b=seeded.ids[1],
        )
        events = await _rows(
            session,
            "SELECT MIN(n), MAX(n) FROM (SELECT COUNT(*) AS n FROM tracking_events e "
            "JOIN shipments s ON s.id = e.shipment_id WHERE s.shop_id IN (:a, :b) "
            "AND s.status = 'delivered' GROUP BY s.id) AS per_shipment",
            a=seeded.ids[0],
            b=seeded.ids[1],
        )
    pairs = {(order, shipment) for order, shipment, _ in rows}
    for order, shipment in pairs:
        if order in ("pending_payment", "paid", "cancelled"):
            assert shipment is None
        elif order in ("delivered", "completed"):
            assert shipment == "delivered"
        else:
            assert shipment in ("pending", "in_transit", "out_for_delivery", "exception")
    assert ("completed", "delivered") in pairs
    low, high = events[0]
    assert low >= 4 and high <= 7


async def test_after_sales_conversations_match_the_kind_of_return(
    db: Database, seeded: Seeded
) -> None:
    async with db.session() as session:
        rows = await _rows(
            session,
            """
            SELECT t.name, m.body, o.order_no, r.kind FROM conversation_tags t
            JOIN messages m ON m.conversation_id = t.conversation_id
            JOIN conversations c ON c.id = t.conversation_id
            JOIN orders o ON o.customer_id = c.customer_id
            JOIN returns r ON r.order_id = o.id
            WHERE t.shop_id IN (:a, :b) AND t.name IN ('退货', '换货')
            """,
            a=seeded.ids[0],
            b=seeded.ids[1],
        )
    expected = {"退货": "return", "换货": "exchange"}
    checked = [(tag, kind) for tag, body, order_no, kind in rows if order_no in body]
    assert checked
    assert all(kind == expected[tag] for tag, kind in checked)
