"""Reading import files: CSV or JSON bytes to validated rows, with every row's errors numbered.

Pure: no I/O beyond the bytes given. A file that cannot be read at all (not UTF-8, wrong header,
ragged rows, not a JSON list) raises ``InvalidInput`` with code ``bad_file``; bad rows are
returned as ``RowError``s so the caller can add its own (unknown references) before refusing.
Row numbers are what the user sees: in CSV the header is row 1, so the first data row is 2; in
JSON the first object is row 1.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from kefu.commerce.import_rows import (
    MAX_CENTS,
    CustomerRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    ReturnRow,
    ShipmentRow,
    TrackingRow,
)
from kefu.shared.errors import InvalidInput

MAX_REPORTED_ERRORS = 500

Row = TypeVar("Row", bound=BaseModel)


class ImportKind(StrEnum):
    PRODUCTS = "products"
    CUSTOMERS = "customers"
    ORDERS = "orders"
    SHIPMENTS = "shipments"
    TRACKING = "tracking"
    RETURNS = "returns"


class ImportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def guess_format(filename: str) -> ImportFormat | None:
    """The format a file name's extension says, if any."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    return ImportFormat(suffix) if suffix in tuple(ImportFormat) else None


@dataclass(frozen=True, slots=True)
class RowError:
    row: int | None
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass(slots=True)
class Parsed(Generic[Row]):
    """The valid rows, each with its row number, and the errors of the invalid ones."""

    rows: int
    records: list[tuple[int, Row]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def bad_file(message: str, *, row: int | None = None) -> InvalidInput:
    return InvalidInput(
        message,
        code="bad_file",
        details=[RowError(row=row, field=None, message=message).as_dict()],
    )


def refuse(errors: list[RowError]) -> InvalidInput:
    """The error for a file with bad rows: all of them, by row, up to ``MAX_REPORTED_ERRORS``."""
    ordered = sorted(errors, key=lambda e: (e.row or 0, e.field or ""))
    shown = ordered[:MAX_REPORTED_ERRORS]
    more = f" (the first {len(shown)} are listed)" if len(ordered) > len(shown) else ""
    return InvalidInput(
        f"{len(ordered)} error(s) in the file, nothing was imported{more}",
        code="import_invalid",
        details=[e.as_dict() for e in shown],
    )


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise bad_file(
            f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8, e.g. 'CSV UTF-8'"
        ) from None
    if "\x00" in text:
        raise bad_file("the file has NUL characters (is it UTF-16?); save it as UTF-8")
    return text


def columns_of(model: type[BaseModel]) -> dict[str, bool]:
    """The CSV columns of a row model (its aliases where it has them), in order, each with
    whether it is required."""
    columns = {}
    for name, info in model.model_fields.items():
        if name == "events":
            continue  # nested: JSON only
        column = info.validation_alias if isinstance(info.validation_alias, str) else name
        columns[column] = info.is_required()
    return columns


def read_csv(data: bytes, model: type[BaseModel]) -> list[tuple[int, dict[str, Any]]]:
    """Rows as ``(row number, {column: text})``; blank rows are skipped."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, dict[str, Any]]] = []
    number = 0  # the last row read; rows and lines differ when a cell spans lines
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        number = 1
        if not any(header):
            raise bad_file("the file is empty; the first row must name the columns", row=1)
        _check_header(header, model)
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise bad_file(
                    f"row {number} has {len(cells)} fields but the header has {len(header)}",
                    row=number,
                )
            rows.append((number, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        raise bad_file(f"row {number + 1} is not readable CSV: {exc}", row=number + 1) from None
    return rows


def _check_header(header: list[str], model: type[BaseModel]) -> None:
    columns = columns_of(model)
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    missing = [c for c, required in columns.items() if required and c not in header]
    unknown = sorted(set(header) - set(columns))
    problems = []
    if "" in header:
        problems.append("a column has no name")
        unknown.remove("")
    if duplicated:
        problems.append(f"repeated columns: {', '.join(duplicated)}")
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown)}")
    if problems:
        expected = ", ".join(c + ("*" if required else "") for c, required in columns.items())
        raise bad_file(
            f"wrong header ({'; '.join(problems)}); the columns are: {expected} (* required)",
            row=1,
        )


def read_json(data: bytes) -> list[tuple[int, Any]]:
    """Objects of a JSON list as ``(row number, object)``."""
    try:
        value = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise bad_file(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    if not isinstance(value, list):
        raise bad_file("the JSON file must be a list of objects: [{...}, {...}]")
    return list(enumerate(value, start=1))


def _field_name(loc: Iterable[int | str]) -> str | None:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name or None


def _message(error: Any) -> str:
    kind, message = error["type"], str(error["msg"])
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    return message.removeprefix("Value error, ")


def row_errors(row: int, exc: ValidationError) -> list[RowError]:
    return [
        RowError(row=row, field=_field_name(e["loc"]), message=_message(e))
        for e in exc.errors(include_url=False)
    ]


def validate(rows: list[tuple[int, Any]], model: type[Row]) -> Parsed[Row]:
    parsed: Parsed[Row] = Parsed(rows=len(rows))
    for number, raw in rows:
        if not isinstance(raw, dict):
            parsed.errors.append(RowError(row=number, field=None, message="must be an object"))
            continue
        try:
            parsed.records.append((number, model.model_validate(raw)))
        except ValidationError as exc:
            parsed.errors.extend(row_errors(number, exc))
    return parsed


def drop_duplicates(
    parsed: Parsed[Row], key: Callable[[Row], Hashable], field_name: str
) -> Parsed[Row]:
    """Refuse a second row with the same key: the file would contradict itself."""
    first: dict[Hashable, int] = {}
    kept = []
    for number, record in parsed.records:
        k = key(record)
        if k in first:
            parsed.errors.append(
                RowError(row=number, field=field_name, message=f"repeats row {first[k]}")
            )
        else:
            first[k] = number
            kept.append((number, record))
    parsed.records = kept
    return parsed


def _read(data: bytes, fmt: ImportFormat, csv_model: type[Row]) -> list[tuple[int, Any]]:
    return read_csv(data, csv_model) if fmt is ImportFormat.CSV else read_json(data)


def parse_products(data: bytes, fmt: ImportFormat) -> Parsed[ProductRow]:
    parsed = validate(_read(data, fmt, ProductRow), ProductRow)
    return drop_duplicates(parsed, lambda r: r.sku, "sku")


def parse_customers(data: bytes, fmt: ImportFormat) -> Parsed[CustomerRow]:
    parsed = validate(_read(data, fmt, CustomerRow), CustomerRow)
    return drop_duplicates(parsed, lambda r: r.email, "email")


def parse_shipments(data: bytes, fmt: ImportFormat) -> Parsed[ShipmentRow]:
    parsed = validate(_read(data, fmt, ShipmentRow), ShipmentRow)
    return drop_duplicates(parsed, lambda r: r.tracking_no, "tracking_no")


def parse_tracking(data: bytes, fmt: ImportFormat) -> Parsed[TrackingRow]:
    parsed = validate(_read(data, fmt, TrackingRow), TrackingRow)
    return drop_duplicates(parsed, lambda r: (r.tracking_no, r.occurred_at, r.status), "status")


def parse_returns(data: bytes, fmt: ImportFormat) -> Parsed[ReturnRow]:
    parsed = validate(_read(data, fmt, ReturnRow), ReturnRow)
    return drop_duplicates(parsed, lambda r: (r.order_no, r.kind, r.requested_at), "requested_at")


def parse_orders(data: bytes, fmt: ImportFormat) -> Parsed[OrderRow]:
    """Orders with their items; a CSV file has one row per item, grouped by ``order_no``."""
    if fmt is ImportFormat.JSON:
        parsed = drop_duplicates(
            validate(read_json(data), OrderRow), lambda r: r.order_no, "order_no"
        )
    else:
        parsed = group_order_lines(validate(read_csv(data, OrderLineRow), OrderLineRow))
    for number, order in parsed.records:
        if order.total_cents() > MAX_CENTS:
            parsed.errors.append(
                RowError(
                    row=number, field=None, message=f"order {order.order_no} total is too large"
                )
            )
    return parsed


def group_order_lines(lines: Parsed[OrderLineRow]) -> Parsed[OrderRow]:
    """One order per ``order_no``, numbered by its first row; its later rows must repeat the
    order's columns exactly, or they are errors."""
    groups: dict[str, tuple[int, OrderLineRow, list[OrderLineRow]]] = {}
    errors = list(lines.errors)
    for number, line in lines.records:
        if line.order_no not in groups:
            groups[line.order_no] = (number, line, [line])
            continue
        first_number, first, group = groups[line.order_no]
        expected, got = first.order_fields(), line.order_fields()
        differing = [name for name in expected if expected[name] != got[name]]
        for name in differing:
            errors.append(
                RowError(
                    row=number,
                    field=name,
                    message=f"differs from row {first_number} of order {line.order_no}",
                )
            )
        if not differing:
            group.append(line)
    records = [
        (number, OrderRow.model_construct(**first.order_fields(), items=[g.item() for g in group]))
        for number, first, group in groups.values()
    ]
    return Parsed(rows=lines.rows, records=records, errors=errors)
