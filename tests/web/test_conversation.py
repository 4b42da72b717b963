"""The conversation page: escaping, the timeline, replies without duplicates, status, tags."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from kefu.conversations.models import Conversation, ConversationTag, Message
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory
from tests.web.support import HTMX, after_id, reply_key, web_login

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"


async def _messages(db: Database, conversation: Conversation) -> list[Message]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
        )
        return list(rows.all())


async def _add(db: Database, conversation: Conversation, body: str, **fields: object) -> None:
    async with db.session() as session:
        session.add(
            Message(
                shop_id=conversation.shop_id,
                conversation_id=conversation.id,
                body=body,
                created_at=utcnow(),
                **{"sender_type": "customer", "is_internal": False, **fields},
            )
        )
        await session.commit()


async def _status(db: Database, conversation: Conversation) -> str:
    async with db.session() as session:
        status = await session.scalar(
            select(Conversation.status).where(Conversation.id == conversation.id)
        )
        assert status is not None
        return status


async def test_message_text_is_escaped_never_markup(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    customer = await factory.customer(shop, name="<b>坏人</b>")
    conversation = await factory.conversation(
        shop, customer=customer, subject="<i>主题</i>", messages=(PAYLOAD, "第一行\n第二行")
    )
    await web_login(client, await factory.user(shop))
    r = await client.get(f"/conversations/{conversation.id}")
    assert r.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in r.text
    assert "<script>alert" not in r.text
    assert "<img" not in r.text
    assert "onerror=alert(2)>" not in r.text
    assert "<b>坏人</b>" not in r.text and "&lt;b&gt;坏人&lt;/b&gt;" in r.text
    assert "<i>主题</i>" not in r.text
    # Line breaks stay in the text; CSS (white-space: pre-wrap) shows them.
    assert '<div class="message-body">第一行\n第二行</div>' in r.text
    # The list escapes the preview too.
    listing = await client.get("/conversations")
    assert "<script>alert" not in listing.text and "<img" not in listing.text


async def test_timeline_tells_senders_and_internal_notes_apart(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop, name="小周")
    conversation = await factory.conversation(shop, messages=("在吗？",))
    await _add(db, conversation, "您好，我是智能助手", sender_type="bot")
    await _add(db, conversation, "已转人工", sender_type="system")
    await _add(db, conversation, "您好，马上为您查询", sender_type="agent", sender_user_id=agent.id)
    await _add(
        db,
        conversation,
        "该顾客上周退过一次货",
        sender_type="agent",
        sender_user_id=agent.id,
        is_internal=True,
    )
    await web_login(client, agent)
    html = (await client.get(f"/conversations/{conversation.id}")).text
    classes = re.findall(r'<li id="message-\d+" class="([^"]+)"', html)
    assert classes == [
        "message from-customer",
        "message from-bot",
        "message from-system",
        "message from-agent",
        "message from-agent is-internal",
    ]
    assert html.count('<span class="note-label">内部备注</span>') == 1
    assert '<span class="sender">小周</span>' in html
    assert '<span class="sender">机器人</span>' in html


async def test_customer_box_shows_name_vip_and_contacts(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    customer = await factory.customer(shop, name="陈静", vip_level=2)
    conversation = await factory.conversation(shop, customer=customer)
    await web_login(client, await factory.user(shop))
    html = (await client.get(f"/conversations/{conversation.id}")).text
    box = html[html.index('class="card customer-card"') :]
    assert "陈静" in box and "VIP2" in box and customer.email in box
    assert "未填写" in box  # no phone


async def test_reply_form_posted_twice_creates_one_message(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    csrf = await web_login(client, await factory.user(shop))
    page = (await client.get(f"/conversations/{conversation.id}")).text
    form = {
        "csrf_token": csrf,
        "body": "已为您补发\n请注意查收",
        "idempotency_key": reply_key(page),
    }
    url = f"/conversations/{conversation.id}/reply"
    first, second = await client.post(url, data=form), await client.post(url, data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    bodies = [m.body for m in await _messages(db, conversation)]
    assert bodies.count("已为您补发\n请注意查收") == 1
    # A new render is a new form: its key differs, so the next reply is a new message.
    assert reply_key((await client.get(f"/conversations/{conversation.id}")).text) != reply_key(
        page
    )


async def test_htmx_reply_returns_the_new_message_and_a_fresh_form(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    csrf = await web_login(client, await factory.user(shop, name="王客服"))
    page = (await client.get(f"/conversations/{conversation.id}")).text
    form = {
        "csrf_token": csrf,
        "body": "<b>马上处理</b>",
        "idempotency_key": reply_key(page),
        "after_id": after_id(page) or "",
    }
    url = f"/conversations/{conversation.id}/reply"
    r = await client.post(url, data=form, headers=HTMX)
    assert r.status_code == 200
    assert r.text.count('class="message from-agent"') == 1
    assert "&lt;b&gt;马上处理&lt;/b&gt;" in r.text and "<b>马上处理" not in r.text
    assert '<span class="sender">王客服</span>' in r.text
    assert 'id="reply-form"' in r.text and 'hx-swap-oob="true"' in r.text
    assert reply_key(r.text) != form["idempotency_key"]
    assert 'id="conversation-panel"' in r.text  # first response time refreshed
    first_id = re.findall(r'<li id="message-(\d+)"', r.text)
    # The same form again (a retry after the answer was lost) stores nothing new and shows the
    # message the page is missing once, with the same id.
    again = await client.post(url, data=form, headers=HTMX)
    assert again.status_code == 200
    assert re.findall(r'<li id="message-(\d+)"', again.text) == first_id
    assert len(await _messages(db, conversation)) == 2
    # A page that already shows it (its form asks only for later messages) gets no copy.
    shown = {**form, "after_id": after_id(r.text) or ""}
    assert shown["after_id"] == first_id[0]
    third = await client.post(url, data=shown, headers=HTMX)
    assert 'class="message' not in third.text
    assert len(await _messages(db, conversation)) == 2


async def test_htmx_reply_brings_messages_that_arrived_meanwhile(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    csrf = await web_login(client, await factory.user(shop))
    page = (await client.get(f"/conversations/{conversation.id}")).text
    await _add(db, conversation, "还有一个问题")
    r = await client.post(
        f"/conversations/{conversation.id}/reply",
        data={
            "csrf_token": csrf,
            "body": "请讲",
            "idempotency_key": reply_key(page),
            "after_id": after_id(page) or "",
        },
        headers=HTMX,
    )
    assert re.findall(r'class="message from-(\w+)"', r.text) == ["customer", "agent"]


async def test_internal_note_is_stored_internal_and_shown_as_a_note(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    csrf = await web_login(client, await factory.user(shop))
    page = (await client.get(f"/conversations/{conversation.id}")).text
    r = await client.post(
        f"/conversations/{conversation.id}/reply",
        data={
            "csrf_token": csrf,
            "body": "顾客情绪激动，注意安抚",
            "internal": "1",
            "idempotency_key": reply_key(page),
            "after_id": after_id(page) or "",
        },
        headers=HTMX,
    )
    assert 'class="message from-agent is-internal"' in r.text
    note = (await _messages(db, conversation))[-1]
    assert note.is_internal and note.body == "顾客情绪激动，注意安抚"


async def test_blank_reply_is_refused_in_the_form_and_stores_nothing(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    csrf = await web_login(client, await factory.user(shop))
    url = f"/conversations/{conversation.id}/reply"
    r = await client.post(url, data={"csrf_token": csrf, "body": "   \n", "idempotency_key": "k1"})
    assert r.status_code == 422
    assert "回复内容不能为空" in r.text and "<!doctype html>" in r.text
    r = await client.post(
        url, data={"csrf_token": csrf, "body": "字" * 10_001, "idempotency_key": "k1"}, headers=HTMX
    )
    assert r.status_code == 422
    assert "最多 10000 个字" in r.text
    assert (r.headers["hx-retarget"], r.headers["hx-reswap"]) == ("#reply-form", "outerHTML")
    assert 'name="idempotency_key" value="k1"' in r.text  # the retry stays idempotent
    assert len(await _messages(db, conversation)) == 1


async def test_reply_without_csrf_token_is_refused(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    await web_login(client, await factory.user(shop))
    r = await client.post(f"/conversations/{conversation.id}/reply", data={"body": "hi"})
    assert r.status_code == 403
    assert "页面已过期" in r.text
    assert len(await _messages(db, conversation)) == 1


async def test_status_buttons_offer_only_allowed_moves_and_change_status(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop, status="open")
    csrf = await web_login(client, await factory.user(shop))
    page = (await client.get(f"/conversations/{conversation.id}")).text
    offered = re.findall(r'name="status" value="(\w+)"', page)
    assert offered == ["pending", "resolved"]
    url = f"/conversations/{conversation.id}/status"
    r = await client.post(url, data={"csrf_token": csrf, "status": "resolved"})
    assert (r.status_code, r.headers["location"]) == (303, f"/conversations/{conversation.id}")
    assert await _status(db, conversation) == "resolved"
    r = await client.post(url, data={"csrf_token": csrf, "status": "closed"}, headers=HTMX)
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section id="conversation-panel"')
    assert re.findall(r'name="status" value="(\w+)"', r.text) == ["open"]
    assert await _status(db, conversation) == "closed"
    # closed -> pending is not a move: a friendly page, not JSON.
    r = await client.post(url, data={"csrf_token": csrf, "status": "pending"})
    assert r.status_code == 409
    assert "text/html" in r.headers["content-type"]
    assert "会话当前的状态不允许这个操作" in r.text
    r = await client.post(url, data={"csrf_token": csrf, "status": "pending"}, headers=HTMX)
    assert (r.status_code, r.headers["hx-retarget"]) == (409, "#flash")
    assert await _status(db, conversation) == "closed"


async def test_assign_to_me_and_release(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop, name="赵六")
    conversation = await factory.conversation(shop)
    csrf = await web_login(client, agent)
    url = f"/conversations/{conversation.id}/assign"
    r = await client.post(url, data={"csrf_token": csrf, "assignee": "me"}, headers=HTMX)
    assert "赵六" in r.text and 'value="none"' in r.text
    async with db.session() as session:
        assert (await session.get(Conversation, conversation.id)).assignee_id == agent.id  # type: ignore[union-attr]
    r = await client.post(url, data={"csrf_token": csrf, "assignee": "none"})
    assert r.status_code == 303
    async with db.session() as session:
        assert (await session.get(Conversation, conversation.id)).assignee_id is None  # type: ignore[union-attr]


async def test_tags_are_added_and_removed(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    csrf = await web_login(client, await factory.user(shop))
    url = f"/conversations/{conversation.id}/tags"
    r = await client.post(url, data={"csrf_token": csrf, "add": " 催发货 "}, headers=HTMX)
    assert r.status_code == 200
    assert '<input type="hidden" name="remove" value="催发货">' in r.text
    await client.post(url, data={"csrf_token": csrf, "add": "<退款>"})
    r = await client.post(url, data={"csrf_token": csrf, "add": "x" * 51}, headers=HTMX)
    assert r.status_code == 422 and "标签需要 1 到 50 个字" in r.text
    await client.post(url, data={"csrf_token": csrf, "remove": "催发货"})
    async with db.session() as session:
        names = await session.scalars(
            select(ConversationTag.name).where(ConversationTag.conversation_id == conversation.id)
        )
        assert list(names) == ["<退款>"]
    page = (await client.get(f"/conversations/{conversation.id}")).text
    assert "&lt;退款&gt;" in page and "<退款>" not in page


async def test_another_shops_conversation_is_a_404_page(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    theirs = await factory.conversation(other, messages=("别家的秘密",))
    csrf = await web_login(client, await factory.user(shop))
    r = await client.get(f"/conversations/{theirs.id}")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert "找不到这个会话" in r.text and "别家的秘密" not in r.text
    for action, data in (
        ("reply", {"body": "越权", "idempotency_key": "x1"}),
        ("status", {"status": "resolved"}),
        ("assign", {"assignee": "me"}),
        ("tags", {"add": "越权"}),
    ):
        r = await client.post(
            f"/conversations/{theirs.id}/{action}", data={"csrf_token": csrf, **data}
        )
        assert r.status_code == 404, action
    assert len(await _messages(db, theirs)) == 1
    assert await _status(db, theirs) == "open"
    assert (await client.get("/conversations/not-a-number")).status_code == 404


async def test_department_staff_may_write_notes_but_not_replies_or_status(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    csrf = await web_login(client, await factory.user(shop, role="department"))
    page = await client.get(f"/conversations/{conversation.id}")
    assert page.status_code == 200
    assert 'name="status"' not in page.text  # no status buttons
    assert '<input type="hidden" name="internal" value="1">' in page.text
    url = f"/conversations/{conversation.id}"
    r = await client.post(
        f"{url}/reply", data={"csrf_token": csrf, "body": "对外回复", "idempotency_key": "d1"}
    )
    assert r.status_code == 403
    assert "没有权限" in r.text
    r = await client.post(f"{url}/status", data={"csrf_token": csrf, "status": "resolved"})
    assert r.status_code == 403
    r = await client.post(
        f"{url}/reply",
        data={"csrf_token": csrf, "body": "仓库已确认", "internal": "1", "idempotency_key": "d2"},
    )
    assert r.status_code == 303
    assert [(m.body, m.is_internal) for m in await _messages(db, conversation)][-1] == (
        "仓库已确认",
        True,
    )


async def test_unauthenticated_posts_go_to_login(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    r = await client.post(f"/conversations/{conversation.id}/reply", data={"body": "x"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = await client.get(f"/conversations/{conversation.id}")
    assert r.headers["location"] == f"/login?next=%2Fconversations%2F{conversation.id}"
    async with db.session() as session:
        count = await session.scalar(
            select(func.count()).where(Message.conversation_id == conversation.id)
        )
    assert count == 1


async def test_nul_characters_and_huge_ids_get_friendly_answers(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    """PostgreSQL text cannot hold NUL and ids are 32-bit: both are refused before the database."""
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    csrf = await web_login(client, await factory.user(shop))
    url = f"/conversations/{conversation.id}"
    r = await client.post(
        f"{url}/reply", data={"csrf_token": csrf, "body": "a\x00b", "idempotency_key": "n1"}
    )
    assert r.status_code == 422 and "回复中含有无法保存的字符" in r.text
    r = await client.post(f"{url}/tags", data={"csrf_token": csrf, "add": "a\x00b"})
    assert r.status_code == 422 and "text/html" in r.headers["content-type"]
    r = await client.get("/conversations", params={"q": "你好\x00", "tag": "\x00"})
    assert r.status_code == 200
    assert (await client.get(f"/conversations/{2**40}")).status_code == 404
    assert (await client.get("/conversations/0")).status_code == 404
    assert len(await _messages(db, conversation)) == 1
