"""The workspace pages: canned-reply suggestions for the reply box, the canned replies page for
supervisors, and transferring a conversation from its side panel."""

from __future__ import annotations

import re
from html import unescape

import httpx
from sqlalchemy import select

from kefu.conversations.models import Conversation, Message
from kefu.knowledge.models import CannedReply
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory
from tests.web.support import HTMX, web_login


async def _reply(db: Database, shop_id: int, shortcut: str, title: str, body: str) -> int:
    now = utcnow()
    async with db.session() as session:
        reply = CannedReply(
            shop_id=shop_id,
            shortcut=shortcut,
            title=title,
            body=body,
            language="zh",
            created_at=now,
            updated_at=now,
        )
        session.add(reply)
        await session.commit()
        return reply.id


async def _shortcuts(db: Database, shop_id: int) -> list[str]:
    async with db.session() as session:
        rows = await session.scalars(
            select(CannedReply.shortcut)
            .where(CannedReply.shop_id == shop_id)
            .order_by(CannedReply.shortcut)
        )
        return list(rows.all())


# ---- suggestions --------------------------------------------------------------------------


async def test_suggestions_come_filled_in_for_this_conversation_and_escaped(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    customer = await factory.customer(shop, name="<b>张伟</b>")
    conversation = await factory.conversation(shop, customer=customer)
    await _reply(db, shop.id, "/退货", "退货流程", "您好 {customer_name}，\n我是{agent_name}。")
    await _reply(db, shop.id, "/物流", "查询物流", "订单 {order_no} 在路上")
    other = await factory.shop()
    await _reply(db, other.id, "/退款", "别家", "别家店的回复")
    await web_login(client, await factory.user(shop, name="李娜"))

    response = await client.get(
        f"/conversations/{conversation.id}/canned", params={"q": "退"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.text
    assert "/退货" in html and "/物流" not in html and "别家" not in html
    assert "<b>" not in html
    assert 'data-body="您好 &lt;b&gt;张伟&lt;/b&gt;，\n我是李娜。"' in html
    everything = await client.get(f"/conversations/{conversation.id}/canned", headers=HTMX)
    assert "/物流" in everything.text and "订单 您的订单 在路上" in unescape(everything.text)
    none = await client.get(
        f"/conversations/{conversation.id}/canned", params={"q": "不存在"}, headers=HTMX
    )
    assert "canned-option" not in none.text and "不存在" in none.text


async def test_suggestions_are_for_conversations_of_ones_own_shop(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    theirs = await factory.conversation(other)
    await web_login(client, await factory.user(shop))
    response = await client.get(f"/conversations/{theirs.id}/canned", headers=HTMX)
    assert response.status_code == 404


async def test_the_reply_box_is_wired_for_suggestions(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    await web_login(client, await factory.user(shop))
    page = (await client.get(f"/conversations/{conversation.id}")).text
    assert f'data-canned-url="/conversations/{conversation.id}/canned"' in page
    assert 'id="canned-popup"' in page
    assert "kefu-workspace.js" in page


# ---- the canned replies page ---------------------------------------------------------------


async def test_supervisor_manages_canned_replies_from_the_page(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    csrf = await web_login(client, await factory.user(shop, role="supervisor"))
    page = await client.get("/canned-replies")
    assert page.status_code == 200 and 'action="/canned-replies"' in page.text

    form = {"csrf_token": csrf, "title": "退货流程", "body": "请申请售后", "language": "zh"}
    created = await client.post("/canned-replies", data={**form, "shortcut": "退货"})
    assert created.status_code == 303
    assert await _shortcuts(db, shop.id) == ["/退货"]

    bad = await client.post("/canned-replies", data={**form, "shortcut": "/退 货"})
    assert bad.status_code == 422
    assert "快捷短语以 / 开头" in bad.text and "请申请售后" in bad.text
    taken = await client.post("/canned-replies", data={**form, "shortcut": "/退货"})
    assert taken.status_code == 409 and "已被使用" in taken.text

    listed = (await client.get("/canned-replies")).text
    reply_id = re.findall(r'<tr id="canned-(\d+)"', listed)[0]
    edit = await client.get(f"/canned-replies/{reply_id}/edit")
    assert edit.status_code == 200 and "/退货" in edit.text
    updated = await client.post(
        f"/canned-replies/{reply_id}", data={**form, "shortcut": "/refund", "language": "en"}
    )
    assert updated.status_code == 303
    assert await _shortcuts(db, shop.id) == ["/refund"]
    deleted = await client.post(f"/canned-replies/{reply_id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 303
    assert await _shortcuts(db, shop.id) == []


async def test_agents_see_the_replies_but_no_forms_and_cannot_post(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    reply_id = await _reply(db, shop.id, "/物流", "查询物流", "<i>在路上</i>")
    csrf = await web_login(client, await factory.user(shop))
    page = await client.get("/canned-replies")
    assert page.status_code == 200
    assert "/物流" in page.text and "&lt;i&gt;在路上&lt;/i&gt;" in page.text
    assert "canned-form" not in page.text and "/delete" not in page.text
    refused = await client.post(f"/canned-replies/{reply_id}/delete", data={"csrf_token": csrf})
    assert refused.status_code == 403
    assert (await client.get(f"/canned-replies/{reply_id}/edit")).status_code == 403
    assert await _shortcuts(db, shop.id) == ["/物流"]


async def test_another_shops_reply_cannot_be_edited_from_the_page(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    theirs = await _reply(db, other.id, "/秘密", "秘密", "x")
    csrf = await web_login(client, await factory.user(shop, role="supervisor"))
    assert (await client.get(f"/canned-replies/{theirs}/edit")).status_code == 404
    response = await client.post(f"/canned-replies/{theirs}/delete", data={"csrf_token": csrf})
    assert response.status_code == 404
    assert await _shortcuts(db, other.id) == ["/秘密"]


# ---- transfer from the side panel ----------------------------------------------------------


async def test_agent_transfers_from_the_panel_and_sees_the_note(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    me = await factory.user(shop, name="李娜")
    colleague = await factory.user(shop, name="周杰")
    conversation = await factory.conversation(shop, assignee=me)
    csrf = await web_login(client, me)
    page = (await client.get(f"/conversations/{conversation.id}")).text
    assert f'value="user:{colleague.id}"' in page

    path = f"/conversations/{conversation.id}/transfer"
    missing = await client.post(
        path, data={"csrf_token": csrf, "target": "", "note": "x"}, headers=HTMX
    )
    assert missing.status_code == 422
    assert missing.headers["HX-Retarget"] == "#transfer-card"
    assert "请选择要转接的同事或小组" in missing.text

    response = await client.post(
        path,
        data={"csrf_token": csrf, "target": f"user:{colleague.id}", "note": "<b>要退款</b>"},
        headers=HTMX,
    )
    assert response.status_code == 200, response.text
    assert 'id="conversation-panel"' in response.text and "周杰" in response.text
    assert "转接给 周杰：&lt;b&gt;要退款&lt;/b&gt;" in response.text
    assert 'hx-swap-oob="beforeend:#timeline"' in response.text
    async with db.session() as session:
        stored = await session.get(Conversation, conversation.id)
        note = await session.scalar(
            select(Message.body).where(
                Message.conversation_id == conversation.id, Message.is_internal.is_(True)
            )
        )
    assert stored is not None and stored.assignee_id == colleague.id
    assert note == "转接给 周杰：<b>要退款</b>"
    # Now it is the colleague's: the agent's page no longer offers to transfer it.
    again = (await client.get(f"/conversations/{conversation.id}")).text
    assert "transfer-form" not in again


async def test_plain_form_transfer_redirects_back_to_the_note(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    supervisor = await factory.user(shop, role="supervisor")
    colleague = await factory.user(shop)
    conversation = await factory.conversation(shop)
    csrf = await web_login(client, supervisor)
    response = await client.post(
        f"/conversations/{conversation.id}/transfer",
        data={"csrf_token": csrf, "target": f"user:{colleague.id}", "note": "夜班交接"},
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/conversations/{conversation.id}#message-")
