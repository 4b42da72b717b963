"""Leaving a message when nobody is online: stored before the 201, validated, scoped to the
shop, rate-limited; and the presence the chat page decides by."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kefu.accounts.models import Shop
from kefu.channels.leave import SUBJECT
from kefu.channels.visitor import VisitorTokens
from tests.factories import Factory, login


def _visitor(app: FastAPI, shop: Shop) -> str:
    tokens: VisitorTokens = app.state.visitor_tokens
    token, _claim = tokens.issue(shop.id)
    return token


def _form(**changes: Any) -> dict[str, Any]:
    form = {"name": "李雷", "email": "li.lei@example.com", "body": "耳机坏了，<b>请回电</b>"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


async def test_left_message_is_stored_and_agents_see_it(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    visitor = _visitor(app, shop)
    response = await client.post(
        f"/api/v1/webchat/{shop.slug}/leave-message",
        json=_form(phone="+86 138 0000 0000", client_id="form-1"),
        headers={"X-Kefu-Visitor": visitor},
    )
    assert response.status_code == 201, response.text
    left = response.json()
    assert left["visitor"] == visitor and not left["duplicate"]

    again = await client.post(
        f"/api/v1/webchat/{shop.slug}/leave-message",
        json=_form(phone="+86 138 0000 0000", client_id="form-1"),
        headers={"X-Kefu-Visitor": visitor},
    )
    assert again.status_code == 200 and again.json()["message_id"] == left["message_id"]

    await login(client, await factory.user(shop, role="agent"))
    inbox = (await client.get("/api/v1/conversations")).json()["items"]
    assert [c["id"] for c in inbox] == [left["conversation_id"]]
    assert inbox[0]["subject"] == SUBJECT and inbox[0]["status"] == "open"
    assert inbox[0]["customer"]["name"] == "李雷"
    messages = (
        await client.get(f"/api/v1/conversations/{left['conversation_id']}/messages")
    ).json()
    assert [m["body"] for m in messages] == ["耳机坏了，<b>请回电</b>"]
    customer = (await client.get(f"/api/v1/customers/{inbox[0]['customer']['id']}")).json()
    assert customer["email"] == "li.lei@example.com"
    assert customer["phone"] == "+86 138 0000 0000"
    assert {(i["kind"], i["value"]) for i in customer["identities"]} >= {
        ("email", "li.lei@example.com"),
        ("phone", "+86 138 0000 0000"),
    }


async def test_without_a_visitor_token_a_new_visitor_is_made(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    response = await client.post(
        f"/api/v1/webchat/{shop.slug}/leave-message", json=_form(email=None, phone="13800000000")
    )
    assert response.status_code == 201, response.text
    tokens: VisitorTokens = app.state.visitor_tokens
    assert tokens.read(response.json()["visitor"], shop_id=shop.id) is not None


async def test_an_email_another_customer_holds_is_not_taken_over(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    owner = await factory.customer(shop, name="原顾客")
    assert owner.email is not None
    await login(client, await factory.user(shop, role="agent"))
    await client.post(
        f"/api/v1/customers/{owner.id}/identities", json={"kind": "email", "value": owner.email}
    )
    client.headers.pop("X-CSRF-Token")
    response = await client.post(
        f"/api/v1/webchat/{shop.slug}/leave-message",
        json=_form(email=owner.email),
        headers={"X-Kefu-Visitor": _visitor(app, shop)},
    )
    assert response.status_code == 201
    conversation = await client.get(f"/api/v1/conversations/{response.json()['conversation_id']}")
    assert conversation.json()["customer"]["id"] != owner.id
    mine = (await client.get(f"/api/v1/customers/{owner.id}")).json()
    assert [i["kind"] for i in mine["identities"]] == ["email"]


async def test_bad_forms_are_refused_with_reasons(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    url = f"/api/v1/webchat/{shop.slug}/leave-message"
    headers = {"X-Kefu-Visitor": _visitor(app, shop)}
    cases = [
        (_form(email=None), ["body"]),  # neither e-mail nor phone
        (_form(email="not-an-email"), ["body", "email"]),
        (_form(phone="call me"), ["body", "phone"]),
        (_form(body="   "), ["body", "body"]),
        (_form(name=""), ["body", "name"]),
        (_form(body="长" * 10_001), ["body", "body"]),
        (_form(extra="x"), ["body", "extra"]),
        (_form(name="a\x00b"), ["body", "name"]),
    ]
    for form, loc in cases:
        response = await client.post(url, json=form, headers=headers)
        assert response.status_code == 422, (form, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid_input"
        assert error["details"][0]["loc"] == loc, (form, error)
    forged = await client.post(url, json=_form(), headers={"X-Kefu-Visitor": "<script>"})
    assert forged.status_code == 422
    missing = await client.post("/api/v1/webchat/no-such-shop/leave-message", json=_form())
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "shop_not_found"


async def test_a_visitor_token_of_another_shop_does_not_reach_its_customer(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    mine, other = await factory.shop(), await factory.shop()
    token_of_other = _visitor(app, other)
    response = await client.post(
        f"/api/v1/webchat/{mine.slug}/leave-message",
        json=_form(),
        headers={"X-Kefu-Visitor": token_of_other},
    )
    assert response.status_code == 201
    assert response.json()["visitor"] != token_of_other  # a new visitor of this shop
    await login(client, await factory.user(other, role="owner"))
    assert (await client.get("/api/v1/conversations")).json()["items"] == []


async def test_leaving_messages_is_rate_limited(
    app: FastAPI, client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    headers = {"X-Kefu-Visitor": _visitor(app, shop)}
    url = f"/api/v1/webchat/{shop.slug}/leave-message"
    codes = [
        (await client.post(url, json=_form(body=f"第{i}条"), headers=headers)).status_code
        for i in range(6)
    ]
    assert codes == [201, 201, 201, 201, 201, 429]
    limited = await client.post(url, json=_form(), headers=headers)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0


def test_welcome_says_whether_an_agent_is_online(app: FastAPI, factory: Factory) -> None:
    with TestClient(app) as client:
        shop = client.portal.call(factory.shop)
        agent = client.portal.call(lambda: factory.user(shop, role="agent"))
        with client.websocket_connect(f"/ws/chat/{shop.slug}") as visitor:
            assert visitor.receive_json()["agents_online"] is False
        login = client.post(
            "/api/v1/auth/login", json={"email": agent.email, "password": "correct-horse-battery"}
        )
        assert login.status_code == 200
        with client.websocket_connect("/ws/agent") as desk:
            assert desk.receive_json()["type"] == "welcome"
            with client.websocket_connect(f"/ws/chat/{shop.slug}") as visitor:
                assert visitor.receive_json()["agents_online"] is True
            other = client.portal.call(factory.shop)
            with client.websocket_connect(f"/ws/chat/{other.slug}") as visitor:
                assert visitor.receive_json()["agents_online"] is False
        with client.websocket_connect(f"/ws/chat/{shop.slug}") as visitor:
            assert visitor.receive_json()["agents_online"] is False
