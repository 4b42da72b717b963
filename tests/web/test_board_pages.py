"""The supervisors' live board page and the agents' presence switch in the header."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import select

from kefu.accounts.models import AuditEvent
from kefu.conversations.models import Conversation, Message
from kefu.customers.models import Customer
from kefu.routing.models import AgentState
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.web.board_pages import wait_text
from tests.factories import Factory
from tests.routing.support import make_agent, make_queue, queued
from tests.web.support import HTMX, web_login

PAYLOAD = "<script>alert(1)</script>"


def test_waits_read_as_minutes_and_seconds_in_both_languages() -> None:
    assert wait_text(192, locale="zh") == "3分12秒"
    assert wait_text(192, locale="en") == "3m 12s"
    assert wait_text(42.4, locale="en") == "42s"
    assert wait_text(3 * 3600 + 600, locale="zh") == "3小时10分"
    assert wait_text(None, locale="zh") == "—"


async def test_board_shows_queues_agents_and_who_waits_in_zh_and_en(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "售前咨询", "presales", default=True)
    await make_agent(factory, shop, skills={queue.id: 3}, tier="senior")
    conversation = await queued(factory, shop, queue, at=utcnow() - timedelta(seconds=192))
    async with db.session() as session:
        row = await session.get(Conversation, conversation.id)
        assert row is not None
        row.angry = True
        customer = await session.get(Customer, row.customer_id)
        assert customer is not None
        customer.name, customer.vip_level = PAYLOAD, 2
        await session.commit()
    await web_login(client, await factory.user(shop, role="supervisor"))

    page = await client.get("/board?lang=zh")
    assert page.status_code == 200
    html = page.text
    assert 'href="/board" aria-current="page"' in html
    assert "售前咨询" in html and "排队中的会话" in html and "即将超时的 SLA" in html
    assert re.search(r"3分1[2-4]秒", html), "the wait reads 3分12秒"
    assert f'href="/conversations/{conversation.id}"' in html
    assert "情绪激动" in html and "VIP2" in html
    assert PAYLOAD not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'hx-get="/board/live"' in html and 'hx-trigger="every 5s"' in html
    assert f'action="/board/conversations/{conversation.id}/assign"' in html

    live = await client.get("/board/live?lang=en", headers=HTMX)
    assert live.status_code == 200
    assert 'id="board-live"' in live.text and "<html" not in live.text
    assert "Waiting conversations" in live.text and "Expected wait" in live.text
    assert re.search(r"3m 1[2-4]s", live.text)
    assert "Senior" in live.text and "0/3" in live.text


async def test_agents_are_refused_from_the_board_and_do_not_see_its_link(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await web_login(client, await factory.user(shop))
    assert 'href="/board"' not in (await client.get("/conversations")).text
    assert (await client.get("/board")).status_code == 403
    assert (await client.get("/board/live", headers=HTMX)).status_code == 403


async def test_supervisor_assigns_a_waiting_conversation_by_hand_with_an_audit_row(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "售后", "aftersales", default=True)
    agent = await make_agent(factory, shop, skills={queue.id: 3}, online=False)
    first = await queued(factory, shop, queue)
    second = await queued(factory, shop, queue)
    supervisor = await factory.user(shop, role="supervisor")
    csrf = await web_login(client, supervisor)

    plain = await client.post(
        f"/board/conversations/{first.id}/assign", data={"csrf_token": csrf, "agent": agent.id}
    )
    assert plain.status_code == 303 and plain.headers["location"] == "/board"
    fragment = await client.post(
        f"/board/conversations/{second.id}/assign",
        data={"csrf_token": csrf, "agent": str(agent.id)},
        headers=HTMX,
    )
    assert fragment.status_code == 200
    assert f"已分配会话 #{second.id}" in fragment.text
    assert f'id="waiting-{second.id}"' not in fragment.text

    async with db.session() as session:
        for conversation in (first, second):
            row = await session.get(Conversation, conversation.id)
            assert row is not None and row.assignee_id == agent.id
        audits = (
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.shop_id == shop.id, AuditEvent.action == "conversation.transfer"
                )
            )
        ).all()
        assert {a.target_id for a in audits} == {str(first.id), str(second.id)}
        assert all(a.actor_user_id == supervisor.id for a in audits)
        notes = await session.scalars(
            select(Message.body).where(
                Message.conversation_id == first.id, Message.is_internal.is_(True)
            )
        )
        assert any("实时看板" in body for body in notes)


async def test_agents_cannot_assign_from_the_board(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "售后", "aftersales", default=True)
    colleague = await make_agent(factory, shop, skills={queue.id: 3})
    conversation = await queued(factory, shop, queue)
    csrf = await web_login(client, await factory.user(shop))
    response = await client.post(
        f"/board/conversations/{conversation.id}/assign",
        data={"csrf_token": csrf, "agent": colleague.id},
    )
    assert response.status_code == 403


async def _presence(db: Database, user_id: int) -> tuple[str, bool] | None:
    async with db.session() as session:
        state = await session.get(AgentState, user_id)
        return (state.presence, state.presence_auto) if state else None


async def test_agent_sees_and_switches_presence_in_the_header(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    agent = await make_agent(factory, shop, skills={})
    csrf = await web_login(client, agent)
    page = (await client.get("/conversations?lang=en")).text
    assert 'id="presence-switch"' in page and 'data-presence="online"' in page
    assert re.search(r'value="online" class="presence-option"\s+aria-pressed="true"', page)
    assert "presence.js" in page and 'data-idle-minutes="10"' in page

    swapped = await client.post(
        "/presence", data={"csrf_token": csrf, "presence": "away"}, headers=HTMX
    )
    assert swapped.status_code == 200 and 'data-presence="away"' in swapped.text
    assert await _presence(db, agent.id) == ("away", False)
    # Inactivity (auto) never overrides away the agent chose.
    api = await client.put(
        "/api/v1/routing/presence",
        json={"presence": "online", "auto": True},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 200 and api.json()["presence"] == "away"
    back = await client.post(
        "/presence",
        data={"csrf_token": csrf, "presence": "online"},
        headers={"referer": "http://kefu.test/kb?q=1"},
    )
    assert back.status_code == 303 and back.headers["location"] == "/kb?q=1"
    elsewhere = await client.post(
        "/presence",
        data={"csrf_token": csrf, "presence": "online"},
        headers={"referer": "https://evil.example/kb"},
    )
    assert elsewhere.headers["location"] == "/conversations"
    assert await _presence(db, agent.id) == ("online", False)
    refused = await client.post("/presence", data={"csrf_token": csrf, "presence": "busy"})
    assert refused.status_code == 422


async def test_department_staff_have_no_presence_switch(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await web_login(client, await factory.user(shop, role="department"))
    page = (await client.get("/conversations")).text
    assert "presence-switch" not in page and "presence.js" not in page
    assert 'href="/tasks"' in page and 'href="/board"' not in page
