"""The conversation list: tenant isolation, status tabs, filters, search, pages and htmx swaps."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from kefu.conversations.models import Conversation, ConversationTag
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory
from tests.web.support import HTMX, web_login

_ROW = re.compile(r'<a class="conv-row[^"]*" href="/conversations/(\d+)"')


def listed(html: str) -> list[int]:
    return [int(i) for i in _ROW.findall(html)]


async def _tag(db: Database, conversation: Conversation, *names: str) -> None:
    async with db.session() as session:
        for name in names:
            session.add(
                ConversationTag(
                    conversation_id=conversation.id, name=name, shop_id=conversation.shop_id
                )
            )
        await session.commit()


async def _set(db: Database, conversation: Conversation, **values: object) -> None:
    async with db.session() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == conversation.id).values(**values)
        )
        await session.commit()


async def test_list_shows_the_shops_conversations_and_never_another_shops(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    vip = await factory.customer(shop, name="张伟", vip_level=3)
    mine = await factory.conversation(
        shop, customer=vip, subject="退货申请", messages=("商品有划痕，想退货",)
    )
    theirs = await factory.conversation(
        other, customer=await factory.customer(other, name="别家顾客"), subject="别家的会话"
    )
    await web_login(client, await factory.user(shop))
    r = await client.get("/conversations")
    assert r.status_code == 200
    assert listed(r.text) == [mine.id]
    for text in ("张伟", "VIP3", "退货申请", "商品有划痕，想退货", "网页", "待处理", "未分配"):
        assert text in r.text
    assert "别家" not in r.text
    assert f"/conversations/{theirs.id}" not in r.text
    assert r.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in r.headers["content-security-policy"]


async def test_status_tabs_filter_and_count(client: httpx.AsyncClient, factory: Factory) -> None:
    shop = await factory.shop()
    opened = await factory.conversation(shop, status="open")
    pending = await factory.conversation(shop, status="pending")
    resolved = await factory.conversation(shop, status="resolved")
    await web_login(client, await factory.user(shop))
    assert listed((await client.get("/conversations")).text) == [opened.id]
    r = await client.get("/conversations", params={"status": "pending"})
    assert listed(r.text) == [pending.id]
    assert re.search(r'aria-current="page">\s*等待回复\s*<span class="count">1</span>', r.text)
    r = await client.get("/conversations", params={"status": "all"})
    assert set(listed(r.text)) == {opened.id, pending.id, resolved.id}
    assert re.search(r'全部\s*<span class="count">3</span>', r.text)
    # Unknown values fall back to the defaults instead of failing.
    r = await client.get("/conversations", params={"status": "bogus", "limit": "x"})
    assert (r.status_code, listed(r.text)) == (200, [opened.id])


async def test_mine_and_unassigned(client: httpx.AsyncClient, factory: Factory) -> None:
    shop = await factory.shop()
    me, colleague = await factory.user(shop), await factory.user(shop)
    mine = await factory.conversation(shop, assignee=me)
    theirs = await factory.conversation(shop, assignee=colleague)
    nobody = await factory.conversation(shop)
    await web_login(client, me)
    r = await client.get("/conversations", params={"assignee": "me"})
    assert listed(r.text) == [mine.id]
    r = await client.get("/conversations", params={"assignee": "none"})
    assert listed(r.text) == [nobody.id]
    r = await client.get("/conversations", params={"assignee": "all"})
    assert set(listed(r.text)) == {mine.id, theirs.id, nobody.id}
    assert colleague.name in r.text


async def test_channel_tag_and_priority_filters(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    web = await factory.conversation(shop, channel="web")
    email = await factory.conversation(shop, channel="email")
    urgent = await factory.conversation(shop, channel="im")
    await _set(db, urgent, priority="urgent")
    await _tag(db, email, "退款", "物流")
    await web_login(client, await factory.user(shop))
    r = await client.get("/conversations", params={"channel": "email"})
    assert listed(r.text) == [email.id]
    r = await client.get("/conversations", params={"tag": "退款"})
    assert listed(r.text) == [email.id]
    assert '<span class="tag">物流</span>' in r.text
    assert '<option value="退款" selected>退款</option>' in r.text
    r = await client.get("/conversations", params={"priority": "urgent"})
    assert listed(r.text) == [urgent.id]
    assert "紧急" in r.text
    r = await client.get("/conversations", params={"channel": "web", "priority": "urgent"})
    assert listed(r.text) == []
    assert "没有符合条件的会话" in r.text
    assert web.id in listed((await client.get("/conversations")).text)


async def test_search_finds_chinese_substrings_in_messages_subjects_and_names(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    by_message = await factory.conversation(shop, messages=("我买的蓝牙耳机左边没有声音",))
    by_subject = await factory.conversation(shop, subject="发票抬头修改")
    by_name = await factory.conversation(
        shop, customer=await factory.customer(shop, name="欧阳娜娜")
    )
    await factory.conversation(shop, messages=("谢谢",))
    await web_login(client, await factory.user(shop))
    for query, expected in (("耳机左边", by_message), ("抬头", by_subject), ("欧阳", by_name)):
        r = await client.get("/conversations", params={"q": query})
        assert listed(r.text) == [expected.id], query
        assert f'value="{query}"' in r.text
    r = await client.get("/conversations", params={"q": "100%_"})
    assert listed(r.text) == []


async def test_pages_follow_limit_and_offset(client: httpx.AsyncClient, factory: Factory) -> None:
    shop = await factory.shop()
    start = utcnow() - timedelta(hours=1)
    made = [await factory.conversation(shop, at=start + timedelta(minutes=i)) for i in range(5)]
    newest_first = [c.id for c in reversed(made)]
    await web_login(client, await factory.user(shop))
    first = await client.get("/conversations", params={"limit": 2})
    assert listed(first.text) == newest_first[:2]
    assert "第 1–2 个，共 5 个" in first.text
    assert 'href="/conversations?offset=2&amp;limit=2" rel="next"' in first.text
    assert 'rel="prev"' not in first.text
    last = await client.get("/conversations", params={"limit": 2, "offset": 4})
    assert listed(last.text) == newest_first[4:]
    assert 'rel="next"' not in last.text
    assert 'href="/conversations?offset=2&amp;limit=2" rel="prev"' in last.text


async def test_htmx_filter_requests_get_only_the_list(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    pending = await factory.conversation(shop, status="pending")
    await web_login(client, await factory.user(shop))
    r = await client.get(
        "/conversations",
        params={"status": "pending"},
        headers={**HTMX, "HX-Target": "conversation-list"},
    )
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section id="conversation-list"')
    assert "<html" not in r.text
    assert listed(r.text) == [pending.id]
    # The status field of the filter form and the language link follow the new address.
    assert 'id="filter-status" name="status" value="pending" hx-swap-oob="true"' in r.text
    assert 'href="/conversations?status=pending&amp;lang=en"' in r.text
    assert "HX-Request" in r.headers["vary"]
    # A history restore asks for the whole page.
    r = await client.get(
        "/conversations",
        headers={**HTMX, "HX-History-Restore-Request": "true", "HX-Target": "conversation-list"},
    )
    assert r.text.startswith("<!doctype html>")


async def test_strangers_are_sent_to_login(client: httpx.AsyncClient) -> None:
    r = await client.get("/conversations")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fconversations"
    r = await client.get("/conversations", headers=HTMX)
    assert r.headers["hx-redirect"] == "/login?next=%2Fconversations"


async def test_rows_count_customer_messages_waiting_for_a_reply(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    waiting = await factory.conversation(shop, messages=("在吗", "订单到哪了？"))
    csrf = await web_login(client, await factory.user(shop))
    page = (await client.get("/conversations")).text
    assert 'class="unanswered-badge" title="2 条消息待回复"' in page

    def unanswered(listing: dict[str, Any]) -> int:
        [row] = [c for c in listing["items"] if c["id"] == waiting.id]
        return int(row["unanswered"])

    headers = {"X-CSRF-Token": csrf}
    reply = await client.post(
        f"/api/v1/conversations/{waiting.id}/messages", json={"body": "在的"}, headers=headers
    )
    assert reply.status_code == 201, reply.text
    note = {"body": "内部备注不算回复", "internal": True}
    await client.post(f"/api/v1/conversations/{waiting.id}/messages", json=note, headers=headers)
    assert unanswered((await client.get("/api/v1/conversations")).json()) == 0
    assert "unanswered-badge" not in (await client.get("/conversations")).text
