"""The routing settings page: admins see and change queues, rules, agents' profiles and the
shop's settings in Chinese or English; supervisors only look; agents are turned away."""

from __future__ import annotations

from html import unescape

import httpx
import pytest
from sqlalchemy import select

from kefu.accounts.models import Shop, User
from kefu.routing.models import AgentSkill, AgentState, RoutingQueue, RoutingRule, RoutingSettings
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory
from tests.routing.support import make_agent, make_queue, make_rule
from tests.web.support import web_login

PAGE = "/admin/routing"
SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


@pytest.fixture
async def shop(factory: Factory) -> Shop:
    return await factory.shop("分流页面店")


async def _login(client: httpx.AsyncClient, factory: Factory, shop: Shop, role: str) -> str:
    return await web_login(client, await factory.user(shop, role=role))


async def _queues(db: Database, shop: Shop) -> list[RoutingQueue]:
    async with db.session() as session:
        rows = await session.scalars(
            select(RoutingQueue).where(RoutingQueue.shop_id == shop.id).order_by(RoutingQueue.id)
        )
        return list(rows)


async def _rules(db: Database, shop: Shop) -> list[RoutingRule]:
    async with db.session() as session:
        rows = await session.scalars(
            select(RoutingRule)
            .where(RoutingRule.shop_id == shop.id)
            .order_by(RoutingRule.position, RoutingRule.id)
        )
        return list(rows)


