"""The admin API of the webhook channel: integrations, secrets shown once, dead letters."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from kefu.accounts.models import AuditEvent, Shop
from kefu.channels.webhook.models import WebhookDelivery
from kefu.conversations.models import Message
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory, login

URL = "https://im-bridge.example.com/kefu/callback?shop=7"


@pytest.fixture
async def shop(factory: Factory) -> Shop:
    return await factory.shop("渠道管理店")


@pytest.fixture
async def admin_client(
    client: httpx.AsyncClient, factory: Factory, shop: Shop
) -> httpx.AsyncClient:
    await login(client, await factory.user(shop, role="admin"))
    return client


async def test_created_channel_shows_its_secret_once(admin_client: httpx.AsyncClient) -> None:
    created = await admin_client.post(
        "/api/v1/webhook-channels",
        json={"name": " WhatsApp 客服 ", "platform": "whatsapp", "callback_url": URL},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert (body["name"], body["platform"], body["callback_url"], body["enabled"]) == (
        "WhatsApp 客服",
        "whatsapp",
        URL,
        True,
    )
    assert body["inbound_path"] == f"/api/v1/webhooks/im/{body['id']}"
    shown = (await admin_client.get(f"/api/v1/webhook-channels/{body['id']}")).json()
    listed = (await admin_client.get("/api/v1/webhook-channels")).json()
    assert "secret" not in shown and all("secret" not in c for c in listed)
    assert [c["id"] for c in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "callback_url": "ftp://example.com/hook"}, "callback_url"),
        ({"name": "x", "callback_url": "https://user:pw@example.com/hook"}, "callback_url"),
        ({"name": "x", "callback_url": "/relative/path"}, "callback_url"),
        ({"name": "x", "callback_url": "https://exa mple.com/"}, "callback_url"),
        ({"name": "x", "callback_url": "https://example.com:99999/"}, "callback_url"),
        ({"name": "x", "platform": "We Chat", "callback_url": URL}, "platform"),
        ({"name": "", "callback_url": URL}, "name"),
        ({"name": "x", "callback_url": URL, "secret": "mine"}, "secret"),
    ],
)
async def test_bad_channels_are_refused_with_the_field_named(
    admin_client: httpx.AsyncClient, payload: dict[str, str], field: str
) -> None:
    response = await admin_client.post("/api/v1/webhook-channels", json=payload)
    assert response.status_code == 422, response.text
    assert ["body", field] in [d["loc"] for d in response.json()["error"]["details"]]


async def test_patch_changes_only_what_is_sent_and_is_audited(
    admin_client: httpx.AsyncClient, db: Database, shop: Shop
) -> None:
    created = (
        await admin_client.post(
            "/api/v1/webhook-channels",
            json={"name": "LINE", "platform": "line", "callback_url": URL},
        )
    ).json()
    url = f"/api/v1/webhook-channels/{created['id']}"
    patched = await admin_client.patch(
        url, json={"callback_url": "http://127.0.0.1:8080/line", "enabled": False}
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["callback_url"], patched.json()["enabled"]) == (
        "LINE",
        "http://127.0.0.1:8080/line",
        False,
    )
    refused = await admin_client.patch(url, json={"name": None})
    assert refused.status_code == 422
    platform = await admin_client.patch(url, json={"platform": "wechat"})
    assert platform.status_code == 422, "the platform names identities and cannot change"
    async with db.session() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.shop_id == shop.id)
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["webhook_channel.create", "webhook_channel.update"]


async def test_dead_letters_are_listed_and_retried_through_the_api(
    admin_client: httpx.AsyncClient, db: Database, factory: Factory, shop: Shop
) -> None:
    channel = (
        await admin_client.post(
            "/api/v1/webhook-channels",
            json={"name": "微信", "platform": "wechat", "callback_url": URL},
        )
    ).json()
    conversation = await factory.conversation(shop, channel="im")
    now = utcnow()
    async with db.session() as session:
        message_id = await session.scalar(
            select(Message.id).where(Message.conversation_id == conversation.id)
        )
        assert message_id is not None
        row = WebhookDelivery(
            shop_id=shop.id,
            channel_id=channel["id"],
            conversation_id=conversation.id,
            kefu_message_id=message_id,
            recipient="wxid_1",
            status="dead",
            attempts=8,
            last_status_code=503,
            last_error="HTTP 503: down",
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.commit()
    base = f"/api/v1/webhook-channels/{channel['id']}/deliveries"
    dead = (await admin_client.get(base, params={"status": "dead"})).json()
    assert [(d["id"], d["message_id"], d["last_error"]) for d in dead] == [
        (row.id, message_id, "HTTP 503: down")
    ]
    assert (await admin_client.get(base, params={"status": "delivered"})).json() == []
    assert (await admin_client.get(base, params={"status": "lost"})).status_code == 422

    retried = await admin_client.post(f"/api/v1/webhook-deliveries/{row.id}/retry")
    assert retried.status_code == 200, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    again = await admin_client.post(f"/api/v1/webhook-deliveries/{row.id}/retry")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "delivery_not_dead")
    assert (await admin_client.get(base, params={"status": "dead"})).json() == []
