"""The KPI engine: grouping by dimension and grain, occupancy from presence, and sums that
agree across groupings (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.analytics.facts import ConversationFact
from kefu.analytics.kpi import (
    Dimension,
    Facts,
    Grain,
    Span,
    Window,
    bucket,
    compute,
    distribution,
    heatmap,
    next_bucket,
    union,
    values,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 10, 1, tzinfo=SHANGHAI)
END = datetime(2026, 11, 1, tzinfo=SHANGHAI)
MONTH = Window(START, END, SHANGHAI)


def _fact(**changes: object) -> ConversationFact:
    base = ConversationFact(
        id=1,
        created_at=START + timedelta(hours=10),
        channel="web",
        customer_id=1,
        assignee_id=3,
        team_id=None,
        queue_id=None,
        handled=True,
        first_response_seconds=60.0,
        response_seconds=(60.0, 120.0),
        handle_seconds=600.0,
        resolution_seconds=900.0,
        resolved=True,
        reopened=False,
        fcr=True,
        complaint=False,
        repeat_complaint=False,
        complaint_feedback_24h=None,
        bot_handled=False,
        bot_contained=False,
        agent_messages={3: 2},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_groups_by_agent_team_and_channel_with_messages_counted_for_their_sender() -> None:
    facts = Facts(
        conversations=[
            _fact(id=1, assignee_id=3, channel="web", agent_messages={3: 2, 4: 1}),
            _fact(
                id=2,
                assignee_id=4,
                channel="email",
                first_response_seconds=180.0,
                agent_messages={4: 2},
            ),
            _fact(
                id=3,
                assignee_id=None,
                handled=False,
                first_response_seconds=None,
                channel="web",
                agent_messages={},
            ),
        ],
        agent_teams={3: 10, 4: 11},
    )
    shop = compute(facts, dimension=Dimension.SHOP, window=MONTH)[(None, None)]
    assert values(shop)["conversations"] == 3
    assert values(shop)["first_response_time"] == 120.0  # (60 + 180) / 2
    assert values(shop)["messages_handled"] == 5
    agents = compute(facts, dimension=Dimension.AGENT, window=MONTH)
    assert values(agents[("3", None)])["messages_handled"] == 2
    assert values(agents[("4", None)])["messages_handled"] == 3  # 1 in #1, 2 in its own #2
    assert values(agents[("4", None)])["conversations"] == 1
    teams = compute(facts, dimension=Dimension.TEAM, window=MONTH)
    assert set(teams) == {("10", None), ("11", None), (None, None)}
    channels = compute(facts, dimension=Dimension.CHANNEL, window=MONTH)
    assert values(channels[("web", None)])["conversations"] == 2


def test_rates_have_the_right_denominators() -> None:
    facts = Facts(
        conversations=[
            _fact(id=1, complaint=True, repeat_complaint=True, complaint_feedback_24h=True),
            _fact(id=2, complaint=True, complaint_feedback_24h=False),
            _fact(id=3, resolved=False, fcr=None, bot_handled=True, bot_contained=True),
            _fact(id=4, reopened=True, fcr=False, resolved=False),
        ]
    )
    v = values(compute(facts, dimension=Dimension.SHOP, window=MONTH)[(None, None)])
    assert v["complaint_rate"] == 0.5
    assert v["repeat_complaint_rate"] == 0.5  # of complaints
    assert v["complaint_feedback_24h"] == 0.5
    assert v["resolution_rate"] == 0.5
    assert v["reopen_rate"] == 1 / 3  # of conversations ever resolved
    assert v["fcr"] == 2 / 3  # of those with an FCR verdict (resolved at some point)
    assert v["bot_containment"] == 1.0  # of the bot's conversations
    assert v["csat"] is None  # no surveys
    assert v["sla_attainment"] is None


def test_occupancy_is_busy_time_while_online() -> None:
    day = datetime(2026, 10, 5, tzinfo=SHANGHAI)
    facts = Facts(
        conversations=[],
        online=[Span(3, day.replace(hour=9), day.replace(hour=17))],
        busy=[
            Span(3, day.replace(hour=10), day.replace(hour=12)),
            Span(3, day.replace(hour=11), day.replace(hour=13)),  # overlaps: counted once
            Span(3, day.replace(hour=16), day.replace(hour=19)),  # after 17:00 is not online
        ],
        agent_teams={3: 10},
    )
    v = values(compute(facts, dimension=Dimension.AGENT, window=MONTH)[("3", None)])
    assert v["occupancy"] == 4 / 8
    by_hour = compute(facts, dimension=Dimension.SHOP, window=replace(MONTH, grain=Grain.HOUR))
    assert values(by_hour[(None, day.replace(hour=10))])["occupancy"] == 1.0
    assert values(by_hour[(None, day.replace(hour=14))])["occupancy"] == 0.0
    assert (None, day.replace(hour=18)) not in by_hour  # offline hours have no occupancy


def test_union_merges_overlapping_spans_of_one_agent_only() -> None:
    t = datetime(2026, 10, 5, tzinfo=UTC)
    hour = timedelta(hours=1)
    spans = [Span(1, t, t + 2 * hour), Span(1, t + hour, t + 3 * hour), Span(2, t, t + hour)]
    assert union(spans) == [Span(1, t, t + timedelta(hours=3)), Span(2, t, t + timedelta(hours=1))]


def test_buckets_follow_the_shop_calendar_across_dst() -> None:
    ny = ZoneInfo("America/New_York")
    moment = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # 08:00 EDT, the day clocks go back
    day = bucket(moment, Grain.DAY, ny)
    assert day == datetime(2026, 11, 1, tzinfo=ny)
    assert next_bucket(day, Grain.DAY).astimezone(UTC) - day.astimezone(UTC) == timedelta(hours=25)
    assert bucket(moment, Grain.WEEK, ny).weekday() == 0
    assert bucket(moment, Grain.MONTH, ny) == datetime(2026, 11, 1, tzinfo=ny)
    assert next_bucket(datetime(2026, 12, 1, tzinfo=ny), Grain.MONTH) == datetime(
        2027, 1, 1, tzinfo=ny
    )


def test_heatmap_and_distribution_count_in_shop_time() -> None:
    monday_9 = datetime(2026, 10, 5, 9, 30, tzinfo=SHANGHAI)
    facts = Facts(conversations=[_fact(created_at=monday_9, first_response_seconds=45.0)])
    grid = heatmap(facts, MONTH)
    assert grid[0][9] == 1 and sum(map(sum, grid)) == 1
    counts = distribution(facts, MONTH, "first_response_time")
    assert counts[1] == 1 and sum(counts) == 1  # 30 s < 45 s <= 60 s
    assert sum(distribution(facts, MONTH, "avg_response_time")) == 2


_facts = st.lists(
    st.builds(
        lambda minute, channel, agent, complaint, resolved: _fact(
            created_at=START + timedelta(minutes=minute),
            channel=channel,
            assignee_id=agent,
            complaint=complaint,
            resolved=resolved,
            fcr=True if resolved else None,
        ),
        st.integers(0, 31 * 24 * 60 - 1),
        st.sampled_from(["web", "email", "im"]),
        st.one_of(st.none(), st.integers(1, 4)),
        st.booleans(),
        st.booleans(),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(_facts, st.sampled_from(list(Dimension)), st.sampled_from([None, *Grain]))
def test_every_grouping_adds_up_to_the_shop_total(
    facts: list[ConversationFact], dimension: Dimension, grain: Grain | None
) -> None:
    window = replace(MONTH, grain=grain)
    shop = compute(Facts(conversations=facts), dimension=Dimension.SHOP, window=MONTH)
    groups = compute(Facts(conversations=facts), dimension=dimension, window=window)
    for key in ("conversations", "complaint_rate", "resolution_rate", "first_response_time"):
        total = sum(stats[key].total for stats in groups.values())
        trials = sum(stats[key].n for stats in groups.values())
        expected = shop.get((None, None))
        assert total == (expected[key].total if expected else 0)
        assert trials == (expected[key].n if expected else 0)
    for stats in groups.values():
        for key, value in values(stats).items():
            if value is not None and key.endswith("_rate"):
                assert 0.0 <= value <= 1.0
