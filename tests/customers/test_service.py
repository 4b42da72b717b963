"""Recognising customers by identity, as the channels will."""

from __future__ import annotations

import asyncio

from kefu.customers import service
from kefu.customers.schemas import IdentityKind
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory


async def test_the_same_identity_finds_the_same_customer(db: Database, factory: Factory) -> None:
    shop = await factory.shop()
    async with db.session() as session:
        first, created = await service.find_or_create_by_identity(
            session,
            shop_id=shop.id,
            kind=IdentityKind.EMAIL,
            value=" Lei@Example.com ",
            name="李雷",
            now=utcnow(),
        )
    assert created and (first.name, first.email) == ("李雷", "lei@example.com")
    async with db.session() as session:
        again, created = await service.find_or_create_by_identity(
            session,
            shop_id=shop.id,
            kind=IdentityKind.EMAIL,
            value="lei@example.com",
            name="someone",
            now=utcnow(),
        )
    assert (again.id, created) == (first.id, False)


async def test_an_identity_in_another_shop_is_another_customer(
    db: Database, factory: Factory
) -> None:
    ours, theirs = await factory.shop(), await factory.shop()
    found = []
    for shop in (ours, theirs):
        async with db.session() as session:
            customer, created = await service.find_or_create_by_identity(
                session,
                shop_id=shop.id,
                kind=IdentityKind.WEB,
                value="visitor-1",
                name="",
                now=utcnow(),
            )
        assert created and customer.shop_id == shop.id and customer.name == "visitor-1"
        found.append(customer.id)
    assert found[0] != found[1]


async def test_concurrent_first_contacts_make_one_customer(db: Database, factory: Factory) -> None:
    shop = await factory.shop()

    async def arrive() -> int:
        async with db.session() as session:
            customer, _ = await service.find_or_create_by_identity(
                session,
                shop_id=shop.id,
                kind=IdentityKind.PHONE,
                value="13800000000",
                name="来电客户",
                now=utcnow(),
            )
            return customer.id

    ids = await asyncio.gather(*(arrive() for _ in range(4)))
    assert len(set(ids)) == 1
