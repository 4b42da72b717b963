"""Weekly plans on a real database: forecast from the shop's own history, Erlang requirement,
a roster of the shop's agents that covers it, CSV exports, and the page's form."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from kefu.accounts.models import Shop
from kefu.conversations.models import Conversation
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from tests.factories import Factory, login

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _next_monday() -> date:
    today = utcnow().astimezone(SHANGHAI).date()
    return today + timedelta(days=7 - today.weekday())


async def _history(db: Database, factory: Factory, shop: Shop, weeks: int = 4) -> None:
    """Four weeks of chats: six an hour from 09:00 to 18:00 local on every day, none at night."""
    customer = await factory.customer(shop)
    today = utcnow().astimezone(SHANGHAI).date()
    rows = []
    for back in range(1, 7 * weeks + 1):
        day = today - timedelta(days=back)
        for hour in range(9, 18):
            for k in range(6):
                at = datetime.combine(day, time(hour, k * 10), SHANGHAI)
                rows.append(
                    Conversation(
                        shop_id=shop.id, channel="web", customer_id=customer.id, subject="",
                        status="closed", priority="normal", message_count=1, created_at=at,
                        updated_at=at, last_message_at=at,
                    )
                )  # fmt: skip
    async with db.session() as session:
        session.add_all(rows)
        await session.commit()


async def test_a_plan_covers_the_forecast_requirement_with_the_shops_agents(
    client: httpx.AsyncClient, db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    agents = [await factory.user(shop, name=f"客服{i}") for i in range(6)]
    await _history(db, factory, shop)
    await login(client, await factory.user(shop, role="supervisor"))
    week = _next_monday()
    created = await client.post(
        "/api/v1/wfm/plans",
        json={"week_start": week.isoformat(), "aht_seconds": 300, "concurrency": 2,
              "time_limit_seconds": 10},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["status"] in ("OPTIMAL", "FEASIBLE"), plan["summary"]
    assert plan["summary"]["min_coverage"] == 1.0, plan["summary"]
    assert len(plan["requirement"]) == 7 * 48
    by_time = {t: a for t, a in plan["requirement"]}
    monday = week.isoformat()
    assert by_time[f"{monday}T03:00:00"] == 0  # nobody writes at 3 a.m.
    assert by_time[f"{monday}T11:00:00"] >= 1  # ~3 chats per 30 min need someone
    staffed = {t: s for t, _, s in plan["coverage"]}
    assert all(staffed[t] >= a for t, a in by_time.items())
    assert {s["agent"] for s in plan["roster"]} <= {str(a.id) for a in agents}
    assert plan["summary"]["simulation"]["days"][0]["service_level"] is not None

    roster = await client.get(f"/api/v1/wfm/plans/{plan['id']}/roster.csv")
    rows = list(csv.DictReader(io.StringIO(roster.text.lstrip("\ufeff"))))
    assert len(rows) == len(plan["roster"]) and rows[0]["name"].startswith("客服")
    coverage = await client.get(f"/api/v1/wfm/plans/{plan['id']}/coverage.csv")
    assert len(coverage.text.strip().splitlines()) == 1 + 7 * 48
    listed = (await client.get("/api/v1/wfm/plans")).json()
    assert [p["id"] for p in listed] == [plan["id"]]


async def test_bad_weeks_and_other_shops_plans_are_refused(
    client: httpx.AsyncClient, db: Database, factory: Factory
) -> None:
    shop, other = await factory.shop(), await factory.shop()
    await _history(db, factory, shop, weeks=1)
    await login(client, await factory.user(shop, role="supervisor"))
    tuesday = _next_monday() + timedelta(days=1)
    bad = await client.post("/api/v1/wfm/plans", json={"week_start": tuesday.isoformat()})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_week"
    old = await client.post("/api/v1/wfm/plans", json={"week_start": "2020-01-06"})
    assert old.json()["error"]["code"] == "invalid_week"
    await login(client, await factory.user(other, role="supervisor"))
    empty = await client.post("/api/v1/wfm/plans", json={"week_start": _next_monday().isoformat()})
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "no_history"
    assert (await client.get("/api/v1/wfm/plans/1")).status_code == 404
    await login(client, await factory.user(shop))
    assert (await client.get("/api/v1/wfm/plans")).status_code == 403


async def test_the_erlang_calculator_reproduces_the_textbook_case(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="supervisor"))
    result = (
        await client.get(
            "/api/v1/wfm/erlang",
            params={
                "volume": 100,
                "aht_seconds": 180,
                "interval_minutes": 30,
                "target_sl": 0.8,
                "answer_seconds": 20,
                "max_occupancy": 0.85,
                "shrinkage": 0.3,
            },
        )
    ).json()
    assert (result["agents"], result["agents_with_shrinkage"]) == (14, 20)
    assert round(result["service_level"], 4) == 0.8884
    assert round(result["wait_probability"], 4) == 0.1741
    assert round(result["occupancy"], 3) == 0.714
    assert round(result["asa_seconds"], 1) == 7.8


async def test_the_planning_page_keeps_what_was_typed_when_a_field_is_wrong(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await login(client, await factory.user(shop, role="supervisor"))
    page = await client.get("/wfm")
    assert page.status_code == 200 and "生成计划" in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    sent = await client.post(
        "/wfm/plans",
        data={"csrf_token": token, "week_start": _next_monday().isoformat(),
              "interval_minutes": "30", "aht_seconds": "abc", "concurrency": "2",
              "target_sl": "80", "answer_seconds": "60", "max_occupancy": "85",
              "shrinkage": "10", "patience_seconds": "", "time_limit_seconds": "5"},
    )  # fmt: skip
    assert sent.status_code == 422
    assert "平均处理时长" in sent.text and 'value="abc"' in sent.text
