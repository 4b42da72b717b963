"""Factories for test data: shops, users, customers and conversations, committed for real."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from kefu.accounts.models import Shop, User
from kefu.accounts.security import hash_password
from kefu.conversations.models import Conversation, Message
from kefu.customers.models import Customer
from kefu.shared.clock import utcnow
from kefu.shared.db import Database

PASSWORD = "correct-horse-battery"
_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)


@dataclass
class Factory:
    db: Database

    async def shop(self, name: str = "测试店铺") -> Shop:
        async with self.db.session() as session:
            shop = Shop(slug=f"shop-{uuid.uuid4().hex[:10]}", name=name, created_at=utcnow())
            session.add(shop)
            await session.commit()
            return shop

    async def user(
        self,
        shop: Shop,
        *,
        role: str = "agent",
        tier: str | None = None,
        department: str | None = None,
        name: str | None = None,
    ) -> User:
        n = next(_seq)
        if role == "agent" and tier is None:
            tier = "junior"
        if role == "department" and department is None:
            department = "logistics"
        async with self.db.session() as session:
            user = User(
                shop_id=shop.id,
                email=f"user{n}-{uuid.uuid4().hex[:8]}@example.com",
                name=name or f"用户{n}",
                password_hash=_HASH,
                role=role,
                tier=tier,
                department=department,
                is_active=True,
                created_at=utcnow(),
            )
            session.add(user)
            await session.commit()
            return user

    async def customer(self, shop: Shop, *, name: str = "王小明", vip_level: int = 0) -> Customer:
        n = next(_seq)
        now = utcnow()
        async with self.db.session() as session:
            customer = Customer(
                shop_id=shop.id,
                name=name,
                email=f"customer{n}@example.com",
                vip_level=vip_level,
                tags=[],
                note="",
                created_at=now,
                updated_at=now,
            )
            session.add(customer)
            await session.commit()
            return customer

    async def conversation(
        self,
        shop: Shop,
        *,
        customer: Customer | None = None,
        status: str = "open",
        channel: str = "web",
        subject: str = "",
        messages: tuple[str, ...] = ("你好，我的订单到哪了？",),
        assignee: User | None = None,
        at: datetime | None = None,
    ) -> Conversation:
        customer = customer or await self.customer(shop)
        at = at or utcnow()
        async with self.db.session() as session:
            conversation = Conversation(
                shop_id=shop.id,
                channel=channel,
                customer_id=customer.id,
                subject=subject,
                status=status,
                priority="normal",
                assignee_id=assignee.id if assignee else None,
                message_count=len(messages),
                created_at=at,
                updated_at=at,
                last_message_at=at,
            )
            session.add(conversation)
            await session.flush()
            for i, body in enumerate(messages):
                session.add(
                    Message(
                        shop_id=shop.id,
                        conversation_id=conversation.id,
                        sender_type="customer",
                        body=body,
                        is_internal=False,
                        created_at=at + timedelta(seconds=i),
                    )
                )
            await session.commit()
            return conversation


async def login(client: httpx.AsyncClient, user: User, password: str = PASSWORD) -> str:
    """Log ``client`` in as ``user`` and make it send the CSRF token from now on."""
    response = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": password}
    )
    assert response.status_code == 200, response.text
    csrf: str = response.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = csrf
    return csrf
