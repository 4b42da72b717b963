"""The analytics dashboard, the KPI goals form and the wallboard, as supervisors see them."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from kefu.accounts.models import AuditEvent, Shop, User
from kefu.analytics.metrics import METRICS
from kefu.analytics.models import KpiGoal
from kefu.analytics.periods import parse_period
from kefu.conversations.models import Conversation, Message
from kefu.shared.clock import utcnow
from kefu.shared.db import Database
from kefu.web.analytics_pages import (
    canonical,
    choose,
    distribution_labels,
    preset_periods,
    value_text,
    year_before,
)
from kefu.web.wallboard_pages import FieldError, level, parse_target
from tests.factories import Factory
from tests.routing.support import make_queue, queued
from tests.web.support import HTMX, web_login

PAYLOAD = "<script>alert(1)</script>"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 10 March 2025, 11:00 in Shanghai: the period asked for is 2025-03, compared with 2025-02.
MARCH = datetime(2025, 3, 10, 3, 0, tzinfo=UTC)
FEBRUARY = datetime(2025, 2, 12, 3, 0, tzinfo=UTC)


async def handled(
    factory: Factory,
    shop: Shop,
    agent: User,
    *,
    at: datetime,
    first_response: float,
    resolved_after: float | None = 600,
    complaint: bool = False,
) -> Conversation:
    """A conversation ``agent`` answered after ``first_response`` seconds (one reply)."""
    conversation = await factory.conversation(shop, assignee=agent, at=at, status="resolved")
    replied = at + timedelta(seconds=first_response)
    async with factory.db.session() as session:
        row = await session.get(Conversation, conversation.id)
        assert row is not None
        row.assigned_at, row.first_response_at = at, replied
        row.resolved_at = at + timedelta(seconds=resolved_after) if resolved_after else None
        row.complaint_since = at if complaint else None
        session.add(
            Message(
                shop_id=shop.id,
                conversation_id=row.id,
                sender_type="agent",
                sender_user_id=agent.id,
                body="您好，马上为您查询。",
                is_internal=False,
                created_at=replied,
            )
        )
        await session.commit()
        return row


async def _march(factory: Factory, agent_name: str = "李客服") -> User:
    """A shop with two conversations in March 2025 (first responses 4 and 4.4 minutes, so
    4分12秒 on average) and one in February; returns its supervisor."""
    shop = await factory.shop()
    agent = await factory.user(shop, name=agent_name)
    await handled(factory, shop, agent, at=MARCH, first_response=240)
    await handled(factory, shop, agent, at=MARCH + timedelta(minutes=20), first_response=264)
    await handled(factory, shop, agent, at=FEBRUARY, first_response=60)
    return await factory.user(shop, role="supervisor")


# ---- pure helpers ----------------------------------------------------------------------------


def test_values_read_as_minutes_percentages_and_a_dash_when_missing() -> None:
    frt, csat, count = METRICS["first_response_time"], METRICS["csat"], METRICS["conversations"]
    assert value_text(frt, 252, "zh") == "4分12秒"
    assert value_text(frt, 252, "en") == "4m 12s"
    assert value_text(csat, 0.925, "zh") == "92.5%"
    assert value_text(csat, 1.0, "en") == "100%"
    assert value_text(count, 1234.0, "en") == "1,234"
    assert value_text(csat, None, "zh") == "—"


def test_presets_and_compare_periods_follow_the_shop_calendar() -> None:
    presets = preset_periods(date(2026, 3, 5), SHANGHAI)
    assert presets["this_month"].label == "2026-03"
    assert presets["last_month"].label == "2026-02"
    assert presets["this_quarter"].label == "2026-Q1"
    assert presets["last_quarter"].label == "2025-Q4"
    assert presets["last_7_days"].first_day == date(2026, 2, 27)
    assert year_before(parse_period("2024-02", SHANGHAI)).label == "2023-02"
    assert year_before(parse_period("2024-02-29", SHANGHAI)).first_day == date(2023, 2, 28)
    assert canonical(parse_period("2026-04-01..2026-06-30", SHANGHAI)).label == "2026-Q2"
    assert canonical(parse_period("2026-02-01..2026-02-28", SHANGHAI)).label == "2026-02"

    whole_month = choose(presets, None, (date(2026, 2, 1), date(2026, 2, 28)), "previous")
    assert whole_month.preset == "last_month" and whole_month.against is not None
    assert whole_month.against.label == "2026-01"
    backwards = choose(presets, None, (date(2026, 2, 9), date(2026, 2, 1)), "year")
    assert backwards.invalid and backwards.period.label == "2026-03"
    assert backwards.against is not None and backwards.against.label == "2025-03"
    assert choose(presets, "2026-W05", (None, None), "none").against is None


def test_distribution_bars_have_readable_labels() -> None:
    labels = distribution_labels("zh")
    assert labels[0] == "≤ 30秒" and labels[3] == "2分钟–5分钟" and labels[-1] == "> 24小时"
    assert distribution_labels("en")[1] == "30s–1 min"


def test_goal_fields_are_percentages_and_minutes() -> None:
    assert parse_target(METRICS["csat"], " 92.5 % ") == pytest.approx(0.925)
    assert parse_target(METRICS["avg_response_time"], "4.5") == pytest.approx(270)
    assert parse_target(METRICS["csat"], "") is None
    for metric, text, key in (
        ("csat", "120", "analytics.goals.error.percent"),
        ("csat", "-1", "analytics.goals.error.percent"),
        ("csat", "nan", "analytics.goals.error.number"),
        ("handle_time", "五分钟", "analytics.goals.error.number"),
        ("handle_time", "99999", "analytics.goals.error.minutes"),
    ):
        with pytest.raises(FieldError) as caught:
            parse_target(METRICS[metric], text)
        assert caught.value.key == key, (metric, text)


def test_wallboard_colours_are_amber_near_the_goal_and_red_beyond() -> None:
    aht, csat = METRICS["avg_response_time"], METRICS["csat"]
    assert level(aht, 280, 300) == "ok"
    assert level(aht, 340, 300) == "warn"
    assert level(aht, 600, 300) == "bad"
    assert level(csat, 0.85, 0.9) == "warn"
    assert level(csat, None, 0.9) == "none"
    assert level(csat, 0.5, None) == "plain"


# ---- the dashboard ---------------------------------------------------------------------------


def _chart_data(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="analytics-data">(.*?)</script>', html)
    assert match is not None
    data: dict[str, object] = json.loads(match.group(1))
    return data


async def test_dashboard_shows_kpis_charts_and_leaderboard_in_zh_and_en(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    supervisor = await _march(factory)
    await web_login(client, supervisor)

    page = await client.get("/analytics?period=2025-03&lang=zh")
    assert page.status_code == 200, page.text
    html = page.text
    assert 'href="/analytics" aria-current="page"' in html
    assert "本期：2025-03-01 至 2025-03-31" in html and "对比期：2025-02-01 至 2025-02-28" in html
    assert "4分12秒" in html, "mean first response of 240 s and 264 s"
    assert "还没有满意度评价" in html and "没有 SLA 计时" in html
    assert 'href="/wallboard"' in html and 'href="/analytics/goals"' in html
    assert 'action="/api/v1/analytics/report"' in html
    assert 'name="compare" value="2025-02"' in html
    assert "/api/v1/analytics/kpis?period=2025-03&amp;dimension=agent&amp;format=csv" in html
    assert "/api/v1/analytics/kpis?period=2025-03&amp;dimension=team&amp;format=xlsx" in html
    assert "李客服" in html and "平均响应时长" in html
    assert "周一 11:00，2 个会话" in html, "the heatmap's label names the busiest hour"

    data = _chart_data(html)
    trend = data["trend"]
    assert isinstance(trend, dict)
    assert trend["labels"][9] == "03-10" and trend["current"]["conversations"][9] == 2
    assert trend["current"]["conversations"][0] == 0 and trend["current"]["csat"][9] is None
    assert trend["previous"]["conversations"][11] == 1
    assert data["channels"] == [{"name": "网页聊天", "value": 2.0}]

    english = await client.get("/analytics?period=2025-03&lang=en")
    assert "4m 12s" in english.text and "Agent leaderboard" in english.text
    assert "No satisfaction ratings yet" in english.text


async def test_a_running_month_is_the_default_and_counts_compare_per_day(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    await handled(factory, shop, agent, at=utcnow() - timedelta(seconds=5), first_response=1)
    await web_login(client, await factory.user(shop, role="supervisor"))
    html = (await client.get("/analytics?lang=zh")).text
    month = utcnow().astimezone(SHANGHAI).strftime("%Y-%m")
    assert f'href="/analytics?period={month}&amp;compare=previous" aria-current="true"' in html
    assert "本期尚未结束" in html


async def test_an_impossible_range_falls_back_to_this_month_with_a_message(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    await web_login(client, await factory.user(shop, role="supervisor"))
    page = await client.get("/analytics?start=2025-03-09&end=2025-03-01&lang=en")
    assert page.status_code == 200
    assert "That date range does not work" in page.text


async def test_names_from_the_shop_are_escaped_in_tables(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    supervisor = await _march(factory, agent_name=PAYLOAD)
    await web_login(client, supervisor)
    html = (await client.get("/analytics?period=2025-03")).text
    assert PAYLOAD not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


async def test_another_shops_figures_never_appear(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    supervisor = await _march(factory)
    other = await factory.shop("别家店")
    stranger = await factory.user(other, name="别家客服")
    for hour in range(5):
        await handled(factory, other, stranger, at=MARCH + timedelta(hours=hour), first_response=9)
    await web_login(client, supervisor)
    html = (await client.get("/analytics?period=2025-03")).text
    assert "别家客服" not in html
    trend = _chart_data(html)["trend"]
    assert isinstance(trend, dict)
    assert sum(trend["current"]["conversations"]) == 2


async def test_agents_are_refused_and_do_not_see_the_link(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    csrf = await web_login(client, await factory.user(shop))
    assert 'href="/analytics"' not in (await client.get("/conversations")).text
    for path in ("/analytics", "/analytics/goals", "/wallboard"):
        assert (await client.get(path)).status_code == 403, path
    assert (await client.get("/wallboard/live", headers=HTMX)).status_code == 403
    sent = await client.post("/analytics/goals", data={"csrf_token": csrf, "goal-csat": "50"})
    assert sent.status_code == 403


# ---- goals -----------------------------------------------------------------------------------


async def _goals(db: Database, shop: Shop) -> dict[str, float]:
    async with db.session() as session:
        rows = await session.scalars(select(KpiGoal).where(KpiGoal.shop_id == shop.id))
        return {row.metric: row.target for row in rows}


async def test_goals_page_marks_the_default_plan_and_this_months_progress(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    now = utcnow()
    await handled(factory, shop, agent, at=now - timedelta(seconds=5), first_response=1)
    await web_login(client, await factory.user(shop, role="supervisor"))
    html = (await client.get("/analytics/goals?lang=zh")).text
    assert html.count("默认方案</span>") == 4
    assert "≤ 5分钟" in html and "≥ 90%" in html and "≤ 3%" in html and "≥ 100%" in html
    assert 'placeholder="默认 90"' in html and 'placeholder="不设"' in html
    assert "还没有满意度评价" in html
    assert 'name="csrf_token"' in html and 'name="goal-csat"' in html


async def test_bad_goals_come_back_with_field_errors_and_nothing_saved(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    csrf = await web_login(client, await factory.user(shop, role="supervisor"))
    sent = await client.post(
        "/analytics/goals?lang=zh",
        data={"csrf_token": csrf, "goal-csat": "120", "goal-handle_time": "abc", "goal-fcr": "80"},
    )
    assert sent.status_code == 422
    html = sent.text
    assert "请输入 0 到 100 之间的百分数。" in html and "请输入数字。" in html
    assert 'value="120"' in html and 'value="abc"' in html and 'value="80"' in html
    assert 'id="goal-csat" name="goal-csat"' in html and 'aria-invalid="true"' in html
    assert await _goals(db, shop) == {}


async def test_goals_are_saved_in_percent_and_minutes_audited_and_reset(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    supervisor = await factory.user(shop, role="supervisor")
    csrf = await web_login(client, supervisor)
    form = {"csrf_token": csrf, "goal-csat": "95", "goal-first_response_time": "2.5"}
    sent = await client.post("/analytics/goals", data=form)
    assert sent.status_code == 303 and sent.headers["location"] == "/analytics/goals"
    assert await _goals(db, shop) == {"csat": 0.95, "first_response_time": 150.0}
    html = (await client.get("/analytics/goals?lang=zh")).text
    assert "目标已保存。" in html and "≥ 95%" in html and "≤ 2分30秒" in html
    assert 'name="goal-csat" value="95"' in html and html.count("本店设定") == 2

    again = await client.post("/analytics/goals", data=form)
    assert again.status_code == 303
    assert "没有改动。" in (await client.get("/analytics/goals?lang=zh")).text

    reset = await client.post("/analytics/goals", data={"csrf_token": csrf, "reset": "1"})
    assert reset.status_code == 303
    assert await _goals(db, shop) == {}
    async with db.session() as session:
        audits = await session.scalars(
            select(AuditEvent).where(
                AuditEvent.shop_id == shop.id, AuditEvent.action == "analytics.goals"
            )
        )
        assert [a.actor_user_id for a in audits] == [supervisor.id, supervisor.id]


async def test_goals_form_needs_the_csrf_token(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    await web_login(client, await factory.user(shop, role="supervisor"))
    sent = await client.post("/analytics/goals", data={"goal-csat": "10"})
    assert sent.status_code == 403
    assert await _goals(db, shop) == {}


# ---- wallboard -------------------------------------------------------------------------------


async def test_wallboard_polls_and_colours_todays_figures_against_goals(
    client: httpx.AsyncClient, factory: Factory, db: Database
) -> None:
    shop = await factory.shop()
    queue = await make_queue(db, shop, PAYLOAD, "presales", default=True)
    await queued(factory, shop, queue, at=utcnow() - timedelta(minutes=12))
    agent = await factory.user(shop)
    await handled(factory, shop, agent, at=utcnow(), first_response=1, complaint=True)
    await web_login(client, await factory.user(shop, role="supervisor"))

    page = await client.get("/wallboard?lang=zh")
    assert page.status_code == 200
    html = page.text
    assert 'hx-get="/wallboard/live"' in html and 'hx-trigger="every 10s"' in html
    assert PAYLOAD not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r'class="tile level-bad" data-metric="complaint_rate"', html)
    assert re.search(r'class="tile level-none" data-metric="csat"', html)
    assert "最长 12分" in html, "the queue's longest wait"
    assert 'class="queue-tile level-bad"' in html, "12 minutes is over twice the 5-minute goal"

    live = await client.get("/wallboard/live?lang=en", headers=HTMX)
    assert live.status_code == 200
    assert 'id="wallboard-live"' in live.text and "<html" not in live.text
    assert "Complaint rate" in unescape(live.text) and "Longest wait" in live.text
