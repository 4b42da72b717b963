"""The SLA API: admins edit calendars and policies (audited), supervisors watch the board and
attainment, everyone who reads a conversation sees its clocks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from kefu.accounts.models import Shop
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory, login
from tests.sla.helpers import SlaShop

WEEKDAYS = [[{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}]] * 5


async def _calendar(client: httpx.AsyncClient) -> dict[str, Any]:
    created = await client.post(
        "/api/v1/sla/calendars",
        json={
            "name": "工作日",
            "timezone": "Asia/Shanghai",
            "weekly": [*WEEKDAYS, [], []],
            "holidays": ["2027-02-06", "2027-02-05", "2027-02-06"],
        },
    )
    assert created.status_code == 201, created.text
    calendar: dict[str, Any] = created.json()
    return calendar


async def _audited(client: httpx.AsyncClient, factory: Factory, shop: Shop) -> list[str]:
    await login(client, await factory.user(shop, role="owner"))
    return [row["action"] for row in (await client.get("/api/v1/audit")).json()]


async def test_admins_edit_calendars_with_an_audit_trail(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="admin"))
    calendar = await _calendar(client)
    assert calendar["is_default"] is True  # the shop's first calendar
    assert calendar["holidays"] == ["2027-02-05", "2027-02-06"]
    assert calendar["weekly"][0] == WEEKDAYS[0] and calendar["weekly"][6] == []
    renamed = await client.patch(
        f"/api/v1/sla/calendars/{calendar['id']}",
        json={"name": "客服排班", "weekly": [[{"start": "00:00", "end": "24:00"}]] * 7},
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "客服排班"
    assert renamed.json()["weekly"][3] == [{"start": "00:00", "end": "24:00"}]
    assert (await client.get(f"/api/v1/sla/calendars/{calendar['id']}")).json() == renamed.json()
    assert (await client.delete(f"/api/v1/sla/calendars/{calendar['id']}")).status_code == 204
    assert (await client.get("/api/v1/sla/calendars")).json() == []
    actions = await _audited(client, factory, shop)
    for action in ("sla_calendar.create", "sla_calendar.update", "sla_calendar.delete"):
        assert action in actions


async def test_admins_order_and_edit_policies_with_an_audit_trail(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="admin"))
    calendar = await _calendar(client)
    policy = await client.post(
        "/api/v1/sla/policies",
        json={
            "name": "VIP",
            "min_customer_level": 3,
            "priorities": ["urgent", "high", "urgent"],
            "calendar_id": calendar["id"],
            "first_response_seconds": 60,
        },
    )
    assert policy.status_code == 201, policy.text
    body = policy.json()
    assert (body["priorities"], body["position"], body["feedback_seconds"]) == (
        ["high", "urgent"],
        0,
        86400,
    )
    second = await client.post("/api/v1/sla/policies", json={"name": "其他", "position": 0})
    assert second.json()["position"] == 0
    listed = await client.get("/api/v1/sla/policies")
    assert [p["name"] for p in listed.json()] == ["VIP", "其他"]
    changed = await client.patch(
        f"/api/v1/sla/policies/{body['id']}",
        json={"first_response_seconds": None, "resolution_seconds": 7200},
    )
    assert changed.status_code == 200
    assert (changed.json()["first_response_seconds"], changed.json()["resolution_seconds"]) == (
        None,
        7200,
    )
    assert (await client.get(f"/api/v1/sla/policies/{body['id']}")).json() == changed.json()
    in_use = await client.delete(f"/api/v1/sla/calendars/{calendar['id']}")
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "sla_calendar_in_use"
    assert (await client.delete(f"/api/v1/sla/policies/{body['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/sla/policies/{body['id']}")).status_code == 404
    actions = await _audited(client, factory, shop)
    for action in ("sla_policy.create", "sla_policy.update", "sla_policy.delete"):
        assert action in actions


async def test_calendars_the_clocks_cannot_count_on_are_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="admin"))
    week = [*WEEKDAYS, [], []]

    async def refused(body: dict[str, object], status: int = 422) -> str:
        response = await client.post("/api/v1/sla/calendars", json={"name": "x", **body})
        assert response.status_code == status, response.text
        code: str = response.json()["error"]["code"]
        return code

    assert await refused({"timezone": "Mars/Olympus", "weekly": week}) == "unknown_timezone"
    assert await refused({"weekly": [[]] * 7}) == "calendar_never_open"
    backwards = [[{"start": "18:00", "end": "09:00"}]] * 7
    assert await refused({"weekly": backwards}) == "invalid_windows"
    assert await refused({"weekly": [[{"start": "9:00", "end": "25:00"}]] * 7}) == "invalid_input"
    assert await refused({"weekly": week[:6]}) == "invalid_input"
    assert (
        await client.post("/api/v1/sla/calendars", json={"name": "x", "weekly": week})
    ).is_success
    assert await refused({"weekly": week}, status=409) == "sla_calendar_exists"


async def test_a_policy_cannot_use_another_shops_calendar(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    other = await factory.shop()
    await login(client, await factory.user(other, role="admin"))
    theirs = await client.post(
        "/api/v1/sla/calendars", json={"name": "别家", "weekly": [*WEEKDAYS, [], []]}
    )
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="admin"))
    response = await client.post(
        "/api/v1/sla/policies", json={"name": "借用", "calendar_id": theirs.json()["id"]}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "sla_calendar_not_found"


async def test_supervisors_watch_the_board_but_do_not_edit_policies(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    now = utcnow()
    sla = await SlaShop.create(factory, db, now)
    facts = await sla.facts(now - timedelta(minutes=9))
    await sla.reconcile([facts], now=now)
    await login(client, await factory.user(sla.shop, role="supervisor"))
    assert (await client.get("/api/v1/sla/policies")).status_code == 403
    board = await client.get("/api/v1/sla/at-risk", params={"within_minutes": 5})
    assert board.status_code == 200
    (clock,) = board.json()
    assert (clock["conversation_id"], clock["metric"]) == (facts.conversation_id, "first_response")
    assert 0 < clock["remaining_seconds"] <= 60
    report = await client.get("/api/v1/sla/attainment")
    assert report.status_code == 200
    assert [m["metric"] for m in report.json()["metrics"]] == [
        "first_response",
        "next_response",
        "resolution",
        "feedback",
    ]
    backwards = await client.get(
        "/api/v1/sla/attainment", params={"since": "2026-06-02T00:00:00Z", "until": "2026-06-01"}
    )
    assert backwards.status_code == 422 and backwards.json()["error"]["code"] == "bad_period"


async def test_agents_see_the_clocks_of_a_conversation(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    now = utcnow()
    sla = await SlaShop.create(factory, db, now)
    facts = await sla.facts(now)
    await sla.reconcile([facts], now=now)
    await login(client, await factory.user(sla.shop, role="agent"))
    response = await client.get(f"/api/v1/sla/conversations/{facts.conversation_id}")
    assert response.status_code == 200
    assert [(c["metric"], c["status"]) for c in response.json()] == [
        ("first_response", "running"),
        ("resolution", "running"),
    ]
    assert (await client.get("/api/v1/sla/at-risk")).status_code == 403
    quiet = await sla.factory.conversation(sla.shop)
    assert (await client.get(f"/api/v1/sla/conversations/{quiet.id}")).json() == []
