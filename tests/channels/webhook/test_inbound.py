"""Inbound events through the real API: signed, validated, stored exactly once, and filed
under the customer the sender's IM identity belongs to."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select

from kefu.accounts.models import Shop
from kefu.channels.email.parse import parse_mail
from kefu.channels.email.service import receive_mail
from kefu.channels.webhook.models import WebhookChannel, WebhookReceipt
from kefu.channels.webhook.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from kefu.conversations.models import Conversation, Message
from kefu.customers.models import CustomerIdentity
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.channels.webhook.conftest import event, signed_post
from tests.factories import Factory, login


@pytest.fixture
async def shop(factory: Factory) -> Shop:
    return await factory.shop("微信小店")


@pytest.fixture
async def channel(client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop) -> Any:
    """A wechat integration created through the admin API, with its secret as shown once."""
    await login(client, await factory.user(shop, role="admin"))
    response = await client.post(
        "/api/v1/webhook-channels",
        json={"name": "微信客服", "platform": "wechat", "callback_url": "https://shop.example/im"},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    async with db.session() as session:
        row = await session.get(WebhookChannel, created["id"])
    assert row is not None and row.secret == created["secret"]
    return row


async def count(db: Database, model: Any, *where: Any) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_signed_event_becomes_the_senders_message_in_an_im_conversation(
    client: httpx.AsyncClient, db: Database, channel: WebhookChannel
) -> None:
    post = signed_post(client)
    response = await post(channel, event("evt-1", "我的快递到哪了？"))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["duplicate"] is False
    async with db.session() as session:
        conversation = await session.get(Conversation, result["conversation_id"])
        message = await session.get(Message, result["message_id"])
        identity = await session.scalar(
            select(CustomerIdentity).where(CustomerIdentity.customer_id == result["customer_id"])
        )
    assert conversation is not None and message is not None and identity is not None
    assert (conversation.channel, conversation.subject, conversation.shop_id) == (
        "im",
        "微信客服",
        channel.shop_id,
    )
    assert (message.sender_type, message.body) == ("customer", "我的快递到哪了？")
    assert (identity.kind, identity.value) == ("im", "wechat:wxid_abc")

    # The next message of the same sender joins the same conversation.
    again = await post(channel, event("evt-2", "在吗"))
    assert again.json()["conversation_id"] == result["conversation_id"]
    assert again.json()["customer_id"] == result["customer_id"]


async def test_replayed_event_id_is_acknowledged_as_duplicate_and_stores_nothing(
    client: httpx.AsyncClient, db: Database, channel: WebhookChannel
) -> None:
    post = signed_post(client)
    first = (await post(channel, event("evt-r", "第一次"))).json()
    replay = await post(channel, event("evt-r", "第一次"))
    assert replay.status_code == 200, replay.text
    assert replay.json() == {**first, "duplicate": True}
    assert await count(db, Message, Message.conversation_id == first["conversation_id"]) == 1
    assert await count(db, WebhookReceipt, WebhookReceipt.channel_id == channel.id) == 1


async def test_retry_after_a_lost_receipt_neither_loses_nor_duplicates_the_message(
    client: httpx.AsyncClient, db: Database, channel: WebhookChannel
) -> None:
    """The message was committed but the answer never reached the sender (and, worse, the
    receipt is missing): the retry finds the message by its idempotency key."""
    post = signed_post(client)
    first = (await post(channel, event("evt-t", "超时了吗"))).json()
    async with db.session() as session:
        await session.execute(delete(WebhookReceipt).where(WebhookReceipt.channel_id == channel.id))
        await session.commit()
    retry = (await post(channel, event("evt-t", "超时了吗"))).json()
    assert retry == {**first, "duplicate": True}
    assert await count(db, Message, Message.conversation_id == first["conversation_id"]) == 1
    assert await count(db, WebhookReceipt, WebhookReceipt.channel_id == channel.id) == 1


def _sign(channel: WebhookChannel, body: bytes, **shift: float) -> dict[str, str]:
    return signed_headers(channel.secret, body, now=utcnow() + timedelta(**shift))


@pytest.mark.parametrize(
    ("headers", "sent_body", "code"),
    [
        (lambda ch, body: {}, None, "missing_timestamp"),
        (
            lambda ch, body: {TIMESTAMP_HEADER: _sign(ch, body)[TIMESTAMP_HEADER]},
            None,
            "missing_signature",
        ),
        (lambda ch, body: signed_headers("whsec_wrong", body, now=utcnow()), None, "bad_signature"),
        (lambda ch, body: _sign(ch, body), b'{"event_id": "evt-x"}', "bad_signature"),
        (lambda ch, body: _sign(ch, body, seconds=-360), None, "stale_timestamp"),
        (lambda ch, body: _sign(ch, body, seconds=360), None, "stale_timestamp"),
        (lambda ch, body: {**_sign(ch, body), TIMESTAMP_HEADER: "soon"}, None, "bad_timestamp"),
    ],
    ids=["unsigned", "no-signature", "wrong-secret", "tampered", "stale", "future", "bad-time"],
)
async def test_unsigned_forged_and_stale_events_are_401_and_store_nothing(
    client: httpx.AsyncClient,
    db: Database,
    channel: WebhookChannel,
    headers: Any,
    sent_body: bytes | None,
    code: str,
) -> None:
    body = json.dumps(event("evt-forged")).encode()
    response = await client.post(
        f"/api/v1/webhooks/im/{channel.id}",
        content=sent_body or body,
        headers={"content-type": "application/json", **headers(channel, body)},
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == code
    assert await count(db, WebhookReceipt, WebhookReceipt.channel_id == channel.id) == 0


async def test_signature_is_checked_before_the_body_is_validated(
    client: httpx.AsyncClient, channel: WebhookChannel
) -> None:
    response = await client.post(
        f"/api/v1/webhooks/im/{channel.id}",
        json={"nonsense": True},
        headers={SIGNATURE_HEADER: "sha256=00", TIMESTAMP_HEADER: str(int(utcnow().timestamp()))},
    )
    assert (response.status_code, response.json()["error"]["code"]) == (401, "bad_signature")


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"sender": {"id": "u1"}, "text": "hi"}, ["body", "event_id"]),
        ({"event_id": "e", "sender": {"id": "u1"}, "text": "  "}, ["body", "text"]),
        ({"event_id": "e", "sender": {"id": "has space"}, "text": "hi"}, ["body", "sender", "id"]),
        ({"event_id": "e", "sender": {"id": "u1"}, "text": "hi", "extra": 1}, ["body", "extra"]),
        (
            {"event_id": "e", "sender": {"id": "u1"}, "text": "hi", "sent_at": "2026-12-01T08:00"},
            ["body", "sent_at"],
        ),
    ],
    ids=["no-event-id", "blank-text", "bad-sender-id", "unknown-field", "naive-sent-at"],
)
async def test_signed_but_invalid_events_are_422_with_locations(
    client: httpx.AsyncClient, channel: WebhookChannel, payload: dict[str, Any], loc: list[str]
) -> None:
    response = await signed_post(client)(channel, payload)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert loc in [d["loc"] for d in error["details"]]


async def test_signed_malformed_json_is_400(
    client: httpx.AsyncClient, channel: WebhookChannel
) -> None:
    body = b'{"event_id": '
    response = await client.post(
        f"/api/v1/webhooks/im/{channel.id}",
        content=body,
        headers={"content-type": "application/json", **_sign(channel, body)},
    )
    assert (response.status_code, response.json()["error"]["code"]) == (400, "malformed_json")


async def test_disabled_and_unknown_channels_refuse_events(
    client: httpx.AsyncClient, channel: WebhookChannel
) -> None:
    post = signed_post(client)
    r = await client.patch(f"/api/v1/webhook-channels/{channel.id}", json={"enabled": False})
    assert r.status_code == 200 and r.json()["enabled"] is False
    refused = await post(channel, event("evt-off"))
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "channel_disabled")
    missing = await client.post("/api/v1/webhooks/im/999999999", json=event("evt-404"))
    assert (missing.status_code, missing.json()["error"]["code"]) == (
        404,
        "webhook_channel_not_found",
    )


async def test_after_rotation_new_and_old_secrets_verify_and_only_the_new_one_is_shown(
    client: httpx.AsyncClient, channel: WebhookChannel
) -> None:
    post = signed_post(client)
    rotated = await client.post(f"/api/v1/webhook-channels/{channel.id}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret != channel.secret and rotated.json()["previous_secret_expires_at"]
    assert (await post(channel, event("evt-old"))).status_code == 200
    assert (await post(channel, event("evt-new"), secret=new_secret)).status_code == 200
    listed = (await client.get("/api/v1/webhook-channels")).json()
    assert [c["id"] for c in listed] == [channel.id]
    assert not any(key.endswith("secret") for key in listed[0])
    assert new_secret not in json.dumps(listed)


async def test_closed_conversation_is_not_reused_a_resolved_one_is_reopened(
    client: httpx.AsyncClient, channel: WebhookChannel
) -> None:
    post = signed_post(client)
    first = (await post(channel, event("evt-c1"))).json()
    url = f"/api/v1/conversations/{first['conversation_id']}/status"
    assert (await client.post(url, json={"status": "resolved"})).status_code == 200
    reopened = (await post(channel, event("evt-c2"))).json()
    assert reopened["conversation_id"] == first["conversation_id"]
    detail = await client.get(f"/api/v1/conversations/{first['conversation_id']}")
    assert detail.json()["status"] == "open"
    for status in ("resolved", "closed"):
        assert (await client.post(url, json={"status": status})).status_code == 200
    fresh = (await post(channel, event("evt-c3"))).json()
    assert fresh["conversation_id"] != first["conversation_id"]
    assert fresh["customer_id"] == first["customer_id"]


def _mail(sender: str, message_id: str) -> bytes:
    return (
        f"From: 王小明 <{sender}>\r\nTo: shop@mail.kefu.test\r\nSubject: 发票\r\n"
        f"Message-ID: <{message_id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "请开发票\r\n"
    ).encode()


async def test_an_im_account_linked_to_an_email_customer_brings_im_messages_to_them(
    client: httpx.AsyncClient, db: Database, shop: Shop, channel: WebhookChannel
) -> None:
    created = await client.post(
        "/api/v1/customers", json={"name": "王小明", "email": "wang@example.com"}
    )
    assert created.status_code == 201, created.text
    customer_id = created.json()["id"]
    async with db.session() as session:
        by_mail, _ = await receive_mail(
            session,
            shop_id=shop.id,
            mail=parse_mail(_mail("Wang@Example.com", "m-1@example.com")),
            now=utcnow(),
        )
        mail_conversation = await session.get(Conversation, by_mail.conversation_id)
    assert mail_conversation is not None and mail_conversation.customer_id == customer_id

    linked = await client.post(
        f"/api/v1/customers/{customer_id}/identities",
        json={"kind": "im", "value": "wechat:wxid_wang"},
    )
    assert linked.status_code == 201, linked.text
    result = (
        await signed_post(client)(channel, event("evt-l", "我是王小明", sender="wxid_wang"))
    ).json()
    assert result["customer_id"] == customer_id
    assert result["conversation_id"] != mail_conversation.id

    profile = (await client.get(f"/api/v1/customers/{customer_id}")).json()
    assert {(i["kind"], i["value"]) for i in profile["identities"]} == {
        ("email", "wang@example.com"),
        ("im", "wechat:wxid_wang"),
    }
    listed = await client.get("/api/v1/conversations", params={"customer_id": customer_id})
    assert {c["channel"] for c in listed.json()["items"]} == {"email", "im"}


async def test_an_unlinked_sender_becomes_a_new_customer_named_as_on_the_platform(
    client: httpx.AsyncClient, db: Database, channel: WebhookChannel
) -> None:
    result = (await signed_post(client)(channel, event("evt-n", sender="wxid_new"))).json()
    customer = (await client.get(f"/api/v1/customers/{result['customer_id']}")).json()
    assert customer["name"] == "小李"
    assert customer["identities"][0]["value"] == "wechat:wxid_new"
