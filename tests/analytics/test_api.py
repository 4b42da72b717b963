"""The analytics API on a real database: KPIs computed from what happened, goals with the
default plan, the live figures, and nobody reads another shop's numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from kefu.accounts.models import Shop, User
from kefu.conversations.models import Conversation, Message
from kefu.shared.db import Database
from tests.factories import Factory, login

# 2026-10-05 10:00 in Shanghai
T0 = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)


async def _answered(
    db: Database, factory: Factory, shop: Shop, agent: User, *, at: datetime, wait: int
) -> Conversation:
    """A web chat the agent answered after ``wait`` seconds and resolved 10 minutes later."""
    conversation = await factory.conversation(shop, assignee=agent, at=at, messages=("在吗",))
    answered = at + timedelta(seconds=wait)
    async with db.session() as session:
        session.add(
            Message(
                shop_id=shop.id,
                conversation_id=conversation.id,
                sender_type="agent",
                sender_user_id=agent.id,
                body="您好",
                is_internal=False,
                created_at=answered,
            )
        )
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id)
            .values(
                assigned_at=at,
                first_response_at=answered,
                resolved_at=answered + timedelta(minutes=10),
                status="resolved",
            )
        )
        await session.commit()
    return conversation


async def test_kpis_are_computed_from_the_conversations_of_the_period(
    client: httpx.AsyncClient, db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop, name="李客服")
    await _answered(db, factory, shop, agent, at=T0, wait=60)
    await _answered(db, factory, shop, agent, at=T0 + timedelta(days=1), wait=180)
    await factory.conversation(shop, at=T0 + timedelta(days=2), channel="email")  # unanswered
    await factory.conversation(shop, at=T0 + timedelta(days=40))  # November: not counted
    await login(client, await factory.user(shop, role="supervisor"))

    table = (await client.get("/api/v1/analytics/kpis", params={"period": "2026-10"})).json()
    assert table["period"]["label"] == "2026-10" and table["dimension"] == "shop"
    (total,) = table["rows"]
    assert total["values"]["conversations"] == 3
    assert total["values"]["handled"] == 2
    assert total["values"]["first_response_time"] == 120.0
    assert total["values"]["resolution_rate"] == 2 / 3
    assert total["values"]["csat"] is None

    agents = await client.get(
        "/api/v1/analytics/kpis", params={"period": "2026-10", "dimension": "agent"}
    )
    by_label = {row["label"]: row["values"] for row in agents.json()["rows"]}
    assert by_label["李客服"]["messages_handled"] == 2
    days = await client.get("/api/v1/analytics/kpis", params={"period": "2026-10", "grain": "day"})
    assert [row["bucket"][:10] for row in days.json()["rows"]] == [
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ]
    heat = (await client.get("/api/v1/analytics/heatmap", params={"period": "2026-10"})).json()
    assert heat["counts"][0][10] == 1  # Monday 10:00 Shanghai
    dist = await client.get(
        "/api/v1/analytics/distribution",
        params={"period": "2026-10", "metric": "first_response_time"},
    )
    assert sum(dist.json()["counts"]) == 2


async def test_bad_periods_and_dimensions_are_clear_errors(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="supervisor"))
    bad = await client.get("/api/v1/analytics/kpis", params={"period": "2026-13"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_period"
    unknown = await client.get(
        "/api/v1/analytics/kpis", params={"period": "2026-10", "dimension": "planet"}
    )
    assert unknown.status_code == 422


async def test_goals_default_to_the_service_plan_and_can_be_set_and_reset(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="supervisor"))
    goals = {g["metric"]: g for g in (await client.get("/api/v1/analytics/goals")).json()}
    assert goals["avg_response_time"]["target"] == 300 and goals["avg_response_time"]["is_default"]
    assert goals["complaint_rate"]["target"] == 0.03
    assert goals["complaint_feedback_24h"]["target"] == 1.0
    assert goals["csat"]["target"] == 0.9

    saved = await client.put(
        "/api/v1/analytics/goals",
        json={"targets": {"avg_response_time": 120, "fcr": 0.8, "csat": None}},
    )
    assert saved.status_code == 200, saved.text
    after = {g["metric"]: g for g in saved.json()}
    assert (
        after["avg_response_time"]["target"] == 120 and not after["avg_response_time"]["is_default"]
    )
    assert after["fcr"]["target"] == 0.8
    assert after["csat"]["is_default"]
    reset = await client.put("/api/v1/analytics/goals", json={"targets": {"fcr": None}})
    assert "fcr" not in {g["metric"] for g in reset.json()}

    too_high = await client.put("/api/v1/analytics/goals", json={"targets": {"fcr": 80}})
    assert too_high.status_code == 422 and too_high.json()["error"]["code"] == "invalid_goal"
    unknown = await client.put("/api/v1/analytics/goals", json={"targets": {"speed": 1}})
    assert unknown.json()["error"]["code"] == "unknown_metric"
    await login(client, await factory.user(shop, role="owner"))
    actions = [row["action"] for row in (await client.get("/api/v1/audit")).json()]
    assert actions.count("analytics.goals") == 2  # the refused changes wrote nothing


async def test_agents_cannot_read_analytics_and_shops_see_only_their_own(
    client: httpx.AsyncClient, db: Database, factory: Factory
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    other_agent = await factory.user(other)
    await _answered(db, factory, other, other_agent, at=T0, wait=60)
    await login(client, await factory.user(shop))
    assert (await client.get("/api/v1/analytics/kpis?period=2026-10")).status_code == 403
    assert (
        await client.put("/api/v1/analytics/goals", json={"targets": {"fcr": 0.5}})
    ).status_code == 403
    await login(client, await factory.user(shop, role="supervisor"))
    rows = (await client.get("/api/v1/analytics/kpis?period=2026-10&dimension=agent")).json()[
        "rows"
    ]
    assert rows == []


async def test_live_figures_count_todays_conversations(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await factory.conversation(shop)
    await login(client, await factory.user(shop, role="supervisor"))
    live = (await client.get("/api/v1/analytics/live")).json()
    assert live["today"]["conversations"] == 1
    assert live["agents_online"] == 0 and live["waiting"] >= 0
