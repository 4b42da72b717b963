"""HTTP routes of the customers domain: profiles, identities and a customer's orders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from kefu.commerce import queries as commerce
from kefu.commerce.schemas import OrderOut, OrderPage
from kefu.customers import service
from kefu.customers.schemas import (
    MAX_TAG_CHARS,
    MAX_VIP_LEVEL,
    CustomerCreate,
    CustomerDetail,
    CustomerOut,
    CustomerPage,
    CustomerUpdate,
    IdentityIn,
    IdentityOut,
)
from kefu.http.deps import CurrentPrincipal, SessionDep
from kefu.http.params import IdPath, Offset
from kefu.shared.clock import utcnow
from kefu.shared.types import NO_NUL

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])

Limit = Annotated[int, Query(ge=1, le=100)]


def _next_offset(offset: int, limit: int, total: int) -> int | None:
    return offset + limit if offset + limit < total else None


@router.get("", response_model=CustomerPage)
async def list_customers(
    principal: CurrentPrincipal,
    session: SessionDep,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=NO_NUL, description="part of name, e-mail or phone"),
    ] = None,
    vip_level: Annotated[int | None, Query(ge=0, le=MAX_VIP_LEVEL)] = None,
    tag: Annotated[str | None, Query(max_length=MAX_TAG_CHARS, pattern=NO_NUL)] = None,
    limit: Limit = 25,
    offset: Offset = 0,
) -> CustomerPage:
    filters = service.CustomerFilter(query=q or None, vip_level=vip_level, tag=tag or None)
    items, total = await service.list_customers(
        session, actor=principal, filters=filters, limit=limit, offset=offset
    )
    return CustomerPage(
        items=[CustomerOut.model_validate(c) for c in items],
        total=total,
        next_offset=_next_offset(offset, limit, total),
    )


@router.post("", response_model=CustomerDetail, status_code=status.HTTP_201_CREATED)
async def create_customer(
    body: CustomerCreate, principal: CurrentPrincipal, session: SessionDep
) -> CustomerDetail:
    customer = await service.create_customer(session, actor=principal, data=body, now=utcnow())
    return await service.describe_customer(session, customer)


@router.get("/{customer_id}", response_model=CustomerDetail)
async def get_customer(
    customer_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> CustomerDetail:
    customer = await service.require_customer(session, actor=principal, customer_id=customer_id)
    return await service.describe_customer(session, customer)


@router.patch("/{customer_id}", response_model=CustomerDetail)
async def update_customer(
    customer_id: IdPath, body: CustomerUpdate, principal: CurrentPrincipal, session: SessionDep
) -> CustomerDetail:
    customer = await service.update_customer(
        session, actor=principal, customer_id=customer_id, data=body, now=utcnow()
    )
    return await service.describe_customer(session, customer)


@router.post(
    "/{customer_id}/identities",
    response_model=IdentityOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "the customer already had this identity"},
        409: {"description": "another customer has it (code identity_taken)"},
    },
)
async def add_identity(
    customer_id: IdPath,
    body: IdentityIn,
    principal: CurrentPrincipal,
    session: SessionDep,
    response: Response,
) -> IdentityOut:
    identity, created = await service.add_identity(
        session, actor=principal, customer_id=customer_id, data=body, now=utcnow()
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return IdentityOut.model_validate(identity)


@router.get("/{customer_id}/orders", response_model=OrderPage)
async def list_customer_orders(
    customer_id: IdPath,
    principal: CurrentPrincipal,
    session: SessionDep,
    limit: Limit = 25,
    offset: Offset = 0,
) -> OrderPage:
    """The customer's orders, most recently placed first."""
    customer = await service.require_customer(session, actor=principal, customer_id=customer_id)
    orders, total = await commerce.list_orders(
        session,
        actor=principal,
        filters=commerce.OrderFilter(customer_id=customer.id),
        limit=limit,
        offset=offset,
    )
    return OrderPage(
        items=[OrderOut.model_validate(o) for o in orders],
        total=total,
        next_offset=_next_offset(offset, limit, total),
    )
