"""Customer profiles and identities: scoped reads, edits, and recognising a customer by identity.

Use cases taking an ``actor`` check its permission and commit their own transaction. The helpers
for importers (``customers_by_email``, ``add_customer``, ``apply_update``) neither check nor
commit: they take part in the caller's transaction so a whole file lands at once.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.customers.models import Customer, CustomerIdentity
from kefu.customers.schemas import (
    CustomerCreate,
    CustomerDetail,
    CustomerOut,
    CustomerUpdate,
    IdentityIn,
    IdentityKind,
    IdentityOut,
    normalize_identity,
)
from kefu.shared.errors import Conflict, NotFound

# Bound parameters per IN (...) query; far below the SQLite and PostgreSQL limits.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    query: str | None = None  # substring of name, e-mail or phone
    vip_level: int | None = None
    tag: str | None = None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _has_tag(tag: str) -> ColumnElement[bool]:
    """Tags are a JSON list; match the quoted element in its text, which works on every database
    (both spellings, since a writer may or may not have escaped non-ASCII characters)."""
    text = cast(Customer.tags, String)
    spellings = {json.dumps(tag), json.dumps(tag, ensure_ascii=False)}
    return or_(*(text.like(_like(s), escape="\\") for s in sorted(spellings)))


def _filtered(shop_id: int, filters: CustomerFilter) -> Select[tuple[Customer]]:
    query = select(Customer).where(Customer.shop_id == shop_id)
    if filters.query:
        pattern = _like(filters.query.strip())
        query = query.where(
            or_(
                Customer.name.ilike(pattern, escape="\\"),
                Customer.email.ilike(pattern, escape="\\"),
                Customer.phone.ilike(pattern, escape="\\"),
            )
        )
    if filters.vip_level is not None:
        query = query.where(Customer.vip_level == filters.vip_level)
    if filters.tag:
        query = query.where(_has_tag(filters.tag.strip()))
    return query


async def get_customer(session: AsyncSession, *, shop_id: int, customer_id: int) -> Customer | None:
    """The shop's customer, or None (also for another shop's id)."""
    customer = await session.get(Customer, customer_id)
    if customer is None or customer.shop_id != shop_id:
        return None
    return customer


async def require_customer(
    session: AsyncSession, *, actor: Principal, customer_id: int
) -> Customer:
    actor.require(Permission.CUSTOMERS_READ)
    customer = await get_customer(session, shop_id=actor.shop_id, customer_id=customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}", code="customer_not_found")
    return customer


async def list_customers(
    session: AsyncSession, *, actor: Principal, filters: CustomerFilter, limit: int, offset: int
) -> tuple[list[Customer], int]:
    """One page, newest first, and the total number matching."""
    actor.require(Permission.CUSTOMERS_READ)
    base = _filtered(actor.shop_id, filters)
    total = await session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = await session.scalars(base.order_by(Customer.id.desc()).limit(limit).offset(offset))
    return list(rows.all()), total


async def list_identities(
    session: AsyncSession, *, shop_id: int, customer_id: int
) -> Sequence[CustomerIdentity]:
    rows = await session.scalars(
        select(CustomerIdentity)
        .where(CustomerIdentity.shop_id == shop_id, CustomerIdentity.customer_id == customer_id)
        .order_by(CustomerIdentity.id)
    )
    return rows.all()


async def _identity(
    session: AsyncSession, *, shop_id: int, kind: IdentityKind, value: str
) -> CustomerIdentity | None:
    identity: CustomerIdentity | None = await session.scalar(
        select(CustomerIdentity).where(
            CustomerIdentity.shop_id == shop_id,
            CustomerIdentity.kind == kind.value,
            CustomerIdentity.value == value,
        )
    )
    return identity


def _taken(kind: IdentityKind, value: str, owner_id: int) -> Conflict:
    return Conflict(
        f"{kind} identity '{value}' belongs to customer {owner_id}",
        code="identity_taken",
        details={"kind": kind.value, "value": value, "customer_id": owner_id},
    )


def _email_identity(data: CustomerCreate) -> str | None:
    return normalize_identity(IdentityKind.EMAIL, data.email) if data.email else None


async def add_customer(
    session: AsyncSession, *, shop_id: int, data: CustomerCreate, now: datetime
) -> Customer:
    """Add a customer, with its e-mail as an e-mail identity, in the caller's transaction.

    The caller has checked that the identity is free. Other identities (phone, IM, web) are
    added explicitly or by the channels that meet the customer."""
    customer = Customer(
        shop_id=shop_id,
        name=data.name,
        email=data.email,
        phone=data.phone,
        vip_level=data.vip_level,
        tags=list(data.tags),
        note=data.note,
        created_at=now,
        updated_at=now,
    )
    session.add(customer)
    await session.flush()
    email = _email_identity(data)
    if email is not None:
        add_email_identity(session, customer=customer, email=email, now=now)
    return customer


def apply_update(customer: Customer, data: CustomerUpdate, now: datetime) -> list[str]:
    """Copy the fields ``data`` sets onto ``customer``; return the names of those that changed.

    Identities stay as they are: they record how the customer reached the shop."""
    changed = []
    for field, value in data.model_dump(exclude_unset=True).items():
        if getattr(customer, field) != value:
            setattr(customer, field, value)
            changed.append(field)
    if changed:
        customer.updated_at = now
    return changed


async def create_customer(
    session: AsyncSession, *, actor: Principal, data: CustomerCreate, now: datetime
) -> Customer:
    actor.require(Permission.CUSTOMERS_WRITE)
    email = _email_identity(data)
    if email is not None:
        existing = await _identity(
            session, shop_id=actor.shop_id, kind=IdentityKind.EMAIL, value=email
        )
        if existing is not None:
            raise _taken(IdentityKind.EMAIL, email, existing.customer_id)
    customer = await add_customer(session, shop_id=actor.shop_id, data=data, now=now)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            "an identity of this customer was just taken", code="identity_taken"
        ) from None
    return customer


async def update_customer(
    session: AsyncSession,
    *,
    actor: Principal,
    customer_id: int,
    data: CustomerUpdate,
    now: datetime,
) -> Customer:
    actor.require(Permission.CUSTOMERS_WRITE)
    customer = await require_customer(session, actor=actor, customer_id=customer_id)
    if apply_update(customer, data, now):
        await session.commit()
    return customer


async def add_identity(
    session: AsyncSession,
    *,
    actor: Principal,
    customer_id: int,
    data: IdentityIn,
    now: datetime,
) -> tuple[CustomerIdentity, bool]:
    """Attach an identity; returns it and whether it is new (adding it again is a no-op).

    An identity another customer of the shop holds is refused with ``identity_taken``."""
    actor.require(Permission.CUSTOMERS_WRITE)
    customer = await require_customer(session, actor=actor, customer_id=customer_id)
    value = normalize_identity(data.kind, data.value)
    existing = await _identity(session, shop_id=actor.shop_id, kind=data.kind, value=value)
    if existing is not None:
        if existing.customer_id != customer.id:
            raise _taken(data.kind, value, existing.customer_id)
        return existing, False
    identity = CustomerIdentity(
        shop_id=actor.shop_id,
        customer_id=customer.id,
        kind=data.kind.value,
        value=value,
        created_at=now,
    )
    session.add(identity)
    if data.kind is IdentityKind.EMAIL and customer.email is None:
        customer.email = value
    if data.kind is IdentityKind.PHONE and customer.phone is None:
        customer.phone = value[:32]
    customer.updated_at = now
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            f"{data.kind} identity '{value}' was just taken", code="identity_taken"
        ) from None
    return identity, True


async def find_or_create_by_identity(
    session: AsyncSession,
    *,
    shop_id: int,
    kind: IdentityKind,
    value: str,
    name: str,
    now: datetime,
) -> tuple[Customer, bool]:
    """The customer holding this identity, else a new one with it; and whether it is new.

    For channels recognising who writes in. Commits (and on a lost race rolls back), so call it
    before anything else is pending in ``session``."""
    value = normalize_identity(kind, value)
    found = await _identity(session, shop_id=shop_id, kind=kind, value=value)
    if found is not None:
        customer = await session.get(Customer, found.customer_id)
        assert customer is not None
        return customer, False
    customer = Customer(
        shop_id=shop_id,
        name=(name.strip() or value)[:100],
        email=value if kind is IdentityKind.EMAIL else None,
        phone=value[:32] if kind is IdentityKind.PHONE else None,
        vip_level=0,
        tags=[],
        note="",
        created_at=now,
        updated_at=now,
    )
    session.add(customer)
    await session.flush()
    session.add(
        CustomerIdentity(
            shop_id=shop_id, customer_id=customer.id, kind=kind.value, value=value, created_at=now
        )
    )
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        found = await _identity(session, shop_id=shop_id, kind=kind, value=value)
        if found is None:
            raise
        winner = await session.get(Customer, found.customer_id)
        assert winner is not None
        return winner, False
    return customer, True


@dataclass(frozen=True, slots=True)
class EmailLookup:
    customers: dict[str, Customer]
    # Found by the profile's e-mail alone: these customers have no e-mail identity yet.
    without_identity: frozenset[str]


def add_email_identity(
    session: AsyncSession, *, customer: Customer, email: str, now: datetime
) -> None:
    """Record ``email`` as the customer's identity in the caller's transaction; the caller knows
    (from ``customers_by_email``) that it is free."""
    session.add(
        CustomerIdentity(
            shop_id=customer.shop_id,
            customer_id=customer.id,
            kind=IdentityKind.EMAIL.value,
            value=normalize_identity(IdentityKind.EMAIL, email),
            created_at=now,
        )
    )


async def get_customer_by_identity(
    session: AsyncSession, *, shop_id: int, kind: IdentityKind, value: str
) -> Customer | None:
    found = await _identity(
        session, shop_id=shop_id, kind=kind, value=normalize_identity(kind, value)
    )
    return None if found is None else await session.get(Customer, found.customer_id)


async def claim_identity(
    session: AsyncSession, *, customer: Customer, kind: IdentityKind, value: str, now: datetime
) -> bool:
    """Give ``customer`` this identity, and the profile its e-mail or phone where empty, unless
    another customer of the shop holds it (nothing is merged or taken). Commits; True when the
    identity is the customer's afterwards."""
    value = normalize_identity(kind, value)
    holder = await _identity(session, shop_id=customer.shop_id, kind=kind, value=value)
    if holder is not None:
        return holder.customer_id == customer.id
    session.add(
        CustomerIdentity(
            shop_id=customer.shop_id,
            customer_id=customer.id,
            kind=kind.value,
            value=value,
            created_at=now,
        )
    )
    if kind is IdentityKind.EMAIL and customer.email is None:
        customer.email = value
    if kind is IdentityKind.PHONE and customer.phone is None:
        customer.phone = value[:32]
    customer.updated_at = now
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return False
    return True


async def customers_by_email(
    session: AsyncSession, *, shop_id: int, emails: Collection[str]
) -> EmailLookup:
    """The shop's customers for these (lower-case) e-mails: by e-mail identity first, then by
    the profile's e-mail; the oldest profile wins when several share an address."""
    wanted = sorted(set(emails))
    found: dict[str, Customer] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        rows = await session.execute(
            select(CustomerIdentity.value, Customer)
            .join(Customer, Customer.id == CustomerIdentity.customer_id)
            .where(
                CustomerIdentity.shop_id == shop_id,
                CustomerIdentity.kind == IdentityKind.EMAIL.value,
                CustomerIdentity.value.in_(chunk),
            )
        )
        found.update(rows.tuples().all())
    by_identity = set(found)
    rest = [e for e in wanted if e not in found]
    for start in range(0, len(rest), CHUNK):
        chunk = rest[start : start + CHUNK]
        for customer in await session.scalars(
            select(Customer)
            .where(Customer.shop_id == shop_id, func.lower(Customer.email).in_(chunk))
            .order_by(Customer.id.desc())
        ):
            assert customer.email is not None
            found[customer.email.lower()] = customer
    return EmailLookup(customers=found, without_identity=frozenset(found) - set(by_identity))


async def describe_customer(session: AsyncSession, customer: Customer) -> CustomerDetail:
    """The profile with the identities the customer is known by."""
    identities = await list_identities(session, shop_id=customer.shop_id, customer_id=customer.id)
    return CustomerDetail(
        **CustomerOut.model_validate(customer).model_dump(),
        identities=[IdentityOut.model_validate(i) for i in identities],
    )
