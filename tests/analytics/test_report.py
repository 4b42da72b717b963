"""The period report on a real database: before/after figures and whether a change is beyond
noise, goals, a trend point for every day, channel, team and agent tables and complaint topics.
The seeding helpers here are shared by the render, schedule, API and CLI tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from kefu.accounts.models import Shop, Team, User
from kefu.accounts.permissions import Role
from kefu.accounts.principal import Principal
from kefu.analytics.compare import Change
from kefu.analytics.formatting import format_delta, format_seconds, format_value
from kefu.analytics.metrics import METRICS, Unit
from kefu.analytics.report import Report, ReportQuery, report, report_for_shop
from kefu.conversations.models import Conversation, Message
from kefu.shared.db import Database
from kefu.shared.errors import Forbidden, InvalidInput
from tests.factories import Factory

SEPTEMBER = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
OCTOBER = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 3, 4, 0, tzinfo=UTC)
COMPLAINT = "<script>alert(1)</script>快递太慢了，等了十天还没到，物流太差了"


async def answered(
    db: Database, factory: Factory, shop: Shop, agent: User, *, at: datetime, wait: int
) -> Conversation:
    """A web chat ``agent`` answered after ``wait`` seconds and resolved 10 minutes later."""
    conversation = await factory.conversation(shop, assignee=agent, at=at, messages=("在吗",))
    replied = at + timedelta(seconds=wait)
    async with db.session() as session:
        session.add(
            Message(
                shop_id=shop.id,
                conversation_id=conversation.id,
                sender_type="agent",
                sender_user_id=agent.id,
                body="您好",
                is_internal=False,
                created_at=replied,
            )
        )
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id)
            .values(
                assigned_at=at,
                first_response_at=replied,
                resolved_at=replied + timedelta(minutes=10),
                status="resolved",
            )
        )
        await session.commit()
    return conversation


@dataclass
class Seeded:
    shop: Shop
    agents: list[User]
    supervisor: User


async def seed(db: Database, factory: Factory, *, locale: str = "zh") -> Seeded:
    """Two agents of team 售后组. September: 12 chats answered after 9-13 minutes. October:
    12 answered after 30-70 seconds, one e-mail nobody answered, and a complaint."""
    shop = await factory.shop("报表测试店")
    async with db.session() as session:
        team = Team(shop_id=shop.id, name="售后组")
        session.add(team)
        await session.flush()
        team_id = team.id
        await session.execute(update(Shop).where(Shop.id == shop.id).values(locale=locale))
        await session.commit()
    agents = [await factory.user(shop, name=name) for name in ("王客服", "李客服")]
    async with db.session() as session:
        await session.execute(
            update(User).where(User.id.in_([a.id for a in agents])).values(team_id=team_id)
        )
        await session.commit()
    for i in range(12):
        agent = agents[i % 2]
        day = timedelta(days=2 * i, hours=i % 5)
        await answered(db, factory, shop, agent, at=SEPTEMBER + day, wait=540 + 20 * i)
        await answered(db, factory, shop, agent, at=OCTOBER + day, wait=30 + 4 * i)
    await factory.conversation(shop, channel="email", at=OCTOBER + timedelta(days=3))
    complaint = await factory.conversation(
        shop, at=OCTOBER + timedelta(days=4), messages=(COMPLAINT,)
    )
    async with db.session() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == complaint.id)
            .values(complaint_since=OCTOBER + timedelta(days=4, minutes=1))
        )
        await session.commit()
    supervisor = await factory.user(shop, role="supervisor")
    return Seeded(shop, agents, supervisor)


async def october_report(db: Database, shop: Shop, **query: str) -> Report:
    async with db.session() as session:
        return await report_for_shop(
            session, shop=shop, query=ReportQuery(period="2026-10", **query), now=NOW
        )


def test_durations_read_as_minutes_and_seconds_in_both_languages() -> None:
    assert format_seconds(252, "zh") == "4 分 12 秒"
    assert format_seconds(252, "en") == "4 min 12 s"
    assert format_seconds(42.4, "zh") == "42 秒"
    assert format_seconds(3900, "en") == "1 h 5 min"
    assert format_seconds(300, "zh") == "5 分"
    assert format_seconds(0, "en") == "0 s"
    assert format_value(0.935, Unit.RATIO, "zh") == "93.5%"
    assert format_value(None, Unit.SECONDS, "zh") == "—"
    assert format_value(12345, Unit.COUNT, "en") == "12,345"


def test_rate_changes_read_as_percentage_points() -> None:
    change = Change("fcr", 0.5, 0.62, 0.12, 0.24, 0.01, True, True)
    assert format_delta(change, METRICS["fcr"], "zh") == "+12.0 个百分点"
    assert format_delta(change, METRICS["fcr"], "en") == "+12.0 pp"
    slower = Change("handle_time", 200.0, 272.0, 72.0, 0.36, 0.2, False, False)
    assert format_delta(slower, METRICS["handle_time"], "en") == "+1 min 12 s"


async def test_report_compares_with_the_period_before_and_flags_changes_beyond_noise(
    db: Database, factory: Factory
) -> None:
    seeded = await seed(db, factory)
    built = await october_report(db, seeded.shop)
    assert (built.period.label, built.compare.label) == ("2026-10", "2026-09")
    rows = {row.metric.key: row for row in built.headline}
    frt = rows["first_response_time"].change
    assert frt.before == pytest.approx(650.0) and frt.after == pytest.approx(52.0)
    assert frt.significant and frt.improved is True
    volume = rows["conversations"].change
    assert (volume.before, volume.after) == (12, 14)
    assert not volume.significant  # 12 against 14 a month is noise
    assert "csat" not in rows  # no surveys: no row rather than an empty one
    goal = rows["avg_response_time"]
    assert goal.goal == 300 and goal.met is True


async def test_trend_has_a_point_for_every_day_of_the_period(
    db: Database, factory: Factory
) -> None:
    seeded = await seed(db, factory)
    built = await october_report(db, seeded.shop)
    volume = next(s for s in built.trends if s.metric.key == "conversations")
    assert len(volume.points) == 31
    assert volume.points[0][0].isoformat() == "2026-10-01"
    assert sum(v or 0 for _, v in volume.points) == 14
    assert volume.points[1][1] == 0  # a quiet day is zero conversations, not a gap
    frt = next(s for s in built.trends if s.metric.key == "first_response_time")
    assert frt.points[1][1] is None  # ... and no response time at all


async def test_tables_break_the_period_down_by_channel_team_and_agent(
    db: Database, factory: Factory
) -> None:
    seeded = await seed(db, factory)
    built = await october_report(db, seeded.shop)
    agents = built.agents
    keys = [c.key for c in agents.columns]
    assert keys[:4] == ["label", "conversations", "handled", "messages_handled"]
    assert "occupancy" not in keys and "csat" not in keys  # no presence, no surveys
    assert {row[0] for row in agents.rows} == {"王客服", "李客服"}
    assert all(row[keys.index("conversations")] == 6 for row in agents.rows)
    teams = {row[0]: row for row in built.teams.rows}
    assert teams["售后组"][built.teams.column("conversations")] == 12
    channels = {row[0]: row for row in built.channels.rows}
    assert channels["网页聊天"][1] == 13 and channels["邮件"][1] == 1
    assert [t.title for t in built.tables()][:5] == ["核心指标", "每日趋势", "渠道", "团队", "客服"]


async def test_english_report_uses_english_labels(db: Database, factory: Factory) -> None:
    seeded = await seed(db, factory)
    built = await october_report(db, seeded.shop, locale="en")
    assert built.channels.title == "Channels"
    assert {row[0] for row in built.channels.rows} == {"Web chat", "Email"}


async def test_complaint_topics_come_from_the_customers_words(
    db: Database, factory: Factory
) -> None:
    seeded = await seed(db, factory)
    built = await october_report(db, seeded.shop)
    assert built.topics is not None
    (top, *_rest) = built.topics
    assert top.label == "物流" and top.mentions == 1 and top.previous == 0
    assert top.examples and all(example in COMPLAINT for example in top.examples)


@pytest.mark.parametrize("text", ["2026-13", "0000-01", "0001-01", "9999-12", "next month"])
async def test_a_bad_period_is_refused_with_a_clear_code(
    text: str, db: Database, factory: Factory
) -> None:
    shop = await factory.shop()
    async with db.session() as session:
        with pytest.raises(InvalidInput) as raised:
            await report_for_shop(session, shop=shop, query=ReportQuery(period=text), now=NOW)
    assert raised.value.code == "invalid_period"


async def test_agents_may_not_read_reports(db: Database, factory: Factory) -> None:
    shop = await factory.shop()
    agent = await factory.user(shop)
    actor = Principal(shop_id=shop.id, role=Role.AGENT, user_id=agent.id)
    async with db.session() as session:
        with pytest.raises(Forbidden):
            await report(session, actor=actor, query=ReportQuery("2026-10"), now=NOW)
