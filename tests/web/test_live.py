"""Server side of the live page: the timeline and panel fragments it fetches, and its hooks."""

from __future__ import annotations

import re

import httpx

from kefu.conversations.models import Conversation, Message
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.web.paths import STATIC_DIR
from tests.factories import Factory
from tests.web.support import HTMX, web_login

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"


async def _add(db: Database, conversation: Conversation, body: str, **fields: object) -> int:
    async with db.session() as session:
        message = Message(
            shop_id=conversation.shop_id,
            conversation_id=conversation.id,
            body=body,
            created_at=utcnow(),
            **{"sender_type": "customer", "is_internal": False, **fields},
        )
        session.add(message)
        await session.commit()
        return message.id


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li id="message-(\d+)"', html)]


async def test_messages_after_an_id_are_the_later_timeline_items_only(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop, name="小周")
    customer = await factory.customer(shop, name="陈静")
    conversation = await factory.conversation(shop, customer=customer, messages=("在吗？",))
    await web_login(client, agent)
    first = _ids((await client.get(f"/conversations/{conversation.id}")).text)
    assert len(first) == 1
    asked = await _add(db, conversation, "我的快递到哪了")
    noted = await _add(
        db,
        conversation,
        "查过了，在路上",
        sender_type="agent",
        sender_user_id=agent.id,
        is_internal=True,
    )
    url = f"/conversations/{conversation.id}/messages"
    r = await client.get(url, params={"after_id": first[0]}, headers=HTMX)
    assert r.status_code == 200
    assert "text/html" in r.headers["content-type"]
    assert r.headers["cache-control"] == "no-store"
    assert _ids(r.text) == [asked, noted]
    assert '<span class="sender">陈静</span>' in r.text
    assert '<span class="sender">小周</span>' in r.text
    assert 'class="message from-agent is-internal"' in r.text
    assert '<span class="note-label">内部备注</span>' in r.text
    # Only items: no page shell, no form, so the page can append them as they are.
    assert "<html" not in r.text and "reply-form" not in r.text
    assert _ids((await client.get(url, params={"after_id": noted})).text) == []
    assert _ids((await client.get(url)).text) == [first[0], asked, noted]


async def test_messages_fragment_shows_markup_as_text(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    customer = await factory.customer(shop, name="<b>坏人</b>")
    conversation = await factory.conversation(shop, customer=customer)
    await web_login(client, await factory.user(shop))
    await _add(db, conversation, PAYLOAD)
    r = await client.get(f"/conversations/{conversation.id}/messages", headers=HTMX)
    assert r.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in r.text
    assert "<script" not in r.text and "<img" not in r.text and "<b>" not in r.text
    assert "&lt;b&gt;坏人&lt;/b&gt;" in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]


async def test_another_shops_fragments_are_not_found(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    theirs = await factory.conversation(other, messages=("别家的秘密",))
    await web_login(client, await factory.user(shop))
    for path in ("messages", "panel"):
        for headers in ({}, HTMX):
            r = await client.get(f"/conversations/{theirs.id}/{path}", headers=headers)
            assert r.status_code == 404, (path, headers)
            assert "别家的秘密" not in r.text and "message-" not in r.text


async def test_fragments_send_the_logged_out_to_login(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop, messages=("在吗？",))
    r = await client.get(f"/conversations/{conversation.id}/messages", headers=HTMX)
    assert r.status_code == 200 and r.headers["hx-redirect"].startswith("/login?next=")
    assert "在吗" not in r.text
    r = await client.get(f"/conversations/{conversation.id}/panel")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


async def test_bad_after_id_gets_a_friendly_answer(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop, messages=("在吗？",))
    await web_login(client, await factory.user(shop))
    for value in ("-1", "abc", str(2**70), "1\x00"):
        r = await client.get(
            f"/conversations/{conversation.id}/messages", params={"after_id": value}
        )
        assert 400 <= r.status_code < 500, value
        assert "text/html" in r.headers["content-type"]


async def test_panel_fragment_shows_current_status_and_assignee(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop, name="小周")
    conversation = await factory.conversation(shop, messages=("在吗？",))
    csrf = await web_login(client, agent)
    await client.post(
        f"/conversations/{conversation.id}/status", data={"csrf_token": csrf, "status": "pending"}
    )
    await client.post(
        f"/conversations/{conversation.id}/assign", data={"csrf_token": csrf, "assignee": "me"}
    )
    r = await client.get(f"/conversations/{conversation.id}/panel", headers=HTMX)
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section id="conversation-panel"')
    assert 'data-status="pending"' in r.text
    assert f'data-assignee-id="{agent.id}"' in r.text
    assert "hx-swap-oob" not in r.text


async def test_pages_load_the_live_script_from_a_file_and_hide_live_widgets(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop, messages=("在吗？",))
    login = (await client.get("/login")).text
    assert "kefu-live.js" not in login and 'id="live-status"' not in login
    await web_login(client, await factory.user(shop))
    page = (await client.get(f"/conversations/{conversation.id}")).text
    assert re.search(r'<script src="/static/kefu-live\.js\?v=[0-9a-f]{12}" defer></script>', page)
    # Every script is a file: the policy refuses inline ones.
    assert len(re.findall(r"<script\b", page)) == len(re.findall(r"<script src=", page))
    assert f'data-messages-url="/conversations/{conversation.id}/messages"' in page
    assert re.search(r'<p id="typing-indicator"[^>]* hidden>\s*<span', page)
    assert "对方正在输入…" in page
    assert re.search(r'<p id="live-status"[^>]* hidden', page)
    assert 'data-notify-title="会话 #{id} 有新消息"' in page
    assert re.search(r'<button type="button" id="notify-enable"[^>]* hidden>', page)
    english = (await client.get(f"/conversations/{conversation.id}?lang=en")).text
    assert "Customer is typing…" in english
    inbox = (await client.get("/conversations")).text
    assert f'data-conversation-id="{conversation.id}"' in inbox


async def test_live_script_never_writes_html_from_event_data() -> None:
    script = (STATIC_DIR / "kefu-live.js").read_text()
    assert script.startswith("/* Kefu live updates:")
    # Markup only ever comes from the server's fragments, parsed inertly.
    for sink in ("innerHTML", "outerHTML =", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink
