"""Routing administration: admins keep queues, rules, agents' profiles and the shop's settings;
supervisors read them; every change is audited; one shop never touches another's."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from kefu.accounts.models import AuditEvent, Shop, User
from kefu.accounts.service import principal_for_user
from kefu.conversations.models import Conversation
from kefu.routing import admin
from kefu.routing.models import AgentSkill, AgentState, RoutingQueue, RoutingRule
from kefu.routing.schemas import QueueIn, QueueUpdate, RuleIn
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.shared.errors import Conflict, Forbidden, NotFound
from tests.factories import Factory, login
from tests.routing.support import make_agent, make_queue, make_rule, queued

BASE = "/api/v1/routing"


@pytest.fixture
async def shop(factory: Factory) -> Shop:
    return await factory.shop("分流设置店")


async def _as(client: httpx.AsyncClient, factory: Factory, shop: Shop, role: str) -> User:
    user = await factory.user(shop, role=role)
    await login(client, user)
    return user


async def _audit_actions(db: Database, shop: Shop) -> list[str]:
    async with db.session() as session:
        rows = await session.scalars(
            select(AuditEvent.action).where(AuditEvent.shop_id == shop.id).order_by(AuditEvent.id)
        )
        return list(rows)


# ---- queues ------------------------------------------------------------------------------


async def test_admin_creates_updates_and_deletes_a_queue_with_an_audit_trail(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    await _as(client, factory, shop, "admin")
    body = {"name": "售前咨询", "skill": "presales", "base_tier": "senior"}
    created = await client.post(f"{BASE}/queues", json=body)
    assert created.status_code == 201, created.text
    queue = created.json()
    assert queue["base_tier"] == "senior" and queue["peak_threshold_seconds"] is None
    changed = await client.patch(
        f"{BASE}/queues/{queue['id']}", json={"peak_threshold_seconds": 300, "name": " 售前 "}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["peak_threshold_seconds"] == 300 and changed.json()["name"] == "售前"
    off = await client.patch(f"{BASE}/queues/{queue['id']}", json={"peak_threshold_seconds": None})
    assert off.json()["peak_threshold_seconds"] is None
    listed = await client.get(f"{BASE}/queues")
    assert [q["name"] for q in listed.json()] == ["售前"]
    assert (await client.delete(f"{BASE}/queues/{queue['id']}")).status_code == 204
    assert (await client.get(f"{BASE}/queues")).json() == []
    assert await _audit_actions(db, shop) == [
        "routing.queue.create",
        "routing.queue.update",
        "routing.queue.update",
        "routing.queue.delete",
    ]


async def test_only_one_queue_is_the_default(
    client: httpx.AsyncClient, factory: Factory, shop: Shop
) -> None:
    await _as(client, factory, shop, "admin")
    first = (
        await client.post(
            f"{BASE}/queues", json={"name": "综合", "skill": "general", "is_default": True}
        )
    ).json()
    second = (
        await client.post(
            f"{BASE}/queues", json={"name": "投诉", "skill": "complaints", "is_default": True}
        )
    ).json()
    defaults = [q["id"] for q in (await client.get(f"{BASE}/queues")).json() if q["is_default"]]
    assert defaults == [second["id"]]
    await client.patch(f"{BASE}/queues/{first['id']}", json={"is_default": True})
    defaults = [q["id"] for q in (await client.get(f"{BASE}/queues")).json() if q["is_default"]]
    assert defaults == [first["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "skill": "Pre Sales"}, "skill"),
        ({"name": "x", "skill": "a" * 33}, "skill"),
        ({"name": "   ", "skill": "ok"}, "name"),
        ({"name": "x", "skill": "ok", "peak_threshold_seconds": 5}, "peak_threshold_seconds"),
        ({"name": "x", "skill": "ok", "peak_threshold_seconds": 86_401}, "peak_threshold_seconds"),
        ({"name": "x", "skill": "ok", "base_tier": "boss"}, "base_tier"),
        ({"name": "x\x00", "skill": "ok"}, "name"),
    ],
)
async def test_bad_queues_are_refused_with_the_field_named(
    client: httpx.AsyncClient, factory: Factory, shop: Shop, body: dict[str, object], field: str
) -> None:
    await _as(client, factory, shop, "admin")
    response = await client.post(f"{BASE}/queues", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert any(detail["loc"][-1] == field for detail in error["details"])


async def test_queue_names_and_skills_are_unique_per_shop(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    await make_queue(db, shop, "售后", "aftersales")
    await make_queue(db, await factory.shop(), "物流", "logistics")
    await _as(client, factory, shop, "admin")
    taken = await client.post(f"{BASE}/queues", json={"name": "售后", "skill": "other"})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "queue_name_taken"
    skill = await client.post(f"{BASE}/queues", json={"name": "另一个", "skill": "aftersales"})
    assert skill.status_code == 409 and skill.json()["error"]["code"] == "queue_skill_taken"
    other_shops = await client.post(f"{BASE}/queues", json={"name": "物流", "skill": "logistics"})
    assert other_shops.status_code == 201, other_shops.text


async def test_null_is_refused_for_required_queue_fields(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    queue = await make_queue(db, shop, "售后", "aftersales")
    await _as(client, factory, shop, "admin")
    response = await client.patch(f"{BASE}/queues/{queue.id}", json={"name": None})
    assert response.status_code == 422


async def test_deleting_a_queue_leaves_its_conversations_queued_without_a_queue(
    factory: Factory, db: Database, shop: Shop
) -> None:
    queue = await make_queue(db, shop, "售后", "aftersales")
    await make_rule(db, shop, queue, keywords=["退款"])
    agent = await make_agent(factory, shop, skills={queue.id: 3})
    waiting = await queued(factory, shop, queue)
    owner = principal_for_user(await factory.user(shop, role="owner"))
    async with db.session() as session:
        await admin.delete_queue(session, actor=owner, queue_id=queue.id, now=utcnow())
    async with db.session() as session:
        rules = select(func.count()).select_from(RoutingRule).where(RoutingRule.shop_id == shop.id)
        assert await session.scalar(rules) == 0
        assert await session.get(AgentSkill, (agent.id, queue.id)) is None
        conversation = await session.get(Conversation, waiting.id)
        assert conversation is not None
        assert conversation.queue_id is None and conversation.queued_at is not None


# ---- rules -------------------------------------------------------------------------------


async def test_rules_are_added_last_edited_reordered_and_deleted(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    queue = await make_queue(db, shop, "售后", "aftersales")
    await _as(client, factory, shop, "admin")
    ids = []
    for name in ("退款", "物流", "投诉"):
        body = {"name": name, "queue_id": queue.id, "keywords": [name, f" {name} "]}
        response = await client.post(f"{BASE}/rules", json=body)
        assert response.status_code == 201, response.text
        assert response.json()["keywords"] == [name]
        ids.append(response.json()["id"])
    positions = [r["position"] for r in (await client.get(f"{BASE}/rules")).json()]
    assert positions == [0, 1, 2]
    patched = await client.patch(
        f"{BASE}/rules/{ids[0]}",
        json={"channels": ["email", "im"], "min_customer_level": 3, "enabled": False},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["channels"] == ["email", "im"] and patched.json()["enabled"] is False
    order = [ids[2], ids[0], ids[1]]
    reordered = await client.put(f"{BASE}/rules/order", json={"rule_ids": order})
    assert reordered.status_code == 200, reordered.text
    assert [r["id"] for r in (await client.get(f"{BASE}/rules")).json()] == order
    assert (await client.delete(f"{BASE}/rules/{ids[1]}")).status_code == 204
    assert [r["id"] for r in (await client.get(f"{BASE}/rules")).json()] == order[:2]


async def test_moving_a_rule_swaps_it_with_its_neighbour_and_stops_at_the_ends(
    factory: Factory, db: Database, shop: Shop
) -> None:
    queue = await make_queue(db, shop, "售后", "aftersales")
    rules = [await make_rule(db, shop, queue, position=n) for n in range(3)]
    actor = principal_for_user(await factory.user(shop, role="admin"))
    async with db.session() as session:
        moved = await admin.move_rule(
            session, actor=actor, rule_id=rules[2].id, step=-1, now=utcnow()
        )
        assert [r.id for r in moved] == [rules[0].id, rules[2].id, rules[1].id]
        moved = await admin.move_rule(
            session, actor=actor, rule_id=rules[0].id, step=-1, now=utcnow()
        )
        assert [r.id for r in moved] == [rules[0].id, rules[2].id, rules[1].id]


async def test_a_reorder_must_name_every_rule_once(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    queue = await make_queue(db, shop, "售后", "aftersales")
    first, second = await make_rule(db, shop, queue), await make_rule(db, shop, queue)
    await _as(client, factory, shop, "admin")
    for ids in ([first.id], [first.id, first.id], [first.id, second.id, second.id]):
        response = await client.put(f"{BASE}/rules/order", json={"rule_ids": ids})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "rule_order_incomplete"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channels": ["sms"]}, "channels"),
        ({"min_customer_level": -1}, "min_customer_level"),
        ({"intents": ["Refund Request"]}, "intents"),
        ({"keywords": ["x" * 51]}, "keywords"),
        ({"enabled": None}, "enabled"),
    ],
)
async def test_bad_rules_are_refused(
    client: httpx.AsyncClient,
    factory: Factory,
    db: Database,
    shop: Shop,
    body: dict[str, object],
    field: str,
) -> None:
    queue = await make_queue(db, shop, "售后", "aftersales")
    await _as(client, factory, shop, "admin")
    response = await client.post(f"{BASE}/rules", json={"name": "r", "queue_id": queue.id, **body})
    assert response.status_code == 422, response.text
    assert any(field in detail["loc"] for detail in response.json()["error"]["details"])


async def test_a_rule_cannot_point_at_another_shops_queue(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    theirs = await make_queue(db, await factory.shop(), "别家", "theirs")
    ours = await make_queue(db, shop, "售后", "aftersales")
    rule = await make_rule(db, shop, ours)
    await _as(client, factory, shop, "owner")
    created = await client.post(f"{BASE}/rules", json={"name": "r", "queue_id": theirs.id})
    assert created.status_code == 404 and created.json()["error"]["code"] == "queue_not_found"
    moved = await client.patch(f"{BASE}/rules/{rule.id}", json={"queue_id": theirs.id})
    assert moved.status_code == 404
    async with db.session() as session:
        stored = await session.get(RoutingRule, rule.id)
        assert stored is not None and stored.queue_id == ours.id


# ---- agents' routing profiles ------------------------------------------------------------


async def test_agents_are_listed_with_tier_presence_capacity_and_skills(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    presales = await make_queue(db, shop, "售前", "presales")
    online = await make_agent(factory, shop, skills={presales.id: 4}, tier="senior", chats=7)
    fresh = await factory.user(shop, role="supervisor", name="新主管")
    await factory.user(shop, role="department")
    await make_agent(factory, await factory.shop(), skills={})
    await _as(client, factory, shop, "supervisor")
    response = await client.get(f"{BASE}/agents")
    assert response.status_code == 200, response.text
    profiles = {p["user_id"]: p for p in response.json()}
    assert online.id in profiles and fresh.id in profiles and len(profiles) == 3
    assert profiles[online.id] | {"name": None, "email": None} == {
        "user_id": online.id,
        "name": None,
        "email": None,
        "role": "agent",
        "tier": "senior",
        "presence": "online",
        "max_chats": 7,
        "peak_squad": False,
        "skills": {str(presales.id): 4},
    }
    assert profiles[fresh.id]["presence"] == "offline" and profiles[fresh.id]["skills"] == {}


async def test_admin_sets_an_agents_tier_capacity_squad_and_skills(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    presales, complaints = (
        await make_queue(db, shop, "售前", "presales"),
        await make_queue(db, shop, "投诉", "complaints"),
    )
    agent = await factory.user(shop, role="agent")
    await _as(client, factory, shop, "admin")
    body = {
        "tier": "expert",
        "max_chats": 8,
        "peak_squad": True,
        "skills": {str(presales.id): 2, str(complaints.id): 5},
    }
    response = await client.patch(f"{BASE}/agents/{agent.id}", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["skills"] == {str(presales.id): 2, str(complaints.id): 5}
    replaced = await client.patch(
        f"{BASE}/agents/{agent.id}", json={"skills": {str(complaints.id): 3}}
    )
    assert replaced.json()["skills"] == {str(complaints.id): 3}
    async with db.session() as session:
        user = await session.get(User, agent.id)
        state = await session.get(AgentState, agent.id)
        assert user is not None and user.tier == "expert"
        assert state is not None and state.max_chats == 8 and state.peak_squad
    assert await _audit_actions(db, shop) == ["routing.agent.update", "routing.agent.update"]


@pytest.mark.parametrize(
    "body",
    [{"max_chats": 0}, {"max_chats": 51}, {"tier": "boss"}, {"skills": {"1": 6}}, {"tier": None}],
)
async def test_bad_agent_profiles_are_refused(
    client: httpx.AsyncClient, factory: Factory, shop: Shop, body: dict[str, object]
) -> None:
    agent = await factory.user(shop, role="agent")
    await _as(client, factory, shop, "admin")
    response = await client.patch(f"{BASE}/agents/{agent.id}", json=body)
    assert response.status_code == 422, response.text


async def test_only_agents_and_supervisors_of_the_shop_have_profiles(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    theirs = await make_queue(db, await factory.shop(), "别家", "theirs")
    agent = await factory.user(shop, role="agent")
    staff = await factory.user(shop, role="department")
    await _as(client, factory, shop, "admin")
    response = await client.patch(f"{BASE}/agents/{staff.id}", json={"max_chats": 3})
    assert response.status_code == 422 and response.json()["error"]["code"] == "not_assignable"
    foreign = await client.patch(
        f"{BASE}/agents/{agent.id}", json={"tier": "expert", "skills": {str(theirs.id): 3}}
    )
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "queue_not_found"
    async with db.session() as session:
        user = await session.get(User, agent.id)
        assert user is not None and user.tier == "junior"


# ---- settings ----------------------------------------------------------------------------


async def test_settings_have_defaults_and_admins_change_them(
    client: httpx.AsyncClient, factory: Factory, db: Database, shop: Shop
) -> None:
    await _as(client, factory, shop, "admin")
    defaults = (await client.get(f"{BASE}/settings")).json()
    assert defaults == {
        "auto_assign": True,
        "strategy": "least_loaded",
        "email_weight": 0.5,
        "away_after_seconds": 600,
        "updated_at": None,
    }
    body = {"auto_assign": False, "strategy": "longest_idle", "email_weight": 0.25}
    changed = await client.patch(f"{BASE}/settings", json=body)
    assert changed.status_code == 200, changed.text
    assert changed.json() | {"updated_at": None} == {**defaults, **body}
    assert (await client.get(f"{BASE}/settings")).json()["strategy"] == "longest_idle"
    assert await _audit_actions(db, shop) == ["routing.settings.update"]


@pytest.mark.parametrize(
    "body",
    [
        {"email_weight": 0.05},
        {"email_weight": 1.5},
        {"away_after_seconds": 59},
        {"away_after_seconds": 7201},
        {"strategy": "random"},
        {"auto_assign": None},
    ],
)
async def test_bad_settings_are_refused(
    client: httpx.AsyncClient, factory: Factory, shop: Shop, body: dict[str, object]
) -> None:
    await _as(client, factory, shop, "admin")
    response = await client.patch(f"{BASE}/settings", json=body)
    assert response.status_code == 422, response.text


# ---- who may do what ---------------------------------------------------------------------


async def test_supervisors_read_but_do_not_change_and_agents_do_neither(
    factory: Factory, db: Database, shop: Shop
) -> None:
    queue = await make_queue(db, shop, "售后", "aftersales")
    supervisor = principal_for_user(await factory.user(shop, role="supervisor"))
    agent = principal_for_user(await factory.user(shop, role="agent"))
    async with db.session() as session:
        assert [q.id for q in await admin.list_queues(session, actor=supervisor)] == [queue.id]
        with pytest.raises(Forbidden):
            await admin.update_queue(
                session,
                actor=supervisor,
                queue_id=queue.id,
                data=QueueUpdate(name="改名"),
                now=utcnow(),
            )
        with pytest.raises(Forbidden):
            await admin.list_rules(session, actor=agent)


async def test_another_shops_queues_and_rules_are_not_found(
    factory: Factory, db: Database, shop: Shop
) -> None:
    other = await factory.shop()
    queue = await make_queue(db, other, "售后", "aftersales")
    rule = await make_rule(db, other, queue)
    owner = principal_for_user(await factory.user(shop, role="owner"))
    async with db.session() as session:
        with pytest.raises(NotFound):
            await admin.update_queue(
                session, actor=owner, queue_id=queue.id, data=QueueUpdate(), now=utcnow()
            )
        with pytest.raises(NotFound):
            await admin.delete_rule(session, actor=owner, rule_id=rule.id, now=utcnow())
        with pytest.raises(NotFound):
            await admin.reorder_rules(session, actor=owner, rule_ids=[rule.id], now=utcnow())
        assert await admin.list_rules(session, actor=owner) == []
    async with db.session() as session:
        assert await session.get(RoutingQueue, queue.id) is not None


async def test_a_taken_name_raises_conflict_in_the_service(
    factory: Factory, db: Database, shop: Shop
) -> None:
    await make_queue(db, shop, "售后", "aftersales")
    owner = principal_for_user(await factory.user(shop, role="owner"))
    async with db.session() as session:
        with pytest.raises(Conflict):
            await admin.create_queue(
                session, actor=owner, data=QueueIn(name="售后", skill="x"), now=utcnow()
            )
        queue = await admin.create_queue(
            session, actor=owner, data=QueueIn(name="物流", skill="logistics"), now=utcnow()
        )
        rule = await admin.create_rule(
            session, actor=owner, data=RuleIn(name="r", queue_id=queue.id), now=utcnow()
        )
        assert rule.position == 0
