"""Escalation, sub-tasks on the conversation page, and the department staff's task list."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from kefu.conversations.models import Conversation, Subtask
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory
from tests.routing.support import make_queue, make_subtask, queued
from tests.web.support import HTMX, web_login

PAYLOAD = "<script>alert(1)</script>"


async def _task(db: Database, task_id: int) -> Subtask:
    async with db.session() as session:
        task = await session.get(Subtask, task_id)
        assert task is not None
        return task


async def _conversation(db: Database, conversation_id: int) -> Conversation:
    async with db.session() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation


async def test_panel_lists_sub_tasks_in_zh_and_en_with_overdue_badges_escaped(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    conversation = await factory.conversation(shop, assignee=agent)
    await make_subtask(
        db, conversation, title=PAYLOAD, due_at=utcnow() - timedelta(hours=1), department="tech"
    )
    await make_subtask(db, conversation, department="warehouse", title="补发", status="done")
    await web_login(client, agent)

    zh = (await client.get(f"/conversations/{conversation.id}?lang=zh")).text
    assert 'id="subtasks-card"' in zh and "协作任务" in zh
    assert "技术部" in zh and "仓库" in zh and "已逾期" in zh and "1 个进行中" in zh
    assert PAYLOAD not in zh and "&lt;script&gt;alert(1)&lt;/script&gt;" in zh
    assert "升级" in zh and f'action="/conversations/{conversation.id}/escalate"' in zh
    en = (await client.get(f"/conversations/{conversation.id}?lang=en")).text
    assert "Sub-tasks" in en and "Overdue" in en and "Tech" in en and "Escalate" in en
    # Only the open one can still be finished.
    assert en.count('class="subtask-finish"') == 1


async def test_agent_creates_and_finishes_a_sub_task_and_cannot_resolve_meanwhile(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    conversation = await factory.conversation(shop, assignee=agent)
    csrf = await web_login(client, agent)
    url = f"/conversations/{conversation.id}/subtasks"

    blank = await client.post(
        url, data={"csrf_token": csrf, "department": "logistics", "title": " "}, headers=HTMX
    )
    assert blank.status_code == 422 and "请填写事项" in blank.text
    past = await client.post(
        url,
        data={
            "csrf_token": csrf,
            "department": "logistics",
            "title": "查件",
            "due": "2001-01-01T10:00",
        },
        headers=HTMX,
    )
    assert past.status_code == 422 and "截止时间无效或已过去" in past.text
    due = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    created = await client.post(
        url,
        data={"csrf_token": csrf, "department": "logistics", "title": "查件", "due": due},
        headers=HTMX,
    )
    assert created.status_code == 200 and 'id="subtasks-card"' in created.text
    assert "物流部" in created.text and "查件" in created.text
    async with db.session() as session:
        task = await session.scalar(
            select(Subtask).where(Subtask.conversation_id == conversation.id)
        )
    assert task is not None and task.due_at is not None and task.status == "open"

    # Resolving waits for the department: the flash says so.
    refused = await client.post(
        f"/conversations/{conversation.id}/status",
        data={"csrf_token": csrf, "status": "resolved"},
        headers=HTMX,
    )
    assert refused.status_code == 409
    assert refused.headers["HX-Retarget"] == "#flash"
    assert "还有协作任务没有完成" in refused.text
    assert (await _conversation(db, conversation.id)).status == "open"

    done = await client.post(
        f"/subtasks/{task.id}/finish",
        data={"csrf_token": csrf, "result": "已联系快递", "cancel": "0"},
        headers=HTMX,
    )
    assert done.status_code == 200 and "已联系快递" in done.text and "已完成" in done.text
    assert (await _task(db, task.id)).status == "done"
    resolved = await client.post(
        f"/conversations/{conversation.id}/status",
        data={"csrf_token": csrf, "status": "resolved"},
    )
    assert resolved.status_code == 303


async def test_plain_form_creates_a_sub_task_and_cancels_it(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    conversation = await factory.conversation(shop, assignee=agent)
    csrf = await web_login(client, agent)
    response = await client.post(
        f"/conversations/{conversation.id}/subtasks",
        data={"csrf_token": csrf, "department": "tech", "title": "页面报错", "note": "截图见上"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/conversations/{conversation.id}#subtasks-card"
    async with db.session() as session:
        task = await session.scalar(
            select(Subtask).where(Subtask.conversation_id == conversation.id)
        )
    assert task is not None and task.note == "截图见上"
    cancelled = await client.post(
        f"/subtasks/{task.id}/finish", data={"csrf_token": csrf, "cancel": "1"}
    )
    assert cancelled.status_code == 303
    assert (await _task(db, task.id)).status == "cancelled"


async def test_department_user_sees_and_finishes_only_their_department(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    mine = await make_subtask(db, conversation, department="logistics", title="查询包裹位置")
    theirs = await make_subtask(db, conversation, department="warehouse", title="仓库盘点")
    other_shop = await factory.shop("别家店")
    stranger = await make_subtask(
        db, await factory.conversation(other_shop), department="logistics", title="别家店的件"
    )
    staff = await factory.user(shop, role="department", department="logistics")
    csrf = await web_login(client, staff)

    page = (await client.get("/tasks?department=warehouse")).text
    assert "查询包裹位置" in page and "仓库盘点" not in page and "别家店的件" not in page
    assert f'href="/conversations/{conversation.id}#subtask-{mine.id}"' in page
    assert 'name="department"' not in page  # no filter: always their own department
    assert 'href="/tasks" aria-current="page"' in page

    done = await client.post(
        f"/subtasks/{mine.id}/finish",
        data={"csrf_token": csrf, "result": "包裹在杭州", "cancel": "0", "back": "/tasks?open=1"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/tasks?open=1"
    finished = await _task(db, mine.id)
    assert finished.status == "done" and finished.result == "包裹在杭州"
    assert finished.assignee_id == staff.id
    refused = await client.post(
        f"/subtasks/{theirs.id}/finish", data={"csrf_token": csrf, "result": "x"}
    )
    assert refused.status_code == 403
    assert (
        await client.post(f"/subtasks/{stranger.id}/finish", data={"csrf_token": csrf})
    ).status_code == 404
    assert (await _task(db, theirs.id)).status == "open"
    # The conversation page shows them the panel, without the create form or others' buttons.
    thread = (await client.get(f"/conversations/{conversation.id}")).text
    assert "仓库盘点" in thread and "新建协作任务" not in thread
    assert 'class="subtask-finish"' not in thread


async def test_supervisor_sees_every_department_and_filters(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    conversation = await factory.conversation(shop)
    await make_subtask(db, conversation, department="logistics", title="查询包裹位置")
    await make_subtask(db, conversation, department="tech", title="修复优惠券")
    await make_subtask(db, conversation, department="tech", title="旧任务", status="done")
    await web_login(client, await factory.user(shop, role="supervisor"))

    everything = (await client.get("/tasks?lang=en")).text
    assert "查询包裹位置" in everything and "修复优惠券" in everything
    assert "旧任务" not in everything and "All departments" in everything
    tech = (await client.get("/tasks?department=tech&open=0")).text
    assert "修复优惠券" in tech and "旧任务" in tech and "查询包裹位置" not in tech


async def test_escalation_puts_the_conversation_back_in_the_queue_for_a_senior(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, "售后", "aftersales", default=True)
    agent = await factory.user(shop)
    conversation = await queued(factory, shop, queue, at=utcnow() - timedelta(minutes=5))
    async with db.session() as session:
        row = await session.get(Conversation, conversation.id)
        assert row is not None
        row.assignee_id = agent.id
        await session.commit()
    csrf = await web_login(client, agent)
    url = f"/conversations/{conversation.id}/escalate"

    blank = await client.post(url, data={"csrf_token": csrf, "note": "  "}, headers=HTMX)
    assert blank.status_code == 422 and "请写明升级原因" in blank.text
    response = await client.post(url, data={"csrf_token": csrf, "note": "退款纠纷"}, headers=HTMX)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/conversations/{conversation.id}"
    after = await _conversation(db, conversation.id)
    assert after.assignee_id is None and after.min_tier == "senior"
    assert after.queue_id == queue.id and after.queued_at is not None
    assert after.queued_at > utcnow() - timedelta(minutes=1)


async def test_transfer_form_offers_the_shops_queues(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    presales = await make_queue(db, shop, "售前", "presales", default=True)
    complaints = await make_queue(db, shop, "<i>投诉</i>", "complaints")
    agent = await factory.user(shop)
    conversation = await queued(factory, shop, presales)
    async with db.session() as session:
        row = await session.get(Conversation, conversation.id)
        assert row is not None
        row.assignee_id = agent.id
        await session.commit()
    csrf = await web_login(client, agent)
    page = (await client.get(f"/conversations/{conversation.id}")).text
    assert f'value="queue:{complaints.id}"' in page and "&lt;i&gt;投诉&lt;/i&gt;" in page
    moved = await client.post(
        f"/conversations/{conversation.id}/transfer",
        data={"csrf_token": csrf, "target": f"queue:{complaints.id}", "note": "投诉升级"},
    )
    assert moved.status_code == 303
    after = await _conversation(db, conversation.id)
    assert after.queue_id == complaints.id and after.assignee_id is None
