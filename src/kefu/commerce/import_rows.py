"""One validated row of each import file kind; money in the file is yuan, here it is cents.

Pure: pydantic and the standard library only. Field names (or aliases) are the file's column
names; ``None`` in an optional field means the file left it out.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from kefu.commerce.states import OrderStatus, ReturnKind, ReturnStatus, ShipmentStatus
from kefu.customers.schemas import MAX_VIP_LEVEL, clean_tags, refuse_nul
from kefu.shared.clock import as_utc

MAX_CENTS = 2**31 - 1  # the money columns are 32-bit integers
MAX_UNIT_CENTS = 1_000_000_000  # 10 million yuan for one unit is surely a typo
MAX_QUANTITY = 100_000
TAG_SEPARATOR = "|"


def to_cents(value: object) -> int:
    """``199``, ``199.9`` or ``"199.00"`` yuan to cents; refuse fractions of a cent."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError("must be an amount such as 199.00")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("must be an amount such as 199.00") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError("must be an amount of zero or more, such as 199.00")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError("has more than two decimal places")
    if cents > MAX_UNIT_CENTS:
        raise ValueError("is too large")
    return int(cents)


def to_utc(value: object) -> datetime:
    """ISO 8601 date-time (or date) to aware UTC; a time without a zone is taken as UTC."""
    if isinstance(value, datetime):
        return as_utc(value)
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time such as 2024-05-01T14:30:00+08:00")
    try:
        return as_utc(datetime.fromisoformat(value.strip()))
    except ValueError:
        raise ValueError(
            "must be an ISO 8601 date-time such as 2024-05-01T14:30:00+08:00"
        ) from None


def _tag_list(value: object) -> object:
    if isinstance(value, str):
        return [t for t in value.split(TAG_SEPARATOR) if t.strip()]
    return value


Cents = Annotated[int, BeforeValidator(to_cents)]
When = Annotated[datetime, BeforeValidator(to_utc)]
Text = Annotated[str, Field(max_length=500)]


class _Row(BaseModel):
    # Numbers are fine where text is expected: JSON exports often write order numbers as 1001.
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, coerce_numbers_to_str=True
    )

    @model_validator(mode="before")
    @classmethod
    def _blank_is_left_out(cls, data: object) -> object:
        """An empty cell, blank string or null counts as not given, in CSV and JSON alike."""
        if not isinstance(data, dict):
            return data
        for key, value in data.items():
            try:
                refuse_nul(value)
            except ValueError:
                raise ValueError(f"{key} contains a NUL character") from None
        return {
            k: v
            for k, v in data.items()
            if v is not None and not (isinstance(v, str) and not v.strip())
        }


class ProductRow(_Row):
    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    price_cents: Cents = Field(validation_alias="price")
    category: str | None = Field(default=None, max_length=100)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    active: bool | None = None


class CustomerRow(_Row):
    email: EmailStr
    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    vip_level: int | None = Field(default=None, ge=0, le=MAX_VIP_LEVEL)
    tags: Annotated[list[str] | None, BeforeValidator(_tag_list)] = None
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("tags")
    @classmethod
    def _clean(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else clean_tags(values)


class _OrderFields(_Row):
    """The order-level columns, repeated on every item row of a CSV orders file."""

    order_no: str = Field(min_length=1, max_length=64)
    customer_email: EmailStr | None = None
    customer_name: str | None = Field(default=None, max_length=100)
    customer_phone: str | None = Field(default=None, max_length=32)
    status: OrderStatus
    placed_at: When
    paid_at: When | None = None
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    shipping_name: str = Field(default="", max_length=100)
    shipping_phone: str = Field(default="", max_length=32)
    shipping_address: str = Field(default="", max_length=1000)

    @field_validator("customer_email")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.lower() if value else None


class ItemRow(_Row):
    """One order item in JSON (``name``); a CSV row calls it ``item_name``."""

    sku: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=200)
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    unit_price_cents: Cents = Field(validation_alias="unit_price")


class OrderLineRow(_OrderFields):
    """One row of a CSV orders file: the order's columns plus one item."""

    sku: str = Field(min_length=1, max_length=64)
    item_name: str | None = Field(default=None, max_length=200)
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    unit_price_cents: Cents = Field(validation_alias="unit_price")

    def order_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _OrderFields.model_fields}

    def item(self) -> ItemRow:
        return ItemRow.model_construct(
            sku=self.sku,
            name=self.item_name,
            quantity=self.quantity,
            unit_price_cents=self.unit_price_cents,
        )


class OrderRow(_OrderFields):
    items: list[ItemRow] = Field(min_length=1, max_length=1000)

    def total_cents(self) -> int:
        return sum(i.quantity * i.unit_price_cents for i in self.items)


class EventRow(_Row):
    occurred_at: When
    status: ShipmentStatus
    location: str = Field(default="", max_length=100)
    description: Text = ""


class ShipmentRow(_Row):
    order_no: str = Field(min_length=1, max_length=64)
    carrier: str = Field(min_length=1, max_length=50)
    tracking_no: str = Field(min_length=1, max_length=64)
    status: ShipmentStatus
    shipped_at: When | None = None
    delivered_at: When | None = None
    # JSON only; left out, the shipment keeps the events it has, given, they replace them.
    events: list[EventRow] | None = Field(default=None, max_length=1000)


class TrackingRow(_Row):
    tracking_no: str = Field(min_length=1, max_length=64)
    occurred_at: When
    status: ShipmentStatus
    location: str = Field(default="", max_length=100)
    description: Text = ""


class ReturnRow(_Row):
    order_no: str = Field(min_length=1, max_length=64)
    kind: ReturnKind
    reason: Text = ""
    status: ReturnStatus
    refund_cents: Cents = Field(default=0, validation_alias="refund_amount")
    requested_at: When
    resolved_at: When | None = None
