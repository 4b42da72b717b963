"""The SLA pages: admins edit calendars and policies in Chinese or English, supervisors see
attainment only, agents are turned away; the inbox and the conversation page show the clocks."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from kefu.accounts.models import Shop
from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.conversations.models import Conversation
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.sla import service as sla_service
from kefu.sla import sync
from kefu.sla.admin import add_default_policies
from kefu.sla.models import SlaCalendar, SlaPolicy
from tests.factories import Factory
from tests.routing.support import queued
from tests.web.support import web_login

PAGE = "/admin/sla"
SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
WEEKDAYS = {f"day{d}": "09:00-18:00" for d in range(5)} | {"day5": "", "day6": ""}


@pytest.fixture
async def shop(factory: Factory) -> Shop:
    return await factory.shop("时效页面店")


async def _defaults(db: Database, shop: Shop) -> None:
    async with db.session() as session:
        await add_default_policies(session, shop_id=shop.id, now=utcnow())
        await session.commit()


async def _calendars(db: Database, shop: Shop) -> list[SlaCalendar]:
    async with db.session() as session:
        rows = await session.scalars(
            select(SlaCalendar).where(SlaCalendar.shop_id == shop.id).order_by(SlaCalendar.id)
        )
        return list(rows)


async def _policies(db: Database, shop: Shop) -> list[SlaPolicy]:
    async with db.session() as session:
        rows = await session.scalars(
            select(SlaPolicy).where(SlaPolicy.shop_id == shop.id).order_by(SlaPolicy.id)
        )
        return list(rows)


async def test_admin_sees_policies_calendars_and_attainment_in_chinese_and_english(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    await _defaults(db, shop)
    await web_login(client, await factory.user(shop, role="admin"))
    zh = await client.get(PAGE, params={"lang": "zh"})
    assert zh.status_code == 200, zh.text
    for text in ("服务时效（SLA）", "营业日历", "时效策略", "达成情况", "近 7 天", "近 30 天"):
        assert text in zh.text
    assert "营业时间" in zh.text and "在线咨询" in zh.text and "09:00–23:00" in zh.text
    assert "2 分钟" in zh.text and "24 小时" in zh.text and "首次响应" in zh.text
    assert 'href="/admin/sla" aria-current="page"' in zh.text
    assert '<option value="Asia/Shanghai" selected>' in zh.text
    en = await client.get(PAGE, params={"lang": "en"})
    assert en.status_code == 200
    for text in ("Service levels (SLA)", "Business calendars", "Policies", "Last 30 days"):
        assert text in en.text
    assert "First response" in en.text and "Complaint feedback" in en.text


async def test_supervisor_sees_attainment_only_and_agent_is_refused(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    await _defaults(db, shop)
    csrf = await web_login(client, await factory.user(shop, role="supervisor"))
    page = await client.get(PAGE)
    assert page.status_code == 200 and "达成情况" in page.text
    assert "在线咨询" not in page.text and 'action="/admin/sla/policies"' not in page.text
    assert "只有管理员可以查看和修改" in page.text
    refused = await client.post(f"{PAGE}/policies", data={"csrf_token": csrf, "name": "x"})
    assert refused.status_code == 403

    client.cookies.clear()
    await web_login(client, await factory.user(shop, role="agent"))
    inbox = await client.get("/conversations")
    assert 'href="/admin/sla"' not in inbox.text
    assert (await client.get(PAGE)).status_code == 403


async def test_admin_adds_edits_and_deletes_a_calendar(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    csrf = await web_login(client, await factory.user(shop, role="admin"))
    form = {"csrf_token": csrf, "name": "工作日", "timezone": "Asia/Shanghai", **WEEKDAYS}
    created = await client.post(
        f"{PAGE}/calendars", data=form | {"holidays": "2025-10-01\n2025-10-02"}
    )
    assert created.status_code == 303, created.text
    (calendar,) = await _calendars(db, shop)
    assert calendar.weekly[0] == [[540, 1080]] and calendar.weekly[6] == []
    assert calendar.holidays == ["2025-10-01", "2025-10-02"] and calendar.is_default
    page = await client.get(created.headers["location"])
    assert "日历已保存" in page.text and "工作日" in page.text

    editing = await client.get(PAGE, params={"calendar": calendar.id})
    assert 'value="09:00-18:00"' in editing.text and "2025-10-01" in editing.text
    split = form | {"day0": "09:00-12:00，13:00–18:00", "day6": "10:00-16:00"}
    edited = await client.post(
        f"{PAGE}/calendars/{calendar.id}", data=split | {"is_default": "true"}
    )
    assert edited.status_code == 303, edited.text
    (calendar,) = await _calendars(db, shop)
    assert calendar.weekly[0] == [[540, 720], [780, 1080]] and calendar.weekly[6] == [[600, 960]]
    assert calendar.holidays == []

    deleted = await client.post(f"{PAGE}/calendars/{calendar.id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 303
    assert await _calendars(db, shop) == []


async def test_bad_calendars_come_back_with_what_was_typed_and_why(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    csrf = await web_login(client, await factory.user(shop, role="admin"))
    form = {"csrf_token": csrf, "name": SCRIPT, "timezone": "Asia/Shanghai", **WEEKDAYS}
    typo = await client.post(f"{PAGE}/calendars", data=form | {"day2": "9点到18点"})
    assert typo.status_code == 422
    assert "营业时间格式不对" in typo.text and "9点到18点" in typo.text
    assert ESCAPED in typo.text and SCRIPT not in typo.text
    backwards = await client.post(f"{PAGE}/calendars", data=form | {"day0": "18:00-09:00"})
    assert backwards.status_code == 422 and "结束时间须晚于开始时间" in backwards.text
    closed = {f"day{d}": "" for d in range(7)}
    never = await client.post(f"{PAGE}/calendars?lang=en", data=form | closed)
    assert never.status_code == 422 and "at least an hour of opening a week" in never.text
    bad_day = await client.post(f"{PAGE}/calendars?lang=zh", data=form | {"holidays": "2025-13-01"})
    assert bad_day.status_code == 422 and "节假日格式不对" in bad_day.text
    assert await _calendars(db, shop) == []


async def test_a_calendar_in_use_is_not_deleted(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    await _defaults(db, shop)
    (calendar,) = await _calendars(db, shop)
    async with db.session() as session:
        await session.execute(
            update(SlaPolicy).where(SlaPolicy.shop_id == shop.id).values(calendar_id=calendar.id)
        )
        await session.commit()
    csrf = await web_login(client, await factory.user(shop, role="admin"))
    refused = await client.post(f"{PAGE}/calendars/{calendar.id}/delete", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert "有 2 条时效策略正在使用这个日历" in refused.text
    assert len(await _calendars(db, shop)) == 1


async def test_admin_adds_edits_and_deletes_a_policy(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    csrf = await web_login(client, await factory.user(shop, role="admin"))
    form = {
        "csrf_token": csrf,
        "name": "VIP 在线",
        "priorities": ["high", "urgent"],
        "channels": ["web"],
        "min_customer_level": "3",
        "first_response_value": "90",
        "first_response_unit": "minutes",
        "resolution_value": "8",
        "resolution_unit": "hours",
        "feedback_value": "24",
        "feedback_unit": "hours",
        "business_hours": "true",
        "warn_percent": "75",
        "enabled": "true",
    }
    created = await client.post(f"{PAGE}/policies", data=form)
    assert created.status_code == 303, created.text
    (policy,) = await _policies(db, shop)
    assert (policy.priorities, policy.channels, policy.min_customer_level) == (
        ["high", "urgent"],
        ["web"],
        3,
    )
    assert (policy.first_response_seconds, policy.next_response_seconds) == (5400, None)
    assert (policy.resolution_seconds, policy.feedback_seconds) == (8 * 3600, 24 * 3600)
    assert policy.warn_fraction == 0.75 and policy.enabled and policy.position == 0

    editing = await client.get(PAGE, params={"policy": policy.id})
    assert 'name="first_response_value" value="90"' in editing.text
    bad = await client.post(f"{PAGE}/policies/{policy.id}", data=form | {"warn_percent": "150"})
    assert bad.status_code == 422 and "预警比例须在 1–99% 之间" in bad.text
    changed = form | {"first_response_value": "", "enabled": "", "channels": []}
    edited = await client.post(f"{PAGE}/policies/{policy.id}", data=changed)
    assert edited.status_code == 303, edited.text
    (policy,) = await _policies(db, shop)
    assert policy.first_response_seconds is None and not policy.enabled and policy.channels == []

    deleted = await client.post(f"{PAGE}/policies/{policy.id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 303
    assert await _policies(db, shop) == []


async def test_the_inbox_shows_how_long_is_left_and_how_late(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    now = utcnow()
    late = await factory.conversation(shop, subject="迟了")
    soon = await factory.conversation(shop, subject="快了")
    async with db.session() as session:
        for row, due in (
            (late, now - timedelta(minutes=5, seconds=30)),
            (soon, now + timedelta(minutes=8)),
        ):
            await session.execute(
                update(Conversation).where(Conversation.id == row.id).values(sla_due_at=due)
            )
        await session.commit()
    await web_login(client, await factory.user(shop, role="agent"))
    zh = await client.get("/conversations", params={"lang": "zh"})
    assert "sla-overdue" in zh.text and "已超时 6 分" in zh.text
    assert "sla-soon" in zh.text and "还剩 8 分" in zh.text
    en = await client.get("/conversations", params={"lang": "en"})
    assert "6m overdue" in en.text and "8m left" in en.text


async def test_the_conversation_page_lists_its_clocks(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    await _defaults(db, shop)
    now = utcnow()
    conversation = await queued(factory, shop, None, at=now - timedelta(minutes=1))
    async with db.session() as session:
        await sync.track(session, conversation_ids=[conversation.id], now=now)
    await web_login(client, await factory.user(shop, role="supervisor"))
    page = await client.get(f"/conversations/{conversation.id}", params={"lang": "zh"})
    assert page.status_code == 200, page.text
    assert 'id="sla-card"' in page.text
    assert "首次响应" in page.text and "解决" in page.text
    card = await client.get(f"/conversations/{conversation.id}/sla", params={"lang": "en"})
    assert card.status_code == 200
    assert "First response" in card.text and "Resolution" in card.text
    assert "Running" in card.text or "Breached" in card.text


async def test_the_inbox_marks_conversations_that_breached_an_sla(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    await _defaults(db, shop)
    now = utcnow()
    # Waiting for a first reply for two days: its first-response clock is long breached.
    late = await queued(factory, shop, None, at=now - timedelta(days=2))
    fine = await queued(factory, shop, None, at=now)
    async with db.session() as session:
        await sync.track(session, conversation_ids=[late.id, fine.id], now=now)
    async with db.session() as session:
        await sla_service.sweep(session, now=now)
    await web_login(client, await factory.user(shop, role="agent"))
    zh = await client.get("/conversations", params={"lang": "zh"})
    assert zh.text.count("SLA 已违约") == 1
    en = await client.get("/conversations", params={"lang": "en"})
    assert en.text.count("SLA breached") == 1
    agent = await factory.user(shop, role="agent")
    actor = Principal(shop_id=shop.id, role=Role.AGENT, user_id=agent.id)
    async with db.session() as session:
        found = await sla_service.breached_among(
            session, actor=actor, conversation_ids=[late.id, fine.id]
        )
    assert found == {late.id}
