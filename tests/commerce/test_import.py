"""Importing files over the API: every kind in CSV and JSON, all or nothing, idempotent re-runs."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from kefu.accounts.models import Shop
from kefu.commerce.models import Order, OrderItem, Product, Shipment, TrackingEvent
from kefu.customers.models import Customer, CustomerIdentity
from kefu.shared.db import Database
from tests.commerce.builders import Commerce
from tests.factories import Factory, login

PRODUCTS_CSV = "\ufeffsku,name,price,category\nEAR-1,降噪耳机,199.00,耳机\nCAB-1,数据线,19.9,\n"

ORDER_COLUMNS = (
    "order_no,customer_email,customer_name,customer_phone,status,placed_at,paid_at,currency,"
    "sku,item_name,quantity,unit_price,shipping_name,shipping_phone,shipping_address\n"
)
ORDERS_CSV = ORDER_COLUMNS + (
    "NO1,Li@Example.com,李雷,13800000000,paid,2024-05-01T10:00:00+08:00,2024-05-01 02:05:00,CNY,"
    "EAR-1,,1,199.00,李雷,13800000000,北京市朝阳区\n"
    "NO1,Li@Example.com,李雷,13800000000,paid,2024-05-01T10:00:00+08:00,2024-05-01 02:05:00,CNY,"
    "CAB-1,数据线 1 米,2,19.90,李雷,13800000000,北京市朝阳区\n"
    "NO2,,,,pending_payment,2024-05-02T08:00:00Z,,CNY,GIFT,赠品,1,0,,,\n"
)

ORDERS_JSON: list[dict[str, Any]] = [
    {
        "order_no": "NO1",
        "customer_email": "li@example.com",
        "customer_name": "李雷",
        "status": "paid",
        "placed_at": "2024-05-01T10:00:00+08:00",
        "paid_at": "2024-05-01T02:05:00",
        "items": [
            {"sku": "EAR-1", "quantity": 1, "unit_price": 199},
            {"sku": "CAB-1", "name": "数据线 1 米", "quantity": 2, "unit_price": "19.90"},
        ],
    },
    {
        "order_no": "NO2",
        "status": "pending_payment",
        "placed_at": "2024-05-02T08:00:00Z",
        "items": [{"sku": "GIFT", "name": "赠品", "quantity": 1, "unit_price": 0}],
    },
]


async def send(
    client: httpx.AsyncClient, kind: str, body: str | bytes | list[Any], fmt: str = "csv"
) -> httpx.Response:
    if isinstance(body, list):
        body = json.dumps(body, ensure_ascii=False)
    content = body.encode() if isinstance(body, str) else body
    media_type = {"csv": "text/csv; charset=utf-8", "json": "application/json"}[fmt]
    return await client.post(
        f"/api/v1/import/{kind}", content=content, headers={"content-type": media_type}
    )


async def count(db: Database, model: type[Any], shop: Shop | None = None) -> int:
    query = select(func.count()).select_from(model)
    if shop is not None:
        query = query.where(model.shop_id == shop.id)
    async with db.session() as session:
        return await session.scalar(query) or 0


async def admin_of_new_shop(client: httpx.AsyncClient, factory: Factory) -> Shop:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="admin"))
    return shop


async def test_products_csv_with_bom_becomes_cents_and_reimport_updates_in_place(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await admin_of_new_shop(client, factory)
    r = await send(client, "products", PRODUCTS_CSV)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "kind": "products",
        "format": "csv",
        "rows": 2,
        "created": 2,
        "updated": 0,
        "customers_created": 0,
    }
    r = await send(client, "products", PRODUCTS_CSV.replace("199.00", "179.50"))
    assert (r.json()["created"], r.json()["updated"]) == (0, 2)
    assert await count(db, Product, shop) == 2
    products = (await client.get("/api/v1/products")).json()["items"]
    assert [(p["sku"], p["price_cents"], p["category"]) for p in products] == [
        ("CAB-1", 1990, ""),
        ("EAR-1", 17950, "耳机"),
    ]


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_orders_import_groups_items_and_creates_unknown_customers_by_email(
    fmt: str, client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await admin_of_new_shop(client, factory)
    assert (await send(client, "products", PRODUCTS_CSV)).status_code == 200
    r = await send(client, "orders", ORDERS_CSV if fmt == "csv" else ORDERS_JSON, fmt)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["customers_created"]) == (2, 1)

    order = (await client.get("/api/v1/orders/by-number/NO1")).json()
    assert order["total_cents"] == 19900 + 2 * 1990
    assert order["placed_at"] == "2024-05-01T02:00:00Z"  # +08:00 converted to UTC
    assert order["paid_at"] == "2024-05-01T02:05:00Z"  # no zone: taken as UTC
    assert [(i["sku"], i["name"], i["quantity"]) for i in order["items"]] == [
        ("EAR-1", "降噪耳机", 1),  # no item name: the product's
        ("CAB-1", "数据线 1 米", 2),
    ]
    assert all(i["product_id"] is not None for i in order["items"])
    guest = (await client.get("/api/v1/orders/by-number/NO2")).json()
    assert (guest["customer_id"], guest["items"][0]["product_id"]) == (None, None)

    customer = (await client.get(f"/api/v1/customers/{order['customer_id']}")).json()
    assert (customer["name"], customer["email"]) == ("李雷", "li@example.com")
    assert [(i["kind"], i["value"]) for i in customer["identities"]] == [
        ("email", "li@example.com")
    ]
    assert await count(db, Customer, shop) == 1


async def test_reimporting_orders_changes_nothing_and_duplicates_nothing(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await admin_of_new_shop(client, factory)
    first = await send(client, "orders", ORDERS_CSV)
    assert first.status_code == 200, first.text
    items_before = await count(db, OrderItem)
    again = await send(client, "orders", ORDERS_CSV)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["updated"]) == (0, 2)
    assert again.json()["customers_created"] == 0
    assert await count(db, Order, shop) == 2
    assert await count(db, Customer, shop) == 1
    assert await count(db, CustomerIdentity, shop) == 1
    assert await count(db, OrderItem) == items_before
    # A changed file updates the order in place: its items are replaced.
    one_item = ORDER_COLUMNS + ORDERS_CSV.splitlines(keepends=True)[1].replace(
        ",paid,", ",shipped,"
    )
    assert (await send(client, "orders", one_item)).status_code == 200
    order = (await client.get("/api/v1/orders/by-number/NO1")).json()
    assert (order["status"], len(order["items"]), order["total_cents"]) == ("shipped", 1, 19900)


async def test_a_file_with_bad_rows_writes_nothing_and_names_each_row(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await admin_of_new_shop(client, factory)
    bad_csv = ORDERS_CSV + (
        "NO3,not-an-email,,,teleported,yesterday,,CNY,X,,0,1.999,,,\n"
        "NO1,li@example.com,李雷,13800000000,shipped,2024-05-01T10:00:00+08:00,,CNY,"
        "Z,,1,1,,,\n"
    )
    r = await send(client, "orders", bad_csv)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "import_invalid"
    problems = {(e["row"], e["field"]) for e in error["details"]}
    assert {
        (5, "customer_email"),
        (5, "status"),
        (5, "placed_at"),
        (5, "quantity"),
        (5, "unit_price"),
        (6, "status"),  # differs from the order's first row (row 2)
    } <= problems
    assert all(e["row"] in (5, 6) for e in error["details"])
    assert await count(db, Order, shop) == 0
    assert await count(db, Customer, shop) == 0

    bad_json = [*ORDERS_JSON, {"order_no": "NO3", "status": "paid", "placed_at": "2024-05-01"}]
    bad_json[0] = {**bad_json[0], "items": [{"sku": "EAR-1", "quantity": -1, "unit_price": 1}]}
    r = await send(client, "orders", bad_json, "json")
    details = r.json()["error"]["details"]
    assert {(e["row"], e["field"]) for e in details} == {(1, "items[0].quantity"), (3, "items")}
    assert await count(db, Order, shop) == 0


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"sku,name\nA,x\n", "missing columns: price"),
        (b"sku,name,price,colour\nA,x,1,red\n", "unknown columns: colour"),
        ("sku,name,price\nA,耳机,1\n".encode("gb18030"), "not UTF-8"),
        (b"sku,name,price\nA,x,1\nB,y\n", "row 3 has 2 fields"),
        (b'sku,name,price\nA,x,1\nB,"y,1\n', "row 3 is not readable CSV"),
        (b"", "empty"),
    ],
    ids=["missing-column", "unknown-column", "gbk", "ragged", "open-quote", "empty"],
)
async def test_a_broken_csv_file_is_one_bad_file_error(
    body: bytes, fragment: str, client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await admin_of_new_shop(client, factory)
    r = await send(client, "products", body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "bad_file"
    assert fragment in error["message"]
    assert len(error["details"]) == 1
    assert await count(db, Product, shop) == 0


async def test_a_json_file_must_be_a_list_of_objects(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await admin_of_new_shop(client, factory)
    r = await send(client, "products", '{"sku": "A"}', "json")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "bad_file")
    r = await send(client, "products", "[{", "json")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "bad_file")
    r = await send(client, "products", '[1, {"sku": "A", "name": "耳机", "price": 1}]', "json")
    assert r.json()["error"]["details"] == [
        {"row": 1, "field": None, "message": "must be an object"}
    ]


async def test_format_comes_from_the_query_or_the_content_type(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await admin_of_new_shop(client, factory)
    r = await client.post(
        "/api/v1/import/products",
        params={"format": "csv"},
        content=PRODUCTS_CSV.encode(),
        headers={"content-type": "application/octet-stream"},
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        "/api/v1/import/products",
        content=PRODUCTS_CSV.encode(),
        headers={"content-type": "application/octet-stream"},
    )
    assert (r.status_code, r.json()["error"]["code"]) == (422, "bad_file")
    r = await client.post(
        "/api/v1/import/planets", content=b"x", headers={"content-type": "text/csv"}
    )
    assert r.status_code == 422


async def test_shipments_need_known_orders_and_json_events_replace_the_old_ones(
    client: httpx.AsyncClient, factory: Factory, db: Database, commerce: Commerce
) -> None:
    shop = await admin_of_new_shop(client, factory)
    order = await commerce.order(shop, order_no="NO1")
    other_shop_order = await commerce.order(await factory.shop(), order_no="THEIRS")
    csv_body = (
        "order_no,carrier,tracking_no,status,shipped_at,delivered_at\n"
        f"NO1,顺丰速运,SF100,in_transit,2024-05-02T09:00:00+08:00,\n"
        f"{other_shop_order.order_no},顺丰速运,SF200,in_transit,,\n"
    )
    r = await send(client, "shipments", csv_body)
    assert r.json()["error"]["details"] == [
        {"row": 3, "field": "order_no", "message": "no order 'THEIRS' in this shop"}
    ]
    r = await send(client, "shipments", csv_body.rsplit("\n", 2)[0] + "\n")
    assert r.json()["created"] == 1, r.text
    shipment = (await client.get(f"/api/v1/orders/{order.id}")).json()["shipments"][0]
    assert (shipment["tracking_no"], shipment["events"]) == ("SF100", [])

    events = [
        {"occurred_at": "2024-05-03T08:00:00Z", "status": "delivered", "description": "已签收"},
        {"occurred_at": "2024-05-02T01:00:00Z", "status": "in_transit", "location": "深圳"},
    ]
    shipped = {"order_no": "NO1", "carrier": "顺丰速运", "tracking_no": "SF100"}
    body = [{**shipped, "status": "delivered", "events": events}]
    for _ in range(2):
        r = await send(client, "shipments", body, "json")
        assert (r.json()["created"], r.json()["updated"]) == (0, 1), r.text
    shipment = (await client.get(f"/api/v1/shipments/{shipment['id']}")).json()
    assert shipment["status"] == "delivered"
    assert [e["status"] for e in shipment["events"]] == ["in_transit", "delivered"]
    assert await count(db, Shipment, shop) == 1
    # A CSV row has no events: the shipment keeps those it has.
    assert (await send(client, "shipments", csv_body.rsplit("\n", 2)[0] + "\n")).status_code == 200
    assert len((await client.get(f"/api/v1/shipments/{shipment['id']}")).json()["events"]) == 2


async def test_tracking_csv_adds_events_to_known_shipments_once(
    client: httpx.AsyncClient, factory: Factory, db: Database, commerce: Commerce
) -> None:
    shop = await admin_of_new_shop(client, factory)
    shipment = await commerce.shipment(await commerce.order(shop), tracking_no="YT9")
    body = (
        "tracking_no,occurred_at,status,location,description\n"
        "YT9,2024-05-02T09:00:00+08:00,in_transit,杭州,已发出\n"
        "YT9,2024-05-03T09:00:00+08:00,delivered,上海,已签收\n"
    )
    assert (await send(client, "tracking", body)).json()["created"] == 2
    again = await send(client, "tracking", body.replace("已签收", "本人签收"))
    assert (again.json()["created"], again.json()["updated"]) == (0, 2)
    events = (await client.get(f"/api/v1/shipments/{shipment.id}")).json()["events"]
    assert [e["description"] for e in events] == ["已发出", "本人签收"]
    r = await send(client, "tracking", body.replace("YT9,2024-05-03", "NOPE,2024-05-03"))
    assert [(e["row"], e["field"]) for e in r.json()["error"]["details"]] == [(3, "tracking_no")]
    async with db.session() as session:
        stored = await session.scalar(
            select(func.count())
            .select_from(TrackingEvent)
            .where(TrackingEvent.shipment_id == shipment.id)
        )
    assert stored == 2


async def test_returns_link_to_orders_and_reimport_updates_them(
    client: httpx.AsyncClient, factory: Factory, commerce: Commerce
) -> None:
    shop = await admin_of_new_shop(client, factory)
    order = await commerce.order(shop, order_no="NO7")
    body = (
        "order_no,kind,reason,status,refund_amount,requested_at\n"
        "NO7,return,耳机左耳无声,requested,199.00,2024-05-05T10:00:00+08:00\n"
        "NO7,exchange,颜色发错,approved,,2024-05-06T10:00:00+08:00\n"
    )
    assert (await send(client, "returns", body)).json()["created"] == 2
    again = await send(client, "returns", body.replace("requested,199.00", "refunded,199.00"))
    assert (again.json()["created"], again.json()["updated"]) == (0, 2)
    returns = (await client.get(f"/api/v1/orders/{order.id}")).json()["returns"]
    assert [(r["kind"], r["status"], r["refund_cents"]) for r in returns] == [
        ("return", "refunded", 19900),
        ("exchange", "approved", 0),
    ]


async def test_customers_import_upserts_by_email_and_keeps_what_the_file_leaves_out(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await admin_of_new_shop(client, factory)
    made = await client.post(
        "/api/v1/customers", json={"name": "王芳", "email": "wang@example.com", "note": "老客户"}
    )
    assert made.status_code == 201, made.text
    body = [
        {"email": "WANG@example.com", "vip_level": 3, "tags": ["VIP", "复购"]},
        {"email": "zhao@example.com", "name": "赵磊", "phone": "13900000000"},
    ]
    r = await send(client, "customers", body, "json")
    assert (r.json()["created"], r.json()["updated"]) == (1, 1), r.text
    wang = (await client.get(f"/api/v1/customers/{made.json()['id']}")).json()
    assert (wang["name"], wang["vip_level"], wang["tags"], wang["note"]) == (
        "王芳",
        3,
        ["VIP", "复购"],
        "老客户",
    )
    csv_body = "email,name,tags\nzhao@example.com,赵磊,新客|华东\n"
    assert (await send(client, "customers", csv_body)).json()["updated"] == 1
    page = (await client.get("/api/v1/customers", params={"tag": "华东"})).json()
    assert [c["email"] for c in page["items"]] == ["zhao@example.com"]
    assert await count(db, Customer, shop) == 2


async def test_an_agent_may_not_import(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    for role in ("agent", "supervisor"):
        await login(client, await factory.user(shop, role=role))
        r = await send(client, "products", PRODUCTS_CSV)
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
    assert await count(db, Product, shop) == 0
    client.headers.pop("X-CSRF-Token")
    client.cookies.clear()
    assert (await send(client, "products", PRODUCTS_CSV)).status_code == 401


async def test_an_import_is_audited_with_its_counts(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    owner = await factory.user(shop, role="owner")
    await login(client, owner)
    assert (await send(client, "products", PRODUCTS_CSV)).status_code == 200
    assert (await send(client, "products", b"broken")).status_code == 422
    [event] = (await client.get("/api/v1/audit")).json()
    assert (event["action"], event["actor_user_id"]) == ("import.products", owner.id)
    assert (event["detail"]["created"], event["detail"]["format"]) == (2, "csv")


async def test_imports_stay_in_the_importing_shop(
    client: httpx.AsyncClient, factory: Factory, db: Database, commerce: Commerce
) -> None:
    theirs = await factory.shop()
    their_product = await commerce.product(theirs, sku="EAR-1", name="别家的耳机")
    mine = await admin_of_new_shop(client, factory)
    r = await send(client, "products", PRODUCTS_CSV)
    assert r.json()["created"] == 2
    assert await count(db, Product, mine) == 2
    async with db.session() as session:
        untouched = await session.get(Product, their_product.id)
    assert untouched is not None and untouched.name == "别家的耳机"


async def test_nul_characters_are_refused_in_files_and_searches(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await admin_of_new_shop(client, factory)
    r = await send(client, "products", "sku,name,price\nA,x\x00y,1\n")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "bad_file")
    r = await send(client, "products", '[{"sku": "A", "name": "x\\u0000y", "price": 1}]', "json")
    assert r.json()["error"]["details"] == [
        {"row": 1, "field": None, "message": "name contains a NUL character"}
    ]
    for path in ("/api/v1/orders/by-number/a%00b", "/api/v1/products?q=%00"):
        r = await client.get(path)
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input"), path
