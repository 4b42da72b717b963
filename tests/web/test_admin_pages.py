"""The channel settings pages for owners and admins: IM integrations with secrets shown once,
the dead-letter list and its retry button, failed mail, and the web chat widget."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest
from sqlalchemy import select

from kefu.accounts.models import AuditEvent, Shop
from kefu.channels.email.models import MailDirection, MailRecord, MailStatus
from kefu.channels.webhook.models import WebhookChannel, WebhookDelivery
from kefu.conversations.models import Message
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory
from tests.web.support import HTMX, web_login

URL = "https://im-bridge.example.com/kefu/callback"
SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


@pytest.fixture
async def shop(factory: Factory) -> Shop:
    return await factory.shop("渠道管理店")


async def _admin(
    client: httpx.AsyncClient, factory: Factory, shop: Shop, role: str = "admin"
) -> str:
    return await web_login(client, await factory.user(shop, role=role))


async def _channel(db: Database, shop: Shop, name: str = "微信") -> WebhookChannel:
    now = utcnow()
    async with db.session() as session:
        channel = WebhookChannel(
            shop_id=shop.id,
            name=name,
            platform="wechat",
            callback_url=URL,
            secret="s3cret-" + "k" * 30,
            is_enabled=True,
            created_at=now,
            updated_at=now,
        )
        session.add(channel)
        await session.commit()
        return channel


async def _first_message(db: Database, conversation_id: int) -> int:
    async with db.session() as session:
        message_id = await session.scalar(
            select(Message.id).where(Message.conversation_id == conversation_id)
        )
    assert message_id is not None
    return message_id


async def _dead_letter(
    db: Database, factory: Factory, shop: Shop, channel: WebhookChannel, *, error: str
) -> WebhookDelivery:
    conversation = await factory.conversation(
        shop, channel="im", messages=("您的包裹已经发出，单号 SF123 <b>请查收</b>",)
    )
    message_id = await _first_message(db, conversation.id)
    now = utcnow()
    async with db.session() as session:
        delivery = WebhookDelivery(
            shop_id=shop.id,
            channel_id=channel.id,
            conversation_id=conversation.id,
            kefu_message_id=message_id,
            recipient="wxid_buyer1",
            status="dead",
            attempts=8,
            last_status_code=503,
            last_error=error,
            created_at=now,
            updated_at=now,
        )
        session.add(delivery)
        await session.commit()
        return delivery


async def _delivery_status(db: Database, delivery_id: int) -> tuple[str, int]:
    async with db.session() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        return delivery.status, delivery.attempts


async def _secret_of(db: Database, channel_id: int) -> str:
    async with db.session() as session:
        channel = await session.get(WebhookChannel, channel_id)
        assert channel is not None
        return channel.secret


# ---- who may see the pages ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "admin"])
async def test_owners_and_admins_see_the_channels_page_in_chinese_and_english(
    client: httpx.AsyncClient, factory: Factory, shop: Shop, role: str
) -> None:
    await _admin(client, factory, shop, role)
    zh = await client.get("/admin/channels", params={"lang": "zh"})
    assert zh.status_code == 200, zh.text
    assert "渠道设置" in zh.text and "即时通讯 / 社交平台" in zh.text and "网页聊天挂件" in zh.text
    assert 'href="/admin/channels" aria-current="page"' in zh.text
    page = unescape(zh.text)
    assert f"{shop.slug}@kefu.localhost" in page
    assert (
        f'<script src="http://kefu.test/static/widget.js" data-shop="{shop.slug}" async></script>'
        in page
    )
    assert "未设置" in zh.text  # no widget secret yet

    en = await client.get("/admin/channels", params={"lang": "en"})
    assert en.status_code == 200
    assert "IM / social platforms" in en.text and "Web chat widget" in en.text
    assert "Replies that could not be mailed" in en.text and "渠道设置" not in en.text


@pytest.mark.parametrize("role", ["agent", "supervisor"])
async def test_agents_and_supervisors_get_no_link_and_a_403_page(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop, role: str
) -> None:
    channel = await _channel(db, shop)
    csrf = await _admin(client, factory, shop, role)
    inbox = await client.get("/conversations")
    assert "/admin/channels" not in inbox.text
    for path in ("/admin/channels", f"/admin/channels/webhooks/{channel.id}"):
        response = await client.get(path, params={"lang": "zh"})
        assert response.status_code == 403, path
        assert "没有权限" in response.text
    created = await client.post(
        "/admin/channels/webhooks",
        data={"name": "x", "callback_url": URL, "csrf_token": csrf},
    )
    assert created.status_code == 403
    rotated = await client.post("/admin/channels/webchat/rotate-secret", data={"csrf_token": csrf})
    assert rotated.status_code == 403


async def test_other_shops_channels_and_deliveries_are_404(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    other = await factory.shop("别家店")
    theirs = await _channel(db, other, name="别家微信")
    dead = await _dead_letter(db, factory, other, theirs, error="HTTP 500")
    csrf = await _admin(client, factory, shop)

    page = await client.get(f"/admin/channels/webhooks/{theirs.id}")
    assert page.status_code == 404 and "别家微信" not in page.text
    for path, data in (
        (f"/admin/channels/webhooks/{theirs.id}/enabled", {"enabled": "false"}),
        (f"/admin/channels/webhooks/{theirs.id}/rotate-secret", {}),
        (f"/admin/channels/deliveries/{dead.id}/retry", {}),
    ):
        response = await client.post(path, data={**data, "csrf_token": csrf})
        assert response.status_code == 404, path
    assert await _delivery_status(db, dead.id) == ("dead", 8)
    assert await _secret_of(db, theirs.id) == theirs.secret
    listing = await client.get("/admin/channels")
    assert "别家微信" not in listing.text


async def test_posts_without_the_csrf_token_are_refused(
    client: httpx.AsyncClient, factory: Factory, shop: Shop
) -> None:
    await _admin(client, factory, shop)
    response = await client.post(
        "/admin/channels/webhooks", data={"name": "x", "callback_url": URL}
    )
    assert response.status_code == 403


# ---- IM integrations ----------------------------------------------------------------------


async def test_a_new_channel_shows_its_secret_once_and_the_list_never_does(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    csrf = await _admin(client, factory, shop)
    created = await client.post(
        "/admin/channels/webhooks",
        data={"name": "微信公众号", "platform": "wechat", "callback_url": URL, "csrf_token": csrf},
    )
    assert created.status_code == 200, created.text
    async with db.session() as session:
        channel = await session.scalar(
            select(WebhookChannel).where(WebhookChannel.shop_id == shop.id)
        )
    assert channel is not None and channel.name == "微信公众号" and channel.is_enabled
    assert channel.secret in created.text
    assert "离开本页后将不再显示" in created.text
    assert f"http://kefu.test/api/v1/webhooks/im/{channel.id}" in created.text

    listing = await client.get("/admin/channels")
    assert "微信公众号" in listing.text and URL in listing.text
    assert channel.secret not in listing.text
    detail = await client.get(f"/admin/channels/webhooks/{channel.id}")
    assert detail.status_code == 200 and channel.secret not in detail.text

    rotated = await client.post(
        f"/admin/channels/webhooks/{channel.id}/rotate-secret", data={"csrf_token": csrf}
    )
    new_secret = await _secret_of(db, channel.id)
    assert rotated.status_code == 200 and new_secret != channel.secret
    assert new_secret in rotated.text and channel.secret not in rotated.text
    assert new_secret not in (await client.get(f"/admin/channels/webhooks/{channel.id}")).text

    async with db.session() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.shop_id == shop.id)
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["webhook_channel.create", "webhook_channel.rotate_secret"]


async def test_an_invalid_channel_comes_back_with_what_was_typed_and_the_reason(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    csrf = await _admin(client, factory, shop)
    response = await client.post(
        "/admin/channels/webhooks",
        params={"lang": "en"},
        data={
            "name": "LINE 官方账号",
            "platform": "line",
            "callback_url": "ftp://user:pw@example.com/x",
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 422
    assert "LINE 官方账号" in response.text and "ftp://user:pw@example.com/x" in response.text
    assert "The callback URL must be a full http://" in response.text
    async with db.session() as session:
        assert (
            await session.scalar(select(WebhookChannel.id).where(WebhookChannel.shop_id == shop.id))
            is None
        )


async def test_a_channel_is_turned_off_and_on_from_the_list_and_its_page(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    channel = await _channel(db, shop)
    csrf = await _admin(client, factory, shop)
    row = await client.post(
        f"/admin/channels/webhooks/{channel.id}/enabled",
        data={"enabled": "false", "back": "list", "csrf_token": csrf},
        headers=HTMX,
    )
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<tr id="webhook-{channel.id}">')
    assert "已停用" in row.text and 'name="enabled" value="true"' in row.text
    async with db.session() as session:
        stored = await session.get(WebhookChannel, channel.id)
        assert stored is not None and not stored.is_enabled

    back_on = await client.post(
        f"/admin/channels/webhooks/{channel.id}/enabled",
        data={"enabled": "true", "back": "detail", "csrf_token": csrf},
    )
    assert back_on.status_code == 303
    assert back_on.headers["location"] == f"/admin/channels/webhooks/{channel.id}?status=dead"
    page = await client.get(back_on.headers["location"])
    assert "渠道已启用。" in page.text
    assert "渠道已启用。" not in (await client.get(back_on.headers["location"])).text


# ---- dead letters -------------------------------------------------------------------------


async def test_the_dead_letter_list_shows_a_dead_reply_and_retry_queues_it_again(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    channel = await _channel(db, shop)
    dead = await _dead_letter(db, factory, shop, channel, error="connection refused")
    csrf = await _admin(client, factory, shop)

    listing = await client.get("/admin/channels")
    assert "1 条发送失败" in listing.text
    page = await client.get(f"/admin/channels/webhooks/{channel.id}", params={"status": "dead"})
    assert page.status_code == 200
    html = page.text
    assert "wxid_buyer1" in html and "connection refused" in html and "HTTP 503" in html
    assert "您的包裹已经发出，单号 SF123 &lt;b&gt;请查收&lt;/b&gt;" in html
    assert f'action="/admin/channels/deliveries/{dead.id}/retry"' in html
    assert re.search(r'<td class="num">\s*8\s*</td>', html)
    assert html.count('id="dead-count"') == 1
    assert f'href="/conversations/{dead.conversation_id}"' in html
    delivered = await client.get(
        f"/admin/channels/webhooks/{channel.id}", params={"status": "delivered"}
    )
    assert "wxid_buyer1" not in delivered.text

    retried = await client.post(
        f"/admin/channels/deliveries/{dead.id}/retry", data={"csrf_token": csrf}
    )
    assert retried.status_code == 303
    assert retried.headers["location"] == f"/admin/channels/webhooks/{channel.id}?status=dead"
    assert await _delivery_status(db, dead.id) == ("pending", 0)
    after = await client.get(retried.headers["location"])
    assert "已重新排队" in after.text and "wxid_buyer1" not in after.text
    queued = await client.get(
        f"/admin/channels/webhooks/{channel.id}", params={"status": "pending"}
    )
    assert "wxid_buyer1" in queued.text and f"deliveries/{dead.id}/retry" not in queued.text

    again = await client.post(
        f"/admin/channels/deliveries/{dead.id}/retry", data={"csrf_token": csrf}
    )
    assert again.status_code == 409 and "delivery_not_dead" in again.text


async def test_retry_by_htmx_swaps_the_row_and_a_disabled_channel_refuses_it(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    channel = await _channel(db, shop)
    first = await _dead_letter(db, factory, shop, channel, error="HTTP 502")
    second = await _dead_letter(db, factory, shop, channel, error="HTTP 502")
    csrf = await _admin(client, factory, shop)

    row = await client.post(
        f"/admin/channels/deliveries/{first.id}/retry", data={"csrf_token": csrf}, headers=HTMX
    )
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<tr id="delivery-{first.id}">')
    assert "待发送" in row.text and "已重新排队" in row.text and "/retry" not in row.text
    # The dead-letter tab's count follows, out of band.
    assert '<span id="dead-count" class="count" hx-swap-oob="true">1</span>' in row.text

    await client.post(
        f"/admin/channels/webhooks/{channel.id}/enabled",
        data={"enabled": "false", "csrf_token": csrf},
    )
    refused = await client.post(
        f"/admin/channels/deliveries/{second.id}/retry", data={"csrf_token": csrf}, headers=HTMX
    )
    assert refused.status_code == 409
    assert refused.headers["HX-Retarget"] == "#flash"
    assert "渠道已停用，请先启用再重新发送。" in refused.text
    assert await _delivery_status(db, second.id) == ("dead", 8)


# ---- e-mail and the widget ----------------------------------------------------------------


async def test_failed_mail_is_listed_with_a_link_to_its_conversation(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    conversation = await factory.conversation(shop, channel="email")
    message_id = await _first_message(db, conversation.id)
    other = await factory.shop()
    now = utcnow()
    async with db.session() as session:
        session.add(
            MailRecord(
                shop_id=shop.id,
                message_id="abc.kefu@kefu.localhost",
                conversation_id=conversation.id,
                kefu_message_id=message_id,
                direction=MailDirection.OUT,
                status=MailStatus.FAILED,
                address="buyer@example.com",
                attempts=6,
                last_error="550 mailbox unavailable " + SCRIPT,
                created_at=now,
                updated_at=now,
            )
        )
        await session.commit()
    await _admin(client, factory, shop)
    html = (await client.get("/admin/channels")).text
    assert "buyer@example.com" in html and "550 mailbox unavailable" in html
    assert f'href="/conversations/{conversation.id}"' in html
    assert SCRIPT not in html and ESCAPED in html
    assert "没有发送失败的邮件。" not in html
    assert other.slug not in html


async def test_the_widget_secret_is_shown_once_after_it_is_made(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    csrf = await _admin(client, factory, shop)
    made = await client.post("/admin/channels/webchat/rotate-secret", data={"csrf_token": csrf})
    assert made.status_code == 200
    async with db.session() as session:
        stored = await session.get(Shop, shop.id)
        assert stored is not None and stored.widget_secret
        secret = stored.widget_secret
    assert secret in made.text
    later = await client.get("/admin/channels")
    assert secret not in later.text and "已设置" in later.text and "更换密钥" in later.text


# ---- escaping -----------------------------------------------------------------------------


async def test_names_texts_and_errors_are_escaped_everywhere(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    csrf = await _admin(client, factory, shop)
    created = await client.post(
        "/admin/channels/webhooks",
        data={"name": SCRIPT, "callback_url": URL, "csrf_token": csrf},
    )
    assert created.status_code == 200
    async with db.session() as session:
        channel = await session.scalar(
            select(WebhookChannel).where(WebhookChannel.shop_id == shop.id)
        )
    assert channel is not None and channel.name == SCRIPT
    await _dead_letter(db, factory, shop, channel, error="HTTP 400: " + SCRIPT)
    row = await client.post(
        f"/admin/channels/webhooks/{channel.id}/enabled",
        data={"enabled": "false", "csrf_token": csrf},
        headers=HTMX,
    )
    for response in (
        created,
        row,
        await client.get("/admin/channels"),
        await client.get(f"/admin/channels/webhooks/{channel.id}"),
    ):
        assert response.status_code == 200
        assert SCRIPT not in response.text
        assert ESCAPED in response.text
