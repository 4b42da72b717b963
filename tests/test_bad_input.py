"""Bad input gets a clear 4xx with a machine-readable code and changes nothing."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from kefu.conversations.models import Message
from kefu.shared.db import Database
from tests.factories import Factory, login


async def _message_count(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Message)) or 0


async def test_malformed_json_is_400_and_stores_nothing(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    await login(client, await factory.user(shop))
    before = await _message_count(db)
    r = await client.post(
        f"/api/v1/conversations/{conversation.id}/messages",
        content=b'{"body": "hi"',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "malformed_json"
    assert await _message_count(db) == before


async def test_wrong_types_and_unknown_fields_are_422_with_locations(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    await login(client, await factory.user(shop))
    url = f"/api/v1/conversations/{conversation.id}/messages"
    r = await client.post(url, json={"body": 12, "internal": "maybe", "colour": "red"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_input"
    assert {tuple(d["loc"]) for d in error["details"]} == {
        ("body", "body"),
        ("body", "internal"),
        ("body", "colour"),
    }


async def test_oversized_and_blank_messages_are_refused(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    await login(client, await factory.user(shop))
    before = await _message_count(db)
    url = f"/api/v1/conversations/{conversation.id}/messages"
    assert (await client.post(url, json={"body": "长" * 10_001})).status_code == 422
    assert (await client.post(url, json={"body": "   \n "})).status_code == 422
    assert await _message_count(db) == before


async def test_request_body_over_the_limit_is_413(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    await login(client, await factory.user(shop))
    r = await client.post(
        f"/api/v1/conversations/{conversation.id}/messages",
        content=b"x" * (3 * 1024 * 1024),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


async def test_unknown_ids_and_bad_filters_are_reported(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop))
    r = await client.get("/api/v1/conversations/999999999")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "conversation_not_found")
    r = await client.get("/api/v1/conversations", params={"status": "bogus"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input")
    r = await client.get("/api/v1/conversations", params={"limit": 1000})
    assert r.status_code == 422
    r = await client.get("/api/v1/nowhere")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")


async def test_reused_idempotency_key_in_another_conversation_conflicts(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    first, second = await factory.conversation(shop), await factory.conversation(shop)
    await login(client, await factory.user(shop))
    ok = await client.post(
        f"/api/v1/conversations/{first.id}/messages",
        json={"body": "好的", "idempotency_key": "same"},
    )
    assert ok.status_code == 201
    before = await _message_count(db)
    r = await client.post(
        f"/api/v1/conversations/{second.id}/messages",
        json={"body": "好的", "idempotency_key": "same"},
    )
    assert (r.status_code, r.json()["error"]["code"]) == (409, "idempotency_key_reused")
    assert await _message_count(db) == before


async def test_assignee_filter_beyond_32_bits_is_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop))
    r = await client.get("/api/v1/conversations", params={"assignee": "3000000000"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input")
    assert (await client.get("/api/v1/conversations", params={"assignee": "me"})).status_code == 200
