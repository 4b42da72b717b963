"""API shapes of the commerce domain; money is integer cents (fen), times are UTC."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kefu.commerce.importers import ImportFormat, ImportKind
from kefu.commerce.states import OrderStatus, ReturnKind, ReturnStatus, ShipmentStatus


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    name: str
    category: str
    price_cents: int
    currency: str
    active: bool


class ProductPage(BaseModel):
    items: list[ProductOut]
    total: int
    next_offset: int | None


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_no: str
    customer_id: int | None
    status: OrderStatus
    currency: str
    total_cents: int
    placed_at: datetime
    paid_at: datetime | None
    shipping_name: str
    shipping_phone: str
    shipping_address: str


class OrderPage(BaseModel):
    items: list[OrderOut]
    total: int
    next_offset: int | None


class OrderItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int | None
    sku: str
    name: str
    quantity: int
    unit_price_cents: int


class TrackingEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    occurred_at: datetime
    status: ShipmentStatus
    location: str
    description: str


class ShipmentOut(BaseModel):
    id: int
    order_id: int
    order_no: str
    carrier: str
    tracking_no: str
    status: ShipmentStatus
    shipped_at: datetime | None
    delivered_at: datetime | None
    events: list[TrackingEventOut] = Field(description="oldest first")


class ReturnOut(BaseModel):
    id: int
    order_id: int
    order_no: str
    kind: ReturnKind
    reason: str
    status: ReturnStatus
    refund_cents: int
    requested_at: datetime
    resolved_at: datetime | None


class ReturnPage(BaseModel):
    items: list[ReturnOut]
    total: int
    next_offset: int | None


class OrderDetail(OrderOut):
    items: list[OrderItemOut]
    shipments: list[ShipmentOut]
    returns: list[ReturnOut]


class ImportResult(BaseModel):
    """What an import wrote. ``created + updated`` counts the file's records (orders, not item
    rows); ``customers_created`` counts profiles an orders file brought in."""

    kind: ImportKind
    format: ImportFormat
    rows: int
    created: int
    updated: int
    customers_created: int = 0
