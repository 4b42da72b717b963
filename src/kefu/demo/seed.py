"""Seeds the two demo shops in one transaction; the entry point of the demo generator."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kefu.accounts.models import Shop, User
from kefu.accounts.permissions import Department, Role, Tier
from kefu.accounts.security import hash_password
from kefu.demo.bot import emit_bot_settings
from kefu.demo.canned import emit_canned_replies
from kefu.demo.context import Build
from kefu.demo.conversations import CONVERSATION_DAYS, World, draw_conversations
from kefu.demo.customers import Contacts, draw_customers, emit_customers
from kefu.demo.facts import OrderIndex
from kefu.demo.knowledge import emit_knowledge_base
from kefu.demo.orders import ORDER_DAYS, draw_orders, emit_products
from kefu.demo.routing import emit_routing
from kefu.demo.shops import DEMO_PASSWORD, ShopSpec, demo_shops
from kefu.demo.staff import build_staff
from kefu.demo.timing import calendar
from kefu.demo.writer import Ids, Rows, fix_sequences, write
from kefu.sla.admin import add_default_policies

Step = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class DemoLogin:
    shop: str
    email: str
    name: str
    role: str
    tier: str | None = None
    department: str | None = None

    @property
    def label(self) -> str:
        detail = self.tier or self.department
        return f"{self.role} ({detail})" if detail else self.role


@dataclass(frozen=True, slots=True)
class ShopSummary:
    id: int
    slug: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What ``seed_demo`` did; ``created`` is False when the demo shops were already there."""

    created: bool
    shops: tuple[ShopSummary, ...]
    logins: tuple[DemoLogin, ...]
    password: str = DEMO_PASSWORD
    seconds: float = 0.0

    def totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for shop in self.shops:
            for table, count in shop.counts.items():
                totals[table] = totals.get(table, 0) + count
        return totals

    def highlights(self) -> list[DemoLogin]:
        """Per shop one owner, admin, supervisor, agent of each tier and department user."""
        wanted: list[tuple[Role, str | None]] = [
            (Role.OWNER, None), (Role.ADMIN, None), (Role.SUPERVISOR, None),
        ]  # fmt: skip
        wanted += [(Role.AGENT, tier.value) for tier in Tier]
        wanted += [(Role.DEPARTMENT, Department.LOGISTICS.value)]
        picked: list[DemoLogin] = []
        for shop in self.shops:
            mine = [login for login in self.logins if login.shop == shop.slug]
            for role, detail in wanted:
                found = next(
                    (x for x in mine if x.role == role and detail in (None, x.tier, x.department)),
                    None,
                )
                if found is not None:
                    picked.append(found)
        return picked


async def seed_demo(
    target: AsyncSession | AsyncEngine,
    *,
    now: datetime,
    seed: int = 7,
    scale: float = 1.0,
    slug_suffix: str = "",
    on_step: Step | None = None,
) -> DemoSummary:
    """Create the two demo shops with ``scale`` times the usual data and commit; a no-op that
    reports the existing logins when a demo shop is already there. The same ``seed`` and ``now``
    give the same data; ``slug_suffix`` lets tests seed beside each other in one database."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if scale <= 0:
        raise ValueError("scale must be positive")
    plan = _Plan(now, seed, scale, demo_shops(slug_suffix), on_step or (lambda _message: None))
    if isinstance(target, AsyncEngine):
        async with AsyncSession(target, expire_on_commit=False) as session:
            return await _seed(session, plan)
    return await _seed(target, plan)


@dataclass(frozen=True, slots=True)
class _Plan:
    now: datetime
    seed: int
    scale: float
    specs: tuple[ShopSpec, ...]
    step: Step


async def _seed(session: AsyncSession, plan: _Plan) -> DemoSummary:
    began, step = time.perf_counter(), plan.step
    existing = await existing_demo(session, plan.specs)
    if existing is not None:
        return existing
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow: hash once, share the hash
    ids = await Ids.load(session)
    shops, logins = [], []
    for spec in plan.specs:
        build = Build(spec, ids.take("shops"), plan.now, plan.seed, plan.scale, ids, Rows())
        logins.extend(_generate(build, password_hash, step))
        step(f"{spec.name}：写入数据库")
        await write(session, build.rows)
        await add_default_policies(session, shop_id=build.shop_id, now=plan.now)
        shops.append(ShopSummary(build.shop_id, spec.slug, spec.name, build.rows.counts()))
    await fix_sequences(session)
    await session.commit()
    return DemoSummary(True, tuple(shops), tuple(logins), seconds=time.perf_counter() - began)


def _generate(build: Build, password_hash: str, step: Step) -> list[DemoLogin]:
    """Every row of one shop, in memory; returns the shop's logins."""
    spec, now = build.spec, build.now
    step(f"{spec.name}：团队、账号与商品")
    build.rows.add(
        "shops",
        {
            "id": build.shop_id, "slug": spec.slug, "name": spec.name, "locale": "zh",
            "timezone": "Asia/Shanghai", "created_at": now - timedelta(days=800),
        },
    )  # fmt: skip
    emit_bot_settings(build)
    staff = build_staff(build, password_hash=password_hash)
    staff.queue_by_team = emit_routing(build, staff)
    emit_canned_replies(build, staff)
    emit_knowledge_base(build, staff)
    products = emit_products(build)
    step(f"{spec.name}：客户、订单与物流")
    contacts = Contacts(build.rng("contacts"))
    customers = draw_customers(build, contacts)
    orders = draw_orders(
        build, calendar(now - timedelta(days=ORDER_DAYS), now), customers, products
    )
    step(f"{spec.name}：会话与消息")
    world = World(
        build=build, cal=calendar(now - timedelta(days=CONVERSATION_DAYS), now), staff=staff,
        customers=customers, products=[p for p in products if p.item.active],
        orders=OrderIndex(orders), contacts=contacts,
    )  # fmt: skip
    draw_conversations(world)
    emit_customers(build, customers)
    return [
        DemoLogin(
            spec.slug,
            m.email,
            m.name,
            m.role.value,
            m.tier.value if m.tier else None,
            m.department.value if m.department else None,
        )
        for m in staff.members
    ]


async def existing_demo(session: AsyncSession, specs: tuple[ShopSpec, ...]) -> DemoSummary | None:
    """The demo as it stands when any of its shops exists already, else None."""
    slugs = [spec.slug for spec in specs]
    found = (await session.execute(select(Shop).where(Shop.slug.in_(slugs)))).scalars().all()
    if not found:
        return None
    by_id = {shop.id: shop for shop in found}
    users = (
        await session.execute(select(User).where(User.shop_id.in_(by_id)).order_by(User.id))
    ).scalars()
    logins = tuple(
        DemoLogin(by_id[u.shop_id].slug, u.email, u.name, u.role, u.tier, u.department)
        for u in users
    )
    shops = tuple(ShopSummary(s.id, s.slug, s.name) for s in sorted(found, key=lambda s: s.id))
    return DemoSummary(False, shops, logins)
