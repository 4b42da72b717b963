"""Canned replies: supervisors keep them, every agent searches and uses them, placeholders fill
in safely, and one shop never sees another's."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from kefu.accounts.models import AuditEvent
from kefu.accounts.service import principal_for_user
from kefu.commerce.models import Order
from kefu.knowledge.placeholders import PlaceholderValues, fill_placeholders, placeholders_in
from kefu.knowledge.schemas import normalize_shortcut
from kefu.knowledge.service import placeholder_values
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory, login

BASE = "/api/v1/canned-replies"


# ---- placeholders (pure) ----------------------------------------------------------------


def test_known_placeholders_are_filled() -> None:
    values = PlaceholderValues(customer_name="张伟", agent_name="李娜", order_no="NO123")
    body = "您好 {customer_name}，我是{agent_name}，订单 {order_no} 已发货。"
    assert fill_placeholders(body, values) == "您好 张伟，我是李娜，订单 NO123 已发货。"


def test_unknown_values_fall_back_to_polite_defaults_per_language() -> None:
    body = "您好 {customer_name}，订单 {order_no}"
    assert fill_placeholders(body, PlaceholderValues()) == "您好 亲，订单 您的订单"
    blank = PlaceholderValues(customer_name="  ", order_no="")
    assert fill_placeholders("Hi {customer_name}, {order_no}", blank, "en") == (
        "Hi there, your order"
    )


def test_other_braces_and_format_tricks_stay_text() -> None:
    values = PlaceholderValues(customer_name="王芳")
    body = "{customer_name.__class__} {0} {尺码表} {{customer_name}} {customer_name}"
    assert fill_placeholders(body, values) == ("{customer_name.__class__} {0} {尺码表} {王芳} 王芳")
    assert placeholders_in("{order_no} {customer_name} {order_no} {x}") == [
        "order_no",
        "customer_name",
    ]


def test_values_are_inserted_as_given_not_expanded_again() -> None:
    values = PlaceholderValues(customer_name="{agent_name}", agent_name="李娜")
    assert fill_placeholders("{customer_name}/{agent_name}", values) == "{agent_name}/李娜"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("退货", "/退货"), ("/Refund", "/refund"), (" /size-chart_2 ", "/size-chart_2")],
)
def test_shortcuts_are_normalized(raw: str, stored: str) -> None:
    assert normalize_shortcut(raw) == stored


@pytest.mark.parametrize("raw", ["/", "/退 货", "/a/b", "/<b>", "/" + "x" * 40, "/退货!"])
def test_bad_shortcuts_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="shortcut"):
        normalize_shortcut(raw)


# ---- API --------------------------------------------------------------------------------


async def test_supervisor_creates_edits_and_deletes_with_audit(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    supervisor = await factory.user(shop, role="supervisor")
    await login(client, supervisor)
    created = await client.post(
        BASE,
        json={
            "shortcut": "退货",
            "title": "退货流程",
            "body": "您好 {customer_name}，请申请售后。",
        },
    )
    assert created.status_code == 201, created.text
    reply = created.json()
    assert reply["shortcut"] == "/退货"
    assert reply["language"] == "zh"
    assert reply["created_by_id"] == supervisor.id

    taken = await client.post(BASE, json={"shortcut": "/退货", "title": "重复", "body": "x"})
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "shortcut_taken"

    edited = await client.patch(
        f"{BASE}/{reply['id']}", json={"title": "退货说明", "language": "zh"}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"] == "退货说明"
    assert (await client.patch(f"{BASE}/{reply['id']}", json={"title": None})).status_code == 422

    deleted = await client.delete(f"{BASE}/{reply['id']}")
    assert deleted.status_code == 204
    assert (await client.get(BASE)).json() == []
    async with db.session() as session:
        actions = (
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.shop_id == shop.id)
                .order_by(AuditEvent.id)
            )
        ).all()
    assert list(actions) == ["canned_reply.create", "canned_reply.update", "canned_reply.delete"]


async def test_agents_read_and_search_but_cannot_write(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="supervisor"))
    for shortcut, title in (
        ("/退货", "退货流程"),
        ("/换货退款", "换货与退款"),
        ("/物流", "查询物流"),
        ("/refund", "Refund policy"),
    ):
        response = await client.post(
            BASE, json={"shortcut": shortcut, "title": title, "body": f"{title}的内容"}
        )
        assert response.status_code == 201, response.text
    agent = await factory.user(shop)
    await login(client, agent)
    everything = (await client.get(BASE)).json()
    assert [r["shortcut"] for r in everything] == sorted(r["shortcut"] for r in everything)
    # The shortcut that starts with the query comes before one that only contains it.
    found = (await client.get(BASE, params={"q": "/退"})).json()
    assert [r["shortcut"] for r in found] == ["/退货", "/换货退款"]
    assert [r["shortcut"] for r in (await client.get(BASE, params={"q": "物流"})).json()] == [
        "/物流"
    ]
    assert [r["shortcut"] for r in (await client.get(BASE, params={"q": "REF"})).json()] == [
        "/refund"
    ]
    assert (await client.get(BASE, params={"q": "%"})).json() == []
    forbidden = await client.post(BASE, json={"shortcut": "/x", "title": "x", "body": "x"})
    assert forbidden.status_code == 403
    assert (await client.delete(f"{BASE}/{everything[0]['id']}")).status_code == 403


async def test_one_shop_never_sees_anothers_replies(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop, other = await factory.shop(), await factory.shop("别家店")
    await login(client, await factory.user(other, role="supervisor"))
    theirs = await client.post(BASE, json={"shortcut": "/秘密", "title": "秘密", "body": "x"})
    assert theirs.status_code == 201
    await login(client, await factory.user(shop, role="supervisor"))
    assert (await client.get(BASE, params={"q": "秘密"})).json() == []
    # The same shortcut is free in this shop.
    mine = await client.post(BASE, json={"shortcut": "/秘密", "title": "我的", "body": "y"})
    assert mine.status_code == 201
    reply_id = theirs.json()["id"]
    assert (await client.patch(f"{BASE}/{reply_id}", json={"title": "改"})).status_code == 404
    assert (await client.delete(f"{BASE}/{reply_id}")).status_code == 404


async def test_bad_input_is_refused(client: httpx.AsyncClient, factory: Factory) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="supervisor"))
    for payload in (
        {"shortcut": "/a b", "title": "t", "body": "b"},
        {"shortcut": "/ok", "title": " ", "body": "b"},
        {"shortcut": "/ok", "title": "t", "body": "b", "language": "fr"},
        {"shortcut": "/ok", "title": "t", "body": "b\x00"},
        {"shortcut": "/ok", "title": "t", "body": "b", "extra": 1},
    ):
        assert (await client.post(BASE, json=payload)).status_code == 422, payload


async def test_placeholder_values_come_from_this_conversation(
    factory: Factory, db: Database
) -> None:
    shop = await factory.shop("极客数码")
    agent = await factory.user(shop, name="李娜")
    customer = await factory.customer(shop, name="张伟")
    conversation = await factory.conversation(shop, customer=customer)
    now = utcnow()
    async with db.session() as session:
        for number, days in (("OLD-1", 9), ("NEW-2", 1)):
            session.add(
                Order(
                    shop_id=shop.id,
                    order_no=number,
                    customer_id=customer.id,
                    status="paid",
                    total_cents=100,
                    placed_at=now - timedelta(days=days),
                )
            )
        await session.commit()
    async with db.session() as session:
        values = await placeholder_values(
            session, actor=principal_for_user(agent), conversation_id=conversation.id
        )
    assert values == PlaceholderValues(
        customer_name="张伟", agent_name="李娜", order_no="NEW-2", shop_name="极客数码"
    )
