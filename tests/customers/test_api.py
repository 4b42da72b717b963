"""The customers API: list with filters, create, edit, identities and orders, scoped by shop."""

from __future__ import annotations

from datetime import timedelta

import httpx

from kefu.shared.clock import utcnow
from tests.commerce.builders import Commerce
from tests.factories import Factory, login


async def test_agent_creates_edits_and_reads_a_customer(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop))
    r = await client.post(
        "/api/v1/customers",
        json={"name": "王芳", "email": "Wang.Fang@Example.com", "phone": "13800000000"},
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["email"] == "wang.fang@example.com"
    assert [(i["kind"], i["value"]) for i in created["identities"]] == [
        ("email", "wang.fang@example.com")
    ]
    r = await client.patch(
        f"/api/v1/customers/{created['id']}",
        json={"vip_level": 3, "tags": ["VIP", " 复购 ", "VIP"], "note": "喜欢顺丰", "phone": None},
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert (edited["vip_level"], edited["tags"], edited["note"], edited["phone"]) == (
        3,
        ["VIP", "复购"],
        "喜欢顺丰",
        None,
    )
    assert edited["name"] == "王芳"
    assert edited["updated_at"] >= created["updated_at"]
    assert (await client.get(f"/api/v1/customers/{created['id']}")).json() == edited


async def test_edits_outside_the_rules_are_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    customer = await factory.customer(shop)
    await login(client, await factory.user(shop))
    url = f"/api/v1/customers/{customer.id}"
    for body in ({"vip_level": 6}, {"name": None}, {"email": "nope"}, {"tags": [""]}, {"x": 1}):
        r = await client.patch(url, json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input"), body
    r = await client.post("/api/v1/customers", json={"name": ""})
    assert r.status_code == 422


async def test_list_filters_by_text_vip_level_and_tag_and_pages(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop))
    made = {}
    for name, email, phone, vip, tags in (
        ("李雷", "lilei@example.com", "13800000001", 0, ["新客"]),
        ("韩梅梅", "meimei@example.com", "13900000002", 2, ["VIP", "华东"]),
        ("Jim Green", "jim@example.org", None, 2, ["VIP2"]),
    ):
        r = await client.post(
            "/api/v1/customers",
            json={"name": name, "email": email, "phone": phone, "vip_level": vip, "tags": tags},
        )
        made[name] = r.json()["id"]

    async def names(**params: str | int) -> list[str]:
        r = await client.get("/api/v1/customers", params=params)
        assert r.status_code == 200, r.text
        return [c["name"] for c in r.json()["items"]]

    assert await names() == ["Jim Green", "韩梅梅", "李雷"]
    assert await names(q="梅") == ["韩梅梅"]
    assert await names(q="EXAMPLE.ORG") == ["Jim Green"]
    assert await names(q="0000000") == ["韩梅梅", "李雷"]
    assert await names(vip_level=2) == ["Jim Green", "韩梅梅"]
    assert await names(tag="VIP") == ["韩梅梅"]  # a whole tag, not a prefix of VIP2
    assert await names(tag="华东") == ["韩梅梅"]
    page = (await client.get("/api/v1/customers", params={"limit": 2, "offset": 0})).json()
    assert (page["total"], page["next_offset"], len(page["items"])) == (3, 2, 2)
    page = (await client.get("/api/v1/customers", params={"limit": 2, "offset": 2})).json()
    assert (page["next_offset"], [c["id"] for c in page["items"]]) == (None, [made["李雷"]])


async def test_an_identity_belongs_to_one_customer_of_the_shop(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    first, second = await factory.customer(shop), await factory.customer(shop)
    await login(client, await factory.user(shop))
    url = f"/api/v1/customers/{first.id}/identities"
    r = await client.post(url, json={"kind": "im", "value": "wxid_abc"})
    assert r.status_code == 201, r.text
    again = await client.post(url, json={"kind": "im", "value": " wxid_abc "})
    assert (again.status_code, again.json()["id"]) == (200, r.json()["id"])
    taken = await client.post(
        f"/api/v1/customers/{second.id}/identities", json={"kind": "im", "value": "wxid_abc"}
    )
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "identity_taken")
    r = await client.post(url, json={"kind": "fax", "value": "1"})
    assert r.status_code == 422
    # The same value in another shop is another customer's business.
    other = await factory.shop()
    await login(client, await factory.user(other))
    elsewhere = await factory.customer(other)
    r = await client.post(
        f"/api/v1/customers/{elsewhere.id}/identities", json={"kind": "im", "value": "wxid_abc"}
    )
    assert r.status_code == 201


async def test_creating_a_customer_with_a_known_email_conflicts(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop))
    body = {"name": "王芳", "email": "wang@example.com"}
    assert (await client.post("/api/v1/customers", json=body)).status_code == 201
    r = await client.post("/api/v1/customers", json={**body, "email": "WANG@example.com"})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "identity_taken")


async def test_a_customers_orders_are_listed_newest_first(
    client: httpx.AsyncClient, factory: Factory, commerce: Commerce
) -> None:
    shop = await factory.shop()
    customer, someone_else = await factory.customer(shop), await factory.customer(shop)
    older = await commerce.order(shop, customer=customer, placed_at=utcnow() - timedelta(days=9))
    newer = await commerce.order(shop, customer=customer)
    await commerce.order(shop, customer=someone_else)
    await login(client, await factory.user(shop, role="department"))
    page = (await client.get(f"/api/v1/customers/{customer.id}/orders")).json()
    assert [o["id"] for o in page["items"]] == [newer.id, older.id]
    assert page["total"] == 2


async def test_another_shops_customer_is_not_found_anywhere(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    victim, mine = await factory.shop("受害店铺"), await factory.shop()
    customer = await factory.customer(victim)
    await login(client, await factory.user(mine, role="owner"))
    base = f"/api/v1/customers/{customer.id}"
    for method, path, body in (
        ("GET", base, None),
        ("PATCH", base, {"note": "x"}),
        ("POST", f"{base}/identities", {"kind": "web", "value": "v1"}),
        ("GET", f"{base}/orders", None),
    ):
        r = await client.request(method, path, json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found"), path
    assert (await client.get("/api/v1/customers")).json()["total"] == 0


async def test_department_staff_read_customers_but_do_not_edit_them(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    customer = await factory.customer(shop)
    await login(client, await factory.user(shop, role="department"))
    assert (await client.get(f"/api/v1/customers/{customer.id}")).status_code == 200
    base = f"/api/v1/customers/{customer.id}"
    for method, path, body in (
        ("POST", "/api/v1/customers", {"name": "新客户"}),
        ("PATCH", base, {"note": "x"}),
        ("POST", f"{base}/identities", {"kind": "web", "value": "v1"}),
    ):
        r = await client.request(method, path, json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden"), path


async def test_anonymous_requests_are_refused(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/customers")).status_code == 401
    assert (await client.post("/api/v1/customers", json={"name": "x"})).status_code == 401


async def test_nul_characters_are_refused_as_bad_input(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    customer = await factory.customer(shop)
    await login(client, await factory.user(shop))
    for method, path, kwargs in (
        ("GET", "/api/v1/customers", {"params": {"q": "a\x00b"}}),
        ("POST", "/api/v1/customers", {"json": {"name": "x\x00y"}}),
        ("PATCH", f"/api/v1/customers/{customer.id}", {"json": {"tags": ["a\x00"]}}),
        (
            "POST",
            f"/api/v1/customers/{customer.id}/identities",
            {"json": {"kind": "im", "value": "\x00"}},
        ),
    ):
        r = await client.request(method, path, **kwargs)
        assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input"), path
