"""The customer box's one read, until the customers domain has a service to call instead."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kefu.customers.models import Customer


async def get_customer(session: AsyncSession, *, shop_id: int, customer_id: int) -> Customer | None:
    """The shop's customer, or None (also for another shop's id)."""
    customer = await session.get(Customer, customer_id)
    if customer is None or customer.shop_id != shop_id:
        return None
    return customer
