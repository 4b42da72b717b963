"""HTTP routes of the commerce domain: products, orders, shipments, returns and imports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from kefu.accounts.permissions import Permission
from kefu.accounts.principal import Principal
from kefu.commerce import queries, service
from kefu.commerce.importers import ImportFormat, ImportKind
from kefu.commerce.schemas import (
    ImportResult,
    OrderDetail,
    OrderOut,
    OrderPage,
    ProductOut,
    ProductPage,
    ReturnPage,
    ShipmentOut,
)
from kefu.commerce.states import OrderStatus, ReturnStatus
from kefu.http.deps import CurrentPrincipal, SessionDep, requires
from kefu.http.params import IdPath, Offset, OptionalIdQuery
from kefu.shared.clock import utcnow
from kefu.shared.errors import InvalidInput
from kefu.shared.types import NO_NUL

router = APIRouter(prefix="/api/v1", tags=["commerce"])

Limit = Annotated[int, Query(ge=1, le=100)]

_CONTENT_TYPES = {"text/csv": ImportFormat.CSV, "application/json": ImportFormat.JSON}


def _next_offset(offset: int, limit: int, total: int) -> int | None:
    return offset + limit if offset + limit < total else None


@router.get("/products", response_model=ProductPage)
async def list_products(
    principal: CurrentPrincipal,
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=200, pattern=NO_NUL, description="part of name or SKU")
    ] = None,
    category: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    limit: Limit = 25,
    offset: Offset = 0,
) -> ProductPage:
    filters = queries.ProductFilter(query=q or None, category=category or None)
    items, total = await queries.list_products(
        session, actor=principal, filters=filters, limit=limit, offset=offset
    )
    return ProductPage(
        items=[ProductOut.model_validate(p) for p in items],
        total=total,
        next_offset=_next_offset(offset, limit, total),
    )


@router.get("/orders", response_model=OrderPage)
async def list_orders(
    principal: CurrentPrincipal,
    session: SessionDep,
    customer_id: OptionalIdQuery = None,
    status: OrderStatus | None = None,
    q: Annotated[
        str | None, Query(max_length=64, pattern=NO_NUL, description="part of the order number")
    ] = None,
    limit: Limit = 25,
    offset: Offset = 0,
) -> OrderPage:
    filters = queries.OrderFilter(customer_id=customer_id, status=status, query=q or None)
    items, total = await queries.list_orders(
        session, actor=principal, filters=filters, limit=limit, offset=offset
    )
    return OrderPage(
        items=[OrderOut.model_validate(o) for o in items],
        total=total,
        next_offset=_next_offset(offset, limit, total),
    )


@router.get("/orders/by-number/{order_no:path}", response_model=OrderDetail)
async def get_order_by_number(
    order_no: Annotated[str, Path(max_length=64, pattern=NO_NUL)],
    principal: CurrentPrincipal,
    session: SessionDep,
) -> OrderDetail:
    order = await queries.require_order_by_number(session, actor=principal, order_no=order_no)
    return await queries.describe_order(session, order)


@router.get("/orders/{order_id}", response_model=OrderDetail)
async def get_order(
    order_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> OrderDetail:
    order = await queries.require_order(session, actor=principal, order_id=order_id)
    return await queries.describe_order(session, order)


@router.get("/returns", response_model=ReturnPage)
async def list_returns(
    principal: CurrentPrincipal,
    session: SessionDep,
    status: ReturnStatus | None = None,
    limit: Limit = 25,
    offset: Offset = 0,
) -> ReturnPage:
    items, total = await queries.list_returns(
        session, actor=principal, status=status, limit=limit, offset=offset
    )
    return ReturnPage(items=items, total=total, next_offset=_next_offset(offset, limit, total))


@router.get("/shipments/{shipment_id}", response_model=ShipmentOut)
async def get_shipment(
    shipment_id: IdPath, principal: CurrentPrincipal, session: SessionDep
) -> ShipmentOut:
    return await queries.require_shipment(session, actor=principal, shipment_id=shipment_id)


def _format(chosen: ImportFormat | None, content_type: str) -> ImportFormat:
    if chosen is not None:
        return chosen
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in _CONTENT_TYPES:
        return _CONTENT_TYPES[media_type]
    raise InvalidInput(
        "say which format the file is in: ?format=csv or ?format=json "
        "(or send it as text/csv or application/json)",
        code="bad_file",
    )


@router.post(
    "/import/{kind}",
    response_model=ImportResult,
    responses={422: {"description": "bad_file, or import_invalid with every row's errors"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The file itself (see docs/importing.md).",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        }
    },
)
async def import_file(
    kind: ImportKind,
    request: Request,
    principal: Annotated[Principal, Depends(requires(Permission.COMMERCE_IMPORT))],
    session: SessionDep,
    format_: Annotated[ImportFormat | None, Query(alias="format")] = None,
) -> ImportResult:
    """Import a whole file, or on any error nothing; re-importing updates rows in place."""
    fmt = _format(format_, request.headers.get("content-type", ""))
    return await service.import_file(
        session, actor=principal, kind=kind, fmt=fmt, data=await request.body(), now=utcnow()
    )
