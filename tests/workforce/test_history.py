"""A shop's contact history from the database: conversations per local interval, this shop only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from kefu.accounts.models import Shop
from kefu.shared.db import Database
from kefu.shared.errors import NotFound
from kefu.workforce.history import conversation_history
from kefu.workforce.series import SeriesError
from tests.factories import Factory

# 2024-03-04 is a Monday; Asia/Shanghai is UTC+8 all year.
UNTIL = datetime(2024, 3, 5, 16, 0, tzinfo=UTC)  # local 2024-03-06 00:00


async def test_conversations_are_counted_per_local_interval_of_this_shop_only(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    other = await factory.shop()
    customer = await factory.customer(shop)
    for at in (
        datetime(2024, 3, 4, 1, 5, tzinfo=UTC),  # local 09:05 on Monday
        datetime(2024, 3, 4, 1, 25, tzinfo=UTC),  # local 09:25
        datetime(2024, 3, 4, 1, 40, tzinfo=UTC),  # local 09:40
        datetime(2024, 3, 4, 16, 10, tzinfo=UTC),  # local 00:10 on Tuesday
        UNTIL,  # not before 'until': left out
    ):
        await factory.conversation(shop, customer=customer, at=at)
    await factory.conversation(other, at=datetime(2024, 3, 4, 1, 10, tzinfo=UTC))
    async with db.session() as session:
        series = await conversation_history(
            session, shop_id=shop.id, interval_minutes=30, until=UNTIL
        )
    assert series.start == datetime(2024, 3, 4) and series.end == datetime(2024, 3, 6)
    assert series.calls.sum() == 4 and not series.filled.any()
    assert series.calls[series.index_of(datetime(2024, 3, 4, 9))] == 2
    assert series.calls[series.index_of(datetime(2024, 3, 4, 9, 30))] == 1
    assert series.calls[series.index_of(datetime(2024, 3, 5, 0))] == 1


async def test_history_follows_the_shops_time_zone_and_since(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    async with db.session() as session:
        await session.execute(update(Shop).where(Shop.id == shop.id).values(timezone="UTC"))
        await session.commit()
    await factory.conversation(shop, at=datetime(2024, 3, 4, 1, 5, tzinfo=UTC))
    await factory.conversation(shop, at=datetime(2024, 3, 5, 9, 59, tzinfo=UTC))
    since = datetime(2024, 3, 5, 6, 0, tzinfo=UTC)
    async with db.session() as session:
        series = await conversation_history(
            session, shop_id=shop.id, interval_minutes=60, until=UNTIL, since=since
        )
    assert series.start == datetime(2024, 3, 5, 6) and len(series) == 10
    assert list(series.calls) == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]


async def test_a_shop_without_conversations_has_no_history(factory: Factory, db: Database) -> None:
    shop = await factory.shop()
    async with db.session() as session:
        with pytest.raises(SeriesError, match="has no conversations"):
            await conversation_history(session, shop_id=shop.id, interval_minutes=60, until=UNTIL)
        with pytest.raises(NotFound):
            await conversation_history(
                session, shop_id=shop.id + 10_000, interval_minutes=60, until=UNTIL
            )
        with pytest.raises(SeriesError, match="empty"):
            await conversation_history(
                session,
                shop_id=shop.id,
                interval_minutes=60,
                until=UNTIL,
                since=UNTIL + timedelta(days=1),
            )
