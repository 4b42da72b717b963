"""Reading and validating import files, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kefu.commerce import importers
from kefu.commerce.import_rows import to_cents, to_utc
from kefu.commerce.importers import ImportFormat, RowError
from kefu.shared.errors import InvalidInput

CSV = ImportFormat.CSV
JSON = ImportFormat.JSON


@pytest.mark.parametrize(
    ("given", "cents"),
    [("199.00", 19900), ("59.9", 5990), (199, 19900), (19.9, 1990), ("0", 0), (" 1.5 ", 150)],
)
def test_amounts_in_yuan_become_integer_cents(given: object, cents: int) -> None:
    assert to_cents(given) == cents


@pytest.mark.parametrize("given", ["1.999", "-1", "abc", "", "NaN", True, None, "1e12"])
def test_amounts_that_are_not_whole_cents_or_not_amounts_are_refused(given: object) -> None:
    with pytest.raises(ValueError, match=r"amount|decimal|large"):
        to_cents(given)


def test_times_become_utc_and_a_time_without_zone_is_taken_as_utc() -> None:
    assert to_utc("2024-05-01T10:00:00+08:00") == datetime(2024, 5, 1, 2, tzinfo=UTC)
    assert to_utc("2024-05-01 10:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert to_utc("2024-05-01T10:00:00Z") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert to_utc("2024-05-01") == datetime(2024, 5, 1, tzinfo=UTC)
    for bad in ("yesterday", "01/05/2024", 1714550400):
        with pytest.raises(ValueError, match="ISO 8601"):
            to_utc(bad)


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    data = ('sku,name,price\nA,"两行\n的名字",1\n\nB,耳机,-1\n,缺 SKU,2\nC,耳机,1,\n').encode()
    with pytest.raises(InvalidInput) as raised:
        importers.parse_products(data, CSV)
    # A row with an extra field breaks the file; without it, rows 4 and 5 are reported.
    assert raised.value.code == "bad_file"
    assert raised.value.details == [
        {"row": 6, "field": None, "message": "row 6 has 4 fields but the header has 3"}
    ]
    parsed = importers.parse_products(data.rsplit(b"C,", 1)[0], CSV)
    assert [n for n, _ in parsed.records] == [2]
    assert [(e.row, e.field) for e in parsed.errors] == [(4, "price"), (5, "sku")]
    assert parsed.errors[1].message == "is required"


def test_json_rows_are_numbered_from_one_and_nested_fields_are_named() -> None:
    data = b'[{"order_no": "A", "status": "paid", "placed_at": "2024-05-01", "items": [{"sku": "X", "quantity": 0, "unit_price": 1}], "colour": "red"}]'  # noqa: E501
    parsed = importers.parse_orders(data, JSON)
    assert {(e.row, e.field, e.message) for e in parsed.errors} == {
        (1, "items[0].quantity", "Input should be greater than or equal to 1"),
        (1, "colour", "is not a known field"),
    }


def test_csv_order_rows_group_into_orders_that_must_agree() -> None:
    head = "order_no,status,placed_at,sku,quantity,unit_price\n"
    data = (
        head
        + "A,paid,2024-05-01T10:00:00Z,X,1,10\n"
        + "B,paid,2024-05-01T10:00:00Z,Y,1,5\n"
        + "A,paid,2024-05-01T10:00:00Z,Z,2,1.5\n"
    )
    parsed = importers.parse_orders(data.encode(), CSV)
    assert parsed.errors == []
    orders = {order.order_no: (row, order) for row, order in parsed.records}
    assert orders["A"][0] == 2
    assert [(i.sku, i.quantity) for i in orders["A"][1].items] == [("X", 1), ("Z", 2)]
    assert orders["A"][1].total_cents() == 1000 + 300
    clash = importers.parse_orders((data + "A,shipped,2024-05-01T10:00:00Z,Q,1,1\n").encode(), CSV)
    assert clash.errors == [
        RowError(row=5, field="status", message="differs from row 2 of order A")
    ]


def test_a_key_repeated_in_one_file_is_an_error_on_the_later_row() -> None:
    parsed = importers.parse_products(b"sku,name,price\nA,x,1\nB,y,1\nA,z,2\n", CSV)
    assert parsed.errors == [RowError(row=4, field="sku", message="repeats row 2")]
    assert [r.sku for _, r in parsed.records] == ["A", "B"]


def test_a_header_with_repeated_or_nameless_columns_is_a_bad_file() -> None:
    for header in (b"sku,name,price,sku\n", b"sku,name,price,\n"):
        with pytest.raises(InvalidInput) as raised:
            importers.parse_products(header + b"A,x,1,1\n", CSV)
        assert raised.value.code == "bad_file"
        assert raised.value.message.endswith(
            "the columns are: sku*, name*, price*, category, currency, active (* required)"
        )


def test_header_names_are_trimmed_and_case_insensitive() -> None:
    parsed = importers.parse_products(b" SKU , Name,PRICE\nA,x,1\n", CSV)
    assert parsed.errors == [] and parsed.records[0][1].price_cents == 100


def test_a_huge_error_list_is_cut_but_counted() -> None:
    errors = [RowError(row=n, field="sku", message="is required") for n in range(2, 1002)]
    refused = importers.refuse(errors)
    assert refused.code == "import_invalid"
    assert len(refused.details) == importers.MAX_REPORTED_ERRORS
    assert refused.message.startswith("1000 error(s)")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("orders.csv", CSV), ("ORDERS.JSON", JSON), ("orders.xlsx", None), ("orders", None)],
)
def test_format_is_guessed_from_the_extension(name: str, fmt: ImportFormat | None) -> None:
    assert importers.guess_format(name) is fmt


def test_json_numbers_are_accepted_where_text_is_expected() -> None:
    parsed = importers.parse_products(b'[{"sku": 1001, "name": "x", "price": 9}]', JSON)
    assert parsed.errors == [] and parsed.records[0][1].sku == "1001"
