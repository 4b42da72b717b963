"""The commerce read API: products, orders with items, shipments and returns, scoped by shop."""

from __future__ import annotations

from datetime import timedelta

import httpx

from kefu.shared.clock import utcnow
from tests.commerce.builders import Commerce
from tests.factories import Factory, login


async def test_order_detail_has_items_shipments_with_events_oldest_first_and_returns(
    client: httpx.AsyncClient, factory: Factory, commerce: Commerce
) -> None:
    shop = await factory.shop()
    customer = await factory.customer(shop)
    order = await commerce.order(
        shop, customer=customer, items=(("SKU-A", 1, 19900), ("SKU-B", 2, 5990))
    )
    now = utcnow()
    shipment = await commerce.shipment(
        order,
        events=(
            (now - timedelta(hours=1), "in_transit", "到达上海转运中心"),
            (now - timedelta(hours=20), "in_transit", "已揽收"),
        ),
    )
    ret = await commerce.return_request(order)
    await login(client, await factory.user(shop, role="department"))

    r = await client.get(f"/api/v1/orders/{order.id}")
    assert r.status_code == 200, r.text
    detail = r.json()
    assert detail["order_no"] == order.order_no
    assert detail["total_cents"] == 19900 + 2 * 5990
    assert [(i["sku"], i["quantity"]) for i in detail["items"]] == [("SKU-A", 1), ("SKU-B", 2)]
    [shipped] = detail["shipments"]
    assert shipped["id"] == shipment.id
    assert [e["description"] for e in shipped["events"]] == ["已揽收", "到达上海转运中心"]
    assert [x["id"] for x in detail["returns"]] == [ret.id]
    assert detail["returns"][0]["order_no"] == order.order_no

    alone = (await client.get(f"/api/v1/shipments/{shipment.id}")).json()
    assert alone["order_no"] == order.order_no
    assert alone["events"] == shipped["events"]


async def test_order_is_found_by_its_number_even_with_a_slash_in_it(
    client: httpx.AsyncClient, factory: Factory, commerce: Commerce
) -> None:
    shop = await factory.shop()
    plain = await commerce.order(shop, order_no="TB20240002")
    slashed = await commerce.order(shop, order_no="JD/2024/0001")
    await login(client, await factory.user(shop))
    r = await client.get("/api/v1/orders/by-number/TB20240002")
    assert (r.status_code, r.json()["id"]) == (200, plain.id)
    r = await client.get("/api/v1/orders/by-number/JD%2F2024%2F0001")
    assert (r.status_code, r.json()["id"]) == (200, slashed.id)
    r = await client.get("/api/v1/orders/by-number/NOPE")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "order_not_found")


async def test_orders_filter_by_customer_status_and_part_of_the_number(
    client: httpx.AsyncClient, factory: Factory, commerce: Commerce
) -> None:
    shop = await factory.shop()
    alice, bob = await factory.customer(shop), await factory.customer(shop)
    now = utcnow()
    old = await commerce.order(shop, customer=alice, order_no="A-100", placed_at=now - timedelta(2))
    new = await commerce.order(shop, customer=alice, order_no="A-200", status="shipped")
    other = await commerce.order(shop, customer=bob, order_no="B-100")
    await login(client, await factory.user(shop))

    async def ids(**params: str | int) -> list[int]:
        r = await client.get("/api/v1/orders", params=params)
        assert r.status_code == 200, r.text
        return [o["id"] for o in r.json()["items"]]

    assert await ids(customer_id=alice.id) == [new.id, old.id]
    assert await ids(status="shipped") == [new.id]
    assert await ids(q="-100") == [other.id, old.id]
    page = (await client.get("/api/v1/orders", params={"limit": 2})).json()
    assert (page["total"], page["next_offset"]) == (3, 2)
    r = await client.get("/api/v1/orders", params={"status": "lost"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input")


async def test_products_search_name_or_sku_and_filter_by_category(
    client: httpx.AsyncClient, factory: Factory, commerce: Commerce
) -> None:
    shop = await factory.shop()
    earbuds = await commerce.product(shop, sku="EAR-1", name="降噪耳机", category="耳机")
    cable = await commerce.product(shop, sku="CAB-1", name="数据线", category="配件")
    await login(client, await factory.user(shop))

    async def skus(**params: str) -> list[str]:
        return [
            p["sku"] for p in (await client.get("/api/v1/products", params=params)).json()["items"]
        ]

    assert await skus() == [cable.sku, earbuds.sku]
    assert await skus(q="耳机") == [earbuds.sku]
    assert await skus(q="cab") == [cable.sku]
    assert await skus(category="配件") == [cable.sku]
    assert await skus(q="100%") == []


async def test_returns_filter_by_status(
    client: httpx.AsyncClient, factory: Factory, commerce: Commerce
) -> None:
    shop = await factory.shop()
    order = await commerce.order(shop)
    asked = await commerce.return_request(order)
    refunded = await commerce.return_request(order, status="refunded", kind="exchange")
    await login(client, await factory.user(shop))
    page = (await client.get("/api/v1/returns")).json()
    assert {r["id"] for r in page["items"]} == {asked.id, refunded.id}
    page = (await client.get("/api/v1/returns", params={"status": "refunded"})).json()
    assert [(r["id"], r["kind"], r["order_no"]) for r in page["items"]] == [
        (refunded.id, "exchange", order.order_no)
    ]


async def test_another_shops_orders_shipments_and_order_numbers_are_not_found(
    client: httpx.AsyncClient, factory: Factory, commerce: Commerce
) -> None:
    victim, mine = await factory.shop("受害店铺"), await factory.shop()
    order = await commerce.order(victim, order_no="SECRET-1")
    shipment = await commerce.shipment(order)
    await commerce.product(victim)
    await commerce.return_request(order)
    await login(client, await factory.user(mine, role="owner"))
    for path, code in (
        (f"/api/v1/orders/{order.id}", "order_not_found"),
        ("/api/v1/orders/by-number/SECRET-1", "order_not_found"),
        (f"/api/v1/shipments/{shipment.id}", "shipment_not_found"),
    ):
        r = await client.get(path)
        assert (r.status_code, r.json()["error"]["code"]) == (404, code), path
    for path in ("/api/v1/orders", "/api/v1/products", "/api/v1/returns"):
        assert (await client.get(path)).json()["total"] == 0, path


async def test_anonymous_reads_are_refused(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/orders", "/api/v1/products", "/api/v1/returns", "/api/v1/shipments/1"):
        assert (await client.get(path)).status_code == 401, path
