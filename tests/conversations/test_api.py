"""The conversations API: list with filters and search, read, reply idempotently, status, tags."""

from __future__ import annotations

import httpx

from tests.factories import Factory, login


async def test_agent_lists_opens_and_replies(client: httpx.AsyncClient, factory: Factory) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    conversation = await factory.conversation(shop, messages=("我的耳机坏了", "能换货吗"))
    await login(client, agent)
    page = (await client.get("/api/v1/conversations")).json()
    assert [c["id"] for c in page["items"]] == [conversation.id]
    r = await client.post(
        f"/api/v1/conversations/{conversation.id}/messages",
        json={"body": "您好，可以换货", "idempotency_key": "k1"},
    )
    assert r.status_code == 201
    again = await client.post(
        f"/api/v1/conversations/{conversation.id}/messages",
        json={"body": "您好，可以换货", "idempotency_key": "k1"},
    )
    assert again.status_code == 200
    assert again.json()["id"] == r.json()["id"]
    messages = (await client.get(f"/api/v1/conversations/{conversation.id}/messages")).json()
    assert [m["body"] for m in messages] == ["我的耳机坏了", "能换货吗", "您好，可以换货"]
    detail = (await client.get(f"/api/v1/conversations/{conversation.id}")).json()
    assert detail["first_response_at"] is not None
    assert detail["message_count"] == 3


async def test_search_finds_chinese_text_in_messages(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    hit = await factory.conversation(shop, messages=("快递一直没有更新物流信息",))
    await factory.conversation(shop, messages=("发票怎么开",))
    await login(client, agent)
    page = (await client.get("/api/v1/conversations", params={"q": "物流"})).json()
    assert [c["id"] for c in page["items"]] == [hit.id]


async def test_status_machine_refuses_illegal_moves(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    conversation = await factory.conversation(shop)
    await login(client, agent)
    url = f"/api/v1/conversations/{conversation.id}/status"
    r = await client.post(url, json={"status": "closed"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "invalid_transition"
    for target in ("pending", "resolved", "closed", "open"):
        r = await client.post(url, json={"status": target})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == target