async def test_admin_sees_every_section_in_chinese_and_english(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    queue = await make_queue(db, shop, "售前咨询", "presales", default=True)
    await make_rule(db, shop, queue, keywords=["优惠券"], channels=["web"])
    await make_agent(factory, shop, skills={queue.id: 4}, tier="senior")
    await _login(client, factory, shop, "admin")
    zh = await client.get(PAGE, params={"lang": "zh"})
    assert zh.status_code == 200, zh.text
    for text in ("智能分流设置", "队列", "分流规则", "客服分流资料", "店铺分流设置", "售前咨询"):
        assert text in zh.text
    assert "优惠券" in zh.text and "售前咨询 · 4" in zh.text and "高级" in zh.text
    assert 'href="/admin/routing" aria-current="page"' in zh.text
    assert 'action="/admin/routing/queues"' in zh.text and 'name="csrf_token"' in zh.text
    en = await client.get(PAGE, params={"lang": "en"})
    assert en.status_code == 200
    for text in ("Routing settings", "Queues", "Rules", "Agents", "Shop settings", "Senior"):
        assert text in en.text


async def test_supervisor_reads_without_forms_and_agent_is_refused(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    await make_queue(db, shop, "售后", "aftersales")
    csrf = await _login(client, factory, shop, "supervisor")
    page = await client.get(PAGE)
    assert page.status_code == 200 and "售后" in page.text
    assert 'action="/admin/routing/queues"' not in page.text
    assert "只有管理员可以修改" in page.text
    refused = await client.post(
        f"{PAGE}/queues", data={"csrf_token": csrf, "name": "x", "skill": "x"}
    )
    assert refused.status_code == 403


async def test_agents_get_403_and_no_nav_link(
    client: httpx.AsyncClient, factory: Factory, shop: Shop
) -> None:
    await _login(client, factory, shop, "agent")
    inbox = await client.get("/conversations")
    assert 'href="/admin/routing"' not in inbox.text
    assert (await client.get(PAGE)).status_code == 403


async def test_anonymous_visitors_are_sent_to_login(client: httpx.AsyncClient) -> None:
    response = await client.get(PAGE)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_admin_adds_edits_and_deletes_a_queue(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    csrf = await _login(client, factory, shop, "admin")
    form = {
        "csrf_token": csrf,
        "name": "投诉处理",
        "skill": "complaints",
        "base_tier": "senior",
        "peak_threshold_seconds": "300",
        "is_default": "true",
    }
    created = await client.post(f"{PAGE}/queues", data=form)
    assert created.status_code == 303, created.text
    (queue,) = await _queues(db, shop)
    assert (queue.base_tier, queue.peak_threshold_seconds, queue.is_default) == (
        "senior",
        300,
        True,
    )
    page = await client.get(created.headers["location"])
    assert "队列已保存" in page.text
    edit = await client.get(PAGE, params={"queue": queue.id})
    assert f'action="/admin/routing/queues/{queue.id}"' in edit.text
    form |= {"name": "投诉", "peak_threshold_seconds": "", "is_default": ""}
    del form["is_default"]
    assert (await client.post(f"{PAGE}/queues/{queue.id}", data=form)).status_code == 303
    (queue,) = await _queues(db, shop)
    assert (queue.name, queue.peak_threshold_seconds, queue.is_default) == ("投诉", None, False)
    deleted = await client.post(f"{PAGE}/queues/{queue.id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 303 and await _queues(db, shop) == []


async def test_a_bad_queue_form_comes_back_with_its_values_and_the_reason(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    await make_queue(db, shop, "售后", "aftersales")
    csrf = await _login(client, factory, shop, "admin")
    bad = await client.post(
        f"{PAGE}/queues",
        data={"csrf_token": csrf, "name": SCRIPT, "skill": "Bad Code", "base_tier": "junior"},
    )
    assert bad.status_code == 422
    assert "技能代码只能包含小写字母" in bad.text and "Bad Code" in bad.text
    assert ESCAPED in bad.text and SCRIPT not in bad.text
    taken = await client.post(
        f"{PAGE}/queues",
        data={"csrf_token": csrf, "name": "售后", "skill": "other", "base_tier": "junior"},
    )
    assert taken.status_code == 409 and "已有同名队列" in taken.text
    peak = await client.post(
        f"{PAGE}/queues",
        data={"csrf_token": csrf, "name": "新", "skill": "new", "peak_threshold_seconds": "5"},
    )
    assert peak.status_code == 422 and "高峰阈值须为" in peak.text
    assert len(await _queues(db, shop)) == 1


async def test_admin_adds_edits_moves_and_deletes_rules(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    queue = await make_queue(db, shop, "售后", "aftersales")
    csrf = await _login(client, factory, shop, "admin")
    for name in ("退款", "物流"):
        form = {
            "csrf_token": csrf,
            "name": name,
            "queue_id": str(queue.id),
            "keywords": f"{name}，{name}问题, ",
            "intents": "refund_request",
            "channels": ["web", "im"],
            "min_customer_level": "2",
        }
        response = await client.post(f"{PAGE}/rules", data=form)
        assert response.status_code == 303, response.text
    first, second = await _rules(db, shop)
    assert first.keywords == ["退款", "退款问题"] and first.channels == ["web", "im"]
    assert first.intents == ["refund_request"] and first.min_customer_level == 2
    moved = await client.post(
        f"{PAGE}/rules/{second.id}/move", data={"csrf_token": csrf, "direction": "up"}
    )
    assert moved.status_code == 303
    assert [r.id for r in await _rules(db, shop)] == [second.id, first.id]
    edit = {"csrf_token": csrf, "name": "退款改", "queue_id": str(queue.id), "keywords": "退款"}
    assert (await client.post(f"{PAGE}/rules/{first.id}", data=edit)).status_code == 303
    changed = next(r for r in await _rules(db, shop) if r.id == first.id)
    assert (changed.name, changed.enabled, changed.channels) == ("退款改", False, [])
    assert changed.position == 1
    deleted = await client.post(f"{PAGE}/rules/{second.id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 303 and [r.id for r in await _rules(db, shop)] == [first.id]


async def test_a_bad_rule_form_is_refused(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    queue = await make_queue(db, shop, "售后", "aftersales")
    csrf = await _login(client, factory, shop, "admin")
    data = {"csrf_token": csrf, "name": "r", "queue_id": str(queue.id), "channels": ["sms"]}
    response = await client.post(f"{PAGE}/rules", data=data)
    assert response.status_code == 422 and "请选择有效的渠道" in response.text
    assert await _rules(db, shop) == []


async def test_admin_edits_an_agents_routing_profile(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    presales = await make_queue(db, shop, "售前", "presales")
    complaints = await make_queue(db, shop, "投诉", "complaints")
    agent = await factory.user(shop, role="agent", name="小王")
    csrf = await _login(client, factory, shop, "admin")
    page = await client.get(PAGE, params={"agent": agent.id})
    assert f'action="/admin/routing/agents/{agent.id}"' in page.text
    assert "编辑分流资料：小王" in unescape(page.text)
    form = {
        "csrf_token": csrf,
        "tier": "senior",
        "max_chats": "8",
        "peak_squad": "true",
        f"skill_{presales.id}": "4",
        f"skill_{complaints.id}": "0",
    }
    response = await client.post(f"{PAGE}/agents/{agent.id}", data=form)
    assert response.status_code == 303, response.text
    async with db.session() as session:
        user = await session.get(User, agent.id)
        state = await session.get(AgentState, agent.id)
        skills = list(
            await session.scalars(select(AgentSkill).where(AgentSkill.user_id == agent.id))
        )
    assert user is not None and user.tier == "senior"
    assert state is not None and (state.max_chats, state.peak_squad) == (8, True)
    assert [(s.queue_id, s.proficiency) for s in skills] == [(presales.id, 4)]
    bad = await client.post(f"{PAGE}/agents/{agent.id}", data=form | {"max_chats": "99"})
    assert bad.status_code == 422 and "同时接待上限须为 1–50" in bad.text


async def test_admin_changes_the_shop_settings(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    csrf = await _login(client, factory, shop, "admin")
    form = {
        "csrf_token": csrf,
        "strategy": "longest_idle",
        "email_weight": "0.3",
        "away_after_seconds": "900",
    }
    response = await client.post(f"{PAGE}/settings", data=form)
    assert response.status_code == 303, response.text
    async with db.session() as session:
        row = await session.get(RoutingSettings, shop.id)
    assert row is not None
    assert (row.auto_assign, row.strategy, row.email_weight, row.away_after_seconds) == (
        False,
        "longest_idle",
        0.3,
        900,
    )
    bad = await client.post(f"{PAGE}/settings", data=form | {"email_weight": "2"})
    assert bad.status_code == 422 and "邮件权重须为 0.1–1.0" in bad.text


async def test_another_shops_queue_cannot_be_edited_from_the_page(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    theirs = await make_queue(db, await factory.shop(), "别家队列", "theirs")
    csrf = await _login(client, factory, shop, "owner")
    page = await client.get(PAGE, params={"queue": theirs.id})
    assert page.status_code == 200 and "别家队列" not in page.text
    form = {"csrf_token": csrf, "name": "夺取", "skill": "taken", "base_tier": "junior"}
    response = await client.post(f"{PAGE}/queues/{theirs.id}", data=form)
    assert response.status_code == 404
    deleted = await client.post(f"{PAGE}/queues/{theirs.id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 404


async def test_agents_go_away_after_the_shops_idle_time(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    await _login(client, factory, shop, "agent")
    default = await client.get("/conversations")
    assert 'data-idle-minutes="10"' in default.text
    async with db.session() as session:
        session.add(RoutingSettings(shop_id=shop.id, away_after_seconds=900, updated_at=utcnow()))
        await session.commit()
    changed = await client.get("/conversations")
    assert 'data-idle-minutes="15"' in changed.text
